package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"datax/testing/testenv"
)

// keyScanDB (re)creates the database dx_merge_keyscan_test with a table
// orders of n rows (testenv.MySQLDB: skipped without MariaDB, failed under
// CI=true) and drops it at the end.
func keyScanDB(t *testing.T, n int) *sql.DB {
	t.Helper()
	db := testenv.MySQLDB(t, "dx_merge_keyscan_test")
	t.Cleanup(func() { db.Exec("DROP DATABASE IF EXISTS dx_merge_keyscan_test") })
	_, err := db.Exec(`DROP TABLE IF EXISTS orders;
CREATE TABLE orders (
  id BIGINT NOT NULL PRIMARY KEY,
  status VARCHAR(16) NOT NULL,
  amount DECIMAL(10,2) NOT NULL,
  modified_time DATETIME NOT NULL,
  is_deleted TINYINT NOT NULL DEFAULT 0
);
INSERT INTO orders SELECT seq, 'new', seq / 4, '2026-11-21 10:00:00', 0 FROM seq_1_to_` + fmt.Sprint(n))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func mysqlReader(where string, columns ...string) string {
	return fmt.Sprintf(`{"name": "mysqlreader", "parameter": {"username": "root", "password": "", "column": [%s], "where": %q,
	  "splitPk": "id", "connection": [{"jdbcUrl": ["jdbc:mysql://127.0.0.1:3306/dx_merge_keyscan_test"], "table": ["orders"]}]}}`,
		`"`+strings.Join(columns, `", "`)+`"`, where)
}

// TestKeyScanAgainstMariaDB: rows physically deleted from a MariaDB table
// are flagged (or removed) in the next snapshot and nothing else changes; a
// scan cut short trips the guard and publishes nothing.
func TestKeyScanAgainstMariaDB(t *testing.T) {
	db := keyScanDB(t, 1000)
	dir := t.TempDir()
	write := func(name, deletes, scanWhere string) {
		cfg := fmt.Sprintf(`{"key": ["id"], "table": {"path": "ods_orders"}, "deletes": %q, "channel": 2,
		  "delta": {"reader": %s, "time": "modified_time", "softDelete": {"column": "is_deleted"}},
		  "keyScan": {"reader": %s, "minShare": 0.9}}`, deletes,
			mysqlReader("modified_time >= '${bizdate:yyyy-MM-dd}'", "id", "status", "amount", "modified_time", "is_deleted"),
			mysqlReader(scanWhere, "id"))
		os.WriteFile(filepath.Join(dir, name), []byte(cfg), 0o644)
	}
	write("flag.json", "flag", "")
	write("remove.json", "remove", "")
	write("partial.json", "flag", "id <= 300")

	// Day 1: the whole table is the first snapshot.
	if code, out, errOut := run(t, dir, "merge", "flag.json", "--day", "20261121", "--initial", "-p", "bizdate=20261101"); code != 0 {
		t.Fatalf("initial: exit %d\n%s\n%s", code, out, errOut)
	}
	day1 := partitionText(t, filepath.Join(dir, "ods_orders", "dt=20261121"))
	if strings.Count(day1, "\n") != 999 {
		t.Fatalf("first snapshot has %d rows", strings.Count(day1, "\n")+1)
	}
	// Day 2 at the source: 5 rows physically deleted, 3 updated, 2 inserted,
	// 1 soft-deleted.
	_, err := db.Exec(`DELETE FROM orders WHERE id IN (7, 100, 101, 555, 1000);
UPDATE orders SET status = 'paid', modified_time = '2026-11-22 09:00:00' WHERE id IN (1, 2, 3);
UPDATE orders SET is_deleted = 1, modified_time = '2026-11-22 09:30:00' WHERE id = 4;
INSERT INTO orders VALUES (1001, 'new', 1.50, '2026-11-22 11:00:00', 0), (1002, 'new', 2.50, '2026-11-22 11:00:00', 0)`)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, dir, "merge", "flag.json", "--day", "20261122")
	if code != 0 {
		t.Fatalf("merge: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "key scan: 997 keys in the source; 5 of the 1000 live snapshot keys are gone from it (0.50%)") {
		t.Errorf("summary:\n%s", out)
	}
	day2 := partitionText(t, filepath.Join(dir, "ods_orders", "dt=20261122"))
	before := map[string]string{}
	for _, l := range strings.Split(day1, "\n") {
		before[strings.SplitN(l, "|", 2)[0]] = l
	}
	changed := map[string]string{}
	for _, l := range strings.Split(day2, "\n") {
		id := strings.SplitN(l, "|", 2)[0]
		// Day 1's rows carried unchanged keep dx_deleted false and no day.
		if before[id] != l {
			changed[id] = l
		}
	}
	want := map[string]string{
		"1":    "1|paid|0.25|2026-11-22 09:00:00|0|false|NULL",
		"2":    "2|paid|0.50|2026-11-22 09:00:00|0|false|NULL",
		"3":    "3|paid|0.75|2026-11-22 09:00:00|0|false|NULL",
		"4":    "4|new|1.00|2026-11-22 09:30:00|1|true|2026-11-22",
		"7":    "7|new|1.75|2026-11-21 10:00:00|0|true|2026-11-22",
		"100":  "100|new|25.00|2026-11-21 10:00:00|0|true|2026-11-22",
		"101":  "101|new|25.25|2026-11-21 10:00:00|0|true|2026-11-22",
		"555":  "555|new|138.75|2026-11-21 10:00:00|0|true|2026-11-22",
		"1000": "1000|new|250.00|2026-11-21 10:00:00|0|true|2026-11-22",
		"1001": "1001|new|1.50|2026-11-22 11:00:00|0|false|NULL",
		"1002": "1002|new|2.50|2026-11-22 11:00:00|0|false|NULL",
	}
	if fmt.Sprint(changed) != fmt.Sprint(want) {
		t.Fatalf("rows that changed from day 1:\n%v\nwant:\n%v", changed, want)
	}

	// Remove mode: the gone keys are not in the snapshot.
	if code, out, errOut = run(t, dir, "merge", "remove.json", "--day", "20261123", "--previous", "20261121", "-p", "bizdate=20261122"); code != 0 {
		t.Fatalf("remove: exit %d\n%s\n%s", code, out, errOut)
	}
	day3 := partitionText(t, filepath.Join(dir, "ods_orders", "dt=20261123"))
	for _, id := range []string{"4", "7", "100", "101", "555", "1000"} {
		if strings.Contains("\n"+day3, "\n"+id+"|") {
			t.Errorf("key %s is still in the snapshot in remove mode", id)
		}
	}
	if n := strings.Count(day3, "\n") + 1; n != 1000-5-1+2 {
		t.Errorf("remove mode: %d rows, want %d", n, 1000-5-1+2)
	}

	// A scan cut short (a third of the keys) trips the guard: nothing is
	// published. It returns 297 keys (ids up to 300 less 7, 100 and 101),
	// one of them the soft-deleted key 4, which stays flagged: of the 996
	// live rows, 296 are found and 700 would be deleted.
	code, out, errOut = run(t, dir, "merge", "partial.json", "--day", "20261124", "--previous", "20261122")
	if code != exitFailed || !strings.Contains(errOut, "key scan guard: the key scan would delete 700 of the 996 live rows of the previous snapshot (70.28%), more than the 10.00% that keyScan.minShare 0.90 allows (it returned 297 keys, 296 of them live snapshot keys)") {
		t.Fatalf("partial scan: exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out, "published") {
		t.Errorf("a failed merge says it published:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "ods_orders", "dt=20261124")); !os.IsNotExist(err) {
		t.Fatal("dt=20261124 was published despite the guard")
	}
	if staged, _ := filepath.Glob(filepath.Join(dir, "ods_orders", ".datax-*")); len(staged) > 0 {
		t.Fatalf("staging left behind: %v", staged)
	}

	// A complete scan finds the soft-deleted key 4 (the row is still in the
	// table, is_deleted = 1): it stays flagged, with its day.
	code, out, errOut = run(t, dir, "merge", "flag.json", "--day", "20261125", "--previous", "20261122")
	if code != 0 || !strings.Contains(out, "997 keys in the source; 0 of the 996 live snapshot keys are gone from it (0.00%)") || strings.Contains(out, "back at the source") {
		t.Fatalf("complete scan: exit %d\n%s\n%s", code, out, errOut)
	}
	if day5 := partitionText(t, filepath.Join(dir, "ods_orders", "dt=20261125")); !strings.Contains(day5, "\n4|new|1.00|2026-11-22 09:30:00|1|true|2026-11-22\n") {
		t.Fatalf("the soft-deleted key 4 after a complete scan:\n%s", day5[:300])
	}
}

// TestKeyScanDays runs a table through days at a MariaDB source: the guard
// counts only snapshot keys (today's inserts do not make a partial scan
// pass), a flagged key back at the source is unflagged, source keys the
// warehouse lacks are named, an emptied source needs --accept-deletes, and
// re-running a day that has later partitions needs --no-keyscan.
func TestKeyScanDays(t *testing.T) {
	db := keyScanDB(t, 100)
	dir := t.TempDir()
	cfg := fmt.Sprintf(`{"key": ["id"], "table": {"path": "ods_orders"}, "channel": 2,
	  "delta": {"reader": %s, "time": "modified_time"},
	  "keyScan": {"reader": %s}}`,
		mysqlReader("modified_time >= '${bizdate:yyyy-MM-dd}' AND modified_time < '${bizdate+1:yyyy-MM-dd}'", "id", "status", "amount", "modified_time"),
		mysqlReader("${scanwhere}", "id"))
	os.WriteFile(filepath.Join(dir, "m.json"), []byte(cfg), 0o644)
	merge := func(day, scanWhere string, flags ...string) (int, string, string) {
		t.Helper()
		args := append([]string{"merge", "m.json", "--day", day, "-p", "scanwhere=" + scanWhere}, flags...)
		return run(t, dir, args...)
	}
	row := func(day, id string) string {
		t.Helper()
		for _, l := range strings.Split(partitionText(t, filepath.Join(dir, "ods_orders", "dt="+day)), "\n") {
			if strings.HasPrefix(l, id+"|") {
				return l
			}
		}
		return ""
	}
	exec := func(q string) {
		t.Helper()
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	unpublished := func(day string) {
		t.Helper()
		if _, err := os.Stat(filepath.Join(dir, "ods_orders", "dt="+day)); !os.IsNotExist(err) {
			t.Fatalf("dt=%s was published", day)
		}
	}
	if code, out, errOut := merge("20261121", "1=1", "--initial", "-p", "bizdate=20261121"); code != 0 {
		t.Fatalf("first snapshot: exit %d\n%s\n%s", code, out, errOut)
	}

	// Day 22: 15 inserts, and a row whose modified_time is older than the
	// window (the warehouse never gets it from a delta).
	exec(`INSERT INTO orders SELECT seq, 'new', 1, '2026-11-22 08:00:00', 0 FROM seq_101_to_115`)
	exec(`INSERT INTO orders VALUES (200, 'late', 2, '2026-11-01 00:00:00', 0)`)
	// A scan limited to id <= 76 or id > 100 returns 92 keys (92% of the
	// 100 live rows) but would delete 24: refused.
	code, out, errOut := merge("20261122", "id <= 76 OR id > 100")
	for _, w := range []string{"the key scan would delete 24 of the 100 live rows of the previous snapshot (24.00%), more than the 10.00% that keyScan.minShare 0.90 allows (it returned 92 keys, 76 of them live snapshot keys)",
		"If the source really lost these rows, merge this day again with --accept-deletes"} {
		if code != exitFailed || !strings.Contains(errOut, w) {
			t.Fatalf("partial scan with inserts: exit %d, want %q\n%s\n%s", code, w, out, errOut)
		}
	}
	unpublished("20261122")
	// A scan that misses one key (as a bad scan would): within the guard.
	code, out, errOut = merge("20261122", "id <> 5")
	if code != 0 {
		t.Fatalf("day 22: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, w := range []string{"15 inserted", "key scan: 115 keys in the source; 1 of the 100 live snapshot keys are gone from it (1.00%)",
		"merge: WARNING: the key scan found 1 source keys in neither the snapshot nor the delta — rows the warehouse is missing (a day not merged, or rows whose delta.time did not change): id=200"} {
		if !strings.Contains(out, w) {
			t.Errorf("day 22 summary lacks %q:\n%s", w, out)
		}
	}
	if r := row("20261122", "5"); r != "5|new|1.25|2026-11-21 10:00:00|true|2026-11-22" {
		t.Fatalf("day 22, key 5: %q", r)
	}
	// Day 23: the complete scan has key 5 again: unflagged, as last known.
	code, out, errOut = merge("20261123", "1=1")
	if code != 0 || !strings.Contains(out, "merge: key scan: 1 flagged keys are back at the source: unflagged") {
		t.Fatalf("day 23: exit %d\n%s\n%s", code, out, errOut)
	}
	if r := row("20261123", "5"); r != "5|new|1.25|2026-11-21 10:00:00|false|NULL" {
		t.Fatalf("day 23, key 5: %q", r)
	}

	// Day 24: the source is emptied. The guard refuses; --accept-deletes
	// lets this one run delete every row.
	exec(`DELETE FROM orders`)
	code, out, errOut = merge("20261124", "1=1")
	if code != exitFailed || !strings.Contains(errOut, "would delete 115 of the 115 live rows of the previous snapshot (100.00%)") ||
		!strings.Contains(errOut, "it returned no keys at all") || !strings.Contains(errOut, "--accept-deletes") {
		t.Fatalf("emptied source: exit %d\n%s\n%s", code, out, errOut)
	}
	unpublished("20261124")
	code, out, errOut = merge("20261124", "1=1", "--accept-deletes")
	if code != 0 || !strings.Contains(out, "merge: key scan guard off for this run (--accept-deletes): 115 of the 115 live snapshot keys deleted (100.00%)") {
		t.Fatalf("--accept-deletes: exit %d\n%s\n%s", code, out, errOut)
	}
	if p := partitionText(t, filepath.Join(dir, "ods_orders", "dt=20261124")); strings.Count(p, "|true|2026-11-24") != 115 || strings.Count(p, "\n") != 114 {
		t.Fatalf("day 24 after --accept-deletes:\n%s", p)
	}

	// Re-running day 23 now would scan today's (empty) source: refused;
	// --no-keyscan merges it without delete detection, as it was.
	before := partitionText(t, filepath.Join(dir, "ods_orders", "dt=20261123"))
	code, out, errOut = merge("20261123", "1=1")
	if code != exitFailed || !strings.Contains(errOut, "the table has partitions after 20261123 (dt=20261124); the key scan reads the source as it is now") ||
		!strings.Contains(errOut, "--no-keyscan") {
		t.Fatalf("re-run of day 23 with a key scan: exit %d\n%s\n%s", code, out, errOut)
	}
	if after := partitionText(t, filepath.Join(dir, "ods_orders", "dt=20261123")); after != before {
		t.Fatal("the refused re-run changed dt=20261123")
	}
	code, out, errOut = merge("20261123", "1=1", "--no-keyscan")
	if code != 0 || strings.Contains(out, "key scan") {
		t.Fatalf("re-run of day 23 with --no-keyscan: exit %d\n%s\n%s", code, out, errOut)
	}
	// Nothing is deleted on day 23; key 5 keeps the flag of day 22 (only a
	// key scan unflags it).
	if after := partitionText(t, filepath.Join(dir, "ods_orders", "dt=20261123")); strings.Count(after, "|true|") != 1 ||
		!strings.Contains(after, "\n5|new|1.25|2026-11-21 10:00:00|true|2026-11-22\n") || strings.Count(after, "\n") != 114 {
		t.Fatalf("day 23 re-run without the key scan:\n%s", after)
	}
}
