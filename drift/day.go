package drift

import (
	"fmt"
	"math"
	"strings"
	"time"

	"datax/record"
)

// Timestamps says how the values of the time columns are to be read.
type Timestamps string

const (
	// WallClock values are wall-clock times of the time zone, carried as if
	// they were UTC: what a MySQL DATETIME, or a text timestamp without an
	// offset, becomes in a record. D is 00:00 to 24:00 on that clock.
	WallClock Timestamps = "wallclock"
	// Instant values are moments (microseconds since the epoch, UTC): a
	// MySQL TIMESTAMP read in UTC, a log's epoch time. D runs from the
	// moment the zone's clock first reads D 00:00 to the moment it first
	// reads D+1 00:00, so a daylight-saving day is 23 or 25 hours long.
	Instant Timestamps = "instant"
)

// Day is business date D in one time zone: the cuts on the time axis of
// the timestamp columns (microseconds) that the windows are made of.
type Day struct {
	Date  int64 // D, days since 1970-01-01
	Start int64 // D 00:00
	End   int64 // D+1 00:00
	Next  int64 // D+2 00:00 (the end of D+1)
}

// ParseDate parses a business date written YYYYMMDD (as ${bizdate}) or
// YYYY-MM-DD, into days since 1970-01-01.
func ParseDate(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if len(t) == 8 && !strings.Contains(t, "-") {
		t = t[:4] + "-" + t[4:6] + "-" + t[6:]
	}
	d, err := record.ParseDate([]byte(t))
	if err != nil || len(t) != 10 {
		return 0, fmt.Errorf("day %q: expected a date as YYYYMMDD or YYYY-MM-DD", s)
	}
	return d, nil
}

// FormatDate renders days since 1970-01-01 as YYYY-MM-DD.
func FormatDate(days int64) string { return string(record.AppendDate(nil, days)) }

// NewDay returns the cuts of day date (days since 1970-01-01) in loc, for
// time columns read as ts.
func NewDay(date int64, loc *time.Location, ts Timestamps) Day {
	cut := func(d int64) int64 { return d * record.MicrosPerDay }
	if ts == Instant {
		cut = func(d int64) int64 { return Midnight(d, loc) }
	}
	return Day{Date: date, Start: cut(date), End: cut(date + 1), Next: cut(date + 2)}
}

// Midnight returns the first moment (microseconds since the epoch) at which
// the clock of loc reads day 00:00 or later. That is D 00:00 itself on most
// days; when the zone's clock jumps over midnight (daylight saving starting
// at 00:00, as in America/Santiago), the day starts at the jump; when the
// clock goes back over midnight, the day starts at its first 00:00.
func Midnight(day int64, loc *time.Location) int64 {
	wall := day * 86_400 // D 00:00 on the zone's clock, in seconds as if UTC
	// The clock reads t+offset(t): increasing within each period of one
	// offset. Walk the periods from two days before; the first one whose
	// clock gets to wall holds the answer.
	t := time.Unix(wall-2*86_400, 0).In(loc)
	for {
		start, end := t.ZoneBounds()
		_, off := t.Zone()
		s, e := int64(math.MinInt64), int64(math.MaxInt64)
		if !start.IsZero() {
			s = start.Unix()
		}
		if !end.IsZero() {
			e = end.Unix()
		}
		if e == math.MaxInt64 || e+int64(off) > wall {
			return max(s, wall-int64(off)) * record.MicrosPerSecond
		}
		t = end.In(loc)
	}
}

// Hours returns the length of the day in hours, for messages (24, or 23 and
// 25 on daylight-saving days with Instant timestamps).
func (d Day) Hours() float64 {
	return float64(d.End-d.Start) / float64(3600*record.MicrosPerSecond)
}
