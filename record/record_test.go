package record

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
)

func TestCivilRoundTrip(t *testing.T) {
	for _, days := range []int64{-719528, -1, 0, 1, 10957, 11016, 2932896} { // 0000-01-01 .. 9999-12-31
		y, m, d := CivilFromDays(days)
		if got := DaysFromCivil(y, m, d); got != days {
			t.Errorf("days %d → %d-%d-%d → %d", days, y, m, d, got)
		}
	}
	for days := int64(-800000); days < 3000000; days += 997 {
		y, m, d := CivilFromDays(days)
		if got := DaysFromCivil(y, m, d); got != days {
			t.Fatalf("days %d → %d-%d-%d → %d", days, y, m, d, got)
		}
	}
}

func TestTextRoundTrip(t *testing.T) {
	cases := []struct {
		col  Column
		text string
	}{
		{Column{Kind: Int}, "-9223372036854775808"},
		{Column{Kind: Int}, "9223372036854775807"},
		{Column{Kind: Uint}, "18446744073709551615"},
		{Column{Kind: Float}, "0.1"},
		{Column{Kind: Float}, "-1.5e-07"},
		{Column{Kind: Decimal, Precision: 38, Scale: 10}, "-1234567890123456789012345678.0123456789"},
		{Column{Kind: Decimal, Precision: 65, Scale: 30}, "99999999999999999999999999999999999.999999999999999999999999999999"},
		{Column{Kind: Decimal, Precision: 12, Scale: 2}, "0.00"},
		{Column{Kind: String}, "héllo 😀, \"quoted\"\nline"},
		{Column{Kind: Bool}, "true"},
		{Column{Kind: Date}, "1000-01-01"},
		{Column{Kind: Date}, "9999-12-31"},
		{Column{Kind: Date}, "2024-02-29"},
		{Column{Kind: Time}, "-838:59:59"},
		{Column{Kind: Time, Scale: 6}, "838:59:58.999999"},
		{Column{Kind: Timestamp, Scale: 6}, "2026-11-22 23:59:59.000001"},
		{Column{Kind: Timestamp}, "1969-12-31 23:59:59"},
		{Column{Kind: Timestamp, Scale: 3}, "9999-12-31 23:59:59.999"},
	}
	for _, c := range cases {
		v := NewVector(c.col.Kind)
		if err := ParseText(v, c.col, []byte(c.text)); err != nil {
			t.Errorf("%s %q: %v", c.col.Kind, c.text, err)
			continue
		}
		if got := string(AppendText(nil, v, 0, c.col)); got != c.text {
			t.Errorf("%s: %q → %q", c.col.Kind, c.text, got)
		}
	}
}

func TestParseRefusesWhatWouldBeLost(t *testing.T) {
	cases := []struct {
		col  Column
		text string
		want string
	}{
		{Column{Kind: Int}, "9223372036854775808", "out of the int64 range"},
		{Column{Kind: Int}, "12a", "not an integer"},
		{Column{Kind: Int}, "", "not an integer"},
		{Column{Kind: Uint}, "18446744073709551616", "out of the uint64 range"},
		{Column{Kind: Uint}, "-1", "not an unsigned integer"},
		{Column{Kind: Decimal, Precision: 5, Scale: 2}, "1.234", "would be rounded"},
		{Column{Kind: Decimal, Precision: 5, Scale: 2}, "1234.5", "does not fit DECIMAL(5,2)"},
		{Column{Kind: Decimal, Precision: 5, Scale: 2}, "1e3", "not a decimal"},
		{Column{Kind: Date}, "2023-02-29", "not a date"},
		{Column{Kind: Date}, "2023-13-01", "not a date"},
		{Column{Kind: Timestamp}, "2026-11-22 24:00:00", "not a timestamp"},
		{Column{Kind: Timestamp}, "2026-11-22 10:00:00.0000001", "not a timestamp"},
		{Column{Kind: Bool}, "maybe", "not a boolean"},
		{Column{Kind: String}, "\xff\xfe", "not valid UTF-8"},
	}
	for _, c := range cases {
		v := NewVector(c.col.Kind)
		err := ParseText(v, c.col, []byte(c.text))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %q: got %v, want an error containing %q", c.col.Kind, c.text, err, c.want)
		}
		if v.Len() != 0 {
			t.Errorf("%s %q: a failed parse appended a value", c.col.Kind, c.text)
		}
	}
}

