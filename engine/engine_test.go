package engine

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"datax/channel"
	"datax/jobs"
	"datax/plugin"
	"datax/reader"
	"datax/record"
	"datax/writer"
)

// seqReader emits rows id = task*rows .. task*rows+rows-1 as (id Int, text
// String). failOnce makes the first attempt of every task fail after half
// its rows, like a dropped connection. text gives the string column a value.
type seqReader struct {
	p        *seqParams
	attempts sync.Map // task → *atomic.Int32
	running  atomic.Int32
	maxSeen  atomic.Int32
}

type seqParams struct {
	Tasks    int    `json:"tasks" default:"4" doc:"tasks"`
	Rows     int    `json:"rows" default:"1000" doc:"rows per task"`
	FailOnce bool   `json:"failOnce" doc:"fail each task's first attempt halfway"`
	Fatal    bool   `json:"fatal" doc:"fail with a permanent error"`
	Text     string `json:"text" default:"x" doc:"value of the text column; {id} is replaced"`
	Block    bool   `json:"block" doc:"block after the first batch until cancelled"`
}

type seqTask int

func (t seqTask) String() string { return fmt.Sprintf("seq %d", int(t)) }

var seqSchema = record.Schema{{Name: "id", Kind: record.Int}, {Name: "text", Kind: record.String}}

func (r *seqReader) Split(ctx context.Context, channels int) (record.Schema, []reader.Task, error) {
	tasks := make([]reader.Task, r.p.Tasks)
	for i := range tasks {
		tasks[i] = seqTask(i)
	}
	return seqSchema, tasks, nil
}

func (r *seqReader) Read(ctx context.Context, t reader.Task, out *channel.Sender) error {
	n := r.running.Add(1)
	defer r.running.Add(-1)
	for {
		m := r.maxSeen.Load()
		if n <= m || r.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	counter, _ := r.attempts.LoadOrStore(int(t.(seqTask)), &atomic.Int32{})
	attempt := counter.(*atomic.Int32).Add(1)
	if r.p.Fatal {
		return plugin.Permanent(errors.New("syntax error in where"))
	}
	base := int(t.(seqTask)) * r.p.Rows
	b, err := out.Batch(ctx, seqSchema)
	if err != nil {
		return err
	}
	for i := 0; i < r.p.Rows; i++ {
		if r.p.FailOnce && attempt == 1 && i == r.p.Rows/2 {
			return errors.New("connection reset by peer")
		}
		b.Col(0).AppendInt(int64(base + i))
		b.Col(1).AppendString(strings.ReplaceAll(r.p.Text, "{id}", fmt.Sprint(base+i)))
		if out.Full(b) {
			if err := out.Send(ctx, b); err != nil {
				return err
			}
			if r.p.Block {
				<-ctx.Done()
				return context.Cause(ctx)
			}
			if b, err = out.Batch(ctx, seqSchema); err != nil {
				return err
			}
		}
	}
	return out.Send(ctx, b)
}

// stagingWriter keeps each task attempt's rows apart and publishes them only
// in Commit, the way the file writers stage.
type stagingWriter struct {
	p         *stagingParams
	mu        sync.Mutex
	staged    map[int][]string
	published *[]string
	aborted   *atomic.Bool
}

type stagingParams struct {
	IDKind string `json:"idKind" default:"int" doc:"kind the writer wants for id"`
	TextAs string `json:"textAs" default:"string" doc:"kind the writer wants for text"`
}

func (w *stagingWriter) Prepare(ctx context.Context, src record.Schema, tasks int) (record.Schema, error) {
	w.staged = map[int][]string{}
	idKind, _ := record.ParseKind(w.p.IDKind)
	textKind, _ := record.ParseKind(w.p.TextAs)
	return record.Schema{{Name: "id", Kind: idKind}, {Name: "text", Kind: textKind}}, nil
}

func (w *stagingWriter) Write(ctx context.Context, t writer.Task, in *channel.Receiver) error {
	var rows []string
	for {
		b, err := in.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err // nothing of this attempt is staged
		}
		for i := 0; i < b.Len(); i++ {
			rows = append(rows, string(record.AppendText(nil, b.Col(0), i, b.Schema()[0]))+"|"+
				string(record.AppendText(nil, b.Col(1), i, b.Schema()[1])))
		}
	}
	w.mu.Lock()
	w.staged[t.Index] = rows
	w.mu.Unlock()
	return nil
}

func (w *stagingWriter) Commit(ctx context.Context) error {
	for _, rows := range w.staged {
		*w.published = append(*w.published, rows...)
	}
	return nil
}

