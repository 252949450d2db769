package mysql_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"datax/channel"
	"datax/plugin"
	"datax/reader"
	"datax/record"
	"datax/testing/testenv"
	"datax/writer"

	_ "datax/reader/all"
	_ "datax/writer/all"
)

const dbName = "dx_mysqlwriter_test"

func setup(t *testing.T, ddl ...string) *sql.DB {
	t.Helper()
	db := testenv.FreshMySQLDB(t, dbName)
	for _, s := range ddl {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func addr(t *testing.T) string { return testenv.MySQL(t).Addr }

// job writes the test source's rows (schema kinds, text rows) into table.
func writerJob(t *testing.T, writerParams string) string {
	return fmt.Sprintf(`{"job": {"setting": {"speed": {"channel": 2}, "errorLimit": {"record": 100}, "retry": {"backoff": "1ms"}},
		"content": [{"reader": {"name": "testreader"}, "writer": {"name": "mysqlwriter", "parameter": %s}}]}}`, writerParams)
}

func params(t *testing.T, extra string) string {
	return fmt.Sprintf(`{"username": "root", "connection": [{"jdbcUrl": "jdbc:mysql://%s/%s", "table": ["t"]}]%s}`, addr(t), dbName, extra)
}

func rows(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	r, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cols, _ := r.Columns()
	var out []string
	for r.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := r.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var cells []string
		for _, v := range vals {
			if !v.Valid {
				cells = append(cells, "NULL")
			} else {
				cells = append(cells, v.String)
			}
		}
		out = append(out, strings.Join(cells, "|"))
	}
	return strings.Join(out, "\n")
}

func TestEveryTypeExactly(t *testing.T) {
	db := setup(t, `CREATE TABLE t (id BIGINT PRIMARY KEY, u BIGINT UNSIGNED, d DECIMAL(38,10), f DOUBLE, s VARCHAR(32) CHARACTER SET utf8mb4,
		b VARBINARY(8), dt DATETIME(6), ts TIMESTAMP(6) NULL, day DATE, tm TIME(6), flag BOOLEAN, j JSON)`)
	src := &testenv.Source{
		Schema: record.Schema{{Name: "id", Kind: record.Int}, {Name: "u", Kind: record.Uint}, {Name: "d", Kind: record.Decimal, Precision: 38, Scale: 10},
			{Name: "f", Kind: record.Float}, {Name: "s", Kind: record.String}, {Name: "b", Kind: record.Bytes}, {Name: "dt", Kind: record.Timestamp, Scale: 6},
			{Name: "ts", Kind: record.Timestamp, Scale: 6}, {Name: "day", Kind: record.Date}, {Name: "tm", Kind: record.Time, Scale: 6},
			{Name: "flag", Kind: record.Bool}, {Name: "j", Kind: record.String}},
		Rows: [][]string{
			{"1", "18446744073709551615", "-1234567890123456789012345678.0123456789", "0.1", "emoji 😀 'quote' \\ back", "\x00\xff'", "2026-11-22 23:59:59.999999", "2026-11-22 23:59:59.000001", "1000-01-01", "-838:59:59", "true", `{"a": [1, 2]}`},
			{"2", "0", "0.0000000000", "-1e-300", "", "", "1970-01-01 00:00:00", "NULL", "9999-12-31", "838:59:59", "false", "NULL"},
		},
	}
	if _, err := testenv.RunJob(t, writerJob(t, params(t, `, "column": ["*"]`)), src.Registry(), nil); err != nil {
		t.Fatal(err)
	}
	got := rows(t, db, "SELECT id, u, d, f, s, HEX(b), dt, ts, day, tm, flag, j FROM t ORDER BY id")
	want := "1|18446744073709551615|-1234567890123456789012345678.0123456789|0.1|emoji 😀 'quote' \\ back|00FF27|2026-11-22 23:59:59.999999|2026-11-22 23:59:59.000001|1000-01-01|-838:59:59.000000|1|{\"a\": [1, 2]}\n" +
		"2|0|0.0000000000|-1e-300|||1970-01-01 00:00:00.000000|NULL|9999-12-31|838:59:59.000000|0|NULL"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestInsertDuplicatesAreDirtyOthersLand(t *testing.T) {
	db := setup(t, "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(5) NOT NULL)", "INSERT INTO t VALUES (2, 'old')")
	src := &testenv.Source{Schema: record.Schema{{Name: "id", Kind: record.Int}, {Name: "name", Kind: record.String}},
		Rows: [][]string{{"1", "a"}, {"2", "dup"}, {"3", "toolong"}, {"4", "NULL"}, {"5", "e"}}}
	s, err := testenv.RunJob(t, writerJob(t, params(t, `, "column": ["id", "name"]`)), src.Registry(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := rows(t, db, "SELECT id, name FROM t ORDER BY id"); got != "1|a\n2|old\n5|e" {
		t.Errorf("table:\n%s", got)
	}
	if s.Stats.Failed() != 3 || s.Stats.Written() != 2 {
		t.Errorf("stats %+v", s.Stats)
	}
}

func TestReplaceAndUpdateModes(t *testing.T) {
	db := setup(t, "CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT)", "INSERT INTO t VALUES (1, 10, 100), (2, 20, 200)")
	src := &testenv.Source{Schema: record.Schema{{Name: "id", Kind: record.Int}, {Name: "a", Kind: record.Int}},
		Rows: [][]string{{"1", "11"}, {"3", "33"}}}
	if _, err := testenv.RunJob(t, writerJob(t, params(t, `, "column": ["id", "a"], "writeMode": "update"`)), src.Registry(), nil); err != nil {
		t.Fatal(err)
	}
	if got := rows(t, db, "SELECT * FROM t ORDER BY id"); got != "1|11|100\n2|20|200\n3|33|NULL" {
		t.Errorf("update:\n%s", got)
	}
	if _, err := testenv.RunJob(t, writerJob(t, params(t, `, "column": ["id", "a"], "writeMode": "replace"`)), src.Registry(), nil); err != nil {
		t.Fatal(err)
	}
	if got := rows(t, db, "SELECT * FROM t ORDER BY id"); got != "1|11|NULL\n2|20|200\n3|33|NULL" {
		t.Errorf("replace (the whole row is replaced, b becomes NULL):\n%s", got)
	}
}

func TestPreAndPostSQL(t *testing.T) {
	db := setup(t, "CREATE TABLE t (id INT PRIMARY KEY)", "CREATE TABLE log (msg VARCHAR(64))", "INSERT INTO t VALUES (99)")
	src := &testenv.Source{Schema: record.Schema{{Name: "id", Kind: record.String}}, Rows: [][]string{{"1"}, {"2"}}}
	_, err := testenv.RunJob(t, writerJob(t, params(t, `, "column": ["id"], "preSql": ["DELETE FROM @table"], "postSql": ["INSERT INTO log SELECT CONCAT('@table has ', COUNT(*)) FROM @table"]`)), src.Registry(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := rows(t, db, "SELECT id FROM t ORDER BY id") + "/" + rows(t, db, "SELECT msg FROM log"); got != "1\n2/t has 2" {
		t.Errorf("got %s", got)
	}
}

// TestVersionGuardedUpsertUnderRaces applies every version of every key,
// shuffled, from several concurrent jobs: whatever the order, each key ends
// at its largest version, and a soft delete at the top version stays.
func TestVersionGuardedUpsertUnderRaces(t *testing.T) {
	db := setup(t, "CREATE TABLE t (id INT PRIMARY KEY, val VARCHAR(16), is_active TINYINT NOT NULL, ver BIGINT)")
	const keys, versions = 50, 8
	var all [][]string
	for k := 0; k < keys; k++ {
		for v := 1; v <= versions; v++ {
			active := "1"
			if k%5 == 0 && v == versions {
				active = "0" // deleted last: the tombstone must win
			}
			all = append(all, []string{fmt.Sprint(k), fmt.Sprintf("k%d-v%d", k, v), active, fmt.Sprint(v)})
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for w := range errs {
		shuffled := append([][]string(nil), all...)
		rand.New(rand.NewPCG(uint64(w), 7)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		src := &testenv.Source{Schema: record.Schema{{Name: "id", Kind: record.Int}, {Name: "val", Kind: record.String}, {Name: "is_active", Kind: record.Int}, {Name: "ver", Kind: record.Int}},
			Rows: shuffled, Tasks: 2}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[w] = testenv.RunJob(t, writerJob(t, params(t, `, "column": ["id", "val", "is_active", "ver"], "writeMode": "update", "versionColumn": "ver", "batchSize": 7`)), src.Registry(), nil)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	// An older replay afterwards changes nothing.
	old := &testenv.Source{Schema: record.Schema{{Name: "id", Kind: record.Int}, {Name: "val", Kind: record.String}, {Name: "is_active", Kind: record.Int}, {Name: "ver", Kind: record.Int}},
		Rows: [][]string{{"0", "resurrected", "1", "3"}}}
	if _, err := testenv.RunJob(t, writerJob(t, params(t, `, "column": ["id", "val", "is_active", "ver"], "writeMode": "update", "versionColumn": "ver"`)), old.Registry(), nil); err != nil {
		t.Fatal(err)
	}
	for k := 0; k < keys; k++ {
		want := fmt.Sprintf("k%d-v%d|1|%d", k, versions, versions)
		if k%5 == 0 {
			want = fmt.Sprintf("k%d-v%d|0|%d", k, versions, versions)
		}
		if got := rows(t, db, fmt.Sprintf("SELECT val, is_active, ver FROM t WHERE id = %d", k)); got != want {
			t.Fatalf("key %d: %s, want %s", k, got, want)
		}
	}
}

func TestBadInput(t *testing.T) {
	setup(t, "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(8))")
	src := &testenv.Source{Schema: record.Schema{{Name: "id", Kind: record.Int}}, Rows: [][]string{{"1"}}}
	a := addr(t)
	cases := []struct{ params, want string }{
		{fmt.Sprintf(`{"username": "root", "password": "s3cr3t-pw", "column": ["id"], "connection": [{"jdbcUrl": "jdbc:mysql://%s/%s", "table": ["t"]}]}`, a, dbName), "access denied"},
		{`{"username": "root", "column": ["id"], "connection": [{"jdbcUrl": "jdbc:mysql://127.0.0.1:1/x", "table": ["t"]}]}`, "cannot connect to MySQL at 127.0.0.1:1"},
		{fmt.Sprintf(`{"username": "root", "column": ["id"], "connection": [{"jdbcUrl": "jdbc:mysql://%s/%s", "table": ["nosuch"]}]}`, a, dbName), "nosuch"},
		{params(t, `, "column": ["idd"]`), `has no column "idd"; did you mean "id"?`},
		{params(t, `, "column": ["id", "name"]`), "the reader gives 1 columns (id) but column lists 2 (id, name)"},
		{params(t, `, "column": ["id"], "preSql": ["DELETE FROM nosuch_@table"]`), "preSql[0] on t"},
		{params(t, `, "column": ["id"], "versionColumn": "ver"`), `versionColumn: works with writeMode "update"`},
		{params(t, `, "column": ["id"], "writeMode": "update", "versionColumn": "ver"`), `"ver" is not among the written columns`},
		{params(t, `, "column": ["id"], "writeMode": "upsert"`), `"upsert" is not one of insert, replace, update`},
		{`{"username": "root", "column": ["id"], "connection": [{"jdbcUrl": "jdbc:postgresql://h/db", "table": ["t"]}]}`, "not a MySQL URL"},
		{params(t, `, "column": ["id"], "batchSize": 0`), "batchSize: must be at least 1"},
	}
	for _, c := range cases {
		_, err := testenv.RunJob(t, writerJob(t, c.params), src.Registry(), nil)
		if err == nil || !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(c.want)) {
			t.Errorf("%s:\n got  %v\n want %q", c.params, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cr3t-pw") {
			t.Errorf("the password appears in: %v", err)
		}
	}
	if src.Reads.Load() != 0 {
		t.Errorf("a bad writer let the reader read %d times", src.Reads.Load())
	}
}

// failAfterCommit is a reader that sends its rows, waits until the writer
// has committed one of them, then fails like a dropped connection.
type failAfterCommit struct {
	db       *sql.DB
	attempts atomic.Int32
}

type oneTask struct{}

func (oneTask) String() string { return "one task" }

func (r *failAfterCommit) Split(ctx context.Context, n int) (record.Schema, []reader.Task, error) {
	return record.Schema{{Name: "id", Kind: record.Int}}, []reader.Task{oneTask{}}, nil
}

func (r *failAfterCommit) Read(ctx context.Context, t reader.Task, out *channel.Sender) error {
	b, err := out.Batch(ctx, record.Schema{{Name: "id", Kind: record.Int}})
	if err != nil {
		return err
	}
	b.Col(0).AppendInt(1)
	b.Col(0).AppendInt(2)
	if err := out.Send(ctx, b); err != nil {
		return err
	}
	if r.attempts.Add(1) > 1 {
		return nil
	}
	for {
		var n int
		if err := r.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t").Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errors.New("connection lost")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func registry(r reader.Reader) *reader.Registry {
	reg := plugin.NewRegistry[reader.Reader]("reader")
	reg.Add(plugin.Declare("testreader", "test", nil, func(*struct{}, plugin.Env) (reader.Reader, error) { return r, nil }))
	return reg
}

// TestInsertIsNotRetriedAfterACommit: rows already committed would be
// inserted twice by a retry, so in insert mode a task that fails after a
// statement committed fails the job (writer.ErrCommitted); in update mode
// re-applying the rows is safe, and the task is retried.
func TestInsertIsNotRetriedAfterACommit(t *testing.T) {
	db := setup(t, "CREATE TABLE t (id INT PRIMARY KEY)")
	r := &failAfterCommit{db: db}
	_, err := testenv.RunJob(t, writerJob(t, params(t, `, "column": ["id"], "batchSize": 1`)), registry(r), nil)
	if err == nil || !errors.Is(err, writer.ErrCommitted) || r.attempts.Load() != 1 {
		t.Fatalf("attempts %d, got %v", r.attempts.Load(), err)
	}
	db = setup(t, "CREATE TABLE t (id INT PRIMARY KEY)")
	r = &failAfterCommit{db: db}
	if _, err := testenv.RunJob(t, writerJob(t, params(t, `, "column": ["id"], "writeMode": "update", "batchSize": 1`)), registry(r), nil); err != nil {
		t.Fatal(err)
	}
	if got := rows(t, db, "SELECT COUNT(*) FROM t"); got != "2" || r.attempts.Load() != 2 {
		t.Errorf("%s rows after %d attempts", got, r.attempts.Load())
	}
}
