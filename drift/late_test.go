package drift_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"datax/drift"
	"datax/record"
)

// Changes logged more than W after their own day. Running D and then D+1,
// each change must land in exactly one day's partition (the reviewer's
// row-loss bug: such a change was in neither).

func TestChangeLoggedMoreThanWAfterItsDayIsKeptOnTheDayItIsLogged(t *testing.T) {
	f := newFixture(t, "parquet")
	// Order 7: paid at 23:59 on D, logged at 00:20 on D+1 (after W).
	// Order 11: modified 23:59:59 on D, logged at exactly D+1 00:15:00.
	// Order 16: the same logged at 00:14:59, the last second of D's window.
	// Order 14: a late change of D logged at 00:16, after a change of D+1
	// logged at 00:10:01 (excluded from D by its end_time): on D+1 the late
	// one is the last by log time. Order 15: a late change of D logged at
	// 00:16, then D+1's own change logged at 00:30:01, which is the last.
	// Order 903 is a change of D+2, which shows D+2's log was read.
	f.land(background + `
7|created|2026-11-22 12:00:00|NULL|NULL|2026-11-22 12:00:00|2026-11-22 12:00:01|52
7|paid|2026-11-22 12:00:00|2026-11-22 23:59:00|NULL|2026-11-22 23:59:00|2026-11-23 00:20:00|53
11|paid|2026-11-22 23:00:00|2026-11-22 23:59:59|NULL|2026-11-22 23:59:59|2026-11-23 00:15:00|80
16|paid|2026-11-22 23:00:00|2026-11-22 23:59:59|NULL|2026-11-22 23:59:59|2026-11-23 00:14:59|81
14|address-changed|2026-11-22 23:00:00|NULL|2026-11-23 00:10:00|2026-11-23 00:10:00|2026-11-23 00:10:01|82
14|late-paid|2026-11-22 23:00:00|2026-11-22 23:59:30|NULL|2026-11-22 23:59:30|2026-11-23 00:16:00|83
15|late-paid|2026-11-22 23:00:00|2026-11-22 23:59:30|NULL|2026-11-22 23:59:30|2026-11-23 00:16:00|84
15|shipped|2026-11-22 23:00:00|2026-11-22 23:59:30|NULL|2026-11-23 00:30:00|2026-11-23 00:30:01|85
903|created|2026-11-24 08:00:00|NULL|NULL|2026-11-24 08:00:00|2026-11-24 08:00:01|86`)

	d := f.mustRunDay(nil, "20261122")
	if got, w := f.outputOf("20261122"), want(
		"7|created|2026-11-22 12:00:00|NULL|NULL|2026-11-22 12:00:00|2026-11-22 12:00:01|52",
		"16|paid|2026-11-22 23:00:00|2026-11-22 23:59:59|NULL|2026-11-22 23:59:59|2026-11-23 00:14:59|81",
	); got != w {
		t.Fatalf("D's partition:\n%s\nwant:\n%s", got, w)
	}
	if st := d.Stats; st.LateKept != 0 || st.LatePrev != 0 || st.LateLogs != 1 || st.ExcludedBy != 1 {
		t.Errorf("D: %d kept late, %d D−1 late logs, %d late logs put back, %d excluded; want 0, 0, 1 (order 16), 1 (order 14)",
			st.LateKept, st.LatePrev, st.LateLogs, st.ExcludedBy)
	}

	next := f.mustRunDay(nil, "20261123")
	if got, w := f.outputOf("20261123"), strings.Join([]string{
		"7|paid|2026-11-22 12:00:00|2026-11-22 23:59:00|NULL|2026-11-22 23:59:00|2026-11-23 00:20:00|53",
		"11|paid|2026-11-22 23:00:00|2026-11-22 23:59:59|NULL|2026-11-22 23:59:59|2026-11-23 00:15:00|80",
		"14|late-paid|2026-11-22 23:00:00|2026-11-22 23:59:30|NULL|2026-11-22 23:59:30|2026-11-23 00:16:00|83",
		"15|shipped|2026-11-22 23:00:00|2026-11-22 23:59:30|NULL|2026-11-23 00:30:00|2026-11-23 00:30:01|85",
		"902|created|2026-11-23 08:00:00|NULL|NULL|2026-11-23 08:00:00|2026-11-23 08:00:01|3",
	}, "\n"); got != w {
		t.Fatalf("D+1's partition:\n%s\nwant:\n%s", got, w)
	}
	st := next.Stats
	// Kept late: 7, 11, 14 and 15's late-paid. Order 16 belongs to D.
	if st.LateKept != 4 || st.LatePrev != 1 || st.LateLogs != 0 {
		t.Errorf("D+1: %d kept late, %d D−1 late logs, %d late logs put back; want 4, 1 (order 16), 0", st.LateKept, st.LatePrev, st.LateLogs)
	}
	report := strings.Join(next.Lines(), "\n")
	if !strings.Contains(report, "4 changes logged more than W after their day, kept on this day, 1 changes dropped as D−1 late logs") {
		t.Errorf("the report of D+1 does not count the late changes:\n%s", report)
	}

	// The reviewer's two changes (and order 16's) are each in exactly one
	// partition.
	for _, c := range []string{"|2026-11-23 00:20:00|53", "|2026-11-23 00:15:00|80", "|2026-11-23 00:14:59|81"} {
		n := 0
		for _, day := range []string{"20261122", "20261123"} {
			for _, l := range strings.Split(f.outputOf(day), "\n") {
				if strings.HasSuffix(l, c) {
					n++
				}
			}
		}
		if n != 1 {
			t.Errorf("the change logged at %s is in %d partitions, want 1", c, n)
		}
	}
}

