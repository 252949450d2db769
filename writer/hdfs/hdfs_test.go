package hdfs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "datax/reader/hdfs"
	_ "datax/reader/stream"
	"datax/record"
	"datax/storage"
	"datax/testing/testenv"
	"datax/verify"
	_ "datax/writer/hdfs"
	_ "datax/writer/stream"
)

// The type-fidelity table: what a MySQL source produces for BIGINT,
// BIGINT UNSIGNED (twice: kept unsigned, and as DECIMAL(20,0)),
// DECIMAL(38,10), DATETIME(6), DATE, utf8mb4 VARCHAR, VARBINARY, DOUBLE,
// BOOLEAN and TINYINT, with NULLs.
var fidelitySchema = record.Schema{
	{Name: "id", Kind: record.Int},
	{Name: "u", Kind: record.Uint},
	{Name: "u_dec", Kind: record.Uint},
	{Name: "amount", Kind: record.Decimal, Precision: 38, Scale: 10},
	{Name: "created", Kind: record.Timestamp, Scale: 6},
	{Name: "day", Kind: record.Date},
	{Name: "note", Kind: record.String},
	{Name: "raw", Kind: record.Bytes},
	{Name: "score", Kind: record.Float},
	{Name: "flag", Kind: record.Bool},
	{Name: "tiny", Kind: record.Int},
}

