// Package merge turns a day's changes into today's full snapshot (SPEC.md
// §5): a change log (or a modified_time window extraction) becomes the
// delta — one row per key, the last change, deletes by one of three modes —
// and the delta is merged into yesterday's key-sorted snapshot by a
// streaming full outer join on the key, optionally anti-joined with a key
// scan of the source to find physical deletes. Memory stays bounded: inputs
// that are not sorted yet go through extsort, and the join holds one batch
// per input.
//
// The pieces are reusable: Select keeps one row per key (first or last),
// FullOuter walks two key-sorted streams in step, a Rule says who wins a key
// present on both sides. drift builds on them.
package merge

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"datax/record"
	"datax/rowstream"
	"datax/sortkey"
)

// Deletes says what a delete (from the delta, or found by the key scan)
// does to the snapshot.
type Deletes string

// The ways to apply a delete.
const (
	// Flag keeps the key with its deleted flag set (and the day it was
	// deleted): the warehouse keeps the history of deleted rows.
	Flag Deletes = "flag"
	// Remove drops the key from the snapshot.
	Remove Deletes = "remove"
)

// Default names of the flag columns a merge adds in Flag mode.
const (
	DefaultFlagColumn    = "dx_deleted"
	DefaultFlagDayColumn = "dx_deleted_dt"
)

// Rules configure the join of a delta with the previous snapshot.
type Rules struct {
	Key []string
	// Version, when set, is a column of both sides: a delta row only
	// replaces a snapshot row whose version is not larger (nulls are
	// smallest), so an older or replayed delta never moves data backwards.
	// A delete whose version is null (change logs often carry only the key
	// of a delete) takes the snapshot row's version: it is applied. The
	// version must grow over a key's whole life, across a delete and a
	// re-insert (a log position, a monotonic change id), not restart.
	Version string
	Deletes Deletes
	// FlagColumn (a bool) and FlagDayColumn (a date; empty: none) are the
	// columns Flag mode sets on deleted rows.
	FlagColumn, FlagDayColumn string
	// Day is the snapshot's day (days since 1970-01-01): the value of
	// FlagDayColumn on rows deleted by this merge.
	Day int64
	// SoftDelete and SoftDeleteValues name the soft-delete column (as in
	// DeltaRules): a flagged snapshot row it marks deleted is still at the
	// source, so the key scan finding its key does not unflag it.
	SoftDelete       string
	SoftDeleteValues []string
	// MinScanShare is the key scan's guard: at least this share of the
	// snapshot's live rows must stay live, i.e. the merge fails when the
	// scan would delete more than (1 − MinScanShare) of them. Keys new at
	// the source do not count. 0: no guard (every live key the scan lacks
	// is deleted, even all of them).
	MinScanShare float64
}

// Input is one side of the merge: its schema and its rows.
type Input struct {
	Schema record.Schema
	Rows   rowstream.Stream
}

// Sink receives the merged rows, batch by batch: Batch gives an empty
// batch of the output schema to fill, Full says when to Send it.
// channel.Sender fits through SenderSink.
type Sink interface {
	Batch() (*record.Batch, error)
	Full(*record.Batch) bool
	Send(*record.Batch) error
}

// Stats count what a merge did.
type Stats struct {
	DeltaRows      int64 // delta rows (one per key)
	SnapshotRows   int64 // rows of the previous snapshot
	Inserted       int64 // keys new in the snapshot
	Updated        int64 // snapshot rows replaced by the delta
	Deleted        int64 // keys deleted by the delta (flagged or removed)
	ScanDeleted    int64 // keys found gone by the key scan (flagged or removed)
	Carried        int64 // snapshot rows kept as they were
	Older          int64 // delta rows ignored because their version was smaller
	ScanKeys       int64 // distinct keys the scan returned
	ScanUnknown    int64 // scanned keys in neither the snapshot nor the delta
	ScanLive       int64 // live snapshot keys the scan returned
	Unflagged      int64 // flagged snapshot keys the scan found at the source again: unflagged
	LiveSnapshot   int64 // snapshot rows not flagged deleted
	Output         int64 // rows written
	AlreadyFlagged int64 // snapshot rows that were flagged deleted before
	// Scanned says a key scan took part.
	Scanned bool
	// UnknownKeys and OlderKeys are up to MaxExamples keys of ScanUnknown
	// and Older, as key=value text.
	UnknownKeys, OlderKeys []string
}

// MaxExamples is how many example keys Stats keeps of a count.
const MaxExamples = 10

