package drift_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"datax/drift"
	"datax/jobs"
	"datax/merge"
	"datax/record"
	"datax/storage"
	"datax/testing/testenv"

	_ "datax/reader/hdfs"
	_ "datax/writer/hdfs"
)

// The change log of an orders table as a binlog pipeline lands it: the row
// image (status and the three business-process times: ordered, paid,
// finished), the row's modified_time, and the log's time and position.
var logSchema = record.Schema{
	{Name: "order_id", Kind: record.Int},
	{Name: "status", Kind: record.String},
	{Name: "order_time", Kind: record.Timestamp},
	{Name: "pay_time", Kind: record.Timestamp},
	{Name: "end_time", Kind: record.Timestamp},
	{Name: "modified_time", Kind: record.Timestamp},
	{Name: "log_time", Kind: record.Timestamp},
	{Name: "log_pos", Kind: record.Int},
}

// textColumns is how hdfsreader reads the text form of the log.
const textColumns = `[
	{"index": 0, "name": "order_id", "type": "BIGINT"},
	{"index": 1, "name": "status", "type": "STRING"},
	{"index": 2, "name": "order_time", "type": "TIMESTAMP"},
	{"index": 3, "name": "pay_time", "type": "TIMESTAMP"},
	{"index": 4, "name": "end_time", "type": "TIMESTAMP"},
	{"index": 5, "name": "modified_time", "type": "TIMESTAMP"},
	{"index": 6, "name": "log_time", "type": "TIMESTAMP"},
	{"index": 7, "name": "log_pos", "type": "BIGINT"}]`

// background are changes on D and D+1 that every scenario has around it:
// orders 900 and 901 of D, and a change of D+1 morning, which shows that
// D+1's change log was read (it is after D+1 00:00 + W).
const background = `
900|paid|2026-11-22 09:00:00|2026-11-22 09:05:00|NULL|2026-11-22 09:05:00|2026-11-22 09:05:01|1
901|created|2026-11-22 10:00:00|NULL|NULL|2026-11-22 10:00:00|2026-11-22 10:00:01|2
902|created|2026-11-23 08:00:00|NULL|NULL|2026-11-23 08:00:00|2026-11-23 08:00:01|3`

const backgroundOut = `900|paid|2026-11-22 09:00:00|2026-11-22 09:05:00|NULL|2026-11-22 09:05:00|2026-11-22 09:05:01|1
901|created|2026-11-22 10:00:00|NULL|NULL|2026-11-22 10:00:00|2026-11-22 10:00:01|2`

// fixture is a warehouse in a temporary directory: the change log
// partitions <dir>/log/orders/dt=YYYYMMDD, written by hdfswriter, and the
// output table <dir>/ods/orders.
type fixture struct {
	t      *testing.T
	dir    string
	format string // parquet or text
	// defaultFS and fs are the filesystem of dir: local disk, or HDFS.
	defaultFS string
	fs        storage.FS
	// partOf says which log partition a change lands in (default: the
	// date of its log_time as written).
	partOf func(logTime int64) string
}

func newFixture(t *testing.T, format string) *fixture {
	return &fixture{t: t, dir: filepath.ToSlash(t.TempDir()), format: format, defaultFS: "file:///", fs: storage.Local()}
}

// newHDFSFixture is a fixture in a fresh directory of the test
// MiniDFSCluster (skipped without one, failed under CI=true).
func newHDFSFixture(t *testing.T, format string) *fixture {
	addr := testenv.HDFS(t)
	fsys, err := storage.Open(storage.Options{DefaultFS: "hdfs://" + addr})
	if err != nil {
		t.Fatal(err)
	}
	dir := fmt.Sprintf("/datax-test/drift-%s-%d", strings.ReplaceAll(t.Name(), "/", "_"), time.Now().UnixNano())
	t.Cleanup(func() { fsys.RemoveAll(dir); fsys.Close() })
	return &fixture{t: t, dir: dir, format: format, defaultFS: "hdfs://" + addr, fs: fsys}
}

func (f *fixture) logDir() string { return f.dir + "/log/orders" }
func (f *fixture) outDir() string { return f.dir + "/ods/orders" }

// land writes change rows (one per line, fields as in logSchema separated
// by |, NULL for null) into the change-log partitions, each partition
// through an hdfswriter job.
func (f *fixture) land(rows string) {
	f.t.Helper()
	parts := map[string][][]string{}
	for _, line := range strings.Split(strings.TrimSpace(rows), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		fields := strings.Split(line, "|")
		if len(fields) != len(logSchema) {
			f.t.Fatalf("change row %q has %d fields, want %d", line, len(fields), len(logSchema))
		}
		lt, err := record.ParseTimestamp([]byte(fields[6]))
		if err != nil {
			f.t.Fatal(err)
		}
		day := strings.ReplaceAll(fields[6][:10], "-", "")
		if f.partOf != nil {
			day = f.partOf(lt)
		}
		parts[day] = append(parts[day], fields)
	}
	for day, rows := range parts {
		src := &testenv.Source{Schema: logSchema, Rows: rows}
		params := map[string]any{"defaultFS": f.defaultFS, "path": f.logDir(), "partition": "dt=" + day, "fileType": f.format, "writeMode": "truncate"}
		if f.format == "text" {
			params["fieldDelimiter"] = "\t"
		}
		job := map[string]any{"job": map[string]any{"content": []any{map[string]any{
			"reader": map[string]any{"name": "testreader"},
			"writer": map[string]any{"name": "hdfswriter", "parameter": params},
		}}}}
		text, _ := json.Marshal(job)
		if _, err := testenv.RunJob(f.t, string(text), src.Registry(), nil); err != nil {
			f.t.Fatalf("landing the change log of %s: %v", day, err)
		}
	}
}