// On daylight-saving days (America/New_York, instants) the windows are cut
// at the zone's midnights: 2026-11-01 runs from 04:00Z to 05:00Z on Nov 2
// (25 hours), 2026-03-08 from 05:00Z to 04:00Z on Mar 9 (23 hours). A day
// of 24 hours from D's midnight would give orders 82, 84 and 85 to the
// wrong day.
func TestChangesLoggedLateOnDaylightSavingDays(t *testing.T) {
	f := newFixture(t, "parquet")
	f.land(`
80|late|2026-10-31 20:00:00|NULL|NULL|2026-11-01 03:50:00|2026-11-01 04:20:00|1
81|own|2026-11-01 20:00:00|NULL|NULL|2026-11-02 04:50:00|2026-11-02 05:14:00|2
82|late|2026-11-01 20:00:00|NULL|NULL|2026-11-02 04:50:00|2026-11-02 05:16:00|3
84|late|2026-10-31 14:00:00|NULL|NULL|2026-10-31 14:00:00|2026-11-02 05:10:00|4
89|created|2026-11-03 12:00:00|NULL|NULL|2026-11-03 12:00:00|2026-11-03 12:00:01|5
85|late|2026-03-07 17:00:00|NULL|NULL|2026-03-07 17:00:00|2026-03-09 04:20:00|6
86|own|2026-03-08 16:00:00|NULL|NULL|2026-03-08 16:00:00|2026-03-08 16:00:01|7
87|late|2026-03-07 17:00:00|NULL|NULL|2026-03-07 17:00:00|2026-03-09 04:14:00|8
79|created|2026-03-10 12:00:00|NULL|NULL|2026-03-10 12:00:00|2026-03-10 12:00:01|9`)
	// 80: modified 23:50 EDT Oct 31, logged 00:20 EDT Nov 1: Nov 1's.
	// 81: modified 23:50 EST Nov 1, logged 00:14 EST Nov 2: Nov 1's own.
	// 82: the same logged at 00:16 EST Nov 2: Nov 2's.
	// 84: modified Oct 31, logged 00:10 EST Nov 2 (05:10Z): still Nov 1's,
	// whose window ends at 05:15Z.
	// 85: modified Mar 7, logged 00:20 EDT Mar 9 (04:20Z): Mar 9's, whose
	// window starts at 04:15Z. 87, logged at 04:14Z, is Mar 8's.
	for _, c := range []struct {
		day, want string
		kept      int64
	}{
		{"2026-11-01", "80,81,84", 2},
		{"2026-11-02", "82", 1},
		{"2026-03-08", "86,87", 1},
		{"2026-03-09", "85", 1},
	} {
		got, res := dstRun(t, f, c.day)
		if got != c.want {
			t.Errorf("%s in New York holds %s, want %s", c.day, got, c.want)
		}
		if res.Stats.LateKept != c.kept {
			t.Errorf("%s: %d changes kept late, want %d", c.day, res.Stats.LateKept, c.kept)
		}
	}
}

