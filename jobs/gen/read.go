package gen

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"datax/plugin"
	"datax/rdbms"
	"datax/spec"
)

// Catalog is what ReadCatalog found: the selected tables and the tables it
// cannot generate, with the reason.
type Catalog struct {
	Server string
	Tables []*Table
	// Skipped are selected tables that are not generated (views, no
	// privilege, partial metadata), with the reason.
	Skipped []Problem
	// Notes say how the metadata was read (e.g. performance_schema off).
	Notes []string
	// ActivityOn is set when the server's counters were read.
	ActivityOn bool
	Uptime     int64
	// Elapsed is how long reading took.
	Elapsed time.Duration
}

// Problem is a table gen does not generate, or generates with a caveat.
type Problem struct {
	Table  string // db.table
	Reason string
}

// Selection picks tables: whole databases, explicit tables, include and
// exclude patterns.
type Selection struct {
	Databases        []string
	Tables           []string
	Include, Exclude []string
}

// ReadCatalog reads the metadata of the selected tables: a few queries per
// database over information_schema (tables, columns, indexes) and
// performance_schema, plus a privilege probe per table (SELECT * … LIMIT
// 0), so that a table the user cannot read whole is reported instead of
// generated from partial metadata.
func ReadCatalog(ctx context.Context, q rdbms.Querier, sel Selection) (*Catalog, error) {
	start := time.Now()
	cat := &Catalog{}
	defer func() { cat.Elapsed = time.Since(start) }()
	var err error
	if cat.Server, err = rdbms.ServerVersion(ctx, q); err != nil {
		return nil, err
	}
	if len(sel.Databases) == 0 {
		return nil, selectionError("no database selected: give --db (or databases in the config, or a database in the jdbcUrl)")
	}
	visible, err := rdbms.Schemas(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("listing databases: %w", err)
	}
	for _, db := range sel.Databases {
		if !slices.Contains(visible, db) {
			msg := fmt.Sprintf("unknown database %s: it does not exist or this user has no privilege on it", rdbms.QuoteIdent(db))
			if near := spec.Nearest(db, visible); near != "" {
				msg += fmt.Sprintf("; did you mean %q?", near)
			}
			return nil, selectionError(msg)
		}
	}
	explicit := explicitSet(sel) // db.table of the tables named explicitly
	var missing []string
	for _, db := range sel.Databases {
		tables, err := rdbms.SchemaTables(ctx, q, db)
		if err != nil {
			return nil, fmt.Errorf("database %s: %w", db, err)
		}
		var names []string
		var chosen []rdbms.TableInfo
		for _, t := range tables {
			names = append(names, t.Name)
			if !selected(sel, explicit, db, t.Name) {
				continue
			}
			if t.Type != "BASE TABLE" && t.Type != "SYSTEM VERSIONED" {
				cat.Skipped = append(cat.Skipped, Problem{db + "." + t.Name, strings.ToLower(t.Type) + ": only base tables are generated"})
				continue
			}
			chosen = append(chosen, t)
		}
		for key := range explicit {
			edb, et := rdbms.SplitTableName(key)
			if edb == db && !slices.Contains(names, et) {
				m := fmt.Sprintf("table %s does not exist or this user has no privilege on it", rdbms.QuoteTable(db, et))
				if near := spec.Nearest(et, names); near != "" {
					m += fmt.Sprintf(" (did you mean %q?)", near)
				}
				missing = append(missing, m)
			}
		}
		if len(chosen) == 0 {
			continue
		}
		cols, err := rdbms.SchemaColumns(ctx, q, db)
		if err != nil {
			return nil, fmt.Errorf("database %s: reading information_schema.COLUMNS: %w", db, err)
		}
		idx, err := rdbms.SchemaIndexes(ctx, q, db)
		if err != nil {
			return nil, fmt.Errorf("database %s: reading information_schema.STATISTICS: %w", db, err)
		}
		act, uptime, on, why, err := rdbms.SchemaActivity(ctx, q, db)
		if err != nil {
			return nil, fmt.Errorf("database %s: reading performance_schema: %w", db, err)
		}
		cat.ActivityOn, cat.Uptime = on, uptime
		if why != "" && !slices.Contains(cat.Notes, why) {
			cat.Notes = append(cat.Notes, why)
		}
		for _, ti := range chosen {
			t := &Table{DB: db, Name: ti.Name, Comment: ti.Comment, Engine: ti.Engine,
				Stats: Stats{Rows: ti.Rows, DataBytes: ti.DataLength, IndexBytes: ti.IndexLength, AutoIncrement: ti.AutoIncrement}}
			for _, c := range cols[ti.Name] {
				col := Column{Name: c.Name, DataType: c.DataType, ColumnType: c.ColumnType, Precision: c.Precision,
					Scale: c.Scale, Charset: c.Charset, Collation: c.Collation, Nullable: c.Nullable, Comment: c.Comment, Extra: c.Extra}
				if c.HasDefault {
					d := c.Default
					col.Default = &d
				}
				t.Columns = append(t.Columns, col)
			}
			for _, ix := range idx[ti.Name] {
				t.Indexes = append(t.Indexes, Index{Name: ix.Name, Primary: ix.Primary, Unique: ix.Unique, Columns: ix.Columns})
			}
			if a, ok := act[ti.Name]; ok && on {
				t.Stats.Activity = &Activity{Inserts: a.Inserts, Updates: a.Updates, Deletes: a.Deletes}
			} else if on {
				t.Stats.Activity = &Activity{}
			}
			if reason, err := probe(ctx, q, t); err != nil {
				return nil, err
			} else if reason != "" {
				cat.Skipped = append(cat.Skipped, Problem{t.Key(), reason})
				continue
			}
			cat.Tables = append(cat.Tables, t)
		}
	}
	if len(missing) > 0 {
		return nil, selectionError(strings.Join(missing, "; "))
	}
	if len(cat.Tables) == 0 && len(cat.Skipped) == 0 {
		return nil, selectionError(fmt.Sprintf("no table matches the selection (%s)", sel))
	}
	return cat, nil
}