func (w *stagingWriter) Abort(ctx context.Context) error {
	w.aborted.Store(true)
	w.staged = nil
	return nil
}

type harness struct {
	readers   *reader.Registry
	writers   *writer.Registry
	published []string
	aborted   atomic.Bool
	seq       *seqReader
}

func newHarness() *harness {
	h := &harness{readers: plugin.NewRegistry[reader.Reader]("reader"), writers: plugin.NewRegistry[writer.Writer]("writer")}
	h.readers.Add(plugin.Declare("seqreader", "test rows", nil, func(p *seqParams, env plugin.Env) (reader.Reader, error) {
		h.seq = &seqReader{p: p}
		return h.seq, nil
	}))
	h.writers.Add(plugin.Declare("stagingwriter", "test staging", nil, func(p *stagingParams, env plugin.Env) (writer.Writer, error) {
		return &stagingWriter{p: p, published: &h.published, aborted: &h.aborted}, nil
	}))
	return h
}

func (h *harness) run(t *testing.T, ctx context.Context, job string, opts Options) (*Summary, error) {
	t.Helper()
	f, err := jobs.Parse("test.json", []byte(job), jobs.Vars{NoEnv: true})
	if err != nil {
		t.Fatal(err)
	}
	opts.Readers, opts.Writers = h.readers, h.writers
	if opts.DirtyFile == "" {
		opts.DirtyFile = filepath.Join(t.TempDir(), "dirty.jsonl")
	}
	opts.BatchRows = 100
	j, err := Build("test.json", f, opts)
	if err != nil {
		t.Fatal(err)
	}
	return j.Run(ctx)
}

func job(setting, readerParams, writerParams string) string {
	return fmt.Sprintf(`{"job": {"setting": %s, "content": [{"reader": {"name": "seqreader", "parameter": %s}, "writer": {"name": "stagingwriter", "parameter": %s}}]}}`,
		setting, readerParams, writerParams)
}

// checkExactlyOnce verifies that ids 0..n-1 were published once each.
func checkExactlyOnce(t *testing.T, published []string, n int) {
	t.Helper()
	seen := map[string]int{}
	for _, r := range published {
		id, _, _ := strings.Cut(r, "|")
		seen[id]++
	}
	if len(published) != n || len(seen) != n {
		t.Fatalf("published %d rows, %d distinct; want %d exactly once", len(published), len(seen), n)
	}
	for i := 0; i < n; i++ {
		if seen[fmt.Sprint(i)] != 1 {
			t.Fatalf("id %d published %d times", i, seen[fmt.Sprint(i)])
		}
	}
}

func TestRunCommitsEveryRowOnce(t *testing.T) {
	h := newHarness()
	s, err := h.run(t, context.Background(), job(`{"speed": {"channel": 3}}`, `{"tasks": 10, "rows": 1000}`, `{}`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, h.published, 10000)
	if s.Stats.Read() != 10000 || s.Stats.Written() != 10000 || s.Stats.Failed() != 0 {
		t.Errorf("stats %+v", s.Stats)
	}
	if m := h.seq.maxSeen.Load(); m > 3 {
		t.Errorf("%d tasks read at once with 3 channels", m)
	}
}

func TestRetryDiscardsTheFailedAttempt(t *testing.T) {
	h := newHarness()
	s, err := h.run(t, context.Background(), job(`{"speed": {"channel": 2}, "retry": {"backoff": "1ms"}}`, `{"tasks": 5, "rows": 1000, "failOnce": true}`, `{}`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, h.published, 5000)
	if s.Stats.Read() != 5000 {
		t.Errorf("read %d, want 5000: the failed attempts' records must not count", s.Stats.Read())
	}
}

func TestRetryGivesUpAfterAttempts(t *testing.T) {
	h := newHarness()
	_, err := h.run(t, context.Background(), job(`{"retry": {"attempts": 1}}`, `{"tasks": 2, "failOnce": true}`, `{}`), Options{})
	if err == nil || !strings.Contains(err.Error(), "connection reset by peer") || !errors.Is(err, ErrJobFailed) {
		t.Fatalf("got %v", err)
	}
	if len(h.published) != 0 || !h.aborted.Load() {
		t.Errorf("a failed job published %d rows (aborted %v)", len(h.published), h.aborted.Load())
	}
}

func TestPermanentErrorIsNotRetried(t *testing.T) {
	h := newHarness()
	_, err := h.run(t, context.Background(), job(`{"retry": {"attempts": 5, "backoff": "1ms"}}`, `{"tasks": 1, "fatal": true}`, `{}`), Options{})
	if err == nil || !strings.Contains(err.Error(), "syntax error in where") {
		t.Fatalf("got %v", err)
	}
	v, _ := h.seq.attempts.Load(0)
	if n := v.(*atomic.Int32).Load(); n != 1 {
		t.Errorf("a permanent error was tried %d times", n)
	}
}

func readDirty(t *testing.T, path string) []dirtyLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []dirtyLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l dirtyLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	return lines
}

func TestDirtyRecordsGoToTheFileWithTheirReason(t *testing.T) {
	h := newHarness()
	dirty := filepath.Join(t.TempDir(), "sub", "dirty.jsonl")
	// text "{id}" converts to int except... every id does; make some fail:
	// the writer wants text as a bool, so only the rows whose text is 0 or 1 pass.
	s, err := h.run(t, context.Background(), job(`{"errorLimit": {"record": 1000}}`, `{"tasks": 1, "rows": 50, "text": "{id}"}`, `{"textAs": "bool"}`), Options{DirtyFile: dirty})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.published) != 2 || s.Stats.Failed() != 48 || s.Stats.Read() != 50 || s.Stats.Written() != 2 {
		t.Fatalf("published %v, stats %+v", h.published, s.Stats)
	}
	lines := readDirty(t, dirty)
	if len(lines) != 48 || s.DirtyFile != dirty {
		t.Fatalf("%d dirty lines in %q", len(lines), s.DirtyFile)
	}
	if !strings.Contains(lines[0].Reason, "column text") || !strings.Contains(lines[0].Reason, "not a boolean") || lines[0].Record["id"] != "2" {
		t.Errorf("dirty line %+v", lines[0])
	}
}

