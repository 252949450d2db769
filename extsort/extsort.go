// Package extsort sorts record batches of any total size under a memory
// budget: rows are gathered in memory until the budget is used, sorted and
// written to a spill file (a "run"); at the end the runs are merged. With
// no spill the sort stays in memory. The order is sortkey's; rows with equal
// keys keep the order in which they were added (the sort is stable), so
// results repeat exactly from run to run.
//
// Spill files are local scratch space of this process (not warehouse data),
// so they live in a local directory (Options.Dir, default os.TempDir()) and
// are unlinked as soon as they are created: a killed process leaves nothing
// behind.
package extsort

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"datax/record"
	"datax/rowstream"
	"datax/sortkey"
)

// Options tune a Sorter; zero values take the defaults.
type Options struct {
	// MemoryBytes bounds the rows held in memory (approximately: values plus
	// per-row bookkeeping). Default 64 MiB.
	MemoryBytes int64
	// Dir is where spill files go. Default os.TempDir().
	Dir string
	// BatchRows is the row count of the batches the sorted stream yields.
	// Default 1024.
	BatchRows int
}

// Stats describe a finished sort.
type Stats struct {
	Rows         int64 // rows added
	Runs         int   // spill files written (0: sorted in memory)
	SpilledBytes int64 // bytes written to spill files
}

const chunkRows = 8192

// Sorter sorts the rows added to it by a key. Use it from one goroutine:
// Add every batch, then Sort once, read the stream, and Close.
type Sorter struct {
	schema record.Schema
	key    sortkey.Cols
	opts   Options

	chunks []*record.Batch
	free   []*record.Batch
	sealed int64 // estimated bytes of the full chunks
	refs   []uint64
	runs   []*os.File
	// inflight receives the result of the spill running in the background.
	inflight chan spillResult
	stats    Stats
	perRow   int64
	sorted   bool
}

// New returns a sorter of rows of schema by key (columns of schema).
func New(schema record.Schema, key sortkey.Cols, opts Options) *Sorter {
	if opts.MemoryBytes <= 0 {
		opts.MemoryBytes = 64 << 20
	}
	if opts.BatchRows <= 0 {
		opts.BatchRows = 1024
	}
	if opts.Dir == "" {
		opts.Dir = os.TempDir()
	}
	// Per-row bookkeeping besides the values: a null flag per column, an
	// offset per variable-width column, the sort reference.
	perRow := int64(8 + 16) // the reference, and its sort prefix while sorting
	for _, c := range schema {
		perRow++
		if c.Kind == record.Decimal || c.Kind == record.String || c.Kind == record.Bytes {
			perRow += 4
		}
	}
	return &Sorter{schema: schema, key: key, opts: opts, perRow: perRow}
}

