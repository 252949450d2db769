package hdfs_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "datax/reader/hdfs"
	"datax/record"
	"datax/storage"
	"datax/testing/testenv"
	"datax/verify"
	_ "datax/writer/stream"
)

// duckParquet has DuckDB (an independent writer) write a Parquet file.
func duckParquet(t *testing.T, name, query string) {
	t.Helper()
	testenv.DuckDB(t, "COPY ("+query+") TO '"+name+"' (FORMAT parquet)")
}

const duckRows = `SELECT * FROM (VALUES
  (1::BIGINT, 18446744073709551615::UBIGINT, 9999999999999999999999999999.9999999999::DECIMAL(38,10), TIMESTAMP '2026-11-22 23:59:59.999999', DATE '2026-11-22', 'emoji 😀'::VARCHAR, '\x00\x01'::BLOB, 1.5::DOUBLE, true, 7::INTEGER),
  (2, 0, -0.0000000001, TIMESTAMP '1970-01-01 00:00:00', DATE '1970-01-01', '', ''::BLOB, -0.25, false, -7),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
) t(id, u, amount, created, day, note, raw, score, flag, n)`

// read runs hdfsreader with the given parameters.
func read(t *testing.T, params string) (record.Schema, [][]string, error) {
	t.Helper()
	return testenv.ReadAll(t, "hdfsreader", params)
}

var allWant = [][]string{
	{"1", "18446744073709551615", "9999999999999999999999999999.9999999999", "2026-11-22 23:59:59.999999", "2026-11-22", "emoji 😀", "\x00\x01", "1.5", "true", "7"},
	{"2", "0", "-0.0000000001", "1970-01-01 00:00:00", "1970-01-01", "", "", "-0.25", "false", "-7"},
	{"3", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL"},
}

// Parquet written by DuckDB reads back with every logical type, on local
// disk and from HDFS.
func TestReadDuckDBParquet(t *testing.T) {
	dir := t.TempDir()
	local := filepath.Join(dir, "t.parquet")
	duckParquet(t, local, duckRows)
	cases := []struct{ name, fs, path string }{{"local", "file:///", local}}
	var addr string
	t.Run("hdfs-available", func(t *testing.T) { addr = testenv.HDFS(t) })
	if addr != "" {
		fsys, err := storage.Open(storage.Options{DefaultFS: "hdfs://" + addr})
		if err != nil {
			t.Fatal(err)
		}
		root := fmt.Sprintf("/datax-test/hdfsreader-%d", time.Now().UnixNano())
		defer fsys.RemoveAll(root)
		fsys.MkdirAll(root + "/dt=1")
		data, _ := os.ReadFile(local)
		if err := storage.WriteFile(fsys, root+"/dt=1/t.parquet", data); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, struct{ name, fs, path string }{"hdfs", "hdfs://" + addr, "hdfs://" + addr + root + "/dt=*/*.parquet"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			schema, rows, err := read(t, `{"defaultFS": "`+c.fs+`", "path": "`+c.path+`", "fileType": "parquet", "column": ["*"]}`)
			if err != nil {
				t.Fatal(err)
			}
			kinds := fmt.Sprint(schema.Kinds())
			if kinds != "[int uint decimal timestamp date string bytes float bool int]" || schema[2].Precision != 38 || schema[2].Scale != 10 {
				t.Errorf("schema %v", schema)
			}
			if !slices.EqualFunc(rows, allWant, slices.Equal) {
				t.Errorf("rows %q\nwant %q", rows, allWant)
			}
		})
	}
}

