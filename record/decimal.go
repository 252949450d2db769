package record

import (
	"fmt"
	"math/big"
	"strconv"
)

// AppendDecimal parses the decimal text s (an optional sign, digits, an
// optional point and fraction; no exponent), brings it to exactly scale
// fraction digits and appends its canonical form to dst: no leading zeros, a
// "-" only for non-zero values. A negative scale keeps the fraction as given.
// It fails, never rounds, when a non-zero digit would be cut off or when the
// value has more than precision-scale integer digits (precision 0: no limit).
func AppendDecimal(dst, s []byte, precision, scale int) ([]byte, error) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	intStart := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	intPart := s[intStart:i]
	var frac []byte
	if i < len(s) && s[i] == '.' {
		i++
		fs := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		frac = s[fs:i]
	}
	if i != len(s) || len(intPart)+len(frac) == 0 {
		return dst, fmt.Errorf("%q is not a decimal number", s)
	}
	for len(intPart) > 1 && intPart[0] == '0' {
		intPart = intPart[1:]
	}
	if len(intPart) == 0 {
		intPart = zeroDigit
	}
	if scale >= 0 && len(frac) > scale {
		for _, d := range frac[scale:] {
			if d != '0' {
				return dst, fmt.Errorf("%s has more than %d fraction digits; it would be rounded", s, scale)
			}
		}
		frac = frac[:scale]
	}
	if precision > 0 {
		intDigits := len(intPart)
		if intDigits == 1 && intPart[0] == '0' {
			intDigits = 0
		}
		if intDigits > precision-scale {
			return dst, fmt.Errorf("%s does not fit DECIMAL(%d,%d)", s, precision, scale)
		}
	}
	zero := intPart[0] == '0' && len(intPart) == 1
	for _, d := range frac {
		if d != '0' {
			zero = false
			break
		}
	}
	if neg && !zero {
		dst = append(dst, '-')
	}
	dst = append(dst, intPart...)
	nfrac := len(frac)
	if scale > nfrac {
		nfrac = scale
	}
	if nfrac > 0 {
		dst = append(dst, '.')
		dst = append(dst, frac...)
		for k := len(frac); k < nfrac; k++ {
			dst = append(dst, '0')
		}
	}
	return dst, nil
}

var zeroDigit = []byte{'0'}

// DecimalUnscaled returns the canonical decimal text s (as stored in a
// Decimal vector) as an unscaled integer at the given scale: "12.30" at scale
// 2 is 1230. ok is false when it does not fit in an int64 or s has more
// fraction digits than scale.
func DecimalUnscaled(s []byte, scale int) (v int64, ok bool) {
	neg := false
	i := 0
	if len(s) > 0 && s[0] == '-' {
		neg = true
		i = 1
	}
	digits := 0
	fracDigits := -1
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			fracDigits = 0
			continue
		}
		if c < '0' || c > '9' {
			return 0, false
		}
		if fracDigits >= 0 {
			fracDigits++
		}
		if v > (1<<63-1-9)/10 {
			return 0, false
		}
		v = v*10 + int64(c-'0')
		digits++
	}
	if fracDigits < 0 {
		fracDigits = 0
	}
	if fracDigits > scale {
		return 0, false
	}
	for ; fracDigits < scale; fracDigits++ {
		if v > (1<<63-1)/10 {
			return 0, false
		}
		v *= 10
	}
	if neg {
		v = -v
	}
	return v, digits > 0
}

// DecimalBig is DecimalUnscaled for any size: it returns the unscaled value
// as a big.Int (set into z).
func DecimalBig(z *big.Int, s []byte, scale int) (*big.Int, error) {
	var digits []byte
	fracDigits := -1
	neg := false
	for i, c := range s {
		switch {
		case c == '-' && i == 0:
			neg = true
		case c == '.':
			fracDigits = 0
		case c >= '0' && c <= '9':
			digits = append(digits, c)
			if fracDigits >= 0 {
				fracDigits++
			}
		default:
			return nil, fmt.Errorf("%q is not a decimal number", s)
		}
	}
	if fracDigits < 0 {
		fracDigits = 0
	}
	if fracDigits > scale {
		return nil, fmt.Errorf("%s has more than %d fraction digits", s, scale)
	}
	for ; fracDigits < scale; fracDigits++ {
		digits = append(digits, '0')
	}
	if _, ok := z.SetString(string(digits), 10); !ok {
		return nil, fmt.Errorf("%q is not a decimal number", s)
	}
	if neg {
		z.Neg(z)
	}
	return z, nil
}

// AppendDecimalInt64 appends the canonical text of unscaled×10^-scale
// without allocating (the common case: DECIMAL up to 18 digits).
func AppendDecimalInt64(dst []byte, unscaled int64, scale int) []byte {
	u := uint64(unscaled)
	if unscaled < 0 {
		dst = append(dst, '-')
		u = -u
	}
	var buf [20]byte
	digits := strconv.AppendUint(buf[:0], u, 10)
	if len(digits) <= scale {
		dst = append(dst, '0', '.')
		for k := len(digits); k < scale; k++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[:len(digits)-scale]...)
	if scale > 0 {
		dst = append(dst, '.')
		dst = append(dst, digits[len(digits)-scale:]...)
	}
	return dst
}

// AppendDecimalFromUnscaled appends the canonical text of unscaled×10^-scale.
func AppendDecimalFromUnscaled(dst []byte, unscaled *big.Int, scale int) []byte {
	if unscaled.IsInt64() {
		return AppendDecimalInt64(dst, unscaled.Int64(), scale)
	}
	digits := unscaled.Text(10)
	neg := false
	if len(digits) > 0 && digits[0] == '-' {
		neg = true
		digits = digits[1:]
	}
	for len(digits) <= scale {
		digits = "0" + digits
	}
	if neg {
		dst = append(dst, '-')
	}
	dst = append(dst, digits[:len(digits)-scale]...)
	if scale > 0 {
		dst = append(dst, '.')
		dst = append(dst, digits[len(digits)-scale:]...)
	}
	return dst
}