// ScanShare returns the share of the live snapshot rows the key scan
// deleted (0 when there was none).
func (s Stats) ScanShare() float64 {
	if s.LiveSnapshot == 0 {
		return 0
	}
	return float64(s.ScanDeleted) / float64(s.LiveSnapshot)
}

func examples(keys []string, n int64) string {
	t := strings.Join(keys, "; ")
	if n > int64(len(keys)) {
		t += "; ..."
	}
	return t
}

// Lines renders the stats for a summary.
func (s Stats) Lines() []string {
	l := []string{fmt.Sprintf("merge: %d delta rows, %d snapshot rows → %d rows: %d inserted, %d updated, %d deleted, %d carried",
		s.DeltaRows, s.SnapshotRows, s.Output, s.Inserted, s.Updated, s.Deleted, s.Carried)}
	if s.Older > 0 {
		l = append(l, fmt.Sprintf("merge: %d delta rows were older than the snapshot (a smaller version) and ignored: %s (the version must grow over a key's whole life; a counter that restarts when a key is inserted again makes the re-insert look older)",
			s.Older, examples(s.OlderKeys, s.Older)))
	}
	if s.Scanned {
		l = append(l, fmt.Sprintf("merge: key scan: %d keys in the source; %d of the %d live snapshot keys are gone from it (%.2f%%)",
			s.ScanKeys, s.ScanDeleted, s.LiveSnapshot, 100*s.ScanShare()))
		if s.Unflagged > 0 {
			l = append(l, fmt.Sprintf("merge: key scan: %d flagged keys are back at the source: unflagged", s.Unflagged))
		}
		if s.ScanUnknown > 0 {
			l = append(l, fmt.Sprintf("merge: WARNING: the key scan found %d source keys in neither the snapshot nor the delta — rows the warehouse is missing (a day not merged, or rows whose delta.time did not change): %s",
				s.ScanUnknown, examples(s.UnknownKeys, s.ScanUnknown)))
		}
	}
	return l
}

// ErrScanGuard is returned when the key scan returned implausibly few keys.
var ErrScanGuard = errors.New("key scan guard")

// Plan is a prepared merge: the output schema and how each side maps to it.
type Plan struct {
	rules   Rules
	out     record.Schema
	snap    record.Schema
	notes   []string
	flag    int // output positions of the flag columns, or -1
	flagDt  int
	dKey    sortkey.Cols
	sKey    sortkey.Cols
	dVer    int // version column on each side, or -1
	sVer    int
	verKind record.Kind
	dProj   *Projection // delta body (flag columns left to the merge)
	sBody   *Projection // snapshot body (flag columns left to the merge)
	sFlag   int         // snapshot's flag column, or -1
	sFlagD  int
	sSoft   *softDelete // the snapshot's soft-delete column, or nil
	// runSrc maps each output column to the snapshot column carried rows
	// copy (-1: null, notDeleted: false).
	runSrc []int
}

// Out returns the output schema.
func (p *Plan) Out() record.Schema { return p.out }

// Notes returns remarks about the schemas (added or missing columns).
func (p *Plan) Notes() []string { return p.notes }