// Columns by name (with a conversion), by index, and constants.
func TestSelectColumns(t *testing.T) {
	dir := t.TempDir()
	duckParquet(t, filepath.Join(dir, "a.parquet"), duckRows)
	duckParquet(t, filepath.Join(dir, "b.parquet"), "SELECT id + 10 AS id, u, amount, created, day, note, raw, score, flag, n FROM ("+duckRows+")")
	schema, rows, err := read(t, `{"path": "`+dir+`/*.parquet", "fileType": "parquet", "column": [
		{"name": "note"}, {"index": 0, "type": "string"}, {"name": "amount", "type": "DECIMAL(38,10)"}, {"name": "n", "type": "BIGINT"}, {"value": "20261122", "type": "DATE"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(schema.Kinds()); got != "[string string decimal int date]" {
		t.Errorf("kinds %s", got)
	}
	has := func(want ...string) bool {
		return slices.ContainsFunc(rows, func(r []string) bool { return slices.Equal(r, want) })
	}
	if len(rows) != 6 || !has("", "12", "-0.0000000001", "-7", "2026-11-22") || !has("emoji 😀", "1", "9999999999999999999999999999.9999999999", "7", "2026-11-22") {
		t.Errorf("rows %q", rows)
	}
	// A value that does not fit the declared type is a dirty record.
	_, _, err = read(t, `{"path": "`+dir+`/a.parquet", "fileType": "parquet", "column": [{"name": "u", "type": "BIGINT"}]}`)
	if err == nil || !strings.Contains(err.Error(), "18446744073709551615 is out of the signed 64-bit range") {
		t.Errorf("overflow: %v", err)
	}
}

func TestReadText(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("1\tx\t2026-11-22\n2\t\\N\t\\N\n"), 0o644)
	schema, rows, err := read(t, `{"path": "`+dir+`", "fileType": "text", "fieldDelimiter": "\t", "column": ["*"]}`)
	if err != nil || len(schema) != 3 || !slices.EqualFunc(rows, [][]string{{"1", "x", "2026-11-22"}, {"2", "NULL", "NULL"}}, slices.Equal) {
		t.Fatalf("schema %v rows %q err %v", schema, rows, err)
	}
	_, rows, err = read(t, `{"path": "`+dir+`/a.txt", "fileType": "text", "fieldDelimiter": "\t", "column": [{"index": 2, "type": "date"}, {"index": 0, "type": "long"}]}`)
	// DataX's "date" is a date and time (a bare date is midnight); Hive's DATE a date.
	if err != nil || !slices.EqualFunc(rows, [][]string{{"2026-11-22 00:00:00", "1"}, {"NULL", "2"}}, slices.Equal) {
		t.Fatalf("rows %q err %v", rows, err)
	}
	_, rows, err = read(t, `{"path": "`+dir+`/a.txt", "fileType": "text", "fieldDelimiter": "\t", "column": [{"index": 2, "type": "DATE"}]}`)
	if err != nil || !slices.EqualFunc(rows, [][]string{{"2026-11-22"}, {"NULL"}}, slices.Equal) {
		t.Fatalf("DATE: rows %q err %v", rows, err)
	}
}

// DataX's csvReaderConfig, which its hdfsreader FAQ tells users to add,
// works as txtfilereader's: on text and csv files, on local disk and HDFS.
func TestCsvReaderConfig(t *testing.T) {
	content := []byte("# header comment\n 1 , \"a,b\" \n\n2,x\n")
	local := filepath.ToSlash(t.TempDir()) + "/a.csv"
	os.WriteFile(local, content, 0o644)
	paths := map[string]string{"file:///": local}
	if addr := hdfsAvailable(t); addr != "" {
		fsys, err := storage.Open(storage.Options{DefaultFS: "hdfs://" + addr})
		if err != nil {
			t.Fatal(err)
		}
		dir := fmt.Sprintf("/datax-test/hdfsreader-csv-%d", time.Now().UnixNano())
		defer func() { fsys.RemoveAll(dir); fsys.Close() }()
		fsys.MkdirAll(dir)
		if err := storage.WriteFile(fsys, dir+"/a.csv", content); err != nil {
			t.Fatal(err)
		}
		paths["hdfs://"+addr] = dir + "/a.csv"
	}
	for fs, p := range paths {
		_, rows, err := read(t, `{"defaultFS": "`+fs+`", "path": "`+p+`", "fileType": "csv", "column": [{"index": 0, "type": "long"}, {"index": 1}],
		  "csvReaderConfig": {"trimWhitespace": true, "useComments": true, "skipEmptyRecords": true, "safetySwitch": false}}`)
		if want := [][]string{{"1", "a,b"}, {"2", "x"}}; err != nil || !slices.EqualFunc(rows, want, slices.Equal) {
			t.Errorf("%s: %q, %v; want %q", fs, rows, err, want)
		}
	}
	// fileType text: no quotes, but trimming and comments.
	_, rows, err := read(t, `{"path": "`+local+`", "fileType": "text", "column": [{"index": 0, "type": "long"}, {"index": 2}],
	  "csvReaderConfig": {"trimWhitespace": true, "useComments": true, "skipEmptyRecords": true}}`)
	if want := [][]string{{"1", `b"`}}; err == nil || !slices.EqualFunc(rows, want, slices.Equal) || !strings.Contains(err.Error(), "line 4: has 2 fields") {
		t.Errorf("text: %q, %v; want %q and line 4 dirty", rows, err, want)
	}
}

// hdfsAvailable returns the test cluster's address, or "" after logging
// how to start it (under CI=true a missing cluster fails).
func hdfsAvailable(t *testing.T) string {
	var addr string
	t.Run("hdfs-available", func(t *testing.T) { addr = testenv.HDFS(t) })
	return addr
}

