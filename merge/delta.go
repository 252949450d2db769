package merge

import (
	"fmt"
	"slices"
	"strings"

	"datax/extsort"
	"datax/record"
	"datax/rowstream"
	"datax/sortkey"
)

// DeltaRules say how a day's change records become the delta: one row per
// key, the last change by (Time, Position), deletes by Mode.
//
// Two shapes are common. A change log has an operation column (Op, with the
// values that mean insert, update and delete), a log time and a log
// position. A modified_time window extraction has no operation column:
// every row is an upsert, Time is the row's modified_time, and an optional
// soft-delete column marks deletes (SoftDelete = SoftDeleteValues).
type DeltaRules struct {
	Key []string
	// Time and Position order a key's changes (Position breaks ties of
	// Time). Either may be empty; rows still tied are ordered by their
	// remaining columns, so the choice never depends on arrival order.
	Time, Position string
	// Op is the operation column; Insert, Update and Delete list its values
	// (a value in none of them is an error).
	Op                     string
	Insert, Update, Delete []string
	// SoftDelete is a column whose value in SoftDeleteValues marks a delete.
	SoftDelete       string
	SoftDeleteValues []string
	// DeletedFlag is a boolean column whose true marks a delete (the flag a
	// delta or snapshot written by datax carries); used when the input has
	// it.
	DeletedFlag string
	Mode        DeleteMode
	// Drop lists input columns that are not part of the output (log
	// bookkeeping); Op is always dropped.
	Drop []string
}

// Delta gathers a day's change records and yields the delta: one row per
// key, sorted by key, with sorting spilled to disk under a memory budget.
type Delta struct {
	rules  DeltaRules
	schema record.Schema
	key    sortkey.Cols
	sorter *extsort.Sorter
	op     int
	kinds  map[string]byte // op value → 'I', 'U', 'D'
	soft   *softDelete
	flag   int
	out    record.Schema
	rows   int64
}

// NewDelta prepares a delta of records with the given input schema. Every
// configured column must exist; errors name the parameter and the columns.
func NewDelta(schema record.Schema, rules DeltaRules, opts extsort.Options) (*Delta, error) {
	if rules.Mode == "" {
		rules.Mode = Keep
	}
	d := &Delta{rules: rules, schema: schema, op: -1, flag: -1}
	var err error
	if d.key, err = sortkey.New(schema, rules.Key); err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	order := d.key
	used := slices.Clone(d.key.Index())
	for _, c := range []struct{ param, name string }{{"time", rules.Time}, {"position", rules.Position}} {
		if c.name == "" {
			continue
		}
		k, err := sortkey.New(schema, []string{c.name})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.param, err)
		}
		order = order.Concat(k)
		used = append(used, k.Index()...)
	}
	var rest []int
	for j := range schema {
		if !slices.Contains(used, j) {
			rest = append(rest, j)
		}
	}
	order = order.Concat(sortkey.Of(schema, rest...))
	if rules.Op != "" {
		if d.op = schema.Index(rules.Op); d.op < 0 {
			return nil, fmt.Errorf("op: column %s not found (the columns are: %s)", rules.Op, strings.Join(schema.Names(), ", "))
		}
		d.kinds = map[string]byte{}
		for _, l := range []struct {
			kind   byte
			values []string
		}{{'I', rules.Insert}, {'U', rules.Update}, {'D', rules.Delete}} {
			for _, v := range l.values {
				if k, dup := d.kinds[v]; dup && k != l.kind {
					return nil, fmt.Errorf("op value %q is listed as two different operations", v)
				}
				d.kinds[v] = l.kind
			}
		}
		if len(rules.Delete) == 0 {
			return nil, fmt.Errorf("op: no value means delete; list them (e.g. [\"D\"])")
		}
	}
	if rules.SoftDelete != "" {
		if schema.Index(rules.SoftDelete) < 0 {
			return nil, fmt.Errorf("softDelete: column %s not found (the columns are: %s)", rules.SoftDelete, strings.Join(schema.Names(), ", "))
		}
		if d.soft, err = newSoftDelete(schema, rules.SoftDelete, rules.SoftDeleteValues); err != nil {
			return nil, err
		}
	}
	if rules.DeletedFlag != "" {
		if j := schema.Index(rules.DeletedFlag); j >= 0 && schema[j].Kind == record.Bool {
			d.flag = j
		}
	}
	drop := append(slices.Clone(rules.Drop), rules.Op)
	for _, name := range rules.Drop {
		if schema.Index(name) < 0 {
			return nil, fmt.Errorf("drop: column %s not found (the columns are: %s)", name, strings.Join(schema.Names(), ", "))
		}
		if slices.Contains(rules.Key, name) {
			return nil, fmt.Errorf("drop: %s is a key column; it cannot be dropped", name)
		}
	}
	for _, c := range schema {
		if !slices.Contains(drop, c.Name) {
			d.out = append(d.out, c)
		}
	}
	d.sorter = extsort.New(schema, order, opts)
	return d, nil
}

