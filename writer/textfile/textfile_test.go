package textfile_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "datax/reader/stream"
	_ "datax/reader/textfile"
	"datax/record"
	"datax/storage"
	"datax/testing/testenv"
	"datax/verify"
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
		{map[string]any{"path": "/x", "fileName": "a", "suffix": "/x.csv"}, at + `suffix: "/x.csv": a file name ending cannot hold a path separator`},
	}
	for _, c := range cases {
		_, err := testenv.RunJob(t, job(c.p), src.Registry(), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v:\n  err = %v\n  want %q", c.p, err, c.want)
		}
	}
}

// A run without rows publishes one text file without rows (just the header
// if there is one; a valid gzip stream when compressed) that _VERIFY.json
// lists, and txtfilereader reads it as 0 rows with the declared schema.
func TestEmptyDay(t *testing.T) {
	empty := &testenv.Source{Schema: src.Schema, Tasks: 2}
	for _, c := range []struct {
		name   string
		params map[string]any
		file   string // the file's content, decompressed
	}{
		{"plain", map[string]any{}, ""},
		{"header+gzip", map[string]any{"fileFormat": "csv", "header": []string{"id", "note", "at", "raw"}, "compress": "gzip"}, "id,note,at,raw\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			p := map[string]any{"path": dir + "/out", "fileName": "notes", "partition": "dt=${bizdate}"}
			for k, v := range c.params {
				p[k] = v
			}
			if _, err := testenv.RunJob(t, job(p), empty.Registry(), map[string]string{"bizdate": "20261103"}); err != nil {
				t.Fatal(err)
			}
			part := dir + "/out/dt=20261103"
			m, err := verify.Check(context.Background(), storage.Local(), part)
			if err != nil || len(m.Files) != 1 || m.Rows != 0 {
				t.Fatalf("verify: %v, %+v", err, m)
			}
			data, err := os.ReadFile(filepath.Join(part, m.Files[0].Name))
			if err != nil {
				t.Fatal(err)
			}
			if c.params["compress"] == "gzip" {
				zr, err := gzip.NewReader(bytes.NewReader(data))
				if err != nil {
					t.Fatalf("%s is not gzip: %v", m.Files[0].Name, err)
				}
				if data, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			if string(data) != c.file {
				t.Errorf("%s holds %q, want %q", m.Files[0].Name, data, c.file)
			}
			skip := c.params["header"] != nil
			schema, rows, err := testenv.ReadAll(t, "txtfilereader", fmt.Sprintf(`{"path": %q, "skipHeader": %v, "fileFormat": "csv",
			  "column": [{"index": 0, "type": "long"}, {"index": 1}, {"index": 2, "type": "TIMESTAMP"}]}`, part, skip))
			if err != nil || len(rows) != 0 || fmt.Sprint(schema) != "[c0 int c1 string c2 timestamp]" {
				t.Errorf("txtfilereader: schema %v, %d rows, %v", schema, len(rows), err)
			}
		})
	}
}

// DataX's txtfilewriter job with writeMode truncate into a directory that
// holds another fileName's files (the reviewer's 19b): only the files of
// fileName are replaced. format (DataX's older name of dateFormat) formats
// the dates, and suffix ends the file names.
func TestTruncateKeepsOtherFiles(t *testing.T) {
	dir := filepath.ToSlash(t.TempDir()) + "/result"
	os.MkdirAll(dir, 0o755)
	os.WriteFile(dir+"/first__3b6a", []byte("other job\n"), 0o644)
	os.WriteFile(dir+"/second__9f1c", []byte("old rows of this job\n"), 0o644)
	days := &testenv.Source{Schema: record.Schema{{Name: "id", Kind: record.Int}, {Name: "day", Kind: record.Timestamp}},
		Rows: [][]string{{"1", "2014-12-21 00:00:00"}}}
	p := map[string]any{"path": dir, "fileName": "second", "writeMode": "truncate", "format": "yyyy-MM-dd", "suffix": ".csv"}
	if _, err := testenv.RunJob(t, job(p), days.Registry(), nil); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 4 || names[0] != "_SUCCESS" || names[1] != "_VERIFY.json" || names[2] != "first__3b6a" ||
		!strings.HasPrefix(names[3], "second-") || !strings.HasSuffix(names[3], "-00000-000.csv") {
		t.Fatalf("files %v", names)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, names[3])); string(got) != "1,2014-12-21\n" {
		t.Errorf("%s holds %q", names[3], got)
	}
	if _, err := verify.Check(context.Background(), storage.Local(), dir); err != nil {
		t.Fatal(err)
	}
	// dateFormat wins over format, as in DataX.
	p["dateFormat"], p["writeMode"] = "yyyy/MM/dd", "truncate"
	if _, err := testenv.RunJob(t, job(p), days.Registry(), nil); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(dir + "/second-*.csv")
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	if got, _ := os.ReadFile(files[0]); string(got) != "1,2014/12/21\n" {
		t.Errorf("%s holds %q", files[0], got)
	}
}