// TestEveryChangeIsInExactlyOneDaysStep1 runs drift day after day over
// random change logs of five days and checks that every change is in the
// step 1 of exactly one day: the day of its modified_time when it is logged
// before that day's end + W, else the day whose [00:00 + W, next 00:00 + W)
// holds its log time. The only copies are step 2's put-backs, which are in
// D by design and in D+1's step 1 as well.
//
// The key is (order_id, log_pos), so that every change is a row of its own
// and the partitions show the step-1 sets (D's rows modified before D+1)
// and the put-backs (D's rows modified on D+1). Each day reads the
// change-log partitions of D−1, D and D+1, as the README says to when
// modified_time can be later than log_time (the generator skews some).
func TestEveryChangeIsInExactlyOneDaysStep1(t *testing.T) {
	for _, v := range []struct {
		name, zone string
		ts         drift.Timestamps
		first      string // the first of four days run
		seed       uint64
	}{
		{"Shanghai wallclock", "Asia/Shanghai", drift.WallClock, "2026-11-21", 1},
		{"New York instants, a 25h day", "America/New_York", drift.Instant, "2026-10-31", 2},
		{"New York instants, a 23h day", "America/New_York", drift.Instant, "2026-03-07", 3},
	} {
		t.Run(v.name, func(t *testing.T) {
			loc, err := time.LoadLocation(v.zone)
			if err != nil {
				t.Fatal(err)
			}
			first, _ := drift.ParseDate(v.first)
			runs := []int64{first, first + 1, first + 2, first + 3}
			log := randomLog(loc, v.ts, first-1, first+4, 400, v.seed)

			f := newFixture(t, "parquet")
			f.partOf = func(x int64) string { return ymd(localDate(x, loc, v.ts)) }
			var rows []string
			for _, c := range log {
				rows = append(rows, c.row)
			}
			f.land(strings.Join(rows, "\n"))

			cfg := func(mode drift.Mode) map[string]any {
				cfg := f.config()
				r := rules(cfg)
				r["timeZone"], r["timestamps"], r["mode"] = v.zone, string(v.ts), string(mode)
				r["key"] = []any{"order_id", "log_pos"}
				p := cfg["reader"].(map[string]any)["parameter"].(map[string]any)
				p["path"] = []any{f.logDir() + "/dt=${bizdate-1}", f.logDir() + "/dt=${bizdate}", f.logDir() + "/dt=${bizdate+1}"}
				return cfg
			}
			byPos := map[int64]change{}
			for _, c := range log {
				byPos[c.pos] = c
			}

			// The correct mode.
			step1 := map[int64][]int64{} // change → the days whose step 1 holds it
			putBack := map[int64]int64{} // change → the day it was put back on
			for _, day := range runs {
				res := f.mustRunDay(cfg(drift.Correct), ymd(day))
				d := drift.NewDay(day, loc, v.ts)
				var kept, prev int64
				for _, c := range log {
					if c.owner(loc, v.ts, 15*time.Minute) == day && c.mod < d.Start {
						kept++
					}
					if c.owner(loc, v.ts, 15*time.Minute) == day-1 && c.log >= d.Start {
						prev++
					}
				}
				if res.Stats.LateKept != kept || res.Stats.LatePrev != prev {
					t.Errorf("%s: %d changes kept late and %d D−1 late logs, want %d and %d", ymd(day), res.Stats.LateKept, res.Stats.LatePrev, kept, prev)
				}
				for _, r := range outputChanges(t, f.outputOf(ymd(day))) {
					c, ok := byPos[r.pos]
					if !ok || c.mod != r.mod {
						t.Fatalf("%s: output row %d is not a change of the log", ymd(day), r.pos)
					}
					if r.mod >= d.End {
						if _, dup := putBack[r.pos]; dup {
							t.Errorf("change %d put back twice", r.pos)
						}
						putBack[r.pos] = day
					} else {
						step1[r.pos] = append(step1[r.pos], day)
					}
				}
			}
			var lateKept, boundary, skewed, outside int
			for _, c := range log {
				got := step1[c.pos]
				owner := c.owner(loc, v.ts, 15*time.Minute)
				var want []int64
				if slices.Contains(runs, owner) {
					want = []int64{owner}
					if d := drift.NewDay(c.modDate(loc, v.ts), loc, v.ts); c.log >= d.End+int64(15*time.Minute/time.Microsecond) {
						lateKept++
						if c.log == d.End+int64(15*time.Minute/time.Microsecond) {
							boundary++
						}
					}
					if c.log < drift.NewDay(c.modDate(loc, v.ts), loc, v.ts).Start-int64(15*time.Minute/time.Microsecond) {
						skewed++
					}
				} else {
					outside++
				}
				if !slices.Equal(got, want) {
					t.Errorf("change %s is in the step 1 of %v, want %v", c.describe(loc, v.ts), ymds(got), ymds(want))
				}
				if day, ok := putBack[c.pos]; ok && slices.Contains(runs, day+1) && !slices.Equal(got, []int64{day + 1}) {
					t.Errorf("change %s was put back on %s but is not in the step 1 of %s", c.describe(loc, v.ts), ymd(day), ymd(day+1))
				}
			}
			t.Logf("%d changes: %d logged more than W after their day (%d at exactly 00:00 + W), %d logged more than W before their day, %d put back, %d of days not run",
				len(log), lateKept, boundary, skewed, len(putBack), outside)
			if lateKept == 0 || boundary == 0 || skewed == 0 || len(putBack) == 0 {
				t.Fatal("the random log lacks a case this test is about; change the generator")
			}

			// The redundant mode: every change logged within the days run is
			// in the day of its log time, and also in the neighbouring day
			// when it is logged within W of their midnight.
			in := map[int64][]int64{}
			for _, day := range runs {
				f.mustRunDay(cfg(drift.Redundant), ymd(day))
				for _, r := range outputChanges(t, f.outputOf(ymd(day))) {
					in[r.pos] = append(in[r.pos], day)
				}
			}
			w := int64(15 * time.Minute / time.Microsecond)
			for _, c := range log {
				var want []int64
				for _, day := range runs {
					if d := drift.NewDay(day, loc, v.ts); c.log >= d.Start-w && c.log < d.End+w {
						want = append(want, day)
					}
				}
				if !slices.Equal(in[c.pos], want) {
					t.Errorf("redundant: change %s is in %v, want %v", c.describe(loc, v.ts), ymds(in[c.pos]), ymds(want))
				}
			}
		})
	}
}

