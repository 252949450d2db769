package drift

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"datax/spec"
)

// Mode is how D's partition is cut.
type Mode string

const (
	// Correct puts midnight-crossing changes back on D (SPEC.md §6, steps
	// 1–3): D's changes from a window W wider than D on the log time, and the
	// first change of D+1's first W that really crossed midnight.
	Correct Mode = "correct"
	// Redundant keeps every change whose time falls within W of D at either
	// end, the last per key, and leaves the exact cut to downstream (by its
	// proc_time). For sources without a change log (direct pulls).
	Redundant Mode = "redundant"
)

// Rules configure a drift correction. They are declared once, with spec
// tags: the "drift" object of `datax drift`'s config, whose JSON keys the
// messages use.
type Rules struct {
	Day      string     `json:"day" required:"true" example:"${bizdate}" doc:"business date D: YYYYMMDD or YYYY-MM-DD"`
	TimeZone string     `json:"timeZone" example:"Asia/Shanghai" doc:"IANA time zone whose midnights cut the days (UTC, Asia/Shanghai, America/New_York); required here, by --timezone, or by the global config: never the machine's"`
	Times    Timestamps `json:"timestamps" enum:"wallclock,instant" doc:"how the time columns' values are read: wallclock (local times of timeZone, as a MySQL DATETIME or a text timestamp without offset lands) or instant (moments in UTC, as a MySQL TIMESTAMP read in UTC or an epoch time lands; a daylight-saving day is then 23 or 25 hours); required unless timeZone is UTC, where both are the same"`
	Window   Window     `json:"window" default:"\"15m\"" doc:"W: how long after midnight a change of the day before may be logged and still count for that day (later, it counts for the day it is logged on); in mode redundant the overlap kept at each end of D. \"15m\", \"1h\", or seconds; more than 0 and less than 24h"`
	Mode     Mode       `json:"mode" enum:"correct,redundant" default:"correct" doc:"correct: put changes that drifted over midnight back on D (SPEC §6); redundant: keep W extra at both ends, the last change per key, and leave the cut to downstream"`

	Key          spec.StringList `json:"key" required:"true" example:"[\"order_id\"]" doc:"key column(s): one output row per key"`
	LogTime      string          `json:"logTime" example:"log_time" doc:"change-log time column (a timestamp); required in correct mode; in redundant mode the column that is cut (else modifiedTime)"`
	Position     string          `json:"position" example:"log_pos" doc:"log position column: orders changes with the same log time"`
	ModifiedTime string          `json:"modifiedTime" example:"modified_time" doc:"the row's update time (a timestamp); required in correct mode"`
	ProcTime     spec.StringList `json:"procTime" example:"[\"order_time\", \"pay_time\", \"end_time\"]" doc:"business-process time columns (timestamps or dates): a change of D+1 is put back on D only when all of them that are not null fall on D"`

	RestrictProcTime bool            `json:"restrictProcTime" doc:"also drop result rows whose non-null procTime columns do not all fall on D, as the book does (off: it drops the day's changes to older orders, so the ODS no longer mirrors the source)"`
	AllowMissingNext bool            `json:"allowMissingNext" doc:"accept an input with no change at or after D+1 00:00 + W (D+1's change log seems missing or incomplete: drifted changes cannot be recovered); off: that is an error"`
	Drop             spec.StringList `json:"drop" example:"[\"op_ts\"]" doc:"input columns left out of the output"`
}

