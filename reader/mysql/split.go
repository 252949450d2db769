package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"datax/plugin"
	"datax/rdbms"
	"datax/reader"
	"datax/record"
	"datax/spec"
	"datax/splitter"
)

// Split connects to every connection[] element, learns the schema, checks
// that every table (or query) yields the same one, and cuts each table into
// key ranges: ceil(channels / tables) × splitFactor per table. With
// consistentSnapshot it then opens the snapshot connections.
func (r *mysqlReader) Split(ctx context.Context, channels int) (record.Schema, []reader.Task, error) {
	if r.shards != nil { // split again: start afresh
		r.Close()
		r.shards, r.schema, r.width, r.report = nil, nil, 0, nil
	}
	opts, err := r.connOptions()
	if err != nil {
		return nil, nil, err
	}
	opts.MaxIdle = max(channels, 1) + 1 // a task's connection serves the next task
	for i, urls := range r.urls {
		s := &shard{index: i, urls: urls, opts: opts}
		r.shards = append(r.shards, s)
		if _, err := s.database(ctx, false); err != nil {
			return nil, nil, err
		}
	}
	var tasks []*task
	if r.queryMode() {
		tasks, err = r.splitQueries(ctx)
	} else {
		tasks, err = r.splitTables(ctx, channels)
	}
	if err != nil {
		return nil, nil, err
	}
	if err := r.addShardColumns(); err != nil {
		return nil, nil, err
	}
	if r.p.ConsistentSnapshot {
		if err := r.openSnapshots(ctx, channels, tasks); err != nil {
			return nil, nil, err
		}
	}
	out := make([]reader.Task, len(tasks))
	for i, t := range tasks {
		out[i] = t
	}
	return r.schema, out, nil
}

func (r *mysqlReader) queryMode() bool {
	if len(r.p.QuerySQL) > 0 {
		return true
	}
	for _, c := range r.p.Connection {
		if len(c.QuerySQL) > 0 {
			return true
		}
	}
	return false
}

func (r *mysqlReader) addShardColumns() error {
	for _, sc := range []struct{ key, name string }{
		{"shardColumns.database", r.p.ShardColumns.Database},
		{"shardColumns.table", r.p.ShardColumns.Table},
	} {
		if sc.name == "" {
			continue
		}
		if r.schema.Index(sc.name) >= 0 {
			return plugin.Permanent(fmt.Errorf("%s: a column named %q is already read; choose another name", sc.key, sc.name))
		}
		r.schema = append(r.schema, record.Column{Name: sc.name, Kind: record.String, NotNull: true, SourceType: "varchar"})
	}
	return nil
}

// shardValues are the values of the configured shard columns.
func (r *mysqlReader) shardValues(database, table string) []string {
	var out []string
	if r.p.ShardColumns.Database != "" {
		out = append(out, database)
	}
	if r.p.ShardColumns.Table != "" {
		out = append(out, table)
	}
	return out
}

// decoder builds a task's row decoder; TIMESTAMP values that come as text
// (querySql, expressions) need the session's time zone.
func (r *mysqlReader) decoder(ctx context.Context, s *shard, cols record.Schema, decs []rdbms.Decode) (*rdbms.RowDecoder, error) {
	opts := rdbms.DecodeOptions{ZeroDate: r.zeroDate, Zone: r.zone}
	for _, d := range decs {
		if d == rdbms.DecodeTimestamp {
			loc, err := rdbms.SessionZone(ctx, s.db)
			if err != nil {
				return nil, plugin.Permanent(fmt.Errorf("connection[%d]: %w", s.index, err))
			}
			opts.Session = loc
			break
		}
	}
	return rdbms.NewRowDecoder(cols, decs, opts), nil
}

