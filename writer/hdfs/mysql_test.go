package hdfs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	_ "datax/reader/mysql"
	"datax/record"
	"datax/storage"
	"datax/testing/testenv"
	"datax/verify"
)

// mysqlFidelity is the type-fidelity table in MariaDB: the same values as
// fidelityRows, from real columns.
const mysqlFidelity = `
DROP TABLE IF EXISTS fidelity;
CREATE TABLE fidelity (
  id      BIGINT NOT NULL PRIMARY KEY,
  u       BIGINT UNSIGNED NULL,
  u_dec   BIGINT UNSIGNED NULL,
  amount  DECIMAL(38,10) NULL,
  created DATETIME(6) NULL,
  day     DATE NULL,
  note    VARCHAR(100) NULL,
  raw     VARBINARY(16) NULL,
  score   DOUBLE NULL,
  flag    BOOLEAN NULL,
  tiny    TINYINT NULL
) DEFAULT CHARSET=utf8mb4;
INSERT INTO fidelity VALUES
 (1, 18446744073709551615, 18446744073709551615, 9999999999999999999999999999.9999999999, '2026-11-22 23:59:59.999999', '2026-11-22', 'emoji 😀 utf8mb4 中文', x'0001ff', 3.141592653589793, true, -128),
 (2, 0, 0, -0.0000000001, '1970-01-01 00:00:00', '1970-01-01', '', x'', -1e300, false, 127),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (4, 42, 42, 0.5, '1900-01-01 00:00:00.000001', '9999-12-31', 'a,b "c"\nd', 'bin', 0.1, true, 0);`

// mysqlreader → hdfswriter: the MariaDB type-fidelity table lands as
// Parquet that DuckDB and Spark read back exactly, on local disk and on
// HDFS (Spark through hdfs://).
func TestMySQLFidelity(t *testing.T) {
	db := testenv.MySQLDB(t, "dx_hdfswriter_test")
	if _, err := db.Exec(mysqlFidelity); err != nil {
		t.Fatal(err)
	}
	cfg := testenv.MySQL(t)
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			w := params(tg.defaultFS, tg.root, nil)
			wj, _ := json.Marshal(w)
			job := fmt.Sprintf(`{"job": {"setting": {"speed": {"channel": 2}, "errorLimit": {"record": 0}}, "content": [{
			  "reader": {"name": "mysqlreader", "parameter": {"username": %q, "password": %q, "column": ["*"], "splitPk": "id",
			    "connection": [{"jdbcUrl": ["jdbc:mysql://%s/dx_hdfswriter_test"], "table": ["fidelity"]}]}},
			  "writer": {"name": "hdfswriter", "parameter": %s}}]}}`, cfg.User, cfg.Passwd, cfg.Addr, wj)
			if _, err := testenv.RunJob(t, job, nil, bizdate); err != nil {
				t.Fatal(err)
			}
			part := tg.root + "/orders/dt=20261122"
			m, err := verify.Check(context.Background(), tg.fs, part)
			if err != nil || m.Rows != 4 {
				t.Fatalf("verify: %v, %+v", err, m)
			}
			if tg.name == "local" {
				tab := testenv.DuckDB(t, "SELECT * FROM read_parquet('"+part+"/*.parquet', hive_partitioning=false) ORDER BY id")
				checkRows(t, "DuckDB", tab.Texts(), tab.Types, duckTypes)
			}
			if tg.name == "hdfs" { // Spark on local files: TestFidelity
				tab := testenv.Spark(t, tg.url(part))
				checkRows(t, "Spark", tab.Texts(), tab.Types, sparkTypes)
			}
		})
	}
}

