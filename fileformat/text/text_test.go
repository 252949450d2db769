package text_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"datax/fileformat"
	"datax/fileformat/text"
	"datax/record"
	"datax/testing/testenv"
)

func cols(t *testing.T, types ...string) []fileformat.Column {
	var out []fileformat.Column
	for j, ty := range types {
		c, err := fileformat.ParseType(ty)
		if err != nil {
			t.Fatal(err)
		}
		c.Name = "c" + string(rune('0'+j))
		out = append(out, c)
	}
	return out
}

// batch fills rows given as text ("NULL" is a null).
func batch(t *testing.T, cs []fileformat.Column, rows ...[]string) *record.Batch {
	b := record.NewBatch(fileformat.Records(cs))
	for _, r := range rows {
		for j, v := range r {
			if v == "NULL" {
				b.Col(j).AppendNull()
				continue
			}
			if err := record.ParseText(b.Col(j), cs[j].Column, []byte(v)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return b
}

func encode(t *testing.T, cs []fileformat.Column, opts text.Options, b *record.Batch) ([]byte, []int) {
	t.Helper()
	var buf bytes.Buffer
	enc, err := text.NewEncoder(&buf, cs, opts)
	if err != nil {
		t.Fatal(err)
	}
	var rejected []int
	if _, err := enc.Write(b, func(row int, err error) error { rejected = append(rejected, row); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), rejected
}

func decode(t *testing.T, data []byte, cs []fileformat.Column, opts text.Options) ([][]string, []string) {
	t.Helper()
	var fields []text.Field
	for j, c := range cs {
		fields = append(fields, text.Field{Index: j, Column: c.Column})
	}
	d, err := text.NewDecoder(bytes.NewReader(data), fields, opts)
	if err != nil {
		t.Fatal(err)
	}
	b := record.NewBatch(d.Schema())
	var bad []string
	err = d.Read(b, func(*record.Batch) bool { return false }, func(raw []byte, reason error) error {
		bad = append(bad, reason.Error())
		return nil
	})
	if !errors.Is(err, io.EOF) {
		t.Fatal(err)
	}
	var out [][]string
	for i := 0; i < b.Len(); i++ {
		var row []string
		for j, c := range d.Schema() {
			if b.Col(j).IsNull(i) {
				row = append(row, "NULL")
			} else {
				row = append(row, string(record.AppendText(nil, b.Col(j), i, c)))
			}
		}
		out = append(out, row)
	}
	return out, bad
}

var tricky = [][]string{
	{"1", "plain", "12.50", "2026-11-22 08:30:00.123456", "2026-11-22", "true", "aGk="},
	{"-2", "a,b \"quoted\"\nnext line", "-0.01", "1970-01-01 00:00:00", "1970-01-01", "false", ""},
	{"NULL", `\N`, "NULL", "NULL", "NULL", "NULL", "NULL"},
	{"3", "", "0.00", "2000-02-29 23:59:59", "2000-02-29", "true", "AAH/"},
	{"4", "中文 😀", "1.00", "2026-01-01 00:00:00", "2026-01-01", "false", "aGk="},
}

var trickyTypes = []string{"BIGINT", "STRING", "DECIMAL(10,2)", "TIMESTAMP", "DATE", "BOOLEAN", "BINARY"}

// CSV keeps every value, whatever it holds, through each compression.
func TestCSVRoundTrip(t *testing.T) {
	cs := cols(t, trickyTypes...)
	for _, compress := range []string{"none", "gzip", "bzip2"} {
		opts := text.Options{CSV: true, Null: `\N`, Compress: compress}
		data, rejected := encode(t, cs, opts, batch(t, cs, tricky...))
		if len(rejected) > 0 {
			t.Fatalf("%s: rejected %v", compress, rejected)
		}
		got, bad := decode(t, data, cs, text.Options{CSV: true, Null: `\N`})
		if len(bad) > 0 || !slices.EqualFunc(got, tricky, slices.Equal) {
			t.Errorf("%s: read back %q (bad %v), want %q", compress, got, bad, tricky)
		}
	}
}

// Plain text refuses values it cannot hold, and keeps the others.
func TestTextRejects(t *testing.T) {
	cs := cols(t, trickyTypes...)
	opts := text.Options{Delimiter: "\t", Null: `\N`}
	data, rejected := encode(t, cs, opts, batch(t, cs, tricky...))
	// Row 1 holds a line break, row 2 the null marker as a string.
	if !slices.Equal(rejected, []int{1, 2}) {
		t.Fatalf("rejected %v, want [1 2]", rejected)
	}
	got, _ := decode(t, data, cs, opts)
	if want := [][]string{tricky[0], tricky[3], tricky[4]}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("read back %q, want %q", got, want)
	}
	var buf bytes.Buffer
	enc, _ := text.NewEncoder(&buf, cs, opts)
	var reasons []string
	enc.Write(batch(t, cs, tricky...), func(row int, err error) error { reasons = append(reasons, err.Error()); return nil })
	if len(reasons) != 2 || !strings.Contains(reasons[0], "line break") || !strings.Contains(reasons[1], `null marker`) ||
		!strings.HasSuffix(reasons[0], "plain text cannot hold it (use the csv form)") {
		t.Errorf("reasons: %q", reasons)
	}
	// The plugin names its own way out.
	opts.Remedy = "use fileType csv, or parquet"
	enc, _ = text.NewEncoder(io.Discard, cs, opts)
	reasons = nil
	enc.Write(batch(t, cs, tricky...), func(row int, err error) error { reasons = append(reasons, err.Error()); return nil })
	if len(reasons) != 2 || !strings.HasSuffix(reasons[0], "(use fileType csv, or parquet)") {
		t.Errorf("reasons with a remedy: %q", reasons)
	}
}

// TrimSpace trims spaces and tabs around fields (not a delimiter), in CSV
// form around the quotes too; Comment skips the lines it starts, before
// the header.
func TestTrimAndComments(t *testing.T) {
	cs := cols(t, "BIGINT", "STRING", "STRING")
	data := []byte("#c,1\nid,note,x\n 1 ,  \" q \"  ,\t\n#2,skipped,x\n3,a b,\n")
	got, bad := decode(t, data, cs, text.Options{CSV: true, Null: `\N`, TrimSpace: true, Comment: "#", SkipHeader: true})
	if want := [][]string{{"1", " q ", ""}, {"3", "a b", ""}}; len(bad) > 0 || !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("csv: %q (bad %q), want %q", got, bad, want)
	}
	// Text form; a tab delimiter is not trimmed.
	data = []byte(" 1 \t x \t\n")
	got, bad = decode(t, data, cs, text.Options{Delimiter: "\t", Null: `\N`, TrimSpace: true})
	if want := [][]string{{"1", "x", ""}}; len(bad) > 0 || !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("text: %q (bad %q), want %q", got, bad, want)
	}
	// Without TrimSpace a spaced number is dirty.
	if _, bad := decode(t, data, cs, text.Options{Delimiter: "\t"}); len(bad) != 1 {
		t.Errorf("untrimmed: bad %q", bad)
	}
}

// DuckDB's CSV reader (an independent parser) reads our CSV the same way.
func TestCSVDuckDB(t *testing.T) {
	cs := cols(t, "BIGINT", "STRING", "DECIMAL(10,2)")
	rows := [][]string{{"1", "a,b \"q\"\nline", "1.50"}, {"2", "NULL", "NULL"}, {"3", "中文 😀", "-0.01"}}
	data, _ := encode(t, cs, text.Options{CSV: true, Null: `\N`, Compress: "gzip"}, batch(t, cs, rows...))
	name := filepath.Join(t.TempDir(), "f.csv.gz")
	os.WriteFile(name, data, 0o644)
	tab := testenv.DuckDB(t, `SELECT * FROM read_csv('`+name+`', delim=',', quote='"', escape='"', nullstr='\N', header=false, columns={'a':'BIGINT','b':'VARCHAR','c':'DECIMAL(10,2)'}) ORDER BY a`)
	if got := tab.Texts(); !slices.EqualFunc(got, rows, slices.Equal) {
		t.Errorf("DuckDB read %q, want %q", got, rows)
	}
}

func TestGBKAndDateFormat(t *testing.T) {
	cs := cols(t, "STRING", "TIMESTAMP", "DATE")
	opts := text.Options{Delimiter: "|", Null: "", Encoding: "GBK", DateFormat: "yyyy/MM/dd HH:mm:ss"}
	rows := [][]string{{"中文", "2026-11-22 08:30:00", "2026-11-22"}, {"abc", "NULL", "NULL"}}
	data, rejected := encode(t, cs, opts, batch(t, cs, rows...))
	if len(rejected) > 0 {
		t.Fatal(rejected)
	}
	if !bytes.Contains(data, []byte{0xd6, 0xd0, 0xce, 0xc4}) || !bytes.Contains(data, []byte("2026/11/22 08:30:00|2026/11/22 00:00:00")) {
		t.Fatalf("not GBK with the date format: %q", data)
	}
	got, bad := decode(t, data, cs, opts)
	if len(bad) > 0 || !slices.EqualFunc(got, rows, slices.Equal) {
		t.Errorf("read back %q (%v)", got, bad)
	}
	// An emoji has no GBK code: its row is rejected, not mangled.
	_, rejected = encode(t, cs, opts, batch(t, cs, []string{"😀", "NULL", "NULL"}))
	if !slices.Equal(rejected, []int{0}) {
		t.Errorf("emoji in GBK: rejected %v", rejected)
	}
}

func TestDecodeBadRows(t *testing.T) {
	cs := cols(t, "INT", "DATE")
	in := "1,2026-11-22\nx,2026-11-22\n2\n3,2026-13-01\n4,2026-01-02\n"
	got, bad := decode(t, []byte(in), cs, text.Options{})
	if !slices.EqualFunc(got, [][]string{{"1", "2026-11-22"}, {"4", "2026-01-02"}}, slices.Equal) || len(bad) != 3 {
		t.Fatalf("got %q, bad %q", got, bad)
	}
	if !strings.Contains(bad[0], "line 2") || !strings.Contains(bad[1], "has 1 fields") {
		t.Errorf("reasons: %q", bad)
	}
	_, bad = decode(t, []byte("1,\"open\n"), cols(t, "INT", "STRING"), text.Options{CSV: true})
	if len(bad) != 1 || !strings.Contains(bad[0], "not closed") {
		t.Errorf("unclosed quote: %q", bad)
	}
}

func TestBadOptions(t *testing.T) {
	cs := cols(t, "STRING")
	for _, o := range []text.Options{{Compress: "lzo"}, {Encoding: "EBCDIC"}, {Delimiter: "\n"}, {CSV: true, Delimiter: `"`}, {Comment: "\n"}} {
		if _, err := text.NewEncoder(io.Discard, cs, o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	n, err := text.CountFields(strings.NewReader("h1,h2,h3\na,b,c\n"), text.Options{SkipHeader: true})
	if err != nil || n != 3 {
		t.Errorf("CountFields = %d, %v", n, err)
	}
}

// A number can collide too when the delimiter or the null marker uses its
// characters: "-" as delimiter and a negative number, "0" as null marker.
func TestNumberCollisions(t *testing.T) {
	cs := cols(t, "BIGINT", "DOUBLE")
	_, rejected := encode(t, cs, text.Options{Delimiter: "-", Null: `\N`}, batch(t, cs, []string{"1", "2"}, []string{"-3", "4"}))
	if !slices.Equal(rejected, []int{1}) {
		t.Errorf("delimiter -: rejected %v", rejected)
	}
	_, rejected = encode(t, cs, text.Options{Delimiter: ",", Null: "0"}, batch(t, cs, []string{"1", "2"}, []string{"0", "NULL"}))
	if !slices.Equal(rejected, []int{1}) {
		t.Errorf("null marker 0: rejected %v", rejected)
	}
}
