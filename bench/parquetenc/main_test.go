package main

import (
	"os"
	"testing"

	"datax/fileformat/parquet"
)

// BenchmarkEncoders encodes the benchmark rows with each library; compare
// the rows/s metrics of one run (go test -bench Encoders ./bench/parquetenc).
func BenchmarkEncoders(b *testing.B) {
	const rows = 200_000
	for _, lib := range parquet.Libraries {
		b.Run(lib, func(b *testing.B) {
			for b.Loop() {
				if _, err := encode(lib, rows, os.DevNull, 0); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// The generated rows are what bench/orders.sh puts in bench.orders, and
// both encoders accept them.
func TestEncode(t *testing.T) {
	for _, lib := range parquet.Libraries {
		if n, err := encode(lib, 5000, t.TempDir()+"/x.parquet", 0); err != nil || n == 0 {
			t.Fatalf("%s: %d bytes, %v", lib, n, err)
		}
	}
}