var fidelityRows = [][]string{
	{"1", "18446744073709551615", "18446744073709551615", "9999999999999999999999999999.9999999999", "2026-11-22 23:59:59.999999", "2026-11-22", "emoji 😀 utf8mb4 中文", "\x00\x01\xff", "3.141592653589793", "true", "-128"},
	{"2", "0", "0", "-0.0000000001", "1970-01-01 00:00:00", "1970-01-01", "", "", "-1e+300", "false", "127"},
	{"3", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL"},
	{"4", "42", "42", "0.5000000000", "1900-01-01 00:00:00.000001", "9999-12-31", "a,b \"c\"\nd", "bin", "0.1", "true", "0"},
}

var fidelityColumns = `[
	{"name": "id", "type": "BIGINT"},
	{"name": "u", "type": "BIGINT UNSIGNED"},
	{"name": "u_dec", "type": "DECIMAL(20,0)"},
	{"name": "amount", "type": "DECIMAL(38,10)"},
	{"name": "created", "type": "TIMESTAMP"},
	{"name": "day", "type": "DATE"},
	{"name": "note", "type": "STRING"},
	{"name": "raw", "type": "BINARY"},
	{"name": "score", "type": "DOUBLE"},
	{"name": "flag", "type": "BOOLEAN"},
	{"name": "tiny", "type": "TINYINT"}]`

// What an independent reader must show (DuckDB's and Spark's renderings).
var fidelityWant = [][]string{
	{"1", "18446744073709551615", "18446744073709551615", "9999999999999999999999999999.9999999999", "2026-11-22 23:59:59.999999", "2026-11-22", "emoji 😀 utf8mb4 中文", "0001ff", "3.141592653589793", "true", "-128"},
	{"2", "0", "0", "-0.0000000001", "1970-01-01 00:00:00", "1970-01-01", "", "", "-1e+300", "false", "127"},
	{"3", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL"},
	{"4", "42", "42", "0.5000000000", "1900-01-01 00:00:00.000001", "9999-12-31", "a,b \"c\"\nd", "62696e", "0.1", "true", "0"},
}

var duckTypes = []string{"BIGINT", "UBIGINT", "DECIMAL(20,0)", "DECIMAL(38,10)", "TIMESTAMP", "DATE", "VARCHAR", "BLOB", "DOUBLE", "BOOLEAN", "TINYINT"}

// Spark reads UINT_64 as decimal(20,0) and isAdjustedToUTC=false
// timestamps as timestamp_ntz (the wall clock, whatever the session zone).
var sparkTypes = []string{"bigint", "decimal(20,0)", "decimal(20,0)", "decimal(38,10)", "timestamp_ntz", "date", "string", "binary", "double", "boolean", "tinyint"}

func source() *testenv.Source {
	return &testenv.Source{Schema: fidelitySchema, Rows: fidelityRows}
}

// job returns an hdfswriter job from the test reader with extra writer keys.
func job(writer map[string]any) string {
	w, _ := json.Marshal(writer)
	return `{"job": {"setting": {"speed": {"channel": 1}, "errorLimit": {"record": 0}, "retry": {"attempts": 1}},
	  "content": [{"reader": {"name": "testreader"}, "writer": {"name": "hdfswriter", "parameter": ` + string(w) + `}}]}}`
}

func params(fs, root string, extra map[string]any) map[string]any {
	p := map[string]any{"defaultFS": fs, "path": root + "/orders", "partition": "dt=${bizdate}", "fileType": "parquet", "writeMode": "truncate"}
	var cols any
	json.Unmarshal([]byte(fidelityColumns), &cols)
	p["column"] = cols
	for k, v := range extra {
		if v == nil {
			delete(p, k)
		} else {
			p[k] = v
		}
	}
	return p
}

var bizdate = map[string]string{"bizdate": "20261122"}

// target is a place to write: local disk, or a fresh HDFS directory.
type target struct {
	name, defaultFS, root string
	fs                    storage.FS
}

func (tg target) url(p string) string {
	if tg.defaultFS == "file:///" {
		return p
	}
	return tg.defaultFS + p
}

func targets(t *testing.T) []target {
	out := []target{{name: "local", defaultFS: "file:///", root: filepath.ToSlash(t.TempDir()), fs: storage.Local()}}
	if addr := hdfsAddr(t); addr != "" {
		fsys, err := storage.Open(storage.Options{DefaultFS: "hdfs://" + addr})
		if err != nil {
			t.Fatal(err)
		}
		root := fmt.Sprintf("/datax-test/hdfswriter-%s-%d", strings.ReplaceAll(t.Name(), "/", "_"), time.Now().UnixNano())
		t.Cleanup(func() { fsys.RemoveAll(root); fsys.Close() })
		out = append(out, target{name: "hdfs", defaultFS: "hdfs://" + addr, root: root, fs: fsys})
	}
	return out
}

// hdfsAddr returns the cluster address, or "" after logging how to start it
// (under CI=true a missing cluster fails).
func hdfsAddr(t *testing.T) string {
	var addr string
	t.Run("hdfs-available", func(t *testing.T) { addr = testenv.HDFS(t) })
	return addr
}

func checkRows(t *testing.T, who string, got [][]string, types, wantTypes []string) {
	t.Helper()
	if !slices.Equal(types, wantTypes) {
		t.Errorf("%s types %v, want %v", who, types, wantTypes)
	}
	if len(got) != len(fidelityWant) {
		t.Fatalf("%s read %d rows, want %d: %q", who, len(got), len(fidelityWant), got)
	}
	for i := range fidelityWant {
		for j := range fidelityWant[i] {
			if got[i][j] != fidelityWant[i][j] {
				t.Errorf("%s row %d column %s: %q, want %q", who, i, fidelitySchema[j].Name, got[i][j], fidelityWant[i][j])
			}
		}
	}
}

// The type-fidelity table written as Parquet, by each encoder, on local disk
// and HDFS, reads back exactly in DuckDB and Spark, with the logical types.
func TestFidelity(t *testing.T) {
	for _, tg := range targets(t) {
		for _, enc := range []string{"parquet-go", "xitongsys"} {
			t.Run(tg.name+"/"+enc, func(t *testing.T) {
				root := fmt.Sprintf("%s/%s", tg.root, enc)
				if _, err := testenv.RunJob(t, job(params(tg.defaultFS, root, map[string]any{"parquetEncoder": enc})), source().Registry(), bizdate); err != nil {
					t.Fatal(err)
				}
				part := root + "/orders/dt=20261122"
				if _, err := verify.Check(context.Background(), tg.fs, part); err != nil {
					t.Fatal(err)
				}
				if tg.name == "local" {
					tab := testenv.DuckDB(t, "SELECT * FROM read_parquet('"+part+"/*.parquet', hive_partitioning=false) ORDER BY id")
					checkRows(t, "DuckDB", tab.Texts(), tab.Types, duckTypes)
				}
				if enc == "parquet-go" {
					tab := testenv.Spark(t, tg.url(part))
					checkRows(t, "Spark", tab.Texts(), tab.Types, sparkTypes)
				}
			})
		}
	}
}

// Without a column list the file takes the source's own types.
func TestSourceTypes(t *testing.T) {
	root := filepath.ToSlash(t.TempDir())
	if _, err := testenv.RunJob(t, job(params("file:///", root, map[string]any{"column": nil})), source().Registry(), bizdate); err != nil {
		t.Fatal(err)
	}
	tab := testenv.DuckDB(t, "SELECT * FROM read_parquet('"+root+"/orders/dt=20261122/*.parquet', hive_partitioning=false) ORDER BY id")
	want := slices.Clone(duckTypes)
	want[2], want[10] = "UBIGINT", "BIGINT" // u_dec stays unsigned, tiny a BIGINT
	if !slices.Equal(tab.Types, want) {
		t.Errorf("types %v, want %v", tab.Types, want)
	}
}

// Text and CSV files read back in DuckDB's CSV reader, nulls as \N.
func TestText(t *testing.T) {
	for _, tg := range targets(t) {
		for _, ft := range []string{"text", "csv"} {
			t.Run(tg.name+"/"+ft, func(t *testing.T) {
				root := tg.root + "/" + ft
				src := &testenv.Source{Schema: record.Schema{{Name: "id", Kind: record.Int}, {Name: "note", Kind: record.String}, {Name: "amount", Kind: record.Decimal, Precision: 12, Scale: 2}},
					Rows: [][]string{{"1", "plain", "1.50"}, {"2", "NULL", "NULL"}, {"3", "中文 😀", "-0.01"}}}
				p := params(tg.defaultFS, root, map[string]any{"fileType": ft, "fieldDelimiter": "\t", "compress": "gzip", "column": nil})
				if _, err := testenv.RunJob(t, job(p), src.Registry(), bizdate); err != nil {
					t.Fatal(err)
				}
				part := root + "/orders/dt=20261122"
				files, err := storage.Visible(tg.fs, part)
				if err != nil || len(files) != 1 || !strings.HasSuffix(files[0].Name(), ".gz") {
					t.Fatalf("files %v, %v", files, err)
				}
				if tg.name != "local" {
					return
				}
				tab := testenv.DuckDB(t, `SELECT * FROM read_csv('`+part+`/*.gz', delim='\t', quote='"', escape='"', nullstr='\N', header=false, hive_partitioning=false, columns={'id':'BIGINT','note':'VARCHAR','amount':'DECIMAL(12,2)'}) ORDER BY id`)
				want := [][]string{{"1", "plain", "1.50"}, {"2", "NULL", "NULL"}, {"3", "中文 😀", "-0.01"}}
				if got := tab.Texts(); !slices.EqualFunc(got, want, slices.Equal) {
					t.Errorf("DuckDB read %q, want %q", got, want)
				}
			})
		}
	}
}

// visible lists the names in dir that readers see.
func visible(t *testing.T, fsys storage.FS, dir string) []string {
	t.Helper()
	var out []string
	for _, n := range allNames(t, fsys, dir) {
		if !storage.Hidden(n) {
			out = append(out, n)
		}
	}
	return out
}

// allNames lists every name in dir, hidden ones too.
func allNames(t *testing.T, fsys storage.FS, dir string) []string {
	t.Helper()
	list, err := fsys.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, fi := range list {
		out = append(out, fi.Name())
	}
	return out
}

// truncate replaces, append adds (the manifest covers every file),
// nonConflict refuses a non-empty partition before reading anything.
func TestWriteModes(t *testing.T) {
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			part := tg.root + "/orders/dt=20261122"
			run := func(mode string) (*testenv.Source, error) {
				src := source()
				_, err := testenv.RunJob(t, job(params(tg.defaultFS, tg.root, map[string]any{"writeMode": mode})), src.Registry(), bizdate)
				return src, err
			}
			if _, err := run("nonConflict"); err != nil {
				t.Fatal(err)
			}
			first := visible(t, tg.fs, part)
			if _, err := run("truncate"); err != nil {
				t.Fatal(err)
			}
			second := visible(t, tg.fs, part)
			if len(second) != 1 || slices.Equal(first, second) {
				t.Fatalf("truncate: %v then %v", first, second)
			}
			if _, err := run("append"); err != nil {
				t.Fatal(err)
			}
			third := visible(t, tg.fs, part)
			if len(third) != 2 || !slices.Contains(third, second[0]) {
				t.Fatalf("append: %v", third)
			}
			m, err := verify.Check(context.Background(), tg.fs, part)
			if err != nil || m.Rows != 8 {
				t.Fatalf("after append: %v, %+v", err, m)
			}
			src, err := run("nonConflict")
			if err == nil || !strings.Contains(err.Error(), "writeMode nonConflict") || !strings.Contains(err.Error(), "already holds 2 file(s)") {
				t.Fatalf("nonConflict on a full partition: %v", err)
			}
			if src.Reads.Load() != 0 {
				t.Errorf("nonConflict failed after reading %d tasks; it must fail before", src.Reads.Load())
			}
			if after := visible(t, tg.fs, part); !slices.Equal(after, third) {
				t.Errorf("the failed job touched the target: %v", after)
			}
			if entries, _ := tg.fs.ReadDir(tg.root + "/orders"); len(entries) != 1 {
				t.Errorf("leftovers beside the partition: %v", entries)
			}
		})
	}
}

