package splitter

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"
)

// sortedIndex is an ordered index held in memory: the reference the plan's
// properties are checked against (exact counts, or doubled as InnoDB's
// estimates of large ranges tend to be). Text keys compare case-folded, as
// a _ci collation does, so that code point order and key order differ.
type sortedIndex struct {
	kind   KeyKind
	keys   []Value // sorted by cmp
	over   float64 // estimates are exact × over
	probes int
}

func (s *sortedIndex) cmp(a, b Value) int {
	switch s.kind {
	case IntKey:
		return cmp.Compare(a.Int, b.Int)
	case UintKey:
		return cmp.Compare(a.Uint, b.Uint)
	case TextKey:
		return strings.Compare(strings.ToLower(string(a.Bytes)), strings.ToLower(string(b.Bytes)))
	}
	return bytes.Compare(a.Bytes, b.Bytes)
}

func newIndex(kind KeyKind, keys []Value) *sortedIndex {
	s := &sortedIndex{kind: kind, over: 1}
	s.keys = slices.Clone(keys)
	slices.SortFunc(s.keys, s.cmp)
	return s
}

func (s *sortedIndex) Bounds(context.Context) (Value, Value, bool, error) {
	s.probes++
	if len(s.keys) == 0 {
		return Value{}, Value{}, false, nil
	}
	return s.keys[0], s.keys[len(s.keys)-1], true, nil
}

func (s *sortedIndex) lower(v Value) int { // first key >= v
	return sort.Search(len(s.keys), func(i int) bool { return s.cmp(s.keys[i], v) >= 0 })
}

func (s *sortedIndex) count(r Range) int {
	lo, hi := 0, len(s.keys)
	if r.Lo != nil {
		lo = s.lower(*r.Lo)
	}
	if r.Hi != nil {
		hi = s.lower(*r.Hi)
	}
	return max(hi-lo, 0)
}

func (s *sortedIndex) Estimate(_ context.Context, r Range) (float64, error) {
	s.probes++
	return float64(s.count(r)) * s.over, nil
}

func (s *sortedIndex) Ceil(_ context.Context, v Value) (Value, bool, error) {
	s.probes++
	i := s.lower(v)
	if i == len(s.keys) {
		return Value{}, false, nil
	}
	return s.keys[i], true, nil
}

func (s *sortedIndex) Floor(_ context.Context, v Value) (Value, bool, error) {
	s.probes++
	i := s.lower(v)
	if i == 0 {
		return Value{}, false, nil
	}
	return s.keys[i-1], true, nil
}

func (s *sortedIndex) Rank(_ context.Context, vs []Value) ([]int, error) {
	s.probes++
	idx := make([]int, len(vs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return s.cmp(vs[idx[a]], vs[idx[b]]) < 0 })
	ranks := make([]int, len(vs))
	r := 0
	for j, i := range idx {
		if j > 0 && s.cmp(vs[i], vs[idx[j-1]]) != 0 {
			r++
		}
		ranks[i] = r
	}
	return ranks, nil
}

