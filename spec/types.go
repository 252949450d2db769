package spec

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
)

// Secret is a parameter value that must never be shown: it prints, formats,
// logs and marshals as "******". Reveal returns the value itself.
type Secret string

const redacted = "******"

// Reveal returns the secret's value, for the one place that needs it.
func (s Secret) Reveal() string { return string(s) }

// String returns a mask, never the value.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString masks the value in %#v.
func (s Secret) GoString() string { return s.String() }

// Format masks the value whatever the verb.
func (s Secret) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(s.String())) }

// MarshalJSON masks the value in JSON output.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// LogValue masks the value in slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Duration is a parameter holding a length of time: "30s", "5m", or a number
// of seconds.
type Duration struct{ time.Duration }

// StringList is a list of strings that may also be written as one string
// (DataX accepts both for jdbcUrl and table).
type StringList []string

// UnmarshalParam accepts "x" or ["x", "y"].
func (l *StringList) UnmarshalParam(raw any) error {
	switch x := raw.(type) {
	case string:
		*l = StringList{x}
		return nil
	case []any:
		out := make(StringList, len(x))
		for i, item := range x {
			s, ok := item.(string)
			if !ok {
				return &Error{Path: fmt.Sprintf("[%d]", i), Msg: "expected a string, got " + describe(item)}
			}
			out[i] = s
		}
		*l = out
		return nil
	}
	return fmt.Errorf("expected a string or a list of strings, got %s", describe(raw))
}

// ParamType names the type in the reference.
func (l *StringList) ParamType() string { return "string or list of strings" }

// suggestion returns `; did you mean "x"?` for the nearest candidate, or "".
func suggestion(got string, candidates []string) string {
	if best := Nearest(got, candidates); best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return ""
}

// Nearest returns the candidate closest to got in edit distance (ignoring
// case), or "" when none is close enough to be a plausible typo.
func Nearest(got string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		d := distance(lower(got), lower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	limit := max(2, len(got)/3)
	if bestD <= limit {
		return best
	}
	return ""
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