// Rows of a narrow type that do not fit are dirty records; with an error
// limit of 0 the job fails and nothing is published.
func TestDirtyNothingPublished(t *testing.T) {
	root := filepath.ToSlash(t.TempDir())
	src := &testenv.Source{Schema: record.Schema{{Name: "id", Kind: record.Int}, {Name: "tiny", Kind: record.Int}}, Rows: [][]string{{"1", "1"}, {"2", "300"}}}
	p := params("file:///", root, map[string]any{"column": []map[string]string{{"name": "id", "type": "BIGINT"}, {"name": "tiny", "type": "TINYINT"}}})
	_, err := testenv.RunJob(t, job(p), src.Registry(), bizdate)
	if err == nil || !strings.Contains(err.Error(), "300 does not fit TINYINT") {
		t.Fatalf("err = %v", err)
	}
	entries, _ := os.ReadDir(root + "/orders")
	if len(entries) != 0 {
		t.Fatalf("a failed job left %v", entries)
	}
}

// A task attempt that fails after its rows reached the writer leaves
// nothing behind: the retry's rows are published once.
func TestRetryDiscardsAttempt(t *testing.T) {
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			src := source()
			src.Tasks, src.FailFirst = 3, true
			j := strings.Replace(job(params(tg.defaultFS, tg.root, nil)), `"retry": {"attempts": 1}`, `"retry": {"attempts": 2, "backoff": "10ms"}`, 1)
			if _, err := testenv.RunJob(t, j, src.Registry(), bizdate); err != nil {
				t.Fatal(err)
			}
			if src.Reads.Load() != 6 {
				t.Fatalf("%d reads, want 3 tasks × 2 attempts", src.Reads.Load())
			}
			part := tg.root + "/orders/dt=20261122"
			m, err := verify.Check(context.Background(), tg.fs, part)
			if err != nil || m.Rows != 12 || len(m.Files) != 3 {
				t.Fatalf("verify: %v; %d rows in %d files, want 12 in 3", err, m.Rows, len(m.Files))
			}
			for _, f := range m.Files {
				if !strings.Contains(f.Name, ".a1.") {
					t.Errorf("%s is not the retry's file", f.Name)
				}
			}
		})
	}
}