// Add copies the rows of b (which must have the sorter's schema) into the
// sorter, spilling to disk when the memory budget is used up.
func (s *Sorter) Add(b *record.Batch) error {
	if s.sorted {
		return errors.New("extsort: Add after Sort")
	}
	n := b.Len()
	for i := 0; i < n; {
		c := s.current()
		take := min(n-i, chunkRows-c.Len())
		base := uint64(len(s.chunks)-1)<<32 | uint64(c.Len())
		for k := 0; k < take; k++ {
			s.refs = append(s.refs, base+uint64(k))
		}
		c.AppendRows(b, i, i+take)
		i += take
		s.stats.Rows += int64(take)
		if c.Len() == chunkRows {
			s.sealed += int64(c.Size())
		}
		if s.used() >= s.opts.MemoryBytes/2 {
			if err := s.spill(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Sorter) current() *record.Batch {
	if len(s.chunks) > 0 {
		if c := s.chunks[len(s.chunks)-1]; c.Len() < chunkRows {
			return c
		}
	}
	var c *record.Batch
	if k := len(s.free); k > 0 {
		c, s.free = s.free[k-1], s.free[:k-1]
		c.Reset(s.schema)
	} else {
		c = record.NewBatch(s.schema)
	}
	s.chunks = append(s.chunks, c)
	return c
}

func (s *Sorter) used() int64 {
	u := s.sealed + int64(len(s.refs))*s.perRow
	if k := len(s.chunks); k > 0 {
		if c := s.chunks[k-1]; c.Len() < chunkRows {
			u += int64(c.Size())
		}
	}
	return u
}

func (s *Sorter) sortRefs() { sortRefs(s.key, s.chunks, s.refs) }

// sortRefs sorts references to rows of chunks (chunk<<32 | row) by key,
// stably (ties keep the order of the references).
func sortRefs(key sortkey.Cols, chunks []*record.Batch, refs []uint64) {
	full := func(a, b uint64) int {
		if r := sortkey.Compare(key, chunks[a>>32], int(uint32(a)), key, chunks[b>>32], int(uint32(b))); r != 0 {
			return r
		}
		return cmp.Compare(a, b) // arrival order: a stable sort
	}
	if !key.IntPrefix() {
		slices.SortFunc(refs, full)
		return
	}
	// The first key column is a signed integer: sort on its value first,
	// held beside the reference, and compare the rows only on a tie (a
	// null is MinInt64 here and sorts first either way).
	col := key.Index()[0]
	pref := make([]prefixed, len(refs))
	for i, r := range refs {
		v := chunks[r>>32].Col(col)
		k := int64(math.MinInt64)
		if row := int(uint32(r)); !v.IsNull(row) {
			k = v.Int(row)
		}
		pref[i] = prefixed{k, r}
	}
	slices.SortFunc(pref, func(a, b prefixed) int {
		if a.k != b.k {
			return cmp.Compare(a.k, b.k)
		}
		return full(a.ref, b.ref)
	})
	for i := range pref {
		refs[i] = pref[i].ref
	}
}

type prefixed struct {
	k   int64
	ref uint64
}

// spill sorts what is in memory and writes it as one run, in its own
// goroutine while Add goes on filling fresh chunks (a spill in flight and
// the rows gathered meanwhile share the budget: Add spills at half of it).
// At most one spill is in flight; wait collects it.
func (s *Sorter) spill() error {
	if err := s.wait(); err != nil {
		return err
	}
	if len(s.refs) == 0 {
		return nil
	}
	chunks, refs := s.chunks, s.refs
	s.chunks, s.refs, s.sealed = nil, make([]uint64, 0, cap(refs)), 0
	done := make(chan spillResult, 1)
	s.inflight = done
	go func() {
		f, n, err := writeRun(s.opts.Dir, s.key, s.schema, chunks, refs)
		done <- spillResult{f: f, bytes: n, err: err, chunks: chunks}
	}()
	return nil
}

type spillResult struct {
	f      *os.File
	bytes  int64
	err    error
	chunks []*record.Batch
}

// wait collects the spill in flight, if any.
func (s *Sorter) wait() error {
	if s.inflight == nil {
		return nil
	}
	r := <-s.inflight
	s.inflight = nil
	if r.f != nil {
		s.runs = append(s.runs, r.f)
	}
	if r.err != nil {
		return r.err
	}
	s.stats.SpilledBytes += r.bytes
	s.stats.Runs++
	s.free = append(s.free, r.chunks...)
	return nil
}

// writeRun sorts the rows and writes them to a new, already unlinked,
// spill file in dir.
func writeRun(dir string, key sortkey.Cols, schema record.Schema, chunks []*record.Batch, refs []uint64) (*os.File, int64, error) {
	sortRefs(key, chunks, refs)
	f, err := os.CreateTemp(dir, "datax-extsort-*")
	if err != nil {
		return nil, 0, fmt.Errorf("extsort: spill file: %w", err)
	}
	os.Remove(f.Name()) // unlinked now: nothing is left behind whatever happens
	w := bufio.NewWriterSize(f, 1<<20)
	enc := &encoder{w: w}
	for i := 0; i < len(refs); i += 4096 {
		if err := enc.rows(chunks, refs[i:min(i+4096, len(refs))], schema); err != nil {
			return f, 0, fmt.Errorf("extsort: spill file: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		return f, 0, fmt.Errorf("extsort: spill file: %w", err)
	}
	pos, err := f.Seek(0, io.SeekCurrent)
	return f, pos, err
}

// Sort ends the input and returns the rows in order. The stream is valid
// until Close.
func (s *Sorter) Sort() (rowstream.Stream, error) {
	if s.sorted {
		return nil, errors.New("extsort: Sort called twice")
	}
	s.sorted = true
	if err := s.wait(); err != nil {
		return nil, err
	}
	if len(s.runs) == 0 {
		s.sortRefs()
		return &memStream{s: s, out: record.NewBatch(s.schema)}, nil
	}
	if err := s.spill(); err != nil {
		return nil, err
	}
	if err := s.wait(); err != nil {
		return nil, err
	}
	s.free = nil
	m := &mergeStream{s: s, out: record.NewBatch(s.schema)}
	for i, f := range s.runs {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("extsort: spill file: %w", err)
		}
		c := &cursor{run: i, dec: &decoder{r: bufio.NewReaderSize(f, 256<<10), schema: s.schema}, b: record.NewBatch(s.schema)}
		ok, err := c.advance()
		if err != nil {
			return nil, err
		}
		if ok {
			m.heap = append(m.heap, c)
		}
	}
	for i := len(m.heap)/2 - 1; i >= 0; i-- {
		m.down(i)
	}
	return m, nil
}

// Stats returns what the sort did so far.
func (s *Sorter) Stats() Stats { return s.stats }

// Close releases the memory and the spill files.
func (s *Sorter) Close() error {
	errs := []error{s.wait()}
	for _, f := range s.runs {
		errs = append(errs, f.Close())
	}
	s.runs, s.chunks, s.free, s.refs = nil, nil, nil, nil
	return errors.Join(errs...)
}

type memStream struct {
	s   *Sorter
	i   int
	out *record.Batch
}

func (m *memStream) Next() (*record.Batch, error) {
	s := m.s
	if m.i >= len(s.refs) {
		return nil, io.EOF
	}
	m.out.Reset(s.schema)
	end := min(len(s.refs), m.i+s.opts.BatchRows)
	for _, r := range s.refs[m.i:end] {
		m.out.AppendRow(s.chunks[r>>32], int(uint32(r)))
	}
	m.i = end
	return m.out, nil
}

type cursor struct {
	run int
	dec *decoder
	b   *record.Batch
	row int
}

// advance moves to the next row, decoding the next batch when needed; it
// reports false at the end of the run.
func (c *cursor) advance() (bool, error) {
	c.row++
	if c.row < c.b.Len() {
		return true, nil
	}
	for {
		err := c.dec.batch(c.b)
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if c.b.Len() > 0 {
			c.row = 0
			return true, nil
		}
	}
}

type mergeStream struct {
	s    *Sorter
	heap []*cursor
	out  *record.Batch
}

func (m *mergeStream) less(a, b *cursor) bool {
	if r := sortkey.Compare(m.s.key, a.b, a.row, m.s.key, b.b, b.row); r != 0 {
		return r < 0
	}
	return a.run < b.run // earlier runs hold earlier rows: stable
}

func (m *mergeStream) down(i int) {
	h := m.heap
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		small := l
		if r := l + 1; r < len(h) && m.less(h[r], h[l]) {
			small = r
		}
		if !m.less(h[small], h[i]) {
			return
		}
		h[i], h[small] = h[small], h[i]
		i = small
	}
}

func (m *mergeStream) Next() (*record.Batch, error) {
	m.out.Reset(m.s.schema)
	for m.out.Len() < m.s.opts.BatchRows && len(m.heap) > 0 {
		c := m.heap[0]
		m.out.AppendRow(c.b, c.row)
		ok, err := c.advance()
		if err != nil {
			return nil, err
		}
		if !ok {
			last := len(m.heap) - 1
			m.heap[0] = m.heap[last]
			m.heap = m.heap[:last]
		}
		if len(m.heap) > 0 {
			m.down(0)
		}
	}
	if m.out.Len() == 0 {
		return nil, io.EOF
	}
	return m.out, nil
}
