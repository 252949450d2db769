package record

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Micros per second, minute, hour and day.
const (
	MicrosPerSecond = int64(1_000_000)
	MicrosPerDay    = 86_400 * MicrosPerSecond
)

// CivilFromDays converts days since 1970-01-01 to a proleptic Gregorian date.
func CivilFromDays(days int64) (year int64, month, day int) {
	// Howard Hinnant's days_from_civil inverse.
	z := days + 719468
	era := z
	if era < 0 {
		era -= 146096
	}
	era /= 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, int(m), int(d)
}

// DaysFromCivil converts a proleptic Gregorian date to days since 1970-01-01.
func DaysFromCivil(year int64, month, day int) int64 {
	y := year
	if month <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	m := int64(month)
	mp := m - 3
	if m <= 2 {
		mp = m + 9
	}
	doy := (153*mp+2)/5 + int64(day) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func appendPadded(dst []byte, v int64, width int) []byte {
	var buf [20]byte
	i := len(buf)
	for v >= 10 || width > 1 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		width--
	}
	i--
	buf[i] = byte('0' + v)
	return append(dst, buf[i:]...)
}

// AppendDate appends days since the epoch as YYYY-MM-DD.
func AppendDate(dst []byte, days int64) []byte {
	y, m, d := CivilFromDays(days)
	if y < 0 {
		dst = append(dst, '-')
		y = -y
	}
	dst = appendPadded(dst, y, 4)
	dst = append(dst, '-')
	dst = appendPadded(dst, int64(m), 2)
	dst = append(dst, '-')
	return appendPadded(dst, int64(d), 2)
}

// appendFraction appends "." and the micros with digits places; digits 0
// means: six places when micros is non-zero, none otherwise.
func appendFraction(dst []byte, micros int64, digits int) []byte {
	if digits <= 0 {
		if micros == 0 {
			return dst
		}
		digits = 6
	}
	if digits > 6 {
		digits = 6
	}
	dst = append(dst, '.')
	v := micros
	for k := 6; k > digits; k-- {
		v /= 10
	}
	return appendPadded(dst, v, digits)
}

// AppendTimestamp appends micros since the epoch as "YYYY-MM-DD HH:MM:SS",
// with digits fraction places (see appendFraction).
func AppendTimestamp(dst []byte, micros int64, digits int) []byte {
	days := micros / MicrosPerDay
	rem := micros % MicrosPerDay
	if rem < 0 {
		rem += MicrosPerDay
		days--
	}
	dst = AppendDate(dst, days)
	dst = append(dst, ' ')
	return appendClock(dst, rem, digits)
}

func appendClock(dst []byte, micros int64, digits int) []byte {
	secs := micros / MicrosPerSecond
	dst = appendPadded(dst, secs/3600, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, secs/60%60, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, secs%60, 2)
	return appendFraction(dst, micros%MicrosPerSecond, digits)
}

// AppendTime appends a Time value (micros, maybe negative or over 24 hours)
// as [-]HH:MM:SS[.ffffff].
func AppendTime(dst []byte, micros int64, digits int) []byte {
	if micros < 0 {
		dst = append(dst, '-')
		micros = -micros
	}
	return appendClock(dst, micros, digits)
}

// AppendFloat appends f in its shortest exact form, without an exponent for
// ordinary magnitudes.
func AppendFloat(dst []byte, f float64) []byte {
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.AppendFloat(dst, f, 'g', -1, 64)
	}
	return strconv.AppendFloat(dst, f, 'f', -1, 64)
}

// AppendText appends value i of v (a column described by c) as text: the
// form used by text files, printing and dirty-record files. A null appends
// nothing; callers print their own null marker.
func AppendText(dst []byte, v *Vector, i int, c Column) []byte {
	if v.IsNull(i) {
		return dst
	}
	switch v.kind {
	case Int:
		return strconv.AppendInt(dst, v.Int(i), 10)
	case Uint:
		return strconv.AppendUint(dst, v.Uint(i), 10)
	case Float:
		return AppendFloat(dst, v.Float(i))
	case Decimal, String, Bytes:
		return append(dst, v.Bytes(i)...)
	case Bool:
		return strconv.AppendBool(dst, v.Bool(i))
	case Date:
		return AppendDate(dst, v.Int(i))
	case Time:
		return AppendTime(dst, v.Int(i), c.Scale)
	case Timestamp:
		return AppendTimestamp(dst, v.Int(i), c.Scale)
	}
	return dst
}

// ErrSyntax is wrapped by parse errors of ParseText.
var ErrSyntax = errors.New("syntax error")

func syntaxErr(s []byte, what string) error {
	if len(s) > 64 {
		s = append(s[:61:61], "..."...)
	}
	return fmt.Errorf("%w: %q is not %s", ErrSyntax, s, what)
}

