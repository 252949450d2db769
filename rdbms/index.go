package rdbms

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"datax/splitter"
)

// KeyIndex answers the splitter's questions about one table's key with
// index lookups (MIN, MAX, the next key) and the optimizer's estimates
// (EXPLAIN), never a scan. It implements splitter.Index.
type KeyIndex struct {
	Q Querier
	// DB and Table name the table.
	DB, Table string
	Key       splitter.Key
	// Charset and Collation of a text key.
	Charset, Collation string
	// Index is the index whose leading column is the key, forced for
	// estimates; "" when there is none.
	Index string
}

var _ splitter.Index = (*KeyIndex)(nil)

var safeName = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// Literal renders a key value as SQL: a number, a binary string, or text
// in the key's character set and collation (see TextLiteral).
func Literal(kind splitter.KeyKind, v splitter.Value, charset, collation string) string {
	switch kind {
	case splitter.IntKey:
		return strconv.FormatInt(v.Int, 10)
	case splitter.UintKey:
		return strconv.FormatUint(v.Uint, 10)
	case splitter.BinaryKey:
		return BinaryLiteral(v.Bytes)
	}
	if !safeName.MatchString(charset) {
		charset = ""
	}
	if !safeName.MatchString(collation) {
		collation = ""
	}
	return TextLiteral(v.Bytes, charset, collation)
}

// RangeSQL renders r as a condition on key: "`k` >= 10 AND `k` < 20",
// "`k` IS NULL", or "" for the whole table.
func RangeSQL(key splitter.Key, r splitter.Range, charset, collation string) string {
	col := QuoteIdent(key.Column)
	if r.Null {
		return col + " IS NULL"
	}
	var parts []string
	if r.Lo != nil {
		parts = append(parts, col+" >= "+Literal(key.Kind, *r.Lo, charset, collation))
	}
	if r.Hi != nil {
		parts = append(parts, col+" < "+Literal(key.Kind, *r.Hi, charset, collation))
	}
	return strings.Join(parts, " AND ")
}

func (k *KeyIndex) table() string { return QuoteTable(k.DB, k.Table) }

func (k *KeyIndex) parse(raw sql.RawBytes) (splitter.Value, error) {
	switch k.Key.Kind {
	case splitter.IntKey:
		n, err := strconv.ParseInt(string(raw), 10, 64)
		return splitter.Value{Int: n}, err
	case splitter.UintKey:
		n, err := strconv.ParseUint(string(raw), 10, 64)
		return splitter.Value{Uint: n}, err
	}
	return splitter.Value{Bytes: append([]byte(nil), raw...)}, nil
}

// Bounds runs SELECT MIN(key), MAX(key), which the optimizer answers from
// the two ends of the index.
func (k *KeyIndex) Bounds(ctx context.Context) (lo, hi splitter.Value, ok bool, err error) {
	col := QuoteIdent(k.Key.Column)
	rows, err := k.Q.QueryContext(ctx, "SELECT MIN("+col+"), MAX("+col+") FROM "+k.table())
	if err != nil {
		return lo, hi, false, Classify(err)
	}
	defer rows.Close()
	if !rows.Next() {
		return lo, hi, false, rows.Err()
	}
	var a, b sql.RawBytes
	if err := rows.Scan(&a, &b); err != nil {
		return lo, hi, false, err
	}
	if a == nil || b == nil {
		return lo, hi, false, rows.Close()
	}
	if lo, err = k.parse(a); err != nil {
		return lo, hi, false, err
	}
	if hi, err = k.parse(b); err != nil {
		return lo, hi, false, err
	}
	return lo, hi, true, rows.Close()
}

