package rdbms

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"datax/plugin"
	"datax/spec"
	"datax/splitter"
)

// Querier runs queries: *sql.DB, *sql.Conn and *sql.Tx all do.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// CurrentDatabase returns DATABASE() of q's connection ("" when none).
func CurrentDatabase(ctx context.Context, q Querier) (string, error) {
	var db sql.NullString
	if err := queryRow(ctx, q, "SELECT DATABASE()", nil, &db); err != nil {
		return "", err
	}
	return db.String, nil
}

// Columns returns the columns of db.table in order, from
// information_schema. A missing database or table is a permanent error
// that suggests the nearest existing name.
func Columns(ctx context.Context, q Querier, db, table string) ([]ColumnInfo, error) {
	rows, err := q.QueryContext(ctx, `SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE,
		COALESCE(NUMERIC_PRECISION, 0), COALESCE(NUMERIC_SCALE, DATETIME_PRECISION, 0),
		COALESCE(CHARACTER_SET_NAME, ''), COALESCE(COLLATION_NAME, ''), IS_NULLABLE
		FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?
		ORDER BY ORDINAL_POSITION`, db, table)
	if err != nil {
		return nil, Classify(err)
	}
	defer rows.Close()
	var out []ColumnInfo
	for rows.Next() {
		var c ColumnInfo
		var nullable string
		if err := rows.Scan(&c.Name, &c.DataType, &c.ColumnType, &c.Precision, &c.Scale, &c.Charset, &c.Collation, &nullable); err != nil {
			return nil, err
		}
		c.DataType = strings.ToLower(c.DataType)
		c.Nullable = nullable == "YES"
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, Classify(err)
	}
	if len(out) == 0 {
		return nil, missingTable(ctx, q, db, table)
	}
	return out, nil
}

// ByName indexes columns by their lower-cased name (MySQL column names
// ignore case) and lists their names in order.
func ByName(cols []ColumnInfo) (map[string]ColumnInfo, []string) {
	byName := make(map[string]ColumnInfo, len(cols))
	names := make([]string, len(cols))
	for i, c := range cols {
		byName[strings.ToLower(c.Name)] = c
		names[i] = c.Name
	}
	return byName, names
}

// missingTable explains why db.table has no columns: no such database, no
// such table (with the nearest name), or no privilege on it.
func missingTable(ctx context.Context, q Querier, db, table string) error {
	var n int
	if err := queryRow(ctx, q, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", []any{db}, &n); err != nil {
		return Classify(err)
	}
	if n == 0 {
		names, _ := list(ctx, q, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA")
		return plugin.Permanent(fmt.Errorf("database %s does not exist%s", QuoteIdent(db), hint(db, names)))
	}
	names, err := list(ctx, q, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?", db)
	if err != nil {
		return Classify(err)
	}
	return plugin.Permanent(fmt.Errorf("table %s does not exist (or this user may not see it)%s", QuoteTable(db, table), hint(table, names)))
}

func hint(got string, names []string) string {
	if near := spec.Nearest(got, names); near != "" {
		return fmt.Sprintf("; did you mean %q?", near)
	}
	return ""
}

func list(ctx context.Context, q Querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func queryRow(ctx context.Context, q Querier, query string, args []any, dest ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Close()
}

// Indexes returns the indexes of db.table that can serve ranges of their
// columns, in the server's order (the primary key first): prefix indexes
// (on part of a column) and indexes the optimizer ignores are left out.
func Indexes(ctx context.Context, q Querier, db, table string) ([]splitter.IndexDef, error) {
	rows, err := q.QueryContext(ctx, "SHOW INDEX FROM "+QuoteTable(db, table))
	if err != nil {
		return nil, Classify(err)
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	pos := map[string]int{}
	for i, n := range names {
		pos[strings.ToLower(n)] = i
	}
	raw := make([]sql.NullString, len(names))
	dest := make([]any, len(names))
	for i := range raw {
		dest[i] = &raw[i]
	}
	field := func(name string) sql.NullString {
		if i, ok := pos[name]; ok {
			return raw[i]
		}
		return sql.NullString{}
	}
	var out []splitter.IndexDef
	skip := map[string]bool{}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		name := field("key_name").String
		if field("sub_part").Valid || field("column_name").String == "" ||
			strings.EqualFold(field("ignored").String, "YES") || strings.EqualFold(field("visible").String, "NO") {
			skip[name] = true
		}
		if len(out) == 0 || out[len(out)-1].Name != name {
			out = append(out, splitter.IndexDef{
				Name:    name,
				Primary: name == "PRIMARY",
				Unique:  field("non_unique").String == "0",
			})
		}
		ix := &out[len(out)-1]
		ix.Columns = append(ix.Columns, field("column_name").String)
	}
	if err := rows.Err(); err != nil {
		return nil, Classify(err)
	}
	kept := out[:0]
	for _, ix := range out {
		if !skip[ix.Name] {
			kept = append(kept, ix)
		}
	}
	return kept, nil
}

// IndexOn returns the name of the first index whose leading column is
// column ("" when none: ranges of it scan the table).
func IndexOn(indexes []splitter.IndexDef, column string) string {
	for _, ix := range indexes {
		if len(ix.Columns) > 0 && strings.EqualFold(ix.Columns[0], column) {
			return ix.Name
		}
	}
	return ""
}
