// Package drift corrects data drift around midnight (SPEC.md §6, after the
// Alibaba book's treatment of Taobao's Double-11 orders). A change log cut
// into daily partitions by one timestamp puts changes from just before
// midnight into the next day's partition, or misses them. For business date
// D, window W (15 minutes by default) and an explicit time zone, Drift
// rebuilds D's partition from the change log of D and D+1:
//
//  1. changes whose modified_time is on D and whose log_time is before
//     D+1 00:00 + W, and changes modified before D but logged in
//     [D 00:00 + W, D+1 00:00 + W) (logged more than W after their own day,
//     so no earlier day takes them); per key the last (by log_time, then
//     position);
//  2. changes with log_time in [D+1 00:00, D+1 00:00 + W) whose
//     modified_time is on D+1 and whose non-null proc_time columns all fall
//     on D — changes that really crossed midnight; per key the first (by
//     modified_time, then log_time, then position);
//  3. the full outer join of 1 and 2 on the key, 2 winning where both have
//     the key (it is always the later change).
//
// Step 1 assigns every change to exactly one day, so that running D after D
// never loses nor duplicates a change: a change belongs to its modified day
// M when it is logged before M+1 00:00 + W, else to the day X whose
// [X 00:00 + W, X+1 00:00 + W) holds its log time. SPEC §6's literal step 1
// (log_time in [D 00:00 − W, D+1 00:00 + W), modified on D) lost the
// changes logged later than that. Step 2 puts copies of D+1's changes back
// on D by design.
//
// Optionally the result is restricted by proc_time as the book does. The
// Redundant mode instead keeps W extra at both ends (the last change per
// key) and leaves the cut to downstream.
//
// It is built from merge's pieces: the two sets are sorted by extsort under
// a memory budget (with spill), merge.Select keeps the last or first change
// per key, and merge.FullOuter joins them with a merge.Rule. Memory stays
// bounded whatever the size of the change log.
package drift

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"datax/extsort"
	"datax/merge"
	"datax/record"
	"datax/rowstream"
	"datax/sortkey"
	"datax/spec"
)

// ErrNextMissing is returned by Run when the input holds no change at or
// after D+1 00:00 + W: D+1's change log is missing or incomplete, so the
// changes that drifted over midnight cannot be put back.
var ErrNextMissing = errors.New("the change log of D+1 is missing")

// Drift gathers change records and writes D's partition. Use it from one
// goroutine: Add every batch, Run once, Close.
type Drift struct {
	rules *Rules
	mode  Mode
	in    record.Schema
	out   record.Schema
	proj  *merge.Projection
	day   Day
	loc   *time.Location
	ts    Timestamps
	w     int64 // W in microseconds
	lo    int64 // D 00:00 − W (mode redundant only)
	late  int64 // D 00:00 + W: changes of earlier days logged from here on are D's
	hi    int64 // D+1 00:00 + W
	key   sortkey.Cols

	logT, modT int   // column positions, -1 when not configured
	cut        int   // the column the windows apply to (logT, or modT in redundant mode without logT)
	procs      []int // proc_time columns
	procDate   []bool

	// today holds set 1 (or the redundant window), drifted set 2.
	today, drifted *extsort.Sorter
	sel            [2][]int // rows of the batch being added that go to each
	scratch        [2]*record.Batch

	latest int64 // largest value of the cut column seen
	seen   bool
	ran    bool
	st     Stats
}

// Stats count what a drift correction did. Change records are input rows;
// rows are output rows (one per key).
type Stats struct {
	Mode       Mode
	Day        Day
	Zone       string
	Timestamps Timestamps
	Window     time.Duration

	Records    int64 // change records read
	Today      int64 // records of set 1 (in mode redundant: in the window), LateKept included
	LateKept   int64 // of Today: records modified before D and logged in [D 00:00 + W, D+1 00:00 + W), more than W after their day
	Candidates int64 // records of set 2: changes of D+1's first W modified on D+1 with business times on D
	LatePrev   int64 // records modified before D and logged in D's first W: D−1's, dropped
	ExcludedBy int64 // records of D+1's first W modified on D+1 whose business time is not on D
	NullTime   int64 // records without a log time or modified time, ignored
	Outside    int64 // other records: outside the windows

	Rows       int64  // rows written
	LateLogs   int64  // rows whose change was modified on D and logged on D+1 (put back)
	Drifted    int64  // rows taken from set 2 (put back)
	Replaced   int64  // of Drifted: keys whose D change was replaced by the drifted one
	Restricted int64  // rows dropped by restrictProcTime
	Latest     string // the latest log time (modified time in mode redundant without one) seen, as text
}

// PutBack is the number of rows put back from D+1: late logs of changes
// modified on D, and changes that drifted over midnight.
func (s Stats) PutBack() int64 { return s.LateLogs + s.Drifted }