// NewPlan checks that a delta whose rows have schema rows, of which the
// columns of out are kept (nil: all), can be merged into a snapshot with
// schema snap (nil for a first snapshot) and computes the
// output schema: the snapshot's columns, then columns new in the delta
// (nullable), then the flag columns in Flag mode. A key column missing, or
// a column whose type changed incompatibly, is an error naming it.
func NewPlan(rows, delta, snap record.Schema, r Rules) (*Plan, error) {
	if delta == nil {
		delta = rows
	}
	if r.Deletes == "" {
		r.Deletes = Flag
	}
	if r.FlagColumn == "" {
		r.FlagColumn = DefaultFlagColumn
	}
	p := &Plan{rules: r, snap: snap, flag: -1, flagDt: -1, dVer: -1, sVer: -1, sFlag: -1, sFlagD: -1}
	var err error
	if p.dKey, err = sortkey.New(rows, r.Key); err != nil {
		return nil, fmt.Errorf("delta: key: %w", err)
	}
	base := snap
	if snap == nil {
		base = delta
	} else if p.sKey, err = sortkey.New(snap, r.Key); err != nil {
		return nil, fmt.Errorf("previous snapshot: key: %w", err)
	}
	var problems []string
	for _, c := range base {
		out := c
		if j := delta.Index(c.Name); j >= 0 {
			dc := delta[j]
			merged, err := mergeColumn(c, dc)
			if err != nil {
				problems = append(problems, err.Error())
				continue
			}
			out = merged
		} else if snap != nil && c.Name != r.FlagColumn && c.Name != r.FlagDayColumn {
			p.notes = append(p.notes, fmt.Sprintf("column %s is in the previous snapshot but not in the delta: changed rows get null", c.Name))
			out.NotNull = false
		}
		p.out = append(p.out, out)
	}
	if snap != nil {
		for _, c := range delta {
			if snap.Index(c.Name) < 0 {
				c.NotNull = false
				p.out = append(p.out, c)
				p.notes = append(p.notes, fmt.Sprintf("column %s is new in the delta: added (null in carried rows)", c.Name))
			}
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("the delta does not fit the previous snapshot: %s", strings.Join(problems, "; "))
	}
	if snap != nil {
		if err := p.dKey.Comparable(p.sKey); err != nil {
			return nil, err
		}
	}
	if r.Version != "" {
		if p.dVer = rows.Index(r.Version); p.dVer < 0 || delta.Index(r.Version) < 0 {
			return nil, fmt.Errorf("version: column %s not found in the delta (columns: %s)", r.Version, strings.Join(delta.Names(), ", "))
		}
		if snap != nil {
			if p.sVer = snap.Index(r.Version); p.sVer < 0 {
				return nil, fmt.Errorf("version: column %s not found in the previous snapshot (columns: %s)", r.Version, strings.Join(snap.Names(), ", "))
			}
		}
	}
	if r.Deletes == Flag {
		p.flag = p.ensure(r.FlagColumn, record.Bool)
		if r.FlagDayColumn != "" {
			p.flagDt = p.ensure(r.FlagDayColumn, record.Date)
		}
	} else {
		// Remove mode keeps up flag columns a snapshot already has.
		p.flag, p.flagDt = p.out.Index(r.FlagColumn), -1
		if r.FlagDayColumn != "" {
			p.flagDt = p.out.Index(r.FlagDayColumn)
		}
	}
	{
		for _, c := range []struct {
			j    int
			kind record.Kind
		}{{p.flag, record.Bool}, {p.flagDt, record.Date}} {
			if c.j >= 0 && p.out[c.j].Kind != c.kind {
				return nil, fmt.Errorf("column %s is the deleted flag and must be %s, but it is %s", p.out[c.j].Name, c.kind, p.out[c.j].Kind)
			}
		}
	}
	p.dProj = NewProjection(p.out, rows).Skip(p.flag, p.flagDt)
	for j, c := range p.out {
		if delta.Index(c.Name) < 0 && p.dProj.src[j] >= 0 {
			p.dProj.src[j] = -1 // a dropped column of the delta
		}
	}
	if p.dVer >= 0 {
		p.verKind = rows[p.dVer].Kind
		if p.sVer >= 0 && snap[p.sVer].Kind != p.verKind {
			return nil, fmt.Errorf("version: column %s is %s in the delta and %s in the previous snapshot", r.Version, p.verKind, snap[p.sVer].Kind)
		}
	}
	if snap != nil {
		p.sBody = NewProjection(p.out, snap).Skip(p.flag, p.flagDt)
		if r.FlagColumn != "" {
			if j := snap.Index(r.FlagColumn); j >= 0 && snap[j].Kind == record.Bool {
				p.sFlag = j
			}
		}
		if r.FlagDayColumn != "" {
			if j := snap.Index(r.FlagDayColumn); j >= 0 && snap[j].Kind == record.Date {
				p.sFlagD = j
			}
		}
		if r.SoftDelete != "" && snap.Index(r.SoftDelete) >= 0 {
			if p.sSoft, err = newSoftDelete(snap, r.SoftDelete, r.SoftDeleteValues); err != nil {
				return nil, fmt.Errorf("previous snapshot: %w", err)
			}
		}
		// Carried rows keep the snapshot's flags; a snapshot without the
		// flag column has no deleted row (false, no day).
		p.runSrc = slices.Clone(p.sBody.src)
		if p.flag >= 0 {
			p.runSrc[p.flag] = p.sFlag
			if p.sFlag < 0 {
				p.runSrc[p.flag] = notDeleted
			}
		}
		if p.flagDt >= 0 {
			p.runSrc[p.flagDt] = -1
			if p.sFlag >= 0 && p.sFlagD >= 0 {
				p.runSrc[p.flagDt] = p.sFlagD
			}
		}
	}
	return p, nil
}

// ensure returns the output position of column name, adding it with kind
// when absent.
func (p *Plan) ensure(name string, kind record.Kind) int {
	if j := p.out.Index(name); j >= 0 {
		return j
	}
	p.out = append(p.out, record.Column{Name: name, Kind: kind, SourceType: "datax"})
	return len(p.out) - 1
}

// mergeColumn returns the output column for a column of both sides, or the
// reason the delta's type does not fit the snapshot's.
func mergeColumn(s, d record.Column) (record.Column, error) {
	if s.Kind != d.Kind {
		return s, fmt.Errorf("column %s is %s in the previous snapshot and %s in the delta (an incompatible type change; rebuild the snapshot from a full extraction with --initial --force, or cast in the extraction)", s.Name, s.Kind, d.Kind)
	}
	out := s
	out.NotNull = s.NotNull && d.NotNull
	if s.Kind == record.Decimal && s.Precision > 0 {
		switch {
		case d.Precision == 0:
			out.Precision = 0
		case d.Scale != s.Scale:
			return s, fmt.Errorf("column %s is decimal(%d,%d) in the previous snapshot and decimal(%d,%d) in the delta (a scale change is not a widening)", s.Name, s.Precision, s.Scale, d.Precision, d.Scale)
		default:
			out.Precision = max(s.Precision, d.Precision)
		}
	}
	return out, nil
}

// Run merges the delta (sorted by key, one row per key; isDelete marks its
// deletes) into the snapshot (sorted by key, one row per key; nil Rows for a
// first snapshot) and sends the result, sorted by key, to sink. scan, when
// not nil, holds the source's keys sorted by key (duplicates allowed).
func (p *Plan) Run(delta Input, isDelete func(*record.Batch, int) bool, snap Input, scan *Input, sink Sink) (Stats, error) {
	m := &merger{p: p, sink: sink, isDelete: isDelete}
	if isDelete == nil {
		m.isDelete = func(*record.Batch, int) bool { return false }
	}
	snapRows := snap.Rows
	if snapRows == nil {
		snapRows = rowstream.Slice()
		m.p.sKey = m.p.dKey
	}
	counted := &counter{in: snapRows}
	j := NewFullOuter(delta.Rows, p.dKey, counted, p.sKey)
	if scan != nil {
		k, err := sortkey.New(scan.Schema, p.rules.Key)
		if err != nil {
			return m.st, fmt.Errorf("key scan: %w", err)
		}
		if err := k.Comparable(p.dKey); err != nil {
			return m.st, fmt.Errorf("key scan: %w", err)
		}
		m.scan = newCursor(Select(scan.Rows, k, SelectOptions{Pick: First}), k)
		m.st.Scanned = true
	}
	for {
		d, s, err := j.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return m.st, err
		}
		if err := m.key(d, s); err != nil {
			return m.st, err
		}
		if s.Ok() && s.I == s.B.Len()-1 {
			// The join moves past this snapshot batch next: no run may
			// point into it any more.
			if err := m.flushRun(); err != nil {
				return m.st, err
			}
		}
	}
	if err := m.flushRun(); err != nil {
		return m.st, err
	}
	if err := m.flush(); err != nil {
		return m.st, err
	}
	m.st.SnapshotRows = counted.rows
	if m.scan != nil {
		for m.scan.row().Ok() {
			m.unknown(m.scan.row())
		}
		if m.scan.err != nil {
			return m.st, fmt.Errorf("key scan: %w", m.scan.err)
		}
		if err := p.guard(m.st); err != nil {
			return m.st, err
		}
	}
	return m.st, nil
}