// rollRows cuts a task's output into several files.
func TestRollRows(t *testing.T) {
	root := filepath.ToSlash(t.TempDir())
	j := `{"job": {"setting": {"speed": {"channel": 2}}, "content": [{
	  "reader": {"name": "streamreader", "parameter": {"column": [{"name": "id", "type": "long", "incr": "1,1"}], "sliceRecordCount": 5000}},
	  "writer": {"name": "hdfswriter", "parameter": {"path": "` + root + `/t", "partition": "dt=${bizdate}/hh=07", "fileType": "parquet", "rollRows": 2048}}}]}}`
	if _, err := testenv.RunJob(t, j, nil, bizdate); err != nil {
		t.Fatal(err)
	}
	part := root + "/t/dt=20261122/hh=07"
	if files := visible(t, storage.Local(), part); len(files) != 6 {
		t.Fatalf("files %v, want 3 per task", files)
	}
	tab := testenv.DuckDB(t, "SELECT count(*), count(DISTINCT id), sum(id) FROM read_parquet('"+part+"/*.parquet', hive_partitioning=false)")
	if got := tab.Texts()[0]; !slices.Equal(got, []string{"10000", "5000", fmt.Sprint(2 * 5000 * 5001 / 2)}) {
		t.Errorf("count, distinct, sum = %v", got)
	}
}

