package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Error is a parameter error: the JSON path of the offending value and what
// is wrong with it.
type Error struct {
	Path string
	Msg  string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// Errorf returns an *Error at path key (relative to the object being
// validated; Decode prefixes the object's own path).
func Errorf(key, format string, args ...any) error {
	return &Error{Path: key, Msg: fmt.Sprintf(format, args...)}
}

// Unmarshaler is implemented by parameter types that decode themselves from
// the decoded JSON value (nil, bool, json.Number, string, []any or
// map[string]any). Errors of type *Error have their Path taken as relative.
type Unmarshaler interface {
	UnmarshalParam(raw any) error
}

// Validator is implemented by parameter structs with rules across fields.
// Decode calls Validate after every field is set.
type Validator interface {
	Validate() error
}

// ParseJSON decodes JSON text the way Decode expects it (numbers kept exact
// as json.Number). A syntax error names the line and column.
func ParseJSON(name string, data []byte) (any, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark, as Windows editors write
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s: the file is empty; expected a JSON object", name)
	}
	data = dropTrailingCommas(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, jsonError(name, data, err, dec.InputOffset())
	}
	if dec.More() {
		return nil, fmt.Errorf("%s:%s: unexpected text after the JSON value", name, lineCol(data, dec.InputOffset()))
	}
	return v, nil
}

// dropTrailingCommas blanks a comma that closes a list or an object ([1, 2,]
// or {"a": 1,}), which DataX's JSON parser accepts and hand-edited job files
// contain. Commas inside strings are left alone; offsets do not move, so
// error positions stay right.
func dropTrailingCommas(data []byte) []byte {
	var out []byte
	var strs JSONStrings
	for i, c := range data {
		if !strs.Outside(c) || c != ',' || !afterValue(data[:i]) {
			continue
		}
		j := i + 1
		for j < len(data) && (data[j] == ' ' || data[j] == '\t' || data[j] == '\n' || data[j] == '\r') {
			j++
		}
		if j < len(data) && (data[j] == '}' || data[j] == ']') {
			if out == nil {
				out = append([]byte(nil), data...)
			}
			out[i] = ' '
		}
	}
	if out == nil {
		return data
	}
	return out
}

// JSONStrings follows a JSON text byte by byte and tells which bytes stand
// outside its strings, for the few places that rewrite a job file's text
// before it is parsed. The zero value starts outside any string.
type JSONStrings struct{ in, escaped bool }

// Outside takes the next byte and reports whether it stands outside every
// string; the quotes that open and close a string count as inside.
func (s *JSONStrings) Outside(c byte) bool {
	switch {
	case s.in:
		switch {
		case s.escaped:
			s.escaped = false
		case c == '\\':
			s.escaped = true
		case c == '"':
			s.in = false
		}
		return false
	case c == '"':
		s.in = true
		return false
	}
	return true
}

// afterValue reports whether the last non-blank byte of b ends a value (not
// a comma, colon or opening bracket), so that only a single trailing comma
// is dropped and "1,,]" stays an error at its place.
func afterValue(b []byte) bool {
	for k := len(b) - 1; k >= 0; k-- {
		switch b[k] {
		case ' ', '\t', '\n', '\r':
			continue
		case ',', ':', '[', '{':
			return false
		}
		return true
	}
	return false
}

