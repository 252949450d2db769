package rdbms

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var offsetRE = regexp.MustCompile(`^([+-])(\d{1,2}):?(\d{2})$`)

// ParseZone parses a time zone as MySQL and users write it: "UTC", an
// offset ("+08:00", "-05:30") or an IANA name ("Asia/Shanghai").
func ParseZone(s string) (*time.Location, error) {
	s = strings.TrimSpace(s)
	switch strings.ToUpper(s) {
	case "UTC", "Z", "GMT", "+00:00", "-00:00", "UTC+00:00":
		return time.UTC, nil
	}
	if m := offsetRE.FindStringSubmatch(s); m != nil {
		h, _ := strconv.Atoi(m[2])
		mi, _ := strconv.Atoi(m[3])
		if h > 14 || mi > 59 {
			return nil, fmt.Errorf("time zone offset %s is out of range", s)
		}
		off := h*3600 + mi*60
		if m[1] == "-" {
			off = -off
		}
		return time.FixedZone(s, off), nil
	}
	loc, err := time.LoadLocation(s)
	if err != nil || s == "" || strings.EqualFold(s, "Local") {
		return nil, fmt.Errorf("unknown time zone %q: expected UTC, an offset such as +08:00, or a name such as Asia/Shanghai", s)
	}
	return loc, nil
}

// SessionZone returns the time zone in which q's session shows TIMESTAMP
// values: @@session.time_zone, or the server's system zone when that is
// SYSTEM. A system zone known only by an ambiguous abbreviation (CST) is an
// error that says how to set one.
func SessionZone(ctx context.Context, q Querier) (*time.Location, error) {
	var tz, system string
	if err := queryRow(ctx, q, "SELECT @@session.time_zone, @@system_time_zone", nil, &tz, &system); err != nil {
		return nil, Classify(err)
	}
	name := tz
	if strings.EqualFold(tz, "SYSTEM") {
		name = system
	}
	loc, err := ParseZone(name)
	if err != nil {
		return nil, fmt.Errorf("the session's time zone is %s (%s), which does not name one zone; "+
			"TIMESTAMP values of querySql are read in it: set one with \"session\": [\"SET time_zone = '+00:00'\"]", tz, name)
	}
	return loc, nil
}
