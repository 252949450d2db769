// Package mysql is the mysqlwriter plugin: DataX's MySQL writer (insert,
// replace and update write modes, multi-row statements of batchSize rows,
// preSql and postSql with @table), for MySQL and MariaDB, plus a
// version-guarded upsert for idempotent replays of change logs.
//
// Rows are sent as multi-row INSERT statements whose values are literals
// rendered without an allocation per value (rdbms.AppendLiteral: text as
// hex, so no escaping depends on sql_mode). When a statement fails for a
// reason that belongs to its rows (a duplicate key in insert mode, a value
// too long, a NOT NULL column), its rows are sent one by one and only the
// failing ones become dirty records, as DataX does.
//
// A MySQL table cannot stage: each statement commits on its own. In insert
// mode a task that failed after a statement committed is therefore not
// retried (the retry would insert those rows twice); in replace and update
// modes it is, since re-applying the same rows leaves the same state.
package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"datax/channel"
	"datax/plugin"
	"datax/rdbms"
	"datax/record"
	"datax/spec"
	"datax/writer"
)

//go:embed example.json
var example []byte

func init() {
	writer.Register("mysqlwriter", "writes rows into MySQL and MariaDB tables: insert, replace, update, or a version-guarded upsert", example, New)
}

type mysqlWriter struct {
	p    *Params
	env  plugin.Env
	urls []*rdbms.URL
	zone *time.Location

	// Set by Prepare.
	db      *rdbms.DB
	tables  []string
	columns []string
	schema  record.Schema
	prefix  map[string]string // table → INSERT INTO t (cols) VALUES
	suffix  string            // ON DUPLICATE KEY UPDATE ..., or ""

	written atomic.Int64
}

// New builds a mysqlwriter; it does no I/O.
func New(p *Params, env plugin.Env) (writer.Writer, error) {
	w := &mysqlWriter{p: p, env: env, zone: env.Location}
	for _, u := range p.Connection[0].JdbcURL {
		parsed, err := rdbms.ParseURL(u)
		if err != nil {
			return nil, spec.Errorf("connection[0].jdbcUrl", "%v", err)
		}
		w.urls = append(w.urls, parsed)
	}
	if zone := rdbms.ZoneSetting(p.TimeZone, w.urls); zone != "" {
		loc, err := rdbms.ParseZone(zone)
		if err != nil {
			return nil, spec.Errorf("timeZone", "%v", err)
		}
		w.zone = loc
	}
	w.tables = p.Connection[0].Table
	return w, nil
}

// Prepare connects, resolves the columns of every table, runs preSql and
// returns the tables' column types, so the engine converts the reader's
// values to them (and makes the rows that do not fit dirty).
func (w *mysqlWriter) Prepare(ctx context.Context, src record.Schema, tasks int) (record.Schema, error) {
	opts, err := w.p.Login.Options(w.env.Log)
	if err != nil {
		return nil, err
	}
	// TIMESTAMP literals are written as UTC wall clocks (rdbms.AppendLiteral).
	opts.Session = append([]string{"SET time_zone = '+00:00'"}, opts.Session...)
	opts.MaxIdle = w.env.Channels + 1
	db, err := rdbms.Open(ctx, w.urls, opts)
	if err != nil {
		return nil, err
	}
	w.db = db
	dbName := db.Database
	if dbName == "" {
		if dbName, err = rdbms.CurrentDatabase(ctx, db); err != nil {
			return nil, err
		}
	}
	w.prefix = map[string]string{}
	for k, table := range w.tables {
		tdb, tname := rdbms.SplitTableName(table)
		if tdb == "" {
			tdb = dbName
		}
		infos, err := rdbms.Columns(ctx, db, tdb, tname)
		if err != nil {
			return nil, fmt.Errorf("connection[0].table[%d] %s: %w", k, table, err)
		}
		schema, names, err := w.resolve(infos, table)
		if err != nil {
			return nil, err
		}
		if k == 0 {
			w.schema, w.columns = schema, names
		}
		quoted := make([]string, len(names))
		for j, n := range names {
			quoted[j] = rdbms.QuoteIdent(n)
		}
		w.prefix[table] = "INSERT INTO " + rdbms.QuoteTable(tdb, tname) + " (" + strings.Join(quoted, ", ") + ") VALUES "
		if w.p.WriteMode == "replace" {
			w.prefix[table] = "REPLACE" + strings.TrimPrefix(w.prefix[table], "INSERT")
		}
	}
	if len(src) != len(w.schema) {
		return nil, plugin.Permanent(fmt.Errorf("the reader gives %d columns (%s) but column lists %d (%s); they pair by position",
			len(src), strings.Join(src.Names(), ", "), len(w.schema), strings.Join(w.columns, ", ")))
	}
	w.suffix = w.upsertClause()
	if err := w.runSQL(ctx, w.p.PreSQL, "preSql"); err != nil {
		return nil, err
	}
	return w.schema, nil
}