func TestDecimalCanonical(t *testing.T) {
	cases := []struct {
		in         string
		prec, sc   int
		want       string
		wantErrSub string
	}{
		{"+007.50", 10, 2, "7.50", ""},
		{"-0.000", 10, 2, "0.00", ""},
		{"-.5", 10, 3, "-0.500", ""},
		{"12.3400", 0, -1, "12.3400", ""},
		{"1.2300", 10, 2, "1.23", ""},
		{"1.2310", 10, 2, "", "rounded"},
		{"100", 3, 1, "", "does not fit"},
		{".", 3, 1, "", "not a decimal"},
	}
	for _, c := range cases {
		got, err := AppendDecimal(nil, []byte(c.in), c.prec, c.sc)
		if c.wantErrSub != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErrSub) {
				t.Errorf("%q: got %q, %v; want error %q", c.in, got, err, c.wantErrSub)
			}
			continue
		}
		if err != nil || string(got) != c.want {
			t.Errorf("%q (%d,%d): got %q, %v; want %q", c.in, c.prec, c.sc, got, err, c.want)
		}
	}
	if v, ok := DecimalUnscaled([]byte("-12.30"), 4); !ok || v != -123000 {
		t.Errorf("DecimalUnscaled: %d %v", v, ok)
	}
	if _, ok := DecimalUnscaled([]byte("99999999999999999999"), 0); ok {
		t.Error("DecimalUnscaled accepted a value beyond int64")
	}
}

func convert(t *testing.T, src, dst Column, fill func(v *Vector)) (*Vector, error) {
	t.Helper()
	conv, err := NewConverter(src, dst)
	if err != nil {
		return nil, err
	}
	s := NewVector(src.Kind)
	fill(s)
	d := NewVector(dst.Kind)
	return d, conv(d, s, 0)
}