// check plans idx into n ranges and verifies: every key falls in exactly
// one range (no gap, no overlap), the boundaries increase, and the largest
// range holds at most factor times the average (factor 0: not checked).
func check(t *testing.T, idx *sortedIndex, key Key, n int, factor float64) []Range {
	t.Helper()
	ranges, err := Plan(context.Background(), key, idx, n, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sizes := make([]int, len(ranges))
	for _, k := range idx.keys {
		hits := 0
		for i, r := range ranges {
			if r.Null {
				continue
			}
			if (r.Lo == nil || idx.cmp(k, *r.Lo) >= 0) && (r.Hi == nil || idx.cmp(k, *r.Hi) < 0) {
				hits++
				sizes[i]++
			}
		}
		if hits != 1 {
			t.Fatalf("key %s falls in %d ranges", k.Format(key.Kind), hits)
		}
	}
	for i := 1; i < len(ranges); i++ {
		if a, b := ranges[i-1], ranges[i]; a.Hi != nil && b.Lo != nil && idx.cmp(*a.Hi, *b.Lo) != 0 {
			t.Fatalf("range %d ends at %s, range %d starts at %s", i-1, a.Hi.Format(key.Kind), i, b.Lo.Format(key.Kind))
		}
	}
	if factor > 0 && len(idx.keys) > 0 {
		avg := float64(len(idx.keys)) / float64(n)
		if m := slices.Max(sizes); float64(m) > factor*avg {
			t.Errorf("largest range holds %d keys, the average for %d ranges is %.0f (sizes %v)", m, n, avg, sizes)
		}
	}
	if idx.probes > min(24*n+128, 4000)+8 {
		t.Errorf("%d probes of the index, budget %d", idx.probes, 24*n+128)
	}
	return ranges
}

func ints(xs ...int64) []Value {
	out := make([]Value, len(xs))
	for i, x := range xs {
		out[i] = Value{Int: x}
	}
	return out
}

func seq(from, n, step int64) []Value {
	out := make([]Value, n)
	for i := range out {
		out[i] = Value{Int: from + int64(i)*step}
	}
	return out
}

func TestPlanIntegers(t *testing.T) {
	key := Key{Column: "id", Kind: IntKey, Unique: true}
	cases := []struct {
		name   string
		keys   []Value
		over   float64
		n      int
		factor float64
	}{
		{"dense", seq(1, 10000, 1), 1, 10, 1.2},
		{"sparse uniform", seq(1, 10000, 1_000_003), 1, 10, 1.5},
		{"skewed", append(seq(1, 19000, 1), seq(1e9, 1000, 1e9)...), 1, 10, 2},
		{"skewed, estimates doubled", append(seq(1, 19000, 1), seq(1e9, 1000, 1e9)...), 2, 10, 2},
		{"two clusters at the extremes", append(seq(math.MinInt64, 5000, 1), seq(math.MaxInt64-4999, 5000, 1)...), 1, 10, 2},
		{"around zero with extremes", append(seq(-10000, 20001, 1), ints(math.MinInt64, math.MaxInt64)...), 1, 10, 2},
		{"geometric", func() []Value {
			var v []Value
			for x := int64(1); x < 1e15; x = x*11/10 + 1 {
				v = append(v, Value{Int: x})
			}
			return v
		}(), 1, 8, 2.5},
		{"fewer values than ranges", ints(5, 9, 100), 1, 10, 0},
		{"many ranges", seq(1, 100000, 7), 1, 160, 1.5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			idx := newIndex(IntKey, c.keys)
			idx.over = c.over
			check(t, idx, key, c.n, c.factor)
		})
	}
}

func TestPlanUnsigned(t *testing.T) {
	var keys []Value
	for i := uint64(0); i < 5000; i++ {
		keys = append(keys, Value{Uint: i}, Value{Uint: math.MaxUint64 - i})
	}
	idx := newIndex(UintKey, keys)
	check(t, idx, Key{Column: "id", Kind: UintKey, Unique: true}, 10, 2)
}

func TestPlanSmallCases(t *testing.T) {
	key := Key{Column: "id", Kind: IntKey, Nullable: true}
	for _, c := range []struct {
		name string
		keys []Value
		n    int
		want int
	}{
		{"empty", nil, 10, 1},
		{"one value", ints(7, 7, 7), 10, 1},
		{"one range wanted", seq(1, 100, 1), 1, 1},
	} {
		ranges, err := Plan(context.Background(), key, newIndex(IntKey, c.keys), c.n, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ranges) != c.want || !ranges[0].All() {
			t.Errorf("%s: %d ranges %v, want the whole table", c.name, len(ranges), ranges)
		}
	}
	// A nullable key gets a NULL range besides the key ranges.
	ranges, _ := Plan(context.Background(), key, newIndex(IntKey, seq(1, 100, 1)), 4, Options{})
	if last := ranges[len(ranges)-1]; !last.Null || len(ranges) != 5 {
		t.Errorf("ranges %v, want 4 key ranges and a NULL range", ranges)
	}
}

func TestPlanStrings(t *testing.T) {
	prefixes := []string{"a", "B", "é", "中文", "Z", "ü", "ñ", "Ωmega", "x😀", "user_"}
	var keys []Value
	for i := 0; i < 5000; i++ {
		keys = append(keys, Value{Bytes: fmt.Appendf(nil, "%s-%05d", prefixes[i%len(prefixes)], i)})
	}
	for _, kind := range []KeyKind{TextKey, BinaryKey} {
		t.Run(kind.String(), func(t *testing.T) {
			check(t, newIndex(kind, keys), Key{Column: "k", Kind: kind, Unique: true}, 10, 3)
		})
	}
	// Keys that share a long prefix and differ only at the end.
	var long []Value
	for i := 0; i < 3000; i++ {
		long = append(long, Value{Bytes: fmt.Appendf(nil, "https://example.com/shop/orders/%08d", i*37)})
	}
	check(t, newIndex(TextKey, long), Key{Column: "k", Kind: TextKey, Unique: true}, 10, 1.5)
}

