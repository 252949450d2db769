package merge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"runtime/debug"
	"strings"
	"time"

	"datax/extsort"
	"datax/plugin"
	"datax/record"
	"datax/rowstream"
	"datax/sortkey"
	"datax/storage"
	"datax/verify"
)

// Source produces the records of one input (a reader drained by
// engine.Drain, a partition): it calls fn for every batch (valid only
// during the call) and returns the records' schema.
type Source func(ctx context.Context, fn func(*record.Batch) error) (record.Schema, error)

// PartitionSource reads a Parquet partition directory as a Source.
func PartitionSource(fsys storage.FS, dir string) Source {
	return func(ctx context.Context, fn func(*record.Batch) error) (record.Schema, error) {
		p, err := OpenPartition(fsys, dir)
		if err != nil {
			return nil, err
		}
		s := p.Stream(ctx)
		defer s.Close()
		for {
			b, err := s.Next()
			if err != nil {
				if errors.Is(err, io.EOF) {
					return p.Schema, nil
				}
				return p.Schema, err
			}
			if err := fn(b); err != nil {
				return p.Schema, err
			}
		}
	}
}

// Job is one day's merge of a table: the delta (from a Source, by
// DeltaRules) into the previous day's partition, written as the day's
// partition, then retention.
type Job struct {
	Table Table
	// Day is the partition written; Previous the snapshot merged into
	// (default: the day before Day).
	Day, Previous string
	// Initial makes the delta the first snapshot (no previous partition).
	// It is refused when the table has partitions before Day, unless
	// Force: a day's delta holds only that day's changes, so the rows it
	// lacks would vanish from the snapshot.
	Initial, Force bool
	Rules          Rules
	Delta          DeltaRules
	// DeltaSource yields the change records; ScanSource, when set, the
	// source's current keys (key-scan delete detection). The source can
	// only be scanned as it is now, so a key scan is refused when the table
	// has partitions after Day (ErrScanNotLatest).
	DeltaSource, ScanSource Source
	// MemoryBytes bounds the sorts (default 256 MiB), SpillDir where they
	// spill (default os.TempDir()).
	MemoryBytes int64
	SpillDir    string
	Writer      WriterOptions
	// KeepDays: partitions older than this many days before Day are
	// removed, never the newest verified one (0: keep all).
	KeepDays int
	Log      *slog.Logger
}

// Result is what a merge did.
type Result struct {
	Stats Stats
	Notes []string
	// Warnings are things the operator must know (days skipped, rows the
	// warehouse is missing); they are also kept in the partition's
	// _MERGE.json.
	Warnings []string
	Pruned   []string
	Cleaned  []string
	Dir      string
	Sorted   bool // the previous snapshot was already sorted (no sort needed)
	// Published is set once the partition is visible.
	Published bool
}

// Lines renders the result for the summary.
func (r *Result) Lines() []string {
	var l []string
	if r.Published {
		l = append(l, "published "+r.Dir)
	}
	for _, w := range r.Warnings {
		l = append(l, "merge: WARNING: "+w)
	}
	l = append(l, r.Stats.Lines()...)
	if !r.Sorted {
		l = append(l, "merge: the previous snapshot was not sorted by key (or first run): sorted externally")
	}
	for _, n := range r.Notes {
		l = append(l, "merge: "+n)
	}
	for _, p := range r.Pruned {
		l = append(l, "retention: removed "+p)
	}
	return l
}

// ParseDay parses a YYYYMMDD day.
func ParseDay(day string) (time.Time, error) {
	t, err := time.Parse("20060102", day)
	if err != nil {
		return t, fmt.Errorf("day %q: expected YYYYMMDD", day)
	}
	return t, nil
}

// ErrScanNotLatest is returned when a key scan is asked for a day that
// has later partitions: the source can only be scanned as it is now.
var ErrScanNotLatest = errors.New("key scan of an earlier day")