// rollBytes starts a new file once a file has that many bytes.
func TestRollBytes(t *testing.T) {
	root := filepath.ToSlash(t.TempDir())
	j := `{"job": {"content": [{
	  "reader": {"name": "streamreader", "parameter": {"column": [{"name": "id", "type": "long", "incr": "1,1"}, {"name": "s", "type": "string", "random": "50,50"}], "sliceRecordCount": 20000}},
	  "writer": {"name": "hdfswriter", "parameter": {"path": "` + root + `/t", "fileType": "text", "fieldDelimiter": ",", "rollBytes": 200000}}}]}}`
	if _, err := testenv.RunJob(t, j, nil, nil); err != nil {
		t.Fatal(err)
	}
	m, err := verify.Check(context.Background(), storage.Local(), root+"/t")
	if err != nil {
		t.Fatal(err)
	}
	// About 1.1 MB of text; a file is cut after the batch (about 60 kB here)
	// during which it passed 200 kB, counting the encoder's 64 KiB buffer.
	if len(m.Files) < 3 || m.Rows != 20000 {
		t.Fatalf("%d files, %d rows", len(m.Files), m.Rows)
	}
	for _, f := range m.Files[:len(m.Files)-1] {
		if f.Bytes < 200000 || f.Bytes > 200000+60000+65536 {
			t.Errorf("%s has %d bytes; rollBytes is 200000", f.Name, f.Bytes)
		}
	}
}

// A published file changed by one byte fails verification naming the file,
// and hdfsreader with requireVerified refuses it.
func TestVerifyTamper(t *testing.T) {
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			if _, err := testenv.RunJob(t, job(params(tg.defaultFS, tg.root, nil)), source().Registry(), bizdate); err != nil {
				t.Fatal(err)
			}
			part := tg.root + "/orders/dt=20261122"
			name := visible(t, tg.fs, part)[0]
			data, err := storage.ReadFile(tg.fs, path.Join(part, name))
			if err != nil {
				t.Fatal(err)
			}
			data[len(data)/2] ^= 0x01
			tg.fs.RemoveAll(path.Join(part, name))
			if err := storage.WriteFile(tg.fs, path.Join(part, name), data); err != nil {
				t.Fatal(err)
			}
			_, err = verify.Check(context.Background(), tg.fs, part)
			var ve *verify.Error
			if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].File != name || !strings.Contains(err.Error(), "content changed") {
				t.Fatalf("verify after a flipped byte: %v", err)
			}
			read := `{"job": {"content": [{"reader": {"name": "hdfsreader", "parameter": {"defaultFS": "` + tg.defaultFS + `", "path": "` + part + `", "fileType": "parquet", "column": ["*"], "requireVerified": true}},
			  "writer": {"name": "streamwriter", "parameter": {"print": false}}}]}}`
			_, err = testenv.RunJob(t, read, nil, nil)
			if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "refusing unverified data") {
				t.Fatalf("requireVerified read a tampered file: %v", err)
			}
		})
	}
}

