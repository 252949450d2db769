package record

import "math"

// Vector holds the values of one column of a batch, unboxed: fixed-width
// kinds in one int64 slice (floats as their IEEE bits, bools as 0/1),
// variable-width kinds (Decimal, String, Bytes) in one byte buffer with
// offsets. Reset keeps the buffers, so a reused vector stops allocating once
// it has seen its largest batch.
type Vector struct {
	kind  Kind
	nulls []bool
	fixed []int64
	offs  []int32 // varlen kinds: value i is data[offs[i]:offs[i+1]]
	data  []byte
	// anyNull is set once a null is appended since the last Reset.
	anyNull bool
}

// NewVector returns an empty vector of kind k.
func NewVector(k Kind) *Vector {
	v := &Vector{}
	v.Reset(k)
	return v
}

// Reset empties the vector and sets its kind, keeping its buffers.
func (v *Vector) Reset(k Kind) {
	v.kind = k
	v.nulls = v.nulls[:0]
	v.fixed = v.fixed[:0]
	v.data = v.data[:0]
	v.offs = append(v.offs[:0], 0)
	v.anyNull = false
}

// Kind returns the vector's kind.
func (v *Vector) Kind() Kind { return v.kind }

// Len returns the number of values.
func (v *Vector) Len() int { return len(v.nulls) }

// HasNulls reports whether any value is null.
func (v *Vector) HasNulls() bool { return v.anyNull }

// IsNull reports whether value i is null.
func (v *Vector) IsNull(i int) bool { return v.nulls[i] }

// AppendNull appends a null value.
func (v *Vector) AppendNull() {
	v.nulls = append(v.nulls, true)
	v.anyNull = true
	if v.kind.varlen() {
		v.offs = append(v.offs, int32(len(v.data)))
	} else {
		v.fixed = append(v.fixed, 0)
	}
}

// AppendInt appends a fixed-width value: an Int, a Date (days), a Time or
// Timestamp (microseconds), or a Bool (0 or 1).
func (v *Vector) AppendInt(x int64) {
	v.nulls = append(v.nulls, false)
	v.fixed = append(v.fixed, x)
}

// AppendUint appends a Uint value.
func (v *Vector) AppendUint(x uint64) { v.AppendInt(int64(x)) }

// AppendFloat appends a Float value.
func (v *Vector) AppendFloat(x float64) { v.AppendInt(int64(math.Float64bits(x))) }

// AppendBool appends a Bool value.
func (v *Vector) AppendBool(b bool) {
	if b {
		v.AppendInt(1)
	} else {
		v.AppendInt(0)
	}
}

// AppendBytes appends a Decimal, String or Bytes value; b is copied.
func (v *Vector) AppendBytes(b []byte) {
	v.nulls = append(v.nulls, false)
	v.data = append(v.data, b...)
	v.offs = append(v.offs, int32(len(v.data)))
}

// AppendString appends a Decimal, String or Bytes value.
func (v *Vector) AppendString(s string) {
	v.nulls = append(v.nulls, false)
	v.data = append(v.data, s...)
	v.offs = append(v.offs, int32(len(v.data)))
}

// Int returns fixed-width value i (see AppendInt).
func (v *Vector) Int(i int) int64 { return v.fixed[i] }

// Uint returns Uint value i.
func (v *Vector) Uint(i int) uint64 { return uint64(v.fixed[i]) }

// Float returns Float value i.
func (v *Vector) Float(i int) float64 { return math.Float64frombits(uint64(v.fixed[i])) }

// Bool returns Bool value i.
func (v *Vector) Bool(i int) bool { return v.fixed[i] != 0 }

// Bytes returns variable-width value i. The slice aliases the vector's buffer:
// it is valid until the vector is reset, and must not be modified.
func (v *Vector) Bytes(i int) []byte { return v.data[v.offs[i]:v.offs[i+1]:v.offs[i+1]] }

// Ints returns the fixed-width values as one slice (nulls hold zero), for
// writers that encode a whole column at once. It aliases the vector.
func (v *Vector) Ints() []int64 { return v.fixed }

// Nulls returns the null flags as one slice. It aliases the vector.
func (v *Vector) Nulls() []bool { return v.nulls }

// Size returns the approximate memory size of the values in bytes: eight per
// fixed-width value, the length of each variable-width value. It is what the
// byte counters and byte speed limits count.
func (v *Vector) Size() int {
	if v.kind.varlen() {
		return len(v.data)
	}
	return 8 * len(v.fixed)
}

// truncate drops values from n on.
func (v *Vector) truncate(n int) {
	if n >= len(v.nulls) {
		return
	}
	v.nulls = v.nulls[:n]
	if v.kind.varlen() {
		v.offs = v.offs[:n+1]
		v.data = v.data[:v.offs[n]]
	} else {
		v.fixed = v.fixed[:n]
	}
	v.anyNull = false
	for _, null := range v.nulls {
		if null {
			v.anyNull = true
			break
		}
	}
}

// AppendFrom appends value i of src, which must have the same kind.
func (v *Vector) AppendFrom(src *Vector, i int) {
	switch {
	case src.nulls[i]:
		v.AppendNull()
	case src.kind.varlen():
		v.AppendBytes(src.Bytes(i))
	default:
		v.AppendInt(src.fixed[i])
	}
}

// AppendRange appends values from, ..., to-1 of src, which must have the
// same kind: one copy per buffer instead of one call per value.
func (v *Vector) AppendRange(src *Vector, from, to int) {
	if from >= to {
		return
	}
	nulls := src.nulls[from:to]
	v.nulls = append(v.nulls, nulls...)
	if src.anyNull && !v.anyNull {
		for _, null := range nulls {
			if null {
				v.anyNull = true
				break
			}
		}
	}
	if !src.kind.varlen() {
		v.fixed = append(v.fixed, src.fixed[from:to]...)
		return
	}
	base := int32(len(v.data)) - src.offs[from]
	v.data = append(v.data, src.data[src.offs[from]:src.offs[to]]...)
	for _, o := range src.offs[from+1 : to+1] {
		v.offs = append(v.offs, o+base)
	}
}