func TestConversions(t *testing.T) {
	ok := []struct {
		name     string
		src, dst Column
		fill     func(*Vector)
		want     string
	}{
		{"uint max to decimal(20,0)", Column{Kind: Uint}, Column{Kind: Decimal, Precision: 20}, func(v *Vector) { v.AppendUint(math.MaxUint64) }, "18446744073709551615"},
		{"int to uint", Column{Kind: Int}, Column{Kind: Uint}, func(v *Vector) { v.AppendInt(7) }, "7"},
		{"int to float (exact)", Column{Kind: Int}, Column{Kind: Float}, func(v *Vector) { v.AppendInt(1 << 53) }, "9007199254740992"},
		{"float to decimal", Column{Kind: Float}, Column{Kind: Decimal, Precision: 10, Scale: 3}, func(v *Vector) { v.AppendFloat(0.1) }, "0.100"},
		{"decimal to float (exact)", Column{Kind: Decimal, Precision: 10, Scale: 2}, Column{Kind: Float}, func(v *Vector) { v.AppendString("0.50") }, "0.5"},
		{"decimal to int", Column{Kind: Decimal, Precision: 10, Scale: 2}, Column{Kind: Int}, func(v *Vector) { v.AppendString("-42.00") }, "-42"},
		{"string to timestamp", Column{Kind: String}, Column{Kind: Timestamp, Scale: 6}, func(v *Vector) { v.AppendString("2026-11-22 23:59:59.5") }, "2026-11-22 23:59:59.500000"},
		{"timestamp to string", Column{Kind: Timestamp}, Column{Kind: String}, func(v *Vector) { v.AppendInt(0) }, "1970-01-01 00:00:00"},
		{"date to timestamp", Column{Kind: Date}, Column{Kind: Timestamp}, func(v *Vector) { v.AppendInt(1) }, "1970-01-02 00:00:00"},
		{"bool to int", Column{Kind: Bool}, Column{Kind: Int}, func(v *Vector) { v.AppendBool(true) }, "1"},
		{"null passes", Column{Kind: Int}, Column{Kind: String}, func(v *Vector) { v.AppendNull() }, ""},
	}
	for _, c := range ok {
		d, err := convert(t, c.src, c.dst, c.fill)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got := string(AppendText(nil, d, 0, c.dst)); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	bad := []struct {
		name     string
		src, dst Column
		fill     func(*Vector)
		want     string
	}{
		{"uint max to int", Column{Kind: Uint}, Column{Kind: Int}, func(v *Vector) { v.AppendUint(math.MaxUint64) }, "out of the signed 64-bit range"},
		{"negative to uint", Column{Kind: Int}, Column{Kind: Uint}, func(v *Vector) { v.AppendInt(-1) }, "negative"},
		{"int beyond float precision", Column{Kind: Int}, Column{Kind: Float}, func(v *Vector) { v.AppendInt(1<<53 + 1) }, "exactly"},
		{"float fraction to int", Column{Kind: Float}, Column{Kind: Int}, func(v *Vector) { v.AppendFloat(2.5) }, "not a whole number"},
		{"decimal too precise for float", Column{Kind: Decimal, Precision: 30, Scale: 20}, Column{Kind: Float}, func(v *Vector) { v.AppendString("0.12345678901234567890") }, "no exact double"},
		{"decimal rounding", Column{Kind: Decimal, Precision: 10, Scale: 4}, Column{Kind: Decimal, Precision: 10, Scale: 2}, func(v *Vector) { v.AppendString("1.2345") }, "rounded"},
		{"decimal overflow", Column{Kind: Decimal, Precision: 10, Scale: 0}, Column{Kind: Decimal, Precision: 4, Scale: 0}, func(v *Vector) { v.AppendString("12345") }, "does not fit"},
		{"timestamp with time to date", Column{Kind: Timestamp}, Column{Kind: Date}, func(v *Vector) { v.AppendInt(1) }, "time of day"},
		{"NaN to decimal", Column{Kind: Float}, Column{Kind: Decimal, Precision: 10}, func(v *Vector) { v.AppendFloat(math.NaN()) }, "no exact"},
		{"null into NOT NULL", Column{Kind: Int}, Column{Kind: Int, NotNull: true, Name: "id"}, func(v *Vector) { v.AppendNull() }, "column id: null"},
		{"bad bytes to string", Column{Kind: Bytes}, Column{Kind: String}, func(v *Vector) { v.AppendString("\xff") }, "UTF-8"},
		{"int to bool", Column{Kind: Int}, Column{Kind: Bool}, func(v *Vector) { v.AppendInt(2) }, "not a boolean"},
	}
	for _, c := range bad {
		_, err := convert(t, c.src, c.dst, c.fill)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
	if _, err := NewConverter(Column{Name: "d", Kind: Date}, Column{Kind: Bool}); err == nil {
		t.Error("date → bool should be refused up front")
	}
}

func TestConformerDropsBadRowsOnly(t *testing.T) {
	src := Schema{{Name: "id", Kind: Int}, {Name: "amount", Kind: String}, {Name: "note", Kind: String}}
	dst := Schema{{Name: "id", Kind: Int}, {Name: "amount", Kind: Decimal, Precision: 5, Scale: 2}, {Name: "note", Kind: String}}
	c, err := NewConformer(src, dst)
	if err != nil {
		t.Fatal(err)
	}
	b := NewBatch(src)
	for i, amount := range []string{"1.50", "oops", "123456", "2"} {
		b.Col(0).AppendInt(int64(i))
		b.Col(1).AppendString(amount)
		b.Col(2).AppendString("n" + amount)
	}
	var rejected []int
	out := c.Conform(b, func(row int, reason error) { rejected = append(rejected, row) })
	if len(rejected) != 2 || rejected[0] != 1 || rejected[1] != 2 {
		t.Fatalf("rejected %v, want [1 2]", rejected)
	}
	if out.Len() != 2 {
		t.Fatalf("out has %d rows, want 2", out.Len())
	}
	for i, want := range []string{"0|1.50|n1.50", "3|2.00|n2"} {
		var got []string
		for j, col := range dst {
			got = append(got, string(AppendText(nil, out.Col(j), i, col)))
		}
		if strings.Join(got, "|") != want {
			t.Errorf("row %d: %v, want %s", i, got, want)
		}
	}
	if _, err := NewConformer(src, dst[:2]); err == nil {
		t.Error("column count mismatch should fail")
	}
}

func TestVectorReuseDoesNotAllocate(t *testing.T) {
	b := NewBatch(Schema{{Kind: Int}, {Kind: String}, {Kind: Decimal}})
	fill := func() {
		b.Reset(b.Schema())
		for i := 0; i < 1024; i++ {
			b.Col(0).AppendInt(int64(i))
			b.Col(1).AppendString("some text value")
			b.Col(2).AppendString("123.45")
		}
	}
	fill()
	if allocs := testing.AllocsPerRun(10, fill); allocs != 0 {
		t.Errorf("refilling a reused batch allocated %v times", allocs)
	}
}

func TestTruncateAndDelete(t *testing.T) {
	b := NewBatch(Schema{{Kind: Int}, {Kind: String}})
	for i := 0; i < 5; i++ {
		b.Col(0).AppendInt(int64(i))
		if i == 3 {
			b.Col(1).AppendNull()
		} else {
			b.Col(1).AppendString(strings.Repeat("x", i))
		}
	}
	b.Col(0).AppendInt(99) // a half-appended row
	if b.Len() != 5 {
		t.Fatalf("Len %d with a half row, want 5", b.Len())
	}
	b.Truncate(5)
	b.DeleteRows([]int{0, 3})
	if b.Len() != 3 || b.Col(0).Int(2) != 4 || string(b.Col(1).Bytes(1)) != "xx" || b.Col(1).HasNulls() {
		t.Errorf("after delete: len %d, ids %v", b.Len(), b.Col(0).Ints())
	}
}

func TestSyntaxErrorIsWrapped(t *testing.T) {
	_, err := ParseDate([]byte("nope"))
	if !errors.Is(err, ErrSyntax) {
		t.Errorf("ParseDate error %v does not wrap ErrSyntax", err)
	}
}

func TestAppendDecimalInt64(t *testing.T) {
	cases := []struct {
		v     int64
		scale int
		want  string
	}{
		{0, 2, "0.00"}, {5, 2, "0.05"}, {-5, 2, "-0.05"}, {12345, 2, "123.45"}, {-12345, 0, "-12345"},
		{math.MinInt64, 0, "-9223372036854775808"}, {math.MaxInt64, 18, "9.223372036854775807"}, {1, 20, "0.00000000000000000001"},
	}
	for _, c := range cases {
		if got := string(AppendDecimalInt64(nil, c.v, c.scale)); got != c.want {
			t.Errorf("%d scale %d: %q, want %q", c.v, c.scale, got, c.want)
		}
		if got := string(AppendDecimalFromUnscaled(nil, big.NewInt(c.v), c.scale)); got != c.want {
			t.Errorf("big %d scale %d: %q, want %q", c.v, c.scale, got, c.want)
		}
	}
	huge, _ := new(big.Int).SetString("-123456789012345678901234567890", 10)
	if got := string(AppendDecimalFromUnscaled(nil, huge, 10)); got != "-12345678901234567890.1234567890" {
		t.Errorf("big: %s", got)
	}
	if n := testing.AllocsPerRun(100, func() { AppendDecimalInt64(make([]byte, 0, 32)[:0], 123456, 2) }); n > 1 {
		t.Errorf("%v allocations", n)
	}
}
