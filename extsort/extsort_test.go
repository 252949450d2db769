package extsort

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"datax/record"
	"datax/sortkey"
)

var testSchema = record.Schema{
	{Name: "k1", Kind: record.String},
	{Name: "k2", Kind: record.Decimal},
	{Name: "seq", Kind: record.Int},
	{Name: "f", Kind: record.Float},
	{Name: "ts", Kind: record.Timestamp},
	{Name: "b", Kind: record.Bytes},
}

type row struct {
	k1  *string
	k2  string
	seq int64
	f   float64
	ts  *int64
	b   []byte
}

func randomRows(r *rand.Rand, n int) []row {
	rows := make([]row, n)
	for i := range rows {
		var k1 *string
		if r.IntN(20) > 0 {
			s := fmt.Sprintf("k%d", r.IntN(50))
			k1 = &s
		}
		dec, _ := record.AppendDecimal(nil, []byte(fmt.Sprintf("%d.%02d", r.IntN(200)-100, r.IntN(100))), 10, 2)
		var ts *int64
		if r.IntN(3) > 0 {
			t := r.Int64N(1 << 50)
			ts = &t
		}
		rows[i] = row{k1: k1, k2: string(dec), seq: int64(i), f: r.Float64(), ts: ts, b: []byte(strings.Repeat("x", r.IntN(40)))}
	}
	return rows
}

func toBatches(rows []row, size int) []*record.Batch {
	var out []*record.Batch
	for start := 0; start < len(rows); start += size {
		b := record.NewBatch(testSchema)
		for _, x := range rows[start:min(len(rows), start+size)] {
			if x.k1 == nil {
				b.Col(0).AppendNull()
			} else {
				b.Col(0).AppendString(*x.k1)
			}
			b.Col(1).AppendString(x.k2)
			b.Col(2).AppendInt(x.seq)
			b.Col(3).AppendFloat(x.f)
			if x.ts == nil {
				b.Col(4).AppendNull()
			} else {
				b.Col(4).AppendInt(*x.ts)
			}
			b.Col(5).AppendBytes(x.b)
		}
		out = append(out, b)
	}
	return out
}

// render turns a batch row into text covering every column.
func render(b *record.Batch, i int) string {
	var parts []string
	for j, c := range b.Schema() {
		if b.Col(j).IsNull(i) {
			parts = append(parts, "NULL")
		} else {
			parts = append(parts, string(record.AppendText(nil, b.Col(j), i, c)))
		}
	}
	return strings.Join(parts, "|")
}

func TestSortMatchesStableReference(t *testing.T) {
	for _, keyCols := range [][]string{{"k1", "k2"}, {"ts", "k1"}} { // the second sorts on an int64 prefix, with nulls
		testSortMatchesStableReference(t, keyCols)
	}
}

func testSortMatchesStableReference(t *testing.T, keyCols []string) {
	for _, tc := range []struct {
		name     string
		n        int
		budget   int64
		wantRuns bool
	}{
		{"in memory", 5000, 64 << 20, false},
		{"spills", 30000, 200 << 10, true},
		{"empty", 0, 1 << 20, false},
	} {
		t.Run(tc.name+"/"+keyCols[0], func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, uint64(tc.n)))
			rows := randomRows(r, tc.n)
			key, err := sortkey.New(testSchema, keyCols)
			if err != nil {
				t.Fatal(err)
			}
			s := New(testSchema, key, Options{MemoryBytes: tc.budget, Dir: t.TempDir(), BatchRows: 333})
			defer s.Close()
			for _, b := range toBatches(rows, 777) {
				if err := s.Add(b); err != nil {
					t.Fatal(err)
				}
			}
			st, err := s.Sort()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for {
				b, err := st.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				for i := 0; i < b.Len(); i++ {
					got = append(got, render(b, i))
				}
			}
			// Reference: a stable sort of all rows in one batch.
			var want []string
			if tc.n > 0 {
				all := toBatches(rows, tc.n)[0]
				idx := make([]int, tc.n)
				for i := range idx {
					idx[i] = i
				}
				slices.SortStableFunc(idx, func(a, b int) int { return key.CompareRows(all, a, b) })
				for _, i := range idx {
					want = append(want, render(all, i))
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("sorted output differs from the stable reference (%d vs %d rows)", len(got), len(want))
			}
			if stats := s.Stats(); (stats.Runs > 0) != tc.wantRuns || stats.Rows != int64(tc.n) {
				t.Fatalf("stats %+v, want runs>0 = %v", stats, tc.wantRuns)
			}
		})
	}
}

func TestSpillFilesAreUnlinked(t *testing.T) {
	dir := t.TempDir()
	key, _ := sortkey.New(testSchema, []string{"seq"})
	s := New(testSchema, key, Options{MemoryBytes: 10 << 10, Dir: dir})
	for _, b := range toBatches(randomRows(rand.New(rand.NewPCG(1, 1)), 5000), 500) {
		if err := s.Add(b); err != nil {
			t.Fatal(err)
		}
	}
	if s.Stats().Runs == 0 {
		t.Fatal("expected spill runs")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Fatalf("spill files visible in %s: %v", dir, entries)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestBadSpillDir(t *testing.T) {
	key, _ := sortkey.New(testSchema, []string{"seq"})
	s := New(testSchema, key, Options{MemoryBytes: 1 << 10, Dir: "/nonexistent/spill"})
	defer s.Close()
	var err error
	for _, b := range toBatches(randomRows(rand.New(rand.NewPCG(1, 1)), 2000), 500) {
		if err = s.Add(b); err != nil {
			break
		}
	}
	if err == nil || !strings.Contains(err.Error(), "spill file") || !strings.Contains(err.Error(), "/nonexistent/spill") {
		t.Fatalf("want a spill file error naming the directory, got %v", err)
	}
}
