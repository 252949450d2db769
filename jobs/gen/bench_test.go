package gen

import (
	"context"
	"database/sql"
	"os"
	"testing"

	"datax/testing/testenv"
)

// BenchmarkGenerate1000 generates for every table of dx_gen_bench (bench/gen.sh
// creates its 1,000 tables) into a fresh directory per iteration: reading
// the metadata, deciding, rendering and writing every file.
func BenchmarkGenerate1000(b *testing.B) { benchGenerate(b, false) }

// BenchmarkPlan1000 is the same without writing (datax gen --plan).
func BenchmarkPlan1000(b *testing.B) { benchGenerate(b, true) }

func benchGenerate(b *testing.B, plan bool) {
	cfg := testenv.MySQL(b)
	cfg.DBName = "dx_gen_bench"
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		b.Fatal(err)
	}
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'dx_gen_bench'").Scan(&n); err != nil || n == 0 {
		db.Close()
		b.Skipf("dx_gen_bench has no tables (%v): run bench/gen.sh first", err)
	}
	db.Close()
	gc, err := LoadConfig("")
	if err != nil {
		b.Fatal(err)
	}
	gc.JdbcURL = "jdbc:mysql://" + cfg.Addr + "/dx_gen_bench"
	gc.Username, gc.Warehouse = cfg.User, "/warehouse"
	b.ReportMetric(float64(n), "tables")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		res, err := Generate(context.Background(), gc, Options{Dir: dir, Password: cfg.Passwd, DataxBin: "/usr/local/bin/datax"}, plan)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Tables) == 0 {
			b.Fatal("nothing generated")
		}
		b.StopTimer()
		os.RemoveAll(dir)
		b.StartTimer()
	}
}