// Targets that cannot be written fail in Prepare, before reading, with a
// message that names the path.
func TestBadTargets(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	os.WriteFile(file, []byte("x"), 0o644)
	cases := map[string]struct {
		path, partition, want string
	}{
		"path is a file":        {file, "", "is a file, not a directory"},
		"path below a file":     {file + "/t", "dt=1", "a-file is a file, not a directory"},
		"partition is a file 2": {dir + "/t2", "dt=1", ""},
	}
	os.MkdirAll(dir+"/t2", 0o755)
	os.WriteFile(dir+"/t2/dt=1", nil, 0o644)
	cases["partition is a file 2"] = struct{ path, partition, want string }{dir + "/t2", "dt=1", "dt=1 is a file, not a directory"}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			src := source()
			p := params("file:///", "", map[string]any{"path": c.path, "partition": c.partition})
			_, err := testenv.RunJob(t, job(p), src.Registry(), bizdate)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			if src.Reads.Load() != 0 {
				t.Errorf("read before failing")
			}
		})
	}
}

// A directory nobody can create entries in (root included: the immutable
// attribute, chattr +i, binds root too; tests run as root, so permission
// bits would prove nothing) fails before reading.
func TestUnwritableDirectory(t *testing.T) {
	dir := t.TempDir() + "/locked"
	os.MkdirAll(dir, 0o755)
	if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
		testenv.Missing(t, "chattr +i", fmt.Sprintf("%v: %s; the unwritable-directory case needs an immutable directory, since root ignores permission bits", err, out))
	}
	defer exec.Command("chattr", "-i", dir).Run()
	src := source()
	_, err := testenv.RunJob(t, job(params("file:///", dir, nil)), src.Registry(), bizdate)
	if err == nil || !strings.Contains(err.Error(), dir+"/orders") || !strings.Contains(err.Error(), "operation not permitted") {
		t.Fatalf("err = %v", err)
	}
	if src.Reads.Load() != 0 {
		t.Errorf("read before failing")
	}
}

// An unreachable namenode fails the job at once, naming the address.
func TestNamenodeUnreachable(t *testing.T) {
	start := time.Now()
	src := source()
	_, err := testenv.RunJob(t, job(params("hdfs://127.0.0.1:1", "/warehouse", nil)), src.Registry(), bizdate)
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") || !strings.Contains(err.Error(), "cannot connect") {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 20*time.Second || src.Reads.Load() != 0 {
		t.Errorf("took %s, read %d tasks", time.Since(start), src.Reads.Load())
	}
}