// Lines renders the report for a summary.
func (s Stats) Lines() []string {
	head := fmt.Sprintf("drift: D=%s (%s, %s, a %gh day), W %s, mode %s: %d change records → %d rows",
		FormatDate(s.Day.Date), s.Zone, s.Timestamps, s.Day.Hours(), shortDuration(s.Window), s.Mode, s.Records, s.Rows)
	if s.Mode == Redundant {
		return []string{head, fmt.Sprintf("drift: %d change records in D ± W, the last per key kept; %d outside, %d without a time", s.Today, s.Outside, s.NullTime)}
	}
	l := []string{head, fmt.Sprintf("drift: %d rows put back from D+1 (%d late logs of changes modified on D, %d changes that drifted over midnight, %d of them replacing D's last change), %d changes logged more than W after their day, kept on this day, %d changes dropped as D−1 late logs, %d changes excluded by proc_time",
		s.PutBack(), s.LateLogs, s.Drifted, s.Replaced, s.LateKept, s.LatePrev, s.ExcludedBy)}
	if s.Restricted > 0 {
		l = append(l, fmt.Sprintf("drift: %d rows dropped by restrictProcTime (business times not all on D)", s.Restricted))
	}
	if s.NullTime > 0 {
		l = append(l, fmt.Sprintf("drift: %d change records without a log time or modified time were ignored", s.NullTime))
	}
	return l
}

// shortDuration renders 15m rather than 15m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// New prepares a drift correction of change records with schema in. Every
// configured column must exist with a fitting type; errors are *spec.Error
// naming the parameter (relative to the rules object).
func New(in record.Schema, r *Rules, opts extsort.Options) (*Drift, error) {
	loc, ts, err := r.zoned()
	if err != nil {
		return nil, err
	}
	date, err := ParseDate(r.Day)
	if err != nil {
		return nil, spec.Errorf("day", "%v", err)
	}
	if err := r.Window.check(); err != nil {
		return nil, spec.Errorf("window", "%v", err)
	}
	d := &Drift{rules: r, mode: r.Mode, in: in, loc: loc, ts: ts, logT: -1, modT: -1}
	if d.mode == "" {
		d.mode = Correct
	}
	d.day = NewDay(date, loc, ts)
	d.w = r.Window.Microseconds()
	d.lo, d.late, d.hi = d.day.Start-d.w, d.day.Start+d.w, d.day.End+d.w
	d.st = Stats{Mode: d.mode, Day: d.day, Zone: r.TimeZone, Timestamps: ts, Window: r.Window.Duration}

	if d.key, err = sortkey.New(in, r.Key); err != nil {
		return nil, spec.Errorf("key", "%v", err)
	}
	if r.LogTime != "" {
		if d.logT, err = column(in, "logTime", r.LogTime, false); err != nil {
			return nil, err
		}
	}
	if r.ModifiedTime != "" {
		if d.modT, err = column(in, "modifiedTime", r.ModifiedTime, false); err != nil {
			return nil, err
		}
	}
	if d.mode == Correct && (d.logT < 0 || d.modT < 0) {
		return nil, spec.Errorf("logTime", "mode correct needs logTime and modifiedTime")
	}
	d.cut = d.logT
	if d.cut < 0 {
		d.cut = d.modT
	}
	if d.cut < 0 {
		return nil, spec.Errorf("logTime", "mode redundant needs logTime or modifiedTime")
	}
	for i, name := range r.ProcTime {
		j, err := column(in, fmt.Sprintf("procTime[%d]", i), name, true)
		if err != nil {
			return nil, err
		}
		d.procs = append(d.procs, j)
		d.procDate = append(d.procDate, in[j].Kind == record.Date)
	}
	pos := -1
	if r.Position != "" {
		if pos = in.Index(r.Position); pos < 0 {
			return nil, spec.Errorf("position", "column %s not found (the columns are: %s)", r.Position, strings.Join(in.Names(), ", "))
		}
	}
	for i, name := range r.Drop {
		if in.Index(name) < 0 {
			return nil, spec.Errorf(fmt.Sprintf("drop[%d]", i), "column %s not found (the columns are: %s)", name, strings.Join(in.Names(), ", "))
		}
		if slices.Contains(r.Key, name) {
			return nil, spec.Errorf(fmt.Sprintf("drop[%d]", i), "%s is a key column; it cannot be dropped", name)
		}
	}
	for _, c := range in {
		if !slices.Contains(r.Drop, c.Name) {
			d.out = append(d.out, c)
		}
	}
	d.proj = merge.NewProjection(d.out, in)

	// Sort orders: the key, then what "last" and "first" mean, then every
	// other column, so that the choice never depends on arrival order.
	if opts.MemoryBytes <= 0 {
		opts.MemoryBytes = 64 << 20
	}
	if d.mode == Redundant {
		d.today = extsort.New(in, order(in, d.key, d.cut, pos), opts)
	} else {
		o1, o2 := opts, opts
		o1.MemoryBytes = opts.MemoryBytes * 3 / 4 // set 2 holds at most D+1's first W
		o2.MemoryBytes = opts.MemoryBytes - o1.MemoryBytes
		d.today = extsort.New(in, order(in, d.key, d.logT, pos), o1)
		d.drifted = extsort.New(in, order(in, d.key, d.modT, d.logT, pos), o2)
	}
	d.scratch = [2]*record.Batch{record.NewBatch(in), record.NewBatch(in)}
	return d, nil
}