// guard refuses a key scan that deletes more than (1 − MinScanShare) of
// the snapshot's live rows.
func (p *Plan) guard(st Stats) error {
	share := p.rules.MinScanShare
	if share <= 0 {
		return nil
	}
	// The largest number of deletes allowed (the epsilon keeps 10% of 100
	// at 10 despite binary fractions).
	allowed := int64(math.Floor((1-share)*float64(st.LiveSnapshot) + 1e-6))
	if st.ScanDeleted <= allowed {
		return nil
	}
	found := "it returned no keys at all"
	if st.ScanKeys > 0 {
		found = fmt.Sprintf("it returned %d keys, %d of them live snapshot keys", st.ScanKeys, st.ScanLive)
	}
	return fmt.Errorf("%w: the key scan would delete %d of the %d live rows of the previous snapshot (%.2f%%), more than the %.2f%% that keyScan.minShare %.2f allows (%s); a partial read or the wrong table must not delete rows, so nothing is published",
		ErrScanGuard, st.ScanDeleted, st.LiveSnapshot, 100*st.ScanShare(), 100*(1-share), share, found)
}

type counter struct {
	in   rowstream.Stream
	rows int64
}

func (c *counter) Next() (*record.Batch, error) {
	b, err := c.in.Next()
	if err == nil {
		c.rows += int64(b.Len())
	}
	return b, err
}

