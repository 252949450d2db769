package mysql

import (
	"errors"
	"fmt"
	"strings"

	"datax/rdbms"
	"datax/spec"
)

// Params are mysqlwriter's parameters: DataX's, plus versionColumn (the
// version-guarded upsert), timeZone, maxStatementBytes and the connection
// settings every MySQL-family plugin shares (rdbms.Login).
type Params struct {
	rdbms.Login // username, password, session, tls, connectTimeout

	Column     []string     `json:"column" required:"true" doc:"target columns, in the order of the reader's columns; [\"*\"] for every column of the table, in table order" example:"[\"id\", \"name\", \"amount\"]"`
	Connection []Connection `json:"connection" required:"true" doc:"exactly one element: the database and its table(s)"`
	PreSQL     []string     `json:"preSql" doc:"statements run before any row is written, once per table; @table stands for the table's name" example:"[\"DELETE FROM @table WHERE dt = '${bizdate}'\"]"`
	PostSQL    []string     `json:"postSql" doc:"statements run once per table after every task of the job succeeded; @table stands for the table's name"`
	WriteMode  string       `json:"writeMode" default:"insert" enum:"insert,replace,update" doc:"insert: INSERT (a duplicate key makes the row dirty); replace: REPLACE INTO; update: INSERT … ON DUPLICATE KEY UPDATE every listed column"`
	BatchSize  int          `json:"batchSize" default:"1024" doc:"rows per INSERT statement (at most one channel batch per statement)"`

	VersionColumn     string `json:"versionColumn" doc:"version-guarded upsert (writeMode update only): a row replaces the stored one only when its value in this column (e.g. a change-log position) is larger, so replayed or out-of-order changes never move a row backwards; deletes should arrive as rows with a soft-delete flag (e.g. is_active = 0), so an older replayed insert cannot resurrect them"`
	TimeZone          string `json:"timeZone" doc:"zone whose wall clock Timestamp values are in, for TIMESTAMP columns (the mysqlreader's timeZone); default: the jdbcUrl's serverTimezone, else the job's time zone. DATETIME columns take the wall clock as it is"`
	BatchByteSize     int64  `json:"batchByteSize" doc:"DataX key, accepted and ignored: maxStatementBytes bounds a statement"`
	EmptyAsNull       *bool  `json:"emptyAsNull" doc:"DataX key, accepted and ignored: an empty string stays an empty string, and one that is not a valid value of a non-text column makes the row dirty"`
	MaxStatementBytes int    `json:"maxStatementBytes" default:"4194304" doc:"longest INSERT statement in bytes; keep it below the server's max_allowed_packet"`
}

// Connection is DataX's connection[] element for a writer.
type Connection struct {
	JdbcURL spec.StringList `json:"jdbcUrl" required:"true" doc:"the database as jdbc:mysql://host:port/db?params or a go-sql-driver DSN; a list holds alternative addresses of the same database, tried in order" example:"jdbc:mysql://127.0.0.1:3306/shop"`
	Table   spec.StringList `json:"table" required:"true" doc:"table(s) to write; with several (of the same structure), tasks are spread over them in turn"`
}

// Validate checks what the declaration alone cannot, before anything
// connects.
func (p *Params) Validate() error {
	var errs []error
	fail := func(key, format string, args ...any) { errs = append(errs, spec.Errorf(key, format, args...)) }
	if len(p.Connection) != 1 {
		fail("connection", "must hold exactly one element {\"jdbcUrl\": ..., \"table\": [...]}, got %d", len(p.Connection))
	}
	for i, c := range p.Connection {
		for j, u := range c.JdbcURL {
			if _, err := rdbms.ParseURL(u); err != nil {
				fail(fmt.Sprintf("connection[%d].jdbcUrl[%d]", i, j), "%v", err)
			}
		}
		if len(c.JdbcURL) == 0 {
			fail(fmt.Sprintf("connection[%d].jdbcUrl", i), "needs at least one address")
		}
		if len(c.Table) == 0 {
			fail(fmt.Sprintf("connection[%d].table", i), "needs at least one table")
		}
		for j, t := range c.Table {
			if strings.TrimSpace(t) == "" {
				fail(fmt.Sprintf("connection[%d].table[%d]", i, j), "is empty")
			}
		}
	}
	for i, c := range p.Column {
		switch {
		case strings.TrimSpace(c) == "":
			fail(fmt.Sprintf("column[%d]", i), "is empty")
		case strings.TrimSpace(c) == "*" && len(p.Column) > 1:
			fail(fmt.Sprintf("column[%d]", i), "\"*\" stands for every column and must be alone")
		}
	}
	if len(p.Column) == 0 {
		fail("column", "must list the target columns, or [\"*\"]")
	}
	if p.BatchSize < 1 {
		fail("batchSize", "must be at least 1, got %d", p.BatchSize)
	}
	if p.MaxStatementBytes < 1024 {
		fail("maxStatementBytes", "must be at least 1024, got %d", p.MaxStatementBytes)
	}
	if p.VersionColumn != "" && p.WriteMode != "update" {
		fail("versionColumn", "works with writeMode \"update\" (an upsert), not %q", p.WriteMode)
	}
	if p.TimeZone != "" {
		if _, err := rdbms.ParseZone(p.TimeZone); err != nil {
			fail("timeZone", "%v", err)
		}
	}
	return errors.Join(errs...)
}