// ParseInt parses a base-10 int64 without allocating.
func ParseInt(s []byte) (int64, error) {
	if len(s) == 0 {
		return 0, syntaxErr(s, "an integer")
	}
	neg := false
	i := 0
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		i = 1
		if len(s) == 1 {
			return 0, syntaxErr(s, "an integer")
		}
	}
	var u uint64
	for ; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, syntaxErr(s, "an integer")
		}
		if u > (math.MaxUint64-9)/10 {
			return 0, fmt.Errorf("%s is out of the int64 range", s)
		}
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, fmt.Errorf("%s is out of the int64 range", s)
		}
		return -int64(u), nil
	}
	if u > math.MaxInt64 {
		return 0, fmt.Errorf("%s is out of the int64 range", s)
	}
	return int64(u), nil
}

// ParseUint parses a base-10 uint64 without allocating.
func ParseUint(s []byte) (uint64, error) {
	if len(s) > 0 && s[0] == '+' {
		s = s[1:]
	}
	if len(s) == 0 {
		return 0, syntaxErr(s, "an unsigned integer")
	}
	var u uint64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, syntaxErr(s, "an unsigned integer")
		}
		d := uint64(c - '0')
		if u > (math.MaxUint64-d)/10 {
			return 0, fmt.Errorf("%s is out of the uint64 range", s)
		}
		u = u*10 + d
	}
	return u, nil
}

