// Command rawscan is the baseline of the MySQL read benchmark: a bare
// database/sql scan of a table into []sql.RawBytes, on one or more
// connections (each scans an equal id range of the table at the same
// time), with nothing done to the values. It prints
// "<rows/s> rows/s (<rows> rows, <n> connections, <seconds>s)".
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	_ "github.com/go-sql-driver/mysql"
)

func main() {
	dsn := flag.String("dsn", "root:@tcp(127.0.0.1:3306)/bench", "go-sql-driver DSN")
	table := flag.String("table", "orders", "table to scan")
	key := flag.String("key", "id", "integer key that cuts the table among connections")
	conns := flag.Int("conns", 1, "connections scanning at once")
	flag.Parse()
	if err := run(*dsn, *table, *key, *conns); err != nil {
		fmt.Fprintln(os.Stderr, "rawscan:", err)
		os.Exit(1)
	}
}

func run(dsn, table, key string, conns int) error {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxIdleConns(conns)
	ctx := context.Background()
	var lo, hi int64
	if err := db.QueryRowContext(ctx, fmt.Sprintf("SELECT MIN(`%s`), MAX(`%s`) FROM `%s`", key, key, table)).Scan(&lo, &hi); err != nil {
		return err
	}
	cols, err := columns(ctx, db, table)
	if err != nil {
		return err
	}
	start := time.Now()
	var wg sync.WaitGroup
	counts := make([]int64, conns)
	errs := make([]error, conns)
	step := (hi - lo + int64(conns)) / int64(conns)
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, b := lo+int64(i)*step, lo+int64(i+1)*step
			q := fmt.Sprintf("SELECT %s FROM `%s` WHERE `%s` >= %d AND `%s` < %d", cols, table, key, a, key, b)
			counts[i], errs[i] = scan(ctx, db, q)
		}()
	}
	wg.Wait()
	el := time.Since(start)
	var total int64
	for i := range counts {
		if errs[i] != nil {
			return errs[i]
		}
		total += counts[i]
	}
	fmt.Printf("%.0f rows/s (%d rows, %d connections, %.3fs)\n", float64(total)/el.Seconds(), total, conns, el.Seconds())
	return nil
}

func columns(ctx context.Context, db *sql.DB, table string) (string, error) {
	rows, err := db.QueryContext(ctx, "SELECT * FROM `"+table+"` LIMIT 0")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return "", err
	}
	for i, n := range names {
		names[i] = "`" + n + "`"
	}
	return strings.Join(names, ", "), nil
}

// scan reads every row of q into reused RawBytes and counts them.
func scan(ctx context.Context, db *sql.DB, q string) (int64, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	vals := make([]sql.RawBytes, len(names))
	ptrs := make([]any, len(names))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}
