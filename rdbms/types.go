package rdbms

import (
	"database/sql"
	"fmt"
	"strings"

	"datax/record"
	"datax/splitter"
)

// Decode says how a column's values arrive from the server (text protocol,
// as go-sql-driver hands them over) and become record values.
type Decode uint8

// The decodings.
const (
	DecodeInt       Decode = iota + 1 // integer (int64) → Int
	DecodeUint                        // BIGINT UNSIGNED (uint64) → Uint
	DecodeFloat32                     // FLOAT → Float: float64 from SelectExpr's (col + 0e0), or float32 from a FLOAT result
	DecodeFloat64                     // DOUBLE (float64) → Float
	DecodeDecimal                     // DECIMAL text (already canonical) → Decimal
	DecodeString                      // text in utf8mb4 → String (checked UTF-8)
	DecodeBytes                       // binary string → Bytes
	DecodeBit                         // BIT(n) big-endian bytes → Uint
	DecodeBool                        // BIT(1) → Bool
	DecodeDate                        // YYYY-MM-DD → Date
	DecodeDatetime                    // YYYY-MM-DD HH:MM:SS[.f] → Timestamp (wall clock)
	DecodeUnixTime                    // UNIX_TIMESTAMP(ts) "sec[.f]" → Timestamp (an instant)
	DecodeTimestamp                   // TIMESTAMP text in the session time zone → Timestamp (an instant)
	DecodeTime                        // [-]HHH:MM:SS[.f] → Time
	DecodeNull                        // the NULL type: always null
)

// ColumnInfo is a table column as information_schema.COLUMNS describes it.
type ColumnInfo struct {
	Name string
	// DataType is DATA_TYPE (lower case: "bigint", "varchar", ...);
	// ColumnType is COLUMN_TYPE ("bigint(20) unsigned", "enum('a','b')").
	DataType, ColumnType string
	// Precision and Scale are NUMERIC_PRECISION and NUMERIC_SCALE; for
	// temporal types Scale is DATETIME_PRECISION (fractional digits).
	Precision, Scale int
	// Charset and Collation of character columns.
	Charset, Collation string
	Nullable           bool
}

// Unsigned reports whether the column is an UNSIGNED number.
func (c ColumnInfo) Unsigned() bool {
	return strings.Contains(strings.ToLower(c.ColumnType), "unsigned")
}

// UnsupportedTypeError is a column whose type has no safe mapping.
type UnsupportedTypeError struct {
	Column, Type, Hint string
}