func digitsAt(s []byte, i, n int) (int, bool) {
	if i+n > len(s) {
		return 0, false
	}
	v := 0
	for _, c := range s[i : i+n] {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// ParseDate parses YYYY-MM-DD (or YYYYMMDD) into days since the epoch.
func ParseDate(s []byte) (int64, error) {
	days, rest, ok := parseDatePrefix(s)
	if !ok || rest != len(s) {
		return 0, syntaxErr(s, "a date (YYYY-MM-DD)")
	}
	return days, nil
}

func parseDatePrefix(s []byte) (days int64, n int, ok bool) {
	y, ok1 := digitsAt(s, 0, 4)
	if !ok1 {
		return 0, 0, false
	}
	var m, d int
	var ok2, ok3 bool
	if len(s) > 4 && s[4] == '-' {
		m, ok2 = digitsAt(s, 5, 2)
		d, ok3 = digitsAt(s, 8, 2)
		ok3 = ok3 && s[7] == '-'
		n = 10
	} else {
		m, ok2 = digitsAt(s, 4, 2)
		d, ok3 = digitsAt(s, 6, 2)
		n = 8
	}
	if !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(int64(y), m) {
		return 0, 0, false
	}
	return DaysFromCivil(int64(y), m, d), n, true
}

func daysIn(y int64, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// parseClock parses HH:MM:SS[.ffffff] starting at s[i] with an hour field of
// at least 2 digits; it returns micros and the end index.
func parseClock(s []byte, i int, maxHour int) (int64, int, bool) {
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j-i < 1 || j-i > 3 {
		return 0, 0, false
	}
	h, _ := digitsAt(s, i, j-i)
	if h > maxHour || j+6 > len(s) || s[j] != ':' || s[j+3] != ':' {
		return 0, 0, false
	}
	mi, ok1 := digitsAt(s, j+1, 2)
	se, ok2 := digitsAt(s, j+4, 2)
	if !ok1 || !ok2 || mi > 59 || se > 59 {
		return 0, 0, false
	}
	micros := (int64(h)*3600 + int64(mi)*60 + int64(se)) * MicrosPerSecond
	j += 6
	if j < len(s) && s[j] == '.' {
		j++
		k := 0
		var frac int64
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			if k < 6 {
				frac = frac*10 + int64(s[j]-'0')
			} else if s[j] != '0' {
				return 0, 0, false // finer than microseconds: would be rounded
			}
			k++
			j++
		}
		if k == 0 {
			return 0, 0, false
		}
		for ; k < 6; k++ {
			frac *= 10
		}
		micros += frac
	}
	return micros, j, true
}

// ParseTimestamp parses "YYYY-MM-DD[ T]HH:MM:SS[.ffffff]" (or a bare date) as
// micros since the epoch in UTC. A trailing "Z" or "±HH:MM" offset is applied;
// digits finer than microseconds are refused rather than rounded.
func ParseTimestamp(s []byte) (int64, error) {
	days, i, ok := parseDatePrefix(s)
	if !ok {
		return 0, syntaxErr(s, "a timestamp (YYYY-MM-DD HH:MM:SS[.ffffff])")
	}
	micros := days * MicrosPerDay
	if i == len(s) {
		return micros, nil
	}
	if s[i] != ' ' && s[i] != 'T' {
		return 0, syntaxErr(s, "a timestamp (YYYY-MM-DD HH:MM:SS[.ffffff])")
	}
	clock, j, ok := parseClock(s, i+1, 23)
	if !ok {
		return 0, syntaxErr(s, "a timestamp (YYYY-MM-DD HH:MM:SS[.ffffff])")
	}
	micros += clock
	switch {
	case j == len(s):
		return micros, nil
	case s[j] == 'Z' && j+1 == len(s):
		return micros, nil
	case (s[j] == '+' || s[j] == '-') && j+6 == len(s) && s[j+3] == ':':
		oh, ok1 := digitsAt(s, j+1, 2)
		om, ok2 := digitsAt(s, j+4, 2)
		if ok1 && ok2 {
			off := (int64(oh)*3600 + int64(om)*60) * MicrosPerSecond
			if s[j] == '+' {
				off = -off
			}
			return micros + off, nil
		}
	}
	return 0, syntaxErr(s, "a timestamp (YYYY-MM-DD HH:MM:SS[.ffffff])")
}

// ParseTime parses [-]HHH:MM:SS[.ffffff] (MySQL's TIME range and beyond) into
// micros.
func ParseTime(s []byte) (int64, error) {
	neg := len(s) > 0 && s[0] == '-'
	i := 0
	if neg {
		i = 1
	}
	micros, j, ok := parseClock(s, i, 999)
	if !ok || j != len(s) {
		return 0, syntaxErr(s, "a time (HH:MM:SS[.ffffff])")
	}
	if neg {
		micros = -micros
	}
	return micros, nil
}

// ParseBool accepts true/false, 1/0, yes/no, y/n, t/f in any case.
func ParseBool(s []byte) (bool, error) {
	switch len(s) {
	case 1:
		switch s[0] | 0x20 {
		case '1' | 0x20, 't', 'y':
			return true, nil
		case '0' | 0x20, 'f', 'n':
			return false, nil
		}
	case 2, 3, 4, 5:
		var b [5]byte
		for i, c := range s {
			b[i] = c | 0x20
		}
		switch string(b[:len(s)]) {
		case "true", "yes":
			return true, nil
		case "false", "no":
			return false, nil
		}
	}
	return false, syntaxErr(s, "a boolean (true/false)")
}

// ParseText parses s as a value of column c and appends it to v (whose kind
// must be c.Kind). It never rounds: text that does not fit is an error.
func ParseText(v *Vector, c Column, s []byte) error {
	switch c.Kind {
	case Int:
		x, err := ParseInt(s)
		if err != nil {
			return err
		}
		v.AppendInt(x)
	case Uint:
		x, err := ParseUint(s)
		if err != nil {
			return err
		}
		v.AppendUint(x)
	case Float:
		x, err := strconv.ParseFloat(string(s), 64)
		if err != nil {
			return syntaxErr(s, "a number")
		}
		v.AppendFloat(x)
	case Decimal:
		data, err := AppendDecimal(v.data, s, c.Precision, decimalScale(c))
		if err != nil {
			return err
		}
		v.data = data
		v.nulls = append(v.nulls, false)
		v.offs = append(v.offs, int32(len(v.data)))
	case String:
		if !utf8.Valid(s) {
			return fmt.Errorf("%q is not valid UTF-8", s)
		}
		v.AppendBytes(s)
	case Bytes:
		v.AppendBytes(s)
	case Bool:
		b, err := ParseBool(s)
		if err != nil {
			return err
		}
		v.AppendBool(b)
	case Date:
		d, err := ParseDate(s)
		if err != nil {
			return err
		}
		v.AppendInt(d)
	case Time:
		t, err := ParseTime(s)
		if err != nil {
			return err
		}
		v.AppendInt(t)
	case Timestamp:
		t, err := ParseTimestamp(s)
		if err != nil {
			return err
		}
		v.AppendInt(t)
	default:
		return fmt.Errorf("column %s has no kind", c.Name)
	}
	return nil
}

// decimalScale is the scale to normalise a decimal column's values to: the
// declared one when a precision is declared, else as the values come.
func decimalScale(c Column) int {
	if c.Precision > 0 {
		return c.Scale
	}
	return -1
}

// GoLayout converts a Java/DataX date pattern (yyyy-MM-dd HH:mm:ss.SSS) to
// a Go time layout.
func GoLayout(pattern string) string {
	return javaPattern.Replace(pattern)
}

var javaPattern = strings.NewReplacer("yyyy", "2006", "yy", "06", "MM", "01", "dd", "02", "HH", "15",
	"mm", "04", "ss", "05", "SSSSSS", "000000", "SSS", "000")
