package drift_test

import (
	"strings"
	"testing"
	"time"

	"datax/drift"
)

func TestWindowIsAParameter(t *testing.T) {
	f := newFixture(t, "parquet")
	// Order 30: modified at 23:59:30, logged 10 minutes after midnight.
	// Order 31: modified at 23:59, logged 20 minutes after midnight.
	// Order 32: drifted (paid on D, stamped 00:20 on D+1, logged 00:20:05).
	f.land(background + `
30|created|2026-11-22 12:00:00|NULL|NULL|2026-11-22 12:00:00|2026-11-22 12:00:01|1
30|paid|2026-11-22 12:00:00|2026-11-22 23:59:30|NULL|2026-11-22 23:59:30|2026-11-23 00:10:00|2
31|created|2026-11-22 12:00:00|NULL|NULL|2026-11-22 12:00:00|2026-11-22 12:00:02|3
31|paid|2026-11-22 12:00:00|2026-11-22 23:59:00|NULL|2026-11-22 23:59:00|2026-11-23 00:20:00|4
32|created|2026-11-22 12:00:00|NULL|NULL|2026-11-22 12:00:00|2026-11-22 12:00:03|5
32|paid|2026-11-22 12:00:00|2026-11-22 23:59:59|NULL|2026-11-23 00:20:00|2026-11-23 00:20:05|6`)
	statuses := func(out string) string {
		var s []string
		for _, id := range []int{30, 31, 32} {
			s = append(s, strings.Split(row(out, id), "|")[1])
		}
		return strings.Join(s, ",")
	}
	for _, c := range []struct {
		window, want string
		putBack      int64
	}{
		{"5m", "created,created,created", 0},
		{"", "paid,created,created", 1}, // the default, 15m
		{"30m", "paid,paid,paid", 3},
		{"1800", "paid,paid,paid", 3}, // seconds
	} {
		cfg := f.config()
		if c.window != "" {
			rules(cfg)["window"] = c.window
		}
		res := f.mustRun(cfg)
		if got := statuses(f.output()); got != c.want {
			t.Errorf("window %q: orders 30, 31, 32 are %s in D, want %s", c.window, got, c.want)
		}
		if res.Stats.PutBack() != c.putBack {
			t.Errorf("window %q: %d rows put back, want %d", c.window, res.Stats.PutBack(), c.putBack)
		}
	}
}

// instantLog are changes whose times are moments in UTC (instant
// timestamps). Order 20 is paid at 15:59:59Z, logged at 16:00:03Z: 23:59:59
// and 00:00:03 in Shanghai. Order 21 is created at 20:00Z (04:00 the next
// day in Shanghai). Order 22 is created at 03:00Z on D+1 (22:00 on D in New
// York). Order 23 is a change of D+2 that proves D+1 was read in every zone.
const instantLog = `
20|created|2026-11-22 15:50:00|NULL|NULL|2026-11-22 15:50:00|2026-11-22 15:50:01|1
20|paid|2026-11-22 15:50:00|2026-11-22 15:59:59|NULL|2026-11-22 15:59:59|2026-11-22 16:00:03|2
21|created|2026-11-22 20:00:00|NULL|NULL|2026-11-22 20:00:00|2026-11-22 20:00:01|3
22|created|2026-11-23 03:00:00|NULL|NULL|2026-11-23 03:00:00|2026-11-23 03:00:01|4
23|created|2026-11-24 12:00:00|NULL|NULL|2026-11-24 12:00:00|2026-11-24 12:00:01|5`

func TestTimeZoneIsAParameter(t *testing.T) {
	f := newFixture(t, "parquet")
	f.land(instantLog)
	for _, c := range []struct {
		zone, want string
		lateLogs   int64
	}{
		// D is [16:00Z Nov 21, 16:00Z Nov 22): order 20 is a late log of D.
		{"Asia/Shanghai", "20:paid", 1},
		// D is [00:00Z, 24:00Z) Nov 22.
		{"UTC", "20:paid 21:created", 0},
		// D is [05:00Z Nov 22, 05:00Z Nov 23) (EST).
		{"America/New_York", "20:paid 21:created 22:created", 0},
	} {
		cfg := f.config()
		f.readAll(cfg)
		rules(cfg)["timeZone"] = c.zone
		rules(cfg)["timestamps"] = "instant"
		res := f.mustRun(cfg)
		var got []string
		for _, l := range strings.Split(f.output(), "\n") {
			if fields := strings.Split(l, "|"); len(fields) > 1 {
				got = append(got, fields[0]+":"+fields[1])
			}
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s: D holds %s, want %s", c.zone, strings.Join(got, " "), c.want)
		}
		if res.Stats.LateLogs != c.lateLogs {
			t.Errorf("%s: %d late logs put back, want %d", c.zone, res.Stats.LateLogs, c.lateLogs)
		}
	}
}

