package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"datax/storage"
	"datax/testing/testenv"
)

// buildBinary builds datax into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "datax")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func hdfsJob(rows int, speed string) string {
	return `{"job": {"setting": {"speed": {"channel": 1` + speed + `}},
	  "content": [{"reader": {"name": "streamreader", "parameter": {"column": [
	      {"name": "id", "type": "long", "incr": "1,1"},
	      {"name": "note", "type": "string", "random": "5,20"}], "sliceRecordCount": ` + strconv.Itoa(rows) + `}},
	    "writer": {"name": "hdfswriter", "parameter": {"path": "wh/orders", "partition": "dt=${bizdate}",
	      "fileType": "parquet", "writeMode": "truncate", "rollRows": 5000}}}]}}`
}

// kill -9 of `datax run` in the middle of writing leaves no visible
// partition; the rerun removes the leftovers and publishes a complete one.
func TestKillMidWrite(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "slow.json"), []byte(hdfsJob(1_000_000, `, "record": 20000`)), 0o644)
	os.WriteFile(filepath.Join(dir, "fast.json"), []byte(hdfsJob(30_000, "")), 0o644)

	cmd := exec.Command(bin, "run", "slow.json", "-p", "bizdate=20261122", "--progress=-1s")
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the run has staged files, then kill it without warning.
	deadline := time.Now().Add(30 * time.Second)
	var staged []string
	for time.Now().Before(deadline) {
		staged, _ = filepath.Glob(filepath.Join(dir, "wh/orders/.datax-staging-dt=20261122-*/*.parquet"))
		if len(staged) >= 2 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(staged) < 2 {
		cmd.Process.Kill()
		t.Fatalf("no staged file after 30s")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	entries, _ := os.ReadDir(filepath.Join(dir, "wh/orders"))
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			t.Fatalf("a killed run left a visible %s", e.Name())
		}
	}
	if len(entries) == 0 {
		t.Fatal("expected the killed run's hidden staging directory")
	}

	rerun := exec.Command(bin, "run", "fast.json", "-p", "bizdate=20261122", "--progress=-1s")
	rerun.Dir = dir
	out, err := rerun.CombinedOutput()
	if err != nil {
		t.Fatalf("rerun: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "cleaned up after an earlier run") {
		t.Errorf("the rerun did not report the cleanup:\n%s", out)
	}
	entries, _ = os.ReadDir(filepath.Join(dir, "wh/orders"))
	if len(entries) != 1 || entries[0].Name() != "dt=20261122" {
		t.Fatalf("after the rerun: %v", entries)
	}
	verifyOut, err := exec.Command(bin, "verify", filepath.Join(dir, "wh/orders")).CombinedOutput()
	if err != nil || !strings.Contains(string(verifyOut), "30000 rows") {
		t.Fatalf("verify: %v\n%s", err, verifyOut)
	}
	tab := testenv.DuckDB(t, "SELECT count(*), count(DISTINCT id), min(id), max(id) FROM read_parquet('"+dir+"/wh/orders/dt=20261122/*.parquet', hive_partitioning=false)")
	if got := strings.Join(tab.Texts()[0], ","); got != "30000,30000,1,30000" {
		t.Errorf("DuckDB count, distinct, min, max = %s", got)
	}
}

// datax verify: 0 when a partition matches, 1 naming the changed file, 2
// for a path with nothing to verify.
func TestVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	if code, out, errOut := run(t, dir, "run", "-p", "bizdate=20261122", "--progress=-1s"); code != 0 {
		t.Fatalf("quickstart: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut := run(t, dir, "verify", "warehouse")
	if code != 0 || !strings.Contains(out, "OK   warehouse/quickstart/orders/dt=20261122: 2 files, 100000 rows") {
		t.Fatalf("verify: exit %d\n%s\n%s", code, out, errOut)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "warehouse/quickstart/orders/dt=20261122/*.parquet"))
	data, _ := os.ReadFile(files[0])
	data[100] ^= 0x20
	os.WriteFile(files[0], data, 0o644)
	code, out, errOut = run(t, dir, "verify", "warehouse/quickstart/orders/dt=20261122")
	if code != 1 || !strings.Contains(out, filepath.Base(files[0])+": content changed") || !strings.Contains(errOut, "do not match") {
		t.Fatalf("after a flipped byte: exit %d\n%s\n%s", code, out, errOut)
	}
	os.WriteFile(filepath.Join(filepath.Dir(files[0]), "stray.parquet"), []byte("x"), 0o644)
	_, out, _ = run(t, dir, "verify", "warehouse")
	if !strings.Contains(out, "stray.parquet: not listed") {
		t.Errorf("an added file is not reported:\n%s", out)
	}
	code, _, errOut = run(t, dir, "verify", "nowhere")
	if code != 2 || !strings.Contains(errOut, "nowhere does not exist") {
		t.Errorf("missing path: exit %d, %s", code, errOut)
	}
	os.MkdirAll(filepath.Join(dir, "empty"), 0o755)
	code, _, errOut = run(t, dir, "verify", "empty")
	if code != 2 || !strings.Contains(errOut, "no _VERIFY.json here or below") {
		t.Errorf("nothing to verify: exit %d, %s", code, errOut)
	}
}

// datax verify reads hdfs:// URLs.
func TestVerifyHDFS(t *testing.T) {
	addr := testenv.HDFS(t)
	dir := t.TempDir()
	root := "/datax-test/verify-cmd-" + strconv.FormatInt(time.Now().UnixNano(), 10)
	t.Cleanup(func() {
		if fsys, err := storage.Open(storage.Options{DefaultFS: "hdfs://" + addr}); err == nil {
			fsys.RemoveAll(root)
			fsys.Close()
		}
	})
	job := strings.Replace(hdfsJob(1000, ""), `"path": "wh/orders"`, `"defaultFS": "hdfs://`+addr+`", "path": "`+root+`/orders"`, 1)
	if code, out, errOut := run(t, dir, "run", writeJob(t, dir, job), "-p", "bizdate=20261122", "--progress=-1s"); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut := run(t, dir, "verify", "hdfs://"+addr+root)
	if code != 0 || !strings.Contains(out, "OK   hdfs://"+addr+root+"/orders/dt=20261122: 1 files, 1000 rows") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}
