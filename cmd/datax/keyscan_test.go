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
	if !strings.Contains(out, "997 keys in the source, 5 snapshot keys gone (deleted)") {
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
	// published.
	code, out, errOut = run(t, dir, "merge", "partial.json", "--day", "20261124", "--previous", "20261122")
	if code != exitFailed || !strings.Contains(errOut, "key scan guard: the key scan returned 297 keys, fewer than 90% of the 996 live rows") {
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
}