func TestTimestampsWallClockOrInstant(t *testing.T) {
	f := newFixture(t, "parquet")
	f.land(instantLog)
	// Read as wall-clock times of Shanghai, order 20's changes are at 15:50
	// and 15:59 on D, 21 at 20:00 on D, 22 on D+1.
	cfg := f.config()
	f.readAll(cfg)
	rules(cfg)["timestamps"] = "wallclock"
	res := f.mustRun(cfg)
	if got := f.output(); row(got, 20) == "" || row(got, 21) == "" || row(got, 22) != "" {
		t.Fatalf("wall-clock D:\n%s\nwant orders 20 and 21", got)
	}
	if res.Stats.LateLogs != 0 {
		t.Errorf("%d late logs, want 0", res.Stats.LateLogs)
	}
}

func TestThreeProcTimeColumns(t *testing.T) {
	f := newFixture(t, "parquet")
	// Candidates of step 2: rows stamped on D+1 (00:01), logged within W.
	// Each names which business time is on D+1.
	f.land(background + `
40|paid|2026-11-22 23:00:00|2026-11-22 23:59:59|NULL|2026-11-23 00:01:00|2026-11-23 00:01:30|1
41|ordered-late|2026-11-23 00:00:30|NULL|NULL|2026-11-23 00:01:00|2026-11-23 00:01:31|2
42|paid-late|2026-11-22 23:00:00|2026-11-23 00:00:40|NULL|2026-11-23 00:01:00|2026-11-23 00:01:32|3
43|finished-late|2026-11-22 23:00:00|2026-11-22 23:30:00|2026-11-23 00:00:50|2026-11-23 00:01:00|2026-11-23 00:01:33|4
44|no-business-time|NULL|NULL|NULL|2026-11-23 00:01:00|2026-11-23 00:01:34|5
45|old-order-paid|2026-11-19 10:00:00|2026-11-22 23:59:58|NULL|2026-11-23 00:01:00|2026-11-23 00:01:35|6`)
	ids := func(out string) string {
		var got []string
		for _, id := range []int{40, 41, 42, 43, 44, 45} {
			if row(out, id) != "" {
				got = append(got, strings.Split(row(out, id), "|")[0])
			}
		}
		return strings.Join(got, ",")
	}
	for _, c := range []struct {
		procTime []any
		want     string
		excluded int64
	}{
		// All three: a non-null business time on D+1 (or before D: order 45
		// was ordered three days earlier) keeps the change out of D.
		{[]any{"order_time", "pay_time", "end_time"}, "40,44", 4},
		{[]any{"order_time"}, "40,42,43,44", 2},
		{[]any{"pay_time"}, "40,41,43,44,45", 1},
		{[]any{"end_time"}, "40,41,42,44,45", 1},
		{[]any{}, "40,41,42,43,44,45", 0},
	} {
		cfg := f.config()
		rules(cfg)["procTime"] = c.procTime
		res := f.mustRun(cfg)
		if got := ids(f.output()); got != c.want {
			t.Errorf("procTime %v: put back %s, want %s", c.procTime, got, c.want)
		}
		if res.Stats.ExcludedBy != c.excluded {
			t.Errorf("procTime %v: %d excluded by proc_time, want %d", c.procTime, res.Stats.ExcludedBy, c.excluded)
		}
	}
}

func TestRestrictProcTimeIsAnOptionOffByDefault(t *testing.T) {
	f := newFixture(t, "parquet")
	// Order 50 was ordered and paid days ago; on D its address changed. Off
	// (the default), D mirrors the source and keeps the change; on, the
	// book's restriction drops it.
	f.land(background + `
50|address-changed|2026-11-19 10:00:00|2026-11-19 10:05:00|NULL|2026-11-22 11:00:00|2026-11-22 11:00:01|1`)
	f.mustRun(nil)
	if row(f.output(), 50) == "" {
		t.Fatal("order 50's change on D is missing without restrictProcTime")
	}
	cfg := f.config()
	rules(cfg)["restrictProcTime"] = true
	res := f.mustRun(cfg)
	if got := f.output(); row(got, 50) != "" || row(got, 900) == "" {
		t.Fatalf("with restrictProcTime, D is:\n%s\nwant order 900 and not 50", got)
	}
	if res.Stats.Restricted != 1 {
		t.Errorf("%d rows dropped by restrictProcTime, want 1", res.Stats.Restricted)
	}
	if !strings.Contains(strings.Join(res.Lines(), "\n"), "1 rows dropped by restrictProcTime") {
		t.Errorf("the report does not say what restrictProcTime dropped:\n%s", strings.Join(res.Lines(), "\n"))
	}
}