// sameSchema checks that a table or query yields the schema of the first
// one; decimal precisions and fractional digits may differ (the wider
// wins), kinds and names may not.
func (r *mysqlReader) sameSchema(where string, cols record.Schema) error {
	if r.schema == nil {
		r.schema = append(record.Schema(nil), cols...)
		r.width = len(cols)
		return nil
	}
	if len(cols) != len(r.schema) {
		return plugin.Permanent(fmt.Errorf("%s yields %d columns (%s), the first table or query %d (%s): shards must have the same columns",
			where, len(cols), strings.Join(cols.Names(), ", "), len(r.schema), strings.Join(r.schema.Names(), ", ")))
	}
	for j, c := range cols {
		want := &r.schema[j]
		switch {
		case !strings.EqualFold(c.Name, want.Name):
			return plugin.Permanent(fmt.Errorf("%s: column %d is %s, in the first table or query %s", where, j+1, c.Name, want.Name))
		case c.Kind != want.Kind:
			return plugin.Permanent(fmt.Errorf("%s: column %s is %s (%s), in the first table or query %s (%s)", where, c.Name, c.Kind, c.SourceType, want.Kind, want.SourceType))
		case c.Kind == record.Decimal && c.Scale != want.Scale:
			return plugin.Permanent(fmt.Errorf("%s: column %s is %s, in the first table or query %s: the scales differ", where, c.Name, c.SourceType, want.SourceType))
		}
		want.Precision = max(want.Precision, c.Precision)
		if c.Kind != record.Decimal {
			want.Scale = max(want.Scale, c.Scale)
		}
		want.NotNull = want.NotNull && c.NotNull
	}
	return nil
}

// splitQueries makes one task per querySql per connection[] element.
func (r *mysqlReader) splitQueries(ctx context.Context) ([]*task, error) {
	var tasks []*task
	for i, s := range r.shards {
		type q struct{ path, sql string }
		var queries []q
		for j, sql := range r.p.QuerySQL {
			queries = append(queries, q{fmt.Sprintf("querySql[%d]", j), sql})
		}
		for j, sql := range r.p.Connection[i].QuerySQL {
			queries = append(queries, q{fmt.Sprintf("connection[%d].querySql[%d]", i, j), sql})
		}
		dbName, err := rdbms.CurrentDatabase(ctx, s.db)
		if err != nil {
			return nil, fmt.Errorf("connection[%d]: %w", i, rdbms.Classify(err))
		}
		for _, qq := range queries {
			sql := strings.TrimRight(strings.TrimSpace(qq.sql), "; \t\n")
			// The closing parenthesis on a line of its own: a trailing
			// "-- comment" or "# comment" of the query ends at its line.
			cols, decs, err := resultColumns(ctx, s.db, "SELECT * FROM (\n"+sql+"\n) AS dx_query LIMIT 0")
			if err != nil {
				return nil, fmt.Errorf("%s on %s: %w", qq.path, s.db, err)
			}
			where := fmt.Sprintf("%s on %s", qq.path, s.db)
			if err := r.sameSchema(where, cols); err != nil {
				return nil, err
			}
			dec, err := r.decoder(ctx, s, cols, decs)
			if err != nil {
				return nil, err
			}
			tasks = append(tasks, &task{
				shard: i, query: sql, dec: dec, shardValues: r.shardValues(dbName, ""),
				desc: fmt.Sprintf("connection[%d] %s %s", i, s.db, qq.path),
			})
		}
	}
	return tasks, nil
}

