package parquet_test

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
	"datax/fileformat/parquet"
	"datax/record"
	"datax/testing/testenv"
)

// fidelity is the type-fidelity table: every logical type with its edge
// values, and what an independent reader must show for each.
var fidelity = []struct {
	typ    string
	values []string // input text; "NULL" is a null
	want   []string // DuckDB's rendering when it differs from values
	duck   string   // DuckDB's type name
}{
	{"BIGINT", []string{"1", "-9223372036854775808", "9223372036854775807", "NULL"}, nil, "BIGINT"},
	{"BIGINT UNSIGNED", []string{"2", "18446744073709551615", "0", "NULL"}, nil, "UBIGINT"},
	{"DECIMAL(20,0)", []string{"3", "18446744073709551615", "-99999999999999999999", "NULL"}, nil, "DECIMAL(20,0)"},
	{"DECIMAL(38,10)", []string{"4", "9999999999999999999999999999.9999999999", "-0.0000000001", "NULL"},
		[]string{"4.0000000000", "9999999999999999999999999999.9999999999", "-0.0000000001", "NULL"}, "DECIMAL(38,10)"},
	{"DECIMAL(9,2)", []string{"5", "9999999.99", "-0.01", "NULL"}, []string{"5.00", "9999999.99", "-0.01", "NULL"}, "DECIMAL(9,2)"},
	{"DECIMAL(18,4)", []string{"6", "99999999999999.9999", "-1.5", "NULL"}, []string{"6.0000", "99999999999999.9999", "-1.5000", "NULL"}, "DECIMAL(18,4)"},
	{"TIMESTAMP", []string{"2026-11-22 23:59:59.999999", "1970-01-01 00:00:00", "1900-01-01 00:00:00.000001", "NULL"},
		[]string{"2026-11-22 23:59:59.999999", "1970-01-01 00:00:00", "1900-01-01 00:00:00.000001", "NULL"}, "TIMESTAMP"},
	{"DATE", []string{"2026-11-22", "1970-01-01", "9999-12-31", "NULL"}, nil, "DATE"},
	{"STRING", []string{"héllo 😀 utf8mb4", "", "a,b\"c\nd\\N", "NULL"}, nil, "VARCHAR"},
	{"BINARY", []string{"\x00\x01\xff", "", "plain", "NULL"}, []string{"0001ff", "", "706c61696e", "NULL"}, "BLOB"},
	{"DOUBLE", []string{"3.141592653589793", "-1e+300", "0.1", "NULL"}, []string{"3.141592653589793", "-1e+300", "0.1", "NULL"}, "DOUBLE"},
	{"FLOAT", []string{"1.5", "-0.25", "3", "NULL"}, []string{"1.5", "-0.25", "3.0", "NULL"}, "FLOAT"},
	{"BOOLEAN", []string{"true", "false", "true", "NULL"}, nil, "BOOLEAN"},
	{"TINYINT", []string{"-128", "127", "0", "NULL"}, nil, "TINYINT"},
	{"SMALLINT", []string{"-32768", "32767", "0", "NULL"}, nil, "SMALLINT"},
	{"INT", []string{"-2147483648", "2147483647", "0", "NULL"}, nil, "INTEGER"},
	{"INT UNSIGNED", []string{"4294967295", "0", "1", "NULL"}, nil, "UINTEGER"},
}

// fidelityBatch builds the table's columns and one batch holding its rows.
func fidelityBatch(t testing.TB) ([]fileformat.Column, *record.Batch) {
	var cols []fileformat.Column
	for j, f := range fidelity {
		c, err := fileformat.ParseType(f.typ)
		if err != nil {
			t.Fatal(err)
		}
		c.Name = "c" + string(rune('a'+j))
		cols = append(cols, c)
	}
	b := record.NewBatch(fileformat.Records(cols))
	for j, f := range fidelity {
		for _, v := range f.values {
			if v == "NULL" {
				b.Col(j).AppendNull()
				continue
			}
			if err := record.ParseText(b.Col(j), cols[j].Column, []byte(v)); err != nil {
				t.Fatalf("%s %q: %v", f.typ, v, err)
			}
		}
	}
	return cols, b
}

