// Package transform is the optional per-column transformer chain between a
// reader and a writer, as DataX's "transformer" list of a content entry
// declares it: dx_substr, dx_pad, dx_replace, dx_filter and dx_digest, plus
// masking for sensitive columns: dx_hash (salted SHA-256), dx_mask (keep the
// first/last characters), dx_constant and dx_null.
//
// Parse checks a chain before anything connects; Bind fits it to the
// reader's schema once that is known; Stage returns the channel stage that
// applies it to each batch on its way to the writer.
package transform

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"datax/channel"
	"datax/record"
	"datax/spec"
)

// Config is one job.content[].transformer[] entry.
type Config struct {
	Name      string `json:"name" required:"true" enum:"dx_substr,dx_pad,dx_replace,dx_filter,dx_digest,dx_hash,dx_mask,dx_constant,dx_null,dx_groovy" doc:"the transformer"`
	Parameter Params `json:"parameter" required:"true" doc:"columnIndex and paras"`
}

// Params are a transformer's parameters, as DataX names them.
type Params struct {
	ColumnIndex *int     `json:"columnIndex" doc:"0-based index of the column to transform"`
	Paras       []string `json:"paras" doc:"the transformer's arguments, as strings"`
	Code        string   `json:"code" doc:"dx_groovy's script (not supported: no JVM)"`
	Extra       []string `json:"extraPackage" doc:"dx_groovy's imports (not supported)"`
}

// Step is a parsed transformer, not yet bound to a schema.
type Step struct {
	name string
	col  int
	op   op
}

// op is what a transformer does to one column.
type op interface {
	// out is the column after the transformer, given the column before.
	out(in record.Column) record.Column
	// apply transforms value i of src into dst (a vector of out's kind), or
	// reports that the row is dropped (err nil: filtered; else dirty).
	apply(dst, src *record.Vector, i int, col record.Column, s *scratch) (drop bool, err error)
}

type scratch struct{ text, out []byte }

// Parse checks transformer configs; path names them in messages, e.g.
// "job.content[0].transformer".
func Parse(configs []Config, path string) ([]Step, error) {
	var steps []Step
	var errs []error
	for k, c := range configs {
		at := fmt.Sprintf("%s[%d]", path, k)
		if c.Name == "dx_groovy" {
			errs = append(errs, &spec.Error{Path: at + ".name", Msg: "dx_groovy is not supported: datax runs without a JVM; use dx_filter, dx_substr, dx_replace, dx_pad, dx_digest or the masking transformers"})
			continue
		}
		if c.Parameter.ColumnIndex == nil {
			errs = append(errs, &spec.Error{Path: at + ".parameter.columnIndex", Msg: "missing required parameter (0-based index of the column to transform)"})
			continue
		}
		if *c.Parameter.ColumnIndex < 0 {
			errs = append(errs, &spec.Error{Path: at + ".parameter.columnIndex", Msg: fmt.Sprintf("must be 0 or more, got %d", *c.Parameter.ColumnIndex)})
			continue
		}
		o, err := newOp(c.Name, c.Parameter.Paras)
		if err != nil {
			errs = append(errs, &spec.Error{Path: at + ".parameter.paras", Msg: c.Name + ": " + err.Error()})
			continue
		}
		steps = append(steps, Step{name: c.Name, col: *c.Parameter.ColumnIndex, op: o})
	}
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	return steps, nil
}

func joinErrors(errs []error) error {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return fmt.Errorf("%s", strings.Join(msgs, "\n"))
}

func intArg(paras []string, i int, what string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(paras[i]))
	if err != nil {
		return 0, fmt.Errorf("paras[%d] (%s) must be an integer, got %q", i, what, paras[i])
	}
	if n < 0 {
		return 0, fmt.Errorf("paras[%d] (%s) must not be negative, got %d", i, what, n)
	}
	return n, nil
}

func wantParas(paras []string, n int, usage string) error {
	if len(paras) != n {
		return fmt.Errorf("expected %d paras %s, got %d", n, usage, len(paras))
	}
	return nil
}

