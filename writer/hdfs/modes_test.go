package hdfs_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"datax/record"
	"datax/storage"
	"datax/testing/testenv"
	"datax/verify"
)

// shared is hdfswriter text output into a directory without a partition:
// the DataX layout where the directory may hold other jobs' files.
func shared(tg target, dir, fileName, mode string) map[string]any {
	return map[string]any{"defaultFS": tg.defaultFS, "path": dir, "fileName": fileName, "fileType": "text",
		"fieldDelimiter": "\t", "writeMode": mode, "column": []map[string]string{{"name": "id", "type": "BIGINT"}, {"name": "note", "type": "STRING"}}}
}

func rowsSource(rows ...[]string) *testenv.Source {
	return &testenv.Source{Schema: record.Schema{{Name: "id", Kind: record.Int}, {Name: "note", Kind: record.String}}, Rows: rows}
}

// readIDs reads the directory back through hdfsreader (recursively, as it
// reads a directory) and returns the ids, sorted as text.
func readIDs(t *testing.T, tg target, dir string) []string {
	t.Helper()
	_, rows, err := testenv.ReadAll(t, "hdfsreader", fmt.Sprintf(`{"defaultFS": %q, "path": %q, "fileType": "text", "fieldDelimiter": "\t",
	  "column": [{"index": 0, "type": "long"}]}`, tg.defaultFS, dir))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rows {
		ids = append(ids, r[0])
	}
	slices.Sort(ids)
	return ids
}

