// Package schedule is the long-running scheduler behind `datax schedule`:
// cron specs (robfig/cron) in an explicit time zone over a list of jobs, no
// overlapping runs of one job, a global concurrency limit served by priority
// (important jobs first, then the longest waiting), retries with backoff, a
// graceful stop that lets running jobs finish or stops them cleanly, and a
// run history that flags a run whose row count departs sharply from its own
// past.
//
// What a run does is a Runner's business: the CLI runs job files in-process
// through the engine, and commands (such as the daily scripts `datax gen`
// writes) as child processes.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"datax/spec"
)

// Config is a schedule file.
type Config struct {
	TimeZone      string        `json:"timeZone" default:"UTC" doc:"IANA time zone of the cron specs and of ${bizdate}" example:"Asia/Shanghai"`
	MaxConcurrent int           `json:"maxConcurrent" default:"2" doc:"most jobs running at once; more wait, highest priority first, then the longest waiting"`
	History       string        `json:"history" default:"datax-history.jsonl" doc:"run history file (JSON lines)"`
	StopGrace     spec.Duration `json:"stopGrace" default:"\"10m\"" doc:"on SIGTERM, how long running jobs may take to finish before they are stopped (nothing half-published either way)"`
	AnomalyFactor float64       `json:"anomalyFactor" default:"3" doc:"flag a successful run whose rows are below median/f or above median×f of its last successful runs"`
	Jobs          []Entry       `json:"jobs" required:"true" doc:"the scheduled jobs"`
}

// Entry is one scheduled job.
type Entry struct {
	Name     string            `json:"name" required:"true" doc:"unique name, used in the history"`
	Cron     string            `json:"cron" required:"true" doc:"cron spec: 5 fields (minute hour day month weekday) or @daily, @every 1h" example:"30 1 * * *"`
	Job      string            `json:"job" doc:"job file to run in-process (give job or command)"`
	Command  []string          `json:"command" doc:"command to run instead, e.g. a generated daily script; ${bizdate} is filled"`
	Params   map[string]string `json:"params" doc:"job variables; bizdate defaults to the day before the scheduled time"`
	Priority int               `json:"priority" doc:"higher runs first when jobs wait for a slot"`
	Retries  int               `json:"retries" doc:"extra attempts after a failure"`
	Backoff  spec.Duration     `json:"backoff" default:"\"1m\"" doc:"wait before the first retry; doubles each time"`
	Timeout  spec.Duration     `json:"timeout" doc:"stop a run that takes longer (0: no limit)"`
}

// Validate checks the whole schedule.
func (c *Config) Validate() error {
	var errs []error
	if c.MaxConcurrent < 1 {
		errs = append(errs, spec.Errorf("maxConcurrent", "must be at least 1, got %d", c.MaxConcurrent))
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		errs = append(errs, spec.Errorf("timeZone", "%q is not a known IANA zone (e.g. UTC, Asia/Shanghai)", c.TimeZone))
	}
	if c.AnomalyFactor <= 1 {
		errs = append(errs, spec.Errorf("anomalyFactor", "must be above 1, got %v", c.AnomalyFactor))
	}
	seen := map[string]bool{}
	for i, e := range c.Jobs {
		at := fmt.Sprintf("jobs[%d]", i)
		if seen[e.Name] {
			errs = append(errs, spec.Errorf(at+".name", "%q is used by another job", e.Name))
		}
		seen[e.Name] = true
		if _, err := parser.Parse(e.Cron); err != nil {
			errs = append(errs, spec.Errorf(at+".cron", "%q: %v", e.Cron, err))
		}
		if (e.Job == "") == (len(e.Command) == 0) {
			errs = append(errs, spec.Errorf(at, "give either job (a job file) or command"))
		}
		if e.Retries < 0 {
			errs = append(errs, spec.Errorf(at+".retries", "must not be negative"))
		}
	}
	return errors.Join(errs...)
}

var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Load reads and checks a schedule file.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("schedule file: %w", err)
	}
	tree, err := spec.ParseJSON(path, data)
	if err != nil {
		return nil, err
	}
	c := &Config{}
	if err := spec.Of(c).Decode(tree, "", c); err != nil {
		return nil, spec.InFile(path, err)
	}
	return c, nil
}

