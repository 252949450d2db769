package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"datax/channel"
	"datax/plugin"
	"datax/reader"
	"datax/record"
)

// BuildReader constructs a registered reader from its name and decoded
// parameters (path names them in messages), as a job's content entry would.
// It is for commands that consume a reader's records themselves (delta,
// merge, drift) instead of handing them to a writer.
func BuildReader(reg *reader.Registry, name string, params any, path string, env plugin.Env) (reader.Reader, error) {
	if reg == nil {
		reg = reader.Default
	}
	e, err := reg.Lookup(name)
	if err != nil {
		return nil, err
	}
	return e.Build(params, path, env.With(name))
}

// Drain splits r and runs all its tasks, channels at a time, calling fn for
// every batch. Calls to fn are serialized; the batch is valid only during the
// call. Rows the reader rejects fail the drain (there is no dirty file here).
// A failed task is not retried: fn may already have seen part of it.
func Drain(ctx context.Context, r reader.Reader, channels int, fn func(*record.Batch) error) (record.Schema, error) {
	schema, tasks, err := r.Split(ctx, channels)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var mu sync.Mutex
	var wg sync.WaitGroup
	queue := make(chan reader.Task)
	errs := make([]error, max(channels, 1))
	for w := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range queue {
				if err := drainTask(ctx, r, t, &mu, fn); err != nil {
					errs[w] = fmt.Errorf("task %s: %w", t, err)
					cancel(errs[w])
					return
				}
			}
		}()
	}
feed:
	for _, t := range tasks {
		select {
		case queue <- t:
		case <-ctx.Done():
			break feed
		}
	}
	close(queue)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return schema, err
	}
	return schema, context.Cause(ctx)
}

// failRejecter turns every rejected row into an error.
type failRejecter struct{}

func (failRejecter) Reject(b *record.Batch, row int, raw []byte, reason error) error {
	return plugin.Permanent(fmt.Errorf("unreadable record: %w", reason))
}

func drainTask(ctx context.Context, r reader.Reader, t reader.Task, mu *sync.Mutex, fn func(*record.Batch) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	pipe := channel.New(channel.Options{Rejecter: failRejecter{}})
	done := make(chan error, 1)
	go func() {
		out := pipe.Sender()
		err := r.Read(ctx, t, out)
		if err != nil {
			cancel(err)
		}
		out.Close(err)
		done <- err
	}()
	in := pipe.Receiver()
	var ferr error
	for {
		b, err := in.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			ferr = err
			break
		}
		mu.Lock()
		err = fn(b)
		mu.Unlock()
		if err != nil {
			ferr = err
			cancel(err)
			break
		}
	}
	rerr := <-done
	if ferr != nil && (rerr == nil || errors.Is(rerr, ferr)) {
		return ferr
	}
	return rerr
}