func TestErrorLimitRecordStopsTheJob(t *testing.T) {
	h := newHarness()
	dirty := filepath.Join(t.TempDir(), "dirty.jsonl")
	_, err := h.run(t, context.Background(), job(`{"errorLimit": {"record": 5}}`, `{"tasks": 2, "rows": 500, "text": "{id}"}`, `{"textAs": "bool"}`), Options{DirtyFile: dirty})
	if err == nil || !errors.Is(err, channel.ErrDirtyLimit) || !strings.Contains(err.Error(), "errorLimit.record allows 5") || !strings.Contains(err.Error(), dirty) {
		t.Fatalf("got %v", err)
	}
	if len(h.published) != 0 || !h.aborted.Load() {
		t.Errorf("published %d rows after the error limit", len(h.published))
	}
	if n := len(readDirty(t, dirty)); n < 6 {
		t.Errorf("dirty file has %d lines, want the records up to the limit", n)
	}
}

func TestErrorLimitPercentage(t *testing.T) {
	h := newHarness()
	// 2 good rows of 50: 96% dirty.
	_, err := h.run(t, context.Background(), job(`{"errorLimit": {"percentage": 0.5}}`, `{"tasks": 1, "rows": 50, "text": "{id}"}`, `{"textAs": "bool"}`), Options{})
	if err == nil || !strings.Contains(err.Error(), "48 of 50 records are dirty (96.00%)") {
		t.Fatalf("got %v", err)
	}
	if len(h.published) != 0 {
		t.Error("published despite the percentage limit")
	}
	h = newHarness()
	if _, err := h.run(t, context.Background(), job(`{"errorLimit": {"percentage": 0.97}}`, `{"tasks": 1, "rows": 50, "text": "{id}"}`, `{"textAs": "bool"}`), Options{}); err != nil {
		t.Errorf("within the limit: %v", err)
	}
}

func TestCancellationAbortsEverything(t *testing.T) {
	h := newHarness()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	_, err := h.run(t, ctx, job(`{"speed": {"channel": 2}}`, `{"tasks": 4, "rows": 1000, "block": true}`, `{}`), Options{})
	if err == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	if len(h.published) != 0 || !h.aborted.Load() {
		t.Errorf("cancelled job: published %d, aborted %v", len(h.published), h.aborted.Load())
	}
}

func TestEveryContentEntryRunsInOrder(t *testing.T) {
	h := newHarness()
	j := `{"job": {"content": [
		{"reader": {"name": "seqreader", "parameter": {"tasks": 1, "rows": 3, "text": "first"}}, "writer": {"name": "stagingwriter"}},
		{"reader": {"name": "seqreader", "parameter": {"tasks": 1, "rows": 2, "text": "second"}}, "writer": {"name": "stagingwriter"}}]}}`
	s, err := h.run(t, context.Background(), j, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.published) != 5 || len(s.Entries) != 2 || s.Entries[1].Stats.Written() != 2 {
		t.Errorf("published %v, entries %+v", h.published, s.Entries)
	}
}