// Every parameter that can be wrong fails validation with its JSON path and
// what is expected, before anything connects.
func TestBadParams(t *testing.T) {
	const at = "job.content[0].writer.parameter."
	cases := []struct {
		change map[string]any
		want   string
	}{
		{map[string]any{"fileType": "orc"}, at + "fileType: orc is not supported yet"},
		{map[string]any{"fileType": "xls"}, at + `fileType: "xls" is not one of parquet, text, csv, orc`},
		{map[string]any{"path": nil}, at + "path: missing required parameter"},
		{map[string]any{"path": "/a/*/b"}, at + "path: \"/a/*/b\" has wildcards"},
		{map[string]any{"writeMode": "overwrite"}, at + `writeMode: "overwrite" is not one of append, nonConflict, truncate`},
		{map[string]any{"fileType": "text"}, at + "fieldDelimiter: required for fileType text"},
		{map[string]any{"fileType": "text", "fieldDelimiter": "||"}, at + "fieldDelimiter: \"||\": expected one character"},
		{map[string]any{"compress": "bzip2"}, at + "compress: \"bzip2\": parquet takes snappy"},
		{map[string]any{"fileType": "text", "fieldDelimiter": ",", "compress": "snappy"}, at + "compress: \"snappy\": text takes none"},
		{map[string]any{"column": []map[string]string{{"name": "a", "type": "DECIMAL(40,2)"}}}, at + "column[0].type: type \"DECIMAL(40,2)\": DECIMAL(p,s) needs 1 ≤ p ≤ 38"},
		{map[string]any{"column": []map[string]string{{"name": "a", "type": "VARCHAR2"}}}, at + "column[0].type: type \"VARCHAR2\": expected one of"},
		{map[string]any{"column": []map[string]string{{"name": "a", "type": "INT"}, {"name": "A", "type": "INT"}}}, at + "column[1].name: \"A\" appears twice"},
		{map[string]any{"column": []map[string]string{{"name": "a"}}}, at + "column[0].type: missing required parameter"},
		{map[string]any{"partition": "dt"}, at + "partition: \"dt\": expected key=value"},
		{map[string]any{"partition": "dt=1/.x=2"}, at + "partition:"},
		{map[string]any{"defaultFS": "namenode:8020"}, at + "defaultFS: defaultFS \"namenode:8020\": expected hdfs://host:port"},
		{map[string]any{"haveKerberos": true}, at + "kerberosKeytabFilePath: required when haveKerberos is true"},
		{map[string]any{"haveKerberos": true, "kerberosKeytabFilePath": "/k"}, at + "kerberosPrincipal: required when haveKerberos"},
		{map[string]any{"rollRows": -1}, at + "rollRows: rollRows, rollBytes and rowGroupBytes must not be negative"},
		{map[string]any{"parquetEncoder": "arrow"}, at + `parquetEncoder: "arrow" is not one of parquet-go, xitongsys`},
		{map[string]any{"fileNmae": "x"}, at + `fileNmae: unknown parameter "fileNmae"; did you mean "fileName"?`},
		{map[string]any{"dateFormat": "yyyy-MM-dd"}, at + "dateFormat: applies to text and csv files"},
		{map[string]any{"hdfsUser": "etl", "hdfsUsername": "hive"}, at + `hdfsUsername: "hive" differs from hdfsUser "etl"`},
	}
	for _, c := range cases {
		src := source()
		_, err := testenv.RunJob(t, job(params("file:///", t.TempDir(), c.change)), src.Registry(), bizdate)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v\nwant %q", c.change, err, c.want)
		}
		if src.Reads.Load() != 0 {
			t.Errorf("%v: read before failing", c.change)
		}
	}
	// A column list that does not match the source fails before reading.
	src := source()
	p := params("file:///", t.TempDir(), map[string]any{"column": []map[string]string{{"name": "a", "type": "INT"}}})
	_, err := testenv.RunJob(t, job(p), src.Registry(), bizdate)
	if err == nil || !strings.Contains(err.Error(), "column lists 1 columns but the reader produces 11") || src.Reads.Load() != 0 {
		t.Errorf("column count mismatch: %v", err)
	}
	// A Kerberos keytab that does not exist is named.
	p = params("hdfs://127.0.0.1:1", "/w", map[string]any{"haveKerberos": true, "kerberosKeytabFilePath": "/nonexistent/etl.keytab", "kerberosPrincipal": "etl@EXAMPLE.COM"})
	_, err = testenv.RunJob(t, job(p), source().Registry(), bizdate)
	if err == nil || !strings.Contains(err.Error(), "cannot load keytab /nonexistent/etl.keytab") {
		t.Errorf("bad keytab: %v", err)
	}
}