// resultTypes runs a query that returns no rows (LIMIT 0) for the
// metadata of its result.
func resultTypes(ctx context.Context, q rdbms.Querier, query string) ([]*sql.ColumnType, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		if rdbms.ErrorCode(err) == 1060 {
			return nil, plugin.Permanent(fmt.Errorf("%w: give every result column its own name (AS alias)", err))
		}
		return nil, rdbms.Classify(err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	return types, rows.Close()
}

// resultColumns maps the result of query (see resultTypes).
func resultColumns(ctx context.Context, q rdbms.Querier, query string) (record.Schema, []rdbms.Decode, error) {
	types, err := resultTypes(ctx, q, query)
	if err != nil {
		return nil, nil, err
	}
	var cols record.Schema
	var decs []rdbms.Decode
	for _, ct := range types {
		c, d, err := rdbms.MapResult(ct)
		if err != nil {
			return nil, nil, plugin.Permanent(err)
		}
		cols = append(cols, c)
		decs = append(decs, d)
	}
	return cols, decs, nil
}

// tableRef is one table to read.
type tableRef struct {
	shard     *shard
	path      string // JSON path of its table entry
	db, table string
}

func (t tableRef) String() string { return rdbms.QuoteTable(t.db, t.table) }

// splitTables cuts every table into key ranges.
func (r *mysqlReader) splitTables(ctx context.Context, channels int) ([]*task, error) {
	var refs []tableRef
	for i, s := range r.shards {
		names, err := splitter.ExpandTables(r.p.Connection[i].Table)
		if err != nil {
			return nil, plugin.Permanent(&spec.Error{Path: fmt.Sprintf("connection[%d].table", i), Msg: err.Error()})
		}
		defaultDB := s.db.Database
		if defaultDB == "" {
			if defaultDB, err = rdbms.CurrentDatabase(ctx, s.db); err != nil {
				return nil, fmt.Errorf("connection[%d]: %w", i, rdbms.Classify(err))
			}
		}
		for j, n := range names {
			db, t := rdbms.SplitTableName(n)
			if db == "" {
				db = defaultDB
			}
			path := fmt.Sprintf("connection[%d].table[%d]", i, j)
			if db == "" {
				return nil, plugin.Permanent(fmt.Errorf("%s %q: no database: name it in the jdbcUrl (jdbc:mysql://host:port/DATABASE) or as database.table", path, n))
			}
			refs = append(refs, tableRef{shard: s, path: path, db: db, table: t})
		}
	}
	perTable := splitter.PerTable(channels, len(refs), r.p.SplitFactor)
	var tasks []*task
	for _, ref := range refs {
		ts, err := r.splitTable(ctx, ref, perTable)
		if err != nil {
			return nil, err
		}
		tasks = append(tasks, ts...)
	}
	return tasks, nil
}

// sqlConstants are bare words of a column list that are constants, not
// column names.
var sqlConstants = map[string]bool{
	"null": true, "true": true, "false": true, "current_timestamp": true, "current_date": true,
	"current_time": true, "current_user": true, "localtime": true, "localtimestamp": true,
	"utc_date": true, "utc_time": true, "utc_timestamp": true,
}

func (r *mysqlReader) splitTable(ctx context.Context, ref tableRef, perTable int) ([]*task, error) {
	s := ref.shard
	at := fmt.Sprintf("%s (%s on %s)", ref.path, ref, s.db.Addr)
	infos, err := rdbms.Columns(ctx, s.db, ref.db, ref.table)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", at, err)
	}
	byName, names := rdbms.ByName(infos)
	// The select list: table columns through the exact mapping,
	// expressions through the result's metadata.
	items := r.p.Column
	if len(items) == 1 && strings.TrimSpace(items[0]) == "*" {
		items = names
	}
	exprs := make([]string, len(items))
	infoAt := make([]*rdbms.ColumnInfo, len(items))
	for k, item := range items {
		name, ok := rdbms.ColumnName(item)
		if !ok || sqlConstants[strings.ToLower(name)] {
			exprs[k] = item
			continue
		}
		c, ok := byName[strings.ToLower(name)]
		if !ok {
			return nil, plugin.Permanent(fmt.Errorf("column[%d]: %s has no column %q%s", k, at, name, nearest(name, names)))
		}
		infoAt[k] = &c
		exprs[k] = rdbms.SelectExpr(c)
	}
	from := " FROM " + rdbms.QuoteTable(ref.db, ref.table)
	where := strings.TrimSpace(r.p.Where)
	meta := "SELECT " + strings.Join(exprs, ", ") + from
	if where != "" {
		meta += " WHERE (" + where + ")"
	}
	types, err := resultTypes(ctx, s.db, meta+" LIMIT 0")
	if err != nil {
		return nil, fmt.Errorf("%s: the column list or where does not run: %w", at, err)
	}
	cols := make(record.Schema, len(items))
	decs := make([]rdbms.Decode, len(items))
	for k := range items {
		var c record.Column
		var d rdbms.Decode
		var err error
		if infoAt[k] == nil {
			c, d, err = rdbms.MapResult(types[k])
		} else {
			c, d, err = rdbms.MapColumn(*infoAt[k])
		}
		if err != nil {
			return nil, plugin.Permanent(fmt.Errorf("column[%d]: %s: %w", k, at, err))
		}
		cols[k], decs[k] = c, d
	}
	if err := r.sameSchema(at, cols); err != nil {
		return nil, err
	}
	dec, err := r.decoder(ctx, s, cols, decs)
	if err != nil {
		return nil, err
	}

	indexes, err := rdbms.Indexes(ctx, s.db, ref.db, ref.table)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", at, err)
	}
	key, keyInfo, ok, err := r.splitKey(ref, at, infos, indexes, byName, names)
	if err != nil {
		return nil, err
	}
	ranges := []splitter.Range{{}}
	if ok && perTable > 1 {
		idx := &rdbms.KeyIndex{Q: s.db, DB: ref.db, Table: ref.table, Key: key,
			Charset: keyInfo.Charset, Collation: keyInfo.Collation, Index: rdbms.IndexOn(indexes, key.Column)}
		if idx.Index == "" {
			r.env.Log.Warn("the split key has no index: every task scans the whole table; prefer an indexed splitPk",
				"table", ref.String(), "splitPk", key.Column)
		}
		if ranges, err = splitter.Plan(ctx, key, idx, perTable, splitter.Options{}); err != nil {
			return nil, fmt.Errorf("%s: splitting on %s: %w", at, key.Column, err)
		}
	}
	tasks := make([]*task, 0, len(ranges))
	for _, rg := range ranges {
		var conds []string
		if where != "" {
			conds = append(conds, "("+where+")")
		}
		if c := rdbms.RangeSQL(key, rg, keyInfo.Charset, keyInfo.Collation); c != "" {
			conds = append(conds, c)
		}
		q := "SELECT " + strings.Join(exprs, ", ") + from
		if len(conds) > 0 {
			q += " WHERE " + strings.Join(conds, " AND ")
		}
		desc := fmt.Sprintf("%s %s", at, rg.Format(key))
		if !ok {
			desc = at + " whole table"
		}
		tasks = append(tasks, &task{shard: s.index, query: q, desc: desc, dec: dec,
			shardValues: r.shardValues(ref.db, ref.table), lockName: rdbms.QuoteTable(ref.db, ref.table)})
	}
	r.env.Log.Info("table split", "table", ref.String(), "key", key.Column, "tasks", len(tasks))
	return tasks, nil
}

