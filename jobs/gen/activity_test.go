package gen

import (
	"context"
	"database/sql"
	"testing"

	"datax/testing/testenv"
)

// TestActivityCounters runs on a MariaDB of the test's own with
// performance_schema on (the shared server has it off, as MariaDB's default
// is): the counters MariaDB keeps in table_io_waits_summary_by_table decide
// the strategies, also where the shape would decide otherwise.
func TestActivityCounters(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: starts a MariaDB server; run without -short, as make test does")
	}
	dsn := testenv.PrivateMariaDB(t, "--performance-schema=ON")
	db, err := sql.Open("mysql", dsn+"?multiStatements=true")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE DATABASE shop; USE shop;
		CREATE TABLE shop.updated (id INT PRIMARY KEY, v INT, modified_time DATETIME);
		CREATE TABLE shop.deleted (id INT PRIMARY KEY, v INT, modified_time DATETIME);
		CREATE TABLE shop.things (id INT PRIMARY KEY, v INT, created_time DATETIME);
		CREATE TABLE shop.quiet (id INT PRIMARY KEY, v INT, modified_time DATETIME);
		INSERT INTO shop.quiet SELECT seq, seq, NOW() FROM seq_1_to_20;
		TRUNCATE TABLE performance_schema.table_io_waits_summary_by_table;
		INSERT INTO shop.updated SELECT seq, seq, NOW() FROM seq_1_to_20;
		UPDATE shop.updated SET v = 0 WHERE id < 5;
		INSERT INTO shop.deleted SELECT seq, seq, NOW() FROM seq_1_to_20;
		DELETE FROM shop.deleted WHERE id < 3;
		INSERT INTO shop.things SELECT seq, seq, NOW() FROM seq_1_to_20;
		ANALYZE TABLE shop.updated, shop.deleted, shop.things, shop.quiet;`); err != nil {
		t.Fatal(err)
	}
	cat, err := ReadCatalog(context.Background(), db, Selection{Databases: []string{"shop"}})
	if err != nil {
		t.Fatal(err)
	}
	if !cat.ActivityOn || len(cat.Notes) != 0 {
		t.Fatalf("counters not read: on=%v notes=%v", cat.ActivityOn, cat.Notes)
	}
	cfg := testConfig(t)
	cfg.SmallRows = 1
	cfg.MinUptime.Duration = 0
	want := map[string]struct {
		strategy Strategy
		keyScan  bool
		activity Activity
	}{
		"updated": {Snapshot, false, Activity{Inserts: 20, Updates: 4}},
		"deleted": {Snapshot, true, Activity{Inserts: 20, Deletes: 2}},
		"things":  {Incremental, false, Activity{Inserts: 20}}, // the shape alone says full
		"quiet":   {Full, false, Activity{}},                   // the shape alone says snapshot
	}
	for _, tb := range cat.Tables {
		w := want[tb.Name]
		if a := tb.Stats.Activity; a == nil || *a != w.activity {
			t.Errorf("%s: counters %+v, want %+v", tb.Name, a, w.activity)
		}
		d, err := decide(cfg, cat, tb)
		if err != nil {
			t.Fatal(err)
		}
		if d.Strategy != w.strategy || d.KeyScan != w.keyScan {
			t.Errorf("%s: %s keyScan=%v (%s), want %s keyScan=%v", tb.Name, d.Strategy, d.KeyScan, d.Reason, w.strategy, w.keyScan)
		}
		// Without the counters the shape decides.
		shape, _ := decide(cfg, &Catalog{}, tb)
		if (tb.Name == "things" || tb.Name == "quiet") && shape.Strategy == d.Strategy {
			t.Errorf("%s: the shape chooses %s as well; the test shows nothing", tb.Name, d.Strategy)
		}
	}
	if len(cat.Tables) != len(want) {
		t.Errorf("%d tables read", len(cat.Tables))
	}
}