func newOp(name string, paras []string) (op, error) {
	switch name {
	case "dx_substr":
		if err := wantParas(paras, 2, `["startIndex", "length"]`); err != nil {
			return nil, err
		}
		start, err := intArg(paras, 0, "startIndex")
		if err != nil {
			return nil, err
		}
		n, err := intArg(paras, 1, "length")
		if err != nil {
			return nil, err
		}
		return substr{start, n}, nil
	case "dx_pad":
		if err := wantParas(paras, 3, `["l" or "r", "length", "padString"]`); err != nil {
			return nil, err
		}
		side := strings.ToLower(strings.TrimSpace(paras[0]))
		if side != "l" && side != "r" {
			return nil, fmt.Errorf(`paras[0] must be "l" (left) or "r" (right), got %q`, paras[0])
		}
		n, err := intArg(paras, 1, "length")
		if err != nil {
			return nil, err
		}
		if paras[2] == "" {
			return nil, fmt.Errorf("paras[2] (padString) must not be empty")
		}
		return pad{left: side == "l", n: n, with: paras[2]}, nil
	case "dx_replace":
		if err := wantParas(paras, 3, `["startIndex", "length", "replaceString"]`); err != nil {
			return nil, err
		}
		start, err := intArg(paras, 0, "startIndex")
		if err != nil {
			return nil, err
		}
		n, err := intArg(paras, 1, "length")
		if err != nil {
			return nil, err
		}
		return replace{start, n, paras[2]}, nil
	case "dx_filter":
		if err := wantParas(paras, 2, `["operator", "value"]`); err != nil {
			return nil, err
		}
		return newFilter(paras[0], paras[1])
	case "dx_digest":
		if err := wantParas(paras, 2, `["md5" or "sha1", "toUpperCase" or "toLowerCase"]`); err != nil {
			return nil, err
		}
		alg := strings.ToLower(paras[0])
		if alg != "md5" && alg != "sha1" {
			return nil, fmt.Errorf(`paras[0] must be "md5" or "sha1", got %q`, paras[0])
		}
		if paras[1] != "toUpperCase" && paras[1] != "toLowerCase" {
			return nil, fmt.Errorf(`paras[1] must be "toUpperCase" or "toLowerCase", got %q`, paras[1])
		}
		return digest{alg: alg, upper: paras[1] == "toUpperCase"}, nil
	case "dx_hash":
		if err := wantParas(paras, 1, `["salt"] (use ${file:/path} to keep the salt out of the job file)`); err != nil {
			return nil, err
		}
		if paras[0] == "" {
			return nil, fmt.Errorf("paras[0] (salt) must not be empty: an unsalted hash of a phone number is reversible by lookup")
		}
		return digest{alg: "sha256", salt: paras[0]}, nil
	case "dx_mask":
		if len(paras) < 2 || len(paras) > 3 {
			return nil, fmt.Errorf(`expected paras ["keepFirst", "keepLast"] or ["keepFirst", "keepLast", "maskChar"], got %d`, len(paras))
		}
		first, err := intArg(paras, 0, "keepFirst")
		if err != nil {
			return nil, err
		}
		last, err := intArg(paras, 1, "keepLast")
		if err != nil {
			return nil, err
		}
		m := mask{first: first, last: last, char: "*"}
		if len(paras) == 3 {
			if utf8.RuneCountInString(paras[2]) != 1 {
				return nil, fmt.Errorf("paras[2] (maskChar) must be one character, got %q", paras[2])
			}
			m.char = paras[2]
		}
		return m, nil
	case "dx_constant":
		if err := wantParas(paras, 1, `["value"]`); err != nil {
			return nil, err
		}
		return constant(paras[0]), nil
	case "dx_null":
		if len(paras) != 0 {
			return nil, fmt.Errorf("takes no paras, got %d", len(paras))
		}
		return nullify{}, nil
	}
	return nil, fmt.Errorf("unknown transformer")
}

