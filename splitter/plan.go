package splitter

import (
	"bytes"
	"cmp"
	"context"
	"math/big"
	"slices"
	"sort"
)

// planner holds the state of one Plan call.
type planner struct {
	key    Key
	idx    Index
	n      int
	budget int // probes left
}

// space is what balance needs of a key kind: keys strictly inside a cell,
// and a list of keys sorted and made distinct under the key's order.
type space interface {
	// inside returns up to k keys between a and b (b nil: up to the largest
	// key); keys outside (a, b) may come back and are harmless.
	inside(ctx context.Context, a Value, b *Value, k int) ([]Value, error)
	order(ctx context.Context, vs []Value) ([]Value, error)
}

func (p *planner) spend(n int) bool {
	if p.budget < n {
		return false
	}
	p.budget -= n
	return true
}

// integers plans an integer key: even ranges when the key is unique and
// dense, estimated cells otherwise.
func (p *planner) integers(ctx context.Context, lo, hi Value) ([]Value, error) {
	sp := &intSpace{p: p, kind: p.key.Kind, lo: lo, hi: hi}
	width := sp.offset(hi) // hi - lo, as a non-negative number
	count := new(big.Int).Add(width, big.NewInt(1))
	if p.key.Unique && p.spend(1) {
		total, err := p.idx.Estimate(ctx, Range{})
		if err != nil {
			return nil, err
		}
		// Every key value holds at most one row, so a range of w values
		// holds at most w rows: with at least one row per two values, even
		// ranges hold at most twice the average.
		if total*2 >= bigFloat(count) {
			return sp.points(big.NewInt(0), count, p.n-1), nil
		}
	}
	cells := min(4*p.n, max(p.budget/2, 2))
	keys := append([]Value{lo}, sp.points(big.NewInt(0), count, cells-1)...)
	return p.balance(ctx, sp, keys)
}

// strings plans a text or binary key.
func (p *planner) strings(ctx context.Context, lo, hi Value) ([]Value, error) {
	sp := &stringSpace{p: p, hi: hi}
	cands, err := sp.inside(ctx, lo, nil, min(4*p.n, max(p.budget/3, 2)))
	if err != nil {
		return nil, err
	}
	keys, err := sp.order(ctx, append([]Value{lo, hi}, cands...))
	if err != nil {
		return nil, err
	}
	return p.balance(ctx, sp, keys)
}

// fanout is how many keys a heavy cell is cut at in one round: a cell that
// holds most of a table's rows in a small part of its width (a skewed key)
// shrinks by fanout+1 per round until it is light enough.
const fanout = 15

// balance estimates the rows of the cells between consecutive keys (keys
// sorted and distinct, keys[0] the smallest key; the last cell is open
// above), cuts heavy cells finer while the probe budget lasts, and groups
// the cells into about n ranges of similar estimated size. It returns the
// boundaries between the ranges.
func (p *planner) balance(ctx context.Context, sp space, keys []Value) ([]Value, error) {
	cache := map[string]float64{}
	done := map[string]bool{} // cells that could not be cut finer
	cellID := func(i int) string {
		id := string(encode(p.key.Kind, keys[i]))
		if i+1 < len(keys) {
			id += "|" + string(encode(p.key.Kind, keys[i+1]))
		}
		return id
	}
	estimates := func() ([]float64, bool, error) {
		ests := make([]float64, len(keys))
		for i := range keys {
			id := cellID(i)
			if e, ok := cache[id]; ok {
				ests[i] = e
				continue
			}
			if !p.spend(1) {
				return nil, false, nil
			}
			r := Range{Lo: &keys[i]}
			if i+1 < len(keys) {
				r.Hi = &keys[i+1]
			}
			e, err := p.idx.Estimate(ctx, r)
			if err != nil {
				return nil, false, err
			}
			cache[id], ests[i] = e, e
		}
		return ests, true, nil
	}
	ests, ok, err := estimates()
	if err != nil {
		return nil, err
	}
	if !ok {
		return evenPick(keys, p.n), nil
	}
	for p.budget > 0 {
		var total float64
		for _, e := range ests {
			total += e
		}
		heavy := make([]int, 0, len(keys))
		for i, e := range ests {
			if e > total/float64(2*p.n) && !done[cellID(i)] {
				heavy = append(heavy, i)
			}
		}
		sort.SliceStable(heavy, func(a, b int) bool { return ests[heavy[a]] > ests[heavy[b]] })
		var add []Value
		for _, i := range heavy {
			var next *Value
			if i+1 < len(keys) {
				next = &keys[i+1]
			}
			pts, err := sp.inside(ctx, keys[i], next, fanout)
			if err != nil {
				return nil, err
			}
			if len(pts) == 0 {
				done[cellID(i)] = true
			}
			add = append(add, pts...)
			if p.budget < 16 {
				break
			}
		}
		if len(add) == 0 {
			break
		}
		more, err := sp.order(ctx, append(slices.Clone(keys), add...))
		if err != nil {
			return nil, err
		}
		if len(more) == len(keys) {
			break
		}
		old := keys
		keys = more
		newEsts, ok, err := estimates()
		if err != nil {
			return nil, err
		}
		if !ok {
			keys = old
			break
		}
		ests = newEsts
	}
	return Group(keys, ests, p.n), nil
}