type merger struct {
	p        *Plan
	sink     Sink
	isDelete func(*record.Batch, int) bool
	scan     *cursor
	out      *record.Batch
	run      carryRun
	st       Stats
}

// batch makes sure there is an output batch to append a row to, after the
// pending run of carried rows.
func (m *merger) batch() error {
	if err := m.flushRun(); err != nil {
		return err
	}
	return m.outBatch()
}

func (m *merger) outBatch() error {
	if m.out != nil {
		return nil
	}
	b, err := m.sink.Batch()
	m.out = b
	return err
}

// notDeleted in Plan.runSrc fills a flag column with false.
const notDeleted = -3

// carryRun is rows from, ..., to-1 of a snapshot batch, carried as they are.
type carryRun struct {
	b        *record.Batch
	from, to int
}

// flushRun appends the pending run of carried rows to the output.
func (m *merger) flushRun() error {
	r := m.run
	if r.b == nil || r.from == r.to {
		return nil
	}
	m.run = carryRun{}
	if err := m.outBatch(); err != nil {
		return err
	}
	for j, src := range m.p.runSrc {
		v := m.out.Col(j)
		switch src {
		case notDeleted:
			for i := r.from; i < r.to; i++ {
				v.AppendBool(false)
			}
		case -1:
			for i := r.from; i < r.to; i++ {
				v.AppendNull()
			}
		default:
			v.AppendRange(r.b.Col(src), r.from, r.to)
		}
	}
	return m.done()
}

func (m *merger) flush() error {
	if m.out == nil {
		return nil
	}
	b := m.out
	m.out = nil
	m.st.Output += int64(b.Len())
	return m.sink.Send(b)
}

func (m *merger) done() error {
	if m.sink.Full(m.out) {
		return m.flush()
	}
	return nil
}

func (m *merger) flagged(s Row) bool {
	if m.p.sFlag < 0 {
		return false
	}
	v := s.B.Col(m.p.sFlag)
	return !v.IsNull(s.I) && v.Bool(s.I)
}

// scanPass moves the scan (one row per key) past its current key,
// counting it.
func (m *merger) scanPass() {
	m.st.ScanKeys++
	m.scan.advance()
}

// scanHas reports whether the source still has the key of row r (keyed by
// k); it moves the scan up to that key, counting the keys it passes.
func (m *merger) scanHas(k sortkey.Cols, r Row) bool {
	for {
		sr := m.scan.row()
		if !sr.Ok() {
			return false
		}
		c := sortkey.Compare(m.scan.key, sr.B, sr.I, k, r.B, r.I)
		if c == 0 {
			return true
		}
		if c > 0 {
			return false
		}
		m.unknown(sr)
	}
}

// unknown passes the scan's current key, which is in neither the snapshot
// nor the delta, counting it and keeping it as an example.
func (m *merger) unknown(sr Row) {
	m.st.ScanUnknown++
	if len(m.st.UnknownKeys) < MaxExamples {
		m.st.UnknownKeys = append(m.st.UnknownKeys, m.scan.key.Format(sr.B.Schema(), sr.B, sr.I))
	}
	m.scanPass()
}

