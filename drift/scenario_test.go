package drift_test

import (
	"testing"
)

// The scenarios of issue 7's "Done when", each on a change log landed as
// real partitions (Parquet, and text for some) and read back through
// hdfsreader. D is 2026-11-22 (Asia/Shanghai, wall-clock times), W 15m,
// proc_time = order_time, pay_time, end_time.

func TestOrderPaidAt235959LoggedAt000003AppearsInDInItsPaidState(t *testing.T) {
	for _, format := range []string{"parquet", "text"} {
		t.Run(format, func(t *testing.T) {
			f := newFixture(t, format)
			// Order 1: modified at 23:59:59 (on D), logged after midnight.
			// Order 2: paid at 23:59:59 but its row stamped 00:00:01 (D+1),
			// logged 00:00:03: it drifted over midnight, its pay_time is on D.
			f.land(background + `
1|created|2026-11-22 23:50:00|NULL|NULL|2026-11-22 23:50:00|2026-11-22 23:50:01|10
1|paid|2026-11-22 23:50:00|2026-11-22 23:59:59|NULL|2026-11-22 23:59:59|2026-11-23 00:00:03|11
2|created|2026-11-22 23:40:00|NULL|NULL|2026-11-22 23:40:00|2026-11-22 23:40:01|12
2|paid|2026-11-22 23:40:00|2026-11-22 23:59:59|NULL|2026-11-23 00:00:01|2026-11-23 00:00:03|13`)
			res := f.mustRun(nil)
			got := f.output()
			if w := want(
				"1|paid|2026-11-22 23:50:00|2026-11-22 23:59:59|NULL|2026-11-22 23:59:59|2026-11-23 00:00:03|11",
				"2|paid|2026-11-22 23:40:00|2026-11-22 23:59:59|NULL|2026-11-23 00:00:01|2026-11-23 00:00:03|13",
			); got != w {
				t.Fatalf("D's partition:\n%s\nwant:\n%s", got, w)
			}
			st := res.Stats
			if st.LateLogs != 1 || st.Drifted != 1 || st.Replaced != 1 || st.PutBack() != 2 {
				t.Errorf("put back: %d late logs, %d drifted (%d replacing), want 1, 1 (1)", st.LateLogs, st.Drifted, st.Replaced)
			}
		})
	}
}

func TestLaterCancellationAt0005DoesNotReplaceThePaidState(t *testing.T) {
	f := newFixture(t, "parquet")
	// The cancellation at 00:05 sets end_time on D+1: its business time is
	// not on D, so it is D+1's change, not a drifted one.
	f.land(background + `
1|created|2026-11-22 23:50:00|NULL|NULL|2026-11-22 23:50:00|2026-11-22 23:50:01|10
1|paid|2026-11-22 23:50:00|2026-11-22 23:59:59|NULL|2026-11-22 23:59:59|2026-11-23 00:00:03|11
1|cancelled|2026-11-22 23:50:00|2026-11-22 23:59:59|2026-11-23 00:05:00|2026-11-23 00:05:00|2026-11-23 00:05:01|12`)
	res := f.mustRun(nil)
	if got, w := row(f.output(), 1), "1|paid|2026-11-22 23:50:00|2026-11-22 23:59:59|NULL|2026-11-22 23:59:59|2026-11-23 00:00:03|11"; got != w {
		t.Fatalf("order 1 in D: %s, want %s", got, w)
	}
	if res.Stats.ExcludedBy != 1 || res.Stats.Drifted != 0 {
		t.Errorf("%d changes excluded by proc_time, %d drifted; want 1 and 0", res.Stats.ExcludedBy, res.Stats.Drifted)
	}
}

func TestChangeModifiedAt2358LoggedAt0001IsInD(t *testing.T) {
	f := newFixture(t, "text")
	f.land(background + `
3|created|2026-11-22 10:00:00|NULL|NULL|2026-11-22 10:00:00|2026-11-22 10:00:02|20
3|paid|2026-11-22 10:00:00|2026-11-22 23:58:00|NULL|2026-11-22 23:58:00|2026-11-23 00:01:00|21`)
	f.mustRun(nil)
	if got, w := f.output(), want("3|paid|2026-11-22 10:00:00|2026-11-22 23:58:00|NULL|2026-11-22 23:58:00|2026-11-23 00:01:00|21"); got != w {
		t.Fatalf("D's partition:\n%s\nwant:\n%s", got, w)
	}
}

func TestLateLogAt0002OfChangeModifiedTheDayBeforeIsNotInD(t *testing.T) {
	f := newFixture(t, "parquet")
	// Order 4 was paid on D−1 at 23:57; the change is logged at 00:02 on D,
	// so it lands in D's change-log partition, but it belongs to D−1.
	f.land(background + `
4|paid|2026-11-21 20:00:00|2026-11-21 23:57:00|NULL|2026-11-21 23:57:00|2026-11-22 00:02:00|30`)
	res := f.mustRun(nil)
	if got := f.output(); got != want() {
		t.Fatalf("D's partition:\n%s\nwant only the background:\n%s", got, want())
	}
	if res.Stats.LatePrev != 1 {
		t.Errorf("%d changes dropped as D−1 late logs, want 1", res.Stats.LatePrev)
	}
}

