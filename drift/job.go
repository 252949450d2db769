package drift

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"datax/extsort"
	"datax/merge"
	"datax/plugin"
	"datax/record"
	"datax/spec"
	"datax/storage"
)

// Job is one day's drift correction of a table: the change records from
// Source (and Next, D+1's change log when it is read separately) become
// partition D of Table, written through merge's partition writer (Parquet
// in a hidden staging directory, _VERIFY.json, atomic publish replacing
// what was there, _SUCCESS).
type Job struct {
	Rules Rules
	// Source yields the change records (a reader drained by engine.Drain);
	// Next, when set, D+1's change log.
	Source, Next merge.Source
	Table        merge.Table
	Writer       merge.WriterOptions
	// MemoryBytes bounds the sorts (default 256 MiB), SpillDir is where they
	// spill (default os.TempDir()).
	MemoryBytes int64
	SpillDir    string
	Log         *slog.Logger
	// ConfigName, when set, names the config file in parameter errors.
	ConfigName string
}

// Result is what a drift job did.
type Result struct {
	Stats Stats
	Dir   string
	Notes []string
}

// Lines renders the result for the summary.
func (r *Result) Lines() []string {
	l := append([]string{"published " + r.Dir}, r.Stats.Lines()...)
	for _, n := range r.Notes {
		l = append(l, "drift: "+n)
	}
	return l
}

// Run runs the job. Every change record is read and checked before the
// target is touched; on any error nothing is published.
func (j *Job) Run(ctx context.Context) (*Result, error) {
	if j.Log == nil {
		j.Log = slog.New(slog.DiscardHandler)
	}
	if err := j.Rules.Validate(); err != nil {
		return nil, j.configError(err)
	}
	date, _ := ParseDate(j.Rules.Day)
	day := strings.ReplaceAll(FormatDate(date), "-", "")
	if j.MemoryBytes <= 0 {
		j.MemoryBytes = 256 << 20
	}
	res := &Result{Dir: storage.URL(j.Table.FS, j.Table.Dir(day))}
	opts := extsort.Options{MemoryBytes: j.MemoryBytes, Dir: j.SpillDir}

	var d *Drift
	var schema record.Schema
	var newErr error // a configured column that does not fit the input
	add := func(b *record.Batch) error {
		if d == nil {
			if d, newErr = New(b.Schema(), &j.Rules, opts); newErr != nil {
				newErr = j.configError(newErr)
				return plugin.Permanent(newErr)
			}
			schema = b.Schema()
		}
		return d.Add(b)
	}
	defer func() {
		if d != nil {
			d.Close()
		}
	}()
	in, err := j.Source(ctx, add)
	if newErr != nil {
		return nil, newErr
	}
	if err != nil {
		return nil, fmt.Errorf("reading the change log: %w", err)
	}
	if d == nil {
		if d, err = New(in, &j.Rules, opts); err != nil {
			return nil, j.configError(err)
		}
		schema = in
	}
	if j.Next != nil {
		seen := false
		next, err := j.Next(ctx, func(b *record.Batch) error {
			if !seen {
				seen = true
				if err := sameColumns(schema, b.Schema()); err != nil {
					return plugin.Permanent(err)
				}
			}
			return d.Add(b)
		})
		if err == nil && !seen {
			err = sameColumns(schema, next)
		}
		switch {
		case err != nil && !seen && j.Rules.AllowMissingNext:
			res.Notes = append(res.Notes, fmt.Sprintf("the change log of D+1 could not be read (%v); ran without it, as allowMissingNext says", err))
			j.Log.Warn("the change log of D+1 could not be read; running without it (allowMissingNext)", "err", err)
		case err != nil && !seen:
			return nil, fmt.Errorf("%w: reading nextReader failed: %v; changes that crossed midnight into D+1 cannot be put back on D without it (set drift.allowMissingNext to run without it)", ErrNextMissing, err)
		case err != nil:
			return nil, fmt.Errorf("reading the change log of D+1: %w", err)
		}
	}
	j.Log.Info("change log read; sorting and joining", "records", d.st.Records, "sort", d.SortStats())
	// Everything is read; the checks that need the whole input ran in Run
	// before the first row, so the partition is staged only now.
	w := &lazyWriter{ctx: ctx, j: j, day: day, schema: d.Schema()}
	st, err := d.Run(w)
	res.Stats = st
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = w.open() // an empty day still gets its (empty) partition
	}
	if err != nil {
		if w.pw != nil {
			if aerr := w.pw.Abort(err); aerr != nil {
				j.Log.Warn("discarding the staged partition failed; the next run removes it", "err", aerr)
			}
		}
		return res, err
	}
	if err := w.pw.Commit(nil); err != nil {
		return res, err
	}
	return res, nil
}

// configError places an error of the rules at the drift object of the
// config (and in its file).
func (j *Job) configError(err error) error {
	err = spec.At("drift", err)
	if j.ConfigName != "" {
		err = spec.InFile(j.ConfigName, err)
	}
	return err
}

// lazyWriter is the sink of a Drift that stages the partition when the
// first rows arrive (after Drift.Run's checks), so that a run that fails
// before then leaves the target untouched.
type lazyWriter struct {
	ctx    context.Context
	j      *Job
	day    string
	schema record.Schema
	pw     *merge.PartitionWriter
	sink   merge.Sink
}

func (w *lazyWriter) open() error {
	if w.pw != nil {
		return nil
	}
	pw, err := merge.NewPartitionWriter(w.ctx, w.j.Table, w.day, w.schema, w.j.Writer, plugin.Env{Log: w.j.Log})
	if err != nil {
		return err
	}
	w.pw, w.sink = pw, pw.Sink()
	return nil
}

func (w *lazyWriter) Batch() (*record.Batch, error) {
	if err := w.open(); err != nil {
		return nil, err
	}
	return w.sink.Batch()
}

func (w *lazyWriter) Full(b *record.Batch) bool  { return w.sink.Full(b) }
func (w *lazyWriter) Send(b *record.Batch) error { return w.sink.Send(b) }

// sameColumns checks that D+1's change log has the columns of D's.
func sameColumns(a, b record.Schema) error {
	if len(a) == len(b) {
		same := true
		for j := range a {
			if a[j].Name != b[j].Name || a[j].Kind != b[j].Kind {
				same = false
			}
		}
		if same {
			return nil
		}
	}
	return fmt.Errorf("the change log of D+1 has the columns (%s), that of D (%s): they must be the same", columnList(b), columnList(a))
}

func columnList(s record.Schema) string {
	var parts []string
	for _, c := range s {
		parts = append(parts, c.String())
	}
	return strings.Join(parts, ", ")
}

// Close releases the output table's filesystem.
func (j *Job) Close() error {
	if j.Table.FS == nil {
		return nil
	}
	return j.Table.FS.Close()
}
