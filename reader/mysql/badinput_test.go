package mysql

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"datax/engine"
	"datax/jobs"
	"datax/plugin"
	"datax/writer"
)

// runBad runs a job in process as `datax run` would, with the reader
// parameters given and a collector as the writer, and returns the exit code
// datax would give (2: the job file is invalid, nothing ran; 1: the job
// failed), everything it printed (the error, the summary and the log at
// debug level) and whether the writer received or committed anything.
func runBad(t *testing.T, params map[string]any) (int, string, bool) {
	t.Helper()
	var out bytes.Buffer
	c := newCollector()
	writers := plugin.NewRegistry[writer.Writer]("writer")
	writers.Add(plugin.Declare("collector", "test writer", nil, func(p *collectorParams, env plugin.Env) (writer.Writer, error) {
		return c, nil
	}))
	job := map[string]any{"job": map[string]any{
		"setting": map[string]any{"speed": map[string]any{"channel": 2}, "retry": map[string]any{"attempts": 2, "backoff": "10ms"}},
		"content": []any{map[string]any{
			"reader": map[string]any{"name": "mysqlreader", "parameter": params},
			"writer": map[string]any{"name": "collector", "parameter": map[string]any{}},
		}},
	}}
	data, _ := json.Marshal(job)
	log := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f, err := jobs.Parse("job.json", data, jobs.Vars{})
	var j *engine.Job
	if err == nil {
		j, err = engine.Build("job.json", f, engine.Options{Writers: writers, Log: log, Out: &out, Progress: -1,
			DirtyFile: filepath.Join(t.TempDir(), "dirty.jsonl")})
	}
	if err != nil {
		out.WriteString("datax: " + err.Error() + "\n")
		return 2, out.String(), false
	}
	s, err := j.Run(t.Context())
	s.Write(&out)
	if err == nil {
		return 0, out.String(), c.commits > 0
	}
	out.WriteString("datax: " + err.Error() + "\n")
	return 1, out.String(), c.commits > 0 || len(c.attempts) > 0
}