// column finds a time column: a timestamp (or, when date is allowed, a
// date). param names it in errors.
func column(in record.Schema, param, name string, date bool) (int, error) {
	j := in.Index(name)
	if j < 0 {
		return -1, spec.Errorf(param, "column %s not found (the columns are: %s)", name, strings.Join(in.Names(), ", "))
	}
	switch k := in[j].Kind; {
	case k == record.Timestamp, k == record.Date && date:
		return j, nil
	default:
		want := "a timestamp"
		if date {
			want = "a timestamp or a date"
		}
		return -1, spec.Errorf(param, "column %s is %s, not a time: drift needs %s (declare the column's type as timestamp in the reader)", name, k, want)
	}
}

// order is the sort order key, then the columns cols (skipping -1), then
// every other column of s.
func order(s record.Schema, key sortkey.Cols, cols ...int) sortkey.Cols {
	o := key
	used := slices.Clone(key.Index())
	for _, j := range cols {
		if j >= 0 && !slices.Contains(used, j) {
			o = o.Concat(sortkey.Of(s, j))
			used = append(used, j)
		}
	}
	var rest []int
	for j := range s {
		if !slices.Contains(used, j) {
			rest = append(rest, j)
		}
	}
	return o.Concat(sortkey.Of(s, rest...))
}

// Schema returns the output schema: the input's columns less the dropped
// ones.
func (d *Drift) Schema() record.Schema { return d.out }

// Day returns the cuts of D.
func (d *Drift) Day() Day { return d.day }

// onD reports whether every non-null proc_time column of row i falls on D.
func (d *Drift) onD(b *record.Batch, i int) bool {
	for k, j := range d.procs {
		v := b.Col(j)
		if v.IsNull(i) {
			continue
		}
		x := v.Int(i)
		if d.procDate[k] {
			if x != d.day.Date {
				return false
			}
		} else if x < d.day.Start || x >= d.day.End {
			return false
		}
	}
	return true
}

// Add takes a batch of change records (input schema) and keeps those the
// windows select.
func (d *Drift) Add(b *record.Batch) error {
	if d.ran {
		return errors.New("drift: Add after Run")
	}
	sel1, sel2 := d.sel[0][:0], d.sel[1][:0]
	cut := b.Col(d.cut)
	var mod *record.Vector
	if d.mode == Correct {
		mod = b.Col(d.modT)
	}
	n := b.Len()
	d.st.Records += int64(n)
	for i := 0; i < n; i++ {
		if cut.IsNull(i) || (mod != nil && mod.IsNull(i)) {
			d.st.NullTime++
			continue
		}
		t := cut.Int(i)
		if !d.seen || t > d.latest {
			d.latest, d.seen = t, true
		}
		if t >= d.hi || (d.mode == Redundant && t < d.lo) {
			d.st.Outside++
			continue
		}
		if d.mode == Redundant {
			sel1 = append(sel1, i)
			continue
		}
		// Every change belongs to the step 1 of exactly one day: its modified
		// day M when logged before M+1 00:00 + W, else the day X with its log
		// time in [X 00:00 + W, X+1 00:00 + W).
		switch m := mod.Int(i); {
		case m >= d.day.Start && m < d.day.End:
			sel1 = append(sel1, i)
		case m < d.day.Start && t >= d.late:
			sel1 = append(sel1, i) // logged more than W after its day: D's
			d.st.LateKept++
		case m < d.day.Start && t >= d.day.Start:
			d.st.LatePrev++ // logged in D's first W: D−1's
		case t >= d.day.End && m >= d.day.End && m < d.day.Next:
			if d.onD(b, i) {
				sel2 = append(sel2, i)
			} else {
				d.st.ExcludedBy++
			}
		default:
			d.st.Outside++
		}
	}
	d.sel = [2][]int{sel1, sel2}
	d.st.Today += int64(len(sel1))
	d.st.Candidates += int64(len(sel2))
	if err := d.add(d.today, b, sel1, 0); err != nil {
		return err
	}
	return d.add(d.drifted, b, sel2, 1)
}

