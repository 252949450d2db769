// Package splitter cuts a table into key ranges that tasks read in
// parallel, and works out which tables a sharded source holds.
//
// Ranges cover the whole key space with no gap and no overlap whatever the
// boundaries: the first is unbounded below, the last unbounded above, each
// boundary belongs to the range it starts, and rows whose key is NULL get a
// range of their own. So every row is read exactly once even when rows are
// inserted after the split; boundaries only decide how evenly the work is
// spread:
//
//   - integer keys: even ranges between MIN and MAX when the key is unique
//     and dense (even ranges are then balanced by construction); otherwise
//     cells between MIN and MAX whose rows the database estimates from the
//     key's index, heavy cells cut finer, grouped into ranges of similar
//     estimated size (sparse and skewed keys);
//   - string keys: candidate strings interpolated between MIN and MAX, each
//     snapped to a real key by one index lookup, ordered by the database
//     under the column's collation (a boundary list the database did not
//     order could overlap), then estimated and grouped the same way.
//
// The package holds no SQL. A database answers the few questions the
// splitter asks (MIN/MAX, a row estimate of a range, the next key, the order
// of some keys) through Index; rdbms implements it for MySQL and MariaDB
// with index lookups and EXPLAIN, never a scan. The same ranges serve any
// reader of key ranges, for example a key-only scan of a table.
package splitter

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
)

// KeyKind is how a split key's values are compared.
type KeyKind uint8

// The kinds of split keys.
const (
	IntKey    KeyKind = iota + 1 // signed integers (Value.Int)
	UintKey                      // unsigned integers (Value.Uint)
	TextKey                      // character strings in UTF-8 (Value.Bytes), ordered by the column's collation
	BinaryKey                    // byte strings (Value.Bytes), ordered bytewise
)