// dayList renders partition days for a message: the first few and a count.
func dayList(t Table, days []string) string {
	names := make([]string, 0, 3)
	for _, d := range days[:min(3, len(days))] {
		names = append(names, path.Base(t.Dir(d)))
	}
	s := strings.Join(names, ", ")
	if len(days) > 3 {
		s += fmt.Sprintf(" and %d more", len(days)-3)
	}
	return s
}

// check looks at the table's partitions before anything is read: the
// previous snapshot exists (or this is a first snapshot of an empty
// history), the days between the previous snapshot and Day (warnings), and
// no later partition when the key scan is on.
func (j *Job) check(day time.Time, res *Result) error {
	fsys := j.Table.FS
	all, err := j.Table.Days()
	if err != nil {
		return err
	}
	var before, after []string
	for _, d := range all {
		if _, err := ParseDay(d); err != nil {
			continue
		}
		switch {
		case d < j.Day:
			before = append(before, d)
		case d > j.Day:
			after = append(after, d)
		}
	}
	if j.ScanSource != nil && len(after) > 0 {
		return fmt.Errorf("%w: the table has partitions after %s (%s); the key scan reads the source as it is now, not as it was on %s, so rows deleted since then would be marked deleted on %s. Merge this day with --no-keyscan (no delete detection in this run), then the later days in order: the newest day's merge detects the deletes",
			ErrScanNotLatest, j.Day, dayList(j.Table, after), j.Day, j.Day)
	}
	if j.Initial {
		if len(before) > 0 && !j.Force {
			return fmt.Errorf("--initial makes the delta the whole snapshot of %s, but the table has earlier partitions (%s, the newest %s): a day's delta holds only the rows changed that day, so every other row would be missing from %s and from every day merged on it. Merge into the day before instead (if it is missing, merge it first, e.g. by re-running its daily script); to rebuild the snapshot from a full extraction on purpose, add --force",
				j.Day, dayList(j.Table, before), path.Base(j.Table.Dir(before[len(before)-1])), path.Base(j.Table.Dir(j.Day)))
		}
		return nil
	}
	prevDay, _ := ParseDay(j.Previous)
	if !prevDay.Before(day) {
		return fmt.Errorf("the previous snapshot %s is not before the day %s", j.Previous, j.Day)
	}
	dir := j.Table.Dir(j.Previous)
	exists, err := storage.CheckDir(fsys, dir)
	if err != nil {
		return err
	}
	if !exists {
		msg := fmt.Sprintf("the previous snapshot %s does not exist: merge day %s first (e.g. re-run its daily script), then this day", storage.URL(fsys, dir), j.Previous)
		var older []string
		for _, d := range before {
			if d < j.Previous {
				older = append(older, d)
			}
		}
		if len(older) == 0 {
			msg += fmt.Sprintf(". The table has no partition before %s: if this is its first day, load it whole (its initial load, or datax merge --initial with a full extraction as the delta)", j.Day)
		} else {
			msg += fmt.Sprintf(". (--previous %s would merge into the newest earlier partition and skip the days between: their changes are lost unless their deltas are merged too)", older[len(older)-1])
		}
		return errors.New(msg)
	}
	if skipped := int(day.Sub(prevDay).Hours()/24+0.5) - 1; skipped > 0 {
		var present []string
		for _, d := range before {
			if d > j.Previous {
				present = append(present, d)
			}
		}
		w := fmt.Sprintf("merging into %s skips %d day(s) between it and %s: their changes are lost unless their deltas are merged too", path.Base(dir), skipped, j.Day)
		if len(present) > 0 {
			w += fmt.Sprintf("; the partitions of those days (%s) are not read", dayList(j.Table, present))
		}
		res.Warnings = append(res.Warnings, w)
		j.Log.Warn(w)
	}
	return nil
}