// Group picks boundaries among keys[1:] so that the cells between them
// (cell i starts at keys[i]; ests[i] is its estimated rows) form about n
// groups of similar total. Boundaries come back sorted and distinct.
func Group(keys []Value, ests []float64, n int) []Value {
	if len(keys) < 2 || n <= 1 {
		return nil
	}
	cum := make([]float64, len(keys)+1) // cum[e]: rows before keys[e]
	for i, e := range ests {
		cum[i+1] = cum[i] + max(e, 0)
	}
	total := cum[len(keys)]
	if total <= 0 {
		return evenPick(keys, n)
	}
	var out []Value
	last := 0 // edges must increase: keys[last+1:] are still free
	for k := 1; k < n; k++ {
		t := total * float64(k) / float64(n)
		// The first edge e in (last, len) with cum[e] >= t, or the one
		// before it when that is closer.
		e := sort.Search(len(keys)-last-1, func(j int) bool { return cum[last+1+j] >= t }) + last + 1
		if e > last+1 && (e == len(keys) || t-cum[e-1] < cum[e]-t) {
			e--
		}
		if e >= len(keys) || e <= last {
			continue
		}
		// An edge that leaves nothing on its left side of the cut adds
		// nothing: skip it (a group would be empty).
		if cum[e] == cum[last] {
			continue
		}
		out = append(out, keys[e])
		last = e
	}
	return out
}

// evenPick picks n-1 boundaries among keys[1:] evenly by position, for when
// there are no estimates.
func evenPick(keys []Value, n int) []Value {
	var out []Value
	last := 0
	for k := 1; k < n; k++ {
		e := k * len(keys) / n
		if e > last && e < len(keys) {
			out = append(out, keys[e])
			last = e
		}
	}
	return out
}

func encode(k KeyKind, v Value) []byte {
	switch k {
	case IntKey:
		return big.NewInt(v.Int).Append(nil, 16)
	case UintKey:
		return new(big.Int).SetUint64(v.Uint).Append(nil, 16)
	}
	return v.Bytes
}

func bigFloat(x *big.Int) float64 {
	f, _ := new(big.Float).SetInt(x).Float64()
	return f
}

// intSpace does arithmetic on integer keys as offsets from the smallest key,
// in big integers so that no key range overflows.
type intSpace struct {
	p      *planner
	kind   KeyKind
	lo, hi Value
}

func (s *intSpace) offset(v Value) *big.Int {
	if s.kind == UintKey {
		return new(big.Int).Sub(new(big.Int).SetUint64(v.Uint), new(big.Int).SetUint64(s.lo.Uint))
	}
	return new(big.Int).Sub(big.NewInt(v.Int), big.NewInt(s.lo.Int))
}

func (s *intSpace) value(off *big.Int) Value {
	if s.kind == UintKey {
		return Value{Uint: new(big.Int).Add(new(big.Int).SetUint64(s.lo.Uint), off).Uint64()}
	}
	return Value{Int: new(big.Int).Add(big.NewInt(s.lo.Int), off).Int64()}
}

// points returns k points that cut the offsets [from, to) into k+1 nearly
// equal parts, skipping repeats: from + ceil(j·(to−from)/(k+1)) for j = 1..k.
func (s *intSpace) points(from, to *big.Int, k int) []Value {
	span := new(big.Int).Sub(to, from)
	parts := big.NewInt(int64(k + 1))
	var out []Value
	prev := new(big.Int).Set(from)
	for j := 1; j <= k; j++ {
		off := new(big.Int).Mul(span, big.NewInt(int64(j)))
		off.Add(off, new(big.Int).Sub(parts, big.NewInt(1)))
		off.Quo(off, parts)
		off.Add(off, from)
		if off.Cmp(prev) <= 0 || off.Cmp(to) >= 0 {
			continue
		}
		prev = off
		out = append(out, s.value(off))
	}
	return out
}

