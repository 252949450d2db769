package splitter

import (
	"fmt"
	"strconv"
	"strings"
)

// ExpandTables expands DataX's table-name ranges: "orders_[0-3]" is
// orders_0 … orders_3, "orders_[00-31]" keeps the zero padding (orders_00 …
// orders_31), "t_[1,3,5-6]" lists items and ranges, and several bracket
// groups combine ("db[1-2].t_[0-1]"). A name without brackets stands for
// itself. Duplicates are an error: a table listed twice would be read twice.
func ExpandTables(names []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, n := range names {
		exp, err := expand(n)
		if err != nil {
			return nil, fmt.Errorf("table %q: %w", n, err)
		}
		for _, e := range exp {
			if seen[e] {
				return nil, fmt.Errorf("table %q is listed more than once (after range expansion); it would be read twice", e)
			}
			seen[e] = true
			out = append(out, e)
		}
	}
	return out, nil
}

func expand(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("empty table name")
	}
	open := strings.IndexByte(s, '[')
	if open < 0 {
		if strings.IndexByte(s, ']') >= 0 {
			return nil, fmt.Errorf("']' without '['")
		}
		return []string{s}, nil
	}
	end := strings.IndexByte(s[open:], ']')
	if end < 0 {
		return nil, fmt.Errorf("'[' without ']'")
	}
	end += open
	items, err := rangeItems(s[open+1 : end])
	if err != nil {
		return nil, err
	}
	rest, err := expand2(s[end+1:])
	if err != nil {
		return nil, err
	}
	var out []string
	for _, it := range items {
		for _, r := range rest {
			out = append(out, s[:open]+it+r)
		}
	}
	return out, nil
}

// expand2 expands the remainder of a name, which may be empty.
func expand2(s string) ([]string, error) {
	if s == "" {
		return []string{""}, nil
	}
	return expand(s)
}

// rangeItems expands "0-3", "00-31", "1,3,5-6".
func rangeItems(spec string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		if !isRange {
			hi = lo
		}
		a, err1 := strconv.Atoi(lo)
		b, err2 := strconv.Atoi(hi)
		if err1 != nil || err2 != nil || a < 0 || b < 0 {
			return nil, fmt.Errorf("[%s]: expected numbers or ranges such as [0-31] or [1,3,5-7]", spec)
		}
		if b < a {
			return nil, fmt.Errorf("[%s]: range %s goes down", spec, part)
		}
		if b-a > 100000 {
			return nil, fmt.Errorf("[%s]: more than 100000 tables", spec)
		}
		width := 0
		if len(lo) > 1 && lo[0] == '0' {
			width = len(lo)
		}
		for i := a; i <= b; i++ {
			out = append(out, fmt.Sprintf("%0*d", width, i))
		}
	}
	return out, nil
}