// Run runs the merge. On any error nothing is published.
func (j *Job) Run(ctx context.Context) (*Result, error) {
	if j.Log == nil {
		j.Log = slog.New(slog.DiscardHandler)
	}
	day, err := ParseDay(j.Day)
	if err != nil {
		return nil, err
	}
	if j.Previous == "" {
		j.Previous = day.AddDate(0, 0, -1).Format("20060102")
	} else if _, err := ParseDay(j.Previous); err != nil {
		return nil, fmt.Errorf("previous %w", err)
	}
	j.Rules.Day = day.Unix() / 86400
	if j.MemoryBytes <= 0 {
		j.MemoryBytes = 256 << 20
	}
	res := &Result{Dir: storage.URL(j.Table.FS, j.Table.Dir(j.Day))}
	fsys := j.Table.FS
	start := time.Now()
	if err := j.check(day, res); err != nil {
		return res, err
	}

	// The previous snapshot (check made sure it exists).
	var prev *Partition
	var man *verify.Manifest
	var info *Info
	if !j.Initial {
		dir := j.Table.Dir(j.Previous)
		if man, err = verify.Read(fsys, dir); err != nil {
			return nil, fmt.Errorf("the previous snapshot: %w", err)
		}
		if prev, err = OpenPartition(fsys, dir); err != nil {
			return nil, err
		}
		if info, err = ReadInfo(fsys, dir); err != nil {
			return nil, err
		}
	}

	// The delta: every change record, sorted and reduced to one per key.
	sortOpts := func(share int64) extsort.Options {
		return extsort.Options{MemoryBytes: j.MemoryBytes * share / 10, Dir: j.SpillDir, BatchRows: 1024}
	}
	var delta *Delta
	var deltaErr error
	schema, err := j.DeltaSource(ctx, func(b *record.Batch) error {
		if delta == nil {
			if delta, deltaErr = NewDelta(b.Schema(), j.Delta, sortOpts(4)); deltaErr != nil {
				return deltaErr
			}
		}
		return delta.Add(b)
	})
	if err == nil && delta == nil {
		delta, err = NewDelta(schema, j.Delta, sortOpts(4))
	}
	if err != nil {
		return nil, fmt.Errorf("delta: %w", err)
	}
	defer delta.Close()
	deltaRows, err := delta.Stream()
	if err != nil {
		return nil, fmt.Errorf("delta: %w", err)
	}
	// What the delta's sort held in memory is garbage now (its rows are in
	// spill files or in the sorter's chunks, which stay): hand it back
	// before the join, so that the peak does not depend on when the
	// collector would have run.
	debug.FreeOSMemory()
	ss := delta.SortStats()
	j.Log.Info("delta read and sorted", "records", delta.Records(), "spillRuns", ss.Runs, "spilledMiB", ss.SpilledBytes>>20, "elapsed", time.Since(start).Round(time.Millisecond))

	// The key scan, sorted.
	var scan *Input
	if j.ScanSource != nil {
		var sorter *extsort.Sorter
		var serr error
		sschema, err := j.ScanSource(ctx, func(b *record.Batch) error {
			if sorter == nil {
				k, err := sortkey.New(b.Schema(), j.Rules.Key)
				if err != nil {
					serr = err
					return err
				}
				sorter = extsort.New(b.Schema(), k, sortOpts(2))
			}
			return sorter.Add(b)
		})
		if err == nil && serr == nil && sorter == nil {
			k, kerr := sortkey.New(sschema, j.Rules.Key)
			if kerr != nil {
				err = kerr
			} else {
				sorter = extsort.New(sschema, k, sortOpts(2))
			}
		}
		if err != nil {
			return nil, fmt.Errorf("key scan: %w", err)
		}
		defer sorter.Close()
		rows, err := sorter.Sort()
		if err != nil {
			return nil, fmt.Errorf("key scan: %w", err)
		}
		scan = &Input{Schema: sschema, Rows: rows}
		j.Log.Info("key scan read and sorted", "keys", sorter.Stats().Rows, "spillRuns", sorter.Stats().Runs, "elapsed", time.Since(start).Round(time.Millisecond))
	}

	// The previous snapshot, sorted by key (streamed as it is when its info
	// says it is sorted; checked either way).
	var snapSchema record.Schema
	var snapRows rowstream.Stream
	if prev != nil {
		snapSchema = prev.Schema
		skey, err := sortkey.New(snapSchema, j.Rules.Key)
		if err != nil {
			return nil, fmt.Errorf("previous snapshot %s: key: %w", storage.URL(fsys, prev.Dir), err)
		}
		ps := prev.Stream(ctx)
		defer ps.Close()
		snapRows = ps
		res.Sorted = info.SortedBy(j.Rules.Key)
		if !res.Sorted {
			sorter := extsort.New(snapSchema, skey, sortOpts(4))
			defer sorter.Close()
			for {
				b, err := ps.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					return nil, err
				}
				if err := sorter.Add(b); err != nil {
					return nil, err
				}
			}
			if snapRows, err = sorter.Sort(); err != nil {
				return nil, err
			}
		}
		snapRows = CheckUnique(snapRows, skey, "the previous snapshot "+storage.URL(fsys, prev.Dir))
	} else {
		res.Sorted = true
	}

	plan, err := NewPlan(delta.Rows(), delta.Schema(), snapSchema, j.Rules)
	if err != nil {
		return nil, err
	}
	res.Notes = plan.Notes()
	w, err := NewPartitionWriter(ctx, j.Table, j.Day, plan.Out(), j.Writer, plugin.Env{Log: j.Log})
	if err != nil {
		return nil, err
	}
	j.Log.Info("joining", "previousSorted", res.Sorted, "elapsed", time.Since(start).Round(time.Millisecond))
	stats, err := plan.Run(Input{Schema: schema, Rows: deltaRows}, delta.IsDelete, Input{Schema: snapSchema, Rows: snapRows}, scan, w.Sink())
	res.Stats = stats
	st := stats
	j.Log.Info("joined", "rows", st.Output, "elapsed", time.Since(start).Round(time.Millisecond))
	if st.ScanUnknown > 0 {
		j.Log.Warn("the key scan found source keys in neither the snapshot nor the delta: rows the warehouse is missing", "keys", st.ScanUnknown, "examples", strings.Join(st.UnknownKeys, "; "))
	}
	if err == nil && man != nil && st.SnapshotRows != man.Rows {
		err = fmt.Errorf("the previous snapshot has %d rows but its %s says %d: it changed after it was published; check it with datax verify", st.SnapshotRows, verify.FileName, man.Rows)
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		if aerr := w.Abort(err); aerr != nil {
			j.Log.Warn("discarding the staged partition failed; the next run removes it", "err", aerr)
		}
		return res, err
	}
	if err := w.Commit(&Info{SortKey: j.Rules.Key, Order: OrderVersion, Day: j.Day, Previous: previous(j), Warnings: res.Warnings, Stats: st.Lines()}); err != nil {
		return res, err
	}
	res.Published = true
	res.Pruned, err = j.Table.Prune(j.Day, j.KeepDays)
	return res, err
}