// change is one record of a random change log.
type change struct {
	pos, mod, log int64
	row           string // as fixture.land takes it
}

// owner is the day whose step 1 the change belongs to: its modified day M
// when logged before M+1 00:00 + W, else the day X with the log time in
// [X 00:00 + W, X+1 00:00 + W).
func (c change) owner(loc *time.Location, ts drift.Timestamps, w time.Duration) int64 {
	m := c.modDate(loc, ts)
	wu := int64(w / time.Microsecond)
	if c.log < drift.NewDay(m, loc, ts).End+wu {
		return m
	}
	x := localDate(c.log-wu, loc, ts)
	for drift.NewDay(x, loc, ts).Start+wu > c.log {
		x--
	}
	for drift.NewDay(x, loc, ts).End+wu <= c.log {
		x++
	}
	return x
}

func (c change) modDate(loc *time.Location, ts drift.Timestamps) int64 {
	return localDate(c.mod, loc, ts)
}

func (c change) describe(loc *time.Location, ts drift.Timestamps) string {
	return fmt.Sprintf("%d (modified %s, logged %s)", c.pos, localText(c.mod, loc, ts), localText(c.log, loc, ts))
}

// randomLog returns n changes modified from day from to day to (exclusive),
// many around the midnights, logged after them by a few seconds (most),
// up to 40 minutes, up to 30 hours, at exactly the next midnight + W ± 1s,
// or before they were modified (clock skew: up to 10 minutes, or more than W
// before their day's midnight); a background
// change at noon of every day from from−1 to to, so that every partition a
// run reads exists.
func randomLog(loc *time.Location, ts drift.Timestamps, from, to int64, n int, seed uint64) []change {
	r := rand.New(rand.NewPCG(seed, 7))
	const sec, minute = int64(time.Second / time.Microsecond), int64(time.Minute / time.Microsecond)
	w := 15 * minute
	var log []change
	add := func(mod, lt int64, order, pay, end string) {
		pos := int64(len(log) + 1)
		text := func(x int64) string { return string(record.AppendTimestamp(nil, x, 0)) }
		row := fmt.Sprintf("%d|v%d|%s|%s|%s|%s|%s|%d", 1+r.IntN(20), pos, order, pay, end, text(mod), text(lt), pos)
		log = append(log, change{pos: pos, mod: mod, log: lt, row: row})
	}
	for day := from - 1; day <= to; day++ {
		d := drift.NewDay(day, loc, ts)
		noon := d.Start + 12*60*minute
		add(noon, noon+sec, "NULL", "NULL", "NULL")
	}
	for range n {
		d := drift.NewDay(from+r.Int64N(to-from), loc, ts)
		var mod int64
		switch p := r.IntN(10); {
		case p < 5:
			mod = d.End - 1 - r.Int64N(30*minute)
		case p < 7:
			mod = d.Start + r.Int64N(30*minute)
		default:
			mod = d.Start + r.Int64N(d.End-d.Start)
		}
		mod = mod / sec * sec // whole seconds, as the log is landed as text
		var lt int64
		switch p := r.IntN(20); {
		case p < 10:
			lt = mod + r.Int64N(3*sec)
		case p < 13:
			lt = mod + r.Int64N(40*minute)
		case p < 15:
			lt = mod + r.Int64N(30*60*minute)
		case p < 17:
			lt = d.End + w + (r.Int64N(3)-1)*sec
		case p < 19:
			lt = mod - r.Int64N(10*minute)
		default:
			lt = d.Start - w - 1 - r.Int64N(20*minute)
		}
		lt = lt / sec * sec // whole seconds: ties of log time, told apart by position
		// Business times: ordered up to 3 hours before, paid and finished
		// just before (on the previous day for some changes just after
		// midnight: those drifted over it), or unknown.
		text := func(x int64) string { return string(record.AppendTimestamp(nil, x, 0)) }
		order, pay, end := "NULL", "NULL", "NULL"
		if r.IntN(5) > 0 {
			order = text(mod - r.Int64N(3*60*minute))
		}
		if r.IntN(2) == 0 {
			pay = text(mod - r.Int64N(2*minute))
		}
		if r.IntN(5) == 0 {
			end = text(mod - r.Int64N(10*sec))
		}
		add(mod, lt, order, pay, end)
	}
	return log
}