// The plugin's example jobs run (the writer's first: the reader's reads the
// partition it wrote).
func TestExamples(t *testing.T) {
	pkg, _ := os.Getwd()
	t.Chdir(t.TempDir())
	for _, name := range []string{"example.json", "../../reader/hdfs/example.json"} {
		data, err := os.ReadFile(filepath.Join(pkg, name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := testenv.RunJob(t, string(data), nil, bizdate); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if _, err := verify.Check(context.Background(), storage.Local(), "warehouse/example/orders/dt=20261122"); err != nil {
		t.Fatal(err)
	}
}

// A run without rows publishes one data file without rows, so that the
// partition carries its schema (DuckDB reads 0 rows of the declared types);
// an empty run adds no such file to a partition that holds data files, and
// a truncate replaces it.
func TestEmptyRun(t *testing.T) {
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			part := tg.root + "/orders/dt=20261122"
			run := func(mode string, rows [][]string) {
				t.Helper()
				src := &testenv.Source{Schema: fidelitySchema, Rows: rows, Tasks: 2}
				if _, err := testenv.RunJob(t, job(params(tg.defaultFS, tg.root, map[string]any{"writeMode": mode})), src.Registry(), bizdate); err != nil {
					t.Fatal(err)
				}
			}
			check := func(what string, files int, rows int64) []string {
				t.Helper()
				m, err := verify.Check(context.Background(), tg.fs, part)
				if err != nil || len(m.Files) != files || m.Rows != rows {
					t.Fatalf("%s: verify %v; %+v, want %d file(s) with %d rows", what, err, m, files, rows)
				}
				return visible(t, tg.fs, part)
			}
			run("truncate", nil)
			empty := check("empty truncate", 1, 0)
			if tg.name == "local" {
				tab := testenv.DuckDB(t, "SELECT * FROM read_parquet('"+part+"/*.parquet', hive_partitioning=false)")
				if len(tab.Rows) != 0 || !slices.Equal(tab.Types, duckTypes) {
					t.Errorf("DuckDB read %d rows of %v, want 0 of %v", len(tab.Rows), tab.Types, duckTypes)
				}
			}
			run("append", nil)
			if got := check("empty append onto the empty file", 1, 0); !slices.Equal(got, empty) {
				t.Errorf("an empty append changed %v to %v", empty, got)
			}
			run("append", fidelityRows)
			withData := check("append with rows (the empty file stays)", 3, 8)
			run("append", nil)
			if got := check("empty append onto data", 3, 8); !slices.Equal(got, withData) {
				t.Errorf("an empty append added a file: %v, then %v", withData, got)
			}
			run("truncate", nil)
			if got := check("empty truncate of data", 1, 0); slices.Equal(got, empty) {
				t.Errorf("truncate kept %v", got)
			}
		})
	}
	// Into a partition that does not exist, or exists without data files
	// (as an older datax published an empty day), append and nonConflict
	// write the empty file too.
	for _, mode := range []string{"append", "nonConflict"} {
		for _, exists := range []bool{false, true} {
			root := filepath.ToSlash(t.TempDir())
			part := root + "/orders/dt=20261122"
			if exists {
				os.MkdirAll(part, 0o755)
				if err := verify.Write(storage.Local(), part, &verify.Manifest{}); err != nil {
					t.Fatal(err)
				}
			}
			src := &testenv.Source{Schema: fidelitySchema}
			if _, err := testenv.RunJob(t, job(params("file:///", root, map[string]any{"writeMode": mode})), src.Registry(), bizdate); err != nil {
				t.Fatalf("%s (exists %v): %v", mode, exists, err)
			}
			m, err := verify.Check(context.Background(), storage.Local(), part)
			if err != nil || len(m.Files) != 1 || m.Rows != 0 {
				t.Fatalf("%s (exists %v): verify %v; %+v", mode, exists, err, m)
			}
		}
	}
}
