package textfile_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "datax/reader/textfile"
	"datax/testing/testenv"
)

func read(t *testing.T, params string) ([][]string, error) {
	t.Helper()
	_, rows, err := testenv.ReadAll(t, "txtfilereader", params)
	return rows, err
}

// Files written by Python (gzip, bzip2, GBK: independent encoders) read
// back through compression detection, the encoding and CSV quoting.
func TestReadPythonFiles(t *testing.T) {
	dir := t.TempDir()
	py := testenv.Python(t)
	testenv.RunPython(t, py, `
import gzip, bz2, sys, os
d = sys.argv[1]
body = 'id,note,day\n1,"a,b ""q""\nline",2026/11/22\n2,\\N,\\N\n\n3,中文,2000/02/29\n'
with gzip.open(os.path.join(d, 'a.csv.gz'), 'wt', encoding='utf-8') as f: f.write(body)
with bz2.open(os.path.join(d, 'b.csv.bz2'), 'wt', encoding='utf-8') as f: f.write(body)
with open(os.path.join(d, 'c.csv'), 'w', encoding='gbk') as f: f.write(body)
`, dir)
	// DataX's "date" is a date and time: a bare date reads as midnight.
	want := [][]string{{"1", "a,b \"q\"\nline", "2026-11-22 00:00:00", "x"}, {"2", "NULL", "NULL", "x"}, {"3", "中文", "2000-02-29 00:00:00", "x"}}
	for _, f := range []string{"a.csv.gz", "b.csv.bz2", "c.csv"} {
		enc := "UTF-8"
		if f == "c.csv" {
			enc = "GBK"
		}
		rows, err := read(t, `{"path": "`+filepath.Join(dir, f)+`", "skipHeader": true, "encoding": "`+enc+`",
		  "column": [{"index": 0, "type": "long"}, {"index": 1}, {"index": 2, "type": "date", "format": "yyyy/MM/dd"}, {"value": "x"}]}`)
		if err != nil || !slices.EqualFunc(rows, want, slices.Equal) {
			t.Errorf("%s: %q, %v", f, rows, err)
		}
	}
	// "*" reads every field as a string; useTextQualifier false reads quotes as text.
	os.WriteFile(filepath.Join(dir, "d.txt"), []byte("\"a\"|b\n"), 0o644)
	rows, err := read(t, `{"path": "`+dir+`/d.txt", "fieldDelimiter": "|", "column": ["*"], "csvReaderConfig": {"useTextQualifier": false}}`)
	if err != nil || !slices.EqualFunc(rows, [][]string{{`"a"`, "b"}}, slices.Equal) {
		t.Errorf("* without qualifier: %q, %v", rows, err)
	}
}

// DataX job files read times of day with type "date" and a format (DataX's
// Date is a date and time); Hive's upper-case DATE is a date.
func TestDataXDateHoldsTimeOfDay(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.csv"), []byte("2026-11-22 23:59:58,2026-11-22\n"), 0o644)
	rows, err := read(t, `{"path": "`+dir+`", "column": [{"index": 0, "type": "date", "format": "yyyy-MM-dd HH:mm:ss"}, {"index": 1, "type": "DATE"}]}`)
	if err != nil || !slices.EqualFunc(rows, [][]string{{"2026-11-22 23:59:58", "2026-11-22"}}, slices.Equal) {
		t.Errorf("%q, %v", rows, err)
	}
}

// A malformed line is a dirty record with its line number; the reader goes on.
func TestDirtyLine(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.csv"), []byte("1\nx\n3\n"), 0o644)
	_, err := read(t, `{"path": "`+dir+`", "column": [{"index": 0, "type": "long"}]}`)
	if err == nil || !strings.Contains(err.Error(), `line 2: column c0: syntax error: "x" is not an integer`) {
		t.Errorf("err = %v", err)
	}
}

func TestBadParams(t *testing.T) {
	cases := []struct{ params, want string }{
		{`{"column": ["*"]}`, "parameter.path: missing required parameter"},
		{`{"path": "x"}`, "parameter.column: missing required parameter"},
		{`{"path": "hdfs://nn:8020/x", "column": ["*"]}`, "use hdfsreader for HDFS"},
		{`{"path": "x", "column": ["*"], "compress": "lzo"}`, `parameter.compress: "lzo" is not one of none, gzip, bzip2`},
		{`{"path": "x", "column": ["*"], "csvReaderConfig": {"textQualifier": "''"}}`, "csvReaderConfig.textQualifier"},
		{`{"path": "x", "column": ["*"], "csvReaderConfig": {"recordDelimiter": ";"}}`, `csvReaderConfig.recordDelimiter: ";" is not supported: lines end at \n or \r\n here`},
		{`{"path": "x", "column": ["*"], "csvReaderConfig": {"escapeMode": 2}}`, "csvReaderConfig.escapeMode: 2 (backslash escapes) is not supported"},
		{`{"path": "x", "column": ["*"], "csvReaderConfig": {"escapeMode": 7}}`, "csvReaderConfig.escapeMode: 7: expected 1"},
		{`{"path": "x", "column": ["*"], "csvReaderConfig": {"delimiter": "||"}}`, `csvReaderConfig.delimiter: "||": expected one character`},
		{`{"path": "x", "column": ["*"], "csvReaderConfig": {"comment": "//"}}`, `csvReaderConfig.comment: "//": expected one character`},
		{`{"path": "x", "column": ["*"], "csvReaderConfig": {"useComment": true}}`, `did you mean "useComments"?`},
		{`{"path": "x", "column": [{"name": "a"}]}`, "text files have no column names; give its index"},
		{`{"path": "/nonexistent/dir/*.csv", "column": ["*"]}`, "matches no file"},
	}
	for _, c := range cases {
		_, err := read(t, c.params)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n  err = %v\n  want %q", c.params, err, c.want)
		}
	}
}

// DataX's csvReaderConfig keys: trimWhitespace, useComments with comment,
// delimiter (over fieldDelimiter) take effect; caseSensitive,
// captureRawRecord, safetySwitch and the default escapeMode and
// recordDelimiter are accepted.
func TestCsvReaderConfig(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.csv"), []byte("# exported 2026-11-22\n 1 ;  \"a; b\"  ; x \n#2;skipped;x\n\t3\t; c ;\"\"\r\n"), 0o644)
	rows, err := read(t, `{"path": "`+dir+`", "fieldDelimiter": ",", "column": [{"index": 0, "type": "long"}, {"index": 1}, {"index": 2}],
	  "csvReaderConfig": {"trimWhitespace": true, "useComments": true, "comment": "#", "delimiter": ";", "caseSensitive": true,
	    "escapeMode": 1, "recordDelimiter": "\n", "captureRawRecord": true, "safetySwitch": false}}`)
	want := [][]string{{"1", "a; b", "x"}, {"3", "c", ""}}
	if err != nil || !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("%q, %v; want %q", rows, err, want)
	}
	// Without them, the spaces stay and the comment line is a record.
	rows, err = read(t, `{"path": "`+dir+`", "fieldDelimiter": ";", "column": [{"index": 0}]}`)
	if want := [][]string{{"\t3\t"}, {" 1 "}, {"# exported 2026-11-22"}, {"#2"}}; err != nil || !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("%q, %v; want %q", rows, err, want)
	}
}