// add adds the selected rows of b to sorter s: the batch itself when every
// row is selected (most of D's change log), else a copy of those rows in
// scratch batch k.
func (d *Drift) add(s *extsort.Sorter, b *record.Batch, sel []int, k int) error {
	switch len(sel) {
	case 0:
		return nil
	case b.Len():
		return s.Add(b)
	}
	c := d.scratch[k]
	c.Reset(d.in)
	for _, i := range sel {
		c.AppendRow(b, i)
	}
	return s.Add(c)
}

// formatTime renders a value of the time axis for messages.
func (d *Drift) formatTime(x int64) string {
	if d.ts == Instant {
		return time.UnixMicro(x).In(d.loc).Format("2006-01-02 15:04:05 MST")
	}
	return string(record.AppendTimestamp(nil, x, 0)) + " " + d.rules.TimeZone
}

// Run ends the input, checks that D+1's window is covered (unless
// allowMissingNext), and sends D's rows, sorted by key, to sink. Nothing is
// sent when it fails before the first row.
func (d *Drift) Run(sink merge.Sink) (Stats, error) {
	if d.ran {
		return d.st, errors.New("drift: Run called twice")
	}
	d.ran = true
	if d.seen {
		d.st.Latest = d.formatTime(d.latest)
	}
	if !d.rules.AllowMissingNext && (!d.seen || d.latest < d.hi) {
		latest := "there is none"
		if d.seen {
			latest = "the latest is " + d.st.Latest
		}
		col := d.in[d.cut].Name
		return d.st, fmt.Errorf("%w: the input has no change with %s at or after D+1 00:00 + W = %s (%s), so changes that crossed midnight into D+1 cannot be put back on D; read D+1's change log too, after its first %s has passed, or set allowMissingNext to accept the gap",
			ErrNextMissing, col, d.formatTime(d.hi), latest, shortDuration(d.rules.Window.Duration))
	}
	w := &emitter{d: d, sink: sink}
	sorted, err := d.today.Sort()
	if err != nil {
		return d.st, err
	}
	today := merge.Select(sorted, d.key, merge.SelectOptions{Pick: merge.Last})
	if d.mode == Redundant {
		for {
			b, err := today.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return d.st, err
			}
			for i := 0; i < b.Len(); i++ {
				if err := w.row(b, i); err != nil {
					return d.st, err
				}
			}
		}
		return d.st, w.flush()
	}
	sorted2, err := d.drifted.Sort()
	if err != nil {
		return d.st, err
	}
	drifted := merge.Select(sorted2, d.key, merge.SelectOptions{Pick: merge.First})
	if err := d.join(today, drifted, w); err != nil {
		return d.st, err
	}
	return d.st, w.flush()
}

// DriftedWins is the Rule of step 3 (set 1 on the left, set 2 on the
// right): where both sets have the key, the drifted record wins; it is
// always the later change.
var DriftedWins merge.Rule = merge.RightWins

func (d *Drift) join(today, drifted rowstream.Stream, w *emitter) error {
	j := merge.NewFullOuter(today, d.key, drifted, d.key)
	for {
		l, r, err := j.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		row, fromNext := l, r.Ok() && (!l.Ok() || DriftedWins(l, r) == merge.Right)
		if fromNext {
			row = r
		}
		if d.rules.RestrictProcTime && !d.onD(row.B, row.I) {
			d.st.Restricted++
			continue
		}
		switch {
		case fromNext:
			d.st.Drifted++
			if l.Ok() {
				d.st.Replaced++
			}
		case row.B.Col(d.logT).Int(row.I) >= d.day.End && row.B.Col(d.modT).Int(row.I) >= d.day.Start:
			d.st.LateLogs++
		}
		if err := w.row(row.B, row.I); err != nil {
			return err
		}
	}
}

// emitter fills the sink's batches with output rows.
type emitter struct {
	d    *Drift
	sink merge.Sink
	out  *record.Batch
}

func (e *emitter) row(b *record.Batch, i int) error {
	if e.out == nil {
		out, err := e.sink.Batch()
		if err != nil {
			return err
		}
		e.out = out
	}
	e.d.proj.Append(e.out, b, i)
	e.d.st.Rows++
	if e.sink.Full(e.out) {
		return e.flush()
	}
	return nil
}

func (e *emitter) flush() error {
	if e.out == nil {
		return nil
	}
	b := e.out
	e.out = nil
	return e.sink.Send(b)
}

// SortStats says how the sorts went (spill runs), set 1 then set 2.
func (d *Drift) SortStats() []extsort.Stats {
	s := []extsort.Stats{d.today.Stats()}
	if d.drifted != nil {
		s = append(s, d.drifted.Stats())
	}
	return s
}

// Close releases the sorts' memory and spill files.
func (d *Drift) Close() error {
	var errs []error
	for _, s := range []*extsort.Sorter{d.today, d.drifted} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	return errors.Join(errs...)
}
