package gen

import (
	"fmt"
	"strings"

	"datax/fileformat"
)

// HiveType maps a MySQL column onto the Hive type that holds every value of
// it exactly (README.md has the table and the reasons). ok is false for a
// type with no safe mapping (DECIMAL wider than 38 digits, spatial types,
// unknown types); why then says what to do.
//
// Every integer type becomes BIGINT (BIGINT UNSIGNED, which BIGINT cannot
// hold, DECIMAL(20,0)) and FLOAT becomes DOUBLE: the most common source
// change, widening an INT to a BIGINT, then needs no Hive migration, and
// the types are those the merge writes back when it rewrites a snapshot.
func HiveType(c *Column) (typ string, ok bool, why string) {
	unsigned := strings.Contains(strings.ToLower(c.ColumnType), "unsigned")
	switch c.DataType {
	case "tinyint", "smallint", "mediumint", "int", "integer", "year":
		return "BIGINT", true, ""
	case "bigint":
		if unsigned {
			return "DECIMAL(20,0)", true, ""
		}
		return "BIGINT", true, ""
	case "decimal", "numeric", "dec", "fixed":
		if c.Precision > 38 {
			return "", false, fmt.Sprintf("DECIMAL(%d,%d) is wider than Hive's DECIMAL(38): map it with columnTypes (e.g. STRING)", c.Precision, c.Scale)
		}
		p := c.Precision
		if p < 1 {
			p = 10
		}
		return fmt.Sprintf("DECIMAL(%d,%d)", p, c.Scale), true, ""
	case "float", "double", "real", "double precision":
		return "DOUBLE", true, ""
	case "bit":
		switch {
		case c.Precision <= 1:
			return "BOOLEAN", true, ""
		case c.Precision < 64:
			return "BIGINT", true, ""
		}
		return "DECIMAL(20,0)", true, ""
	case "date":
		return "DATE", true, ""
	case "datetime", "timestamp":
		return "TIMESTAMP", true, ""
	case "time":
		return "STRING", true, ""
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set", "json",
		"uuid", "inet4", "inet6", "character varying", "long varchar", "long":
		if strings.EqualFold(c.Charset, "binary") {
			return "BINARY", true, ""
		}
		return "STRING", true, ""
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
		return "BINARY", true, ""
	case "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
		"geometrycollection", "geomcollection":
		return "", false, "spatial type " + c.ColumnType + " has no Hive type: map it with columnTypes to STRING (read as ST_AsText) or leave the table out"
	}
	return "", false, "type " + c.ColumnType + " has no known Hive mapping: map it with columnTypes"
}

// parseHiveType checks a Hive type given in the config; the writer must
// accept it.
func parseHiveType(typ string) (string, error) {
	c, err := fileformat.ParseType(typ)
	if err != nil {
		return "", err
	}
	if strings.HasSuffix(c.Type, " UNSIGNED") {
		return "", fmt.Errorf("type %q: Hive has no unsigned types", typ)
	}
	return c.Type, nil
}

// hiveIdent quotes a Hive identifier with backquotes.
func hiveIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// hiveString quotes a HiveQL string literal: single quotes, with
// backslash escapes (Hive and Spark SQL read \' and \\).
func hiveString(s string) string { return "'" + hiveEscapes.Replace(s) + "'" }

var hiveEscapes = strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\r", `\r`, "\t", `\t`, ";", `\;`)