// Validate checks what the declaration alone cannot (spec calls it after
// decoding).
func (r *Rules) Validate() error {
	if _, err := ParseDate(r.Day); err != nil {
		return spec.Errorf("day", "%v", strings.TrimPrefix(err.Error(), "day "))
	}
	if _, _, err := r.zoned(); err != nil {
		return err
	}
	if err := r.Window.check(); err != nil {
		return spec.Errorf("window", "%v", err)
	}
	switch r.Mode {
	case Correct:
		if r.LogTime == "" {
			return spec.Errorf("logTime", "is required in mode correct: the change-log time column whose windows find the changes (for a source without a change log use mode redundant)")
		}
		if r.ModifiedTime == "" {
			return spec.Errorf("modifiedTime", "is required in mode correct: the row's update time, which says on which day a change happened")
		}
	case Redundant:
		if r.LogTime == "" && r.ModifiedTime == "" {
			return spec.Errorf("logTime", "mode redundant needs logTime or modifiedTime: the time column that is cut")
		}
		if r.RestrictProcTime {
			return spec.Errorf("restrictProcTime", "applies to mode correct only: mode redundant leaves the cut by procTime to downstream")
		}
	}
	for _, k := range r.Key {
		if k == "" {
			return spec.Errorf("key", "a key column name is empty")
		}
	}
	return nil
}

// LoadZone returns the IANA time zone name. "Local" and "" are refused:
// the machine's zone is never taken by accident.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || strings.EqualFold(name, "local") {
		return nil, fmt.Errorf("time zone %q: name a zone (UTC, Asia/Shanghai, ...); the machine's zone is never taken by accident", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q: expected an IANA name such as UTC, Asia/Shanghai or America/New_York", name)
	}
	return loc, nil
}

// zoned returns the zone and the reading of timestamps, checked together:
// a zone other than UTC needs Times, since the two readings differ there.
func (r *Rules) zoned() (*time.Location, Timestamps, error) {
	if r.TimeZone == "" {
		return nil, "", spec.Errorf("timeZone", "is required: the zone whose midnights cut the days (e.g. Asia/Shanghai or UTC); the machine's zone is never taken by accident")
	}
	loc, err := LoadZone(r.TimeZone)
	if err != nil {
		return nil, "", spec.Errorf("timeZone", "%v", err)
	}
	ts := r.Times
	if ts == "" {
		if !alwaysUTC(loc) {
			return nil, "", spec.Errorf("timestamps", "is required with timeZone %s: say whether the time columns hold wall-clock times of %s (\"wallclock\": a MySQL DATETIME, a text timestamp without offset) or moments in UTC (\"instant\": a MySQL TIMESTAMP read in UTC, an epoch time)", r.TimeZone, r.TimeZone)
		}
		ts = WallClock
	}
	return loc, ts, nil
}

// alwaysUTC reports whether loc has offset 0 at every moment worth asking.
func alwaysUTC(loc *time.Location) bool {
	for _, y := range []int{1970, 2000, 2026, 2050} {
		for _, m := range []time.Month{time.January, time.July} {
			if _, off := time.Date(y, m, 1, 0, 0, 0, 0, loc).Zone(); off != 0 {
				return false
			}
		}
	}
	return true
}

// Window is W. It decodes like spec.Duration but also takes a negative
// value, so that Validate can say what is wrong with it.
type Window struct{ time.Duration }

// UnmarshalParam accepts "15m", "-5m", "1h30m" or a number of seconds.
func (w *Window) UnmarshalParam(raw any) error {
	var text string
	switch x := raw.(type) {
	case string:
		text = strings.TrimSpace(x)
	case json.Number:
		text = x.String() + "s"
	default:
		return fmt.Errorf("expected a duration such as \"15m\" or a number of seconds, got %s", spec.Describe(raw))
	}
	if n, err := strconv.ParseFloat(text, 64); err == nil {
		text = strconv.FormatFloat(n, 'f', -1, 64) + "s"
	}
	d, err := time.ParseDuration(text)
	if err != nil {
		return fmt.Errorf("expected a duration such as \"15m\" or a number of seconds, got %s", spec.Describe(raw))
	}
	w.Duration = d
	return nil
}

// ParamType names the type in the reference.
func (w *Window) ParamType() string { return "duration" }

func (w Window) check() error {
	if w.Duration <= 0 || w.Duration >= 24*time.Hour {
		return fmt.Errorf("must be more than 0 and less than 24h, got %s", w.Duration)
	}
	return nil
}
