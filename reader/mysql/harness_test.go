package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"datax/channel"
	"datax/engine"
	"datax/jobs"
	"datax/plugin"
	"datax/reader"
	"datax/record"
	"datax/testing/testenv"
	"datax/writer"
)

// testDB is the database every test of this package works in.
const testDB = "dx_mysqlreader_test"

// testUser has a password (the server's root has none), so that tests can
// check that a password never appears in messages, and lacks RELOAD and
// BINLOG MONITOR, so that consistentSnapshot falls back to LOCK TABLES.
const (
	testUser     = "dx_mysqlreader"
	testPassword = "Pw-7f3k-SECRET-q9"
)

// setup returns a pool on testDB and the server's host:port, creating the
// test user once.
func setup(t testing.TB) (*sql.DB, string) {
	t.Helper()
	db := testenv.MySQLDB(t, testDB)
	userOnce.Do(func() {
		for _, stmt := range []string{
			"CREATE USER IF NOT EXISTS '" + testUser + "'@'%' IDENTIFIED BY '" + testPassword + "'",
			"ALTER USER '" + testUser + "'@'%' IDENTIFIED BY '" + testPassword + "'",
			"GRANT SELECT, LOCK TABLES ON `" + testDB + "`.* TO '" + testUser + "'@'%'",
			"GRANT SELECT ON bench.* TO '" + testUser + "'@'%'",
		} {
			if _, err := db.Exec(stmt); err != nil {
				userErr = err
				return
			}
		}
	})
	if userErr != nil {
		t.Fatalf("creating the test user: %v", userErr)
	}
	return db, testenv.MySQL(t).Addr
}

var (
	userOnce sync.Once
	userErr  error
)

// execAll runs statements, failing t on the first error.
func execAll(t testing.TB, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// jdbc returns the JDBC URL of database db at addr.
func jdbc(addr, db string) string { return "jdbc:mysql://" + addr + "/" + db + "?useSSL=false" }

// row is one committed record: typed values (int64, uint64, float64,
// string for decimals and text, []byte, bool; dates, times and timestamps
// as int64; nil for NULL).
type row []any

// collector is a test writer that keeps every committed row, so tests can
// check exact counts, duplicates and values. Each task's rows replace
// those of its earlier attempts; Commit publishes them.
type collector struct {
	mu        sync.Mutex
	schema    record.Schema
	staged    map[int][]row
	attempts  map[int]int
	committed []row
	commits   int
	// failTasks makes the first attempt of these tasks fail in the writer
	// after their first batch.
	failTasks map[int]bool
	// failAtEnd makes the first attempt of these tasks fail after their
	// reader has finished.
	failAtEnd map[int]bool
	// delay slows the writer down by this much per batch.
	delay time.Duration
}

type collectorParams struct {
	Name string `json:"name" doc:"unused"`
}

func newCollector() *collector {
	return &collector{staged: map[int][]row{}, attempts: map[int]int{}}
}

func (c *collector) Prepare(ctx context.Context, src record.Schema, tasks int) (record.Schema, error) {
	c.schema = src
	return nil, nil
}

func (c *collector) Write(ctx context.Context, t writer.Task, in *channel.Receiver) error {
	var rows []row
	c.mu.Lock()
	c.attempts[t.Index]++
	c.mu.Unlock()
	for {
		b, err := in.Next(ctx)
		if errors.Is(err, io.EOF) {
			if c.failAtEnd[t.Index] && t.Attempt == 0 {
				return errors.New("test writer: failed to publish")
			}
			break
		}
		if err != nil {
			return err
		}
		for i := 0; i < b.Len(); i++ {
			rows = append(rows, rowOf(b, i))
		}
		if c.failTasks[t.Index] && t.Attempt == 0 {
			return errors.New("test writer: target hiccup")
		}
		if c.delay > 0 {
			time.Sleep(c.delay)
		}
	}
	c.mu.Lock()
	c.staged[t.Index] = rows
	c.mu.Unlock()
	return nil
}

func (c *collector) Commit(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]int, 0, len(c.staged))
	for k := range c.staged {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		c.committed = append(c.committed, c.staged[k]...)
	}
	c.commits++
	return nil
}

