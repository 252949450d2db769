// Package channel is the in-memory pipe between one reader task and one
// writer task: a bounded queue of record batches with backpressure, batch
// memory recycled between the two sides, a job-wide speed limit shared by
// every pipe, and the counters that feed progress lines and the summary.
//
// A reader task fills batches from Sender.Batch and hands them over with
// Sender.Send; the writer task takes them with Receiver.Next. Data never
// touches disk between the two.
package channel

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"datax/record"
)

// Defaults for batch sizes and the queue length.
const (
	DefaultBatchRows  = 1024
	DefaultBatchBytes = 1 << 20
	DefaultCapacity   = 4
)

// ErrDirtyLimit is returned by Reject once the job's error limit is exceeded.
// The task stops; it is never retried, because the records are bad, not the
// connection.
var ErrDirtyLimit = errors.New("dirty record limit exceeded")

// Rejecter receives dirty records: rows that cannot be read, converted or
// written. The engine implements it (a dirty-record file and the error
// limits). row is an index into b; when b is nil, raw holds what was read.
type Rejecter interface {
	Reject(b *record.Batch, row int, raw []byte, reason error) error
}

// Counters are a pipe's running totals. All fields are updated atomically.
type Counters struct {
	Records atomic.Int64 // records sent by the reader
	Bytes   atomic.Int64 // their size (record.Batch.Size)
	// ReadFailed counts dirty records the reader rejected (not in Records);
	// WriteFailed those rejected on the writer's side (part of Records).
	ReadFailed, WriteFailed atomic.Int64
	// Filtered counts records a transformer left out on purpose (dx_filter).
	Filtered atomic.Int64
	// SendWait is how long the reader waited for the writer (queue full, or
	// the speed limit); NextWait how long the writer waited for the reader.
	SendWait, NextWait atomic.Int64 // nanoseconds
}

// Options tune a pipe; zero values take the defaults.
type Options struct {
	BatchRows, BatchBytes, Capacity int
	Limiter                         *Limiter
	Rejecter                        Rejecter
}

// Pipe connects one reader task to one writer task.
type Pipe struct {
	opts     Options
	full     chan *record.Batch
	free     chan *record.Batch
	done     chan struct{} // closed by Sender.Close
	closeErr error
	once     sync.Once
	Counters Counters
}

// New returns a pipe.
func New(opts Options) *Pipe {
	if opts.BatchRows <= 0 {
		opts.BatchRows = DefaultBatchRows
	}
	if opts.BatchBytes <= 0 {
		opts.BatchBytes = DefaultBatchBytes
	}
	if opts.Capacity <= 0 {
		opts.Capacity = DefaultCapacity
	}
	p := &Pipe{
		opts: opts,
		full: make(chan *record.Batch, opts.Capacity),
		free: make(chan *record.Batch, opts.Capacity+2),
		done: make(chan struct{}),
	}
	for i := 0; i < opts.Capacity+2; i++ {
		p.free <- &record.Batch{}
	}
	return p
}

// Sender returns the reader's end.
func (p *Pipe) Sender() *Sender { return &Sender{p: p} }

// Stage transforms a batch on its way to the writer (a transformer, the
// conversion to the writer's schema). It calls drop for each row it leaves
// out: with a reason, the row is a dirty record; with nil, it was filtered
// out on purpose. The batch it returns may be in itself.
type Stage func(in *record.Batch, drop func(row int, reason error)) *record.Batch

// Receiver returns the writer's end. Every batch passes through the stages,
// in order, before Next returns it.
func (p *Pipe) Receiver(stages ...Stage) *Receiver {
	return &Receiver{p: p, stages: stages}
}

// Sender is the reader task's end of a pipe.
type Sender struct {
	p *Pipe
}