// resolve maps the job's column list onto a table's columns.
func (w *mysqlWriter) resolve(infos []rdbms.ColumnInfo, table string) (record.Schema, []string, error) {
	byName, all := rdbms.ByName(infos)
	wanted := w.p.Column
	if len(wanted) == 1 && strings.TrimSpace(wanted[0]) == "*" {
		wanted = all
	}
	var schema record.Schema
	var names []string
	for j, item := range wanted {
		name := strings.Trim(strings.TrimSpace(item), "`")
		info, ok := byName[strings.ToLower(name)]
		if !ok {
			hint := ""
			if near := spec.Nearest(name, all); near != "" {
				hint = fmt.Sprintf("; did you mean %q?", near)
			}
			return nil, nil, plugin.Permanent(&spec.Error{Path: fmt.Sprintf("column[%d]", j),
				Msg: fmt.Sprintf("table %s has no column %q%s (it has %s)", table, name, hint, strings.Join(all, ", "))})
		}
		col, _, err := rdbms.MapColumn(info)
		if err != nil {
			return nil, nil, plugin.Permanent(fmt.Errorf("table %s: %w", table, err))
		}
		schema = append(schema, col)
		names = append(names, info.Name)
	}
	if v := w.p.VersionColumn; v != "" {
		found := false
		for _, n := range names {
			found = found || strings.EqualFold(n, v)
		}
		if !found {
			return nil, nil, plugin.Permanent(spec.Errorf("versionColumn", "%q is not among the written columns (%s)", v, strings.Join(names, ", ")))
		}
	}
	return schema, names, nil
}

// upsertClause is the ON DUPLICATE KEY UPDATE part of update mode. With a
// version column every assignment is guarded by the stored version, and
// the version itself is assigned last: MySQL evaluates the assignments in
// order, so the guards still see the stored version.
func (w *mysqlWriter) upsertClause() string {
	if w.p.WriteMode != "update" {
		return ""
	}
	version := ""
	if w.p.VersionColumn != "" {
		for _, n := range w.columns {
			if strings.EqualFold(n, w.p.VersionColumn) {
				version = rdbms.QuoteIdent(n)
			}
		}
	}
	newer := "(" + version + " IS NULL OR VALUES(" + version + ") > " + version + ")"
	assign := func(q string) string {
		if version == "" {
			return q + " = VALUES(" + q + ")"
		}
		return q + " = IF(" + newer + ", VALUES(" + q + "), " + q + ")"
	}
	var sets []string
	for _, n := range w.columns {
		if q := rdbms.QuoteIdent(n); q != version {
			sets = append(sets, assign(q))
		}
	}
	if version != "" {
		sets = append(sets, assign(version))
	}
	return " ON DUPLICATE KEY UPDATE " + strings.Join(sets, ", ")
}

func (w *mysqlWriter) runSQL(ctx context.Context, stmts []string, what string) error {
	for _, table := range w.tables {
		for k, s := range stmts {
			q := strings.ReplaceAll(s, "@table", table)
			if _, err := w.db.ExecContext(ctx, q); err != nil {
				return plugin.Permanent(fmt.Errorf("%s[%d] on %s: %w", what, k, table, err))
			}
		}
	}
	return nil
}

// statement is a multi-row INSERT being built for one batch.
type statement struct {
	buf    []byte
	prefix int   // length of the INSERT ... VALUES part
	starts []int // offset of each row's tuple
	rows   []int // the batch row of each tuple
}

func (s *statement) reset(prefix string) {
	s.buf = append(s.buf[:0], prefix...)
	s.prefix = len(prefix)
	s.starts, s.rows = s.starts[:0], s.rows[:0]
}

// Write sends one task's rows.
func (w *mysqlWriter) Write(ctx context.Context, t writer.Task, in *channel.Receiver) error {
	table := w.tables[t.Index%len(w.tables)]
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return rdbms.Classify(err)
	}
	defer conn.Close()
	tw := taskWriter{w: w, conn: conn, in: in, prefix: w.prefix[table]}
	for {
		b, err := in.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return tw.fail(err)
		}
		if err := tw.batch(ctx, b); err != nil {
			return tw.fail(err)
		}
	}
}

type taskWriter struct {
	w         *mysqlWriter
	conn      *sql.Conn
	in        *channel.Receiver
	prefix    string
	stmt      statement
	committed bool
}

// fail marks err as ErrCommitted when rows of this task are already in
// the table and a retry would insert them again.
func (tw *taskWriter) fail(err error) error {
	if tw.committed && tw.w.p.WriteMode == "insert" && !errors.Is(err, plugin.ErrPermanent) {
		return fmt.Errorf("%w: %w", writer.ErrCommitted, err)
	}
	return err
}