func TestInterpolate(t *testing.T) {
	for _, c := range []struct {
		a, b string
		text bool
	}{
		{"user_000001", "user_999999", true},
		{"a", "z", true},
		{"a", "ab", true},
		{"中文", "中文字", true},
		{"z", "a", true}, // either order
		{"\x00", "\xff\xff", false},
		{"é", "😀", true},
	} {
		got := Interpolate([]byte(c.a), []byte(c.b), 5, c.text)
		if len(got) == 0 {
			t.Errorf("%q..%q: no candidates", c.a, c.b)
		}
		lo, hi := c.a, c.b
		if lo > hi {
			lo, hi = hi, lo
		}
		for i, s := range got {
			if string(s) <= lo || string(s) >= hi {
				t.Errorf("%q..%q: candidate %q is not strictly between", c.a, c.b, s)
			}
			if i > 0 && bytes.Compare(got[i-1], s) >= 0 {
				t.Errorf("%q..%q: candidates out of order: %q", c.a, c.b, got)
			}
		}
	}
	if got := Interpolate([]byte("abc"), []byte("abc"), 5, true); len(got) != 0 {
		t.Errorf("equal strings gave %q", got)
	}
}

func TestGroup(t *testing.T) {
	keys := ints(0, 10, 20, 30, 40, 50)
	// Cell sizes 1, 1, 1, 100, 1, 1: the heavy cell gets a range of its own.
	got := Group(keys, []float64{1, 1, 1, 100, 1, 1}, 3)
	if len(got) != 2 || got[0].Int != 30 || got[1].Int != 40 {
		t.Errorf("boundaries %v, want 30 and 40", got)
	}
	// No estimates: boundaries spread by position.
	if got := Group(keys, make([]float64, 6), 3); len(got) != 2 {
		t.Errorf("boundaries %v without estimates", got)
	}
}

func TestPerTable(t *testing.T) {
	for _, c := range []struct{ ch, tables, factor, want int }{
		{1, 1, 5, 5}, {2, 1, 5, 10}, {4, 8, 5, 5}, {8, 3, 5, 15}, {0, 0, 0, 1},
	} {
		if got := PerTable(c.ch, c.tables, c.factor); got != c.want {
			t.Errorf("PerTable(%d, %d, %d) = %d, want %d", c.ch, c.tables, c.factor, got, c.want)
		}
	}
}

func TestExpandTables(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want string
		err  string
	}{
		{[]string{"orders"}, "orders", ""},
		{[]string{"orders_[0-3]"}, "orders_0 orders_1 orders_2 orders_3", ""},
		{[]string{"orders_[00-02]"}, "orders_00 orders_01 orders_02", ""},
		{[]string{"t_[1,3,5-6]"}, "t_1 t_3 t_5 t_6", ""},
		{[]string{"db[1-2].t_[0-1]"}, "db1.t_0 db1.t_1 db2.t_0 db2.t_1", ""},
		{[]string{"a", "b_[1-2]"}, "a b_1 b_2", ""},
		{[]string{"t_[3-1]"}, "", "goes down"},
		{[]string{"t_[1-x]"}, "", "expected numbers"},
		{[]string{"t_[1-2"}, "", "without ']'"},
		{[]string{"t_1", "t_[0-2]"}, "", "more than once"},
		{[]string{" "}, "", "empty"},
	} {
		got, err := ExpandTables(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want one saying %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || strings.Join(got, " ") != c.want {
			t.Errorf("%q: %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestChooseKey(t *testing.T) {
	cols := []Column{
		{Name: "id", Kind: IntKey}, {Name: "code", Kind: TextKey}, {Name: "amount"},
		{Name: "u", Kind: IntKey, Nullable: true}, {Name: "n", Kind: UintKey},
	}
	for _, c := range []struct {
		name    string
		indexes []IndexDef
		want    string
		unique  bool
	}{
		{"single-column primary key", []IndexDef{{Name: "PRIMARY", Primary: true, Unique: true, Columns: []string{"ID"}}}, "id", true},
		{"string primary key", []IndexDef{{Name: "PRIMARY", Primary: true, Unique: true, Columns: []string{"code"}}}, "code", true},
		{"primary key of a type that cannot split, unique integer index",
			[]IndexDef{{Name: "PRIMARY", Primary: true, Unique: true, Columns: []string{"amount"}}, {Name: "un", Unique: true, Columns: []string{"n"}}}, "n", true},
		{"nullable unique index is skipped", []IndexDef{{Name: "uu", Unique: true, Columns: []string{"u"}}}, "", false},
		{"composite primary key: its leading integer column",
			[]IndexDef{{Name: "PRIMARY", Primary: true, Unique: true, Columns: []string{"id", "code"}}}, "id", false},
		{"composite primary key led by a string", []IndexDef{{Name: "PRIMARY", Primary: true, Unique: true, Columns: []string{"code", "id"}}}, "", false},
		{"no index", nil, "", false},
	} {
		key, ok := ChooseKey(cols, c.indexes)
		if ok != (c.want != "") || key.Column != c.want || key.Unique != c.unique {
			t.Errorf("%s: chose %+v (%v), want %q unique=%v", c.name, key, ok, c.want, c.unique)
		}
	}
}
