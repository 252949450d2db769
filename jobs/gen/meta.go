package gen

import (
	"slices"
	"strings"

	"datax/rdbms"
	"datax/splitter"
)

// Metadata is what gen saw of the source, stored beside what it generated
// (metadata.json) so that the next run can tell what changed.
type Metadata struct {
	Version int `json:"version"`
	// Source is the jdbcUrl (no credentials), Username the user and
	// PasswordRef the placeholder the generated files use for the password;
	// `datax gen check` connects with them.
	Source      string `json:"source"`
	Username    string `json:"username"`
	PasswordRef string `json:"passwordRef"`
	TimeZone    string `json:"timeZone"`
	Server      string `json:"server"`
	// Tables are the generated tables, by db.table.
	Tables []*Table `json:"tables"`
}

// metadataVersion is the format of metadata.json.
const metadataVersion = 1

// Table is one source table: its definition (compared between runs), the
// server's estimates and counters (not compared: they move every day), and
// the choices gen made for it.
type Table struct {
	DB      string   `json:"db"`
	Name    string   `json:"name"`
	Comment string   `json:"comment,omitempty"`
	Engine  string   `json:"engine,omitempty"`
	Columns []Column `json:"columns"`
	Indexes []Index  `json:"indexes,omitempty"`

	Stats Stats `json:"stats"`

	// Decision is what gen chose; absent for a table it could not
	// generate, whose Problem then says why.
	Decision *Decision `json:"decision,omitempty"`
	Problem  string    `json:"problem,omitempty"`
}

// Column is a source column as information_schema.COLUMNS describes it.
type Column struct {
	Name       string  `json:"name"`
	DataType   string  `json:"dataType"`
	ColumnType string  `json:"columnType"`
	Precision  int     `json:"precision,omitempty"`
	Scale      int     `json:"scale,omitempty"`
	Charset    string  `json:"charset,omitempty"`
	Collation  string  `json:"collation,omitempty"`
	Nullable   bool    `json:"nullable"`
	Default    *string `json:"default,omitempty"`
	Comment    string  `json:"comment,omitempty"`
	Extra      string  `json:"extra,omitempty"`
}

// Index is a usable index (primary key first).
type Index struct {
	Name    string   `json:"name"`
	Primary bool     `json:"primary,omitempty"`
	Unique  bool     `json:"unique,omitempty"`
	Columns []string `json:"columns"`
}

// Stats are the server's estimates and activity counters.
type Stats struct {
	Rows          int64 `json:"rows"`
	DataBytes     int64 `json:"dataBytes"`
	IndexBytes    int64 `json:"indexBytes"`
	AutoIncrement int64 `json:"autoIncrement,omitempty"`
	// Activity holds performance_schema's counters, when the server keeps them.
	Activity *Activity `json:"activity,omitempty"`
}

// Activity are a table's row operations since the server started
// (performance_schema.table_io_waits_summary_by_table).
type Activity struct {
	Inserts int64 `json:"inserts"`
	Updates int64 `json:"updates"`
	Deletes int64 `json:"deletes"`
}

// Key returns db.table.
func (t *Table) Key() string { return t.DB + "." + t.Name }

// Column returns the column named name (case-insensitive), or nil.
func (t *Table) Column(name string) *Column {
	for i := range t.Columns {
		if strings.EqualFold(t.Columns[i].Name, name) {
			return &t.Columns[i]
		}
	}
	return nil
}

// Info converts to rdbms's column description.
func (c *Column) Info() rdbms.ColumnInfo {
	return rdbms.ColumnInfo{Name: c.Name, DataType: c.DataType, ColumnType: c.ColumnType, Precision: c.Precision,
		Scale: c.Scale, Charset: c.Charset, Collation: c.Collation, Nullable: c.Nullable}
}

// Temporal reports whether the column holds dates or times a daily window
// can compare (DATE, DATETIME, TIMESTAMP).
func (c *Column) Temporal() bool {
	switch c.DataType {
	case "date", "datetime", "timestamp":
		return true
	}
	return false
}

// OnUpdate reports whether the server sets the column on every update.
func (c *Column) OnUpdate() bool {
	return strings.Contains(strings.ToLower(c.Extra), "on update")
}

// AutoIncrement reports an AUTO_INCREMENT column.
func (c *Column) AutoIncrement() bool {
	return strings.Contains(strings.ToLower(c.Extra), "auto_increment")
}

// Generated reports a generated (virtual or stored) column.
func (c *Column) Generated() bool {
	e := strings.ToLower(c.Extra)
	return strings.Contains(e, "generated") || strings.Contains(e, "virtual") || strings.Contains(e, "persistent")
}

// splitterColumns and splitterIndexes feed splitter.ChooseKey.
func (t *Table) splitterColumns() []splitter.Column {
	out := make([]splitter.Column, len(t.Columns))
	for i := range t.Columns {
		c := &t.Columns[i]
		out[i] = splitter.Column{Name: c.Name, Kind: rdbms.KeyKind(c.Info()), Nullable: c.Nullable}
	}
	return out
}

func (t *Table) splitterIndexes() []splitter.IndexDef {
	out := make([]splitter.IndexDef, len(t.Indexes))
	for i, ix := range t.Indexes {
		out[i] = splitter.IndexDef{Name: ix.Name, Primary: ix.Primary, Unique: ix.Unique, Columns: ix.Columns}
	}
	return out
}

// uniqueKey returns the columns of the primary key, else of the first
// unique index whose columns are all NOT NULL; nil when there is none (the
// table has no key to merge on).
func (t *Table) uniqueKey() []string {
	for _, ix := range t.Indexes {
		if ix.Primary {
			return slices.Clone(ix.Columns)
		}
	}
	for _, ix := range t.Indexes {
		if !ix.Unique {
			continue
		}
		ok := true
		for _, name := range ix.Columns {
			if c := t.Column(name); c == nil || c.Nullable {
				ok = false
			}
		}
		if ok {
			return slices.Clone(ix.Columns)
		}
	}
	return nil
}
