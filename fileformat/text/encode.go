package text

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding"

	"datax/fileformat"
	"datax/record"
)

// Encoder writes rows as lines of delimited text.
type Encoder struct {
	opts    Options
	cols    []fileformat.Column
	buf     *bufio.Writer
	finish  func() error
	enc     *encoding.Encoder
	layout  string
	row     []byte
	field   []byte
	encoded []byte
	bad     []int
	check   []bool // per column: can a value collide with the delimiter, a line break or the null marker?
}

// NewEncoder returns an encoder of cols writing to w (compressed and
// encoded as opts say). It writes the header line at once, if any.
func NewEncoder(w io.Writer, cols []fileformat.Column, opts Options) (*Encoder, error) {
	if err := opts.Check(); err != nil {
		return nil, err
	}
	cw, finish, err := compressor(w, opts.Compress)
	if err != nil {
		return nil, err
	}
	e := &Encoder{opts: opts, cols: cols, buf: bufio.NewWriterSize(cw, 1<<16), finish: finish}
	if cs, _ := charset(opts.Encoding); cs != nil {
		e.enc = cs.NewEncoder()
	}
	if opts.DateFormat != "" {
		e.layout = record.GoLayout(opts.DateFormat)
	}
	for _, c := range cols {
		e.check = append(e.check, e.mayCollide(c))
	}
	if len(opts.Header) > 0 {
		for j, h := range opts.Header {
			if j > 0 {
				e.row = append(e.row, opts.Delimiter...)
			}
			e.row = e.appendField(e.row, []byte(h), false)
		}
		e.row = append(e.row, '\n')
		if err := e.emit(); err != nil {
			return nil, fmt.Errorf("header: %w", err)
		}
	}
	return e, nil
}

// Write encodes the rows of b.
func (e *Encoder) Write(b *record.Batch, reject func(int, error) error) (int, error) {
	bad, err := fileformat.BadRows(e.cols, b, reject, e.bad)
	e.bad = bad
	if err != nil {
		return 0, err
	}
	n := b.Len()
	written := 0
	k := 0
rows:
	for i := 0; i < n; i++ {
		if k < len(bad) && bad[k] == i {
			k++
			continue
		}
		e.row = e.row[:0]
		for j := range e.cols {
			if j > 0 {
				e.row = append(e.row, e.opts.Delimiter...)
			}
			v := b.Col(j)
			if v.IsNull(i) {
				e.row = append(e.row, e.opts.Null...)
				continue
			}
			e.field = e.appendValue(e.field[:0], v, i, &e.cols[j])
			if !e.opts.CSV && e.check[j] {
				if why := e.unsafe(e.field); why != "" {
					if err := reject(i, fmt.Errorf("column %s: the value %s; plain text cannot hold it (%s)", e.cols[j].Name, why, e.remedy())); err != nil {
						return written, err
					}
					continue rows
				}
			}
			e.row = e.appendField(e.row, e.field, true)
		}
		e.row = append(e.row, '\n')
		if err := e.emit(); err != nil {
			if e.enc != nil {
				if rerr := reject(i, fmt.Errorf("not representable in %s: %v", e.opts.Encoding, err)); rerr != nil {
					return written, rerr
				}
				continue
			}
			return written, err
		}
		written++
	}
	return written, nil
}

// remedy is what the reason of a row plain text cannot hold suggests.
func (e *Encoder) remedy() string {
	if e.opts.Remedy != "" {
		return e.opts.Remedy
	}
	return "use the csv form"
}

// emit writes e.row, encoded to the file's charset.
func (e *Encoder) emit() error {
	out := e.row
	if e.enc != nil {
		var err error
		e.encoded, err = e.enc.Bytes(e.row)
		if err != nil {
			return err
		}
		out = e.encoded
	}
	_, err := e.buf.Write(out)
	return err
}

// alphabets of the text forms of the kinds that are not free text.
var alphabets = map[record.Kind]string{
	record.Int: "-0123456789", record.Uint: "0123456789", record.Float: "-+.0123456789eEInfNa",
	record.Decimal: "-.0123456789", record.Bool: "truefals", record.Date: "-0123456789",
	record.Time: "-:.0123456789", record.Timestamp: "- :.0123456789",
}

// mayCollide reports whether a value of c could hold the delimiter or be
// the null marker: always for text, binary (base64) and formatted dates;
// for the other kinds only when the delimiter or marker uses their alphabet.
func (e *Encoder) mayCollide(c fileformat.Column) bool {
	alpha, ok := alphabets[c.Kind]
	if !ok || (e.layout != "" && (c.Kind == record.Date || c.Kind == record.Timestamp)) {
		return true
	}
	return strings.ContainsAny(e.opts.Delimiter, alpha) || e.opts.Null == "" || strings.Trim(e.opts.Null, alpha) == ""
}

// unsafe says why a plain-text field would not read back, or "".
func (e *Encoder) unsafe(f []byte) string {
	switch {
	case bytes.IndexByte(f, '\n') >= 0 || bytes.IndexByte(f, '\r') >= 0:
		return "holds a line break"
	case bytes.Contains(f, []byte(e.opts.Delimiter)):
		return fmt.Sprintf("holds the field delimiter %q", e.opts.Delimiter)
	case string(f) == e.opts.Null:
		return fmt.Sprintf("is the null marker %q", e.opts.Null)
	}
	return ""
}

// appendField appends a field, quoted in CSV form when it must be (or when
// it equals the null marker, so that it does not read back as null).
func (e *Encoder) appendField(dst, f []byte, value bool) []byte {
	if !e.opts.CSV {
		return append(dst, f...)
	}
	q := e.opts.Quote
	need := (value && string(f) == e.opts.Null) || bytes.IndexByte(f, q) >= 0 || bytes.IndexByte(f, '\n') >= 0 ||
		bytes.IndexByte(f, '\r') >= 0 || bytes.Contains(f, []byte(e.opts.Delimiter)) ||
		(len(f) > 0 && (f[0] == ' ' || f[len(f)-1] == ' '))
	if !need {
		return append(dst, f...)
	}
	dst = append(dst, q)
	for _, c := range f {
		if c == q {
			dst = append(dst, q)
		}
		dst = append(dst, c)
	}
	return append(dst, q)
}

func (e *Encoder) appendValue(dst []byte, v *record.Vector, i int, c *fileformat.Column) []byte {
	switch c.Kind {
	case record.Bytes:
		raw := v.Bytes(i)
		n := base64.StdEncoding.EncodedLen(len(raw))
		dst = append(dst, make([]byte, n)...)
		base64.StdEncoding.Encode(dst[len(dst)-n:], raw)
		return dst
	case record.Date:
		if e.layout != "" {
			return formatTime(dst, v.Int(i)*record.MicrosPerDay, e.layout)
		}
	case record.Timestamp:
		if e.layout != "" {
			return formatTime(dst, v.Int(i), e.layout)
		}
	}
	return record.AppendText(dst, v, i, c.Column)
}

// Close flushes and finishes the compression, not the underlying writer.
func (e *Encoder) Close() error {
	if err := e.buf.Flush(); err != nil {
		return err
	}
	return e.finish()
}
