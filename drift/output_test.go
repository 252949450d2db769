package drift_test

import (
	"context"
	"strings"
	"testing"

	"datax/storage"
	"datax/testing/testenv"
	"datax/verify"
)

// TestOutputIsAVerifiedPartitionThatDuckDBReads checks D's partition with
// readers that are not ours: DuckDB reads the Parquet files (values and
// logical types), and the verification file matches the files.
func TestOutputIsAVerifiedPartitionThatDuckDBReads(t *testing.T) {
	f := newFixture(t, "parquet")
	f.land(background + `
1|created|2026-11-22 23:50:00|NULL|NULL|2026-11-22 23:50:00|2026-11-22 23:50:01|10
1|paid|2026-11-22 23:50:00|2026-11-22 23:59:59|NULL|2026-11-22 23:59:59|2026-11-23 00:00:03|11
2|created|2026-11-22 23:40:00|NULL|NULL|2026-11-22 23:40:00|2026-11-22 23:40:01|12
2|paid|2026-11-22 23:40:00|2026-11-22 23:59:59|NULL|2026-11-23 00:00:01|2026-11-23 00:00:03|13
2|cancelled|2026-11-22 23:40:00|2026-11-22 23:59:59|2026-11-23 00:05:00|2026-11-23 00:05:00|2026-11-23 00:05:01|14`)
	f.mustRun(nil)
	dir := f.outDir() + "/dt=20261122"
	m, err := verify.Check(context.Background(), storage.Local(), dir)
	if err != nil {
		t.Fatalf("the published partition does not match its %s: %v", verify.FileName, err)
	}
	if m.Rows != 4 {
		t.Errorf("%s says %d rows, want 4", verify.FileName, m.Rows)
	}
	if !f.exists(dir + "/" + verify.SuccessName) {
		t.Errorf("no %s in %s", verify.SuccessName, dir)
	}
	tab := testenv.DuckDB(t, "SELECT * FROM read_parquet('"+dir+"/*.parquet', hive_partitioning = false) ORDER BY order_id")
	if got, want := strings.Join(tab.Types, ","), "BIGINT,VARCHAR,TIMESTAMP,TIMESTAMP,TIMESTAMP,TIMESTAMP,TIMESTAMP,BIGINT"; got != want {
		t.Errorf("DuckDB sees the types %s, want %s", got, want)
	}
	var rows []string
	for _, r := range tab.Texts() {
		rows = append(rows, strings.Join(r, "|"))
	}
	if got, want := strings.Join(rows, "\n"), want(
		"1|paid|2026-11-22 23:50:00|2026-11-22 23:59:59|NULL|2026-11-22 23:59:59|2026-11-23 00:00:03|11",
		"2|paid|2026-11-22 23:40:00|2026-11-22 23:59:59|NULL|2026-11-23 00:00:01|2026-11-23 00:00:03|13",
	); got != want {
		t.Fatalf("DuckDB reads D's partition as:\n%s\nwant:\n%s", got, want)
	}
}