func (tw *taskWriter) batch(ctx context.Context, b *record.Batch) error {
	w := tw.w
	schema := b.Schema()
	tw.stmt.reset(tw.prefix)
	n := b.Len()
	for i := 0; i < n; i++ {
		start := len(tw.stmt.buf)
		if len(tw.stmt.starts) > 0 {
			tw.stmt.buf = append(tw.stmt.buf, ',')
		}
		tupleStart := len(tw.stmt.buf)
		tw.stmt.buf = append(tw.stmt.buf, '(')
		var err error
		for j := range schema {
			if j > 0 {
				tw.stmt.buf = append(tw.stmt.buf, ',')
			}
			if tw.stmt.buf, err = rdbms.AppendLiteral(tw.stmt.buf, b.Col(j), i, schema[j], w.zone); err != nil {
				break
			}
		}
		if err != nil {
			tw.stmt.buf = tw.stmt.buf[:start]
			if rerr := tw.in.Reject(b, i, err); rerr != nil {
				return rerr
			}
			continue
		}
		tw.stmt.buf = append(tw.stmt.buf, ')')
		tw.stmt.starts = append(tw.stmt.starts, tupleStart)
		tw.stmt.rows = append(tw.stmt.rows, i)
		if len(tw.stmt.starts) >= w.p.BatchSize || len(tw.stmt.buf) >= w.p.MaxStatementBytes {
			if err := tw.flush(ctx, b); err != nil {
				return err
			}
			tw.stmt.reset(tw.prefix)
		}
	}
	return tw.flush(ctx, b)
}

// flush sends the statement; when the server refuses it because of its
// rows' values, it sends them one by one and rejects those that fail.
func (tw *taskWriter) flush(ctx context.Context, b *record.Batch) error {
	if len(tw.stmt.starts) == 0 {
		return nil
	}
	err := tw.exec(ctx, tw.stmt.buf)
	if err == nil {
		tw.done(len(tw.stmt.starts))
		return nil
	}
	if !rowError(err) {
		return rdbms.Classify(err)
	}
	var one []byte
	for k, start := range tw.stmt.starts {
		end := len(tw.stmt.buf)
		if k+1 < len(tw.stmt.starts) {
			end = tw.stmt.starts[k+1] - 1 // before the comma
		}
		one = append(append(one[:0], tw.stmt.buf[:tw.stmt.prefix]...), tw.stmt.buf[start:end]...)
		if err := tw.exec(ctx, one); err != nil {
			if !rowError(err) {
				return rdbms.Classify(err)
			}
			if rerr := tw.in.Reject(b, tw.stmt.rows[k], err); rerr != nil {
				return rerr
			}
			continue
		}
		tw.done(1)
	}
	return nil
}

// lockRetries is how often a statement chosen as a deadlock victim (or
// timed out on a lock) is sent again: InnoDB rolled the whole statement
// back, so sending it again is safe in every write mode.
const lockRetries = 8

func (tw *taskWriter) exec(ctx context.Context, stmt []byte) error {
	q := string(stmt) + tw.w.suffix
	wait := 5 * time.Millisecond
	for attempt := 0; ; attempt++ {
		_, err := tw.conn.ExecContext(ctx, q)
		code := rdbms.ErrorCode(err)
		if err == nil || (code != 1213 && code != 1205) || attempt == lockRetries {
			return err
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		wait *= 2
	}
}

func (tw *taskWriter) done(rows int) {
	tw.committed = true
	tw.w.written.Add(int64(rows))
}

// rowError reports whether the server refused a statement because of the
// values of (some of) its rows, rather than the connection or the SQL.
func rowError(err error) bool {
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, gomysql.ErrInvalidConn) {
		return false
	}
	switch rdbms.ErrorCode(err) {
	case 1048, // column cannot be null
		1062,       // duplicate entry
		1264,       // out of range
		1265,       // data truncated
		1292,       // incorrect date/time value
		1366,       // incorrect value for the column
		1406,       // data too long
		1451, 1452, // foreign key
		1690, // value out of range in an expression
		3819, // check constraint
		4025: // MariaDB: CONSTRAINT failed
		return true
	}
	return false
}

// Commit runs postSql; the rows are already in the tables.
func (w *mysqlWriter) Commit(ctx context.Context) error {
	return w.runSQL(ctx, w.p.PostSQL, "postSql")
}

// Abort cannot take back committed statements: it says how many rows stay.
func (w *mysqlWriter) Abort(ctx context.Context) error {
	if n := w.written.Load(); n > 0 {
		w.env.Log.Warn("the job failed; rows written by finished statements stay in the table (MySQL cannot stage)",
			"rows", n, "tables", strings.Join(w.tables, ","), "writeMode", w.p.WriteMode)
	}
	return nil
}

// Report says what was written.
func (w *mysqlWriter) Report() []string {
	return []string{fmt.Sprintf("mysqlwriter: %d rows into %s (%s%s)", w.written.Load(), strings.Join(w.tables, ", "), w.p.WriteMode,
		map[bool]string{true: ", guarded by " + w.p.VersionColumn, false: ""}[w.p.VersionColumn != ""])}
}

// Close releases the connections.
func (w *mysqlWriter) Close() error {
	if w.db != nil {
		return w.db.Close()
	}
	return nil
}