// previous is the partition day a job merged into ("" for a first
// snapshot).
func previous(j *Job) string {
	if j.Initial {
		return ""
	}
	return j.Previous
}

// Prune removes the partitions more than keepDays days before day, never
// the newest verified one (with _VERIFY.json) and never one after day; it
// returns the removed partition names. keepDays 0 keeps all.
func (t Table) Prune(day string, keepDays int) ([]string, error) {
	if keepDays <= 0 {
		return nil, nil
	}
	d, err := ParseDay(day)
	if err != nil {
		return nil, err
	}
	cutoff := d.AddDate(0, 0, -keepDays).Format("20060102")
	days, err := t.Days()
	if err != nil {
		return nil, err
	}
	newestGood := ""
	for i := len(days) - 1; i >= 0; i-- {
		if days[i] > day {
			continue
		}
		if _, err := verify.Read(t.FS, t.Dir(days[i])); err == nil {
			newestGood = days[i]
			break
		}
	}
	var pruned []string
	for _, p := range days {
		if _, err := ParseDay(p); err != nil || p > cutoff || p == newestGood {
			continue
		}
		dir := t.Dir(p)
		if err := t.FS.RemoveAll(dir); err != nil {
			return pruned, fmt.Errorf("retention: removing %s: %w", storage.URL(t.FS, dir), err)
		}
		pruned = append(pruned, path.Base(dir))
	}
	return pruned, nil
}

