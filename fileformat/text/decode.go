package text

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/transform"

	"datax/record"
)

// Field is one output column of a decoder: a field of the line (Index, from
// 0) or a constant (Const), parsed as Column.
type Field struct {
	Index  int
	Const  *string
	Column record.Column
	// DateFormat overrides Options.DateFormat for this column.
	DateFormat string
}

// Decoder reads records (lines, or CSV records that may span lines).
type Decoder struct {
	opts    Options
	fields  []Field
	layouts []string
	schema  record.Schema
	r       *bufio.Reader
	finish  func() error
	started bool
	line    int64 // lines read so far
	rec     []byte
	parts   [][]byte
	quoted  []bool
	scratch []byte
	trim    string // the characters TrimSpace trims
}

// NewDecoder returns a decoder of r (decompressed and decoded as opts say).
func NewDecoder(r io.Reader, fields []Field, opts Options) (*Decoder, error) {
	if err := opts.Check(); err != nil {
		return nil, err
	}
	dr, finish, err := decompressor(r, opts.Compress)
	if err != nil {
		return nil, err
	}
	if cs, _ := charset(opts.Encoding); cs != nil {
		dr = transform.NewReader(dr, cs.NewDecoder())
	}
	d := &Decoder{opts: opts, fields: fields, r: bufio.NewReaderSize(dr, 1<<16), finish: finish}
	if opts.TrimSpace {
		for _, c := range " \t" {
			if !strings.ContainsRune(opts.Delimiter, c) {
				d.trim += string(c)
			}
		}
	}
	for _, f := range fields {
		d.schema = append(d.schema, f.Column)
		layout := f.DateFormat
		if layout == "" {
			layout = opts.DateFormat
		}
		if layout != "" {
			layout = record.GoLayout(layout)
		}
		d.layouts = append(d.layouts, layout)
	}
	return d, nil
}

// CountFields returns the number of fields of the first record of r (after
// a skipped header), for a column list of "*".
func CountFields(r io.Reader, opts Options) (int, error) {
	d, err := NewDecoder(r, nil, opts)
	if err != nil {
		return 0, err
	}
	defer d.Close()
	if err := d.next(); err != nil {
		if errors.Is(err, io.EOF) {
			return 0, nil
		}
		return 0, err
	}
	return len(d.parts), nil
}

// Schema returns the output schema.
func (d *Decoder) Schema() record.Schema { return d.schema }

// next reads the next non-skipped record into d.parts.
func (d *Decoder) next() error {
	for {
		if err := d.readRecord(); err != nil {
			return err
		}
		if !d.started {
			d.started = true
			if d.opts.SkipHeader {
				continue
			}
		}
		if d.opts.SkipEmpty && len(d.rec) == 0 {
			continue
		}
		return nil
	}
}

