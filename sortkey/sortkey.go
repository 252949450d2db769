// Package sortkey is the one total order datax uses for keys and sort
// columns: the order in which merge writes snapshots, extsort sorts spill
// runs, and the streaming joins of merge and drift walk their inputs. Every
// side of a join must be sorted by this order, so it lives in one place.
//
// Values of a column compare by their kind:
//
//   - null sorts before every value (keys should not be null; if they are,
//     they still order consistently);
//   - Int, Date, Time, Timestamp: signed integers; Uint: unsigned;
//   - Decimal: numerically ("9.5" < "10", "-2" < "-1.5", "1.50" = "1.5"),
//     from the canonical text without converting to a float;
//   - Float: numerically, NaN before every number, -0 = +0;
//   - Bool: false before true;
//   - String and Bytes: bytewise (UTF-8 byte order, which is Unicode code
//     point order) — not a database collation: 'B' < 'a', 'é' > 'z'.
//
// A key of several columns compares column by column (lexicographically).
package sortkey

import (
	"bytes"
	"cmp"
	"fmt"
	"strings"

	"datax/record"
)

// Cols selects the columns of one schema that form a key, in key order.
type Cols struct {
	idx   []int
	kinds []record.Kind
	names []string
}

// New returns the key made of the named columns of s. A missing name is an
// error that lists the schema's columns.
func New(s record.Schema, names []string) (Cols, error) {
	if len(names) == 0 {
		return Cols{}, fmt.Errorf("no key columns given")
	}
	k := Cols{}
	var missing []string
	for _, n := range names {
		j := s.Index(n)
		if j < 0 {
			missing = append(missing, n)
			continue
		}
		if s[j].Kind == record.Invalid {
			return Cols{}, fmt.Errorf("column %s has no kind", n)
		}
		k.idx = append(k.idx, j)
		k.kinds = append(k.kinds, s[j].Kind)
		k.names = append(k.names, n)
	}
	if len(missing) > 0 {
		return Cols{}, fmt.Errorf("column %s not found (the columns are: %s)", strings.Join(missing, ", "), strings.Join(s.Names(), ", "))
	}
	return k, nil
}

// Of returns the key of columns idx of s, in that order.
func Of(s record.Schema, idx ...int) Cols {
	k := Cols{}
	for _, j := range idx {
		k.idx = append(k.idx, j)
		k.kinds = append(k.kinds, s[j].Kind)
		k.names = append(k.names, s[j].Name)
	}
	return k
}

// IntPrefix reports whether the first key column is a signed integer kind
// (Int, Date, Time, Timestamp), whose order is the order of its int64
// values: sorts can compare those values before whole rows.
func (k Cols) IntPrefix() bool {
	if len(k.kinds) == 0 {
		return false
	}
	switch k.kinds[0] {
	case record.Int, record.Date, record.Time, record.Timestamp:
		return true
	}
	return false
}

// Len returns the number of key columns.
func (k Cols) Len() int { return len(k.idx) }

// Index returns the schema positions of the key columns.
func (k Cols) Index() []int { return k.idx }

// Names returns the key column names.
func (k Cols) Names() []string { return k.names }

// Concat returns k followed by the columns of o (of the same schema).
func (k Cols) Concat(o Cols) Cols {
	return Cols{
		idx:   append(append([]int(nil), k.idx...), o.idx...),
		kinds: append(append([]record.Kind(nil), k.kinds...), o.kinds...),
		names: append(append([]string(nil), k.names...), o.names...),
	}
}

// Comparable reports, with the column names, why rows keyed by k cannot be
// compared with rows keyed by o: a different column count or kind.
func (k Cols) Comparable(o Cols) error {
	if len(k.idx) != len(o.idx) {
		return fmt.Errorf("key (%s) has %d columns, key (%s) has %d", strings.Join(k.names, ", "), len(k.idx), strings.Join(o.names, ", "), len(o.idx))
	}
	for i := range k.kinds {
		if k.kinds[i] != o.kinds[i] {
			return fmt.Errorf("key column %s is %s on one side and %s (%s) on the other", k.names[i], k.kinds[i], o.names[i], o.kinds[i])
		}
	}
	return nil
}