// requireVerified refuses files without a verification file.
func TestRequireVerified(t *testing.T) {
	dir := t.TempDir()
	duckParquet(t, filepath.Join(dir, "a.parquet"), duckRows)
	_, _, err := read(t, `{"path": "`+dir+`", "fileType": "parquet", "column": ["*"], "requireVerified": true}`)
	if err == nil || !strings.Contains(err.Error(), "no _VERIFY.json") {
		t.Fatalf("err = %v", err)
	}
}

func TestBadParams(t *testing.T) {
	dir := t.TempDir()
	duckParquet(t, filepath.Join(dir, "a.parquet"), duckRows)
	cases := []struct{ params, want string }{
		{`{"path": "x", "fileType": "orc", "column": ["*"]}`, "parameter.fileType: orc is not supported yet"},
		{`{"path": "x", "fileType": "parquet"}`, "parameter.column: missing required parameter"},
		{`{"path": "x", "fileType": "parquet", "column": [{"type": "long"}]}`, "parameter.column[0]: give index"},
		{`{"path": "x", "fileType": "parquet", "column": [{"index": -1}]}`, "parameter.column[0]: index -1"},
		{`{"path": "x", "fileType": "parquet", "column": [{"index": 1, "value": "a"}]}`, "parameter.column[0]: index and value are exclusive"},
		{`{"path": "x", "fileType": "parquet", "column": [{"index": 1, "type": "number"}]}`, `parameter.column[0]: type "number": expected one of`},
		{`{"path": "x", "fileType": "parquet", "column": [{"index": 1, "tpye": "long"}]}`, `parameter.column[0].tpye: unknown parameter "tpye"; did you mean "type"?`},
		{`{"path": "x", "fileType": "parquet", "column": "all"}`, `parameter.column: expected ["*"]`},
		{`{"path": "x", "fileType": "text", "fieldDelimiter": "ab", "column": ["*"]}`, `parameter.fieldDelimiter: "ab": expected one character`},
		{`{"path": "x", "fileType": "parquet", "column": ["*"], "defaultFS": "ftp://x"}`, `parameter.defaultFS: defaultFS "ftp://x": scheme "ftp" is not supported`},
		{`{"path": "` + dir + `/none*", "fileType": "parquet", "column": ["*"]}`, "matches no file"},
		{`{"path": "` + dir + `", "fileType": "parquet", "column": [{"name": "nope"}]}`, `column[0]: no column "nope" in the file (it has id, u, amount`},
		{`{"path": "` + dir + `", "fileType": "parquet", "column": [{"index": 10}]}`, "column[0]: index 10, but the file has 10 columns"},
		{`{"path": "hdfs://127.0.0.1:1/x", "defaultFS": "hdfs://127.0.0.1:1", "fileType": "parquet", "column": ["*"]}`, "127.0.0.1:1"},
		{`{"path": "x", "fileType": "parquet", "column": ["*"], "csvReaderConfig": {}}`, "parameter.csvReaderConfig: applies to fileType text and csv, not parquet"},
		{`{"path": "x", "fileType": "text", "column": ["*"], "csvReaderConfig": {"escapeMode": 2}}`, "parameter.csvReaderConfig.escapeMode: 2 (backslash escapes) is not supported"},
		{`{"path": "x", "fileType": "text", "column": ["*"], "hdfsUser": "a", "hdfsUsername": "b"}`, `parameter.hdfsUsername: "b" differs from hdfsUser "a"`},
	}
	for _, c := range cases {
		_, _, err := read(t, c.params)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n  err = %v\n  want %q", c.params, err, c.want)
		}
	}
	// A text file read as Parquet says so.
	os.WriteFile(filepath.Join(dir, "b.parquet"), []byte("not parquet"), 0o644)
	_, _, err := read(t, `{"path": "`+dir+`/b.parquet", "fileType": "parquet", "column": ["*"]}`)
	if err == nil || !strings.Contains(err.Error(), "b.parquet: not a readable Parquet file") {
		t.Errorf("garbage file: %v", err)
	}
}

