// Package parquet writes and reads Parquet files for the warehouse, with the
// logical types other engines expect: DECIMAL(p,s) (INT32 up to precision 9,
// INT64 up to 18, FIXED_LEN_BYTE_ARRAY above), TIMESTAMP(MICROS), DATE,
// STRING, signed and unsigned INT(8/16/32/64), BOOLEAN, FLOAT, DOUBLE and
// BYTE_ARRAY for binary; nullable columns are OPTIONAL.
//
// Timestamps are written with isAdjustedToUTC=false: a MySQL DATETIME is a
// wall-clock value without a zone, and the record carries that wall clock
// (as if it were UTC). Spark reads such a column as TIMESTAMP_NTZ, DuckDB as
// TIMESTAMP, Trino as timestamp(6): every engine shows the same wall-clock
// value whatever its session time zone (isAdjustedToUTC=true would make Spark
// shift it by the session zone).
//
// Two encoders sit behind fileformat.Encoder: parquet-go/parquet-go (the
// default, column-wise from the record vectors) and xitongsys/parquet-go
// (selectable; see bench/ for the comparison). Row groups are cut at a
// byte budget of the uncompressed values (default 128 MiB), which bounds the
// memory a writer holds, since a row group is buffered until it is flushed.
package parquet

import (
	"fmt"
	"io"
	"math/big"
	"strings"

	"datax/fileformat"
)

// Options configure an encoder.
type Options struct {
	// Compression is snappy (default), gzip, zstd or none.
	Compression string
	// RowGroupBytes is the uncompressed size of values after which a row
	// group is flushed (default 128 MiB).
	RowGroupBytes int64
	// Library is the encoder: "parquet-go" (default) or "xitongsys".
	Library string
}

// Libraries lists the encoders.
var Libraries = []string{LibParquetGo, LibXitongsys}

// Encoder libraries.
const (
	LibParquetGo = "parquet-go"
	LibXitongsys = "xitongsys"
)

// DefaultRowGroupBytes is the default row group budget.
const DefaultRowGroupBytes = 128 << 20

// NewEncoder returns an encoder writing one Parquet file with columns cols
// to w.
func NewEncoder(w io.Writer, cols []fileformat.Column, opts Options) (fileformat.Encoder, error) {
	if opts.RowGroupBytes <= 0 {
		opts.RowGroupBytes = DefaultRowGroupBytes
	}
	opts.Compression = strings.ToLower(opts.Compression)
	if opts.Compression == "" {
		opts.Compression = "snappy"
	}
	for _, c := range cols {
		if c.Kind == 0 {
			return nil, fmt.Errorf("column %s has no type", c.Name)
		}
	}
	switch strings.ToLower(opts.Library) {
	case "", LibParquetGo:
		return newPGoEncoder(w, cols, opts)
	case LibXitongsys:
		return newXEncoder(w, cols, opts)
	}
	return nil, fmt.Errorf("parquet encoder %q: expected %s", opts.Library, strings.Join(Libraries, " or "))
}

// decimalPhysical returns the physical type of a decimal of precision p:
// "INT32", "INT64" or "FIXED_LEN_BYTE_ARRAY" with its length in bytes.
func decimalPhysical(p int) (string, int) {
	switch {
	case p <= 9:
		return "INT32", 4
	case p <= 18:
		return "INT64", 8
	}
	// Smallest n with 10^p - 1 < 2^(8n-1).
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(p)), nil)
	limit.Sub(limit, big.NewInt(1))
	n := 1
	for limit.BitLen() > 8*n-1 {
		n++
	}
	return "FIXED_LEN_BYTE_ARRAY", n
}
