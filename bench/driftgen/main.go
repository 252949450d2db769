// Command driftgen writes the input of the drift benchmark (bench/drift.sh):
// the change log of an orders table over two days, D = 2026-11-22 and D+1,
// landed as Parquet partitions dt=20261122 and dt=20261123 by log time, in
// log order as a binlog landing holds it. Changes are spread evenly over
// the two days (from half an hour before D, so that D's partition holds late
// logs of D−1); the log lags the row's modified_time by up to a few seconds,
// one change in a hundred by up to 20 minutes (late logs across midnight),
// and one in fifty is stamped up to a minute after its business time
// (changes that drift over midnight). Values are deterministic functions of
// the change number and the seed.
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

var logSchema = record.Schema{
	{Name: "order_id", Kind: record.Int},
	{Name: "user_id", Kind: record.Int},
	{Name: "status", Kind: record.String},
	{Name: "amount", Kind: record.Decimal, Precision: 12, Scale: 2},
	{Name: "note", Kind: record.String},
	{Name: "order_time", Kind: record.Timestamp},
	{Name: "pay_time", Kind: record.Timestamp},
	{Name: "end_time", Kind: record.Timestamp},
	{Name: "modified_time", Kind: record.Timestamp},
	{Name: "log_time", Kind: record.Timestamp},
	{Name: "log_pos", Kind: record.Int},
}

var statuses = []string{"created", "paid", "shipped", "finished", "cancelled"}

func main() {
	out := flag.String("out", "bench-drift", "directory to write into (the log goes to <out>/log/dt=...)")
	rows := flag.Int64("rows", 5_000_000, "change records from D−1 23:30 to the end of D+1 (those logged on D−1 are left out)")
	orders := flag.Int64("orders", 1_000_000, "distinct orders changed")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := run(*out, *rows, *orders, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "driftgen:", err)
		os.Exit(1)
	}
}

const second = int64(1_000_000)

func run(out string, rows, orders int64, seed uint64) error {
	ctx := context.Background()
	tbl := merge.Table{FS: storage.Local(), Path: filepath.Join(out, "log"), Partition: "dt"}
	d0 := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC).UnixMicro()
	days := []string{"20261122", "20261123"}
	var writers []*merge.PartitionWriter
	var sinks []merge.Sink
	var batches []*record.Batch
	for _, day := range days {
		w, err := merge.NewPartitionWriter(ctx, tbl, day, logSchema, merge.WriterOptions{}, plugin.Env{})
		if err != nil {
			return err
		}
		writers = append(writers, w)
		sinks = append(sinks, w.Sink())
		batches = append(batches, nil)
	}
	r := rand.New(rand.NewPCG(seed, 7))
	from := d0 - 1800*second
	step := (2*86_400*second + d0 - from) / rows
	var buf []byte
	for n := int64(0); n < rows; n++ {
		modified := from + n*step
		lag := r.Int64N(3 * second)
		if r.IntN(100) == 0 {
			lag = r.Int64N(20 * 60 * second)
		}
		logTime := modified + lag
		p := int((logTime - d0) / (86_400 * second))
		if logTime < d0 || p >= len(days) {
			continue // logged on D−1 or after D+1: not in these partitions
		}
		if batches[p] == nil {
			b, err := sinks[p].Batch()
			if err != nil {
				return err
			}
			batches[p] = b
		}
		b := batches[p]
		id := 1 + r.Int64N(orders)
		st := r.IntN(len(statuses))
		business := modified
		if r.IntN(50) == 0 {
			business = modified - r.Int64N(60*second) // the row was stamped after the business event
		}
		b.Col(0).AppendInt(id)
		b.Col(1).AppendInt(1 + (id*7919)%500000)
		b.Col(2).AppendString(statuses[st])
		cents := (id*37+n)%1000000 + 1
		buf = strconv.AppendInt(buf[:0], cents/100, 10)
		buf = append(buf, '.', byte('0'+cents%100/10), byte('0'+cents%10))
		b.Col(3).AppendBytes(buf)
		if id%3 == 0 {
			b.Col(4).AppendNull()
		} else {
			buf = strconv.AppendInt(append(buf[:0], "deliver to door "...), id%97, 10)
			b.Col(4).AppendBytes(append(buf, ", call before"...))
		}
		// Ordered some hours before the change (or at it, for a new order);
		// paid and finished at the business time when the status says so.
		if st == 0 {
			b.Col(5).AppendInt(business)
		} else {
			b.Col(5).AppendInt(business - r.Int64N(6*3600*second))
		}
		if st >= 1 && st <= 3 {
			b.Col(6).AppendInt(business)
		} else {
			b.Col(6).AppendNull()
		}
		if st >= 3 {
			b.Col(7).AppendInt(business)
		} else {
			b.Col(7).AppendNull()
		}
		b.Col(8).AppendInt(modified)
		b.Col(9).AppendInt(logTime)
		b.Col(10).AppendInt(n)
		if sinks[p].Full(b) {
			if err := sinks[p].Send(b); err != nil {
				return err
			}
			batches[p] = nil
		}
	}
	for p, w := range writers {
		if b := batches[p]; b != nil {
			if err := sinks[p].Send(b); err != nil {
				return err
			}
		}
		if err := w.Commit(nil); err != nil {
			return err
		}
	}
	return nil
}
