package rdbms

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"datax/splitter"
)

// Catalog reading for whole databases at once (`datax gen`): one query per
// information_schema view and database, never one per table, so that a
// database of thousands of tables is read in a few round trips.

// TableInfo is a table as information_schema.TABLES describes it.
type TableInfo struct {
	Name    string
	Type    string // BASE TABLE, VIEW, SYSTEM VERSIONED, SEQUENCE
	Engine  string
	Comment string
	// Rows, DataLength and IndexLength are the server's estimates (InnoDB
	// samples them); AutoIncrement is the next AUTO_INCREMENT value, or 0.
	Rows, DataLength, IndexLength, AutoIncrement int64
}

// CatalogColumn is a column with what information_schema.COLUMNS says
// beyond ColumnInfo: its position, default, comment and extra attributes
// (auto_increment, on update current_timestamp(), VIRTUAL GENERATED, ...).
type CatalogColumn struct {
	ColumnInfo
	Ordinal int
	// Default is COLUMN_DEFAULT as the server shows it; HasDefault is false
	// when it is NULL (no default, or DEFAULT NULL on MySQL).
	Default    string
	HasDefault bool
	Comment    string
	Extra      string
}

// SchemaTables returns the tables and views of database db visible to the
// user, by name.
func SchemaTables(ctx context.Context, q Querier, db string) ([]TableInfo, error) {
	rows, err := q.QueryContext(ctx, `SELECT TABLE_NAME, TABLE_TYPE, COALESCE(ENGINE, ''), COALESCE(TABLE_COMMENT, ''),
		COALESCE(TABLE_ROWS, 0), COALESCE(DATA_LENGTH, 0), COALESCE(INDEX_LENGTH, 0), COALESCE(AUTO_INCREMENT, 0)
		FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`, db)
	if err != nil {
		return nil, Classify(err)
	}
	defer rows.Close()
	var out []TableInfo
	for rows.Next() {
		var t TableInfo
		if err := rows.Scan(&t.Name, &t.Type, &t.Engine, &t.Comment, &t.Rows, &t.DataLength, &t.IndexLength, &t.AutoIncrement); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, Classify(rows.Err())
}

// SchemaColumns returns the columns of every table of database db visible
// to the user, in order, by table name.
func SchemaColumns(ctx context.Context, q Querier, db string) (map[string][]CatalogColumn, error) {
	rows, err := q.QueryContext(ctx, `SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, DATA_TYPE, COLUMN_TYPE,
		COALESCE(NUMERIC_PRECISION, 0), COALESCE(NUMERIC_SCALE, DATETIME_PRECISION, 0),
		COALESCE(CHARACTER_SET_NAME, ''), COALESCE(COLLATION_NAME, ''), IS_NULLABLE,
		COLUMN_DEFAULT, COALESCE(COLUMN_COMMENT, ''), COALESCE(EXTRA, '')
		FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?
		ORDER BY TABLE_NAME, ORDINAL_POSITION`, db)
	if err != nil {
		return nil, Classify(err)
	}
	defer rows.Close()
	out := map[string][]CatalogColumn{}
	for rows.Next() {
		var table, nullable string
		var def sql.NullString
		var c CatalogColumn
		if err := rows.Scan(&table, &c.Name, &c.Ordinal, &c.DataType, &c.ColumnType, &c.Precision, &c.Scale,
			&c.Charset, &c.Collation, &nullable, &def, &c.Comment, &c.Extra); err != nil {
			return nil, err
		}
		c.DataType = strings.ToLower(c.DataType)
		c.Nullable = nullable == "YES"
		c.Default, c.HasDefault = def.String, def.Valid
		out[table] = append(out[table], c)
	}
	return out, Classify(rows.Err())
}

// SchemaIndexes returns the indexes of every table of database db, by
// table name, as Indexes does for one table: the primary key first, then
// the others by name; prefix indexes and ignored indexes are left out.
func SchemaIndexes(ctx context.Context, q Querier, db string) (map[string][]splitter.IndexDef, error) {
	// IGNORED (MariaDB 10.6+) and IS_VISIBLE (MySQL 8) do not exist
	// everywhere: ask for the one the server has.
	visible := "'YES'"
	for _, c := range []struct{ col, expr string }{{"IGNORED", "IF(IGNORED = 'YES', 'NO', 'YES')"}, {"IS_VISIBLE", "IS_VISIBLE"}} {
		var n int
		if err := queryRow(ctx, q, `SELECT COUNT(*) FROM information_schema.COLUMNS
			WHERE TABLE_SCHEMA = 'information_schema' AND TABLE_NAME = 'STATISTICS' AND COLUMN_NAME = ?`, []any{c.col}, &n); err != nil {
			return nil, Classify(err)
		}
		if n > 0 {
			visible = c.expr
			break
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COALESCE(COLUMN_NAME, ''),
		SUB_PART IS NOT NULL, `+visible+`
		FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?
		ORDER BY TABLE_NAME, INDEX_NAME <> 'PRIMARY', INDEX_NAME, SEQ_IN_INDEX`, db)
	if err != nil {
		return nil, Classify(err)
	}
	defer rows.Close()
	out := map[string][]splitter.IndexDef{}
	skip := map[[2]string]bool{}
	for rows.Next() {
		var table, name, column, vis string
		var nonUnique int
		var prefix bool
		if err := rows.Scan(&table, &name, &nonUnique, &column, &prefix, &vis); err != nil {
			return nil, err
		}
		if prefix || column == "" || vis == "NO" {
			skip[[2]string{table, name}] = true
		}
		ixs := out[table]
		if len(ixs) == 0 || ixs[len(ixs)-1].Name != name {
			ixs = append(ixs, splitter.IndexDef{Name: name, Primary: name == "PRIMARY", Unique: nonUnique == 0})
		}
		ixs[len(ixs)-1].Columns = append(ixs[len(ixs)-1].Columns, column)
		out[table] = ixs
	}
	if err := rows.Err(); err != nil {
		return nil, Classify(err)
	}
	for table, ixs := range out {
		kept := ixs[:0]
		for _, ix := range ixs {
			if !skip[[2]string{table, ix.Name}] {
				kept = append(kept, ix)
			}
		}
		out[table] = kept
	}
	return out, nil
}

// Schemas returns the names of the databases visible to the user.
func Schemas(ctx context.Context, q Querier) ([]string, error) {
	names, err := list(ctx, q, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME")
	return names, Classify(err)
}

// TableActivity are a table's row operations since the server started.
type TableActivity struct {
	Inserts, Updates, Deletes int64
}

// SchemaActivity returns performance_schema's row-operation counters
// (table_io_waits_summary_by_table) of the tables of database db, and how
// long the server has been up (the counters count since then). on is false
// when the server keeps no counters (performance_schema off, as by default
// on MariaDB) or the user may not read them; why then says which.
func SchemaActivity(ctx context.Context, q Querier, db string) (act map[string]TableActivity, uptime int64, on bool, why string, err error) {
	var ps sql.NullString
	if err := queryRow(ctx, q, "SELECT @@performance_schema", nil, &ps); err != nil {
		return nil, 0, false, "", Classify(err)
	}
	var name, value string
	if err := queryRow(ctx, q, "SHOW GLOBAL STATUS LIKE 'Uptime'", nil, &name, &value); err == nil {
		fmt.Sscan(value, &uptime)
	}
	if ps.String != "1" && !strings.EqualFold(ps.String, "ON") {
		return nil, uptime, false, "performance_schema is off on the server", nil
	}
	rows, err := q.QueryContext(ctx, `SELECT OBJECT_NAME, COUNT_INSERT, COUNT_UPDATE, COUNT_DELETE
		FROM performance_schema.table_io_waits_summary_by_table
		WHERE OBJECT_TYPE = 'TABLE' AND OBJECT_SCHEMA = ?`, db)
	if err != nil {
		if _, perm := permanentCodes[ErrorCode(err)]; perm {
			return nil, uptime, false, "performance_schema is on but not readable by this user: " + err.Error(), nil
		}
		return nil, uptime, false, "", Classify(err)
	}
	defer rows.Close()
	act = map[string]TableActivity{}
	for rows.Next() {
		var t string
		var a TableActivity
		if err := rows.Scan(&t, &a.Inserts, &a.Updates, &a.Deletes); err != nil {
			return nil, uptime, false, "", err
		}
		act[t] = a
	}
	return act, uptime, true, "", Classify(rows.Err())
}

// ServerVersion returns VERSION() (e.g. "10.11.19-MariaDB-0+deb12u1-log").
func ServerVersion(ctx context.Context, q Querier) (string, error) {
	var v string
	err := queryRow(ctx, q, "SELECT VERSION()", nil, &v)
	return v, Classify(err)
}
