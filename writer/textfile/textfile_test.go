package textfile_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "datax/reader/stream"
	_ "datax/reader/textfile"
	"datax/record"
	"datax/testing/testenv"
	_ "datax/writer/stream"
	_ "datax/writer/textfile"
)

var src = &testenv.Source{
	Schema: record.Schema{{Name: "id", Kind: record.Int}, {Name: "note", Kind: record.String}, {Name: "at", Kind: record.Timestamp}, {Name: "raw", Kind: record.Bytes}},
	Rows: [][]string{
		{"1", "a,b \"c\"\nd", "2026-11-22 08:30:00", "hi"},
		{"2", "NULL", "NULL", "NULL"},
		{"3", "中文", "1970-01-01 00:00:00.5", ""},
	},
}

func job(writer map[string]any) string {
	w, _ := json.Marshal(writer)
	return `{"job": {"setting": {"errorLimit": {"record": 0}, "retry": {"attempts": 1}}, "content": [{"reader": {"name": "testreader"},
	  "writer": {"name": "txtfilewriter", "parameter": ` + string(w) + `}}]}}`
}

// CSV with a header and a date format reads back in DuckDB's CSV reader.
func TestCSVDuckDB(t *testing.T) {
	dir := t.TempDir()
	p := map[string]any{"path": dir + "/out", "fileName": "notes", "fileFormat": "csv", "header": []string{"id", "note", "at", "raw"},
		"dateFormat": "yyyy-MM-dd HH:mm:ss.SSS", "partition": "dt=${bizdate}", "compress": "gzip"}
	if _, err := testenv.RunJob(t, job(p), src.Registry(), map[string]string{"bizdate": "20261122"}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(dir + "/out/dt=20261122/notes-*.csv.gz")
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	tab := testenv.DuckDB(t, `SELECT * FROM read_csv('`+files[0]+`', header=true, quote='"', escape='"', nullstr='\N', hive_partitioning=false, all_varchar=true) ORDER BY id`)
	want := [][]string{
		{"1", "a,b \"c\"\nd", "2026-11-22 08:30:00.000", "aGk="},
		{"2", "NULL", "NULL", "NULL"},
		{"3", "中文", "1970-01-01 00:00:00.500", ""},
	}
	if got := tab.Texts(); !slices.EqualFunc(got, want, slices.Equal) || !slices.Equal(tab.Names, []string{"id", "note", "at", "raw"}) {
		t.Errorf("DuckDB read %v %q\nwant %q", tab.Names, got, want)
	}
}

// Plain text refuses a value holding a line break or the delimiter as a
// dirty record, instead of writing a broken file.
func TestTextDirty(t *testing.T) {
	dir := t.TempDir()
	_, err := testenv.RunJob(t, job(map[string]any{"path": dir, "fileName": "x"}), src.Registry(), nil)
	if err == nil || !strings.Contains(err.Error(), "plain text cannot hold it (use fileFormat csv") {
		t.Fatalf("err = %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a failed job left %v", entries)
	}
}

// The plugin's example jobs run (the writer's first: the reader's reads
// what it wrote).
func TestExamples(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, name := range []string{"example.json", "../../reader/textfile/example.json"} {
		data, err := os.ReadFile(filepath.Join(wd(t), name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := testenv.RunJob(t, string(data), nil, nil); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

var pkgDir, _ = os.Getwd()

func wd(t *testing.T) string { return pkgDir }

func TestBadParams(t *testing.T) {
	const at = "job.content[0].writer.parameter."
	cases := []struct {
		p    map[string]any
		want string
	}{
		{map[string]any{"path": "/x"}, at + "fileName: missing required parameter"},
		{map[string]any{"path": "/x/*", "fileName": "a"}, at + `path: "/x/*" has wildcards`},
		{map[string]any{"path": "hdfs://nn:8020/x", "fileName": "a"}, at + "path: \"hdfs://nn:8020/x\" is not on local disk; use hdfswriter"},
		{map[string]any{"path": "/x", "fileName": "a", "fileFormat": "xml"}, at + `fileFormat: "xml" is not one of text, csv`},
		{map[string]any{"path": "/x", "fileName": "a", "compress": "zip"}, at + `compress: "zip" is not one of none, gzip, bzip2`},
		{map[string]any{"path": "/x", "fileName": "a", "encoding": "latin1"}, at + `encoding: "latin1" is not one of UTF-8, GBK, GB18030`},
		{map[string]any{"path": "/x", "fileName": "a", "fieldDelimiter": ""}, at + "fieldDelimiter: must not be empty"},
		{map[string]any{"path": "/x", "fileName": "a", "writeMode": "replace"}, at + `writeMode: "replace" is not one of append, nonConflict, truncate`},
		{map[string]any{"path": "/x", "fileName": "a", "header": "id"}, at + "header: expected a list"},
	}
	for _, c := range cases {
		_, err := testenv.RunJob(t, job(c.p), src.Registry(), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v:\n  err = %v\n  want %q", c.p, err, c.want)
		}
	}
}