// Result is what a run produced.
type Result struct {
	Rows, Bytes int64
	Tables      []TableResult
}

// TableResult is one content entry (table) of a run.
type TableResult struct {
	Name string `json:"name"`
	Rows int64  `json:"rows"`
}

// Runner runs one attempt of a job. vars hold the job variables (bizdate
// filled in). It must stop cleanly when ctx ends, publishing nothing.
type Runner func(ctx context.Context, e Entry, vars map[string]string) (Result, error)

// Daemon runs a schedule.
type Daemon struct {
	cfg     *Config
	loc     *time.Location
	run     Runner
	log     *slog.Logger
	history *History
	now     func() time.Time

	mu       sync.Mutex
	cond     *sync.Cond
	waiting  []*pending
	running  map[string]context.CancelFunc
	stopping bool
	seq      int64
	wg       sync.WaitGroup
	cron     *cron.Cron
}

type pending struct {
	entry     *Entry
	scheduled time.Time
	queuedAt  time.Time
	seq       int64
}

// New returns a daemon for cfg (already validated by Load).
func New(cfg *Config, run Runner, log *slog.Logger) (*Daemon, error) {
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Daemon{cfg: cfg, loc: loc, run: run, log: log, history: OpenHistory(cfg.History),
		now: time.Now, running: map[string]context.CancelFunc{}}
	d.cond = sync.NewCond(&d.mu)
	return d, nil
}

// Start begins firing the cron specs.
func (d *Daemon) Start() error {
	d.cron = cron.New(cron.WithLocation(d.loc), cron.WithParser(parser))
	for i := range d.cfg.Jobs {
		e := &d.cfg.Jobs[i]
		if _, err := d.cron.AddFunc(e.Cron, func() { d.Trigger(e.Name, d.now()) }); err != nil {
			return fmt.Errorf("job %s: cron %q: %w", e.Name, e.Cron, err)
		}
	}
	d.cron.Start()
	for _, en := range d.cron.Entries() {
		d.log.Info("scheduled", "next", en.Next.In(d.loc).Format(time.RFC3339))
	}
	return nil
}

// Trigger queues a run of the named job for the given scheduled time. A job
// that is running or already waiting is not queued again: the firing is
// recorded as skipped.
func (d *Daemon) Trigger(name string, scheduled time.Time) {
	e := d.entry(name)
	if e == nil {
		d.log.Error("trigger of an unknown job", "job", name)
		return
	}
	d.mu.Lock()
	if d.stopping {
		d.mu.Unlock()
		return
	}
	_, busy := d.running[name]
	for _, p := range d.waiting {
		busy = busy || p.entry.Name == name
	}
	if busy {
		d.mu.Unlock()
		d.log.Warn("previous run still going; this firing is skipped", "job", name)
		d.history.Append(Run{Job: name, Scheduled: scheduled, Start: d.now(), End: d.now(), Status: StatusSkipped,
			Error: "the previous run had not finished"})
		return
	}
	d.seq++
	d.waiting = append(d.waiting, &pending{entry: e, scheduled: scheduled, queuedAt: d.now(), seq: d.seq})
	d.dispatchLocked()
	d.mu.Unlock()
}

func (d *Daemon) entry(name string) *Entry {
	for i := range d.cfg.Jobs {
		if d.cfg.Jobs[i].Name == name {
			return &d.cfg.Jobs[i]
		}
	}
	return nil
}

// next picks the waiting run to start: highest priority, then the one that
// has waited longest.
func next(waiting []*pending) int {
	best := -1
	for i, p := range waiting {
		if best < 0 {
			best = i
			continue
		}
		b := waiting[best]
		if p.entry.Priority > b.entry.Priority ||
			(p.entry.Priority == b.entry.Priority && p.seq < b.seq) {
			best = i
		}
	}
	return best
}

func (d *Daemon) dispatchLocked() {
	for !d.stopping && len(d.running) < d.cfg.MaxConcurrent && len(d.waiting) > 0 {
		i := next(d.waiting)
		p := d.waiting[i]
		d.waiting = append(d.waiting[:i], d.waiting[i+1:]...)
		ctx, cancel := context.WithCancel(context.Background())
		d.running[p.entry.Name] = cancel
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			d.execute(ctx, p)
			cancel()
			d.mu.Lock()
			delete(d.running, p.entry.Name)
			d.dispatchLocked()
			d.cond.Broadcast()
			d.mu.Unlock()
		}()
	}
}