func writeFile(t *testing.T, lib string, cols []fileformat.Column, b *record.Batch) string {
	t.Helper()
	var buf bytes.Buffer
	enc, err := parquet.NewEncoder(&buf, cols, parquet.Options{Library: lib})
	if err != nil {
		t.Fatal(err)
	}
	n, err := enc.Write(b, func(row int, err error) error { t.Fatalf("row %d rejected: %v", row, err); return nil })
	if err != nil || n != b.Len() {
		t.Fatalf("wrote %d of %d: %v", n, b.Len(), err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "f.parquet")
	if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// The type-fidelity table, written by each encoder, reads back exactly in
// DuckDB with the right logical types.
func TestFidelityDuckDB(t *testing.T) {
	for _, lib := range parquet.Libraries {
		t.Run(lib, func(t *testing.T) {
			cols, b := fidelityBatch(t)
			name := writeFile(t, lib, cols, b)
			tab := testenv.DuckDB(t, "SELECT * FROM read_parquet('"+name+"')")
			rows := tab.Texts()
			if len(rows) != 4 {
				t.Fatalf("DuckDB read %d rows, want 4", len(rows))
			}
			for j, f := range fidelity {
				if tab.Names[j] != cols[j].Name {
					t.Errorf("column %d is named %s, want %s (order kept)", j, tab.Names[j], cols[j].Name)
				}
				if tab.Types[j] != f.duck {
					t.Errorf("%s: DuckDB type %s, want %s", f.typ, tab.Types[j], f.duck)
				}
				want := f.want
				if want == nil {
					want = f.values
				}
				for i := range rows {
					if rows[i][j] != want[i] {
						t.Errorf("%s row %d: DuckDB read %q, want %q", f.typ, i, rows[i][j], want[i])
					}
				}
			}
		})
	}
}

// readBack inspects a file (its columns must be cols) and decodes all its
// rows with our decoder.
func readBack(t *testing.T, name string, cols []fileformat.Column) (*record.Batch, record.Schema) {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	got, err := parquet.Inspect(f, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(cols) {
		t.Fatalf("inspected %d columns, want %d", len(got), len(cols))
	}
	for j := range cols {
		if got[j].Kind != cols[j].Kind || got[j].Type != cols[j].Type || got[j].Name != cols[j].Name {
			t.Errorf("column %d inspected as %+v, want %+v", j, got[j], cols[j])
		}
	}
	d, err := parquet.NewDecoder(f, fi.Size(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	out := record.NewBatch(d.Schema())
	if err := d.Read(out, func(*record.Batch) bool { return false }, nil); !errors.Is(err, io.EOF) {
		t.Fatalf("Read: %v", err)
	}
	return out, d.Schema()
}

// Our decoder reads back what both encoders wrote, value for value.
func TestRoundTrip(t *testing.T) {
	for _, lib := range parquet.Libraries {
		t.Run(lib, func(t *testing.T) {
			cols, b := fidelityBatch(t)
			out, schema := readBack(t, writeFile(t, lib, cols, b), cols)
			if out.Len() != b.Len() {
				t.Fatalf("read %d rows, want %d", out.Len(), b.Len())
			}
			for j, c := range cols {
				for i := 0; i < b.Len(); i++ {
					w := string(record.AppendText(nil, b.Col(j), i, c.Column))
					g := string(record.AppendText(nil, out.Col(j), i, schema[j]))
					if b.Col(j).IsNull(i) != out.Col(j).IsNull(i) || w != g {
						t.Errorf("%s row %d: read %q, wrote %q", c.Type, i, g, w)
					}
				}
			}
		})
	}
}

// Values that do not fit a narrower type are rejected, not wrapped.
func TestNarrowReject(t *testing.T) {
	for _, lib := range parquet.Libraries {
		c, _ := fileformat.ParseType("TINYINT")
		c.Name = "t"
		f, _ := fileformat.ParseType("FLOAT")
		f.Name = "f"
		cols := []fileformat.Column{c, f}
		b := record.NewBatch(fileformat.Records(cols))
		for _, x := range []int64{1, 300, -129, 2} {
			b.Col(0).AppendInt(x)
		}
		// 32.333333333 has more digits than a FLOAT holds; 0.1 does not
		// (it reads back as 0.1, as from a double).
		for _, x := range []float64{1, 2, 3, 32.333333333} {
			b.Col(1).AppendFloat(x)
		}
		var buf bytes.Buffer
		enc, _ := parquet.NewEncoder(&buf, cols, parquet.Options{Library: lib})
		var rejected []int
		var reasons []string
		n, err := enc.Write(b, func(row int, err error) error {
			rejected = append(rejected, row)
			reasons = append(reasons, err.Error())
			return nil
		})
		if err != nil || n != 1 || !slices.Equal(rejected, []int{1, 2, 3}) {
			t.Fatalf("%s: wrote %d, rejected %v (%v), err %v", lib, n, rejected, reasons, err)
		}
		if !strings.Contains(reasons[0], "300 does not fit TINYINT") || !strings.Contains(reasons[2], "32.333333333 has more digits than a FLOAT holds") {
			t.Errorf("reasons: %v", reasons)
		}
		enc.Close()
	}
}

func TestBadOptions(t *testing.T) {
	cols := []fileformat.Column{{Column: record.Column{Name: "a", Kind: record.Int}, Type: "BIGINT", Bits: 64}}
	if _, err := parquet.NewEncoder(&bytes.Buffer{}, cols, parquet.Options{Compression: "lzo"}); err == nil || !strings.Contains(err.Error(), "snappy") {
		t.Errorf("bad compression: %v", err)
	}
	if _, err := parquet.NewEncoder(&bytes.Buffer{}, cols, parquet.Options{Library: "arrow"}); err == nil || !strings.Contains(err.Error(), "xitongsys") {
		t.Errorf("bad library: %v", err)
	}
	if _, err := parquet.Inspect(bytes.NewReader([]byte("not parquet at all")), 18); err == nil || !strings.Contains(err.Error(), "not a readable Parquet file") {
		t.Errorf("garbage: %v", err)
	}
}

// A file with 0 rows (an empty day's partition) is a valid Parquet file
// that carries the schema: our decoder, DuckDB and Spark read 0 rows with
// the declared column types.
func TestEmptyFile(t *testing.T) {
	for _, lib := range parquet.Libraries {
		t.Run(lib, func(t *testing.T) {
			cols, b := fidelityBatch(t)
			b.Truncate(0)
			name := writeFile(t, lib, cols, b)
			if out, _ := readBack(t, name, cols); out.Len() != 0 {
				t.Fatalf("read %d rows, want 0", out.Len())
			}
			tab := testenv.DuckDB(t, "SELECT * FROM read_parquet('"+name+"')")
			if len(tab.Rows) != 0 {
				t.Errorf("DuckDB read %d rows, want 0", len(tab.Rows))
			}
			for j, f := range fidelity {
				if j >= len(tab.Types) || tab.Types[j] != f.duck || tab.Names[j] != cols[j].Name {
					t.Errorf("%s: DuckDB column %d is %v %v, want %s %s", f.typ, j, tab.Names, tab.Types, cols[j].Name, f.duck)
				}
			}
		})
	}
}
