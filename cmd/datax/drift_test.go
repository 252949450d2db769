package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A change log of orders as text partitions (tab-separated): order 1 paid
// at 23:59:59 and logged after midnight, order 2 created on D+1.
var driftLog = map[string]string{
	"dt=20261122": "1\tcreated\t2026-11-22 23:50:00\t2026-11-22 23:50:01\t1\n",
	"dt=20261123": "1\tpaid\t2026-11-22 23:59:59\t2026-11-23 00:00:03\t2\n" +
		"2\tcreated\t2026-11-23 08:00:00\t2026-11-23 08:00:01\t3\n",
}

const driftConfig = `{
  "drift": {"day": "${bizdate}", "key": "order_id", "logTime": "log_time", "position": "log_pos",
            "modifiedTime": "modified_time"},
  "reader": {"name": "hdfsreader", "parameter": {
    "path": ["log/orders/dt=${bizdate}", "log/orders/dt=${bizdate+1}"], "fileType": "text", "fieldDelimiter": "\t",
    "column": [{"index": 0, "name": "order_id", "type": "BIGINT"}, {"index": 1, "name": "status", "type": "STRING"},
               {"index": 2, "name": "modified_time", "type": "TIMESTAMP"}, {"index": 3, "name": "log_time", "type": "TIMESTAMP"},
               {"index": 4, "name": "log_pos", "type": "BIGINT"}]}},
  "output": {"path": "ods/orders"}
}`

func driftDir(t *testing.T, days ...string) string {
	t.Helper()
	logs := map[string]string{}
	for _, day := range days {
		logs[day] = driftLog[day]
	}
	return driftDirWith(t, logs)
}