// Parquet written by Spark (INT96 timestamps, Spark's decimal encodings)
// reads back with the same values.
func TestReadSparkParquet(t *testing.T) {
	py := testenv.Python(t, "pyspark")
	dir := t.TempDir() + "/spark"
	testenv.RunPython(t, py, `
import sys
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[1]").config("spark.sql.session.timeZone", "UTC")
         .config("spark.ui.enabled", "false").config("spark.sql.parquet.outputTimestampType", "INT96").getOrCreate())
spark.sql("""SELECT * FROM VALUES
  (1L, CAST('12345678901234567890.1234567890' AS DECIMAL(30,10)), CAST(1.5 AS DECIMAL(9,2)), TIMESTAMP '2026-11-22 23:59:59.999999', DATE '2026-11-22', 'emoji 😀'),
  (2L, NULL, NULL, TIMESTAMP '1969-12-31 23:59:59.000001', NULL, NULL)
  AS t(id, big, small, at, day, note)""").coalesce(1).write.parquet(sys.argv[1])
spark.stop()
`, dir)
	schema, rows, err := read(t, `{"path": "`+dir+`", "fileType": "parquet", "column": ["*"]}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(schema.Kinds()); got != "[int decimal decimal timestamp date string]" {
		t.Errorf("kinds %s", got)
	}
	want := [][]string{
		{"1", "12345678901234567890.1234567890", "1.50", "2026-11-22 23:59:59.999999", "2026-11-22", "emoji 😀"},
		{"2", "NULL", "NULL", "1969-12-31 23:59:59.000001", "NULL", "NULL"},
	}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("rows %q\nwant %q", rows, want)
	}
}

// A verified partition with 0 rows and no data file (how datax published an
// empty day before it wrote a file without rows) reads as 0 rows when the
// column list gives the schema; with ["*"] Parquet has no schema and says
// what to do. A path or pattern that matches no file stays an error.
func TestEmptyPartitionWithoutFile(t *testing.T) {
	root := t.TempDir()
	part := filepath.Join(root, "t", "dt=20261103")
	os.MkdirAll(part, 0o755)
	if err := verify.Write(storage.Local(), filepath.ToSlash(part), &verify.Manifest{RunID: "test"}); err != nil {
		t.Fatal(err)
	}
	schema, rows, err := read(t, `{"path": "`+part+`", "fileType": "parquet", "column": [
		{"name": "id", "type": "BIGINT"}, {"name": "amount", "type": "DECIMAL(12,2)"}, {"value": "20261103", "type": "DATE"}]}`)
	if err != nil || len(rows) != 0 || fmt.Sprint(schema) != "[id int amount decimal(12,2) c2 date]" {
		t.Errorf("parquet with declared columns: schema %v, %d rows, %v", schema, len(rows), err)
	}
	schema, rows, err = read(t, `{"path": "`+part+`", "fileType": "text", "column": [{"index": 0, "type": "long"}, {"index": 1}]}`)
	if err != nil || len(rows) != 0 || fmt.Sprint(schema) != "[c0 int c1 string]" {
		t.Errorf("text with declared columns: schema %v, %d rows, %v", schema, len(rows), err)
	}
	// Beside a partition with a file, the file's schema holds.
	other := filepath.Join(root, "t", "dt=20261104")
	os.MkdirAll(other, 0o755)
	duckParquet(t, filepath.Join(other, "a.parquet"), duckRows)
	schema, rows, err = read(t, `{"path": ["`+part+`", "`+other+`"], "fileType": "parquet", "column": ["*"]}`)
	if err != nil || len(rows) != 3 || len(schema) != 10 {
		t.Errorf("with a partition with data: schema %v, %d rows, %v", schema, len(rows), err)
	}
	cases := []struct{ path, column, want string }{
		{part, `["*"]`, "dt=20261103: a verified partition with 0 rows and no data file: its columns are unknown with column [\"*\"]"},
		{part, `[{"index": 0, "type": "BIGINT"}]`, "column[0]: without a data file every column needs a name and a type"},
		{part, `[{"name": "id"}]`, "column[0]: without a data file every column needs a name and a type"},
		// Patterns are not taken for empty days, nor are typos, directories
		// without _VERIFY.json, or partitions whose manifest lists files.
		{root + "/t/dt=2026110[3]", `[{"name": "id", "type": "BIGINT"}]`, "matches no file"},
		{root + "/t/dt=20261130", `[{"name": "id", "type": "BIGINT"}]`, "matches no file"},
	}
	bare := filepath.Join(root, "bare")
	os.MkdirAll(bare, 0o755)
	cases = append(cases, struct{ path, column, want string }{bare, `[{"name": "id", "type": "BIGINT"}]`, "matches no file"})
	lost := filepath.Join(root, "lost")
	os.MkdirAll(lost, 0o755)
	m := &verify.Manifest{}
	m.Add(verify.File{Name: "part-0.parquet", Rows: 5, Bytes: 100})
	verify.Write(storage.Local(), filepath.ToSlash(lost), m)
	cases = append(cases, struct{ path, column, want string }{lost, `[{"name": "id", "type": "BIGINT"}]`, "matches no file"})
	for _, c := range cases {
		_, _, err := read(t, `{"path": "`+c.path+`", "fileType": "parquet", "column": `+c.column+`}`)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s:\n  err = %v\n  want %q", c.path, c.column, err, c.want)
		}
	}
}
