package parquet

import (
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"

	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"

	"datax/fileformat"
	"datax/record"
)

// fileColumn is a column of a Parquet file and how to read its values.
type fileColumn struct {
	fileformat.Column
	phys    pq.Kind
	tsUnit  int64 // timestamp: units per microsecond (negative: microseconds per unit)
	decimal bool
}

// Inspect returns the columns of a Parquet file (a flat schema: every
// top-level field a primitive) as record columns, with the Parquet logical
// types mapped back: DECIMAL(p,s), TIMESTAMP, DATE, STRING, INT(n, signed),
// BOOLEAN, FLOAT/DOUBLE, binary; INT96 timestamps (Hive, old Spark) as
// TIMESTAMP.
func Inspect(r io.ReaderAt, size int64) ([]fileformat.Column, error) {
	f, err := pq.OpenFile(r, size, pq.SkipPageIndex(true), pq.SkipBloomFilters(true))
	if err != nil {
		return nil, fmt.Errorf("not a readable Parquet file: %w", err)
	}
	cols, err := fileColumns(f)
	if err != nil {
		return nil, err
	}
	out := make([]fileformat.Column, len(cols))
	for i, c := range cols {
		out[i] = c.Column
	}
	return out, nil
}

func fileColumns(f *pq.File) ([]fileColumn, error) {
	var cols []fileColumn
	for _, field := range f.Schema().Fields() {
		if !field.Leaf() || field.Repeated() {
			return nil, fmt.Errorf("column %s is nested or repeated; only flat Parquet schemas can be read", field.Name())
		}
		c, err := columnOf(field.Name(), field.Type(), !field.Optional())
		if err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, nil
}

func columnOf(name string, t pq.Type, required bool) (fileColumn, error) {
	c := fileColumn{phys: t.Kind()}
	c.Name, c.NotNull = name, required
	lt := t.LogicalType()
	ct := t.ConvertedType()
	var lv format.LogicalTypeValue
	if lt != nil {
		lv = lt.Value
	}
	conv := func(want deprecated.ConvertedType) bool { return ct != nil && *ct == want }
	set := func(k record.Kind, typ string, bits int) { c.Kind, c.Type, c.Bits = k, typ, bits }
	switch x := lv.(type) {
	case *format.DecimalType:
		c.decimal = true
		c.Precision, c.Scale = int(x.Precision), int(x.Scale)
		set(record.Decimal, fmt.Sprintf("DECIMAL(%d,%d)", x.Precision, x.Scale), 0)
		return c, nil
	case *format.TimestampType:
		set(record.Timestamp, "TIMESTAMP", 0)
		switch x.Unit.Value.Duration() {
		case time.Millisecond:
			c.tsUnit = -1000
		case time.Nanosecond:
			c.tsUnit = 1000
		default:
			c.tsUnit = 1
		}
		return c, nil
	case *format.DateType:
		set(record.Date, "DATE", 0)
		return c, nil
	case *format.StringType, *format.EnumType, *format.JsonType:
		set(record.String, "STRING", 0)
		return c, nil
	case *format.IntType:
		bits := int(x.BitWidth)
		typ := map[int]string{8: "TINYINT", 16: "SMALLINT", 32: "INT", 64: "BIGINT"}[bits]
		if x.IsSigned {
			set(record.Int, typ, bits)
		} else {
			set(record.Uint, typ+" UNSIGNED", bits)
		}
		return c, nil
	}
	switch {
	case conv(deprecated.Decimal):
		return c, fmt.Errorf("column %s: a DECIMAL without a logical type annotation cannot be read", name)
	case conv(deprecated.UTF8), conv(deprecated.Enum), conv(deprecated.Json):
		set(record.String, "STRING", 0)
		return c, nil
	case conv(deprecated.Date):
		set(record.Date, "DATE", 0)
		return c, nil
	case conv(deprecated.TimestampMicros):
		c.tsUnit = 1
		set(record.Timestamp, "TIMESTAMP", 0)
		return c, nil
	case conv(deprecated.TimestampMillis):
		c.tsUnit = -1000
		set(record.Timestamp, "TIMESTAMP", 0)
		return c, nil
	}
	switch t.Kind() {
	case pq.Boolean:
		set(record.Bool, "BOOLEAN", 0)
	case pq.Int32:
		set(record.Int, "INT", 32)
	case pq.Int64:
		set(record.Int, "BIGINT", 64)
	case pq.Int96:
		set(record.Timestamp, "TIMESTAMP", 0)
	case pq.Float:
		set(record.Float, "FLOAT", 32)
	case pq.Double:
		set(record.Float, "DOUBLE", 64)
	case pq.ByteArray, pq.FixedLenByteArray:
		set(record.Bytes, "BINARY", 0)
	default:
		return c, fmt.Errorf("column %s: Parquet type %s is not supported", name, t)
	}
	return c, nil
}

// Decoder reads selected columns of a Parquet file, row group by row group,
// page by page.
type Decoder struct {
	f      *pq.File
	cols   []fileColumn // selected
	sel    []int
	schema record.Schema
	rg     int
	left   int64 // rows left in the current row group
	pages  []pq.Pages
	vr     []pq.ValueReader
	page   []pq.Page
	buf    []pq.Value
	big    big.Int
	text   []byte
}

// NewDecoder opens a Parquet file for reading the columns at the given
// indexes of Inspect's list (nil: all).
func NewDecoder(r io.ReaderAt, size int64, sel []int) (*Decoder, error) {
	f, err := pq.OpenFile(r, size, pq.SkipPageIndex(true), pq.SkipBloomFilters(true))
	if err != nil {
		return nil, fmt.Errorf("not a readable Parquet file: %w", err)
	}
	all, err := fileColumns(f)
	if err != nil {
		return nil, err
	}
	if sel == nil {
		for i := range all {
			sel = append(sel, i)
		}
	}
	d := &Decoder{f: f, sel: sel, rg: -1, buf: make([]pq.Value, 512)}
	for _, i := range sel {
		if i < 0 || i >= len(all) {
			return nil, fmt.Errorf("column index %d: the file has %d columns (0 to %d)", i, len(all), len(all)-1)
		}
		d.cols = append(d.cols, all[i])
		d.schema = append(d.schema, all[i].Column.Column)
	}
	return d, nil
}

// Schema returns the record schema of the selected columns.
func (d *Decoder) Schema() record.Schema { return d.schema }

// Rows returns the number of rows in the file.
func (d *Decoder) Rows() int64 { return d.f.NumRows() }

func (d *Decoder) closePages() {
	for j := range d.pages {
		if d.page[j] != nil {
			pq.Release(d.page[j])
			d.page[j] = nil
		}
		if d.pages[j] != nil {
			d.pages[j].Close()
		}
	}
}

func (d *Decoder) nextRowGroup() bool {
	d.closePages()
	groups := d.f.RowGroups()
	for {
		d.rg++
		if d.rg >= len(groups) {
			return false
		}
		rg := groups[d.rg]
		d.left = rg.NumRows()
		if d.left == 0 {
			continue
		}
		chunks := rg.ColumnChunks()
		d.pages = d.pages[:0]
		d.vr = make([]pq.ValueReader, len(d.sel))
		d.page = make([]pq.Page, len(d.sel))
		for _, i := range d.sel {
			d.pages = append(d.pages, chunks[i].Pages())
		}
		return true
	}
}

// readColumn reads exactly len(buf) values of selected column j.
func (d *Decoder) readColumn(j int, buf []pq.Value) error {
	for len(buf) > 0 {
		if d.vr[j] == nil {
			if d.page[j] != nil {
				pq.Release(d.page[j])
			}
			p, err := d.pages[j].ReadPage()
			if err != nil {
				if errors.Is(err, io.EOF) {
					return fmt.Errorf("column %s: row group %d ends early", d.cols[j].Name, d.rg)
				}
				return fmt.Errorf("column %s: %w", d.cols[j].Name, err)
			}
			d.page[j] = p
			d.vr[j] = p.Values()
		}
		n, err := d.vr[j].ReadValues(buf)
		buf = buf[n:]
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return fmt.Errorf("column %s: %w", d.cols[j].Name, err)
			}
			d.vr[j] = nil
		}
	}
	return nil
}