// Chain is a list of steps bound to a schema.
type Chain struct {
	steps []Step
	ins   []record.Schema // schema before each step
	out   record.Schema
}

// Bind fits the steps to the reader's schema: every columnIndex must exist.
// path names the transformer list in messages.
func Bind(steps []Step, in record.Schema, path string) (*Chain, error) {
	c := &Chain{steps: steps}
	cur := in
	for k, s := range steps {
		if s.col >= len(cur) {
			return nil, &spec.Error{Path: fmt.Sprintf("%s[%d].parameter.columnIndex", path, k),
				Msg: fmt.Sprintf("%s: column %d does not exist; the reader has %d columns (0 to %d)", s.name, s.col, len(cur), len(cur)-1)}
		}
		c.ins = append(c.ins, cur)
		next := append(record.Schema(nil), cur...)
		next[s.col] = s.op.out(cur[s.col])
		cur = next
	}
	c.out = cur
	return c, nil
}

// Schema is the schema of batches after the chain.
func (c *Chain) Schema() record.Schema { return c.out }

// Stage returns a channel stage applying the chain. A stage keeps scratch
// buffers: use one per task attempt.
func (c *Chain) Stage() channel.Stage {
	type state struct {
		view    record.Batch
		cols    []*record.Vector
		own     *record.Vector
		scratch scratch
		drops   []int
	}
	states := make([]state, len(c.steps))
	for k := range states {
		states[k].own = record.NewVector(record.String)
	}
	return func(in *record.Batch, drop func(row int, reason error)) *record.Batch {
		b := in
		for k, s := range c.steps {
			st := &states[k]
			outCol := c.outOf(k)
			src := b.Col(s.col)
			st.own.Reset(outCol.Kind)
			st.drops = st.drops[:0]
			n := b.Len()
			for i := 0; i < n; i++ {
				dropped, err := s.op.apply(st.own, src, i, c.ins[k][s.col], &st.scratch)
				if dropped || err != nil {
					if st.own.Len() == i {
						st.own.AppendNull()
					}
					st.drops = append(st.drops, i)
					if err != nil {
						err = fmt.Errorf("transformer %s on column %d (%s): %w", s.name, s.col, c.ins[k][s.col].Name, err)
					}
					drop(i, err)
				}
			}
			st.cols = st.cols[:0]
			for j := 0; j < b.Width(); j++ {
				st.cols = append(st.cols, b.Col(j))
			}
			st.cols[s.col] = st.own
			st.view.SetView(c.schemaAfter(k), st.cols)
			if len(st.drops) > 0 {
				st.view.DeleteRows(st.drops)
			}
			b = &st.view
		}
		return b
	}
}

func (c *Chain) outOf(k int) record.Column { return c.schemaAfter(k)[c.steps[k].col] }

func (c *Chain) schemaAfter(k int) record.Schema {
	if k+1 < len(c.ins) {
		return c.ins[k+1]
	}
	return c.out
}

// stringOut is the column a text-producing transformer leaves.
func stringOut(in record.Column) record.Column {
	return record.Column{Name: in.Name, Kind: record.String, SourceType: in.SourceType}
}

// text returns value i of src as text (into s.text).
func text(src *record.Vector, i int, col record.Column, s *scratch) []byte {
	s.text = record.AppendText(s.text[:0], src, i, col)
	return s.text
}

// runeRange returns the byte offsets of runes [start, start+n) of b, clipped.
func runeRange(b []byte, start, n int) (from, to int, ok bool) {
	count := utf8.RuneCount(b)
	if start > count {
		return 0, 0, false
	}
	from = byteOffset(b, start)
	to = byteOffset(b, min(start+n, count))
	return from, to, true
}

func byteOffset(b []byte, runes int) int {
	off := 0
	for k := 0; k < runes && off < len(b); k++ {
		_, size := utf8.DecodeRune(b[off:])
		off += size
	}
	return off
}

type substr struct{ start, n int }