// splitKey returns the column to split on: splitPk, or one chosen from the
// table's keys; ok is false when the table is read whole.
func (r *mysqlReader) splitKey(ref tableRef, at string, infos []rdbms.ColumnInfo, indexes []splitter.IndexDef,
	byName map[string]rdbms.ColumnInfo, names []string) (splitter.Key, rdbms.ColumnInfo, bool, error) {
	if pk := strings.TrimSpace(r.p.SplitPk); pk != "" {
		name, ok := rdbms.ColumnName(pk)
		if !ok {
			name = pk
		}
		c, ok := byName[strings.ToLower(name)]
		if !ok {
			return splitter.Key{}, c, false, plugin.Permanent(fmt.Errorf("splitPk: %s has no column %q%s", at, name, nearest(name, names)))
		}
		kind := rdbms.KeyKind(c)
		if kind == 0 {
			return splitter.Key{}, c, false, plugin.Permanent(fmt.Errorf("splitPk: column %q of %s is %s; only integer and string (CHAR, VARCHAR, BINARY, VARBINARY) columns can split a table",
				c.Name, at, c.ColumnType))
		}
		unique := false
		for _, ix := range indexes {
			if ix.Unique && len(ix.Columns) == 1 && strings.EqualFold(ix.Columns[0], c.Name) {
				unique = true
			}
		}
		return splitter.Key{Column: c.Name, Kind: kind, Nullable: c.Nullable, Unique: unique}, c, true, nil
	}
	scols := make([]splitter.Column, len(infos))
	for i, c := range infos {
		scols[i] = splitter.Column{Name: c.Name, Kind: rdbms.KeyKind(c), Nullable: c.Nullable}
	}
	key, ok := splitter.ChooseKey(scols, indexes)
	if !ok {
		r.env.Log.Info("no split key (no single-column primary key, unique integer index or integer leading primary key column): the table is one task",
			"table", ref.String())
		return key, rdbms.ColumnInfo{}, false, nil
	}
	return key, byName[strings.ToLower(key.Column)], true, nil
}

func nearest(got string, names []string) string {
	if n := spec.Nearest(got, names); n != "" {
		return fmt.Sprintf("; did you mean %q?", n)
	}
	return " (columns: " + strings.Join(names, ", ") + ")"
}
