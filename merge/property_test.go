package merge

import (
	"cmp"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"datax/extsort"
	"datax/record"
	"datax/rowstream"
)

// The property test: random snapshots and change logs, merged natively and
// by a naive in-memory reference written from SPEC.md §5, must agree for
// every delete mode, both delete treatments, with and without a version
// column, with and without flag columns already in the snapshot, with and
// without a key scan.

// nullVer is a null version in refChange and refRow (some deletes carry
// only the key).
const nullVer = -1

type refChange struct {
	id, ver, t, pos int64
	val             *string
	op              string
}

type refRow struct {
	id, ver int64
	val     *string
	flag    bool
	day     *int64
}

var (
	// The change log's bookkeeping columns come first and between the row's,
	// so that dropping them moves the row's columns.
	propLogSchema = record.Schema{
		{Name: "op", Kind: record.String}, {Name: "t", Kind: record.Timestamp}, {Name: "id", Kind: record.Int},
		{Name: "val", Kind: record.String}, {Name: "pos", Kind: record.Int}, {Name: "ver", Kind: record.Int},
	}
	propSnapSchema     = record.Schema{{Name: "id", Kind: record.Int}, {Name: "val", Kind: record.String}, {Name: "ver", Kind: record.Int}}
	propSnapFlagSchema = append(slices.Clone(propSnapSchema),
		record.Column{Name: DefaultFlagColumn, Kind: record.Bool}, record.Column{Name: DefaultFlagDayColumn, Kind: record.Date})
)

func cmpNullString(a, b *string) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return strings.Compare(*a, *b)
}

// refDelta is the delta by the book: per key the changes ordered by (time,
// position) — then by the remaining columns, as documented — and the mode.
func refDelta(log []refChange, mode DeleteMode) map[int64]refChange {
	by := map[int64][]refChange{}
	for _, c := range log {
		by[c.id] = append(by[c.id], c)
	}
	out := map[int64]refChange{}
	for id, cs := range by {
		slices.SortStableFunc(cs, func(a, b refChange) int {
			return cmp.Or(cmp.Compare(a.t, b.t), cmp.Compare(a.pos, b.pos), strings.Compare(a.op, b.op),
				cmpNullString(a.val, b.val), cmp.Compare(a.ver, b.ver))
		})
		last := cs[len(cs)-1]
		switch {
		case last.op != "D" || mode == Keep:
			out[id] = last
		case mode == DropLastDelete && len(cs) > 1:
			out[id] = cs[len(cs)-2]
		}
	}
	return out
}

// refMerge merges by the book; scan, when not nil, is the set of the
// source's keys (no guard).
func refMerge(snap []refRow, delta map[int64]refChange, deletes Deletes, version bool, day int64, scan map[int64]bool) []refRow {
	s := map[int64]refRow{}
	ids := map[int64]bool{}
	for _, r := range snap {
		s[r.id] = r
		ids[r.id] = true
	}
	for id := range delta {
		ids[id] = true
	}
	var out []refRow
	for _, id := range slices.Sorted(func(yield func(int64) bool) {
		for id := range ids {
			if !yield(id) {
				return
			}
		}
	}) {
		d, inD := delta[id]
		sr, inS := s[id]
		// A version is older when smaller (null smallest), but a delete
		// with a null version is applied.
		older := inD && inS && version && d.ver < sr.ver && !(d.op == "D" && d.ver == nullVer)
		switch {
		case older:
			out = append(out, sr)
		case inD && d.op == "D":
			if deletes == Remove {
				continue
			}
			r := refRow{id: id, val: d.val, ver: d.ver, flag: true, day: &day}
			if inS {
				// What the delete leaves null keeps yesterday's value.
				if r.val == nil {
					r.val = sr.val
				}
				if r.ver == nullVer {
					r.ver = sr.ver
				}
				if sr.flag && sr.day != nil {
					r.day = sr.day
				}
			}
			out = append(out, r)
		case inD:
			out = append(out, refRow{id: id, val: d.val, ver: d.ver})
		case scan != nil && !scan[id] && !sr.flag:
			// Gone from the source: deleted today.
			if deletes == Remove {
				continue
			}
			r := sr
			r.flag, r.day = true, &day
			out = append(out, r)
		case scan != nil && scan[id] && sr.flag:
			// Back at the source: live again, as the snapshot last knew it.
			r := sr
			r.flag, r.day = false, nil
			out = append(out, r)
		default:
			out = append(out, sr)
		}
	}
	return out
}