// redundantLog: order 60 paid at 23:00 on D and refunded at 00:05 on D+1
// (the known weakness of the redundant mode); order 61 logged at 23:50 on
// D−1; order 62 logged at 00:20 on D+1, after W.
const redundantLog = background + `
60|paid|2026-11-22 22:00:00|2026-11-22 23:00:00|NULL|2026-11-22 23:00:00|2026-11-22 23:00:01|1
60|refunded|2026-11-22 22:00:00|2026-11-22 23:00:00|2026-11-23 00:05:00|2026-11-23 00:05:00|2026-11-23 00:05:01|2
61|created|2026-11-21 23:50:00|NULL|NULL|2026-11-21 23:50:00|2026-11-21 23:50:01|3
62|created|2026-11-23 00:20:00|NULL|NULL|2026-11-23 00:20:00|2026-11-23 00:20:01|4`

func TestRedundantModeKeepsWAtBothEnds(t *testing.T) {
	f := newFixture(t, "parquet")
	f.land(redundantLog)
	cfg := f.config()
	f.readAll(cfg)
	rules(cfg)["mode"] = "redundant"
	res := f.mustRun(cfg)
	out := f.output()
	if !strings.HasPrefix(row(out, 60), "60|refunded|") || row(out, 61) == "" || row(out, 62) != "" || row(out, 902) != "" {
		t.Fatalf("redundant D:\n%s\nwant 60 refunded (the last change within W), 61 (logged within W before D), not 62 nor 902", out)
	}
	if res.Stats.Mode != drift.Redundant || res.Stats.Today != 5 {
		t.Errorf("mode %s, %d changes in D ± W; want redundant, 5", res.Stats.Mode, res.Stats.Today)
	}
	// The correct mode keeps order 60 paid on D and 61 out of it.
	cfg = f.config()
	f.readAll(cfg)
	f.mustRun(cfg)
	if out := f.output(); !strings.HasPrefix(row(out, 60), "60|paid|") || row(out, 61) != "" {
		t.Fatalf("correct D:\n%s\nwant 60 paid and no 61", out)
	}
}

func TestRedundantModeForDirectPullsCutsByModifiedTime(t *testing.T) {
	f := newFixture(t, "parquet")
	f.land(redundantLog)
	cfg := f.config()
	f.readAll(cfg)
	r := rules(cfg)
	r["mode"] = "redundant"
	delete(r, "logTime")
	delete(r, "position")
	f.mustRun(cfg)
	out := f.output()
	if !strings.HasPrefix(row(out, 60), "60|refunded|") || row(out, 61) == "" || row(out, 62) != "" {
		t.Fatalf("redundant D by modified_time:\n%s", out)
	}
}

// dstLog are changes around New York's daylight-saving days of 2026, as
// moments in UTC. 2026-03-08 has 23 hours: [05:00Z Mar 8, 04:00Z Mar 9).
// 2026-11-01 has 25: [04:00Z Nov 1, 05:00Z Nov 2).
const dstLog = `
70|paid|2026-03-09 03:00:00|2026-03-09 03:59:00|NULL|2026-03-09 03:59:00|2026-03-09 03:59:30|1
71|created|2026-03-09 04:10:00|NULL|NULL|2026-03-09 04:10:00|2026-03-09 04:10:30|2
72|paid|2026-03-09 03:00:00|2026-03-09 03:59:59|NULL|2026-03-09 04:00:01|2026-03-09 04:00:03|3
79|created|2026-03-10 12:00:00|NULL|NULL|2026-03-10 12:00:00|2026-03-10 12:00:01|4
73|paid|2026-11-02 04:00:00|2026-11-02 04:30:00|NULL|2026-11-02 04:30:00|2026-11-02 04:30:05|5
74|paid|2026-11-01 04:10:00|2026-11-01 04:30:00|NULL|2026-11-01 04:30:00|2026-11-01 04:30:05|6
75|paid|2026-10-31 20:00:00|2026-11-01 03:30:00|NULL|2026-11-01 03:30:00|2026-11-01 04:01:00|7
76|created|2026-11-01 05:30:00|NULL|NULL|2026-11-01 05:30:00|2026-11-01 05:30:00|8
77|created|2026-11-01 06:10:00|NULL|NULL|2026-11-01 06:10:00|2026-11-01 06:10:00|9
78|created|2026-11-02 05:10:00|NULL|NULL|2026-11-02 05:10:00|2026-11-02 05:10:01|10
89|created|2026-11-03 12:00:00|NULL|NULL|2026-11-03 12:00:00|2026-11-03 12:00:01|11`