// A day without changes: mysqlreader's where selects no row, and the
// partition hdfswriter publishes still carries the schema, in one Parquet
// file without rows that _VERIFY.json lists: DuckDB and Spark read 0 rows
// with the column types, and hdfsreader (requireVerified) reads 0 rows with
// the schema.
func TestMySQLEmptyDay(t *testing.T) {
	db := testenv.MySQLDB(t, "dx_hdfswriter_test")
	if _, err := db.Exec(mysqlFidelity); err != nil {
		t.Fatal(err)
	}
	cfg := testenv.MySQL(t)
	tgs := targets(t)
	for k, tg := range tgs {
		t.Run(tg.name, func(t *testing.T) {
			w := params(tg.defaultFS, tg.root, nil)
			wj, _ := json.Marshal(w)
			job := fmt.Sprintf(`{"job": {"setting": {"speed": {"channel": 2}, "errorLimit": {"record": 0}}, "content": [{
			  "reader": {"name": "mysqlreader", "parameter": {"username": %q, "password": %q, "column": ["*"], "splitPk": "id",
			    "where": "created >= '2030-01-01'",
			    "connection": [{"jdbcUrl": ["jdbc:mysql://%s/dx_hdfswriter_test"], "table": ["fidelity"]}]}},
			  "writer": {"name": "hdfswriter", "parameter": %s}}]}}`, cfg.User, cfg.Passwd, cfg.Addr, wj)
			sum, err := testenv.RunJob(t, job, nil, bizdate)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(sum.Notes, "\n"), "1 file(s), 0 rows") {
				t.Errorf("summary:\n%s", strings.Join(sum.Notes, "\n"))
			}
			part := tg.root + "/orders/dt=20261122"
			m, err := verify.Check(context.Background(), tg.fs, part)
			if err != nil || m.Rows != 0 || len(m.Files) != 1 || m.Files[0].Rows != 0 || m.Files[0].Bytes == 0 {
				t.Fatalf("verify: %v, %+v", err, m)
			}
			if tg.name == "local" {
				tab := testenv.DuckDB(t, "SELECT * FROM read_parquet('"+part+"/*.parquet', hive_partitioning=false)")
				if len(tab.Rows) != 0 || !slices.Equal(tab.Types, duckTypes) || !slices.Equal(tab.Names, fidelitySchema.Names()) {
					t.Errorf("DuckDB read %d rows of %v %v, want 0 of %v", len(tab.Rows), tab.Names, tab.Types, duckTypes)
				}
			}
			if k == len(tgs)-1 { // Spark once (it is slow): through hdfs:// when there is a cluster
				tab := testenv.Spark(t, tg.url(part))
				if len(tab.Rows) != 0 || !slices.Equal(tab.Types, sparkTypes) {
					t.Errorf("Spark read %d rows of %v, want 0 of %v", len(tab.Rows), tab.Types, sparkTypes)
				}
			}
			schema, rows, err := testenv.ReadAll(t, "hdfsreader", fmt.Sprintf(`{"defaultFS": %q, "path": %q, "fileType": "parquet", "column": ["*"], "requireVerified": true}`, tg.defaultFS, part))
			if err != nil || len(rows) != 0 {
				t.Fatalf("hdfsreader: %d rows, %v", len(rows), err)
			}
			// The file's types: fidelityColumns declares u_dec DECIMAL(20,0).
			want := slices.Clone(fidelitySchema)
			want[2] = record.Column{Name: "u_dec", Kind: record.Decimal, Precision: 20}
			if got := fmt.Sprint(schema); got != fmt.Sprint(want) {
				t.Errorf("hdfsreader schema %s\nwant %s", got, fmt.Sprint(want))
			}
		})
	}
}

// A MariaDB value that does not fit the declared file type is a dirty
// record naming the column; nothing is published.
func TestMySQLNarrowing(t *testing.T) {
	db := testenv.MySQLDB(t, "dx_hdfswriter_test")
	if _, err := db.Exec(mysqlFidelity); err != nil {
		t.Fatal(err)
	}
	cfg := testenv.MySQL(t)
	root := t.TempDir()
	job := fmt.Sprintf(`{"job": {"setting": {"errorLimit": {"record": 0}}, "content": [{
	  "reader": {"name": "mysqlreader", "parameter": {"username": %q, "password": %q, "column": ["id", "u"],
	    "connection": [{"jdbcUrl": ["jdbc:mysql://%s/dx_hdfswriter_test"], "table": ["fidelity"]}]}},
	  "writer": {"name": "hdfswriter", "parameter": {"path": %q, "partition": "dt=1", "fileType": "parquet",
	    "column": [{"name": "id", "type": "BIGINT"}, {"name": "u", "type": "BIGINT"}]}}}]}}`, cfg.User, cfg.Passwd, cfg.Addr, root)
	_, err := testenv.RunJob(t, job, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "column u: 18446744073709551615 is out of the signed 64-bit range") {
		t.Fatalf("err = %v", err)
	}
	if entries := visible(t, storage.Local(), root); len(entries) != 0 {
		t.Errorf("published %v", entries)
	}
}
