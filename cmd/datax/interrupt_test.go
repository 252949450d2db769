package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// SIGINT in the middle of a run: the job aborts, exits 130, publishes
// nothing and removes its staging directory.
func TestInterruptPublishesNothing(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "slow.json"), []byte(hdfsJob(1_000_000, `, "record": 20000`)), 0o644)
	cmd := exec.Command(bin, "run", "slow.json", "-p", "bizdate=20261122", "--progress=-1s")
	cmd.Dir = dir
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if staged, _ := filepath.Glob(filepath.Join(dir, "wh/orders/.datax-staging-*/*.parquet")); len(staged) >= 1 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
		t.Fatalf("exit %v, want %d\n%s", err, exitInterrupted, out.String())
	}
	if !strings.Contains(out.String(), "interrupted; nothing was published") || !strings.Contains(out.String(), "Status                : FAILED") {
		t.Errorf("output:\n%s", out.String())
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "wh/orders")); len(entries) != 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("an interrupted run left %v", names)
	}
}

// More dirty records than errorLimit.record allows: exit 1, the dirty
// records are in the file with their reasons, nothing is published.
func TestErrorLimitExceeded(t *testing.T) {
	dir := t.TempDir()
	job := `{"job": {"setting": {"errorLimit": {"record": 2}, "dirtyRecordFile": "dirty/records.jsonl"},
	  "content": [{"reader": {"name": "streamreader", "parameter": {"sliceRecordCount": 10, "column": [
	      {"name": "id", "type": "long", "incr": "1,1"}, {"name": "amount", "type": "string", "value": "12.345"}]}},
	    "writer": {"name": "hdfswriter", "parameter": {"path": "wh/t", "partition": "dt=${bizdate}", "fileType": "parquet",
	      "column": [{"name": "id", "type": "bigint"}, {"name": "amount", "type": "decimal(10,2)"}]}}}]}}`
	code, out, errOut := run(t, dir, "run", writeJob(t, dir, job), "-p", "bizdate=20261122", "--progress=-1s")
	if code != exitFailed {
		t.Fatalf("exit %d, want %d\n%s%s", code, exitFailed, out, errOut)
	}
	if !strings.Contains(errOut, "errorLimit.record allows 2") || !strings.Contains(out, "Dirty records in      : dirty/records.jsonl") {
		t.Errorf("output:\n%s\n%s", out, errOut)
	}
	f, err := os.Open(filepath.Join(dir, "dirty/records.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	lines := 0
	for sc.Scan() {
		var line struct {
			Reason string            `json:"reason"`
			Record map[string]string `json:"record"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(line.Reason, "column amount: 12.345 has more than 2 fraction digits") || line.Record["amount"] != "12.345" {
			t.Errorf("dirty line %s", sc.Text())
		}
		lines++
	}
	if lines < 3 {
		t.Errorf("%d dirty lines, want at least 3 (the limit is exceeded at the third)", lines)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "wh/t")); len(entries) != 0 {
		t.Errorf("a failed job left %d entries under wh/t", len(entries))
	}
}