// Compare compares row i of a (keyed by ka) with row j of b (keyed by kb);
// ka and kb must be Comparable. It returns -1, 0 or +1.
func Compare(ka Cols, a *record.Batch, i int, kb Cols, b *record.Batch, j int) int {
	for c, ai := range ka.idx {
		if r := Values(ka.kinds[c], a.Col(ai), i, b.Col(kb.idx[c]), j); r != 0 {
			return r
		}
	}
	return 0
}

// CompareRows compares rows i and j of one batch by k.
func (k Cols) CompareRows(b *record.Batch, i, j int) int {
	for c, ci := range k.idx {
		v := b.Col(ci)
		if r := Values(k.kinds[c], v, i, v, j); r != 0 {
			return r
		}
	}
	return 0
}

// Values compares value i of x with value j of y, both of kind kind.
func Values(kind record.Kind, x *record.Vector, i int, y *record.Vector, j int) int {
	xn, yn := x.IsNull(i), y.IsNull(j)
	if xn || yn {
		switch {
		case xn && yn:
			return 0
		case xn:
			return -1
		}
		return 1
	}
	switch kind {
	case record.Int, record.Date, record.Time, record.Timestamp, record.Bool:
		return cmp.Compare(x.Int(i), y.Int(j))
	case record.Uint:
		return cmp.Compare(x.Uint(i), y.Uint(j))
	case record.Float:
		a, b := x.Float(i), y.Float(j)
		if a == b { // also -0 == +0
			return 0
		}
		return cmp.Compare(a, b)
	case record.Decimal:
		return Decimals(x.Bytes(i), y.Bytes(j))
	default:
		return bytes.Compare(x.Bytes(i), y.Bytes(j))
	}
}

// Decimals compares two decimal texts numerically. They are expected in
// canonical form (record.AppendDecimal: no leading zeros, "-" only before a
// non-zero value); trailing fraction zeros do not matter.
func Decimals(a, b []byte) int {
	an := len(a) > 0 && a[0] == '-'
	bn := len(b) > 0 && b[0] == '-'
	switch {
	case an && !bn:
		return -1
	case bn && !an:
		return 1
	case an:
		return -decimalMagnitudes(a[1:], b[1:])
	}
	return decimalMagnitudes(a, b)
}

func decimalMagnitudes(a, b []byte) int {
	ai, af := splitPoint(a)
	bi, bf := splitPoint(b)
	if len(ai) != len(bi) {
		return cmp.Compare(len(ai), len(bi))
	}
	if r := bytes.Compare(ai, bi); r != 0 {
		return r
	}
	for k := 0; k < max(len(af), len(bf)); k++ {
		da, db := byte('0'), byte('0')
		if k < len(af) {
			da = af[k]
		}
		if k < len(bf) {
			db = bf[k]
		}
		if da != db {
			return cmp.Compare(da, db)
		}
	}
	return 0
}

func splitPoint(s []byte) (intPart, frac []byte) {
	if p := bytes.IndexByte(s, '.'); p >= 0 {
		intPart, frac = s[:p], s[p+1:]
	} else {
		intPart = s
	}
	for len(intPart) > 1 && intPart[0] == '0' {
		intPart = intPart[1:]
	}
	return intPart, frac
}

// Format renders the key of row i of b as "name=value, ..." for messages.
func (k Cols) Format(s record.Schema, b *record.Batch, i int) string {
	var sb strings.Builder
	for c, j := range k.idx {
		if c > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(k.names[c])
		sb.WriteByte('=')
		if b.Col(j).IsNull(i) {
			sb.WriteString("NULL")
		} else {
			sb.Write(record.AppendText(nil, b.Col(j), i, s[j]))
		}
	}
	return sb.String()
}
