package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"testing"

	"datax/channel"
	"datax/engine"
	"datax/jobs"
	"datax/plugin"
	"datax/record"
	"datax/testing/testenv"
	"datax/writer"
)

// The benchmarks read bench.orders (bench/orders.sh creates it): the raw
// database/sql scan that bench/mysqlreader.sh compares against, and
// mysqlreader through the engine into a writer that only counts, as
// streamwriter with print false does.

const benchRows = 2000000

func benchDB(b *testing.B) (*sql.DB, string) {
	cfg := testenv.MySQL(b)
	cfg.DBName = "bench"
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM orders").Scan(&n); err != nil || n != benchRows {
		b.Skipf("bench.orders is missing or not %d rows (%v): run bench/orders.sh", benchRows, err)
	}
	return db, cfg.Addr
}

func BenchmarkRawScan(b *testing.B) {
	db, _ := benchDB(b)
	b.ReportAllocs()
	for b.Loop() {
		rows, err := db.Query("SELECT id, user_id, shop_id, status, amount, title, note, created_at, updated_at, paid_at FROM orders")
		if err != nil {
			b.Fatal(err)
		}
		vals := make([]sql.RawBytes, 10)
		ptrs := make([]any, 10)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		n := 0
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				b.Fatal(err)
			}
			n++
		}
		if err := rows.Err(); err != nil || n != benchRows {
			b.Fatalf("%d rows, %v", n, err)
		}
		rows.Close()
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// counter is a writer that counts records.
type counter struct{ n atomic.Int64 }

func (c *counter) Prepare(context.Context, record.Schema, int) (record.Schema, error) {
	return nil, nil
}
func (c *counter) Commit(context.Context) error { return nil }
func (c *counter) Write(ctx context.Context, t writer.Task, in *channel.Receiver) error {
	for {
		b, err := in.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		c.n.Add(int64(b.Len()))
	}
}

func BenchmarkMySQLReader(b *testing.B) {
	_, addr := benchDB(b)
	cfg := testenv.MySQL(b)
	for _, channels := range []int{1, 2} {
		b.Run(fmt.Sprintf("channel=%d", channels), func(b *testing.B) {
			c := &counter{}
			writers := plugin.NewRegistry[writer.Writer]("writer")
			writers.Add(plugin.Declare("counter", "counts", nil, func(*collectorParams, plugin.Env) (writer.Writer, error) { return c, nil }))
			job, _ := json.Marshal(map[string]any{"job": map[string]any{
				"setting": map[string]any{"speed": map[string]any{"channel": channels}},
				"content": []any{map[string]any{
					"reader": map[string]any{"name": "mysqlreader", "parameter": map[string]any{
						"username": cfg.User, "password": cfg.Passwd, "column": []any{"*"},
						"connection": []any{map[string]any{"jdbcUrl": "jdbc:mysql://" + addr + "/bench", "table": "orders"}},
					}},
					"writer": map[string]any{"name": "counter"},
				}},
			}})
			f, err := jobs.Parse("bench.json", job, jobs.Vars{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				c.n.Store(0)
				j, err := engine.Build("bench.json", f, engine.Options{Writers: writers, Progress: -1})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := j.Run(context.Background()); err != nil {
					b.Fatal(err)
				}
				if c.n.Load() != benchRows {
					b.Fatalf("counted %d rows", c.n.Load())
				}
			}
			b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
