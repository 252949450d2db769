package jobs

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"datax/record"
	"datax/spec"
)

// Vars fill ${name} placeholders in a job file. Lookup order: Values (from
// -p name=value or DataX's -Dname=value, then the config file), the
// environment, then the built-ins: ${bizdate} is yesterday in Location
// (T+1), as YYYYMMDD.
//
// Forms:
//
//	${name}                 the value
//	${name+N} ${name-N}     date arithmetic on a date value (YYYYMMDD or
//	                        YYYY-MM-DD): N days; Nh hours on YYYYMMDDHH
//	${name:FORMAT}          the date value reformatted with yyyy MM dd HH mm ss
//	${name-1:yyyy-MM-dd}    both
//	${file:/path}           the content of a file, trimmed (for secrets)
//	$${name}                a literal "${name}"
//
// A placeholder with no value is an error, never an empty string.
type Vars struct {
	Values   map[string]string
	Location *time.Location
	// Now is the clock for built-ins; zero means time.Now.
	Now time.Time
	// NoEnv disables the environment lookup (tests).
	NoEnv bool
}

var placeholder = regexp.MustCompile(`\$?\$\{([^{}]*)\}`)

// ParseAssignments parses "name=value" and DataX's "-Dname=value" forms,
// several per argument separated by spaces when each starts with -D.
func ParseAssignments(args []string) (map[string]string, error) {
	out := map[string]string{}
	for _, arg := range args {
		parts := []string{arg}
		if strings.HasPrefix(strings.TrimSpace(arg), "-D") {
			parts = splitDashD(arg)
		}
		for _, p := range parts {
			p = strings.TrimPrefix(strings.TrimSpace(p), "-D")
			name, value, ok := strings.Cut(p, "=")
			name = strings.TrimSpace(name)
			if !ok || name == "" {
				return nil, fmt.Errorf("variable %q: expected name=value (or DataX's -Dname=value)", p)
			}
			out[name] = value
		}
	}
	return out, nil
}

// splitDashD splits "-Da=1 -Db=x y" into "-Da=1" and "-Db=x y".
func splitDashD(s string) []string {
	var parts []string
	for _, f := range strings.Split(s, " -D") {
		if f = strings.TrimSpace(f); f != "" {
			parts = append(parts, f)
		}
	}
	return parts
}

// ExpandBare fills the placeholders that stand outside JSON strings, such as
// "channel": ${channel}, the way DataX does: by text, before the JSON is
// parsed. Placeholders inside strings are left for Substitute, which fills
// them after parsing so that a value with quotes cannot break the JSON.
func (v Vars) ExpandBare(data []byte) ([]byte, error) {
	var out []byte
	var strs spec.JSONStrings
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case !strs.Outside(c):
		case c == '$' && i+1 < len(data) && data[i+1] == '{':
			end := bytes.IndexByte(data[i:], '}')
			if end < 0 {
				break
			}
			val, err := v.eval(string(data[i+2 : i+end]))
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", 1+bytes.Count(data[:i], []byte("\n")), err)
			}
			if out == nil {
				out = append(make([]byte, 0, len(data)), data[:i]...)
			}
			out = append(out, val...)
			i += end
			continue
		}
		if out != nil {
			out = append(out, c)
		}
	}
	if out == nil {
		return data, nil
	}
	return out, nil
}

// Substitute replaces placeholders in every string of a decoded JSON tree.
// path is the tree's JSON path, for messages.
func (v Vars) Substitute(tree any, path string) (any, error) {
	var errs []string
	var walk func(x any, p string) any
	walk = func(x any, p string) any {
		switch t := x.(type) {
		case string:
			s, err := v.Expand(t)
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s: %v", p, err))
			}
			return s
		case []any:
			for i := range t {
				t[i] = walk(t[i], fmt.Sprintf("%s[%d]", p, i))
			}
		case map[string]any:
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				t[k] = walk(t[k], joinKey(p, k))
			}
		}
		return x
	}
	tree = walk(tree, path)
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return tree, nil
}

func joinKey(p, k string) string {
	if p == "" {
		return k
	}
	return p + "." + k
}

// Expand fills the placeholders of one string. DataX's brace-less $name is
// filled too when name is a given variable (-p, config); any other $word is
// left as it is.
func (v Vars) Expand(s string) (string, error) {
	var firstErr error
	out := placeholder.ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasPrefix(m, "$$") {
			return m[1:]
		}
		val, err := v.eval(m[2 : len(m)-1])
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return val
	})
	return v.expandBraceless(out), firstErr
}

var braceless = regexp.MustCompile(`\$\$?\w+`)

func (v Vars) expandBraceless(s string) string {
	if !strings.Contains(s, "$") || len(v.Values) == 0 {
		return s
	}
	return braceless.ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasPrefix(m, "$$") {
			return m
		}
		if val, ok := v.Values[m[1:]]; ok {
			return val
		}
		return m
	})
}

var exprRe = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(?:([+-])\s*(\d+)\s*([dh]?))?\s*(?::(.+))?$`)

func (v Vars) eval(expr string) (string, error) {
	if path, ok := strings.CutPrefix(expr, "file:"); ok {
		data, err := os.ReadFile(strings.TrimSpace(path))
		if err != nil {
			return "", fmt.Errorf("${file:...}: cannot read the file: %v", err)
		}
		return strings.TrimSpace(string(data)), nil
	}
	m := exprRe.FindStringSubmatch(expr)
	if m == nil {
		return "", fmt.Errorf("${%s} is not a placeholder: expected ${name}, ${name-1}, ${name:yyyy-MM-dd}", expr)
	}
	name, sign, num, unit, format := m[1], m[2], m[3], m[4], m[5]
	val, ok := v.lookup(name)
	if !ok {
		return "", fmt.Errorf("variable ${%s} is not set: pass -p %s=VALUE (or -D%s=VALUE), set it in the environment or the config file's vars", name, name, name)
	}
	if sign == "" && format == "" {
		return val, nil
	}
	t, layout, err := parseDateValue(val)
	if err != nil {
		return "", fmt.Errorf("${%s}: date arithmetic or formatting needs a date value (YYYYMMDD, YYYY-MM-DD or YYYYMMDDHH), got %q", expr, val)
	}
	if sign != "" {
		n, _ := strconv.Atoi(num)
		if sign == "-" {
			n = -n
		}
		if unit == "h" {
			if layout != "2006010215" {
				return "", fmt.Errorf("${%s}: hour arithmetic needs a YYYYMMDDHH value, got %q", expr, val)
			}
			t = t.Add(time.Duration(n) * time.Hour)
		} else {
			t = t.AddDate(0, 0, n)
		}
	}
	if format != "" {
		return t.Format(record.GoLayout(format)), nil
	}
	return t.Format(layout), nil
}

func (v Vars) lookup(name string) (string, bool) {
	if val, ok := v.Values[name]; ok {
		return val, true
	}
	if !v.NoEnv {
		if val, ok := os.LookupEnv(name); ok {
			return val, true
		}
	}
	if name == "bizdate" {
		loc := v.Location
		if loc == nil {
			loc = time.UTC
		}
		now := v.Now
		if now.IsZero() {
			now = time.Now()
		}
		return now.In(loc).AddDate(0, 0, -1).Format("20060102"), true
	}
	return "", false
}

func parseDateValue(s string) (time.Time, string, error) {
	for _, layout := range []string{"20060102", "2006-01-02", "2006010215"} {
		if len(s) == len(layout) {
			if t, err := time.Parse(layout, s); err == nil {
				return t, layout, nil
			}
		}
	}
	return time.Time{}, "", fmt.Errorf("not a date")
}