// readLine appends the next line (without its line break) to d.rec.
func (d *Decoder) readLine() error {
	start := len(d.rec)
	for {
		chunk, err := d.r.ReadSlice('\n')
		d.rec = append(d.rec, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && (err != io.EOF || len(d.rec) == start) {
			return err
		}
		break
	}
	d.line++
	if n := len(d.rec); n > start && d.rec[n-1] == '\n' {
		d.rec = d.rec[:n-1]
	}
	if n := len(d.rec); n > start && d.rec[n-1] == '\r' {
		d.rec = d.rec[:n-1]
	}
	return nil
}

// readRecord reads one record, after any comment lines, and splits it into
// fields.
func (d *Decoder) readRecord() error {
	for {
		d.rec = d.rec[:0]
		if err := d.readLine(); err != nil {
			return err
		}
		if d.opts.Comment == "" || !bytes.HasPrefix(d.rec, []byte(d.opts.Comment)) {
			break
		}
	}
	if !d.opts.CSV {
		d.splitText()
		return nil
	}
	for {
		ok, err := d.splitCSV()
		if err != nil || ok {
			return err
		}
		// An open quote: the record goes on on the next line.
		d.rec = append(d.rec, '\n')
		if err := d.readLine(); err != nil {
			if errors.Is(err, io.EOF) {
				return badRecord{fmt.Errorf("line %d: a quoted field is not closed before the end of the file", d.line), true}
			}
			return err
		}
	}
}

func (d *Decoder) splitText() {
	d.parts, d.quoted = d.parts[:0], d.quoted[:0]
	delim := []byte(d.opts.Delimiter)
	rest := d.rec
	for {
		i := bytes.Index(rest, delim)
		if i < 0 {
			d.parts = append(d.parts, d.trimmed(rest))
			d.quoted = append(d.quoted, false)
			return
		}
		d.parts = append(d.parts, d.trimmed(rest[:i]))
		d.quoted = append(d.quoted, false)
		rest = rest[i+len(delim):]
	}
}

// trimmed returns f without the TrimSpace characters around it.
func (d *Decoder) trimmed(f []byte) []byte {
	if d.trim == "" {
		return f
	}
	return bytes.Trim(f, d.trim)
}

// skipSpace returns the position of the first character from i on that
// TrimSpace does not trim.
func (d *Decoder) skipSpace(s []byte, i int) int {
	for d.trim != "" && i < len(s) && strings.IndexByte(d.trim, s[i]) >= 0 {
		i++
	}
	return i
}

// splitCSV splits d.rec into fields; it returns false when a quote is still
// open at the end. Unquoted fields alias d.rec; quoted ones live in scratch.
func (d *Decoder) splitCSV() (bool, error) {
	d.parts, d.quoted = d.parts[:0], d.quoted[:0]
	d.scratch = d.scratch[:0]
	delim := []byte(d.opts.Delimiter)
	q := d.opts.Quote
	s := d.rec
	type span struct{ from, to int }
	var spans []span
	var inScratch []bool
	i := 0
	for {
		i = d.skipSpace(s, i)
		if i < len(s) && s[i] == q {
			// Quoted field.
			from := len(d.scratch)
			i++
			for {
				if i >= len(s) {
					return false, nil
				}
				if s[i] == q {
					if i+1 < len(s) && s[i+1] == q {
						d.scratch = append(d.scratch, q)
						i += 2
						continue
					}
					i++
					break
				}
				d.scratch = append(d.scratch, s[i])
				i++
			}
			spans = append(spans, span{from, len(d.scratch)})
			inScratch = append(inScratch, true)
			d.quoted = append(d.quoted, true)
			i = d.skipSpace(s, i)
			if i < len(s) && !bytes.HasPrefix(s[i:], delim) {
				return true, badRecord{fmt.Errorf("line %d: text after a closing quote at column %d (a quote inside a field must be doubled)", d.line, i+1), false}
			}
		} else {
			j := bytes.Index(s[i:], delim)
			end := len(s)
			if j >= 0 {
				end = i + j
			}
			to := end
			for d.trim != "" && to > i && strings.IndexByte(d.trim, s[to-1]) >= 0 {
				to--
			}
			spans = append(spans, span{i, to})
			inScratch = append(inScratch, false)
			d.quoted = append(d.quoted, false)
			i = end
		}
		if i >= len(s) {
			break
		}
		i += len(delim)
		if i == len(s) {
			spans = append(spans, span{i, i})
			inScratch = append(inScratch, false)
			d.quoted = append(d.quoted, false)
			break
		}
	}
	for k, sp := range spans {
		if inScratch[k] {
			d.parts = append(d.parts, d.scratch[sp.from:sp.to:sp.to])
		} else {
			d.parts = append(d.parts, s[sp.from:sp.to:sp.to])
		}
	}
	return true, nil
}

// Read appends rows to b until full reports true or the input ends.
func (d *Decoder) Read(b *record.Batch, full func(*record.Batch) bool, reject func([]byte, error) error) error {
	for !full(b) {
		if err := d.next(); err != nil {
			if errors.Is(err, io.EOF) {
				return io.EOF
			}
			var bad badRecord
			if !errors.As(err, &bad) {
				return err
			}
			if rerr := reject(d.rec, err); rerr != nil {
				return rerr
			}
			if bad.fatal {
				return io.EOF
			}
			continue
		}
		start := b.Len()
		if err := d.row(b); err != nil {
			b.Truncate(start)
			if rerr := reject(d.rec, fmt.Errorf("line %d: %w", d.line, err)); rerr != nil {
				return rerr
			}
		}
	}
	return nil
}

// badRecord is a record that cannot be split; fatal when nothing after it
// can be read either (an unclosed quote at the end of the file).
type badRecord struct {
	error
	fatal bool
}

func (d *Decoder) row(b *record.Batch) error {
	for j, f := range d.fields {
		v := b.Col(j)
		var s []byte
		quoted := false
		if f.Const != nil {
			s = []byte(*f.Const)
		} else {
			if f.Index >= len(d.parts) {
				return fmt.Errorf("has %d fields; column %s reads field %d", len(d.parts), f.Column.Name, f.Index)
			}
			s, quoted = d.parts[f.Index], d.quoted[f.Index]
		}
		if !quoted && string(s) == d.opts.Null {
			v.AppendNull()
			continue
		}
		if err := d.parse(v, j, s); err != nil {
			return fmt.Errorf("column %s: %w", f.Column.Name, err)
		}
	}
	return nil
}

func (d *Decoder) parse(v *record.Vector, j int, s []byte) error {
	c := d.fields[j].Column
	switch c.Kind {
	case record.String:
		v.AppendBytes(s)
		return nil
	case record.Bytes:
		n := base64.StdEncoding.DecodedLen(len(s))
		if cap(d.scratch)-len(d.scratch) < n {
			d.scratch = append(d.scratch, make([]byte, n)...)[:len(d.scratch)]
		}
		buf := d.scratch[len(d.scratch) : len(d.scratch)+n]
		m, err := base64.StdEncoding.Decode(buf, s)
		if err != nil {
			return fmt.Errorf("%q is not base64 (binary columns are base64 in text files)", s)
		}
		v.AppendBytes(buf[:m])
		return nil
	}
	if len(bytes.TrimSpace(s)) == 0 {
		v.AppendNull() // an empty number, date or boolean is a null, as in Hive
		return nil
	}
	if layout := d.layouts[j]; layout != "" && (c.Kind == record.Date || c.Kind == record.Timestamp) {
		micros, err := parseTime(s, layout)
		if err != nil {
			return err
		}
		if c.Kind == record.Date {
			if micros%record.MicrosPerDay != 0 {
				return fmt.Errorf("%q has a time of day; the column is a DATE", s)
			}
			micros /= record.MicrosPerDay
		}
		v.AppendInt(micros)
		return nil
	}
	return record.ParseText(v, c, s)
}

// Close finishes the decompression (not the underlying reader).
func (d *Decoder) Close() error { return d.finish() }