// inside first shrinks the cell [a, b) to the keys it really holds (two
// index lookups: a cluster of keys in a wide, mostly empty cell is found
// at once instead of by repeated cutting), then cuts that span evenly.
func (s *intSpace) inside(ctx context.Context, a Value, b *Value, k int) ([]Value, error) {
	first, last, ok, err := s.p.tighten(ctx, a, b, s.hi)
	if err != nil || !ok {
		return nil, err
	}
	var out []Value
	if s.offset(first).Cmp(s.offset(a)) > 0 {
		out = append(out, first) // [a, first) is empty
	}
	to := new(big.Int).Add(s.offset(last), big.NewInt(1))
	return append(out, s.points(s.offset(first), to, k)...), nil
}

func (s *intSpace) order(_ context.Context, vs []Value) ([]Value, error) {
	out := slices.Clone(vs)
	if s.kind == UintKey {
		slices.SortFunc(out, func(a, b Value) int { return cmp.Compare(a.Uint, b.Uint) })
		return slices.CompactFunc(out, func(a, b Value) bool { return a.Uint == b.Uint }), nil
	}
	slices.SortFunc(out, func(a, b Value) int { return cmp.Compare(a.Int, b.Int) })
	return slices.CompactFunc(out, func(a, b Value) bool { return a.Int == b.Int }), nil
}

// tighten returns the first and the last key of the cell [a, b) (b nil:
// up to max, the largest key); ok is false when the cell holds one key
// value or none, so cannot be cut.
func (p *planner) tighten(ctx context.Context, a Value, b *Value, maxKey Value) (first, last Value, ok bool, err error) {
	if !p.spend(1) {
		return first, last, false, nil
	}
	if first, ok, err = p.idx.Ceil(ctx, a); err != nil || !ok {
		return first, last, false, err
	}
	last = maxKey
	if b != nil {
		if !p.spend(1) {
			return first, last, false, nil
		}
		if last, ok, err = p.idx.Floor(ctx, *b); err != nil || !ok {
			return first, last, false, err
		}
	}
	return first, last, !equalValues(p.key.Kind, first, last), nil
}

// stringSpace finds string keys by interpolating candidates and snapping
// each to the next real key with the index; the database orders them.
type stringSpace struct {
	p  *planner
	hi Value
}

func (s *stringSpace) inside(ctx context.Context, a Value, b *Value, k int) ([]Value, error) {
	first, last, ok, err := s.p.tighten(ctx, a, b, s.hi)
	if err != nil || !ok {
		return nil, err
	}
	lo, hi := first.Bytes, last.Bytes
	if f, ok := s.p.idx.(Folder); ok && s.p.key.Kind == TextKey {
		lo, hi = f.Fold(lo), f.Fold(hi)
	}
	out := []Value{first, last}
	for _, c := range Interpolate(lo, hi, k, s.p.key.Kind == TextKey) {
		if !s.p.spend(1) {
			break
		}
		v, ok, err := s.p.idx.Ceil(ctx, Value{Bytes: c})
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, v)
		}
	}
	return out, nil
}

func (s *stringSpace) order(ctx context.Context, vs []Value) ([]Value, error) {
	if s.p.key.Kind == BinaryKey {
		out := slices.Clone(vs)
		slices.SortFunc(out, func(a, b Value) int { return bytes.Compare(a.Bytes, b.Bytes) })
		return slices.CompactFunc(out, func(a, b Value) bool { return bytes.Equal(a.Bytes, b.Bytes) }), nil
	}
	s.p.spend(1) // ordering is one question, asked even on an empty budget
	ranks, err := s.p.idx.Rank(ctx, vs)
	if err != nil {
		return nil, err
	}
	return byRank(vs, ranks), nil
}

// byRank sorts vs by ranks and keeps one value per rank.
func byRank(vs []Value, ranks []int) []Value {
	idx := make([]int, len(vs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return ranks[idx[a]] < ranks[idx[b]] })
	var out []Value
	for j, i := range idx {
		if j > 0 && ranks[i] == ranks[idx[j-1]] {
			continue
		}
		out = append(out, vs[i])
	}
	return out
}