func rowOf(b *record.Batch, i int) row {
	out := make(row, b.Width())
	for j, col := range b.Schema() {
		v := b.Col(j)
		if v.IsNull(i) {
			continue
		}
		switch col.Kind {
		case record.Int, record.Date, record.Time, record.Timestamp:
			out[j] = v.Int(i)
		case record.Uint:
			out[j] = v.Uint(i)
		case record.Float:
			out[j] = v.Float(i)
		case record.Bool:
			out[j] = v.Bool(i)
		case record.Bytes:
			out[j] = append([]byte(nil), v.Bytes(i)...)
		default:
			out[j] = string(v.Bytes(i))
		}
	}
	return out
}

// result is what a job run gives a test.
type result struct {
	rows    []row
	schema  record.Schema
	summary *engine.Summary
	err     error
	c       *collector
}

// jobOptions tune runJob.
type jobOptions struct {
	channels int
	retries  int
	// collector, when set, is the writer (to inject failures).
	collector *collector
	// readers, when set, replaces the default reader registry.
	readers *reader.Registry
	// batchRows overrides the rows per batch.
	batchRows int
}

// runJob runs mysqlreader with params (a JSON object) into a collector,
// through jobs.Parse, engine.Build and Run.
func runJob(t testing.TB, params map[string]any, o jobOptions) result {
	t.Helper()
	if o.channels == 0 {
		o.channels = 1
	}
	if o.retries == 0 {
		o.retries = 3
	}
	c := o.collector
	if c == nil {
		c = newCollector()
	}
	writers := plugin.NewRegistry[writer.Writer]("writer")
	writers.Add(plugin.Declare("collector", "test writer", nil, func(p *collectorParams, env plugin.Env) (writer.Writer, error) {
		return c, nil
	}))
	job := map[string]any{"job": map[string]any{
		"setting": map[string]any{
			"speed": map[string]any{"channel": o.channels},
			"retry": map[string]any{"attempts": o.retries, "backoff": "10ms"},
		},
		"content": []any{map[string]any{
			"reader": map[string]any{"name": "mysqlreader", "parameter": params},
			"writer": map[string]any{"name": "collector", "parameter": map[string]any{}},
		}},
	}}
	data, err := json.Marshal(job)
	if err != nil {
		t.Fatal(err)
	}
	f, err := jobs.Parse("test.json", data, jobs.Vars{})
	if err != nil {
		return result{err: err, c: c}
	}
	j, err := engine.Build("test.json", f, engine.Options{Readers: o.readers, Writers: writers, Progress: -1, BatchRows: o.batchRows,
		DirtyFile: t.TempDir() + "/dirty.jsonl"})
	if err != nil {
		return result{err: err, c: c}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s, err := j.Run(ctx)
	return result{rows: c.committed, schema: c.schema, summary: s, err: err, c: c}
}

// params returns mysqlreader parameters for the test user on testDB.
func params(addr string, kv ...any) map[string]any {
	p := map[string]any{
		"username": testUser,
		"password": testPassword,
		"connection": []any{map[string]any{
			"jdbcUrl": []any{jdbc(addr, testDB)},
		}},
	}
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		if k == "table" || k == "querySql" {
			p["connection"].([]any)[0].(map[string]any)[k] = kv[i+1]
			continue
		}
		p[k] = kv[i+1]
	}
	return p
}

// noPassword fails t when s holds the test password.
func noPassword(t testing.TB, s string) {
	t.Helper()
	if strings.Contains(s, testPassword) {
		t.Fatalf("the password appears in:\n%s", s)
	}
}

// ids returns column 0 of rows as int64, sorted, and fails on duplicates.
func ids(t testing.TB, rows []row) []int64 {
	t.Helper()
	out := make([]int64, 0, len(rows))
	for _, r := range rows {
		out = append(out, r[0].(int64))
	}
	slices.Sort(out)
	for i := 1; i < len(out); i++ {
		if out[i] == out[i-1] {
			t.Fatalf("id %d read twice", out[i])
		}
	}
	return out
}

// wantIDs checks that rows hold exactly the ids of query (run on db).
func wantIDs(t testing.TB, db *sql.DB, rows []row, query string) {
	t.Helper()
	got := ids(t, rows)
	var want []int64
	r, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for r.Next() {
		var id int64
		if err := r.Scan(&id); err != nil {
			t.Fatal(err)
		}
		want = append(want, id)
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("read %d ids, the table holds %d (first difference at %s)", len(got), len(want), firstDiff(got, want))
	}
}

func firstDiff(a, b []int64) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("position %d: read %d, want %d", i, a[i], b[i])
		}
	}
	return fmt.Sprintf("position %d", min(len(a), len(b)))
}
