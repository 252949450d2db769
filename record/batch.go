package record

// Batch is a set of rows held as one Vector per column. Batches, not single
// records, cross a channel; their memory is reused from batch to batch.
type Batch struct {
	schema Schema
	cols   []*Vector
}

// NewBatch returns an empty batch with the given schema.
func NewBatch(s Schema) *Batch {
	b := &Batch{}
	b.Reset(s)
	return b
}

// Reset empties the batch and gives it schema s, reusing its vectors.
func (b *Batch) Reset(s Schema) {
	b.schema = s
	for len(b.cols) < len(s) {
		b.cols = append(b.cols, &Vector{})
	}
	b.cols = b.cols[:len(s)]
	for j, c := range s {
		b.cols[j].Reset(c.Kind)
	}
}

// Schema returns the batch's schema.
func (b *Batch) Schema() Schema { return b.schema }

// Width returns the number of columns.
func (b *Batch) Width() int { return len(b.cols) }

// Col returns the vector of column j.
func (b *Batch) Col(j int) *Vector { return b.cols[j] }

// Len returns the number of complete rows: the length of the shortest column,
// so a row being appended counts only once every column has its value.
func (b *Batch) Len() int {
	if len(b.cols) == 0 {
		return 0
	}
	n := b.cols[0].Len()
	for _, c := range b.cols[1:] {
		if m := c.Len(); m < n {
			n = m
		}
	}
	return n
}

// Size returns the approximate size of the batch's values in bytes (see
// Vector.Size).
func (b *Batch) Size() int {
	n := 0
	for _, c := range b.cols {
		n += c.Size()
	}
	return n
}

// Truncate drops rows from n on; a reader calls it to drop a half-appended
// row that turned out dirty.
func (b *Batch) Truncate(n int) {
	for _, c := range b.cols {
		c.truncate(n)
	}
}

// DeleteRows removes the rows whose indexes are listed (ascending) and keeps
// the others in order.
func (b *Batch) DeleteRows(rows []int) {
	if len(rows) == 0 {
		return
	}
	n := b.Len()
	for _, c := range b.cols {
		tmp := &Vector{}
		tmp.Reset(c.kind)
		k := 0
		for i := 0; i < n; i++ {
			if k < len(rows) && rows[k] == i {
				k++
				continue
			}
			tmp.AppendFrom(c, i)
		}
		*c = *tmp
	}
}

// AppendRows appends rows from, ..., to-1 of src, which must have the same
// kinds, column by column (see Vector.AppendRange).
func (b *Batch) AppendRows(src *Batch, from, to int) {
	for j, c := range b.cols {
		c.AppendRange(src.cols[j], from, to)
	}
}

// AppendRow appends row i of src, which must have the same kinds.
func (b *Batch) AppendRow(src *Batch, i int) {
	for j, c := range b.cols {
		c.AppendFrom(src.cols[j], i)
	}
}

// SetView makes b a view over vectors owned elsewhere: schema s, column j
// held by cols[j]. A view is read and passed on, never Reset or appended to:
// its vectors belong to their owner.
func (b *Batch) SetView(s Schema, cols []*Vector) {
	b.schema = s
	b.cols = append(b.cols[:0], cols...)
}
