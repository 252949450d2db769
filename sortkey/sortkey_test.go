package sortkey

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"datax/record"
)

func TestDecimalsMatchesExactArithmetic(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	gen := func() []byte {
		var sb strings.Builder
		if r.IntN(3) == 0 {
			sb.WriteByte('-')
		}
		sb.WriteString(fmt.Sprint(r.IntN(3) * int(math.Pow10(r.IntN(6)))))
		if r.IntN(2) == 0 {
			sb.WriteByte('.')
			for k := r.IntN(4) + 1; k > 0; k-- {
				sb.WriteByte(byte('0' + r.IntN(10)))
			}
		}
		canon, err := record.AppendDecimal(nil, []byte(sb.String()), 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		return canon
	}
	for n := 0; n < 20000; n++ {
		a, b := gen(), gen()
		ra, _ := new(big.Rat).SetString(string(a))
		rb, _ := new(big.Rat).SetString(string(b))
		if got, want := Decimals(a, b), ra.Cmp(rb); got != want {
			t.Fatalf("Decimals(%s, %s) = %d, want %d", a, b, got, want)
		}
	}
	for _, c := range []struct {
		a, b string
		want int
	}{{"9.5", "10", -1}, {"-2", "-1.5", -1}, {"1.50", "1.5", 0}, {"0", "0.000", 0}, {"-0.01", "0", -1}, {"123", "99.999", 1}} {
		if got := Decimals([]byte(c.a), []byte(c.b)); got != c.want {
			t.Errorf("Decimals(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestCompareKinds(t *testing.T) {
	schema := record.Schema{
		{Name: "i", Kind: record.Int}, {Name: "u", Kind: record.Uint}, {Name: "f", Kind: record.Float},
		{Name: "s", Kind: record.String}, {Name: "d", Kind: record.Decimal}, {Name: "b", Kind: record.Bool},
	}
	b := record.NewBatch(schema)
	add := func(i int64, u uint64, f float64, s, d string, bo bool) {
		b.Col(0).AppendInt(i)
		b.Col(1).AppendUint(u)
		b.Col(2).AppendFloat(f)
		b.Col(3).AppendString(s)
		b.Col(4).AppendString(d)
		b.Col(5).AppendBool(bo)
	}
	add(-5, math.MaxUint64, -0.0, "B", "10", false) // row 0
	add(3, 1, 0.0, "a", "9.5", true)                // row 1
	b.Col(0).AppendNull()                           // row 2: all null
	b.Col(1).AppendNull()
	b.Col(2).AppendFloat(math.NaN())
	b.Col(3).AppendNull()
	b.Col(4).AppendNull()
	b.Col(5).AppendNull()
	cases := []struct {
		col        string
		i, j, want int
	}{
		{"i", 0, 1, -1}, {"u", 0, 1, 1}, {"f", 0, 1, 0}, {"s", 0, 1, -1}, {"d", 0, 1, 1}, {"b", 0, 1, -1},
		{"i", 2, 0, -1}, {"f", 2, 0, -1}, {"s", 2, 2, 0}, {"d", 1, 2, 1},
	}
	for _, c := range cases {
		k, err := New(schema, []string{c.col})
		if err != nil {
			t.Fatal(err)
		}
		if got := k.CompareRows(b, c.i, c.j); got != c.want {
			t.Errorf("%s: compare rows %d and %d = %d, want %d", c.col, c.i, c.j, got, c.want)
		}
	}
	k, _ := New(schema, []string{"b", "i"})
	if got := Compare(k, b, 0, k, b, 1); got != -1 {
		t.Errorf("composite (b, i) compare = %d, want -1", got)
	}
	if s := k.Format(schema, b, 0); s != "b=false, i=-5" {
		t.Errorf("Format = %q", s)
	}
}

func TestNewErrors(t *testing.T) {
	schema := record.Schema{{Name: "id", Kind: record.Int}, {Name: "name", Kind: record.String}}
	if _, err := New(schema, []string{"id", "nmae"}); err == nil || !strings.Contains(err.Error(), "column nmae not found") || !strings.Contains(err.Error(), "id, name") {
		t.Fatalf("missing column: %v", err)
	}
	if _, err := New(schema, nil); err == nil {
		t.Fatal("empty key accepted")
	}
	a, _ := New(schema, []string{"id"})
	b, _ := New(schema, []string{"name"})
	if err := a.Comparable(b); err == nil || !strings.Contains(err.Error(), "int") {
		t.Fatalf("Comparable int/string: %v", err)
	}
}