func TestOrderWhoseBusinessTimeIsAlreadyDPlus1IsNotInD(t *testing.T) {
	f := newFixture(t, "parquet")
	// Order 5 is created at 00:03 on D+1 and logged within W: modified on
	// D+1 with its order_time on D+1.
	f.land(background + `
5|created|2026-11-23 00:03:00|NULL|NULL|2026-11-23 00:03:00|2026-11-23 00:03:30|40`)
	res := f.mustRun(nil)
	if got := f.output(); got != want() {
		t.Fatalf("D's partition:\n%s\nwant only the background:\n%s", got, want())
	}
	if res.Stats.ExcludedBy != 1 {
		t.Errorf("%d changes excluded by proc_time, want 1", res.Stats.ExcludedBy)
	}
}

func TestChangeAt0020OutsideWDoesNotAffectD(t *testing.T) {
	f := newFixture(t, "parquet")
	// Order 6: a change at 00:20 on D+1 whose business times are all on D
	// (a status change without a business time), 5 minutes after W.
	// Order 7: a change modified at 23:59 on D but logged only at 00:20.
	f.land(background + `
6|paid|2026-11-22 20:00:00|2026-11-22 20:01:00|NULL|2026-11-22 20:01:00|2026-11-22 20:01:01|50
6|shipping|2026-11-22 20:00:00|2026-11-22 20:01:00|NULL|2026-11-23 00:20:00|2026-11-23 00:20:01|51
7|created|2026-11-22 12:00:00|NULL|NULL|2026-11-22 12:00:00|2026-11-22 12:00:01|52
7|paid|2026-11-22 12:00:00|2026-11-22 23:59:00|NULL|2026-11-22 23:59:00|2026-11-23 00:20:00|53`)
	f.mustRun(nil)
	if got, w := f.output(), want(
		"6|paid|2026-11-22 20:00:00|2026-11-22 20:01:00|NULL|2026-11-22 20:01:00|2026-11-22 20:01:01|50",
		"7|created|2026-11-22 12:00:00|NULL|NULL|2026-11-22 12:00:00|2026-11-22 12:00:01|52",
	); got != w {
		t.Fatalf("D's partition:\n%s\nwant:\n%s", got, w)
	}
}

func TestTwoChangesModifiedOnDLoggedAfterMidnightLeaveDInTheLaterState(t *testing.T) {
	f := newFixture(t, "text")
	// Order 8: paid at 23:59:50, succeeded at 23:59:56, both logged after
	// midnight (the log lags). Order 9: the same, both changes logged in
	// the same second, told apart by the log position (landed out of order).
	f.land(background + `
8|paid|2026-11-22 23:00:00|2026-11-22 23:59:50|NULL|2026-11-22 23:59:50|2026-11-23 00:00:05|60
8|succeeded|2026-11-22 23:00:00|2026-11-22 23:59:50|2026-11-22 23:59:56|2026-11-22 23:59:56|2026-11-23 00:00:09|61
9|succeeded|2026-11-22 23:00:00|2026-11-22 23:59:50|2026-11-22 23:59:56|2026-11-22 23:59:56|2026-11-23 00:00:07|71
9|paid|2026-11-22 23:00:00|2026-11-22 23:59:50|NULL|2026-11-22 23:59:50|2026-11-23 00:00:07|70`)
	res := f.mustRun(nil)
	if got, w := f.output(), want(
		"8|succeeded|2026-11-22 23:00:00|2026-11-22 23:59:50|2026-11-22 23:59:56|2026-11-22 23:59:56|2026-11-23 00:00:09|61",
		"9|succeeded|2026-11-22 23:00:00|2026-11-22 23:59:50|2026-11-22 23:59:56|2026-11-22 23:59:56|2026-11-23 00:00:07|71",
	); got != w {
		t.Fatalf("D's partition:\n%s\nwant:\n%s", got, w)
	}
	if res.Stats.LateLogs != 2 {
		t.Errorf("%d late logs put back, want 2", res.Stats.LateLogs)
	}
}

func TestDriftedRecordIsTheFirstOfDPlus1ByModifiedTime(t *testing.T) {
	f := newFixture(t, "parquet")
	// Order 10 is paid at 23:59:58 but its row is stamped 00:00:02 and
	// 00:00:04 by two updates that both keep the business times on D
	// (logged in reverse order): the first by modified_time is put back,
	// whatever the log order.
	f.land(background + `
10|created|2026-11-22 23:59:00|NULL|NULL|2026-11-22 23:59:00|2026-11-22 23:59:01|80
10|paid-confirmed|2026-11-22 23:59:00|2026-11-22 23:59:58|NULL|2026-11-23 00:00:04|2026-11-23 00:00:05|81
10|paid|2026-11-22 23:59:00|2026-11-22 23:59:58|NULL|2026-11-23 00:00:02|2026-11-23 00:00:06|82`)
	f.mustRun(nil)
	if got, w := row(f.output(), 10), "10|paid|2026-11-22 23:59:00|2026-11-22 23:59:58|NULL|2026-11-23 00:00:02|2026-11-23 00:00:06|82"; got != w {
		t.Fatalf("order 10 in D: %s, want %s", got, w)
	}
}

func TestDriftCorrectionIsRepeatable(t *testing.T) {
	f := newFixture(t, "parquet")
	f.land(background + `
1|paid|2026-11-22 23:50:00|2026-11-22 23:59:59|NULL|2026-11-22 23:59:59|2026-11-23 00:00:03|11`)
	f.mustRun(nil)
	first := f.output()
	f.mustRun(nil)
	if again := f.output(); again != first {
		t.Fatalf("a rerun changed D's partition:\n%s\nfirst:\n%s", again, first)
	}
}
