package record

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// ConvertFunc appends value i of src, converted, to dst. A value the target
// cannot hold exactly is an error, and the row it belongs to becomes a dirty
// record; nothing is truncated or rounded.
type ConvertFunc func(dst, src *Vector, i int) error

// maxExactFloatInt is the largest integer magnitude a float64 holds exactly.
const maxExactFloatInt = 1 << 53

// NewConverter returns the conversion from column src to column dst, or an
// error when no value of src's kind can ever become dst's kind.
func NewConverter(src, dst Column) (ConvertFunc, error) {
	conv, err := valueConverter(src, dst)
	if err != nil {
		return nil, err
	}
	notNull := dst.NotNull
	return func(d, s *Vector, i int) error {
		if s.IsNull(i) {
			if notNull {
				return fmt.Errorf("column %s: null in a NOT NULL column", dst.Name)
			}
			d.AppendNull()
			return nil
		}
		if err := conv(d, s, i); err != nil {
			return fmt.Errorf("column %s: %w", dst.Name, err)
		}
		return nil
	}, nil
}

// appendText formats a non-null value and appends the text to dst.
func appendText(dst, src *Vector, i int, c Column) {
	dst.data = AppendText(dst.data, src, i, c)
	dst.nulls = append(dst.nulls, false)
	dst.offs = append(dst.offs, int32(len(dst.data)))
}

func valueConverter(src, dst Column) (func(d, s *Vector, i int) error, error) {
	sk, dk := src.Kind, dst.Kind
	if sk == dk {
		switch {
		case dk == Decimal && dst.Precision > 0 && (dst.Precision != src.Precision || dst.Scale != src.Scale):
			return func(d, s *Vector, i int) error { return ParseText(d, dst, s.Bytes(i)) }, nil
		case dk == String:
			return func(d, s *Vector, i int) error { d.AppendBytes(s.Bytes(i)); return nil }, nil
		}
		return func(d, s *Vector, i int) error { d.AppendFrom(s, i); return nil }, nil
	}
	switch dk {
	case String:
		if sk == Bytes {
			return func(d, s *Vector, i int) error {
				b := s.Bytes(i)
				if !utf8.Valid(b) {
					return fmt.Errorf("bytes %q are not valid UTF-8 text", b)
				}
				d.AppendBytes(b)
				return nil
			}, nil
		}
		return func(d, s *Vector, i int) error { appendText(d, s, i, src); return nil }, nil
	case Bytes:
		return func(d, s *Vector, i int) error { appendText(d, s, i, src); return nil }, nil
	}
	if sk == String || sk == Bytes {
		return func(d, s *Vector, i int) error { return ParseText(d, dst, s.Bytes(i)) }, nil
	}
	numeric := func(k Kind) bool { return k == Int || k == Uint || k == Float || k == Decimal || k == Bool }
	switch {
	case numeric(sk) && numeric(dk):
		return numericConverter(src, dst), nil
	case sk == Date && dk == Timestamp:
		return func(d, s *Vector, i int) error { d.AppendInt(s.Int(i) * MicrosPerDay); return nil }, nil
	case sk == Timestamp && dk == Date:
		return func(d, s *Vector, i int) error {
			t := s.Int(i)
			if t%MicrosPerDay != 0 {
				return fmt.Errorf("timestamp %s has a time of day; a date would drop it", AppendTimestamp(nil, t, 0))
			}
			d.AppendInt(t / MicrosPerDay)
			return nil
		}, nil
	}
	return nil, fmt.Errorf("column %s: a %s cannot become a %s", src.Name, sk, dk)
}

// numericConverter converts between Int, Uint, Float, Decimal and Bool
// through the exact decimal text of the value when no faster path applies.
func numericConverter(src, dst Column) func(d, s *Vector, i int) error {
	dk := dst.Kind
	return func(d, s *Vector, i int) error {
		switch src.Kind {
		case Int, Bool:
			x := s.Int(i)
			switch dk {
			case Uint:
				if x < 0 {
					return fmt.Errorf("%d is negative; an unsigned column cannot hold it", x)
				}
				d.AppendUint(uint64(x))
				return nil
			case Int:
				d.AppendInt(x)
				return nil
			case Float:
				if x > maxExactFloatInt || x < -maxExactFloatInt {
					return fmt.Errorf("%d has more digits than a double holds exactly", x)
				}
				d.AppendFloat(float64(x))
				return nil
			case Bool:
				if x != 0 && x != 1 {
					return fmt.Errorf("%d is not a boolean (0 or 1)", x)
				}
				d.AppendInt(x)
				return nil
			}
		case Uint:
			x := s.Uint(i)
			switch dk {
			case Int:
				if x > math.MaxInt64 {
					return fmt.Errorf("%d is out of the signed 64-bit range", x)
				}
				d.AppendInt(int64(x))
				return nil
			case Float:
				if x > maxExactFloatInt {
					return fmt.Errorf("%d has more digits than a double holds exactly", x)
				}
				d.AppendFloat(float64(x))
				return nil
			case Bool:
				if x > 1 {
					return fmt.Errorf("%d is not a boolean (0 or 1)", x)
				}
				d.AppendInt(int64(x))
				return nil
			}
		case Float:
			f := s.Float(i)
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return fmt.Errorf("%v has no exact %s value", f, dk)
			}
		}
		// General path: through the value's exact decimal text.
		var buf [64]byte
		text := AppendText(buf[:0], s, i, src)
		return fromDecimalText(d, dst, text)
	}
}

// fromDecimalText stores decimal text (as produced by AppendText of a numeric
// kind) into a numeric column without rounding.
func fromDecimalText(d *Vector, dst Column, text []byte) error {
	switch dst.Kind {
	case Decimal:
		return ParseText(d, dst, text)
	case Int, Uint:
		canon, err := AppendDecimal(nil, text, 0, 0)
		if err != nil {
			return fmt.Errorf("%s is not a whole number", text)
		}
		return ParseText(d, dst, canon)
	case Bool:
		canon, err := AppendDecimal(nil, text, 0, 0)
		if err != nil || (string(canon) != "0" && string(canon) != "1") {
			return fmt.Errorf("%s is not a boolean (0 or 1)", text)
		}
		d.AppendBool(canon[0] == '1')
		return nil
	case Float:
		f, err := strconv.ParseFloat(string(text), 64)
		if err != nil {
			return fmt.Errorf("%s is not a number", text)
		}
		back, _ := AppendDecimal(nil, AppendFloat(nil, f), 0, -1)
		want, _ := AppendDecimal(nil, text, 0, -1)
		if !decimalEqual(back, want) {
			return fmt.Errorf("%s has no exact double value (nearest is %s)", text, AppendFloat(nil, f))
		}
		d.AppendFloat(f)
		return nil
	}
	return fmt.Errorf("cannot store %s as %s", text, dst.Kind)
}

// decimalEqual compares two canonical decimal texts ignoring trailing
// fraction zeros.
func decimalEqual(a, b []byte) bool {
	trim := func(s []byte) []byte {
		for i := 0; i < len(s); i++ {
			if s[i] == '.' {
				for len(s) > i+1 && s[len(s)-1] == '0' {
					s = s[:len(s)-1]
				}
				if len(s) == i+1 {
					s = s[:i]
				}
				break
			}
		}
		return s
	}
	return string(trim(a)) == string(trim(b))
}