// TestBadInputs: every parameter that can be wrong fails the job with a
// clear message, a non-zero exit, nothing written and no password shown.
func TestBadInputs(t *testing.T) {
	db, addr := setup(t)
	execAll(t, db, "DROP TABLE IF EXISTS orders",
		"CREATE TABLE orders (id BIGINT PRIMARY KEY, name VARCHAR(20), amount DECIMAL(12,2), created DATETIME, g GEOMETRY NULL)",
		"INSERT INTO orders (id, name, amount) SELECT seq, CONCAT('n', seq), seq / 100 FROM seq_1_to_100")
	const wrongPassword = "Wr0ng-Pa55-zz9"
	good := func(kv ...any) map[string]any {
		return params(addr, append([]any{"table", []any{"orders"}, "column", []any{"id", "name"}}, kv...)...)
	}
	withURL := func(url string) map[string]any {
		p := good()
		p["connection"].([]any)[0].(map[string]any)["jdbcUrl"] = url
		return p
	}
	cases := []struct {
		name   string
		params map[string]any
		code   int
		want   []string
	}{
		{"wrong password", good("password", wrongPassword), 1,
			[]string{"127.0.0.1:3306", "Access denied for user '" + testUser + "'"}},
		{"server not listening", withURL("jdbc:mysql://127.0.0.1:1/" + testDB), 1,
			[]string{"cannot connect to MySQL at 127.0.0.1:1", "connection refused"}},
		{"none of the addresses answers", withURL("jdbc:mysql://127.0.0.1:1,127.0.0.1:2/" + testDB), 1,
			[]string{"none of the 2 addresses", "127.0.0.1:1", "127.0.0.1:2"}},
		{"password inside a DSN", withURL(testUser + ":" + testPassword + "@tcp(127.0.0.1:1)/" + testDB), 1,
			[]string{"127.0.0.1:1"}},
		{"missing database", func() map[string]any {
			p := withURL(jdbc(addr, "dx_mysqlreader_nope"))
			p["username"], p["password"] = "root", ""
			return p
		}(), 1, []string{"connection[0]: 127.0.0.1:3306", "Unknown database 'dx_mysqlreader_nope'"}},
		{"database the user may not see", withURL(jdbc(addr, "dx_mysqlreader_nope")), 1,
			[]string{"connection[0]: 127.0.0.1:3306", "Access denied for user '" + testUser + "'@'%' to database 'dx_mysqlreader_nope'"}},
		{"missing table", good("table", []any{"ordres"}), 1,
			[]string{"connection[0].table[0]", "table `" + testDB + "`.`ordres` does not exist", `did you mean "orders"?`}},
		{"missing column", good("column", []any{"id", "nmae"}), 1,
			[]string{"column[1]", `has no column "nmae"`, `did you mean "name"?`}},
		{"splitPk on a missing column", good("splitPk", "idd"), 1,
			[]string{"splitPk", `has no column "idd"`, `did you mean "id"?`}},
		{"splitPk of a type that cannot split", good("splitPk", "amount"), 1,
			[]string{"splitPk", `column "amount"`, "decimal(12,2)", "only integer and string"}},
		{"SQL error in where", good("where", "id >>> 3"), 1,
			[]string{"the column list or where does not run", "Error 1064", "SQL syntax"}},
		{"SQL error in querySql", good("querySql", []any{"SELEC id FROM orders"}), 1,
			[]string{"connection[0].querySql[0]", "Error 1064"}},
		{"unknown column in querySql", good("querySql", []any{"SELECT nope FROM orders"}), 1,
			[]string{"connection[0].querySql[0]", "Unknown column 'nope'"}},
		{"jdbcUrl that is not a MySQL URL", withURL("jdbc:postgresql://127.0.0.1:5432/" + testDB), 2,
			[]string{"job.content[0].reader.parameter.connection[0].jdbcUrl[0]", "not a MySQL URL", "jdbc:postgresql"}},
		{"jdbcUrl without a scheme", withURL("127.0.0.1:3306"), 2,
			[]string{"connection[0].jdbcUrl[0]", "not a MySQL URL"}},
		{"type with no safe mapping", good("column", []any{"id", "g"}), 1,
			[]string{"column[1]: connection[0].table[0]", "column g: type geometry has no safe mapping", "ST_AsText"}},
		{"table range that goes down", good("table", []any{"orders_[3-1]"}), 2,
			[]string{"connection[0].table", "goes down"}},
		{"misspelt parameter", good("splitpk", "id"), 2,
			[]string{`unknown parameter "splitpk"`, `did you mean "splitPk"?`}},
		{"bad zeroDate", good("zeroDate", "zero"), 2,
			[]string{"zeroDate", "is not one of null, error"}},
		{"bad timeZone", good("timeZone", "Mars/Olympus"), 2,
			[]string{"timeZone", "unknown time zone"}},
		{"session statement that fails", good("session", []any{"SET SESSION no_such_variable = 1"}), 1,
			[]string{"session[0]", "Unknown system variable"}},
		{"splitFactor of zero", good("splitFactor", 0), 2,
			[]string{"splitFactor", "at least 1"}},
		{"no column", params(addr, "table", []any{"orders"}), 2,
			[]string{"column", "list the columns"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			code, out, wrote := runBad(t, c.params)
			if code != c.code {
				t.Errorf("exit %d, want %d\n%s", code, c.code, out)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if wrote {
				t.Error("the writer received or committed records")
			}
			noPassword(t, out)
			if strings.Contains(out, wrongPassword) {
				t.Errorf("the wrong password appears in:\n%s", out)
			}
			t.Logf("exit %d: %s", code, out[strings.LastIndex(out, "datax: "):])
			if el := time.Since(start); el > 15*time.Second {
				t.Errorf("took %v to fail", el)
			}
		})
	}
}
