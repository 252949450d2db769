package drift_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	_ "datax/reader/mysql"
	"datax/testing/testenv"
	"datax/verify"
)

// The change log and the output on HDFS (the test MiniDFSCluster): landed
// by hdfswriter, read by hdfsreader over hdfs://, D published there with
// its verification file.
func TestChangeLogAndOutputOnHDFS(t *testing.T) {
	f := newHDFSFixture(t, "parquet")
	f.land(background + `
1|created|2026-11-22 23:50:00|NULL|NULL|2026-11-22 23:50:00|2026-11-22 23:50:01|10
1|paid|2026-11-22 23:50:00|2026-11-22 23:59:59|NULL|2026-11-22 23:59:59|2026-11-23 00:00:03|11
2|paid|2026-11-22 23:40:00|2026-11-22 23:59:59|NULL|2026-11-23 00:00:01|2026-11-23 00:00:03|13`)
	res := f.mustRun(nil)
	if !strings.HasPrefix(res.Dir, "hdfs://") {
		t.Errorf("published %s, want an hdfs:// URL", res.Dir)
	}
	if got, want := f.output(), want(
		"1|paid|2026-11-22 23:50:00|2026-11-22 23:59:59|NULL|2026-11-22 23:59:59|2026-11-23 00:00:03|11",
		"2|paid|2026-11-22 23:40:00|2026-11-22 23:59:59|NULL|2026-11-23 00:00:01|2026-11-23 00:00:03|13",
	); got != want {
		t.Fatalf("D on HDFS:\n%s\nwant:\n%s", got, want)
	}
	if _, err := verify.Check(context.Background(), f.fs, f.outDir()+"/dt=20261122"); err != nil {
		t.Fatal(err)
	}
}

// A change table in MariaDB (DATETIME columns: wall-clock times) read by
// mysqlreader, its where clause selecting D − W to the end of D+1.
func TestChangeTableInMariaDBThroughMysqlreader(t *testing.T) {
	db := testenv.MySQLDB(t, "dx_drift_test")
	if _, err := db.Exec(`DROP TABLE IF EXISTS orders_log;
CREATE TABLE orders_log (
  log_pos BIGINT PRIMARY KEY, order_id BIGINT NOT NULL, status VARCHAR(20),
  order_time DATETIME, pay_time DATETIME, end_time DATETIME, modified_time DATETIME(6), log_time DATETIME(6),
  KEY (log_time))`); err != nil {
		t.Fatal(err)
	}
	rows := background + `
1|created|2026-11-22 23:50:00|NULL|NULL|2026-11-22 23:50:00|2026-11-22 23:50:01|10
1|paid|2026-11-22 23:50:00|2026-11-22 23:59:59|NULL|2026-11-22 23:59:59|2026-11-23 00:00:03|11
1|cancelled|2026-11-22 23:50:00|2026-11-22 23:59:59|2026-11-23 00:05:00|2026-11-23 00:05:00|2026-11-23 00:05:01|12
2|paid|2026-11-22 23:40:00|2026-11-22 23:59:59|NULL|2026-11-23 00:00:01|2026-11-23 00:00:03|13
4|paid|2026-11-21 20:00:00|2026-11-21 23:57:00|NULL|2026-11-21 23:57:00|2026-11-22 00:02:00|30
5|old|2026-11-20 10:00:00|NULL|NULL|2026-11-20 10:00:00|2026-11-20 10:00:01|40`
	for _, line := range strings.Split(strings.TrimSpace(rows), "\n") {
		f := strings.Split(strings.TrimSpace(line), "|")
		args := make([]any, len(f))
		for i, v := range f {
			if v != "NULL" {
				args[i] = v
			}
		}
		if _, err := db.Exec("INSERT INTO orders_log (order_id, status, order_time, pay_time, end_time, modified_time, log_time, log_pos) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", args...); err != nil {
			t.Fatal(err)
		}
	}
	my := testenv.MySQL(t)
	f := newFixture(t, "parquet")
	cfg := f.config()
	cfg["reader"] = map[string]any{"name": "mysqlreader", "parameter": map[string]any{
		"username": my.User, "password": my.Passwd,
		"column":  []any{"order_id", "status", "order_time", "pay_time", "end_time", "modified_time", "log_time", "log_pos"},
		"where":   "log_time >= '${bizdate-1:yyyy-MM-dd} 23:45:00' AND log_time < '${bizdate+2:yyyy-MM-dd}'",
		"splitPk": "log_pos",
		"connection": []any{map[string]any{
			"jdbcUrl": fmt.Sprintf("jdbc:mysql://%s/dx_drift_test", my.Addr), "table": []any{"orders_log"}}},
	}}
	cfg["setting"].(map[string]any)["channel"] = 2
	res := f.mustRun(cfg)
	if got, want := f.output(), want(
		"1|paid|2026-11-22 23:50:00|2026-11-22 23:59:59|NULL|2026-11-22 23:59:59|2026-11-23 00:00:03|11",
		"2|paid|2026-11-22 23:40:00|2026-11-22 23:59:59|NULL|2026-11-23 00:00:01|2026-11-23 00:00:03|13",
	); got != want {
		t.Fatalf("D from MariaDB:\n%s\nwant:\n%s", got, want)
	}
	if st := res.Stats; st.Records != 8 || st.LatePrev != 1 || st.ExcludedBy != 1 || st.PutBack() != 2 {
		t.Errorf("%d records (want 8: order 5 is outside the where), %d D−1 late logs (1), %d excluded (1), %d put back (2)",
			st.Records, st.LatePrev, st.ExcludedBy, st.PutBack())
	}
}
