// Package rowstream is the pull side of record batches: a Stream hands out
// batches one at a time until io.EOF. The external sort produces streams,
// the streaming joins of merge and drift consume them, and Pull turns a
// push-style producer (a reader drained by engine.Drain) into one without
// copying its batches.
package rowstream

import (
	"context"
	"errors"
	"io"
	"sync"

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

// Producer pushes batches to emit until its data ends; emit returns an error
// when the consumer has gone away (the producer must then return it). A
// batch passed to emit may be reused by the producer once emit returns.
type Producer func(ctx context.Context, emit func(*record.Batch) error) error

// ErrClosed is what emit returns after the consumer called Close.
var ErrClosed = errors.New("rowstream: stream closed by its consumer")

// Pull runs produce in its own goroutine and returns a Stream of what it
// emits. Each batch is handed over without a copy: emit waits until the
// consumer has moved past it (called Next again, or Close). The producer's
// error, if any, is returned by Next after the batches emitted before it.
// Close stops the producer early and waits for it; it is safe to call more
// than once and after io.EOF.
func Pull(ctx context.Context, produce Producer) *Puller {
	ctx, cancel := context.WithCancelCause(ctx)
	p := &Puller{
		cancel: cancel,
		batch:  make(chan *record.Batch),
		ack:    make(chan struct{}),
		done:   make(chan struct{}),
	}
	go func() {
		defer close(p.done)
		p.err = produce(ctx, func(b *record.Batch) error {
			if b.Len() == 0 {
				return nil
			}
			select {
			case p.batch <- b:
			case <-ctx.Done():
				return context.Cause(ctx)
			}
			select {
			case <-p.ack:
				return nil
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		})
	}()
	return p
}

// Puller is the Stream returned by Pull.
type Puller struct {
	cancel  context.CancelCauseFunc
	batch   chan *record.Batch
	ack     chan struct{}
	done    chan struct{}
	err     error
	holding bool // the consumer holds a batch the producer waits on
	ended   bool
	once    sync.Once
}

// Next returns the next batch the producer emitted.
func (p *Puller) Next() (*record.Batch, error) {
	if p.ended {
		return nil, p.endErr()
	}
	if p.holding {
		p.holding = false
		p.ack <- struct{}{}
	}
	select {
	case b := <-p.batch:
		p.holding = true
		return b, nil
	case <-p.done:
		p.ended = true
		return nil, p.endErr()
	}
}

func (p *Puller) endErr() error {
	if p.err != nil {
		return p.err
	}
	return io.EOF
}

// Close stops the producer (its emit returns ErrClosed) and waits for it to
// return.
func (p *Puller) Close() {
	p.once.Do(func() {
		p.cancel(ErrClosed)
		<-p.done
		p.ended = true
	})
}

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