func (k KeyKind) String() string {
	switch k {
	case IntKey:
		return "integer"
	case UintKey:
		return "unsigned integer"
	case TextKey:
		return "text"
	case BinaryKey:
		return "binary"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Key is the column a table is split on.
type Key struct {
	Column string
	Kind   KeyKind
	// Nullable means rows may have a NULL key; they get a range of their own.
	Nullable bool
	// Unique means no two rows share a key value (a primary or unique key).
	Unique bool
}

// Value is one key value; the field used depends on the key's kind.
type Value struct {
	Int   int64
	Uint  uint64
	Bytes []byte
}

// Format renders v for messages and task descriptions.
func (v Value) Format(k KeyKind) string {
	switch k {
	case IntKey:
		return strconv.FormatInt(v.Int, 10)
	case UintKey:
		return strconv.FormatUint(v.Uint, 10)
	case BinaryKey:
		return fmt.Sprintf("0x%x", v.Bytes)
	}
	return strconv.Quote(string(v.Bytes))
}

// Range is a set of rows by key: Lo <= key < Hi, a nil bound being
// unbounded, or, with Null set, the rows whose key is NULL. The zero Range
// (no bounds, not Null) is the whole table, NULL keys included.
type Range struct {
	Lo, Hi *Value
	Null   bool
}

// All reports whether r is the whole table.
func (r Range) All() bool { return r.Lo == nil && r.Hi == nil && !r.Null }

// Format renders r for messages, e.g. `id in [100, 200)`.
func (r Range) Format(k Key) string {
	switch {
	case r.Null:
		return k.Column + " IS NULL"
	case r.All():
		return "whole table"
	}
	lo, hi := "-inf", "+inf"
	if r.Lo != nil {
		lo = r.Lo.Format(k.Kind)
	}
	if r.Hi != nil {
		hi = r.Hi.Format(k.Kind)
	}
	return fmt.Sprintf("%s in [%s, %s)", k.Column, lo, hi)
}

// Index answers the splitter's questions about one table's key from the
// key's index, each with an index lookup or the optimizer's estimate, never
// a scan.
type Index interface {
	// Bounds returns the smallest and the largest non-null key; ok is false
	// when the table has none.
	Bounds(ctx context.Context) (lo, hi Value, ok bool, err error)
	// Estimate estimates the rows in r (never a Null range; the zero Range
	// is the whole table).
	Estimate(ctx context.Context, r Range) (float64, error)
	// Ceil returns the smallest key >= v; Floor the largest key < v. ok is
	// false when there is none.
	Ceil(ctx context.Context, v Value) (Value, bool, error)
	Floor(ctx context.Context, v Value) (Value, bool, error)
	// Rank returns, for each value, its rank under the column's collation:
	// values equal under it share a rank, and a smaller rank sorts first.
	// Only text keys are asked.
	Rank(ctx context.Context, vs []Value) ([]int, error)
}

// Folder is implemented by an Index whose text keys compare ignoring case
// or accents (most collations do). Fold maps a key to a form whose code
// point order is close to the collation's ("É" and "e" both to "e"), so
// that the candidates interpolated between two keys fall between them under
// the collation too. It only improves balance: Plan is correct without it.
type Folder interface {
	Fold(s []byte) []byte
}

// Options tune Plan; zero values take the defaults.
type Options struct {
	// MaxProbes caps the questions asked of the index (estimates and
	// lookups); default 24 per wanted range plus 128, at most 4000.
	MaxProbes int
}

// Plan cuts the table behind idx into about n ranges of key (fewer when the
// key has fewer distinct values), plus one range for NULL keys when the key
// is nullable. n <= 1, an empty table or a single key value give one range,
// the whole table.
func Plan(ctx context.Context, key Key, idx Index, n int, opts Options) ([]Range, error) {
	if n <= 1 {
		return []Range{{}}, nil
	}
	lo, hi, ok, err := idx.Bounds(ctx)
	if err != nil {
		return nil, err
	}
	if !ok || equalValues(key.Kind, lo, hi) {
		return []Range{{}}, nil
	}
	if opts.MaxProbes <= 0 {
		opts.MaxProbes = min(24*n+128, 4000)
	}
	p := &planner{key: key, idx: idx, n: n, budget: opts.MaxProbes}
	var bounds []Value
	switch key.Kind {
	case IntKey, UintKey:
		bounds, err = p.integers(ctx, lo, hi)
	case TextKey, BinaryKey:
		bounds, err = p.strings(ctx, lo, hi)
	default:
		return nil, fmt.Errorf("split key %s has no kind", key.Column)
	}
	if err != nil {
		return nil, err
	}
	return Ranges(bounds, key.Nullable), nil
}

// Ranges turns sorted boundaries b1 < b2 < ... into the ranges (-inf, b1),
// [b1, b2), ..., [bk, +inf), plus the NULL range when nullable. No
// boundaries give the whole table as one range (NULL keys included).
func Ranges(bounds []Value, nullable bool) []Range {
	if len(bounds) == 0 {
		return []Range{{}}
	}
	out := make([]Range, 0, len(bounds)+2)
	for i := 0; i <= len(bounds); i++ {
		var r Range
		if i > 0 {
			r.Lo = &bounds[i-1]
		}
		if i < len(bounds) {
			r.Hi = &bounds[i]
		}
		out = append(out, r)
	}
	if nullable {
		out = append(out, Range{Null: true})
	}
	return out
}

func equalValues(k KeyKind, a, b Value) bool {
	switch k {
	case IntKey:
		return a.Int == b.Int
	case UintKey:
		return a.Uint == b.Uint
	}
	return bytes.Equal(a.Bytes, b.Bytes)
}

// PerTable is the number of ranges each table is cut into, DataX's rule:
// ceil(channels / tables) × splitFactor.
func PerTable(channels, tables, splitFactor int) int {
	channels = max(channels, 1)
	tables = max(tables, 1)
	splitFactor = max(splitFactor, 1)
	return (channels + tables - 1) / tables * splitFactor
}
