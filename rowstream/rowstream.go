// Package rowstream is the pull side of record batches: a Stream hands out
// batches one at a time until io.EOF. The external sort produces streams,
// and the streaming joins of merge and drift consume them.
package rowstream

import (
	"errors"
	"io"

	"datax/record"
)

// Stream yields batches in order. The batch Next returns is valid until the
// following call to Next (the stream may reuse it); at the end Next returns
// io.EOF, and every later call does too.
type Stream interface {
	Next() (*record.Batch, error)
}

// Slice returns a stream over the given batches, in order.
func Slice(batches ...*record.Batch) Stream { return &slice{batches: batches} }

type slice struct {
	batches []*record.Batch
	i       int
}

func (s *slice) Next() (*record.Batch, error) {
	for s.i < len(s.batches) {
		b := s.batches[s.i]
		s.i++
		if b.Len() > 0 {
			return b, nil
		}
	}
	return nil, io.EOF
}

// Func adapts a function to a Stream.
type Func func() (*record.Batch, error)

// Next calls f.
func (f Func) Next() (*record.Batch, error) { return f() }

// Count drains s and returns the number of rows it held.
func Count(s Stream) (int, error) {
	n := 0
	for {
		b, err := s.Next()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n += b.Len()
	}
}
