package merge

import (
	"errors"
	"io"
	"strings"

	"datax/record"
	"datax/rowstream"
	"datax/sortkey"
)

// Row is one row of a join side: row I of batch B, or no row (B nil).
type Row struct {
	B *record.Batch
	I int
}

// Ok reports whether the side has a row.
func (r Row) Ok() bool { return r.B != nil }

// cursor walks a key-sorted stream row by row.
type cursor struct {
	in  rowstream.Stream
	key sortkey.Cols
	b   *record.Batch
	i   int
	eof bool
	err error
}

func newCursor(in rowstream.Stream, key sortkey.Cols) *cursor {
	c := &cursor{in: in, key: key, i: -1}
	c.advance()
	return c
}

// advance moves to the next row (fetching the next batch when needed).
func (c *cursor) advance() {
	if c.eof {
		return
	}
	c.i++
	for c.b == nil || c.i >= c.b.Len() {
		b, err := c.in.Next()
		if err != nil {
			c.eof, c.b = true, nil
			if !errors.Is(err, io.EOF) {
				c.err = err
			}
			return
		}
		c.b, c.i = b, 0
	}
}

func (c *cursor) row() Row {
	if c.eof {
		return Row{}
	}
	return Row{c.b, c.i}
}

// FullOuter walks two streams sorted by their keys (sortkey order, one row
// per key on each side: wrap an input in CheckUnique when that is not
// certain) in step, one key at a time: Next returns the left and the right
// row of the next key, either of which may be absent. The rows stay valid
// until the following call of Next.
type FullOuter struct {
	l, r         *cursor
	lPend, rPend bool // the side's row was returned and must be passed
}

// NewFullOuter joins left (keyed by lk) and right (keyed by rk); the keys
// must be Comparable.
func NewFullOuter(left rowstream.Stream, lk sortkey.Cols, right rowstream.Stream, rk sortkey.Cols) *FullOuter {
	return &FullOuter{l: newCursor(left, lk), r: newCursor(right, rk)}
}

// Next returns the rows of the next key, or io.EOF when both sides ended
// (or an input's error).
func (j *FullOuter) Next() (left, right Row, err error) {
	if j.lPend {
		j.l.advance()
		j.lPend = false
	}
	if j.rPend {
		j.r.advance()
		j.rPend = false
	}
	if err := errors.Join(j.l.err, j.r.err); err != nil {
		return Row{}, Row{}, err
	}
	lr, rr := j.l.row(), j.r.row()
	switch {
	case !lr.Ok() && !rr.Ok():
		return Row{}, Row{}, io.EOF
	case !rr.Ok():
		j.lPend = true
		return lr, Row{}, nil
	case !lr.Ok():
		j.rPend = true
		return Row{}, rr, nil
	}
	switch c := sortkey.Compare(j.l.key, lr.B, lr.I, j.r.key, rr.B, rr.I); {
	case c < 0:
		j.lPend = true
		return lr, Row{}, nil
	case c > 0:
		j.rPend = true
		return Row{}, rr, nil
	}
	j.lPend, j.rPend = true, true
	return lr, rr, nil
}

// Side names a join side.
type Side int

// The sides.
const (
	Left Side = iota
	Right
)

// Rule decides which side's row a key present on both sides keeps: the
// pluggable "who wins" of a merge (the delta, the larger version, the
// drifted record).
type Rule func(left, right Row) Side

// RightWins is the Rule of a plain overwrite: the right side always wins.
func RightWins(Row, Row) Side { return Right }

// Projection copies rows of one schema into another by column name; output
// columns the input lacks become null, skipped ones are left to the caller.
type Projection struct {
	src []int // per output column: input column, -1 (null) or skip
}

const skip = -2

// NewProjection maps the columns of in to those of out by name.
func NewProjection(out, in record.Schema) *Projection {
	p := &Projection{src: make([]int, len(out))}
	for j, c := range out {
		p.src[j] = in.Index(c.Name)
	}
	return p
}

// Skip returns a copy of p that leaves the output columns cols alone, for
// the caller to fill.
func (p *Projection) Skip(cols ...int) *Projection {
	q := &Projection{src: append([]int(nil), p.src...)}
	for _, j := range cols {
		if j >= 0 {
			q.src[j] = skip
		}
	}
	return q
}

// Append appends row i of b to out.
func (p *Projection) Append(out *record.Batch, b *record.Batch, i int) {
	for j, s := range p.src {
		switch {
		case s >= 0:
			out.Col(j).AppendFrom(b.Col(s), i)
		case s == -1:
			out.Col(j).AppendNull()
		}
	}
}

func keyNames(k sortkey.Cols) string { return strings.Join(k.Names(), ", ") }

// Combine walks j and sends one row per key to sink: the row of the only
// side that has the key, or, where both have it, the side rule picks. lp
// and rp map each side's rows to the sink's schema. It returns the rows
// sent. (The snapshot merge has its own decisions — deletes, flags, the key
// scan — in Plan.Run; drift's "the drifted record wins" is Combine with
// RightWins.)
func Combine(j *FullOuter, rule Rule, lp, rp *Projection, sink Sink) (int64, error) {
	var out *record.Batch
	var n int64
	for {
		l, r, err := j.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, err
		}
		if out == nil {
			if out, err = sink.Batch(); err != nil {
				return n, err
			}
		}
		if l.Ok() && (!r.Ok() || rule(l, r) == Left) {
			lp.Append(out, l.B, l.I)
		} else {
			rp.Append(out, r.B, r.I)
		}
		n++
		if sink.Full(out) {
			b := out
			out = nil
			if err := sink.Send(b); err != nil {
				return n, err
			}
		}
	}
	if out != nil {
		return n, sink.Send(out)
	}
	return n, nil
}