// Batch returns an empty batch with schema s to fill, waiting while every
// batch is in flight (backpressure). Fill it until Full, then Send it.
func (s *Sender) Batch(ctx context.Context, schema record.Schema) (*record.Batch, error) {
	select {
	case b := <-s.p.free:
		b.Reset(schema)
		return b, nil
	default:
	}
	start := time.Now()
	defer func() { s.p.Counters.SendWait.Add(int64(time.Since(start))) }()
	select {
	case b := <-s.p.free:
		b.Reset(schema)
		return b, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// Full reports whether b has reached the pipe's batch size.
func (s *Sender) Full(b *record.Batch) bool {
	if b.Width() == 0 {
		return false
	}
	n := b.Col(0).Len() // cheaper than b.Len(); Full is asked between rows

	return n >= s.p.opts.BatchRows || (n&63 == 0 && b.Size() >= s.p.opts.BatchBytes)
}

// Send hands b to the writer. It waits for the speed limit and for room in the
// queue; b must not be used afterwards. An empty batch is recycled.
func (s *Sender) Send(ctx context.Context, b *record.Batch) error {
	n := b.Len()
	if n == 0 {
		s.p.free <- b
		return nil
	}
	size := b.Size()
	if lim := s.p.opts.Limiter; lim != nil {
		start := time.Now()
		if err := lim.Wait(ctx, n, size); err != nil {
			s.p.free <- b
			return err
		}
		s.p.Counters.SendWait.Add(int64(time.Since(start)))
	}
	s.p.Counters.Records.Add(int64(n))
	s.p.Counters.Bytes.Add(int64(size))
	select {
	case s.p.full <- b:
		return nil
	default:
	}
	start := time.Now()
	defer func() { s.p.Counters.SendWait.Add(int64(time.Since(start))) }()
	select {
	case s.p.full <- b:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// Reject reports a dirty record the reader could not turn into a row: either
// row of b (then b is still the reader's) or, with b nil, the raw input.
// It returns ErrDirtyLimit (wrapped) when the job must stop.
func (s *Sender) Reject(b *record.Batch, row int, raw []byte, reason error) error {
	s.p.Counters.ReadFailed.Add(1)
	return s.p.reject(b, row, raw, reason)
}

func (p *Pipe) reject(b *record.Batch, row int, raw []byte, reason error) error {
	if p.opts.Rejecter == nil {
		return errors.Join(ErrDirtyLimit, reason)
	}
	return p.opts.Rejecter.Reject(b, row, raw, reason)
}

// Close ends the stream: err nil means the reader finished; otherwise the
// writer's Next returns err. Only the first call counts.
func (s *Sender) Close(err error) {
	s.p.once.Do(func() {
		s.p.closeErr = err
		close(s.p.done)
	})
}

// Receiver is the writer task's end of a pipe.
type Receiver struct {
	p      *Pipe
	stages []Stage
	last   *record.Batch
}

// Next returns the next batch. The batch is valid until the following call
// to Next. At the end of the stream it returns io.EOF; if the reader failed,
// the reader's error (the writer must then discard what it staged).
func (r *Receiver) Next(ctx context.Context) (*record.Batch, error) {
	if r.last != nil {
		r.p.free <- r.last
		r.last = nil
	}
	b, err := r.next(ctx)
	if err != nil {
		return b, err
	}
	var rejectErr error
	for _, stage := range r.stages {
		in := b
		b = stage(in, func(row int, reason error) {
			if reason == nil {
				r.p.Counters.Filtered.Add(1)
				return
			}
			if rejectErr == nil {
				rejectErr = r.Reject(in, row, reason)
			} else {
				r.p.Counters.WriteFailed.Add(1)
			}
		})
	}
	return b, rejectErr
}

func (r *Receiver) next(ctx context.Context) (*record.Batch, error) {
	select {
	case b := <-r.p.full:
		r.last = b
		return b, nil
	default:
	}
	start := time.Now()
	defer func() { r.p.Counters.NextWait.Add(int64(time.Since(start))) }()
	select {
	case b := <-r.p.full:
		r.last = b
		return b, nil
	case <-r.p.done:
		// Drain what was sent before Close.
		select {
		case b := <-r.p.full:
			r.last = b
			return b, nil
		default:
		}
		if r.p.closeErr != nil {
			return nil, r.p.closeErr
		}
		return nil, io.EOF
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// Reject reports that row of b (the batch last returned by Next) could not be
// written; row indexes the batch Next returned. The writer leaves the row out and goes on, unless the error is
// ErrDirtyLimit.
func (r *Receiver) Reject(b *record.Batch, row int, reason error) error {
	r.p.Counters.WriteFailed.Add(1)
	return r.p.reject(b, row, nil, reason)
}