// config is a drift config over the fixture: D = ${bizdate} = 2026-11-22
// in Asia/Shanghai (wall-clock times), the change log of D and D+1 read by
// one hdfsreader, the three proc_time columns.
func (f *fixture) config() map[string]any {
	reader := map[string]any{
		"defaultFS": f.defaultFS,
		"path":      []any{f.logDir() + "/dt=${bizdate}", f.logDir() + "/dt=${bizdate+1}"},
		"fileType":  f.format,
		"column":    []any{"*"},
	}
	if f.format == "text" {
		var cols any
		json.Unmarshal([]byte(textColumns), &cols)
		reader["column"] = cols
		reader["fieldDelimiter"] = "\t"
	}
	return map[string]any{
		"drift": map[string]any{
			"day": "${bizdate}", "timeZone": "Asia/Shanghai", "timestamps": "wallclock",
			"key": []any{"order_id"}, "logTime": "log_time", "position": "log_pos", "modifiedTime": "modified_time",
			"procTime": []any{"order_time", "pay_time", "end_time"},
		},
		"reader":  map[string]any{"name": "hdfsreader", "parameter": reader},
		"output":  map[string]any{"defaultFS": f.defaultFS, "path": f.outDir()},
		"setting": map[string]any{"spillDir": f.t.TempDir(), "memoryMB": 16},
	}
}

// rules returns the drift object of a config, for a test to change.
func rules(cfg map[string]any) map[string]any { return cfg["drift"].(map[string]any) }

// run runs drift for D=20261122 with cfg (config() when nil).
func (f *fixture) run(cfg map[string]any) (*drift.Result, error) {
	f.t.Helper()
	return f.runDay(cfg, "20261122")
}

// runDay runs drift with ${bizdate} = day (YYYYMMDD) and cfg (config()
// when nil).
func (f *fixture) runDay(cfg map[string]any, day string) (*drift.Result, error) {
	f.t.Helper()
	if cfg == nil {
		cfg = f.config()
	}
	data, _ := json.Marshal(cfg)
	c, err := drift.ParseConfig("drift.json", data, jobs.Vars{Values: map[string]string{"bizdate": day}, NoEnv: true, Location: time.UTC}, drift.Overrides{})
	if err != nil {
		return nil, err
	}
	j, err := c.Job(drift.JobOptions{})
	if err != nil {
		return nil, err
	}
	defer j.Close()
	return j.Run(context.Background())
}

// mustRun runs drift for D=20261122 and fails the test on an error.
func (f *fixture) mustRun(cfg map[string]any) *drift.Result {
	f.t.Helper()
	return f.mustRunDay(cfg, "20261122")
}

// mustRunDay runs drift for day (YYYYMMDD) and fails the test on an error.
func (f *fixture) mustRunDay(cfg map[string]any, day string) *drift.Result {
	f.t.Helper()
	res, err := f.runDay(cfg, day)
	if err != nil {
		f.t.Fatalf("drift: %v", err)
	}
	for _, l := range res.Lines() {
		f.t.Log(l)
	}
	return res
}

// output reads D's published partition back (Parquet, through merge's
// partition reader) and renders its rows, one per line, fields as landed.
func (f *fixture) output() string {
	f.t.Helper()
	return readRows(f.t, f.fs, f.outDir()+"/dt=20261122")
}

// outputOf is output for another day (YYYYMMDD).
func (f *fixture) outputOf(day string) string {
	f.t.Helper()
	return readRows(f.t, f.fs, f.outDir()+"/dt="+day)
}

// readAll makes the reader read every change-log partition (the log
// directory, recursively).
func (f *fixture) readAll(cfg map[string]any) {
	cfg["reader"].(map[string]any)["parameter"].(map[string]any)["path"] = []any{f.logDir()}
}

func readRows(t *testing.T, fsys storage.FS, dir string) string {
	t.Helper()
	var lines []string
	schema, err := merge.PartitionSource(fsys, dir)(context.Background(), func(b *record.Batch) error {
		for i := 0; i < b.Len(); i++ {
			var fields []string
			for j, c := range b.Schema() {
				if b.Col(j).IsNull(i) {
					fields = append(fields, "NULL")
				} else {
					fields = append(fields, string(record.AppendText(nil, b.Col(j), i, c)))
				}
			}
			lines = append(lines, strings.Join(fields, "|"))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reading %s: %v", dir, err)
	}
	if got := strings.Join(schema.Names(), ","); got != strings.Join(logSchema.Names(), ",") {
		t.Fatalf("output columns %s, want %s", got, strings.Join(logSchema.Names(), ","))
	}
	return strings.Join(lines, "\n")
}

// row returns the output row of order id, or "" when it is absent.
func row(out string, id int) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, fmt.Sprintf("%d|", id)) {
			return l
		}
	}
	return ""
}

// want joins expected rows with the background rows, sorted as the output
// is (by order_id).
func want(rows ...string) string {
	all := append(strings.Split(backgroundOut, "\n"), rows...)
	sort.Slice(all, func(i, j int) bool {
		var a, b int
		fmt.Sscanf(all[i], "%d|", &a)
		fmt.Sscanf(all[j], "%d|", &b)
		return a < b
	})
	return strings.Join(all, "\n")
}

// exists reports whether a path of the fixture's filesystem exists.
func (f *fixture) exists(p string) bool {
	ok, err := storage.Exists(f.fs, p)
	if err != nil {
		f.t.Fatal(err)
	}
	return ok
}
