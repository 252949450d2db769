package testenv

import (
	"database/sql"
	"testing"
)

// FreshMySQLDB drops database name if it exists, creates it empty with the
// utf8mb4 character set, and returns MySQLDB's pool to it (several
// statements per Exec, closed when t ends). For tests that need a known
// starting state; use databases of your own (dx_<package>_test).
func FreshMySQLDB(t testing.TB, name string) *sql.DB {
	t.Helper()
	root, err := sql.Open("mysql", MySQL(t).FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	for _, stmt := range []string{"DROP DATABASE IF EXISTS `" + name + "`", "CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4"} {
		if _, err := root.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	return MySQLDB(t, name)
}