// DeltaJob writes a day's delta as a partition of a delta table: the
// change records reduced to one row per key (DeltaRules), sorted by key, the
// operation column replaced by FlagColumn (true on deletes).
type DeltaJob struct {
	Table       Table
	Day         string
	Delta       DeltaRules
	Source      Source
	FlagColumn  string
	MemoryBytes int64
	SpillDir    string
	Writer      WriterOptions
	// KeepDays prunes the delta table as Job.KeepDays does.
	KeepDays int
	Log      *slog.Logger
}

// DeltaResult is what a delta job did.
type DeltaResult struct {
	Records, Rows, Deletes int64
	Dir                    string
	Spilled                extsort.Stats
	Pruned                 []string
}

// Lines renders the result for the summary.
func (r *DeltaResult) Lines() []string {
	l := []string{fmt.Sprintf("published %s: %d change records → %d keys (%d deletes)", r.Dir, r.Records, r.Rows, r.Deletes)}
	if r.Spilled.Runs > 0 {
		l = append(l, fmt.Sprintf("delta: sorted with %d spill runs (%d MiB)", r.Spilled.Runs, r.Spilled.SpilledBytes>>20))
	}
	for _, p := range r.Pruned {
		l = append(l, "retention: removed "+p)
	}
	return l
}

// Run builds and publishes the delta partition.
func (j *DeltaJob) Run(ctx context.Context) (*DeltaResult, error) {
	if _, err := ParseDay(j.Day); err != nil {
		return nil, err
	}
	if j.FlagColumn == "" {
		j.FlagColumn = DefaultFlagColumn
	}
	if j.Log == nil {
		j.Log = slog.New(slog.DiscardHandler)
	}
	opts := extsort.Options{MemoryBytes: j.MemoryBytes, Dir: j.SpillDir}
	var delta *Delta
	schema, err := j.Source(ctx, func(b *record.Batch) error {
		if delta == nil {
			var err error
			if delta, err = NewDelta(b.Schema(), j.Delta, opts); err != nil {
				return err
			}
		}
		return delta.Add(b)
	})
	if err == nil && delta == nil {
		delta, err = NewDelta(schema, j.Delta, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("delta: %w", err)
	}
	defer delta.Close()
	rows, err := delta.Stream()
	if err != nil {
		return nil, err
	}
	out := delta.Schema()
	flag := out.Index(j.FlagColumn)
	if flag < 0 {
		out = append(out, record.Column{Name: j.FlagColumn, Kind: record.Bool, SourceType: "datax"})
		flag = len(out) - 1
	} else if out[flag].Kind != record.Bool {
		return nil, fmt.Errorf("column %s is the deleted flag and must be bool, but it is %s", j.FlagColumn, out[flag].Kind)
	}
	proj := NewProjection(out, delta.Rows()).Skip(flag)
	w, err := NewPartitionWriter(ctx, j.Table, j.Day, out, j.Writer, plugin.Env{Log: j.Log})
	if err != nil {
		return nil, err
	}
	res := &DeltaResult{Dir: storage.URL(j.Table.FS, j.Table.Dir(j.Day))}
	err = func() error {
		sink := w.Sink()
		for {
			b, err := rows.Next()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			ob, err := sink.Batch()
			if err != nil {
				return err
			}
			for i := 0; i < b.Len(); i++ {
				proj.Append(ob, b, i)
				del := delta.IsDelete(b, i)
				ob.Col(flag).AppendBool(del)
				if del {
					res.Deletes++
				}
			}
			res.Rows += int64(b.Len())
			if err := sink.Send(ob); err != nil {
				return err
			}
		}
	}()
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		w.Abort(err)
		return res, err
	}
	res.Records = delta.Records()
	res.Spilled = delta.SortStats()
	if err := w.Commit(&Info{SortKey: j.Delta.Key, Order: OrderVersion, Day: j.Day}); err != nil {
		return res, err
	}
	res.Pruned, err = j.Table.Prune(j.Day, j.KeepDays)
	return res, err
}
