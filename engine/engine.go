// Package engine runs a job: it builds and validates every plugin of every
// content entry before anything connects, splits each entry into tasks, runs
// them on job.setting.speed.channel channels (a reader and a writer joined by
// a channel.Pipe), retries failed tasks whose output is not yet committed,
// keeps dirty records and enforces the error limits, prints progress, commits
// every writer's staged output only when the whole job succeeded (aborting it
// otherwise), and returns the summary.
package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"datax/channel"
	"datax/jobs"
	"datax/plugin"
	"datax/reader"
	"datax/record"
	"datax/transform"
	"datax/writer"
)

// Options configure a run. Zero values take defaults.
type Options struct {
	Readers *reader.Registry // default reader.Default
	Writers *writer.Registry // default writer.Default
	Log     *slog.Logger     // default: discard
	// Location is the job's time zone, given to plugins.
	Location *time.Location
	// Out receives progress lines and the summary (nil: none).
	Out io.Writer
	// Progress is the interval between progress lines (default 5s; < 0 off).
	Progress time.Duration
	// Terminal draws a progress bar instead of lines.
	Terminal bool
	// DirtyFile overrides job.setting.dirtyRecordFile.
	DirtyFile string
	// BatchRows overrides the rows per batch (channel.DefaultBatchRows).
	BatchRows int
}

// Job is a validated job ready to run.
type Job struct {
	name    string
	file    *jobs.File
	opts    Options
	entries []*entry
}

type entry struct {
	index        int
	readerName   string
	writerName   string
	reader       reader.Reader
	writer       writer.Writer
	transforms   []transform.Step
	prepared     bool
	tasks        int
	stats        Stats
	elapsed      time.Duration
	readerReport []string
}

