// Package fileformat is what the file encoders and decoders share: the
// column types a warehouse file declares (Hive's names: BIGINT, DECIMAL(p,s),
// TIMESTAMP, BINARY, ...), their mapping to record kinds, the checks a value
// must pass to fit a narrower type, and the two small interfaces every format
// implements (Encoder, Decoder). The formats live in sub-packages:
// fileformat/parquet and fileformat/text.
package fileformat

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"datax/record"
)

// Encoder writes batches into one file. It is used by one goroutine.
type Encoder interface {
	// Write encodes the rows of b. A row that cannot be encoded (a value out
	// of its column type's range) is passed to reject with the reason and
	// left out; an error from reject stops the write and is returned. It
	// returns the number of rows written.
	Write(b *record.Batch, reject func(row int, reason error) error) (int, error)
	// Close finishes the file (footer, compressor) without closing the
	// underlying writer.
	Close() error
}

// Decoder reads the rows of one file.
type Decoder interface {
	// Schema is the schema of the batches Read fills.
	Schema() record.Schema
	// Read appends rows to b (which has Schema) until b is full or the file
	// ends; full reports whether b reached the batch size. At the end of the
	// file it returns io.EOF (possibly with rows appended). A row that cannot
	// be decoded is passed to reject with its raw text, and skipped.
	Read(b *record.Batch, full func(*record.Batch) bool, reject func(raw []byte, reason error) error) error
	// Close releases the decoder (not the underlying file).
	Close() error
}

// Column is a file column: a record column with the file type that holds it.
type Column struct {
	record.Column
	// Type is the declared type in Hive's spelling, upper case, e.g.
	// "BIGINT", "DECIMAL(38,10)", "VARCHAR(20)", "BIGINT UNSIGNED".
	Type string
	// Bits is the width of an integer column (8, 16, 32, 64) or of a float
	// column (32 FLOAT, 64 DOUBLE).
	Bits int
}

var typePattern = regexp.MustCompile(`^([A-Za-z_ ]+?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*(unsigned)?$`)

// ParseType parses a column type: Hive's TINYINT, SMALLINT, INT, BIGINT (each
// optionally UNSIGNED), FLOAT, DOUBLE, DECIMAL(p,s), STRING, VARCHAR(n),
// CHAR(n), BOOLEAN, DATE, TIMESTAMP, BINARY; and DataX's long, double,
// string, boolean/bool, date, bytes. Case does not matter.
func ParseType(name string) (Column, error) {
	m := typePattern.FindStringSubmatch(strings.TrimSpace(name))
	if m == nil {
		return Column{}, fmt.Errorf("type %q: expected one of %s", name, TypeNames)
	}
	base := strings.ToUpper(strings.Join(strings.Fields(m[1]), " "))
	unsigned := m[4] != ""
	if strings.HasSuffix(base, " UNSIGNED") {
		base, unsigned = strings.TrimSuffix(base, " UNSIGNED"), true
	}
	var args []int
	for _, a := range m[2:4] {
		if a != "" {
			n, err := strconv.Atoi(a)
			if err != nil {
				return Column{}, fmt.Errorf("type %q: %q is not a number", name, a)
			}
			args = append(args, n)
		}
	}
	c := Column{Type: base}
	intType := func(bits int) error {
		c.Kind, c.Bits = record.Int, bits
		if unsigned {
			c.Kind = record.Uint
			c.Type += " UNSIGNED"
		}
		return nil
	}
	var err error
	switch base {
	case "TINYINT":
		err = intType(8)
	case "SMALLINT":
		err = intType(16)
	case "INT", "INTEGER":
		c.Type = "INT"
		err = intType(32)
	case "BIGINT", "LONG":
		c.Type = "BIGINT"
		err = intType(64)
	case "FLOAT":
		c.Kind, c.Bits = record.Float, 32
	case "DOUBLE":
		c.Kind, c.Bits = record.Float, 64
	case "DECIMAL", "NUMERIC":
		c.Kind, c.Precision, c.Scale = record.Decimal, 10, 0 // Hive's default
		if len(args) > 0 {
			c.Precision = args[0]
		}
		if len(args) > 1 {
			c.Scale = args[1]
		}
		if c.Precision < 1 || c.Precision > 38 || c.Scale < 0 || c.Scale > c.Precision {
			return Column{}, fmt.Errorf("type %q: DECIMAL(p,s) needs 1 ≤ p ≤ 38 and 0 ≤ s ≤ p", name)
		}
		c.Type = fmt.Sprintf("DECIMAL(%d,%d)", c.Precision, c.Scale)
	case "STRING", "VARCHAR", "CHAR":
		c.Kind = record.String
		if len(args) > 0 {
			c.Type = fmt.Sprintf("%s(%d)", base, args[0])
		}
	case "BOOLEAN", "BOOL":
		c.Kind, c.Type = record.Bool, "BOOLEAN"
	case "DATE":
		c.Kind = record.Date
	case "TIMESTAMP", "DATETIME":
		c.Kind, c.Type = record.Timestamp, "TIMESTAMP"
	case "BINARY", "BYTES":
		c.Kind, c.Type = record.Bytes, "BINARY"
	default:
		return Column{}, fmt.Errorf("type %q: expected one of %s", name, TypeNames)
	}
	if unsigned && c.Kind != record.Int && c.Kind != record.Uint {
		return Column{}, fmt.Errorf("type %q: only integer types can be UNSIGNED", name)
	}
	if len(args) > 0 && c.Kind != record.Decimal && c.Kind != record.String {
		return Column{}, fmt.Errorf("type %q: %s takes no (...) arguments", name, base)
	}
	return c, err
}

