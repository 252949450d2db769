// Command mergegen writes the inputs of the merge benchmark (bench/merge.sh):
// a snapshot partition of the bench.orders shape (bench/orders.sh's ten
// columns, values deterministic functions of the id), sorted by id as datax
// merge writes it, and a change-log partition of the next day (updates of
// existing orders, inserts of new ones, deletes), in random order as a
// binlog landing would hold it.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"datax/merge"
	"datax/plugin"
	"datax/record"
	"datax/storage"
)

var orders = record.Schema{
	{Name: "id", Kind: record.Int},
	{Name: "user_id", Kind: record.Int},
	{Name: "shop_id", Kind: record.Int},
	{Name: "status", Kind: record.Int},
	{Name: "amount", Kind: record.Decimal, Precision: 12, Scale: 2},
	{Name: "title", Kind: record.String},
	{Name: "note", Kind: record.String},
	{Name: "created_at", Kind: record.Timestamp},
	{Name: "updated_at", Kind: record.Timestamp},
	{Name: "paid_at", Kind: record.Timestamp},
}

var base = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()

// appendOrder appends order id (version v: 0 for the snapshot) to the
// orders columns of b starting at column off.
func appendOrder(b *record.Batch, off int, id, v int64, buf []byte) []byte {
	b.Col(off).AppendInt(id)
	b.Col(off + 1).AppendInt(1 + (id*7919)%500000)
	b.Col(off + 2).AppendInt(1 + id%1000)
	b.Col(off + 3).AppendInt((id + v) % 5)
	cents := (id*37+v*101)%1000000 + 1
	buf = strconv.AppendInt(buf[:0], cents/100, 10)
	buf = append(buf, '.', byte('0'+cents%100/10), byte('0'+cents%10))
	b.Col(off + 4).AppendBytes(buf)
	buf = append(strconv.AppendInt(append(buf[:0], "order "...), id, 10), " of shop "...)
	b.Col(off + 5).AppendBytes(strconv.AppendInt(buf, 1+id%1000, 10))
	if id%3 == 0 {
		b.Col(off + 6).AppendNull()
	} else {
		buf = strconv.AppendInt(append(buf[:0], "deliver to door "...), id%97, 10)
		b.Col(off + 6).AppendBytes(append(buf, ", call before"...))
	}
	b.Col(off + 7).AppendInt(base + id*1_000_000)
	b.Col(off + 8).AppendInt(base + (id+id%86400+v*3600)*1_000_000)
	if id%4 == 0 {
		b.Col(off + 9).AppendNull()
	} else {
		b.Col(off + 9).AppendInt(base + (id+600)*1_000_000)
	}
	return buf
}

func main() {
	out := flag.String("out", "bench-merge", "directory to write into")
	rows := flag.Int64("rows", 10_000_000, "snapshot rows (ids 1..rows)")
	delta := flag.Int64("delta", 1_000_000, "change records: 70% updates, 20% inserts, 10% deletes")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := run(*out, *rows, *delta, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "mergegen:", err)
		os.Exit(1)
	}
}

func run(out string, rows, delta int64, seed uint64) error {
	ctx := context.Background()
	fsys := storage.Local()
	snap := merge.Table{FS: fsys, Path: filepath.Join(out, "ods_orders"), Partition: "dt"}
	w, err := merge.NewPartitionWriter(ctx, snap, "20261121", orders, merge.WriterOptions{}, plugin.Env{})
	if err != nil {
		return err
	}
	sink := w.Sink()
	var buf []byte
	for id := int64(1); id <= rows; {
		b, err := sink.Batch()
		if err != nil {
			return err
		}
		for ; id <= rows && !sink.Full(b); id++ {
			buf = appendOrder(b, 0, id, 0, buf)
		}
		if err := sink.Send(b); err != nil {
			return err
		}
	}
	if err := w.Commit(&merge.Info{SortKey: []string{"id"}, Order: merge.OrderVersion, Day: "20261121"}); err != nil {
		return err
	}

	logSchema := append(record.Schema{{Name: "op", Kind: record.String}, {Name: "log_time", Kind: record.Timestamp}, {Name: "log_pos", Kind: record.Int}}, orders...)
	landing := merge.Table{FS: fsys, Path: filepath.Join(out, "landing"), Partition: "dt"}
	if w, err = merge.NewPartitionWriter(ctx, landing, "20261122", logSchema, merge.WriterOptions{}, plugin.Env{}); err != nil {
		return err
	}
	sink = w.Sink()
	r := rand.New(rand.NewPCG(seed, 2))
	dayStart := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC).UnixMicro()
	for n := int64(0); n < delta; {
		b, err := sink.Batch()
		if err != nil {
			return err
		}
		for ; n < delta && !sink.Full(b); n++ {
			op, id := "U", 1+r.Int64N(rows)
			switch k := r.IntN(10); {
			case k < 2:
				op, id = "I", rows+1+r.Int64N(delta)
			case k < 3:
				op = "D"
			}
			b.Col(0).AppendString(op)
			b.Col(1).AppendInt(dayStart + r.Int64N(86_400_000_000))
			b.Col(2).AppendInt(n)
			buf = appendOrder(b, 3, id, 1+r.Int64N(5), buf)
		}
		if err := sink.Send(b); err != nil {
			return err
		}
	}
	return w.Commit(nil)
}
