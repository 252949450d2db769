package record

import (
	"fmt"
	"slices"
)

// Conformer brings batches of one schema to another, column by column in
// order: columns whose kinds already agree pass through without a copy, the
// others are converted value by value. Rows with a value that cannot be
// converted are removed and reported, so they can become dirty records.
//
// A Conformer is used by one goroutine; the batch it returns is valid until
// its next call.
type Conformer struct {
	src, dst Schema
	convs    []ConvertFunc // nil: column passes through
	own      []*Vector
	out      Batch
	bad      []int
}

// NewConformer prepares the conversion of batches with schema src into
// schema dst. The two must have the same number of columns; a pair of kinds
// that can never convert is an error naming the column.
func NewConformer(src, dst Schema) (*Conformer, error) {
	if len(src) != len(dst) {
		return nil, fmt.Errorf("the source has %d columns and the target %d; they must match one to one", len(src), len(dst))
	}
	c := &Conformer{src: src, dst: dst, convs: make([]ConvertFunc, len(dst)), own: make([]*Vector, len(dst))}
	for j := range dst {
		if passThrough(src[j], dst[j]) {
			continue
		}
		conv, err := NewConverter(src[j], dst[j])
		if err != nil {
			return nil, err
		}
		c.convs[j] = conv
		c.own[j] = NewVector(dst[j].Kind)
	}
	c.out.schema = dst
	c.out.cols = make([]*Vector, len(dst))
	return c, nil
}

// passThrough reports whether values of src need no work to become dst
// (except the NOT NULL check, done per batch).
func passThrough(src, dst Column) bool {
	if src.Kind != dst.Kind {
		return false
	}
	if dst.Kind == Decimal && dst.Precision > 0 {
		return src.Precision > 0 && src.Scale == dst.Scale && src.Precision-src.Scale <= dst.Precision-dst.Scale
	}
	return true
}

// Identity reports whether every column passes through.
func (c *Conformer) Identity() bool {
	for _, f := range c.convs {
		if f != nil {
			return false
		}
	}
	return true
}

// Conform returns in as a batch of the target schema. Rows that fail are
// removed; reject is called for each with its index in in and the reason.
func (c *Conformer) Conform(in *Batch, reject func(row int, reason error)) *Batch {
	n := in.Len()
	c.bad = c.bad[:0]
	for j, conv := range c.convs {
		src := in.cols[j]
		if conv == nil {
			c.out.cols[j] = src
			if c.dst[j].NotNull && src.HasNulls() {
				for i := 0; i < n; i++ {
					if src.IsNull(i) {
						c.markBad(i, fmt.Errorf("column %s: null in a NOT NULL column", c.dst[j].Name), reject)
					}
				}
			}
			continue
		}
		dst := c.own[j]
		dst.Reset(c.dst[j].Kind)
		for i := 0; i < n; i++ {
			if err := conv(dst, src, i); err != nil {
				dst.truncate(i)
				dst.AppendNull()
				c.markBad(i, err, reject)
			}
		}
		c.out.cols[j] = dst
	}
	if len(c.bad) > 0 {
		slices.Sort(c.bad)
		c.out.DeleteRows(c.bad)
	}
	return &c.out
}

func (c *Conformer) markBad(i int, err error, reject func(int, error)) {
	for _, b := range c.bad {
		if b == i {
			return // one reason per row is enough
		}
	}
	c.bad = append(c.bad, i)
	reject(i, err)
}