func jsonError(name string, data []byte, err error, fallback int64) error {
	off := fallback
	var syn *json.SyntaxError
	if errors.As(err, &syn) && syn.Offset > 0 {
		off = syn.Offset - 1 // Offset counts the offending byte
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if errors.Is(err, io.ErrUnexpectedEOF) || msg == "unexpected EOF" || errors.Is(err, io.EOF) {
		msg = "unexpected end of file: a bracket or quote is not closed"
		off = int64(len(data))
	}
	return fmt.Errorf("%s:%s: malformed JSON: %s", name, lineCol(data, off), msg)
}

func lineCol(data []byte, off int64) string {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col := 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("%d:%d", line, col)
}

// Decode fills dst (a pointer to the struct the spec was made from) from raw,
// a decoded JSON object. path names raw in messages, e.g.
// "job.content[0].reader.parameter". All problems are reported together.
func (s *Spec) Decode(raw any, path string, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.Elem().Type() != s.typ {
		panic(fmt.Sprintf("spec: Decode into %T, want *%s", dst, s.typ))
	}
	d := &decoder{}
	d.object(s, raw, path, rv.Elem())
	return errors.Join(d.errs...)
}

type decoder struct{ errs []error }

func (d *decoder) fail(path, format string, args ...any) {
	d.errs = append(d.errs, &Error{Path: path, Msg: fmt.Sprintf(format, args...)})
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (d *decoder) object(s *Spec, raw any, path string, v reflect.Value) {
	obj, ok := raw.(map[string]any)
	if !ok {
		d.fail(path, "expected an object {...}, got %s", describe(raw))
		return
	}
	known := make(map[string]bool, len(s.Params))
	for _, p := range s.Params {
		known[p.Name] = true
	}
	var unknown []string
	for k := range obj {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		d.fail(join(path, k), "unknown parameter %q%s", k, suggestion(k, s.Names()))
	}
	for _, p := range s.Params {
		fv := v.FieldByIndex(p.index)
		val, present := obj[p.Name]
		fpath := join(path, p.Name)
		if str, ok := val.(string); ok && len(p.Enum) > 0 && strings.TrimSpace(str) == "" {
			present = false // DataX's templates write "" for "not set" (encoding, compress, ...)
		}
		if !present || val == nil {
			if p.Required {
				d.fail(fpath, "missing required parameter (%s: %s)", p.Type, p.Doc)
				continue
			}
			switch {
			case p.HasDefault:
				d.value(p, defaultValue(p), fpath, fv)
			case fv.Kind() == reflect.Struct && p.goTyp != reflect.TypeFor[Duration]() && !implementsUnmarshaler(p.goTyp):
				// An absent object still gets its fields' defaults and checks.
				d.value(p, map[string]any{}, fpath, fv)
			}
			continue
		}
		d.value(p, val, fpath, fv)
		if p.Required && fv.Kind() == reflect.String && fv.Len() == 0 {
			d.fail(fpath, "must not be empty (%s)", p.Doc)
		}
	}
	if len(d.errs) == 0 {
		if val, ok := v.Addr().Interface().(Validator); ok {
			if err := val.Validate(); err != nil {
				d.relative(path, err)
			}
		}
	}
}

// relative records err, prefixing the path of *Error values with path.
func (d *decoder) relative(path string, err error) {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			d.relative(path, e)
		}
		return
	}
	var pe *Error
	if errors.As(err, &pe) {
		d.errs = append(d.errs, &Error{Path: joinPath(path, pe.Path), Msg: pe.Msg})
		return
	}
	d.errs = append(d.errs, &Error{Path: path, Msg: err.Error()})
}

func joinPath(path, rel string) string {
	switch {
	case rel == "":
		return path
	case strings.HasPrefix(rel, "["):
		return path + rel
	}
	return join(path, rel)
}

// defaultValue turns a default tag into the value Decode would have seen.
func defaultValue(p Param) any {
	if p.goTyp.Kind() == reflect.String || p.goTyp == reflect.TypeFor[Secret]() {
		return p.Default
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(p.Default))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return p.Default
	}
	return v
}