func dstRun(t *testing.T, f *fixture, day string) (string, *drift.Result) {
	cfg := f.config()
	f.readAll(cfg)
	r := rules(cfg)
	r["day"], r["timeZone"], r["timestamps"] = day, "America/New_York", "instant"
	res := f.mustRun(cfg)
	var ids []string
	for _, l := range strings.Split(f.outputOf(strings.ReplaceAll(day, "-", "")), "\n") {
		if l != "" {
			ids = append(ids, strings.Split(l, "|")[0])
		}
	}
	return strings.Join(ids, ","), res
}

func TestDaylightSavingDayOf23Hours(t *testing.T) {
	f := newFixture(t, "parquet")
	f.land(dstLog)
	// 70 at 23:59 EDT is on D; 71 at 00:10 EDT Mar 9 is not (D+24h would
	// hold it); 72, paid at 23:59:59 and stamped 00:00:01, is put back.
	got, res := dstRun(t, f, "2026-03-08")
	if got != "70,72" {
		t.Errorf("2026-03-08 in New York holds %s, want 70,72", got)
	}
	if h := res.Stats.Day.Hours(); h != 23 {
		t.Errorf("2026-03-08 in New York has %v hours, want 23", h)
	}
	if res.Stats.Drifted != 1 {
		t.Errorf("%d drifted, want 1 (order 72)", res.Stats.Drifted)
	}
}

func TestDaylightSavingDayOf25Hours(t *testing.T) {
	f := newFixture(t, "parquet")
	f.land(dstLog)
	// 73 at 23:30 EST is on D (D+24h would miss it); 74 at 00:30 EDT and
	// 76, 77 in the repeated hour are on D; 75 (modified 23:30 EDT Oct 31,
	// logged 00:01 on D) is a late log of D−1; 78 at 00:10 EST Nov 2 is not.
	got, res := dstRun(t, f, "2026-11-01")
	if got != "73,74,76,77" {
		t.Errorf("2026-11-01 in New York holds %s, want 73,74,76,77", got)
	}
	if h := res.Stats.Day.Hours(); h != 25 {
		t.Errorf("2026-11-01 in New York has %v hours, want 25", h)
	}
	if res.Stats.LatePrev != 1 {
		t.Errorf("%d D−1 late logs, want 1 (order 75)", res.Stats.LatePrev)
	}
}

func TestMidnightIsTheFirstMomentTheClockReadsTheDay(t *testing.T) {
	for _, c := range []struct {
		zone, day, start string
		hours            float64
	}{
		{"America/New_York", "2026-03-08", "2026-03-08T05:00:00Z", 23},
		{"America/New_York", "2026-11-01", "2026-11-01T04:00:00Z", 25},
		{"Europe/Berlin", "2026-03-29", "2026-03-28T23:00:00Z", 23},
		{"Europe/Berlin", "2026-10-25", "2026-10-24T22:00:00Z", 25},
		// Santiago's clock skips 00:00–01:00 on 2026-09-06: the day starts
		// at 01:00 (-03), 23 hours long.
		{"America/Santiago", "2026-09-06", "2026-09-06T04:00:00Z", 23},
		// On 2026-04-05 its clock goes from 23:59:59 (-03) back to 23:00
		// (-04) on the 4th: the 4th has 25 hours, and the 5th starts at the
		// first 00:00, which is in -04.
		{"America/Santiago", "2026-04-04", "2026-04-04T03:00:00Z", 25},
		{"America/Santiago", "2026-04-05", "2026-04-05T04:00:00Z", 24},
		{"Asia/Shanghai", "2026-11-22", "2026-11-21T16:00:00Z", 24},
		{"UTC", "2026-11-22", "2026-11-22T00:00:00Z", 24},
	} {
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			t.Fatal(err)
		}
		date, _ := drift.ParseDate(c.day)
		d := drift.NewDay(date, loc, drift.Instant)
		if got := time.UnixMicro(d.Start).UTC().Format(time.RFC3339); got != c.start || d.Hours() != c.hours {
			t.Errorf("%s %s: starts %s and has %v hours, want %s and %v", c.zone, c.day, got, d.Hours(), c.start, c.hours)
		}
		if w := drift.NewDay(date, loc, drift.WallClock); w.Hours() != 24 {
			t.Errorf("%s %s: a wall-clock day has %v hours, want 24", c.zone, c.day, w.Hours())
		}
	}
}