// Build constructs every plugin of the job from its parameters, reporting
// every problem at once, each with the file name and JSON path. It does no
// I/O.
func Build(name string, f *jobs.File, opts Options) (*Job, error) {
	if opts.Readers == nil {
		opts.Readers = reader.Default
	}
	if opts.Writers == nil {
		opts.Writers = writer.Default
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Progress == 0 {
		opts.Progress = 5 * time.Second
	}
	env := plugin.Env{Log: opts.Log, Location: opts.Location, Channels: f.Channels()}
	j := &Job{name: name, file: f, opts: opts}
	var errs []error
	for i, c := range f.Job.Content {
		e := &entry{index: i, readerName: c.Reader.Name, writerName: c.Writer.Name}
		if re, err := opts.Readers.Lookup(c.Reader.Name); err != nil {
			errs = append(errs, fmt.Errorf("job.content[%d].reader.name: %w", i, err))
		} else if e.reader, err = re.Build(c.Reader.Parameter, jobs.ContentPath(i, "reader"), env.With(c.Reader.Name)); err != nil {
			errs = append(errs, err)
		}
		steps, err := transform.Parse(c.Transformer, fmt.Sprintf("job.content[%d].transformer", i))
		if err != nil {
			errs = append(errs, err)
		}
		e.transforms = steps
		if we, err := opts.Writers.Lookup(c.Writer.Name); err != nil {
			errs = append(errs, fmt.Errorf("job.content[%d].writer.name: %w", i, err))
		} else if e.writer, err = we.Build(c.Writer.Parameter, jobs.ContentPath(i, "writer"), env.With(c.Writer.Name)); err != nil {
			errs = append(errs, err)
		}
		j.entries = append(j.entries, e)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return j, nil
}

// ErrJobFailed wraps every error of a job that ran and failed (as opposed to
// a job file that did not validate).
var ErrJobFailed = errors.New("job failed")

// Run runs the job. On success every writer has committed; on failure or
// cancellation every writer that staged output has aborted, and the error
// says why. The summary is filled in both cases.
func (j *Job) Run(ctx context.Context) (*Summary, error) {
	s := &Summary{Start: time.Now(), Name: j.name}
	set := j.file.Job.Setting
	dirtyPath := j.opts.DirtyFile
	if dirtyPath == "" {
		dirtyPath = set.DirtyFile
	}
	if dirtyPath == "" {
		dirtyPath = fmt.Sprintf("datax-dirty-%s.jsonl", s.Start.Format("20060102-150405"))
	}
	run := &runner{
		job:     j,
		dirty:   newDirtyLog(dirtyPath, set.ErrorLimit.Record),
		limiter: channel.NewLimiter(j.caps()),
	}
	stopProgress := run.startProgress(ctx)
	err := run.all(ctx)
	stopProgress()
	wrote, derr := run.dirty.close()
	if wrote {
		s.DirtyFile = dirtyPath
	}
	err = errors.Join(err, derr)
	s.End = time.Now()
	for _, e := range j.entries {
		s.Entries = append(s.Entries, EntrySummary{
			Index: e.index, Reader: e.readerName, Writer: e.writerName,
			Tasks: e.tasks, Stats: e.stats, Elapsed: e.elapsed,
		})
		s.Stats.add(e.stats)
		s.Notes = append(s.Notes, e.readerReport...)
		if r, ok := e.writer.(plugin.Reporter); ok && err == nil {
			s.Notes = append(s.Notes, r.Report()...)
		}
	}
	j.close()
	if err != nil {
		s.Err = err
		return s, fmt.Errorf("%w: %w", ErrJobFailed, err)
	}
	return s, nil
}

// caps returns the job-wide record and byte caps: job.setting.speed, or
// DataX's per-channel core caps times the channel count.
func (j *Job) caps() (records, bytes int64) {
	speed := j.file.Job.Setting.Speed
	records, bytes = speed.Record, speed.Byte
	if c := j.file.Core; c != nil {
		if records <= 0 && c.ChannelRecord > 0 {
			records = c.ChannelRecord * int64(j.file.Channels())
		}
		if bytes <= 0 && c.ChannelByte > 0 {
			bytes = c.ChannelByte * int64(j.file.Channels())
		}
	}
	return records, bytes
}

func (j *Job) close() {
	for _, e := range j.entries {
		if c, ok := e.reader.(io.Closer); ok {
			c.Close()
		}
		if c, ok := e.writer.(io.Closer); ok {
			c.Close()
		}
	}
}

// runner is the state of one Run.
type runner struct {
	job     *Job
	dirty   *dirtyLog
	limiter *channel.Limiter

	mu     sync.Mutex
	active map[*channel.Pipe]int // running pipes → entry index
	done   Stats                 // finished attempts of all entries
	tasks  struct{ total, done int }
}

func (r *runner) all(ctx context.Context) (err error) {
	defer func() {
		if err != nil || ctx.Err() != nil {
			if ctx.Err() != nil && err == nil {
				err = context.Cause(ctx)
			}
			r.abortAll()
		}
	}()
	for _, e := range r.job.entries {
		if err := r.entry(ctx, e); err != nil {
			return fmt.Errorf("job.content[%d] (%s → %s): %w", e.index, e.readerName, e.writerName, err)
		}
	}
	if r.job.file.Job.Setting.DryRun {
		return nil
	}
	if err := r.checkPercentage(); err != nil {
		return err
	}
	for _, e := range r.job.entries {
		if err := e.writer.Commit(ctx); err != nil {
			return fmt.Errorf("job.content[%d] (%s): commit: %w", e.index, e.writerName, err)
		}
		e.prepared = false
	}
	return nil
}

// checkPercentage enforces errorLimit.percentage at the end of the run. As in
// DataX, a record limit, when given, takes precedence and the percentage is
// not checked.
func (r *runner) checkPercentage() error {
	limits := r.job.file.Job.Setting.ErrorLimit
	limit := limits.Percentage
	if limit == nil || limits.Record != nil {
		return nil
	}
	var total Stats
	for _, e := range r.job.entries {
		total.add(e.stats)
	}
	read := total.Read()
	if read == 0 {
		return nil
	}
	share := float64(total.Failed()) / float64(read)
	if share > *limit {
		return fmt.Errorf("%w: %d of %d records are dirty (%.2f%%), job.setting.errorLimit.percentage allows %.2f%%; they are in %s",
			channel.ErrDirtyLimit, total.Failed(), read, 100*share, 100**limit, r.dirty.path)
	}
	return nil
}

func (r *runner) abortAll() {
	// A fresh context: the job's may be cancelled, and cleanup must run.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, e := range r.job.entries {
		if !e.prepared {
			continue
		}
		if a, ok := e.writer.(writer.Aborter); ok {
			if err := a.Abort(ctx); err != nil {
				r.job.opts.Log.Error("abort failed; staged output may be left behind", "content", e.index, "writer", e.writerName, "err", err)
			}
		}
		e.prepared = false
	}
}

func (r *runner) entry(ctx context.Context, e *entry) error {
	start := time.Now()
	defer func() { e.elapsed = time.Since(start) }()
	channels := r.job.file.Channels()
	log := r.job.opts.Log.With("content", e.index)
	schema, tasks, err := e.reader.Split(ctx, channels)
	if err != nil {
		return fmt.Errorf("%s: %w", e.readerName, err)
	}
	e.tasks = len(tasks)
	log.Info("split", "reader", e.readerName, "tasks", len(tasks), "channels", channels)
	if rep, ok := e.reader.(plugin.Reporter); ok {
		defer func() { e.readerReport = rep.Report() }()
	}
	if r.job.file.Job.Setting.DryRun {
		for i, t := range tasks {
			log.Info("dry run task", "task", i, "desc", t.String())
		}
		return nil
	}
	chain, err := transform.Bind(e.transforms, schema, fmt.Sprintf("job.content[%d].transformer", e.index))
	if err != nil {
		return err
	}
	src := chain.Schema()
	e.prepared = true
	target, err := e.writer.Prepare(ctx, src, len(tasks))
	if err != nil {
		return fmt.Errorf("%s: %w", e.writerName, err)
	}
	if target != nil {
		// Fail now, not per row, when a column can never convert.
		if _, err := record.NewConformer(src, target); err != nil {
			return fmt.Errorf("%s → %s: %w", e.readerName, e.writerName, err)
		}
	}
	r.mu.Lock()
	r.tasks.total, r.tasks.done = len(tasks), 0
	r.mu.Unlock()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	queue := make(chan int)
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	for w := 0; w < min(channels, len(tasks)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range queue {
				if err := r.task(ctx, e, i, tasks[i], chain, target); err != nil {
					once.Do(func() { firstErr = err; cancel(err) })
					return
				}
			}
		}()
	}
feed:
	for i := range tasks {
		select {
		case queue <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(queue)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return context.Cause(ctx)
}

// retryable reports whether a failed task may run again. (A cancelled job
// is not retried either: the caller checks its context first. An attempt's
// own cancellation, when one side stopped the other, does not count.)
func retryable(err error) bool {
	return !errors.Is(err, plugin.ErrPermanent) && !errors.Is(err, writer.ErrCommitted) &&
		!errors.Is(err, channel.ErrDirtyLimit)
}

func (r *runner) task(ctx context.Context, e *entry, i int, t reader.Task, chain *transform.Chain, target record.Schema) error {
	retry := r.job.file.Job.Setting.Retry
	wait := retry.Backoff.Duration
	for attempt := 0; ; attempt++ {
		err := r.attempt(ctx, e, i, t, attempt, attempt+1 >= retry.Attempts, chain, target)
		if err == nil {
			r.mu.Lock()
			r.tasks.done++
			r.mu.Unlock()
			return nil
		}
		err = fmt.Errorf("task %d (%s): %w", i, t, err)
		if ctx.Err() != nil || attempt+1 >= retry.Attempts || !retryable(err) {
			return err
		}
		r.job.opts.Log.Warn("task failed; retrying", "content", e.index, "task", i, "attempt", attempt+1, "wait", wait, "err", err)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return err
		}
		wait = min(2*wait, retry.MaxWait.Duration)
	}
}

// attempt runs one attempt of a task. Its counts go into the statistics when
// it succeeds or when it is the task's last (last, or a failure that will
// not be retried): a failed job's summary then shows what it read and the
// dirty records it kept. A retried attempt's counts are dropped, and so are
// its dirty records from the error limits (the retry reports them again).
func (r *runner) attempt(parent context.Context, e *entry, i int, t reader.Task, attempt int, last bool, chain *transform.Chain, target record.Schema) error {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	rej := &attemptRejecter{log: r.dirty, entry: e.index, task: t.String(), attempt: attempt}
	pipe := channel.New(channel.Options{BatchRows: r.job.opts.BatchRows, Limiter: r.limiter, Rejecter: rej})
	var stages []channel.Stage
	if len(e.transforms) > 0 {
		stages = append(stages, chain.Stage())
	}
	if target != nil {
		c, err := record.NewConformer(chain.Schema(), target)
		if err != nil {
			return plugin.Permanent(err)
		}
		if !c.Identity() {
			stages = append(stages, c.Conform)
		}
	}
	r.mu.Lock()
	if r.active == nil {
		r.active = map[*channel.Pipe]int{}
	}
	r.active[pipe] = e.index
	r.mu.Unlock()

	readErr := make(chan error, 1)
	go func() {
		out := pipe.Sender()
		err := e.reader.Read(ctx, t, out)
		if err == nil && ctx.Err() != nil {
			err = context.Cause(ctx)
		}
		if err != nil {
			err = fmt.Errorf("%s: %w", e.readerName, err)
			cancel(err)
		}
		out.Close(err)
		readErr <- err
	}()
	werr := e.writer.Write(ctx, writer.Task{Index: i, Attempt: attempt, Source: t.String()}, pipe.Receiver(stages...))
	if werr != nil {
		werr = fmt.Errorf("%s: %w", e.writerName, werr)
		cancel(werr)
	}
	rerr := <-readErr

	r.mu.Lock()
	delete(r.active, pipe)
	var err error
	switch {
	case errors.Is(werr, writer.ErrCommitted):
		err = werr // whoever failed first, part of the output is already visible
	case werr != nil && (rerr == nil || errors.Is(rerr, werr)):
		err = werr // the writer failed; the reader stopped because of it
	case rerr != nil && (werr == nil || errors.Is(werr, rerr) || errors.Is(werr, context.Canceled)):
		err = rerr // the reader failed; the writer only passed its error on, or stopped
	default:
		err = errors.Join(rerr, werr)
	}
	final := err == nil || last || !retryable(err) || parent.Err() != nil
	if final {
		st := snapshot(&pipe.Counters)
		e.stats.add(st)
		r.done.add(st)
	}
	r.mu.Unlock()
	if !final {
		rej.discard()
	}
	return err
}

// live returns the statistics so far: finished attempts plus running ones.
func (r *runner) live() (Stats, int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.done
	for p := range r.active {
		st.add(snapshot(&p.Counters))
	}
	return st, r.tasks.done, r.tasks.total
}