func (substr) out(in record.Column) record.Column { return stringOut(in) }

func (o substr) apply(dst, src *record.Vector, i int, col record.Column, s *scratch) (bool, error) {
	if src.IsNull(i) {
		dst.AppendNull()
		return false, nil
	}
	t := text(src, i, col, s)
	from, to, ok := runeRange(t, o.start, o.n)
	if !ok {
		return false, fmt.Errorf("startIndex %d is beyond the value's %d characters", o.start, utf8.RuneCount(t))
	}
	dst.AppendBytes(t[from:to])
	return false, nil
}

type pad struct {
	left bool
	n    int
	with string
}

func (pad) out(in record.Column) record.Column { return stringOut(in) }

// apply pads to n characters, or cuts a longer value to n (DataX's rule; a
// null pads from the empty string).
func (o pad) apply(dst, src *record.Vector, i int, col record.Column, s *scratch) (bool, error) {
	var t []byte
	if !src.IsNull(i) {
		t = text(src, i, col, s)
	}
	have := utf8.RuneCount(t)
	if have >= o.n {
		dst.AppendBytes(t[:byteOffset(t, o.n)])
		return false, nil
	}
	fill := []rune(strings.Repeat(o.with, (o.n-have)/utf8.RuneCountInString(o.with)+1))[:o.n-have]
	s.out = s.out[:0]
	if o.left {
		s.out = append(s.out, string(fill)...)
		s.out = append(s.out, t...)
	} else {
		s.out = append(s.out, t...)
		s.out = append(s.out, string(fill)...)
	}
	dst.AppendBytes(s.out)
	return false, nil
}

type replace struct {
	start, n int
	with     string
}

func (replace) out(in record.Column) record.Column { return stringOut(in) }

func (o replace) apply(dst, src *record.Vector, i int, col record.Column, s *scratch) (bool, error) {
	if src.IsNull(i) {
		dst.AppendNull()
		return false, nil
	}
	t := text(src, i, col, s)
	from, to, ok := runeRange(t, o.start, o.n)
	if !ok {
		return false, fmt.Errorf("startIndex %d is beyond the value's %d characters", o.start, utf8.RuneCount(t))
	}
	s.out = append(append(append(s.out[:0], t[:from]...), o.with...), t[to:]...)
	dst.AppendBytes(s.out)
	return false, nil
}

type digest struct {
	alg   string
	upper bool
	salt  string
}

func (digest) out(in record.Column) record.Column { return stringOut(in) }

func (o digest) apply(dst, src *record.Vector, i int, col record.Column, s *scratch) (bool, error) {
	if src.IsNull(i) && o.alg == "sha256" {
		dst.AppendNull() // masking (dx_hash) keeps a null a null
		return false, nil
	}
	var h hash.Hash
	switch o.alg {
	case "md5":
		h = md5.New()
	case "sha1":
		h = sha1.New()
	default:
		h = sha256.New()
	}
	h.Write([]byte(o.salt))
	if !src.IsNull(i) {
		h.Write(text(src, i, col, s)) // DataX's dx_digest hashes a null as the empty string
	}
	var sum [32]byte
	s.out = hex.AppendEncode(s.out[:0], h.Sum(sum[:0]))
	if o.upper {
		for k, c := range s.out {
			if c >= 'a' && c <= 'f' {
				s.out[k] = c - 32
			}
		}
	}
	dst.AppendBytes(s.out)
	return false, nil
}

type mask struct {
	first, last int
	char        string
}

func (mask) out(in record.Column) record.Column { return stringOut(in) }

// apply keeps the first and last characters and masks the rest; a value too
// short to keep both is masked whole, so nothing leaks from short values.
func (o mask) apply(dst, src *record.Vector, i int, col record.Column, s *scratch) (bool, error) {
	if src.IsNull(i) {
		dst.AppendNull()
		return false, nil
	}
	t := text(src, i, col, s)
	n := utf8.RuneCount(t)
	first, last := o.first, o.last
	if first+last >= n {
		first, last = 0, 0
	}
	s.out = append(s.out[:0], t[:byteOffset(t, first)]...)
	for k := 0; k < n-first-last; k++ {
		s.out = append(s.out, o.char...)
	}
	s.out = append(s.out, t[byteOffset(t, n-last):]...)
	dst.AppendBytes(s.out)
	return false, nil
}

