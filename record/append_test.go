package record

import (
	"math/rand/v2"
	"testing"
)

// TestAppendRowsMatchesAppendRow: a range copy gives the same batch as the
// row by row copy, for every kind, with and without nulls, into a batch
// that already holds rows.
func TestAppendRowsMatchesAppendRow(t *testing.T) {
	schema := Schema{{Name: "i", Kind: Int}, {Name: "s", Kind: String}, {Name: "d", Kind: Decimal}, {Name: "b", Kind: Bool}, {Name: "y", Kind: Bytes}}
	r := rand.New(rand.NewPCG(3, 4))
	src := NewBatch(schema)
	for i := 0; i < 200; i++ {
		for j, c := range schema {
			v := src.Col(j)
			switch {
			case r.IntN(5) == 0:
				v.AppendNull()
			case c.Kind == Int || c.Kind == Bool:
				v.AppendInt(r.Int64N(2))
			default:
				v.AppendString(string(rune('a'+r.IntN(26))) + "1.5"[:r.IntN(4)])
			}
		}
	}
	for _, rg := range [][2]int{{0, 200}, {17, 18}, {50, 150}, {199, 200}, {30, 30}} {
		want, got := NewBatch(schema), NewBatch(schema)
		want.AppendRow(src, 3)
		got.AppendRow(src, 3)
		for i := rg[0]; i < rg[1]; i++ {
			want.AppendRow(src, i)
		}
		got.AppendRows(src, rg[0], rg[1])
		if want.Len() != got.Len() {
			t.Fatalf("range %v: %d rows, want %d", rg, got.Len(), want.Len())
		}
		for j, c := range schema {
			if want.Col(j).HasNulls() != got.Col(j).HasNulls() {
				t.Fatalf("range %v column %s: HasNulls %v, want %v", rg, c.Name, got.Col(j).HasNulls(), want.Col(j).HasNulls())
			}
			for i := 0; i < want.Len(); i++ {
				w, g := string(AppendText(nil, want.Col(j), i, c)), string(AppendText(nil, got.Col(j), i, c))
				if w != g || want.Col(j).IsNull(i) != got.Col(j).IsNull(i) {
					t.Fatalf("range %v column %s row %d: %q (null %v), want %q (null %v)", rg, c.Name, i, g, got.Col(j).IsNull(i), w, want.Col(j).IsNull(i))
				}
			}
		}
	}
}