// randomCase returns a random snapshot of keys below keys (about a share
// of them, some flagged deleted before day when flags) and changes random
// changes of keys below keys+keys/8.
func randomCase(r *rand.Rand, keys, changes int64, day int64, flags bool) ([]refRow, []refChange) {
	vals := []string{"a", "b", "c", "d"}
	randVal := func() *string {
		if r.IntN(5) == 0 {
			return nil
		}
		v := vals[r.IntN(len(vals))]
		return &v
	}
	var snap []refRow
	for id := int64(0); id < keys; id++ {
		if r.IntN(3) > 0 {
			row := refRow{id: id, val: randVal(), ver: r.Int64N(20)}
			if flags && r.IntN(6) == 0 {
				d := day - 1 - r.Int64N(5)
				row.flag, row.day = true, &d
			}
			snap = append(snap, row)
		}
	}
	var log []refChange
	for n := r.Int64N(changes + 1); n > 0; n-- {
		op := []string{"I", "U", "U", "D"}[r.IntN(4)]
		ver := r.Int64N(20)
		if op == "D" && r.IntN(3) == 0 {
			ver = nullVer // a delete that carries only the key
		}
		log = append(log, refChange{id: r.Int64N(keys + keys/8), val: randVal(), ver: ver, op: op, t: r.Int64N(10) * 60_000_000, pos: r.Int64N(5)})
	}
	return snap, log
}

func TestMergeMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(42, 6))
	day := int64(20000)
	iterations := 80
	if testing.Short() {
		iterations = 30
	}
	for it := 0; it < iterations; it++ {
		flags := it%2 == 1
		snap, log := randomCase(r, 60, 200, day, flags)
		snapSchema := propSnapSchema
		if flags {
			snapSchema = propSnapFlagSchema
		}
		snapBatches := snapshotBatches(snap, snapSchema, 1+r.IntN(9))
		logBatches := logBatches(log, 1+r.IntN(13))
		// Every third case has a key scan: most snapshot keys, some new
		// ones (duplicated: a scan may return a key twice).
		var scan []int64
		var scanSet map[int64]bool
		if it%3 == 2 {
			scanSet = map[int64]bool{}
			for id := int64(0); id < 70; id++ {
				if r.IntN(5) > 0 {
					scanSet[id] = true
					scan = append(scan, id)
					if r.IntN(10) == 0 {
						scan = append(scan, id)
					}
				}
			}
		}
		for _, mode := range []DeleteMode{Keep, DropLastDelete, DropDeleteAndBefore} {
			for _, deletes := range []Deletes{Flag, Remove} {
				for _, version := range []bool{false, true} {
					name := fmt.Sprintf("it%d/%s/%s/version=%v/flags=%v/scan=%v", it, mode, deletes, version, flags, scan != nil)
					want := refMerge(snap, refDelta(log, mode), deletes, version, day, scanSet)
					got := nativeMerge(t, logBatches, snapBatches, snapSchema, mode, deletes, version, day, scan)
					if w := renderRef(want, deletes == Flag || flags); got != w {
						t.Fatalf("%s: native merge differs from the reference\nlog: %+v\nnative:\n%s\nreference:\n%s", name, log, got, w)
					}
				}
			}
		}
	}
}

