package rdbms

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"datax/record"
)

// ZeroDate says what becomes of MySQL's zero dates ('0000-00-00',
// '0000-00-00 00:00:00', and dates with a zero month or day), which no
// calendar holds.
type ZeroDate uint8

// The zero-date policies.
const (
	ZeroDateNull  ZeroDate = iota // the value becomes NULL
	ZeroDateError                 // the row is a dirty record
)

// DecodeOptions tune a RowDecoder.
type DecodeOptions struct {
	ZeroDate ZeroDate
	// Session is the time zone of TIMESTAMP values that arrive as text
	// (DecodeTimestamp); nil is UTC.
	Session *time.Location
	// Zone, when set and not UTC, turns TIMESTAMP instants into wall-clock
	// times of that zone, as DATETIME values are; nil keeps the instant
	// (micros since the epoch, UTC).
	Zone *time.Location
}

// RowDecoder appends rows as go-sql-driver's text protocol hands them over
// (driver.Value: int64, uint64, float32, float64, []byte or nil) to the
// vectors of a batch, without allocating per value. It remembers the last
// date of each date-time column (rows read in key order mostly share their
// day), so it is not safe for concurrent use: Fork gives each reading
// goroutine its own.
type RowDecoder struct {
	decodes []Decode
	cols    []record.Column
	opts    DecodeOptions
	utcZone bool // opts.Zone is nil or UTC
	days    []lastDay
}

// lastDay is the last date seen in a column, as text and as days.
type lastDay struct {
	text [10]byte
	days int64
	ok   bool
}

// NewRowDecoder returns a decoder for columns cols decoded as decodes.
func NewRowDecoder(cols []record.Column, decodes []Decode, opts DecodeOptions) *RowDecoder {
	d := &RowDecoder{decodes: decodes, cols: cols, opts: opts}
	d.utcZone = opts.Zone == nil || opts.Zone == time.UTC || opts.Zone.String() == "UTC"
	if opts.Session != nil && opts.Session.String() == "UTC" {
		d.opts.Session = nil
	}
	d.days = make([]lastDay, len(decodes))
	return d
}

// Fork returns a decoder like d with its own memory of dates.
func (d *RowDecoder) Fork() *RowDecoder {
	f := *d
	f.days = make([]lastDay, len(d.decodes))
	return &f
}

// ValueError is a value that cannot become a record value; the row is a
// dirty record.
type ValueError struct {
	Column string
	Value  string
	Reason string
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("column %s: %s (value %s)", e.Column, e.Reason, e.Value)
}