// outputRow is a change as D's partition holds it.
type outputRow struct{ pos, mod int64 }

func outputChanges(t *testing.T, out string) []outputRow {
	t.Helper()
	var rows []outputRow
	for _, l := range strings.Split(out, "\n") {
		if l == "" {
			continue
		}
		f := strings.Split(l, "|")
		pos, err := strconv.ParseInt(f[7], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		mod, err := record.ParseTimestamp([]byte(f[5]))
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, outputRow{pos, mod})
	}
	return rows
}

// localDate is the day (days since 1970-01-01) that x falls on in loc.
func localDate(x int64, loc *time.Location, ts drift.Timestamps) int64 {
	if ts == drift.Instant {
		y, m, d := time.UnixMicro(x).In(loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86_400
	}
	return floorDiv(x, record.MicrosPerDay)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func localText(x int64, loc *time.Location, ts drift.Timestamps) string {
	if ts == drift.Instant {
		return time.UnixMicro(x).In(loc).Format("2006-01-02 15:04:05 MST")
	}
	return string(record.AppendTimestamp(nil, x, 0))
}

func ymd(day int64) string { return strings.ReplaceAll(drift.FormatDate(day), "-", "") }

func ymds(days []int64) []string {
	var s []string
	for _, d := range days {
		s = append(s, drift.FormatDate(d))
	}
	return s
}