func nativeMerge(t *testing.T, logs []*record.Batch, snaps []*record.Batch, snapSchema record.Schema, mode DeleteMode, deletes Deletes, version bool, day int64, scan []int64) string {
	t.Helper()
	delta, err := NewDelta(propLogSchema, DeltaRules{
		Key: []string{"id"}, Time: "t", Position: "pos", Op: "op",
		Insert: []string{"I"}, Update: []string{"U"}, Delete: []string{"D"}, Mode: mode, Drop: []string{"t", "pos"},
	}, extsort.Options{Dir: t.TempDir(), MemoryBytes: 2 << 10, BatchRows: 7})
	if err != nil {
		t.Fatal(err)
	}
	defer delta.Close()
	for _, b := range logs {
		if err := delta.Add(b); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := delta.Stream()
	if err != nil {
		t.Fatal(err)
	}
	rules := Rules{Key: []string{"id"}, Deletes: deletes, FlagDayColumn: DefaultFlagDayColumn, Day: day}
	if version {
		rules.Version = "ver"
	}
	plan, err := NewPlan(delta.Rows(), delta.Schema(), snapSchema, rules)
	if err != nil {
		t.Fatal(err)
	}
	sink := &MemSink{Schema: plan.Out(), BatchRows: 5}
	var scanIn *Input
	if scan != nil {
		scanIn = keyScanInput(scan, 4)
	}
	if _, err := plan.Run(Input{Schema: propLogSchema, Rows: rows}, delta.IsDelete, Input{Schema: snapSchema, Rows: recycled(snaps)}, scanIn, sink); err != nil {
		t.Fatal(err)
	}
	return renderRows(sink.Batches)
}

// keyScanInput is a key scan of id keys (sorted, duplicates allowed) in
// batches of size rows.
func keyScanInput(ids []int64, size int) *Input {
	ks := record.Schema{{Name: "id", Kind: record.Int}}
	var batches []*record.Batch
	for start := 0; start < len(ids); start += size {
		b := record.NewBatch(ks)
		for _, id := range ids[start:min(len(ids), start+size)] {
			b.Col(0).AppendInt(id)
		}
		batches = append(batches, b)
	}
	return &Input{Schema: ks, Rows: recycled(batches)}
}

func snapshotBatches(rows []refRow, schema record.Schema, size int) []*record.Batch {
	var out []*record.Batch
	for start := 0; start < len(rows); start += size {
		b := record.NewBatch(schema)
		for _, r := range rows[start:min(len(rows), start+size)] {
			b.Col(0).AppendInt(r.id)
			appendNullString(b.Col(1), r.val)
			appendVer(b.Col(2), r.ver)
			if len(schema) > 3 {
				b.Col(3).AppendBool(r.flag)
				if r.day == nil {
					b.Col(4).AppendNull()
				} else {
					b.Col(4).AppendInt(*r.day)
				}
			}
		}
		out = append(out, b)
	}
	return out
}

func logBatches(log []refChange, size int) []*record.Batch {
	var out []*record.Batch
	for start := 0; start < len(log); start += size {
		b := record.NewBatch(propLogSchema)
		for _, c := range log[start:min(len(log), start+size)] {
			b.Col(0).AppendString(c.op)
			b.Col(1).AppendInt(c.t)
			b.Col(2).AppendInt(c.id)
			appendNullString(b.Col(3), c.val)
			b.Col(4).AppendInt(c.pos)
			appendVer(b.Col(5), c.ver)
		}
		out = append(out, b)
	}
	return out
}

func appendVer(v *record.Vector, ver int64) {
	if ver == nullVer {
		v.AppendNull()
	} else {
		v.AppendInt(ver)
	}
}

func appendNullString(v *record.Vector, s *string) {
	if s == nil {
		v.AppendNull()
	} else {
		v.AppendString(*s)
	}
}

func renderRef(rows []refRow, flags bool) string {
	var lines []string
	for _, r := range rows {
		val := "NULL"
		if r.val != nil {
			val = *r.val
		}
		ver := fmt.Sprint(r.ver)
		if r.ver == nullVer {
			ver = "NULL"
		}
		line := fmt.Sprintf("%d|%s|%s", r.id, val, ver)
		if flags {
			d := "NULL"
			if r.flag && r.day != nil {
				d = string(record.AppendDate(nil, *r.day))
			}
			line += fmt.Sprintf("|%v|%s", r.flag, d)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// recycled streams copies of batches through one reused batch, as a
// partition stream does: a row used after the stream moved on is garbage.
func recycled(batches []*record.Batch) rowstream.Stream {
	var cur *record.Batch
	i := 0
	return rowstream.Func(func() (*record.Batch, error) {
		if i == len(batches) {
			return nil, io.EOF
		}
		b := batches[i]
		i++
		if cur == nil {
			cur = record.NewBatch(b.Schema())
		}
		cur.Reset(b.Schema()) // the same buffers: the previous rows are overwritten
		cur.AppendRows(b, 0, b.Len())
		return cur, nil
	})
}