func TestBuildReportsEveryProblem(t *testing.T) {
	h := newHarness()
	f, err := jobs.Parse("job.json", []byte(`{"job": {"content": [
		{"reader": {"name": "seqreadr", "parameter": {}}, "writer": {"name": "stagingwriter", "parameter": {"idKnd": "int"}}},
		{"reader": {"name": "seqreader", "parameter": {"rows": "many"}}, "writer": {"name": "nowriter"}}]}}`), jobs.Vars{NoEnv: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build("job.json", f, Options{Readers: h.readers, Writers: h.writers})
	for _, want := range []string{
		`job.content[0].reader.name: unknown reader plugin "seqreadr"; did you mean "seqreader"?`,
		`job.content[0].writer.parameter.idKnd: unknown parameter "idKnd"; did you mean "idKind"?`,
		`job.content[1].reader.parameter.rows: expected an integer, got the string "many"`,
		`job.content[1].writer.name: unknown writer plugin "nowriter" (known: stagingwriter)`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

func TestSpeedRecordCapIsJobWide(t *testing.T) {
	// Not a timing assertion on the machine's speed: a lower bound the cap
	// imposes. 4000 records at 2000/s over 2 channels cannot finish in
	// under ~1.9 s if the cap is job-wide (a per-channel cap would allow ~1 s).
	h := newHarness()
	start := time.Now()
	_, err := h.run(t, context.Background(), job(`{"speed": {"channel": 2, "record": 2000}}`, `{"tasks": 2, "rows": 2000}`, `{}`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 1700*time.Millisecond {
		t.Errorf("4000 records under a 2000 rec/s job-wide cap took only %v", el)
	}
}

func TestDrainDeliversEveryBatch(t *testing.T) {
	h := newHarness()
	r, err := BuildReader(h.readers, "seqreader", map[string]any{"tasks": json.Number("3"), "rows": json.Number("250")}, "x", plugin.Env{})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	schema, err := Drain(context.Background(), r, 2, func(b *record.Batch) error { n += b.Len(); return nil })
	if err != nil || n != 750 || len(schema) != 2 {
		t.Errorf("drained %d rows, %v", n, err)
	}
	stop := errors.New("enough")
	_, err = Drain(context.Background(), r, 2, func(b *record.Batch) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("got %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe for the progress goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestProgressLinesAndSummary(t *testing.T) {
	h := newHarness()
	var out syncBuffer
	s, err := h.run(t, context.Background(), job(`{"speed": {"record": 20000}}`, `{"tasks": 2, "rows": 3000}`, `{}`), Options{Out: &out, Progress: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), " progress: "); n < 3 {
		t.Errorf("%d progress lines in a ~0.3 s run at 50 ms:\n%s", n, out.String())
	}
	if !strings.Contains(out.String(), "tasks ") || !strings.Contains(out.String(), "rec/s") {
		t.Errorf("progress lines lack counts:\n%s", out.String())
	}
	var sum strings.Builder
	s.Write(&sum)
	for _, want := range []string{"Job start time", "Job end time", "Elapsed", "Average bytes/s", "Records/s", "Records read          : 6,000", "Records failed        : 0", "Status                : OK"} {
		if !strings.Contains(sum.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, sum.String())
		}
	}
}

// A job stopped by its error limit reports the dirty records it kept.
func TestFailedJobSummaryCountsItsDirtyRecords(t *testing.T) {
	h := newHarness()
	s, err := h.run(t, context.Background(), job(`{"errorLimit": {"record": 3}}`, `{"tasks": 1, "rows": 50, "text": "{id}"}`, `{"textAs": "bool"}`), Options{})
	if err == nil {
		t.Fatal("the job should fail")
	}
	if s.Stats.Failed() < 4 {
		t.Errorf("summary shows %d failed records, want at least the 4 that broke the limit", s.Stats.Failed())
	}
}

// As in DataX, a record limit takes precedence: the percentage is not checked.
func TestRecordLimitOverridesPercentage(t *testing.T) {
	h := newHarness()
	if _, err := h.run(t, context.Background(), job(`{"errorLimit": {"record": 100, "percentage": 0.1}}`, `{"tasks": 1, "rows": 50, "text": "{id}"}`, `{"textAs": "bool"}`), Options{}); err != nil {
		t.Errorf("48 dirty of 50 within record 100: %v", err)
	}
}
