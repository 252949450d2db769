package merge

import (
	"errors"
	"fmt"
	"io"

	"datax/record"
	"datax/rowstream"
	"datax/sortkey"
)

// DeleteMode says what a key's deletes do to its delta row (SPEC.md §5).
type DeleteMode string

// The delete modes.
const (
	// Keep takes the key's last change whatever it is; a delete stays in the
	// delta, flagged deleted.
	Keep DeleteMode = "keep"
	// DropLastDelete takes the change before the last one when the last one
	// is a delete (the key is absent when there is none).
	DropLastDelete DeleteMode = "drop-last-delete"
	// DropDeleteAndBefore drops the key's last delete and every change before
	// it: only the changes after it survive, and the last of them is taken.
	DropDeleteAndBefore DeleteMode = "drop-delete-and-before"
)

// DeleteModes lists the modes, for parameter declarations.
const DeleteModes = "keep,drop-last-delete,drop-delete-and-before"

// Pick says which row of a key's group Select keeps.
type Pick int

const (
	// Last keeps the group's last row, after the delete mode is applied.
	Last Pick = iota
	// First keeps the group's first row (no delete handling).
	First
)

// SelectOptions configure Select.
type SelectOptions struct {
	Pick Pick
	// IsDelete reports whether a row is a delete; nil: none is.
	IsDelete func(b *record.Batch, i int) bool
	// Mode applies with Pick Last; default Keep.
	Mode DeleteMode
	// BatchRows is the size of the output batches (default 1024).
	BatchRows int
}

// Select keeps one row per key from in, which must be sorted by key and,
// within a key, by the order that defines "first" and "last" (for a change
// log: log time, then log position). The result is sorted by key with one
// row per key; it holds copies, so in's batches may be reused.
func Select(in rowstream.Stream, key sortkey.Cols, opts SelectOptions) rowstream.Stream {
	if opts.Mode == "" {
		opts.Mode = Keep
	}
	if opts.BatchRows <= 0 {
		opts.BatchRows = 1024
	}
	return &selector{in: in, key: key, opts: opts}
}

type rowRef struct {
	b *record.Batch
	i int
}

type selector struct {
	in   rowstream.Stream
	key  sortkey.Cols
	opts SelectOptions

	cur        *record.Batch
	i          int
	open       bool
	last, prev rowRef // prev.b == nil: the group has one row so far
	carry      [2]*record.Batch
	ci         int
	out        *record.Batch
	eof        bool
}

func (s *selector) isDelete(r rowRef) bool {
	return s.opts.IsDelete != nil && s.opts.IsDelete(r.b, r.i)
}

// emit appends the row chosen for the open group to out.
func (s *selector) emit() {
	s.open = false
	r := s.last
	if s.opts.Pick == Last && s.isDelete(s.last) {
		switch s.opts.Mode {
		case DropLastDelete:
			r = s.prev
		case DropDeleteAndBefore:
			r = rowRef{}
		}
	}
	if r.b == nil {
		return
	}
	if s.out == nil {
		s.out = record.NewBatch(r.b.Schema())
	}
	s.out.AppendRow(r.b, r.i)
}

// pin copies the open group's rows out of the current input batch before
// the next one replaces it.
func (s *selector) pin() {
	if !s.open {
		return
	}
	s.ci ^= 1
	c := s.carry[s.ci]
	if c == nil {
		c = record.NewBatch(s.cur.Schema())
		s.carry[s.ci] = c
	}
	c.Reset(s.cur.Schema())
	for _, r := range []*rowRef{&s.last, &s.prev} {
		if r.b != nil {
			c.AppendRow(r.b, r.i)
			*r = rowRef{c, c.Len() - 1}
		}
	}
}

func (s *selector) Next() (*record.Batch, error) {
	if s.out != nil {
		s.out.Reset(s.out.Schema())
	}
	for !s.eof && (s.out == nil || s.out.Len() < s.opts.BatchRows) {
		if s.cur == nil || s.i >= s.cur.Len() {
			if s.cur != nil {
				s.pin()
			}
			b, err := s.in.Next()
			if errors.Is(err, io.EOF) {
				s.eof = true
				if s.open {
					s.emit()
				}
				break
			}
			if err != nil {
				return nil, err
			}
			s.cur, s.i = b, 0
			continue
		}
		row := rowRef{s.cur, s.i}
		s.i++
		if s.open && sortkey.Compare(s.key, row.b, row.i, s.key, s.last.b, s.last.i) == 0 {
			if s.opts.Pick == Last {
				s.prev, s.last = s.last, row
			}
			continue
		}
		if s.open {
			s.emit()
		}
		s.open, s.last, s.prev = true, row, rowRef{}
	}
	if s.out == nil || s.out.Len() == 0 {
		return nil, io.EOF
	}
	return s.out, nil
}

// CheckUnique wraps a stream that must be sorted by key with one row per
// key: the first violation fails the stream with an error that names the
// input (what) and the key.
func CheckUnique(in rowstream.Stream, key sortkey.Cols, what string) rowstream.Stream {
	return &uniqueCheck{in: in, key: key, what: what}
}

type uniqueCheck struct {
	in    rowstream.Stream
	key   sortkey.Cols
	what  string
	prev  *record.Batch // the previous batch's last row
	valid bool
}

func (u *uniqueCheck) Next() (*record.Batch, error) {
	b, err := u.in.Next()
	if err != nil {
		return b, err
	}
	for i := 0; i < b.Len(); i++ {
		var c int
		if i == 0 {
			if !u.valid {
				continue
			}
			c = sortkey.Compare(u.key, u.prev, 0, u.key, b, 0)
		} else {
			c = u.key.CompareRows(b, i-1, i)
		}
		if c == 0 {
			return nil, &DuplicateKeyError{What: u.what, Key: u.key.Format(b.Schema(), b, i)}
		}
		if c > 0 {
			prev := u.key.Format(b.Schema(), b, i-1)
			if i == 0 {
				prev = u.key.Format(u.prev.Schema(), u.prev, 0)
			}
			return nil, fmt.Errorf("%s is not sorted by key (%s): %s comes after %s", u.what, keyNames(u.key), u.key.Format(b.Schema(), b, i), prev)
		}
	}
	if b.Len() > 0 {
		if u.prev == nil {
			u.prev = record.NewBatch(b.Schema())
		}
		u.prev.Reset(b.Schema())
		u.prev.AppendRow(b, b.Len()-1)
		u.valid = true
	}
	return b, nil
}

// DuplicateKeyError reports a key that appears twice where keys must be
// unique (a snapshot).
type DuplicateKeyError struct {
	What string
	Key  string
}

func (e *DuplicateKeyError) Error() string {
	return fmt.Sprintf("%s has the key (%s) more than once; a snapshot holds one row per key", e.What, e.Key)
}