func (m *merger) key(d, s Row) error {
	if s.Ok() {
		if !m.flagged(s) {
			m.st.LiveSnapshot++
		} else {
			m.st.AlreadyFlagged++
		}
	}
	if m.scan != nil {
		r, k := d, m.p.dKey
		if !r.Ok() {
			r, k = s, m.p.sKey
		}
		has := m.scanHas(k, r)
		if has {
			m.scanPass()
			if s.Ok() && !m.flagged(s) {
				m.st.ScanLive++
			}
		}
		switch {
		case !d.Ok() && !has && !m.flagged(s):
			m.st.ScanDeleted++
			return m.deleted(Row{}, s)
		case !d.Ok() && has && m.flagged(s) && (m.p.sSoft == nil || !m.p.sSoft.deleted(s.B, s.I)):
			// A flagged key the source has again: live, with the values
			// the snapshot last knew. (A soft-deleted row is still at the
			// source, deleted: it stays flagged.)
			m.st.Unflagged++
			return m.unflag(s)
		}
	}
	if d.Ok() {
		m.st.DeltaRows++
	}
	switch {
	case d.Ok() && s.Ok() && m.older(d, s):
		m.st.Older++
		if len(m.st.OlderKeys) < MaxExamples {
			m.st.OlderKeys = append(m.st.OlderKeys, m.p.dKey.Format(d.B.Schema(), d.B, d.I))
		}
		m.st.Carried++
		return m.carry(s)
	case d.Ok() && m.isDelete(d.B, d.I):
		m.st.Deleted++
		return m.deleted(d, s)
	case d.Ok():
		if s.Ok() {
			m.st.Updated++
		} else {
			m.st.Inserted++
		}
		if err := m.batch(); err != nil {
			return err
		}
		m.p.dProj.Append(m.out, d.B, d.I)
		m.appendFlags(false, s)
		return m.done()
	}
	m.st.Carried++
	return m.carry(s)
}

// older reports whether the delta row d is older than the snapshot row s by
// the version rule: its version is smaller (null is smallest), except that
// a delete whose version is null is never older (change logs often carry
// only the key of a delete).
func (m *merger) older(d, s Row) bool {
	if m.p.dVer < 0 || m.p.sVer < 0 {
		return false
	}
	dv := d.B.Col(m.p.dVer)
	if dv.IsNull(d.I) && m.isDelete(d.B, d.I) {
		return false
	}
	return sortkey.Values(m.p.verKind, dv, d.I, s.B.Col(m.p.sVer), s.I) < 0
}

// unflag writes a flagged snapshot row as live (the flags cleared).
func (m *merger) unflag(s Row) error {
	if err := m.batch(); err != nil {
		return err
	}
	m.p.sBody.Append(m.out, s.B, s.I)
	m.appendFlags(false, s)
	return m.done()
}

// carry copies a snapshot row as it is (flag columns the snapshot lacks say
// "not deleted"). Consecutive rows of one batch are gathered into a run and
// copied column by column (flushRun).
func (m *merger) carry(s Row) error {
	if m.run.b != s.B || m.run.to != s.I {
		if err := m.flushRun(); err != nil {
			return err
		}
		m.run = carryRun{b: s.B, from: s.I, to: s.I}
	}
	m.run.to++
	// The snapshot's batch is recycled once the join moves past its last
	// row: copy the run before that.
	if m.run.to == s.B.Len() || m.run.to-m.run.from >= 1024 {
		return m.flushRun()
	}
	return nil
}

// deleted applies a delete of the key of d (the delta's delete row, or none
// when the key scan found the key gone) and s (the snapshot's row, if any).
func (m *merger) deleted(d, s Row) error {
	if m.p.rules.Deletes == Remove {
		return nil
	}
	if err := m.batch(); err != nil {
		return err
	}
	switch {
	case d.Ok() && s.Ok():
		// The delete row's image, completed by the snapshot where it is null.
		for j, src := range m.p.dProj.src {
			switch ss := m.p.sBody.src[j]; {
			case src == skip:
			case src >= 0 && !d.B.Col(src).IsNull(d.I):
				m.out.Col(j).AppendFrom(d.B.Col(src), d.I)
			case ss >= 0:
				m.out.Col(j).AppendFrom(s.B.Col(ss), s.I)
			default:
				m.out.Col(j).AppendNull()
			}
		}
	case d.Ok():
		m.p.dProj.Append(m.out, d.B, d.I)
	default:
		m.p.sBody.Append(m.out, s.B, s.I)
	}
	m.appendFlags(true, s)
	return m.done()
}

// appendFlags appends the flag columns (in output order) of a row that is
// deleted or not; a row already flagged in the snapshot keeps its day.
func (m *merger) appendFlags(deleted bool, s Row) {
	if m.p.flag >= 0 {
		m.out.Col(m.p.flag).AppendBool(deleted)
	}
	if j := m.p.flagDt; j >= 0 {
		v := m.out.Col(j)
		switch {
		case !deleted:
			v.AppendNull()
		case s.Ok() && m.flagged(s) && m.p.sFlagD >= 0 && !s.B.Col(m.p.sFlagD).IsNull(s.I):
			v.AppendFrom(s.B.Col(m.p.sFlagD), s.I)
		default:
			v.AppendInt(m.p.rules.Day)
		}
	}
}