// String describes the selection for messages.
func (s Selection) String() string {
	parts := []string{"databases " + strings.Join(s.Databases, ", ")}
	if len(s.Tables) > 0 {
		parts = append(parts, "tables "+strings.Join(s.Tables, ", "))
	}
	if len(s.Include) > 0 {
		parts = append(parts, "include "+strings.Join(s.Include, ", "))
	}
	if len(s.Exclude) > 0 {
		parts = append(parts, "exclude "+strings.Join(s.Exclude, ", "))
	}
	return strings.Join(parts, "; ")
}

func selected(sel Selection, explicit map[string]bool, db, table string) bool {
	if len(sel.Tables) > 0 && !explicit[db+"."+table] {
		return false
	}
	if len(sel.Include) > 0 && !slices.ContainsFunc(sel.Include, func(p string) bool { return matchTable(p, db, table) }) {
		return false
	}
	return !slices.ContainsFunc(sel.Exclude, func(p string) bool { return matchTable(p, db, table) })
}

// probe checks that the user can read every column of t: information_schema
// shows only the columns a user has a privilege on, so metadata read with
// column-level grants is partial, and a table the user may only write is
// visible but unreadable. Both are reported, never generated.
func probe(ctx context.Context, q rdbms.Querier, t *Table) (string, error) {
	rows, err := q.QueryContext(ctx, "SELECT * FROM "+rdbms.QuoteTable(t.DB, t.Name)+" LIMIT 0")
	if err != nil {
		switch rdbms.ErrorCode(err) {
		case 1142, 1143:
			return fmt.Sprintf("this user may not SELECT every column (information_schema then shows only part of the table): GRANT SELECT ON %s TO the user (server: %v)",
				rdbms.QuoteTable(t.DB, t.Name), err), nil
		case 1146:
			return "the table was dropped while gen read the metadata", nil
		}
		return "", fmt.Errorf("%s: %w", t.Key(), rdbms.Classify(err))
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return "", err
	}
	if len(names) != len(t.Columns) {
		return fmt.Sprintf("information_schema shows %d columns but the table has %d: the metadata is partial (column privileges?)", len(t.Columns), len(names)), nil
	}
	return "", rows.Close()
}

// SelectionError is a selection that names nothing: an unknown database, a
// missing table, patterns that match no table.
type SelectionError struct{ Msg string }

func (e *SelectionError) Error() string { return e.Msg }

func selectionError(msg string) error { return plugin.Permanent(&SelectionError{msg}) }

// IsSelectionError reports whether err is a SelectionError.
func IsSelectionError(err error) bool {
	var se *SelectionError
	return errors.As(err, &se)
}
