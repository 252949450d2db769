// Command parquetenc compares the Parquet encoders on the same generated
// records: ROWS rows of the 10 columns of bench.orders (BIGINT id, user_id,
// INT shop_id, TINYINT status, DECIMAL(12,2) amount, STRING title, nullable
// STRING note, three TIMESTAMPs, paid_at nullable), snappy, encoded by the
// chosen library into a file. It prints
// "<lib> <rows/s> rows/s (<rows> rows, <bytes> bytes, <seconds>s)".
// Peak memory is measured around it by bench/warehouse.sh (/usr/bin/time).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"datax/fileformat"
	"datax/fileformat/parquet"
	"datax/record"
)

func main() {
	lib := flag.String("lib", parquet.LibParquetGo, "encoder: parquet-go or xitongsys")
	rows := flag.Int("rows", 2_000_000, "rows to encode")
	out := flag.String("out", os.DevNull, "output file")
	rowGroup := flag.Int64("rowgroup", 0, "row group budget in bytes (0: the encoder's default)")
	flag.Parse()
	start := time.Now()
	n, err := encode(*lib, *rows, *out, *rowGroup)
	if err != nil {
		fmt.Fprintln(os.Stderr, "parquetenc:", err)
		os.Exit(1)
	}
	el := time.Since(start)
	fmt.Printf("%s %.0f rows/s (%d rows, %d bytes, %.3fs)\n", *lib, float64(*rows)/el.Seconds(), *rows, n, el.Seconds())
}

// Columns returns the file columns of the benchmark table.
func Columns() []fileformat.Column {
	types := []struct{ name, typ string }{
		{"id", "BIGINT"}, {"user_id", "BIGINT"}, {"shop_id", "INT"}, {"status", "TINYINT"}, {"amount", "DECIMAL(12,2)"},
		{"title", "STRING"}, {"note", "STRING"}, {"created_at", "TIMESTAMP"}, {"updated_at", "TIMESTAMP"}, {"paid_at", "TIMESTAMP"},
	}
	cols := make([]fileformat.Column, len(types))
	for i, t := range types {
		c, err := fileformat.ParseType(t.typ)
		if err != nil {
			panic(err)
		}
		c.Name = t.name
		cols[i] = c
	}
	return cols
}

// Fill resets b and appends n rows starting at id, with the values
// bench/orders.sh puts in bench.orders.
func Fill(b *record.Batch, schema record.Schema, id int64, n int) {
	b.Reset(schema)
	var buf []byte
	const base = int64(1767225600) * record.MicrosPerSecond // 2026-01-01 00:00:00
	for k := int64(0); k < int64(n); k++ {
		seq := id + k
		b.Col(0).AppendInt(seq)
		b.Col(1).AppendInt(1 + (seq*7919)%500000)
		b.Col(2).AppendInt(1 + seq%1000)
		b.Col(3).AppendInt(seq % 5)
		cents := seq * 37 % 1000000
		buf = strconv.AppendInt(buf[:0], cents/100, 10)
		buf = append(buf, '.', byte('0'+cents%100/10), byte('0'+cents%10))
		b.Col(4).AppendBytes(buf)
		buf = append(strconv.AppendInt(append(buf[:0], "order "...), seq, 10), " of shop "...)
		b.Col(5).AppendBytes(strconv.AppendInt(buf, 1+seq%1000, 10))
		if seq%3 == 0 {
			b.Col(6).AppendNull()
		} else {
			buf = strconv.AppendInt(append(buf[:0], "deliver to door "...), seq%97, 10)
			b.Col(6).AppendBytes(append(buf, ", call before"...))
		}
		b.Col(7).AppendInt(base + seq*record.MicrosPerSecond)
		b.Col(8).AppendInt(base + (seq+seq%86400)*record.MicrosPerSecond)
		if seq%4 == 0 {
			b.Col(9).AppendNull()
		} else {
			b.Col(9).AppendInt(base + (seq+600)*record.MicrosPerSecond)
		}
	}
}

// encode writes rows rows with lib into the file out and returns its size.
func encode(lib string, rows int, out string, rowGroup int64) (int64, error) {
	f, err := os.Create(out)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	cw := &countingWriter{w: bufio.NewWriterSize(f, 1<<20)}
	cols := Columns()
	enc, err := parquet.NewEncoder(cw, cols, parquet.Options{Library: lib, Compression: "snappy", RowGroupBytes: rowGroup})
	if err != nil {
		return 0, err
	}
	schema := fileformat.Records(cols)
	b := record.NewBatch(schema)
	reject := func(row int, err error) error { return err }
	for id := 1; id <= rows; id += 1024 {
		Fill(b, schema, int64(id), min(1024, rows-id+1))
		if _, err := enc.Write(b, reject); err != nil {
			return 0, err
		}
	}
	if err := enc.Close(); err != nil {
		return 0, err
	}
	return cw.n, cw.w.Flush()
}

type countingWriter struct {
	w *bufio.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