func (d *decoder) value(p Param, raw any, path string, v reflect.Value) {
	if v.Kind() == reflect.Pointer && implementsUnmarshaler(v.Type()) {
		nv := reflect.New(v.Type().Elem())
		d.value(p, raw, path, nv.Elem())
		v.Set(nv)
		return
	}
	if u, ok := v.Addr().Interface().(Unmarshaler); ok {
		if err := u.UnmarshalParam(raw); err != nil {
			d.relative(path, err)
		}
		return
	}
	t := v.Type()
	switch {
	case t == reflect.TypeFor[Duration]():
		dur, err := parseDuration(raw)
		if err != nil {
			d.fail(path, "%v", err)
			return
		}
		v.Set(reflect.ValueOf(Duration{dur}))
		return
	}
	switch t.Kind() {
	case reflect.String:
		str, ok := scalarString(raw)
		if !ok {
			d.fail(path, "expected a string, got %s", describe(raw))
			return
		}
		if len(p.Enum) > 0 {
			canon, ok := matchEnum(str, p.Enum)
			if !ok {
				d.fail(path, "%q is not one of %s%s", str, strings.Join(p.Enum, ", "), suggestion(str, p.Enum))
				return
			}
			str = canon
		}
		v.SetString(str)
	case reflect.Bool:
		switch x := raw.(type) {
		case bool:
			v.SetBool(x)
		case string:
			b, err := strconv.ParseBool(x)
			if err != nil {
				d.fail(path, "expected true or false, got %s", describe(raw))
				return
			}
			v.SetBool(b)
		default:
			d.fail(path, "expected true or false, got %s", describe(raw))
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, ok := number(raw)
		if !ok {
			d.fail(path, "expected an integer, got %s", describe(raw))
			return
		}
		i, err := strconv.ParseInt(n, 10, 64)
		if err != nil || v.OverflowInt(i) {
			d.fail(path, "expected an integer, got %s", describe(raw))
			return
		}
		v.SetInt(i)
	case reflect.Float64:
		n, ok := number(raw)
		f, err := strconv.ParseFloat(n, 64)
		if !ok || err != nil || math.IsNaN(f) {
			d.fail(path, "expected a number, got %s", describe(raw))
			return
		}
		v.SetFloat(f)
	case reflect.Slice:
		list, ok := raw.([]any)
		if !ok {
			d.fail(path, "expected a list [...], got %s", describe(raw))
			return
		}
		out := reflect.MakeSlice(t, len(list), len(list))
		elem := p
		elem.Enum = p.Enum
		elem.goTyp = t.Elem()
		for i, item := range list {
			d.value(elem, item, fmt.Sprintf("%s[%d]", path, i), out.Index(i))
		}
		v.Set(out)
	case reflect.Struct:
		d.object(ofType(t), raw, path, v)
	case reflect.Pointer:
		nv := reflect.New(t.Elem())
		d.value(p, raw, path, nv.Elem())
		v.Set(nv)
	case reflect.Map:
		obj, ok := raw.(map[string]any)
		if !ok {
			d.fail(path, "expected an object {...}, got %s", describe(raw))
			return
		}
		m := reflect.MakeMapWithSize(t, len(obj))
		for k, item := range obj {
			ev := reflect.New(t.Elem()).Elem()
			d.value(Param{goTyp: t.Elem()}, item, join(path, k), ev)
			m.SetMapIndex(reflect.ValueOf(k), ev)
		}
		v.Set(m)
	case reflect.Interface:
		v.Set(reflect.ValueOf(raw))
	default:
		panic(fmt.Sprintf("spec: unsupported parameter type %s at %s", t, path))
	}
}

// matchEnum finds s among the allowed values, ignoring case and the
// punctuation that spellings of one name differ by (utf8, UTF-8, utf_8).
func matchEnum(s string, enum []string) (string, bool) {
	for _, e := range enum {
		if enumKey(s) == enumKey(e) {
			return e, true
		}
	}
	return "", false
}

func enumKey(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', ' ':
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// scalarString accepts a string, and a number or bool as its text (job files
// written for DataX put numbers where strings are meant and back).
func scalarString(raw any) (string, bool) {
	switch x := raw.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// number accepts a JSON number, or a string holding one (a filled ${var}).
func number(raw any) (string, bool) {
	switch x := raw.(type) {
	case json.Number:
		return x.String(), true
	case string:
		x = strings.TrimSpace(x)
		if _, err := strconv.ParseFloat(x, 64); err == nil {
			return x, true
		}
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case int:
		return strconv.Itoa(x), true
	}
	return "", false
}

// describe names a decoded JSON value for an error message.
func describe(raw any) string {
	switch x := raw.(type) {
	case nil:
		return "null"
	case bool:
		return fmt.Sprintf("the boolean %v", x)
	case json.Number, float64, int:
		return fmt.Sprintf("the number %v", x)
	case string:
		if len(x) > 60 {
			x = x[:57] + "..."
		}
		return fmt.Sprintf("the string %q", x)
	case []any:
		return fmt.Sprintf("a list of %d items", len(x))
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", raw)
}

// Describe is describe for other packages' messages.
func Describe(raw any) string { return describe(raw) }

func parseDuration(raw any) (time.Duration, error) {
	switch x := raw.(type) {
	case string:
		if d, err := time.ParseDuration(strings.TrimSpace(x)); err == nil && d >= 0 {
			return d, nil
		}
		if n, ok := number(x); ok {
			f, _ := strconv.ParseFloat(n, 64)
			if f >= 0 {
				return time.Duration(f * float64(time.Second)), nil
			}
		}
	case json.Number:
		f, err := x.Float64()
		if err == nil && f >= 0 {
			return time.Duration(f * float64(time.Second)), nil
		}
	}
	return 0, fmt.Errorf("expected a duration such as \"30s\", \"5m\" or a number of seconds, got %s", describe(raw))
}

// InFile prefixes every line of err's message with "name: ", keeping err
// reachable for errors.Is and errors.As.
func InFile(name string, err error) error {
	if err == nil {
		return nil
	}
	return &fileError{name: name, err: err}
}

type fileError struct {
	name string
	err  error
}

func (e *fileError) Error() string {
	lines := strings.Split(e.err.Error(), "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, e.name+":") {
			lines[i] = e.name + ": " + l
		}
	}
	return strings.Join(lines, "\n")
}

func (e *fileError) Unwrap() error { return e.err }

// At places err at path: the paths of *Error values (also inside a joined
// error) are taken as relative to path, and any other error is attributed to
// path itself. Plugin constructors' errors go through it, so that checks made
// after decoding name the JSON path too.
func At(path string, err error) error {
	if err == nil {
		return nil
	}
	d := &decoder{}
	d.relative(path, err)
	return errors.Join(d.errs...)
}