// execute runs one scheduled run with its retries and records it.
func (d *Daemon) execute(ctx context.Context, p *pending) {
	e := p.entry
	vars := map[string]string{"bizdate": p.scheduled.In(d.loc).AddDate(0, 0, -1).Format("20060102")}
	for k, v := range e.Params {
		vars[k] = v
	}
	run := Run{Job: e.Name, Scheduled: p.scheduled, Start: d.now(), Waited: d.now().Sub(p.queuedAt).Round(time.Millisecond).String()}
	wait := e.Backoff.Duration
	var res Result
	var err error
	for attempt := 0; attempt <= e.Retries; attempt++ {
		run.Attempts = attempt + 1
		actx, cancel := ctx, context.CancelFunc(func() {})
		if e.Timeout.Duration > 0 {
			actx, cancel = context.WithTimeout(ctx, e.Timeout.Duration)
		}
		d.log.Info("run starting", "job", e.Name, "attempt", attempt+1, "bizdate", vars["bizdate"])
		res, err = d.run(actx, *e, vars)
		cancel()
		if err == nil || ctx.Err() != nil || attempt == e.Retries {
			break
		}
		d.log.Warn("run failed; retrying", "job", e.Name, "attempt", attempt+1, "wait", wait, "err", err)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wait *= 2
	}
	run.End = d.now()
	run.Rows, run.Bytes, run.Tables = res.Rows, res.Bytes, res.Tables
	if secs := run.End.Sub(run.Start).Seconds(); secs > 0 {
		run.RecordsPerSec = float64(res.Rows) / secs
	}
	switch {
	case err == nil:
		run.Status = StatusOK
		run.Anomaly = d.history.Anomaly(e.Name, res.Rows, d.cfg.AnomalyFactor)
	case ctx.Err() != nil:
		run.Status, run.Error = StatusStopped, err.Error()
	default:
		run.Status, run.Error = StatusFailed, err.Error()
	}
	if run.Anomaly != "" {
		d.log.Warn("row count departs from this job's history", "job", e.Name, "detail", run.Anomaly)
	}
	d.log.Info("run finished", "job", e.Name, "status", run.Status, "rows", run.Rows, "attempts", run.Attempts)
	d.history.Append(run)
}

// Stop stops firing, drops waiting runs, lets running ones finish for up to
// grace, then cancels them (they abort: nothing half-published) and waits.
func (d *Daemon) Stop(grace time.Duration) {
	if d.cron != nil {
		<-d.cron.Stop().Done()
	}
	d.mu.Lock()
	d.stopping = true
	for _, p := range d.waiting {
		d.history.Append(Run{Job: p.entry.Name, Scheduled: p.scheduled, Start: d.now(), End: d.now(), Status: StatusSkipped, Error: "scheduler stopping"})
	}
	d.waiting = nil
	d.mu.Unlock()

	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	select {
	case <-done:
		return
	case <-time.After(grace):
	}
	d.mu.Lock()
	for name, cancel := range d.running {
		d.log.Warn("stopping a running job", "job", name)
		cancel()
	}
	d.mu.Unlock()
	<-done
}

// Running returns the names of the running jobs.
func (d *Daemon) Running() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var names []string
	for n := range d.running {
		names = append(names, n)
	}
	return names
}

// Wait blocks until no job runs or waits.
func (d *Daemon) Wait() {
	d.mu.Lock()
	for len(d.running) > 0 || len(d.waiting) > 0 {
		d.cond.Wait()
	}
	d.mu.Unlock()
}

// NextRuns returns the next n times spec fires after from, in loc.
func NextRuns(specText string, loc *time.Location, from time.Time, n int) ([]time.Time, error) {
	s, err := parser.Parse(specText)
	if err != nil {
		return nil, err
	}
	var out []time.Time
	t := from.In(loc)
	for i := 0; i < n; i++ {
		t = s.Next(t)
		out = append(out, t)
	}
	return out, nil
}
