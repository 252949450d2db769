package stream

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"datax/record"
)

type mode uint8

const (
	constant mode = iota
	null
	randomRange
	increment
)

// generator produces one column's values.
type generator struct {
	mode     mode
	kind     record.Kind
	fixed    int64   // constant Int/Bool/Timestamp
	float    float64 // constant Float
	text     []byte  // constant String/Bytes/Decimal
	lo, hi   int64   // random range (lengths for strings)
	flo, fhi float64
	start    int64 // increment
	step     int64
	fstart   float64
	fstep    float64
	buf      []byte
	col      record.Column
}

func newGenerator(col record.Column, c Column) (generator, error) {
	g := generator{kind: col.Kind, col: col}
	switch {
	case c.Random != "":
		g.mode = randomRange
		lo, hi, ok := strings.Cut(c.Random, ",")
		if !ok {
			return g, fmt.Errorf("random %q: expected \"min,max\"", c.Random)
		}
		if col.Kind == record.Timestamp {
			a, err := parseDate(strings.TrimSpace(lo), c.DateFormat)
			if err != nil {
				return g, err
			}
			b, err := parseDate(strings.TrimSpace(hi), c.DateFormat)
			if err != nil {
				return g, err
			}
			g.lo, g.hi = a, b
		} else if col.Kind == record.Float {
			var err1, err2 error
			g.flo, err1 = strconv.ParseFloat(strings.TrimSpace(lo), 64)
			g.fhi, err2 = strconv.ParseFloat(strings.TrimSpace(hi), 64)
			if err1 != nil || err2 != nil {
				return g, fmt.Errorf("random %q: expected two numbers \"min,max\"", c.Random)
			}
		} else {
			var err1, err2 error
			g.lo, err1 = strconv.ParseInt(strings.TrimSpace(lo), 10, 64)
			g.hi, err2 = strconv.ParseInt(strings.TrimSpace(hi), 10, 64)
			if err1 != nil || err2 != nil {
				return g, fmt.Errorf("random %q: expected two integers \"min,max\"", c.Random)
			}
		}
		if g.hi < g.lo || g.fhi < g.flo {
			return g, fmt.Errorf("random %q: max is below min", c.Random)
		}
		if (col.Kind == record.String || col.Kind == record.Bytes) && g.lo < 0 {
			return g, fmt.Errorf("random %q: a length cannot be negative", c.Random)
		}
	case c.Incr != "":
		g.mode = increment
		start, step, ok := strings.Cut(c.Incr, ",")
		if !ok {
			step = "1"
		}
		var err error
		switch col.Kind {
		case record.Int, record.Decimal:
			g.start, err = strconv.ParseInt(strings.TrimSpace(start), 10, 64)
			if err == nil {
				g.step, err = strconv.ParseInt(strings.TrimSpace(step), 10, 64)
			}
		case record.Float:
			g.fstart, err = strconv.ParseFloat(strings.TrimSpace(start), 64)
			if err == nil {
				g.fstep, err = strconv.ParseFloat(strings.TrimSpace(step), 64)
			}
		case record.Timestamp:
			g.start, err = parseDate(strings.TrimSpace(start), c.DateFormat)
			if err == nil {
				var days int64
				days, err = strconv.ParseInt(strings.TrimSpace(step), 10, 64)
				g.step = days * record.MicrosPerDay
			}
		default:
			return g, fmt.Errorf("incr works on long, double, decimal and date columns, not %s", c.Type)
		}
		if err != nil {
			return g, fmt.Errorf("incr %q: expected \"start,step\"", c.Incr)
		}
	case c.Value == nil:
		g.mode = null
	default:
		g.mode = constant
		text := valueText(c.Value)
		v := record.NewVector(col.Kind)
		var err error
		if col.Kind == record.Timestamp {
			var t int64
			if t, err = parseDate(text, c.DateFormat); err == nil {
				v.AppendInt(t)
			}
		} else {
			err = record.ParseText(v, col, []byte(text))
		}
		if err != nil {
			return g, fmt.Errorf("value: %v", err)
		}
		switch col.Kind {
		case record.String, record.Bytes, record.Decimal:
			g.text = append([]byte(nil), v.Bytes(0)...)
		case record.Float:
			g.float = v.Float(0)
		default:
			g.fixed = v.Int(0)
		}
	}
	return g, nil
}

func valueText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

func parseDate(s, pattern string) (int64, error) {
	t, err := time.Parse(record.GoLayout(pattern), s)
	if err != nil {
		micros, err2 := record.ParseTimestamp([]byte(s))
		if err2 != nil {
			return 0, fmt.Errorf("%q does not match the date pattern %q", s, pattern)
		}
		return micros, nil
	}
	return t.UnixMicro(), nil
}

const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func (g *generator) next(v *record.Vector, row int64, rng *rand.Rand) {
	switch g.mode {
	case null:
		v.AppendNull()
	case constant:
		switch g.kind {
		case record.String, record.Bytes, record.Decimal:
			v.AppendBytes(g.text)
		case record.Float:
			v.AppendFloat(g.float)
		default:
			v.AppendInt(g.fixed)
		}
	case increment:
		switch g.kind {
		case record.Float:
			v.AppendFloat(g.fstart + float64(row)*g.fstep)
		case record.Decimal:
			g.appendDecimal(v, g.start+row*g.step)
		default:
			v.AppendInt(g.start + row*g.step)
		}
	case randomRange:
		switch g.kind {
		case record.Float:
			v.AppendFloat(g.flo + rng.Float64()*(g.fhi-g.flo))
		case record.String, record.Bytes:
			n := g.lo + rng.Int64N(g.hi-g.lo+1)
			g.buf = g.buf[:0]
			for k := int64(0); k < n; k++ {
				g.buf = append(g.buf, letters[rng.IntN(len(letters))])
			}
			v.AppendBytes(g.buf)
		case record.Decimal:
			g.appendDecimal(v, g.lo+rng.Int64N(g.hi-g.lo+1))
		case record.Bool:
			v.AppendBool(rng.IntN(2) == 1)
		default:
			v.AppendInt(g.lo + rng.Int64N(g.hi-g.lo+1))
		}
	}
}

// appendDecimal appends the integer x as a decimal of the column's scale; one
// that does not fit the precision becomes null.
func (g *generator) appendDecimal(v *record.Vector, x int64) {
	var digits [24]byte
	text, err := record.AppendDecimal(g.buf[:0], strconv.AppendInt(digits[:0], x, 10), g.col.Precision, g.col.Scale)
	g.buf = text
	if err != nil {
		v.AppendNull()
		return
	}
	v.AppendBytes(text)
}
