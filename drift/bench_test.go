package drift_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"datax/drift"
	"datax/extsort"
	"datax/record"
)

// changeBatches returns rows change records of 10,000 orders over D and
// D+1 (2026-11-22, UTC), in log order, in batches of 1024.
func changeBatches(rows int) []*record.Batch {
	r := rand.New(rand.NewPCG(1, 2))
	d0 := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC).UnixMicro()
	step := 2 * 86_400_000_000 / int64(rows)
	var out []*record.Batch
	var b *record.Batch
	for n := 0; n < rows; n++ {
		if b == nil || b.Len() == 1024 {
			b = record.NewBatch(logSchema)
			out = append(out, b)
		}
		mod := d0 + int64(n)*step
		b.Col(0).AppendInt(1 + r.Int64N(int64(max(rows/5, 1))))
		b.Col(1).AppendString([]string{"created", "paid", "finished"}[n%3])
		b.Col(2).AppendInt(mod - r.Int64N(3600_000_000))
		b.Col(3).AppendInt(mod)
		if n%3 == 2 {
			b.Col(4).AppendInt(mod)
		} else {
			b.Col(4).AppendNull()
		}
		b.Col(5).AppendInt(mod)
		b.Col(6).AppendInt(mod + r.Int64N(3_000_000))
		b.Col(7).AppendInt(int64(n))
	}
	return out
}

// discard is a merge.Sink that counts rows.
type discard struct {
	b    *record.Batch
	rows int
}

func (d *discard) Batch() (*record.Batch, error) {
	if d.b == nil {
		d.b = record.NewBatch(logSchema)
	}
	d.b.Reset(logSchema)
	return d.b, nil
}
func (d *discard) Full(b *record.Batch) bool { return b.Len() >= 1024 }
func (d *discard) Send(b *record.Batch) error {
	d.rows += b.Len()
	return nil
}

// BenchmarkDrift is the correction itself (windows, both sorts, Select,
// the join), without reading or writing files: 1,000,000 change records
// over two days, in memory and with a 16 MiB budget that makes the sorts
// spill.
func BenchmarkDrift(b *testing.B) {
	const rows = 1_000_000
	batches := changeBatches(rows)
	for _, c := range []struct {
		name   string
		budget int64
	}{{"memory", 512 << 20}, {"spill16MiB", 16 << 20}} {
		b.Run(c.name, func(b *testing.B) {
			dir := b.TempDir()
			for b.Loop() {
				r := &drift.Rules{Day: "20261122", TimeZone: "UTC", Window: drift.Window{Duration: 15 * time.Minute}, Mode: drift.Correct,
					Key: []string{"order_id"}, LogTime: "log_time", Position: "log_pos", ModifiedTime: "modified_time",
					ProcTime: []string{"order_time", "pay_time", "end_time"}}
				d, err := drift.New(logSchema, r, extsort.Options{MemoryBytes: c.budget, Dir: dir})
				if err != nil {
					b.Fatal(err)
				}
				for _, batch := range batches {
					if err := d.Add(batch); err != nil {
						b.Fatal(err)
					}
				}
				sink := &discard{}
				if _, err := d.Run(sink); err != nil {
					b.Fatal(err)
				}
				d.Close()
				if sink.rows == 0 {
					b.Fatal("no rows")
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