func (e *UnsupportedTypeError) Error() string {
	msg := fmt.Sprintf("column %s: type %s has no safe mapping to a record type", e.Column, e.Type)
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

const spatialHint = "select it as ST_AsText(col) or ST_AsBinary(col)"

// MapColumn maps a table column onto a record column and its decoding,
// exactly: integers of every width and sign (BIGINT UNSIGNED as Uint, the
// narrower unsigned types as Int, which holds them), DECIMAL(p,s) as
// Decimal, FLOAT as the exact float32 value, DATETIME as a wall-clock
// Timestamp, TIMESTAMP as an instant (read as UNIX_TIMESTAMP, see
// SelectExpr), TIME as a duration, YEAR as Int, BIT(1) as Bool and BIT(n)
// as Uint, character types, ENUM, SET and JSON as String, binary types as
// Bytes. Spatial and unknown types fail with the column's name.
func MapColumn(c ColumnInfo) (record.Column, Decode, error) {
	col := record.Column{Name: c.Name, NotNull: !c.Nullable, SourceType: strings.ToLower(c.ColumnType)}
	if col.SourceType == "" {
		col.SourceType = strings.ToLower(c.DataType)
	}
	switch strings.ToLower(c.DataType) {
	case "tinyint", "smallint", "mediumint", "int", "integer", "year":
		col.Kind = record.Int
		return col, DecodeInt, nil
	case "bigint":
		if c.Unsigned() {
			col.Kind = record.Uint
			return col, DecodeUint, nil
		}
		col.Kind = record.Int
		return col, DecodeInt, nil
	case "decimal", "numeric", "dec", "fixed":
		col.Kind, col.Precision, col.Scale = record.Decimal, c.Precision, c.Scale
		return col, DecodeDecimal, nil
	case "float":
		col.Kind = record.Float
		return col, DecodeFloat32, nil
	case "double", "real", "double precision":
		col.Kind = record.Float
		return col, DecodeFloat64, nil
	case "bit":
		if c.Precision == 1 {
			col.Kind = record.Bool
			return col, DecodeBool, nil
		}
		col.Kind = record.Uint
		return col, DecodeBit, nil
	case "date":
		col.Kind = record.Date
		return col, DecodeDate, nil
	case "datetime":
		col.Kind, col.Scale = record.Timestamp, c.Scale
		return col, DecodeDatetime, nil
	case "timestamp":
		col.Kind, col.Scale = record.Timestamp, c.Scale
		return col, DecodeUnixTime, nil
	case "time":
		col.Kind, col.Scale = record.Time, c.Scale
		return col, DecodeTime, nil
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set", "json",
		"uuid", "inet4", "inet6", "character varying", "long varchar", "long":
		if strings.EqualFold(c.Charset, "binary") {
			col.Kind = record.Bytes
			return col, DecodeBytes, nil
		}
		col.Kind = record.String
		return col, DecodeString, nil
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "vector", "long varbinary":
		col.Kind = record.Bytes
		return col, DecodeBytes, nil
	case "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
		"geometrycollection", "geomcollection":
		return col, 0, &UnsupportedTypeError{Column: c.Name, Type: col.SourceType, Hint: spatialHint}
	}
	return col, 0, &UnsupportedTypeError{Column: c.Name, Type: col.SourceType}
}

// SelectExpr is how a table column is selected so that MapColumn's
// decoding applies: TIMESTAMP columns as UNIX_TIMESTAMP(col), which MySQL
// and MariaDB return from the stored UTC value without going through the
// session time zone (exact, no daylight-saving ambiguity); FLOAT columns as
// (col + 0e0), a DOUBLE holding the float's exact value (the server prints
// a FLOAT with 6 significant digits: 16777217 comes as 16777200); others as
// the quoted column.
func SelectExpr(c ColumnInfo) string {
	q := QuoteIdent(c.Name)
	switch strings.ToLower(c.DataType) {
	case "timestamp":
		return "UNIX_TIMESTAMP(" + q + ") AS " + q
	case "float":
		return "(" + q + " + 0e0) AS " + q
	}
	return q
}

// MapResult maps a result column (of querySql or an expression in the
// column list) from the metadata the server sends with a result set. It is
// less exact than MapColumn where that metadata is poor: BIT(n) is always
// Uint (the width is not exposed), TIMESTAMP arrives as text in the
// session's time zone, a FLOAT result arrives as the server prints it (6
// significant digits; select CAST(x AS DOUBLE) for the exact value), and
// the precision of an unsigned DECIMAL expression
// is reported one short by the driver.
func MapResult(ct *sql.ColumnType) (record.Column, Decode, error) {
	name := ct.Name()
	typ := ct.DatabaseTypeName()
	col := record.Column{Name: name, SourceType: strings.ToLower(typ)}
	if nullable, ok := ct.Nullable(); ok {
		col.NotNull = !nullable
	}
	switch typ {
	case "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "BIGINT", "YEAR",
		"UNSIGNED TINYINT", "UNSIGNED SMALLINT", "UNSIGNED MEDIUMINT", "UNSIGNED INT":
		col.Kind = record.Int
		return col, DecodeInt, nil
	case "UNSIGNED BIGINT":
		col.Kind = record.Uint
		return col, DecodeUint, nil
	case "DECIMAL":
		col.Kind = record.Decimal
		if p, s, ok := ct.DecimalSize(); ok {
			col.Precision, col.Scale = int(p), int(s)
		}
		return col, DecodeDecimal, nil
	case "FLOAT":
		col.Kind = record.Float
		return col, DecodeFloat32, nil
	case "DOUBLE":
		col.Kind = record.Float
		return col, DecodeFloat64, nil
	case "BIT":
		col.Kind = record.Uint
		return col, DecodeBit, nil
	case "DATE":
		col.Kind = record.Date
		return col, DecodeDate, nil
	case "DATETIME", "TIMESTAMP", "TIME":
		if _, s, ok := ct.DecimalSize(); ok && s <= 6 {
			col.Scale = int(s)
		}
		switch typ {
		case "DATETIME":
			col.Kind = record.Timestamp
			return col, DecodeDatetime, nil
		case "TIMESTAMP":
			col.Kind = record.Timestamp
			return col, DecodeTimestamp, nil
		}
		col.Kind = record.Time
		return col, DecodeTime, nil
	case "CHAR", "VARCHAR", "TEXT", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT", "ENUM", "SET", "JSON":
		col.Kind = record.String
		return col, DecodeString, nil
	case "BINARY", "VARBINARY", "BLOB", "TINYBLOB", "MEDIUMBLOB", "LONGBLOB", "VECTOR":
		col.Kind = record.Bytes
		return col, DecodeBytes, nil
	case "NULL":
		col.Kind = record.String
		return col, DecodeNull, nil
	case "GEOMETRY":
		return col, 0, &UnsupportedTypeError{Column: name, Type: "geometry", Hint: spatialHint}
	}
	return col, 0, &UnsupportedTypeError{Column: name, Type: strings.ToLower(typ)}
}

// KeyKind is how a column can split a table: integers, text compared
// under its collation, binary strings; 0 for the other types (floats,
// decimals, dates, large objects), which splitPk refuses.
func KeyKind(c ColumnInfo) splitter.KeyKind {
	switch strings.ToLower(c.DataType) {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		if c.Unsigned() && strings.EqualFold(c.DataType, "bigint") {
			return splitter.UintKey
		}
		return splitter.IntKey
	case "char", "varchar":
		if strings.EqualFold(c.Charset, "binary") {
			return splitter.BinaryKey
		}
		return splitter.TextKey
	case "binary", "varbinary":
		return splitter.BinaryKey
	}
	return 0
}