// Without a partition the write modes are DataX's: truncate replaces only
// the files of fileName (never other files, never subdirectories),
// nonConflict fails only on files of fileName, append adds; _VERIFY.json
// lists every data file the directory holds afterwards, so that foreign
// files do not fail verification.
func TestModesWithoutPartition(t *testing.T) {
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			dir := tg.root + "/ods/orders"
			if err := tg.fs.MkdirAll(dir + "/sub"); err != nil {
				t.Fatal(err)
			}
			foreign := map[string]string{
				"foreign.txt":       "100\tother job\n",
				"orders__datax_old": "200\twritten by DataX\n", // DataX's name for fileName orders
				"orders10-x.txt":    "300\tanother fileName\n",
				"sub/inner.txt":     "400\tin a subdirectory\n",
			}
			for name, content := range foreign {
				if err := storage.WriteFile(tg.fs, dir+"/"+name, []byte(content)); err != nil {
					t.Fatal(err)
				}
			}
			run := func(fileName, mode string, rows ...[]string) (*testenv.Source, error) {
				src := rowsSource(rows...)
				_, err := testenv.RunJob(t, job(shared(tg, dir, fileName, mode)), src.Registry(), nil)
				return src, err
			}
			check := func(what string, wantFiles []string, wantIDs ...string) {
				t.Helper()
				got := visible(t, tg.fs, dir)
				for i, n := range got {
					if strings.HasPrefix(n, "orders-") {
						got[i] = "orders-*" // this run's name
					}
				}
				if !slices.Equal(got, wantFiles) {
					t.Errorf("%s: files %v, want %v", what, got, wantFiles)
				}
				if _, err := verify.Check(context.Background(), tg.fs, dir); err != nil {
					t.Errorf("%s: %v", what, err)
				}
				if ok, _ := storage.Exists(tg.fs, dir+"/_SUCCESS"); !ok {
					t.Errorf("%s: no _SUCCESS", what)
				}
				if ids := readIDs(t, tg, dir); !slices.Equal(ids, wantIDs) {
					t.Errorf("%s: ids %v, want %v", what, ids, wantIDs)
				}
			}
			if _, err := run("orders", "append", []string{"1", "a"}); err != nil {
				t.Fatal(err)
			}
			check("append", []string{"foreign.txt", "orders-*", "orders10-x.txt", "orders__datax_old", "sub"}, "1", "100", "200", "300", "400")
			// nonConflict: files of fileName exist, so it fails before
			// reading; another fileName goes through.
			src, err := run("orders", "nonConflict", []string{"2", "b"})
			if err == nil || !strings.Contains(err.Error(), `already holds 2 file(s) of fileName "orders"`) || src.Reads.Load() != 0 {
				t.Fatalf("nonConflict onto files of fileName: %v (%d reads)", err, src.Reads.Load())
			}
			if _, err := run("fresh", "nonConflict", []string{"3", "c"}); err != nil {
				t.Fatalf("nonConflict beside other files: %v", err)
			}
			// truncate removes orders__datax_old and the appended file, and
			// nothing else.
			if _, err := run("orders", "truncate", []string{"4", "d"}, []string{"5", "e"}); err != nil {
				t.Fatal(err)
			}
			files := visible(t, tg.fs, dir)
			fresh := files[slices.IndexFunc(files, func(n string) bool { return strings.HasPrefix(n, "fresh-") })]
			check("truncate", []string{"foreign.txt", fresh, "orders-*", "orders10-x.txt", "sub"}, "100", "3", "300", "4", "400", "5")
			if got := string(must(storage.ReadFile(tg.fs, dir+"/sub/inner.txt"))); got != foreign["sub/inner.txt"] {
				t.Errorf("the subdirectory's file changed: %q", got)
			}
			// An empty truncate: the directory keeps data files, so it gets
			// no file without rows.
			if _, err := run("orders", "truncate"); err != nil {
				t.Fatal(err)
			}
			check("empty truncate", []string{"foreign.txt", fresh, "orders10-x.txt", "sub"}, "100", "3", "300", "400")
			// Every other entry of the parent is the target itself.
			if got := allNames(t, tg.fs, tg.root+"/ods"); !slices.Equal(got, []string{"orders"}) {
				t.Errorf("leftovers beside the target: %v", got)
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// With a partition the job owns the directory: truncate replaces all of it
// (a foreign file too), nonConflict fails on any file.
func TestModesWithPartition(t *testing.T) {
	root := filepath.ToSlash(t.TempDir())
	tg := target{name: "local", defaultFS: "file:///", root: root, fs: storage.Local()}
	part := root + "/orders/dt=20261122"
	os.MkdirAll(part, 0o755)
	os.WriteFile(part+"/foreign.txt", []byte("100\tx\n"), 0o644)
	p := shared(tg, root+"/orders", "orders", "nonConflict")
	p["partition"] = "dt=${bizdate}"
	_, err := testenv.RunJob(t, job(p), rowsSource([]string{"1", "a"}).Registry(), bizdate)
	if err == nil || !strings.Contains(err.Error(), "already holds 1 file(s) (foreign.txt)") {
		t.Fatalf("nonConflict into a partition with a file: %v", err)
	}
	p["writeMode"] = "truncate"
	if _, err := testenv.RunJob(t, job(p), rowsSource([]string{"1", "a"}).Registry(), bizdate); err != nil {
		t.Fatal(err)
	}
	if files := visible(t, tg.fs, part); len(files) != 1 || !strings.HasPrefix(files[0], "orders-") {
		t.Fatalf("truncate of a partition left %v", files)
	}
}

// A file that _VERIFY.json lists keeps its entry while its size and
// modification time stay (it is not read again: a same-size change with the
// time put back goes unnoticed by the writer, and verify names it); a file
// whose size changed is checksummed again.
func TestForeignEntriesKept(t *testing.T) {
	dir := filepath.ToSlash(t.TempDir()) + "/shared"
	os.MkdirAll(dir, 0o755)
	foreign := dir + "/foreign.txt"
	os.WriteFile(foreign, []byte("100\tother\n"), 0o644)
	tg := target{name: "local", defaultFS: "file:///", root: dir, fs: storage.Local()}
	run := func(fileName string) {
		t.Helper()
		if _, err := testenv.RunJob(t, job(shared(tg, dir, fileName, "append")), rowsSource([]string{"1", "a"}).Registry(), nil); err != nil {
			t.Fatal(err)
		}
	}
	run("a")
	m, err := verify.Check(context.Background(), storage.Local(), dir)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := m.Lookup("foreign.txt")
	if first.ModTime == 0 || first.Bytes != 10 {
		t.Fatalf("foreign entry %+v", first)
	}
	fi, _ := os.Stat(foreign)
	os.WriteFile(foreign, []byte("999\tother\n"), 0o644)
	os.Chtimes(foreign, fi.ModTime(), fi.ModTime())
	run("b")
	_, err = verify.Check(context.Background(), storage.Local(), dir)
	var ve *verify.Error
	if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].File != "foreign.txt" || !strings.Contains(err.Error(), "content changed") {
		t.Fatalf("the entry was not kept (the file was read again): %v", err)
	}
	os.WriteFile(foreign, []byte("999\tother, longer\n"), 0o644)
	run("c")
	if _, err := verify.Check(context.Background(), storage.Local(), dir); err != nil {
		t.Fatalf("a changed file was not checksummed again: %v", err)
	}
}

// Three jobs launched together append into one directory (the sharded
// source landing in one Hive table): each stages apart, they publish in
// turn, and every row is there, verified.
func TestConcurrentJobs(t *testing.T) {
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			dir := tg.root + "/review/concurrent"
			const perTask = 20000
			var wg sync.WaitGroup
			errs := make([]error, 3)
			for i := range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					j := fmt.Sprintf(`{"job": {"setting": {"speed": {"channel": 2}}, "content": [{
					  "reader": {"name": "streamreader", "parameter": {"sliceRecordCount": %d, "column": [{"type": "long", "value": "%d"}, {"type": "string", "random": "10,20"}]}},
					  "writer": {"name": "hdfswriter", "parameter": {"defaultFS": %q, "fileType": "text", "path": %q, "fileName": "shard%d",
					    "column": [{"name": "id", "type": "bigint"}, {"name": "s", "type": "string"}], "writeMode": "append", "fieldDelimiter": "\t"}}}]}}`,
						perTask, i+1, tg.defaultFS, dir, i+1)
					_, errs[i] = testenv.RunJob(t, j, nil, nil)
				}()
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("job %d: %v", i+1, err)
				}
			}
			m, err := verify.Check(context.Background(), tg.fs, dir)
			if err != nil {
				t.Fatal(err)
			}
			perShard := map[string]int64{}
			for _, f := range m.Files {
				perShard[f.Name[:6]] += f.Rows
			}
			for i := range 3 {
				if got := perShard[fmt.Sprintf("shard%d", i+1)]; got != 2*perTask {
					t.Errorf("shard%d: %d rows in _VERIFY.json, want %d", i+1, got, 2*perTask)
				}
			}
			counts := map[string]int{}
			for _, id := range readIDs(t, tg, dir) {
				counts[id]++
			}
			if want := map[string]int{"1": 2 * perTask, "2": 2 * perTask, "3": 2 * perTask}; !mapsEqual(counts, want) {
				t.Errorf("read back %v, want %v", counts, want)
			}
			if got := allNames(t, tg.fs, path.Dir(dir)); !slices.Equal(got, []string{"concurrent"}) {
				t.Errorf("leftovers beside the target: %v", got)
			}
		})
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// The leftovers of a run that crashed (its process is gone) are cleaned by
// the next run, and so is a publish lock it held; a staging directory of a
// run that still runs is left alone.
func TestCrashedRunCleaned(t *testing.T) {
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			part := tg.root + "/orders/dt=20261122"
			cmd := exec.Command("true")
			if err := cmd.Run(); err != nil {
				t.Fatal(err)
			}
			dead := storage.Self(storage.NewRunID(), time.Now())
			dead.PID = cmd.ProcessState.Pid()
			crashed := storage.NewStageOf(tg.fs, part, dead)
			if err := crashed.Create(); err != nil {
				t.Fatal(err)
			}
			if err := storage.WriteFile(tg.fs, crashed.Dir+"/part-half.parquet", []byte("half")); err != nil {
				t.Fatal(err)
			}
			if _, _, err := storage.AcquireLock(context.Background(), tg.fs, part, dead, nil); err != nil {
				t.Fatal(err)
			}
			running := storage.NewStage(tg.fs, part, storage.NewRunID()) // this process: alive
			if err := running.Create(); err != nil {
				t.Fatal(err)
			}
			if _, err := testenv.RunJob(t, job(params(tg.defaultFS, tg.root, nil)), source().Registry(), bizdate); err != nil {
				t.Fatal(err)
			}
			if _, err := verify.Check(context.Background(), tg.fs, part); err != nil {
				t.Fatal(err)
			}
			if ok, _ := storage.Exists(tg.fs, crashed.Dir); ok {
				t.Error("the crashed run's staging directory survived")
			}
			if ok, _ := storage.Exists(tg.fs, running.Dir); !ok {
				t.Error("a running run's staging directory was removed")
			}
			if ok, _ := storage.Exists(tg.fs, storage.LockPath(part)); ok {
				t.Error("the lock file stayed")
			}
		})
	}
}
