package merge

import (
	"io"
	"testing"

	"datax/extsort"
	"datax/record"
	"datax/rowstream"
)

// discard is a Sink that counts rows and reuses one batch.
type discard struct {
	b    *record.Batch
	rows int
}

func (d *discard) Batch() (*record.Batch, error) { d.b.Reset(d.b.Schema()); return d.b, nil }
func (d *discard) Full(b *record.Batch) bool     { return b.Len() >= 4096 }
func (d *discard) Send(b *record.Batch) error    { d.rows += b.Len(); return nil }

// BenchmarkMergeJoin measures the delta build and the streaming join on
// generated rows (no file I/O): a snapshot of b.N rows, a change log of
// b.N/10 records. bench/merge.sh measures the whole command on Parquet.
func BenchmarkMergeJoin(b *testing.B) {
	snapSchema := record.Schema{{Name: "id", Kind: record.Int}, {Name: "val", Kind: record.String}, {Name: "ver", Kind: record.Int}}
	n := int64(b.N)
	next := int64(0)
	snap := rowstream.Func(func() (*record.Batch, error) {
		if next >= n {
			return nil, io.EOF
		}
		bt := record.NewBatch(snapSchema)
		for ; next < n && bt.Len() < 4096; next++ {
			bt.Col(0).AppendInt(next)
			bt.Col(1).AppendString("some value of a row")
			bt.Col(2).AppendInt(1)
		}
		return bt, nil
	})
	delta, err := NewDelta(propLogSchema, DeltaRules{Key: []string{"id"}, Time: "t", Position: "pos", Op: "op",
		Insert: []string{"I"}, Update: []string{"U"}, Delete: []string{"D"}, Drop: []string{"t", "pos"}},
		extsort.Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer delta.Close()
	var log []refChange
	for i := int64(0); i < n/10; i++ {
		v := "changed"
		log = append(log, refChange{id: (i * 7919) % (n + n/20), val: &v, ver: 2, op: []string{"U", "I", "D"}[i%3], t: i, pos: i})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for _, bt := range logBatches(log, 4096) {
		if err := delta.Add(bt); err != nil {
			b.Fatal(err)
		}
	}
	rows, err := delta.Stream()
	if err != nil {
		b.Fatal(err)
	}
	plan, err := NewPlan(delta.Rows(), delta.Schema(), snapSchema, Rules{Key: []string{"id"}, Version: "ver"})
	if err != nil {
		b.Fatal(err)
	}
	sink := &discard{b: record.NewBatch(plan.Out())}
	if _, err := plan.Run(Input{Schema: propLogSchema, Rows: rows}, delta.IsDelete, Input{Schema: snapSchema, Rows: snap}, nil, sink); err != nil {
		b.Fatal(err)
	}
	if sink.rows < b.N {
		b.Fatalf("%d rows out of a %d-row snapshot", sink.rows, b.N)
	}
}
