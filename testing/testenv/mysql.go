package testenv

import (
	"context"
	"database/sql"
	"os"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// DefaultMySQLDSN is the test MariaDB that testing/setup.sh starts.
const DefaultMySQLDSN = "root:@tcp(127.0.0.1:3306)/"

// MySQL returns the test MariaDB's settings (DATAX_TEST_MYSQL_DSN, else
// DefaultMySQLDSN; a fresh copy per call, no database selected) after
// checking that it answers; otherwise it skips t (fails under CI=true).
func MySQL(t testing.TB) *mysql.Config {
	t.Helper()
	dsn := os.Getenv("DATAX_TEST_MYSQL_DSN")
	if dsn == "" {
		dsn = DefaultMySQLDSN
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("DATAX_TEST_MYSQL_DSN: %v", err)
	}
	cfg.DBName = ""
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatalf("DATAX_TEST_MYSQL_DSN: %v", err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		Missing(t, "MariaDB", "nothing answers at "+cfg.Addr+": "+err.Error())
	}
	return cfg
}

// MySQLDB creates database name if it does not exist and returns a
// connection pool to it, closed when t ends. Tests use databases of their
// own (dx_<package>_test) and leave others alone.
func MySQLDB(t testing.TB, name string) *sql.DB {
	t.Helper()
	cfg := MySQL(t)
	root, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if _, err := root.Exec("CREATE DATABASE IF NOT EXISTS `" + name + "`"); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	cfg.DBName = name
	cfg.MultiStatements = true
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
