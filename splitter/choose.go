package splitter

import "strings"

// Column describes a table column for ChooseKey.
type Column struct {
	Name string
	// Kind is how the column's values compare; 0 when the column cannot
	// split a table (a type without a safe range order, such as FLOAT).
	Kind     KeyKind
	Nullable bool
}

// IndexDef describes one index of a table for ChooseKey.
type IndexDef struct {
	Name    string
	Primary bool
	Unique  bool
	Columns []string // in index order
}

// ChooseKey picks the split key of a table that names none, the way Sqoop
// does and a little further: the single-column primary key (integer or
// string); else the first unique index of one NOT NULL integer column; else
// the leading column of a composite primary key when it is an integer (its
// ranges are index range scans of the clustered index, and ranges are
// correct for keys that repeat). ok is false when none fits: the table is
// then read as one task.
func ChooseKey(cols []Column, indexes []IndexDef) (key Key, ok bool) {
	byName := make(map[string]Column, len(cols))
	for _, c := range cols {
		byName[strings.ToLower(c.Name)] = c
	}
	col := func(name string) (Column, bool) {
		c, ok := byName[strings.ToLower(name)] // MySQL column names ignore case
		return c, ok && c.Kind != 0
	}
	for _, ix := range indexes {
		if ix.Primary && len(ix.Columns) == 1 {
			if c, ok := col(ix.Columns[0]); ok {
				return Key{Column: c.Name, Kind: c.Kind, Nullable: c.Nullable, Unique: true}, true
			}
		}
	}
	for _, ix := range indexes {
		if ix.Unique && len(ix.Columns) == 1 {
			if c, ok := col(ix.Columns[0]); ok && !c.Nullable && (c.Kind == IntKey || c.Kind == UintKey) {
				return Key{Column: c.Name, Kind: c.Kind, Unique: true}, true
			}
		}
	}
	for _, ix := range indexes {
		if ix.Primary && len(ix.Columns) > 1 {
			if c, ok := col(ix.Columns[0]); ok && (c.Kind == IntKey || c.Kind == UintKey) {
				return Key{Column: c.Name, Kind: c.Kind, Nullable: c.Nullable}, true
			}
		}
	}
	return Key{}, false
}
