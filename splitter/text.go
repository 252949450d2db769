package splitter

import (
	"bytes"
	"math"
	"math/big"
	"unicode/utf8"
)

// interpolationDigits is how many symbols after the common prefix
// Interpolate looks at.
const interpolationDigits = 6

// Interpolate returns up to k strings strictly between a and b in code
// point order (text) or byte order (binary), spread evenly, as Sqoop's text
// splitter does: the strings after their common prefix are read as numbers
// whose digits are their first symbols. The candidates only guide a split:
// a database collation may order them differently, which is why Plan snaps
// each to a real key and lets the database order the results. a and b may
// come in either order.
func Interpolate(a, b []byte, k int, text bool) [][]byte {
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	for text && p > 0 && p < len(a) && !utf8.RuneStart(a[p]) {
		p-- // keep whole characters in the prefix
	}
	prefix := a[:p]
	ta, tb := tail(symbols(a[p:], text)), tail(symbols(b[p:], text))
	// Digit 0 is "the string ended"; symbol s is digit s-low+1, where low
	// is the smallest symbol seen, and the base is one more than the largest
	// digit: candidates stay in the range of symbols of the two strings
	// (digits for numbered keys), so they spread like the keys do.
	low, high := int32(math.MaxInt32), int32(0)
	for _, s := range append(append([]int32{}, ta...), tb...) {
		low, high = min(low, s), max(high, s)
	}
	if low > high || len(ta) < interpolationDigits || len(tb) < interpolationDigits {
		// A string that ends early sorts before every longer one: the
		// candidates between need the smallest symbols too.
		low = 0
	}
	base := int64(high-low) + 2
	na, nb := number(ta, low, base), number(tb, low, base)
	if na.Cmp(nb) > 0 {
		na, nb = nb, na
	}
	span := new(big.Int).Sub(nb, na)
	var out [][]byte
	var prev *big.Int
	for j := 1; j <= k; j++ {
		x := new(big.Int).Mul(span, big.NewInt(int64(j)))
		x.Quo(x, big.NewInt(int64(k+1)))
		x.Add(x, na)
		if x.Cmp(na) <= 0 || x.Cmp(nb) >= 0 || (prev != nil && x.Cmp(prev) == 0) {
			continue
		}
		prev = x
		s := render(prefix, digits(x, base), low, text)
		if bytes.Equal(s, a) || bytes.Equal(s, b) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// symbols splits s into code points (text; an invalid byte counts as its
// own value) or bytes.
func symbols(s []byte, text bool) []int32 {
	out := make([]int32, 0, len(s))
	for len(s) > 0 {
		if !text {
			out = append(out, int32(s[0]))
			s = s[1:]
			continue
		}
		r, n := utf8.DecodeRune(s)
		if r == utf8.RuneError && n <= 1 {
			r = rune(s[0])
		}
		out = append(out, r)
		s = s[n:]
	}
	return out
}

func tail(s []int32) []int32 {
	if len(s) > interpolationDigits {
		return s[:interpolationDigits]
	}
	return s
}

func number(syms []int32, low int32, base int64) *big.Int {
	x := new(big.Int)
	b := big.NewInt(base)
	for i := 0; i < interpolationDigits; i++ {
		x.Mul(x, b)
		if i < len(syms) {
			x.Add(x, big.NewInt(int64(syms[i]-low)+1))
		}
	}
	return x
}

func digits(x *big.Int, base int64) []int64 {
	out := make([]int64, interpolationDigits)
	x = new(big.Int).Set(x)
	b := big.NewInt(base)
	m := new(big.Int)
	for i := interpolationDigits - 1; i >= 0; i-- {
		x.QuoRem(x, b, m)
		out[i] = m.Int64()
	}
	return out
}

// render builds prefix + the symbols of ds, dropping trailing "ended"
// digits; an "ended" digit before a symbol becomes the smallest symbol.
func render(prefix []byte, ds []int64, low int32, text bool) []byte {
	end := len(ds)
	for end > 0 && ds[end-1] == 0 {
		end--
	}
	out := append([]byte(nil), prefix...)
	put := func(s int32) {
		if !text {
			out = append(out, byte(s))
			return
		}
		if s >= 0xD800 && s <= 0xDFFF {
			s = 0xE000 // surrogates are not characters
		}
		out = utf8.AppendRune(out, s)
	}
	for _, d := range ds[:end] {
		put(int32(max(d-1, 0)) + low)
	}
	return out
}
