package testenv

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// SparkSQL is a long-lived local Spark session with Hive support (a Derby
// metastore and a warehouse in a temporary directory), for tests that run
// HiveQL as a user would: DDL, ALTER TABLE … ADD PARTITION, SELECT. Start
// it early (it takes 10–40 s) and send every statement to the one session.
type SparkSQL struct {
	cmd     *exec.Cmd
	in      io.WriteCloser
	out     *bufio.Reader
	stderr  *os.File
	mu      sync.Mutex
	started bool
	err     error
}

// sparkServer reads one JSON request per line ({"vars": {...}, "sql":
// [...]}) and answers with one JSON line: the result of each statement
// (names, types and normalized rows; empty for statements without rows),
// or {"error": "..."} naming the failing statement.
const sparkServer = normalize + `
import os
from pyspark.sql import SparkSession
d = sys.argv[1]
spark = (SparkSession.builder.master("local[1]").appName("datax-test-sql")
         .config("spark.sql.session.timeZone", "UTC")
         .config("spark.ui.enabled", "false")
         .config("spark.sql.shuffle.partitions", "1")
         .config("spark.sql.warehouse.dir", d + "/warehouse")
         .config("spark.hadoop.javax.jdo.option.ConnectionURL", "jdbc:derby:;databaseName=" + d + "/metastore_db;create=true")
         .config("spark.driver.extraJavaOptions", "-Dderby.system.home=" + d)
         .enableHiveSupport().getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    req = json.loads(line)
    for k, v in (req.get("vars") or {}).items():
        spark.conf.set(k, v)
    results = []
    try:
        for stmt in req["sql"]:
            cur = stmt
            df = spark.sql(stmt)
            rows = df.collect()
            results.append({"names": df.columns, "types": [f.dataType.simpleString() for f in df.schema.fields],
                            "rows": [[norm(v) for v in r] for r in rows]})
        print(json.dumps({"results": results}), flush=True)
    except Exception as e:
        print(json.dumps({"error": "%s\n-- in statement:\n%s" % (str(e).split("\n")[0], cur)}), flush=True)
`

// StartSparkSQL starts the session (skipping t without pyspark, failing
// under CI); it stops when t ends.
func StartSparkSQL(t testing.TB) *SparkSQL {
	t.Helper()
	py := Python(t, "pyspark")
	dir := t.TempDir()
	stderr, err := os.Create(filepath.Join(dir, "spark.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "-c", sparkServer, dir)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TZ=UTC") // collect() turns timestamps into local datetimes
	cmd.Stderr = stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start spark: %v", err)
	}
	s := &SparkSQL{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<20), stderr: stderr}
	t.Cleanup(func() {
		in.Close()
		cmd.Wait()
		stderr.Close()
	})
	return s
}

// Run runs the statements in order with the given session variables (for
// ${name} substitution) and returns one Table per statement. A failing
// statement fails t with Spark's message and the statement.
func (s *SparkSQL) Run(t testing.TB, vars map[string]string, stmts ...string) []Table {
	t.Helper()
	res, err := s.Exec(vars, stmts...)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// Exec is Run returning the error (a failing statement's, or the
// session's) instead of failing the test.
func (s *SparkSQL) Exec(vars map[string]string, stmts ...string) ([]Table, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	if err := s.ready(); err != nil {
		return nil, err
	}
	req, _ := json.Marshal(map[string]any{"vars": vars, "sql": stmts})
	if _, err := s.in.Write(append(req, '\n')); err != nil {
		s.err = fmt.Errorf("spark session: %v (log: %s)", err, s.stderr.Name())
		return nil, s.err
	}
	var resp struct {
		Results []Table `json:"results"`
		Error   string  `json:"error"`
	}
	if err := s.readLine(&resp); err != nil {
		return nil, err
	}
	if resp.Error != "" {
		return nil, fmt.Errorf("spark: %s", resp.Error)
	}
	return resp.Results, nil
}

// ready waits for the session's first line (Spark has started).
func (s *SparkSQL) ready() error {
	if s.started {
		return nil
	}
	var hello struct {
		Ready bool `json:"ready"`
	}
	if err := s.readLine(&hello); err != nil {
		return err
	}
	if !hello.Ready {
		s.err = fmt.Errorf("spark session: unexpected first answer (log: %s)", s.stderr.Name())
		return s.err
	}
	s.started = true
	return nil
}

// readLine decodes the next JSON line of the session, skipping other output.
func (s *SparkSQL) readLine(v any) error {
	for {
		line, err := s.out.ReadBytes('\n')
		if err != nil {
			s.err = fmt.Errorf("spark session ended: %v (log: %s)", err, s.stderr.Name())
			return s.err
		}
		if len(line) > 0 && line[0] == '{' && json.Unmarshal(line, v) == nil {
			return nil
		}
	}
}
