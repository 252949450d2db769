package parquet

import (
	"fmt"
	"io"
	"math/big"
	"reflect"

	"github.com/klauspost/compress/s2"
	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/format"

	"datax/fileformat"
	"datax/record"
)

// orderedGroup is a group node whose fields keep the declared order
// (parquet.Group sorts them by name, and a warehouse table's column order
// matters to readers that go by position).
type orderedGroup struct {
	pq.Group
	fields []pq.Field
}

func (g orderedGroup) Fields() []pq.Field          { return g.fields }
func (g orderedGroup) String() string              { return "group" }
func (g orderedGroup) GoType() reflect.Type        { return reflect.TypeFor[map[string]any]() }
func (g orderedGroup) Compression() compress.Codec { return nil }

type namedField struct {
	pq.Node
	name string
}

func (f namedField) Name() string                           { return f.name }
func (f namedField) Value(base reflect.Value) reflect.Value { return reflect.Value{} }

// leafNode returns the parquet-go node of one column.
func leafNode(c fileformat.Column) (pq.Node, error) {
	var n pq.Node
	switch c.Kind {
	case record.Int:
		switch c.Bits {
		case 8, 16:
			n = pq.Int(c.Bits)
		case 32:
			n = pq.Leaf(pq.Int32Type)
		default:
			n = pq.Leaf(pq.Int64Type)
		}
	case record.Uint:
		bits := c.Bits
		if bits == 0 {
			bits = 64
		}
		n = pq.Uint(bits)
	case record.Float:
		if c.Bits == 32 {
			n = pq.Leaf(pq.FloatType)
		} else {
			n = pq.Leaf(pq.DoubleType)
		}
	case record.Decimal:
		if c.Precision < 1 || c.Precision > 38 {
			return nil, fmt.Errorf("column %s: DECIMAL precision %d is not within 1 to 38", c.Name, c.Precision)
		}
		switch phys, size := decimalPhysical(c.Precision); phys {
		case "INT32":
			n = pq.Decimal(c.Scale, c.Precision, pq.Int32Type)
		case "INT64":
			n = pq.Decimal(c.Scale, c.Precision, pq.Int64Type)
		default:
			n = pq.Decimal(c.Scale, c.Precision, pq.FixedLenByteArrayType(size))
		}
	case record.String:
		n = pq.String()
	case record.Bytes:
		n = pq.Leaf(pq.ByteArrayType)
	case record.Bool:
		n = pq.Leaf(pq.BooleanType)
	case record.Date:
		n = pq.Date()
	case record.Timestamp:
		n = pq.TimestampAdjusted(pq.Microsecond, false)
	default:
		return nil, fmt.Errorf("column %s: kind %s has no Parquet type", c.Name, c.Kind)
	}
	if !c.NotNull {
		n = pq.Optional(n)
	}
	return n, nil
}

// Schema returns the parquet-go schema of cols, in their order.
func Schema(cols []fileformat.Column) (*pq.Schema, error) {
	g := orderedGroup{Group: pq.Group{}}
	for _, c := range cols {
		n, err := leafNode(c)
		if err != nil {
			return nil, err
		}
		g.fields = append(g.fields, namedField{n, c.Name})
	}
	return pq.NewSchema("schema", g), nil
}

func codec(name string) (compress.Codec, error) {
	switch name {
	case "snappy":
		return fastSnappy{}, nil
	case "gzip":
		return &pq.Gzip, nil
	case "zstd":
		return &pq.Zstd, nil
	case "none", "uncompressed":
		return &pq.Uncompressed, nil
	}
	return nil, fmt.Errorf("parquet compression %q: expected snappy, gzip, zstd or none", name)
}

// fastSnappy is Parquet's SNAPPY codec with the fast block encoder of
// klauspost/compress/s2 (standard snappy output); parquet-go's own codec uses
// the slower "better" mode, which cost a quarter of the encoding time.
type fastSnappy struct{}

