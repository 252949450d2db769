// Package record is the one type system every reader and writer shares:
// typed columns (Kind, Column, Schema), column vectors with reusable buffers
// (Vector), row batches (Batch) and the lossless conversions between kinds.
//
// It does no I/O and imports nothing of this module. Values are stored
// unboxed in typed slices, so moving a batch costs no allocation per value.
package record

import "fmt"

// Kind is the type of a column in the intermediate type system.
type Kind uint8

// The kinds. Each documents how its values are stored in a Vector.
const (
	Invalid   Kind = iota
	Int            // signed 64-bit integer (Vector.Int)
	Uint           // unsigned 64-bit integer (Vector.Uint)
	Float          // IEEE 754 double (Vector.Float)
	Decimal        // exact decimal as canonical text "-123.45" (Vector.Bytes); Column.Precision/Scale
	String         // UTF-8 text (Vector.Bytes)
	Bytes          // raw bytes (Vector.Bytes)
	Bool           // Vector.Bool
	Date           // days since 1970-01-01 (Vector.Int)
	Time           // time of day or duration in microseconds, may be negative or over 24h (Vector.Int)
	Timestamp      // microseconds since 1970-01-01 00:00:00 UTC (Vector.Int)
)

var kindNames = [...]string{
	Invalid:   "invalid",
	Int:       "int",
	Uint:      "uint",
	Float:     "float",
	Decimal:   "decimal",
	String:    "string",
	Bytes:     "bytes",
	Bool:      "bool",
	Date:      "date",
	Time:      "time",
	Timestamp: "timestamp",
}

// String returns the kind's lower-case name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// ParseKind returns the kind with the given name (as printed by String).
func ParseKind(name string) (Kind, bool) {
	for k, n := range kindNames {
		if n == name && Kind(k) != Invalid {
			return Kind(k), true
		}
	}
	return Invalid, false
}

// varlen reports whether values of k live in the vector's byte buffer.
func (k Kind) varlen() bool { return k == Decimal || k == String || k == Bytes }

// Column describes one column of a schema.
type Column struct {
	Name string
	Kind Kind
	// Precision and Scale qualify Decimal columns (total digits, digits after
	// the point). Scale also carries the fractional-second digits of Time and
	// Timestamp columns when the source knows them. Zero Precision on a
	// Decimal means "as the values come".
	Precision, Scale int
	// NotNull is set when the source guarantees no nulls.
	NotNull bool
	// SourceType is the source's own type name, for messages and DDL.
	SourceType string
}

// String renders the column as "name kind(p,s)".
func (c Column) String() string {
	switch {
	case c.Kind == Decimal && c.Precision > 0:
		return fmt.Sprintf("%s decimal(%d,%d)", c.Name, c.Precision, c.Scale)
	default:
		return c.Name + " " + c.Kind.String()
	}
}

// Schema is the ordered list of columns of a batch.
type Schema []Column

// Index returns the position of the column named name, or -1.
func (s Schema) Index(name string) int {
	for i, c := range s {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// Names returns the column names in order.
func (s Schema) Names() []string {
	names := make([]string, len(s))
	for i, c := range s {
		names[i] = c.Name
	}
	return names
}

// Kinds returns the column kinds in order.
func (s Schema) Kinds() []Kind {
	kinds := make([]Kind, len(s))
	for i, c := range s {
		kinds[i] = c.Kind
	}
	return kinds
}