// driftDirWith is a directory with the change-log partitions logs (by
// partition name) and drift.json.
func driftDirWith(t *testing.T, logs map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for day, text := range logs {
		p := filepath.Join(dir, "log", "orders", day)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "part-00000.txt"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "drift.json"), []byte(driftConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestDriftCommand(t *testing.T) {
	dir := driftDir(t, "dt=20261122", "dt=20261123")
	code, out, errOut := run(t, dir, "drift", "drift.json", "-p", "bizdate=20261122", "--timezone", "UTC")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"published ods/orders/dt=20261122", "D=2026-11-22 (UTC, wallclock, a 24h day), W 15m, mode correct: 3 change records → 1 rows",
		"1 rows put back from D+1 (1 late logs", "0 changes logged more than W after their day, kept on this day, 0 changes dropped as D−1 late logs, 0 changes excluded by proc_time"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code, out, _ := run(t, "", "verify", "ods/orders/dt=20261122"); code != 0 || !strings.Contains(out, "1 rows") {
		t.Errorf("datax verify: exit %d\n%s", code, out)
	}
}

func TestDriftCommandBadInput(t *testing.T) {
	for _, c := range []struct {
		name string
		days []string
		args []string
		code int
		want []string
	}{
		{"no time zone", []string{"dt=20261122", "dt=20261123"}, nil, exitInvalid,
			[]string{"drift.json: drift.timeZone: is required", "never taken by accident"}},
		{"negative window", []string{"dt=20261122", "dt=20261123"}, []string{"--timezone", "UTC", "--window", "-5m"}, exitInvalid,
			[]string{"drift.window: must be more than 0 and less than 24h, got -5m0s"}},
		{"window of a day", []string{"dt=20261122", "dt=20261123"}, []string{"--timezone", "UTC", "--window", "24h"}, exitInvalid,
			[]string{"drift.window: must be more than 0 and less than 24h"}},
		{"timestamps unsaid", []string{"dt=20261122", "dt=20261123"}, []string{"--timezone", "Asia/Shanghai"}, exitInvalid,
			[]string{"drift.timestamps: is required with timeZone Asia/Shanghai"}},
		{"bad mode", []string{"dt=20261122", "dt=20261123"}, []string{"--timezone", "UTC", "--mode", "redundent"}, exitInvalid,
			[]string{`did you mean "redundant"?`}},
		{"D+1 missing", []string{"dt=20261122"}, []string{"--timezone", "UTC"}, exitFailed,
			[]string{"matches no file"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := driftDir(t, c.days...)
			args := append([]string{"drift", "drift.json", "-p", "bizdate=20261122"}, c.args...)
			code, out, errOut := run(t, dir, args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, c.code, out, errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "ods")); err == nil {
				t.Error("a failed drift created the output table")
			}
		})
	}
}

func TestDriftCommandAllowMissingNext(t *testing.T) {
	dir := driftDir(t, "dt=20261122")
	cfg := strings.Replace(driftConfig, `, "log/orders/dt=${bizdate+1}"`, "", 1)
	os.WriteFile(filepath.Join(dir, "drift.json"), []byte(cfg), 0o644)
	code, _, errOut := run(t, dir, "drift", "drift.json", "-p", "bizdate=20261122", "--timezone", "UTC")
	if code != exitFailed || !strings.Contains(errOut, "the change log of D+1 is missing") || !strings.Contains(errOut, "allowMissingNext") {
		t.Fatalf("exit %d, want %d with a clear message:\n%s", code, exitFailed, errOut)
	}
	code, out, errOut := run(t, "", "drift", "drift.json", "-p", "bizdate=20261122", "--timezone", "UTC", "--allow-missing-next")
	if code != 0 || !strings.Contains(out, "published") {
		t.Fatalf("with --allow-missing-next: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestDriftHelpDocumentsConfigAndFlags(t *testing.T) {
	code, out, _ := run(t, "", "drift", "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"drift.window", "drift.procTime", "drift.restrictProcTime", "drift.allowMissingNext", "drift.timestamps",
		"nextReader", "output.path", "setting.memoryMB", "--window", "--restrict-proc-time", "--allow-missing-next", "--timezone", "redundant"} {
		if !strings.Contains(out, want) {
			t.Errorf("datax drift --help does not mention %s", want)
		}
	}
}

// --day sets ${bizdate} too, as in datax merge: the config's reader paths
// follow the day given on the command line.
func TestDriftDayFillsBizdate(t *testing.T) {
	dir := driftDir(t, "dt=20261122", "dt=20261123")
	code, out, errOut := run(t, dir, "drift", "drift.json", "--day", "2026-11-22", "--timezone", "UTC")
	if code != 0 || !strings.Contains(out, "published ods/orders/dt=20261122") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}

// Run day after day, a change logged more than W after its day (order 1's
// payment at 23:59:59, logged at 00:20 the next day) is in the next day's
// partition, and the report says so; it was in neither before.
func TestDriftCommandKeepsChangesLoggedLateOnTheNextDay(t *testing.T) {
	dir := driftDirWith(t, map[string]string{
		"dt=20261122": "1\tcreated\t2026-11-22 23:50:00\t2026-11-22 23:50:01\t1\n",
		"dt=20261123": "1\tpaid\t2026-11-22 23:59:59\t2026-11-23 00:20:00\t2\n" +
			"2\tcreated\t2026-11-23 08:00:00\t2026-11-23 08:00:01\t3\n",
		"dt=20261124": "3\tcreated\t2026-11-24 08:00:00\t2026-11-24 08:00:01\t4\n",
	})
	for _, c := range []struct {
		day, report string
		rows        string
	}{
		{"20261122", "0 changes logged more than W after their day, kept on this day", "1 rows"},
		{"20261123", "1 changes logged more than W after their day, kept on this day, 0 changes dropped as D−1 late logs", "2 rows"},
	} {
		code, out, errOut := run(t, dir, "drift", "drift.json", "-p", "bizdate="+c.day, "--timezone", "UTC")
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s\n%s", c.day, code, out, errOut)
		}
		if !strings.Contains(out, c.report) {
			t.Errorf("%s: the report lacks %q:\n%s", c.day, c.report, out)
		}
		if code, out, _ := run(t, dir, "verify", "ods/orders/dt="+c.day); code != 0 || !strings.Contains(out, c.rows) {
			t.Errorf("datax verify %s: exit %d, want %s\n%s", c.day, code, c.rows, out)
		}
	}
}