func (fastSnappy) String() string                            { return "SNAPPY" }
func (fastSnappy) CompressionCodec() format.CompressionCodec { return format.Snappy }
func (fastSnappy) Encode(dst, src []byte) ([]byte, error) {
	return s2.EncodeSnappy(dst[:cap(dst)], src), nil
}
func (fastSnappy) Decode(dst, src []byte) ([]byte, error) { return s2.Decode(dst[:cap(dst)], src) }

// pgoEncoder writes with parquet-go/parquet-go, one column at a time from
// the record vectors: no row is ever materialised.
type pgoEncoder struct {
	w      *pq.Writer
	cols   []fileformat.Column
	sizes  []int // FIXED_LEN_BYTE_ARRAY length of decimal columns
	limit  int64
	inRG   int64
	vals   []pq.Value
	arena  []byte // FLBA decimal bytes of the current column
	bad    []int
	bigTmp big.Int
}

func newPGoEncoder(out io.Writer, cols []fileformat.Column, opts Options) (*pgoEncoder, error) {
	schema, err := Schema(cols)
	if err != nil {
		return nil, err
	}
	cc, err := codec(opts.Compression)
	if err != nil {
		return nil, err
	}
	e := &pgoEncoder{cols: cols, sizes: make([]int, len(cols)), limit: opts.RowGroupBytes}
	for j, c := range cols {
		if c.Kind == record.Decimal {
			if phys, size := decimalPhysical(c.Precision); phys == "FIXED_LEN_BYTE_ARRAY" {
				e.sizes[j] = size
			}
		}
	}
	e.w = pq.NewWriter(out, schema, pq.Compression(cc), pq.CreatedBy("datax", "", ""),
		pq.PageBufferSize(1<<20), pq.WriteBufferSize(1<<20), pq.MaxRowsPerRowGroup(1<<40))
	return e, nil
}

func (e *pgoEncoder) Write(b *record.Batch, reject func(int, error) error) (int, error) {
	bad, err := fileformat.BadRows(e.cols, b, reject, e.bad)
	e.bad = bad
	if err != nil {
		return 0, err
	}
	n := b.Len()
	writers := e.w.ColumnWriters()
	for j := range e.cols {
		vals, err := e.columnValues(j, b.Col(j), n, bad)
		if err != nil {
			return 0, err
		}
		if _, err := writers[j].WriteRowValues(vals); err != nil {
			return 0, err
		}
	}
	e.inRG += int64(b.Size())
	if e.inRG >= e.limit {
		e.inRG = 0
		if err := e.w.Flush(); err != nil {
			return 0, err
		}
	}
	return n - len(bad), nil
}

// Physical classes of the hot path in columnValues.
const (
	classInt32 = iota
	classInt64
	classBytes
	classOther
)

func physicalClass(c *fileformat.Column) int {
	switch {
	case (c.Kind == record.Int || c.Kind == record.Uint) && c.Bits > 0 && c.Bits <= 32, c.Kind == record.Date:
		return classInt32
	case c.Kind == record.Int || c.Kind == record.Uint || c.Kind == record.Timestamp:
		return classInt64
	case c.Kind == record.String || c.Kind == record.Bytes:
		return classBytes
	}
	return classOther
}

// columnValues returns the Parquet values of column j's rows (bad rows
// left out). It is the hot path: values are built unboxed from the
// vector's slices, with the inlinable level setters.
func (e *pgoEncoder) columnValues(j int, v *record.Vector, n int, bad []int) ([]pq.Value, error) {
	c := &e.cols[j]
	class := physicalClass(c)
	vals, k := e.vals[:0], 0
	e.arena = e.arena[:0]
	def := 1
	if c.NotNull {
		def = 0
	}
	var null pq.Value
	null.SetColumnIndex(j)
	nulls, ints := v.Nulls(), v.Ints()
	for i := 0; i < n; i++ {
		if k < len(bad) && bad[k] == i {
			k++
			continue
		}
		if nulls[i] {
			vals = append(vals, null)
			continue
		}
		var x pq.Value
		switch class {
		case classInt32:
			x = pq.Int32Value(int32(ints[i]))
		case classInt64:
			x = pq.Int64Value(ints[i])
		case classBytes:
			x = pq.ByteArrayValue(v.Bytes(i))
		default:
			var err error
			if x, err = e.value(j, v, i); err != nil {
				return nil, err
			}
		}
		x.SetDefinitionLevel(def)
		x.SetColumnIndex(j)
		vals = append(vals, x)
	}
	e.vals = vals
	return vals, nil
}