// Append appends one row to the first len(row) columns of b. On error the
// row may be partly appended: the caller truncates b to its previous
// length.
func (d *RowDecoder) Append(b *record.Batch, row []driver.Value) error {
	for j, x := range row {
		v := b.Col(j)
		if x == nil {
			v.AppendNull()
			continue
		}
		var err error
		switch d.decodes[j] {
		case DecodeInt:
			switch t := x.(type) {
			case int64:
				v.AppendInt(t)
			default:
				err = d.slow(v, j, x)
			}
		case DecodeUint:
			switch t := x.(type) {
			case uint64:
				v.AppendUint(t)
			case int64:
				if t < 0 {
					return d.bad(j, x, "a negative value in an unsigned column")
				}
				v.AppendUint(uint64(t))
			default:
				err = d.slow(v, j, x)
			}
		case DecodeFloat32, DecodeFloat64:
			switch t := x.(type) {
			case float64:
				v.AppendFloat(t)
			case float32:
				v.AppendFloat(float64(t))
			default:
				err = d.slow(v, j, x)
			}
		case DecodeDecimal, DecodeBytes:
			t, ok := x.([]byte)
			if !ok {
				return d.bad(j, x, "expected text from the server")
			}
			v.AppendBytes(t)
		case DecodeString:
			t, ok := x.([]byte)
			if !ok {
				return d.bad(j, x, "expected text from the server")
			}
			if !utf8.Valid(t) {
				return d.bad(j, x, "not valid UTF-8")
			}
			v.AppendBytes(t)
		case DecodeDatetime, DecodeDate, DecodeTimestamp:
			t, ok := x.([]byte)
			if !ok {
				return d.bad(j, x, "expected text from the server")
			}
			err = d.datetime(v, j, t)
		case DecodeUnixTime:
			err = d.unixTime(v, j, x)
		case DecodeTime:
			t, ok := x.([]byte)
			if !ok {
				return d.bad(j, x, "expected text from the server")
			}
			us, perr := record.ParseTime(t)
			if perr != nil {
				return d.bad(j, x, "not a TIME value")
			}
			v.AppendInt(us)
		case DecodeBit, DecodeBool:
			t, ok := x.([]byte)
			if !ok || len(t) > 8 {
				return d.bad(j, x, "not a BIT value of up to 64 bits")
			}
			var u uint64
			for _, c := range t {
				u = u<<8 | uint64(c)
			}
			if d.decodes[j] == DecodeBool {
				v.AppendBool(u != 0)
			} else {
				v.AppendUint(u)
			}
		case DecodeNull:
			v.AppendNull()
		default:
			return d.bad(j, x, "no decoding for the column")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// slow handles a numeric value that arrived as text (an expression the
// driver did not parse).
func (d *RowDecoder) slow(v *record.Vector, j int, x driver.Value) error {
	t, ok := x.([]byte)
	if !ok {
		return d.bad(j, x, fmt.Sprintf("unexpected %T from the driver", x))
	}
	switch d.decodes[j] {
	case DecodeInt:
		n, err := record.ParseInt(t)
		if err != nil {
			return d.bad(j, x, "not an integer")
		}
		v.AppendInt(n)
	case DecodeUint:
		n, err := record.ParseUint(t)
		if err != nil {
			return d.bad(j, x, "not an unsigned integer")
		}
		v.AppendUint(n)
	default:
		bits := 64
		if d.decodes[j] == DecodeFloat32 {
			bits = 32
		}
		f, err := strconv.ParseFloat(string(t), bits)
		if err != nil {
			return d.bad(j, x, "not a number")
		}
		v.AppendFloat(f)
	}
	return nil
}

func (d *RowDecoder) bad(j int, x driver.Value, reason string) error {
	return &ValueError{Column: d.cols[j].Name, Value: valueText(x), Reason: reason}
}

func (d *RowDecoder) zero(v *record.Vector, j int, x driver.Value) error {
	if d.opts.ZeroDate == ZeroDateNull {
		v.AppendNull()
		return nil
	}
	return d.bad(j, x, "a zero date, which no calendar holds (zeroDate is \"error\"; \"null\" reads it as NULL)")
}

// datetime decodes DATE, DATETIME and TIMESTAMP text.
func (d *RowDecoder) datetime(v *record.Vector, j int, s []byte) error {
	// A zero month or day ('0000-00-00', '2024-00-10') is no calendar date.
	if len(s) >= 10 && s[4] == '-' && s[7] == '-' && (s[5] == '0' && s[6] == '0' || s[8] == '0' && s[9] == '0') {
		return d.zero(v, j, s)
	}
	if d.decodes[j] == DecodeDate {
		days, err := record.ParseDate(s)
		if err != nil {
			return d.bad(j, s, "not a date")
		}
		v.AppendInt(days)
		return nil
	}
	us, ok := d.quick(j, s)
	if !ok {
		var err error
		if us, err = record.ParseTimestamp(s); err != nil {
			return d.bad(j, s, "not a date and time")
		}
	}
	if d.decodes[j] == DecodeTimestamp {
		if d.opts.Session != nil {
			// Wall-clock text of the session's zone: find its instant.
			w := time.UnixMicro(us).UTC()
			t := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), d.opts.Session)
			us = t.UnixMicro()
		}
		us = d.wallMicros(us)
	}
	v.AppendInt(us)
	return nil
}

// quick decodes the server's form "YYYY-MM-DD HH:MM:SS[.f{1,6}]" when its
// date is the last one seen in column j, parsing only the clock; ok is
// false otherwise (record.ParseTimestamp then parses and checks it all, and
// the date is remembered).
func (d *RowDecoder) quick(j int, s []byte) (int64, bool) {
	if len(s) < 19 || s[10] != ' ' {
		return 0, false
	}
	last := &d.days[j]
	if !last.ok || string(s[:10]) != string(last.text[:]) {
		days, err := record.ParseDate(s[:10])
		if err != nil {
			return 0, false
		}
		copy(last.text[:], s[:10])
		last.days, last.ok = days, true
	}
	c := s[11:]
	if c[2] != ':' || c[5] != ':' {
		return 0, false
	}
	h, ok1 := twoDigits(c[0], c[1])
	m, ok2 := twoDigits(c[3], c[4])
	sec, ok3 := twoDigits(c[6], c[7])
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 59 {
		return 0, false
	}
	var frac int64
	if f := c[8:]; len(f) > 0 {
		if f[0] != '.' || len(f) == 1 || len(f) > 7 {
			return 0, false
		}
		k := 0
		for _, ch := range f[1:] {
			if ch < '0' || ch > '9' {
				return 0, false
			}
			frac = frac*10 + int64(ch-'0')
			k++
		}
		for ; k < 6; k++ {
			frac *= 10
		}
	}
	return last.days*record.MicrosPerDay + (h*3600+m*60+sec)*record.MicrosPerSecond + frac, true
}

func twoDigits(a, b byte) (int64, bool) {
	a, b = a-'0', b-'0'
	return int64(a)*10 + int64(b), a <= 9 && b <= 9
}

// unixTime decodes UNIX_TIMESTAMP(ts): an integer or "sec.ffffff".
func (d *RowDecoder) unixTime(v *record.Vector, j int, x driver.Value) error {
	var sec, frac int64
	switch t := x.(type) {
	case int64:
		sec = t
	case uint64:
		sec = int64(t)
	case []byte:
		i := 0
		for i < len(t) && t[i] >= '0' && t[i] <= '9' {
			sec = sec*10 + int64(t[i]-'0')
			i++
		}
		if i == 0 {
			return d.bad(j, x, "not a UNIX_TIMESTAMP value")
		}
		if i < len(t) {
			if t[i] != '.' {
				return d.bad(j, x, "not a UNIX_TIMESTAMP value")
			}
			k := 0
			for i++; i < len(t); i++ {
				if t[i] < '0' || t[i] > '9' || k >= 6 {
					return d.bad(j, x, "not a UNIX_TIMESTAMP value")
				}
				frac = frac*10 + int64(t[i]-'0')
				k++
			}
			for ; k < 6; k++ {
				frac *= 10
			}
		}
	default:
		return d.bad(j, x, fmt.Sprintf("unexpected %T from the driver", x))
	}
	if sec == 0 && frac == 0 {
		// TIMESTAMP starts at 1970-01-01 00:00:01 UTC: 0 is the zero date.
		return d.zero(v, j, x)
	}
	v.AppendInt(d.wallMicros(sec*record.MicrosPerSecond + frac))
	return nil
}

// wallMicros returns the instant us (micros since the epoch) as it is:
// or, with opts.Zone, as the wall clock of that zone.
func (d *RowDecoder) wallMicros(us int64) int64 {
	if d.utcZone {
		return us
	}
	sec := us / record.MicrosPerSecond
	if us%record.MicrosPerSecond < 0 {
		sec--
	}
	_, off := time.Unix(sec, 0).In(d.opts.Zone).Zone()
	return us + int64(off)*record.MicrosPerSecond
}

// valueText renders a driver value for messages and dirty records.
func valueText(x driver.Value) string {
	switch t := x.(type) {
	case nil:
		return "NULL"
	case []byte:
		if utf8.Valid(t) {
			return strconv.Quote(string(t))
		}
		return fmt.Sprintf("0x%x", t)
	}
	return fmt.Sprint(x)
}

// RowText renders a row for the dirty-record file: its values as text,
// tab-separated, NULL as \N.
func RowText(row []driver.Value) []byte {
	var out []byte
	for j, x := range row {
		if j > 0 {
			out = append(out, '\t')
		}
		switch t := x.(type) {
		case nil:
			out = append(out, `\N`...)
		case []byte:
			out = append(out, t...)
		default:
			out = fmt.Append(out, t)
		}
	}
	return out
}