// TypeNames lists the accepted types for messages.
const TypeNames = "TINYINT, SMALLINT, INT, BIGINT (optionally UNSIGNED), FLOAT, DOUBLE, DECIMAL(p,s), STRING, VARCHAR(n), CHAR(n), BOOLEAN, DATE, TIMESTAMP, BINARY (DataX's long, double, string, boolean, date, bytes also work)"

// FromSource returns the file column that holds a source column without
// loss: BIGINT, BIGINT UNSIGNED, DOUBLE, DECIMAL(p,s) with the source's
// precision, STRING, BINARY, BOOLEAN, DATE, TIMESTAMP; a time of day (which
// Hive cannot hold) becomes STRING.
func FromSource(src record.Column) (Column, error) {
	c := Column{Column: src}
	c.NotNull = false
	switch src.Kind {
	case record.Int:
		c.Type, c.Bits = "BIGINT", 64
	case record.Uint:
		c.Type, c.Bits = "BIGINT UNSIGNED", 64
	case record.Float:
		c.Type, c.Bits = "DOUBLE", 64
	case record.Decimal:
		if src.Precision <= 0 || src.Precision > 38 {
			return c, fmt.Errorf("column %s is a decimal without a precision of 1 to 38 (%d); declare its type, e.g. DECIMAL(38,10)", src.Name, src.Precision)
		}
		c.Type = fmt.Sprintf("DECIMAL(%d,%d)", src.Precision, src.Scale)
	case record.String:
		c.Type = "STRING"
	case record.Time:
		c.Kind, c.Type, c.Scale = record.String, "STRING", 0
	case record.Bytes:
		c.Type = "BINARY"
	case record.Bool:
		c.Type = "BOOLEAN"
	case record.Date:
		c.Type = "DATE"
	case record.Timestamp:
		c.Type = "TIMESTAMP"
	default:
		return c, fmt.Errorf("column %s has kind %s, which no file type holds", src.Name, src.Kind)
	}
	if c.Kind != record.Decimal {
		c.Precision = 0
	}
	if c.Kind != record.Timestamp && c.Kind != record.Decimal {
		c.Scale = 0
	}
	return c, nil
}

// Records returns the record schema of file columns.
func Records(cols []Column) record.Schema {
	s := make(record.Schema, len(cols))
	for i, c := range cols {
		s[i] = c.Column
	}
	return s
}

// ErrRange is wrapped by the errors of CheckRow.
var ErrRange = errors.New("the value does not fit the column's type")

// Narrow reports whether a column needs CheckValue (an integer narrower than
// 64 bits, or FLOAT).
func (c *Column) Narrow() bool {
	return (c.Kind == record.Int || c.Kind == record.Uint || c.Kind == record.Float) && c.Bits > 0 && c.Bits < 64
}

// CheckValue reports whether non-null value i of v fits the column's type
// (integers in their width, doubles exact as FLOAT).
func (c *Column) CheckValue(v *record.Vector, i int) error {
	switch c.Kind {
	case record.Int:
		x := v.Int(i)
		lim := int64(1) << (c.Bits - 1)
		if x < -lim || x >= lim {
			return fmt.Errorf("column %s: %d does not fit %s: %w", c.Name, x, c.Type, ErrRange)
		}
	case record.Uint:
		if x := v.Uint(i); x >= uint64(1)<<c.Bits {
			return fmt.Errorf("column %s: %d does not fit %s: %w", c.Name, x, c.Type, ErrRange)
		}
	case record.Float:
		if f := v.Float(i); !fitsFloat32(f) {
			return fmt.Errorf("column %s: %v has more digits than a FLOAT holds (declare DOUBLE): %w", c.Name, f, ErrRange)
		}
	}
	return nil
}

// fitsFloat32 reports whether f survives as a FLOAT: exactly (a value that
// came from a FLOAT), or with the same shortest decimal form at single
// precision (0.1 stays 0.1, as a double it is no more exact), the same rule
// by which decimal text becomes a double. 32.333333333 does not: a FLOAT
// shows 32.333332.
func fitsFloat32(f float64) bool {
	if float64(float32(f)) == f || math.IsNaN(f) || math.IsInf(f, 0) {
		return true
	}
	if math.Abs(f) > math.MaxFloat32 {
		return false
	}
	return strconv.FormatFloat(f, 'g', -1, 64) == strconv.FormatFloat(float64(float32(f)), 'g', -1, 32)
}

// BadRows checks every narrow column of b and returns the rows that do not
// fit (ascending), after passing each to reject. An error from reject is
// returned.
func BadRows(cols []Column, b *record.Batch, reject func(int, error) error, bad []int) ([]int, error) {
	bad = bad[:0]
	n := b.Len()
	for j := range cols {
		c := &cols[j]
		if !c.Narrow() {
			continue
		}
		v := b.Col(j)
		for i := 0; i < n; i++ {
			if v.IsNull(i) {
				continue
			}
			if err := c.CheckValue(v, i); err != nil {
				if slices.Contains(bad, i) {
					continue
				}
				bad = append(bad, i)
				if rerr := reject(i, err); rerr != nil {
					return bad, rerr
				}
			}
		}
	}
	slices.Sort(bad)
	return bad, nil
}