type constant string

func (constant) out(in record.Column) record.Column { return stringOut(in) }

func (o constant) apply(dst, src *record.Vector, i int, col record.Column, s *scratch) (bool, error) {
	dst.AppendString(string(o))
	return false, nil
}

type nullify struct{}

func (nullify) out(in record.Column) record.Column {
	in.NotNull = false
	return in
}

func (nullify) apply(dst, src *record.Vector, i int, col record.Column, s *scratch) (bool, error) {
	dst.AppendNull()
	return false, nil
}

// filter drops the rows whose value matches (DataX's dx_filter: "if the
// condition matches, the record is filtered out").
type filter struct {
	opName string
	value  string
	re     *regexp.Regexp
	num    float64
	isNum  bool
}

func newFilter(operator, value string) (op, error) {
	f := filter{opName: strings.TrimSpace(strings.ToLower(operator)), value: value}
	switch f.opName {
	case "==":
		f.opName = "="
		fallthrough
	case ">", "<", ">=", "<=", "=", "!=":
		if n, err := strconv.ParseFloat(value, 64); err == nil {
			f.num, f.isNum = n, true
		}
	case "like", "not like":
		// DataX matches the whole value (Java's String.matches).
		re, err := regexp.Compile("^(?:" + value + ")$")
		if err != nil {
			return nil, fmt.Errorf("paras[1] is not a valid regular expression: %v", err)
		}
		f.re = re
	default:
		return nil, fmt.Errorf(`paras[0] must be one of like, not like, >, <, >=, <=, =, ==, !=; got %q`, operator)
	}
	return f, nil
}

func (filter) out(in record.Column) record.Column { return in }

func (f filter) apply(dst, src *record.Vector, i int, col record.Column, s *scratch) (bool, error) {
	dst.AppendFrom(src, i)
	return f.matches(src, i, col, s), nil
}

func (f filter) matches(src *record.Vector, i int, col record.Column, s *scratch) bool {
	if src.IsNull(i) {
		switch f.opName {
		case "=":
			return strings.EqualFold(f.value, "null")
		case "!=":
			return !strings.EqualFold(f.value, "null")
		case "not like":
			return true // as DataX: a null does not match the pattern, so "not like" holds
		}
		return false
	}
	t := text(src, i, col, s)
	switch f.opName {
	case "like":
		return f.re.Match(t)
	case "not like":
		return !f.re.Match(t)
	}
	var cmp int
	numeric := col.Kind == record.Int || col.Kind == record.Uint || col.Kind == record.Float || col.Kind == record.Decimal
	if numeric && f.isNum {
		cmp = compareNumbers(string(t), f.value, f.num)
	} else {
		cmp = strings.Compare(string(t), f.value)
	}
	switch f.opName {
	case ">":
		return cmp > 0
	case "<":
		return cmp < 0
	case ">=":
		return cmp >= 0
	case "<=":
		return cmp <= 0
	case "=":
		return cmp == 0
	default:
		return cmp != 0
	}
}

// compareNumbers compares two numbers in text, as integers when both are (so
// that values beyond 2^53 compare exactly), else as doubles.
func compareNumbers(a, b string, bFloat float64) int {
	ai, errA := strconv.ParseInt(a, 10, 64)
	bi, errB := strconv.ParseInt(b, 10, 64)
	if errA == nil && errB == nil {
		return cmpOrdered(ai, bi)
	}
	af, err := strconv.ParseFloat(a, 64)
	if err != nil {
		return strings.Compare(a, b)
	}
	return cmpOrdered(af, bFloat)
}

func cmpOrdered[T int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