// Read appends rows to b until full reports true or the file ends (io.EOF).
func (d *Decoder) Read(b *record.Batch, full func(*record.Batch) bool, reject func([]byte, error) error) error {
	for !full(b) {
		if d.left == 0 && !d.nextRowGroup() {
			return io.EOF
		}
		k := int(min(d.left, int64(len(d.buf)), 256))
		start := b.Len()
		for j := range d.cols {
			if err := d.readColumn(j, d.buf[:k]); err != nil {
				b.Truncate(start)
				return err
			}
			v := b.Col(j)
			for _, val := range d.buf[:k] {
				if err := d.append(v, j, val); err != nil {
					b.Truncate(start)
					return err
				}
			}
		}
		d.left -= int64(k)
	}
	return nil
}

func (d *Decoder) append(v *record.Vector, j int, val pq.Value) error {
	if val.IsNull() {
		v.AppendNull()
		return nil
	}
	c := &d.cols[j]
	switch c.Kind {
	case record.Int:
		if c.phys == pq.Int32 {
			v.AppendInt(int64(val.Int32()))
		} else {
			v.AppendInt(val.Int64())
		}
	case record.Uint:
		if c.phys == pq.Int32 {
			v.AppendUint(uint64(uint32(val.Int32())))
		} else {
			v.AppendUint(uint64(val.Int64()))
		}
	case record.Float:
		if c.phys == pq.Float {
			v.AppendFloat(float64(val.Float()))
		} else {
			v.AppendFloat(val.Double())
		}
	case record.Bool:
		v.AppendBool(val.Boolean())
	case record.Date:
		v.AppendInt(int64(val.Int32()))
	case record.Timestamp:
		if c.phys == pq.Int96 {
			t := val.Int96()
			nanos := int64(t[1])<<32 | int64(t[0])
			days := int64(t[2]) - 2440588 // Julian day of 1970-01-01
			v.AppendInt(days*record.MicrosPerDay + nanos/1000)
			return nil
		}
		x := val.Int64()
		switch {
		case c.tsUnit > 1:
			x /= c.tsUnit
		case c.tsUnit < 0:
			x *= -c.tsUnit
		}
		v.AppendInt(x)
	case record.Decimal:
		switch c.phys {
		case pq.Int32:
			d.text = record.AppendDecimalInt64(d.text[:0], int64(val.Int32()), c.Scale)
		case pq.Int64:
			d.text = record.AppendDecimalInt64(d.text[:0], val.Int64(), c.Scale)
		default:
			if b := val.ByteArray(); len(b) <= 8 {
				d.text = record.AppendDecimalInt64(d.text[:0], twosComplement64(b), c.Scale)
			} else {
				setTwosComplement(&d.big, b)
				d.text = record.AppendDecimalFromUnscaled(d.text[:0], &d.big, c.Scale)
			}
		}
		v.AppendBytes(d.text)
	case record.String, record.Bytes:
		v.AppendBytes(val.ByteArray())
	default:
		return fmt.Errorf("column %s: cannot read kind %s", c.Name, c.Kind)
	}
	return nil
}

// twosComplement64 reads a big-endian two's complement integer of at most 8
// bytes.
func twosComplement64(b []byte) int64 {
	var x int64
	if len(b) > 0 && b[0]&0x80 != 0 {
		x = -1
	}
	for _, c := range b {
		x = x<<8 | int64(c)
	}
	return x
}

// setTwosComplement sets z to the big-endian two's complement integer b.
func setTwosComplement(z *big.Int, b []byte) {
	z.SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		z.Sub(z, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
}

// Close releases the decoder's pages.
func (d *Decoder) Close() error {
	d.closePages()
	return nil
}