// Estimate returns EXPLAIN's row estimate of the range on the key's index.
func (k *KeyIndex) Estimate(ctx context.Context, r splitter.Range) (float64, error) {
	q := "EXPLAIN SELECT " + QuoteIdent(k.Key.Column) + " FROM " + k.table()
	if k.Index != "" {
		q += " FORCE INDEX (" + QuoteIdent(k.Index) + ")"
	}
	if cond := RangeSQL(k.Key, r, k.Charset, k.Collation); cond != "" {
		q += " WHERE " + cond
	}
	rows, err := k.Q.QueryContext(ctx, q)
	if err != nil {
		return 0, Classify(err)
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	at := -1
	for i, n := range names {
		if strings.EqualFold(n, "rows") {
			at = i
		}
	}
	if at < 0 {
		return 0, fmt.Errorf("EXPLAIN has no rows column")
	}
	raw := make([]sql.RawBytes, len(names))
	dest := make([]any, len(names))
	for i := range raw {
		dest[i] = &raw[i]
	}
	var total float64
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return 0, err
		}
		if raw[at] != nil {
			n, err := strconv.ParseFloat(string(raw[at]), 64)
			if err == nil {
				total += n
			}
		}
	}
	return total, rows.Err()
}

// Ceil returns the smallest key >= v: one index lookup.
func (k *KeyIndex) Ceil(ctx context.Context, v splitter.Value) (splitter.Value, bool, error) {
	return k.next(ctx, v, " >= ", "")
}

// Floor returns the largest key < v: one index lookup.
func (k *KeyIndex) Floor(ctx context.Context, v splitter.Value) (splitter.Value, bool, error) {
	return k.next(ctx, v, " < ", " DESC")
}

func (k *KeyIndex) next(ctx context.Context, v splitter.Value, op, order string) (splitter.Value, bool, error) {
	col := QuoteIdent(k.Key.Column)
	rows, err := k.Q.QueryContext(ctx, "SELECT "+col+" FROM "+k.table()+" WHERE "+col+op+
		Literal(k.Key.Kind, v, k.Charset, k.Collation)+" ORDER BY "+col+order+" LIMIT 1")
	if err != nil {
		return v, false, Classify(err)
	}
	defer rows.Close()
	if !rows.Next() {
		return v, false, rows.Err()
	}
	var raw sql.RawBytes
	if err := rows.Scan(&raw); err != nil {
		return v, false, err
	}
	out, err := k.parse(raw)
	if err != nil {
		return v, false, err
	}
	return out, true, rows.Close()
}

// Fold lowercases a text key and strips its accents when the key's
// collation ignores case (a _ci collation), so that the splitter's
// interpolation follows the collation's order; binary collations keep the
// key as it is.
func (k *KeyIndex) Fold(s []byte) []byte {
	c := strings.ToLower(k.Collation)
	if !strings.Contains(c, "_ci") {
		return s
	}
	out, _, err := transform.Bytes(foldAccents(), s)
	if err != nil {
		out = s
	}
	return bytes.ToLower(out)
}

func foldAccents() transform.Transformer {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}

// Rank orders text values under the key's collation with one query: the
// database groups values equal under it and sorts the groups.
func (k *KeyIndex) Rank(ctx context.Context, vs []splitter.Value) ([]int, error) {
	ranks := make([]int, len(vs))
	if len(vs) == 0 {
		return ranks, nil
	}
	var b strings.Builder
	b.WriteString("SELECT GROUP_CONCAT(i) FROM (")
	for i, v := range vs {
		if i > 0 {
			b.WriteString(" UNION ALL ")
		}
		fmt.Fprintf(&b, "SELECT %d AS i, %s AS v", i, Literal(k.Key.Kind, v, k.Charset, k.Collation))
	}
	b.WriteString(") AS d GROUP BY v ORDER BY v")
	rows, err := k.Q.QueryContext(ctx, b.String())
	if err != nil {
		return nil, Classify(err)
	}
	defer rows.Close()
	rank := 0
	seen := 0
	for rows.Next() {
		var ids string
		if err := rows.Scan(&ids); err != nil {
			return nil, err
		}
		for _, s := range strings.Split(ids, ",") {
			i, err := strconv.Atoi(s)
			if err != nil || i < 0 || i >= len(vs) {
				return nil, fmt.Errorf("ranking keys: unexpected group %q", ids)
			}
			ranks[i] = rank
			seen++
		}
		rank++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if seen != len(vs) {
		return nil, fmt.Errorf("ranking keys: %d of %d values came back (group_concat_max_len too small?)", seen, len(vs))
	}
	return ranks, nil
}