// Schema returns the columns of the delta rows as they go out (the input
// less the operation column and the dropped ones).
func (d *Delta) Schema() record.Schema { return d.out }

// Rows returns the schema of the delta's rows as Stream yields them (the
// input schema).
func (d *Delta) Rows() record.Schema { return d.schema }

// Key returns the key columns (of the input schema, which the stream's
// batches have).
func (d *Delta) Key() sortkey.Cols { return d.key }

// Records returns the number of change records added.
func (d *Delta) Records() int64 { return d.rows }

// Add takes a batch of change records (input schema). An operation value
// that is not configured fails it.
func (d *Delta) Add(b *record.Batch) error {
	if d.op >= 0 {
		v := b.Col(d.op)
		textual := v.Kind() == record.String || v.Kind() == record.Bytes
		var text []byte
		for i := 0; i < b.Len(); i++ {
			if v.IsNull(i) {
				return fmt.Errorf("op column %s is null in the change record with %s", d.rules.Op, d.key.Format(d.schema, b, i))
			}
			if textual {
				text = v.Bytes(i)
			} else {
				text = record.AppendText(text[:0], v, i, d.schema[d.op])
			}
			if _, ok := d.kinds[string(text)]; !ok {
				return fmt.Errorf("op column %s has the value %q (change record with %s), which is none of insert %q, update %q, delete %q",
					d.rules.Op, text, d.key.Format(d.schema, b, i), d.rules.Insert, d.rules.Update, d.rules.Delete)
			}
		}
	}
	d.rows += int64(b.Len())
	return d.sorter.Add(b)
}

// IsDelete reports whether row i of b (input schema) is a delete.
func (d *Delta) IsDelete(b *record.Batch, i int) bool {
	if d.op >= 0 {
		v := b.Col(d.op)
		if v.Kind() == record.String || v.Kind() == record.Bytes {
			if d.kinds[string(v.Bytes(i))] == 'D' {
				return true
			}
		} else if d.kinds[string(record.AppendText(nil, v, i, d.schema[d.op]))] == 'D' {
			return true
		}
	}
	if d.soft != nil && d.soft.deleted(b, i) {
		return true
	}
	if d.flag >= 0 {
		v := b.Col(d.flag)
		if !v.IsNull(i) && v.Bool(i) {
			return true
		}
	}
	return false
}

// Stream ends the input and returns the delta: one row per key, sorted by
// key, in the input schema (use IsDelete on its rows).
func (d *Delta) Stream() (rowstream.Stream, error) {
	sorted, err := d.sorter.Sort()
	if err != nil {
		return nil, err
	}
	return Select(sorted, d.key, SelectOptions{Pick: Last, IsDelete: d.IsDelete, Mode: d.rules.Mode}), nil
}

// SortStats says how the sort went (spill runs).
func (d *Delta) SortStats() extsort.Stats { return d.sorter.Stats() }

// Close releases the sort's memory and spill files.
func (d *Delta) Close() error { return d.sorter.Close() }

// softDelete tests a soft-delete column: a row is deleted when the column
// holds one of the values.
type softDelete struct {
	col  int
	vals *record.Vector
}

// newSoftDelete prepares the test of column (which must be in schema) for
// values, given as text.
func newSoftDelete(schema record.Schema, column string, values []string) (*softDelete, error) {
	if len(values) == 0 {
		return nil, fmt.Errorf("softDelete: no value given that marks a deleted row")
	}
	s := &softDelete{col: schema.Index(column)}
	c := schema[s.col]
	s.vals = record.NewVector(c.Kind)
	for _, v := range values {
		if err := record.ParseText(s.vals, c, []byte(v)); err != nil {
			return nil, fmt.Errorf("softDelete value %q for column %s: %w", v, c, err)
		}
	}
	return s, nil
}

// deleted reports whether row i of b is marked deleted.
func (s *softDelete) deleted(b *record.Batch, i int) bool {
	v := b.Col(s.col)
	for k := 0; k < s.vals.Len(); k++ {
		if sortkey.Values(v.Kind(), v, i, s.vals, k) == 0 {
			return true
		}
	}
	return false
}
