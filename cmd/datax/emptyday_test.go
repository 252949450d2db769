package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"datax/storage"
	"datax/testing/testenv"
	"datax/verify"
)

// TestEmptyDayPipeline is the nightly pipeline on a day without changes:
// the daily extract (mysqlreader → hdfswriter Parquet) selects 0 rows and
// publishes a partition whose one data file has the schema and no rows; the
// merge reads that delta (by path and through hdfsreader) and carries the
// snapshot; a snapshot merged down to 0 rows still has a file, and the next
// day's merge reads it as its previous snapshot.
func TestEmptyDayPipeline(t *testing.T) {
	db := testenv.MySQLDB(t, "dx_emptyday_test")
	t.Cleanup(func() { db.Exec("DROP DATABASE IF EXISTS dx_emptyday_test") })
	_, err := db.Exec(`DROP TABLE IF EXISTS orders;
CREATE TABLE orders (id BIGINT NOT NULL PRIMARY KEY, status VARCHAR(16) NOT NULL, amount DECIMAL(10,2) NULL, modified_time DATETIME NOT NULL);
INSERT INTO orders VALUES (1, 'new', 1.50, '2026-11-02 10:00:00'), (2, 'paid', NULL, '2026-11-02 11:00:00'), (3, 'new', 3.00, '2026-11-02 12:00:00')`)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	daily := fmt.Sprintf(`{"job": {"setting": {"speed": {"channel": 2}}, "content": [{
	  "reader": {"name": "mysqlreader", "parameter": {"username": "root", "password": "", "column": ["id", "status", "amount", "modified_time"], "splitPk": "id",
	    "where": "modified_time >= '${bizdate:yyyy-MM-dd}' AND modified_time < '${bizdate+1:yyyy-MM-dd}'",
	    "connection": [{"jdbcUrl": ["jdbc:mysql://%s/dx_emptyday_test"], "table": ["orders"]}]}},
	  "writer": {"name": "hdfswriter", "parameter": {"path": %q, "partition": "dt=${bizdate}", "fileType": "parquet", "writeMode": "truncate",
	    "column": [{"name": "id", "type": "BIGINT"}, {"name": "status", "type": "STRING"}, {"name": "amount", "type": "DECIMAL(10,2)"}, {"name": "modified_time", "type": "TIMESTAMP"}]}}}]}}`,
		testenv.MySQL(t).Addr, filepath.ToSlash(filepath.Join(dir, "orders_delta")))
	configs := map[string]string{
		"daily.json": daily,
		"merge.json": `{"key": ["id"], "table": {"path": "ods_orders"}, "delta": {"path": "orders_delta/dt=${bizdate}", "time": "modified_time"}}`,
		"reader.json": `{"key": ["id"], "table": {"path": "ods_orders_r"}, "delta": {"time": "modified_time",
		  "reader": {"name": "hdfsreader", "parameter": {"path": "orders_delta/dt=${bizdate}", "fileType": "parquet", "column": ["*"], "requireVerified": true}}}}`,
		"zero.json": `{"key": ["id"], "table": {"path": "ods_zero"}, "delta": {"path": "orders_delta/dt=${bizdate}", "time": "modified_time"}}`,
	}
	for name, text := range configs {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	must := func(args ...string) string {
		t.Helper()
		code, out, errOut := run(t, dir, args...)
		if code != 0 {
			t.Fatalf("datax %s: exit %d\n%s\n%s", strings.Join(args, " "), code, out, errOut)
		}
		return out
	}
	must("run", "daily.json", "-p", "bizdate=20261102")
	must("merge", "merge.json", "--day", "20261102", "--initial")
	must("merge", "reader.json", "--day", "20261102", "--initial")
	snapshot := `1|new|1.50|2026-11-02 10:00:00|false|NULL
2|paid|NULL|2026-11-02 11:00:00|false|NULL
3|new|3.00|2026-11-02 12:00:00|false|NULL`
	if got := partitionText(t, filepath.Join(dir, "ods_orders", "dt=20261102")); got != snapshot {
		t.Fatalf("first snapshot:\n%s\nwant:\n%s", got, snapshot)
	}

	// The day without changes.
	if out := must("run", "daily.json", "-p", "bizdate=20261103"); !strings.Contains(out, "1 file(s), 0 rows") {
		t.Errorf("the empty extract's summary:\n%s", out)
	}
	m, err := verify.Check(context.Background(), storage.Local(), filepath.ToSlash(filepath.Join(dir, "orders_delta", "dt=20261103")))
	if err != nil || len(m.Files) != 1 || m.Rows != 0 {
		t.Fatalf("the empty delta: %v, %+v", err, m)
	}
	if out := must("verify", "orders_delta/dt=20261103"); !strings.Contains(out, "OK   orders_delta/dt=20261103: 1 files, 0 rows") {
		t.Errorf("datax verify of the empty day:\n%s", out)
	}
	for _, c := range []struct{ config, table string }{{"merge.json", "ods_orders"}, {"reader.json", "ods_orders_r"}} {
		if out := must("merge", c.config, "--day", "20261103"); !strings.Contains(out, "0 delta rows, 3 snapshot rows → 3 rows") {
			t.Errorf("%s on the empty day:\n%s", c.config, out)
		}
		if got := partitionText(t, filepath.Join(dir, c.table, "dt=20261103")); got != snapshot {
			t.Errorf("%s: the snapshot after the empty day:\n%s\nwant:\n%s", c.config, got, snapshot)
		}
	}

	// A snapshot of 0 rows (the empty delta as the first snapshot) has a
	// file, and the next merge reads it.
	must("merge", "zero.json", "--day", "20261103", "--initial")
	m, err = verify.Check(context.Background(), storage.Local(), filepath.ToSlash(filepath.Join(dir, "ods_zero", "dt=20261103")))
	if err != nil || len(m.Files) != 1 || m.Rows != 0 {
		t.Fatalf("the 0-row snapshot: %v, %+v", err, m)
	}
	if out := must("merge", "zero.json", "--day", "20261104", "-p", "bizdate=20261102"); !strings.Contains(out, "3 delta rows, 0 snapshot rows → 3 rows: 3 inserted") {
		t.Errorf("merge into the 0-row snapshot:\n%s", out)
	}
	if got := partitionText(t, filepath.Join(dir, "ods_zero", "dt=20261104")); got != snapshot {
		t.Errorf("after the 0-row snapshot:\n%s\nwant:\n%s", got, snapshot)
	}
	// A day published without any data file (by an older datax) fails
	// datax verify, which says what to do.
	legacy := filepath.Join(dir, "orders_delta", "dt=20261105")
	os.MkdirAll(legacy, 0o755)
	if err := verify.Write(storage.Local(), filepath.ToSlash(legacy), &verify.Manifest{}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, dir, "verify", "orders_delta")
	if code != exitFailed || !strings.Contains(out, "FAIL orders_delta/dt=20261105") || !strings.Contains(out, "lists no data file") ||
		!strings.Contains(out, "run the job that writes it again") || !strings.Contains(out, "OK   orders_delta/dt=20261103") {
		t.Errorf("datax verify with a day without a data file: exit %d\n%s\n%s", code, out, errOut)
	}
	tab := testenv.DuckDB(t, "SELECT * FROM read_parquet('"+filepath.ToSlash(filepath.Join(dir, "ods_zero", "dt=20261103"))+"/*.parquet', hive_partitioning=false)")
	if len(tab.Rows) != 0 || strings.Join(tab.Names, ",") != "id,status,amount,modified_time,dx_deleted,dx_deleted_dt" {
		t.Errorf("DuckDB reads the 0-row snapshot as %d rows of %v %v", len(tab.Rows), tab.Names, tab.Types)
	}
}