func (e *pgoEncoder) value(j int, v *record.Vector, i int) (pq.Value, error) {
	c := &e.cols[j]
	switch c.Kind {
	case record.Int:
		if c.Bits > 0 && c.Bits <= 32 {
			return pq.Int32Value(int32(v.Int(i))), nil
		}
		return pq.Int64Value(v.Int(i)), nil
	case record.Uint:
		if c.Bits > 0 && c.Bits <= 32 {
			return pq.Int32Value(int32(uint32(v.Uint(i)))), nil
		}
		return pq.Int64Value(int64(v.Uint(i))), nil
	case record.Float:
		if c.Bits == 32 {
			return pq.FloatValue(float32(v.Float(i))), nil
		}
		return pq.DoubleValue(v.Float(i)), nil
	case record.Decimal:
		text := v.Bytes(i)
		if size := e.sizes[j]; size > 0 {
			start := len(e.arena)
			var err error
			e.arena, err = appendFLBA(e.arena, text, c.Scale, size, &e.bigTmp)
			if err != nil {
				return pq.Value{}, fmt.Errorf("column %s: %w", c.Name, err)
			}
			return pq.FixedLenByteArrayValue(e.arena[start:len(e.arena):len(e.arena)]), nil
		}
		u, ok := record.DecimalUnscaled(text, c.Scale)
		if !ok {
			return pq.Value{}, fmt.Errorf("column %s: %s does not fit DECIMAL(%d,%d)", c.Name, text, c.Precision, c.Scale)
		}
		if c.Precision <= 9 {
			return pq.Int32Value(int32(u)), nil
		}
		return pq.Int64Value(u), nil
	case record.String, record.Bytes:
		return pq.ByteArrayValue(v.Bytes(i)), nil
	case record.Bool:
		return pq.BooleanValue(v.Bool(i)), nil
	case record.Date:
		return pq.Int32Value(int32(v.Int(i))), nil
	case record.Timestamp:
		return pq.Int64Value(v.Int(i)), nil
	}
	return pq.Value{}, fmt.Errorf("column %s: kind %s has no Parquet type", c.Name, c.Kind)
}

// appendFLBA appends the decimal text at scale as a size-byte big-endian
// two's complement integer (the unscaled value).
func appendFLBA(dst, text []byte, scale, size int, tmp *big.Int) ([]byte, error) {
	start := len(dst)
	for k := 0; k < size; k++ {
		dst = append(dst, 0)
	}
	out := dst[start:]
	if u, ok := record.DecimalUnscaled(text, scale); ok {
		x := uint64(u)
		fill := byte(0)
		if u < 0 {
			fill = 0xff
		}
		for k := size - 1; k >= 0; k-- {
			if k >= size-8 {
				out[k] = byte(x)
				x >>= 8
			} else {
				out[k] = fill
			}
		}
		return dst, nil
	}
	if _, err := record.DecimalBig(tmp, text, scale); err != nil {
		return dst[:start], err
	}
	if tmp.Sign() >= 0 {
		if tmp.BitLen() > 8*size-1 {
			return dst[:start], fmt.Errorf("%s does not fit %d bytes", text, size)
		}
		tmp.FillBytes(out)
		return dst, nil
	}
	// Two's complement: 2^(8 size) + x.
	mod := new(big.Int).Lsh(big.NewInt(1), uint(8*size))
	tmp.Add(tmp, mod)
	if tmp.Sign() < 0 || tmp.BitLen() > 8*size || tmp.Bit(8*size-1) == 0 {
		return dst[:start], fmt.Errorf("%s does not fit %d bytes", text, size)
	}
	tmp.FillBytes(out)
	return dst, nil
}

func (e *pgoEncoder) Close() error { return e.w.Close() }
