package rdbms

import (
	"encoding/hex"
	"regexp"
	"strings"
)

// QuoteIdent quotes a MySQL identifier with backquotes.
func QuoteIdent(s string) string {
	return "`" + strings.ReplaceAll(s, "`", "``") + "`"
}

// QuoteTable quotes db.table (db may be empty: the connection's database).
func QuoteTable(db, table string) string {
	if db == "" {
		return QuoteIdent(table)
	}
	return QuoteIdent(db) + "." + QuoteIdent(table)
}

var plainIdent = regexp.MustCompile("^(?:[A-Za-z0-9_$\u0080-\uffff]+|`(?:[^`]|``)+`)$")

// ColumnName returns the column a column-list item names: a plain or
// backquoted identifier, unquoted. ok is false for anything else (an
// expression, a constant, a qualified name), which is taken verbatim.
func ColumnName(item string) (name string, ok bool) {
	item = strings.TrimSpace(item)
	if !plainIdent.MatchString(item) {
		return "", false
	}
	if strings.HasPrefix(item, "`") {
		return strings.ReplaceAll(item[1:len(item)-1], "``", "`"), true
	}
	if strings.Trim(item, "0123456789") == "" {
		return "", false // a number is a constant
	}
	return item, true
}

// SplitTableName splits "db.table" (either part may be backquoted) into its
// parts; a name without a dot has no database.
func SplitTableName(name string) (db, table string) {
	name = strings.TrimSpace(name)
	if strings.HasPrefix(name, "`") {
		if end := closingQuote(name); end > 0 && end+1 < len(name) && name[end+1] == '.' {
			return unquote(name[:end+1]), unquote(name[end+2:])
		}
		return "", unquote(name)
	}
	if i := strings.IndexByte(name, '.'); i > 0 {
		return name[:i], unquote(name[i+1:])
	}
	return "", name
}

func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		if s[i] == '`' {
			if i+1 < len(s) && s[i+1] == '`' {
				i++
				continue
			}
			return i
		}
	}
	return -1
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '`' && s[len(s)-1] == '`' {
		return strings.ReplaceAll(s[1:len(s)-1], "``", "`")
	}
	return s
}

// TextLiteral renders UTF-8 text as a literal of the given character set
// and collation, independent of sql_mode and of the connection's character
// set: CONVERT(_utf8mb4 X'…' USING charset) COLLATE collation. Compared with
// a column of that collation it compares the way the column's index orders.
func TextLiteral(s []byte, charset, collation string) string {
	lit := "_utf8mb4 X'" + hex.EncodeToString(s) + "'"
	if charset != "" && !strings.EqualFold(charset, "utf8mb4") {
		lit = "CONVERT(" + lit + " USING " + charset + ")"
	}
	if collation != "" {
		lit += " COLLATE " + collation
	}
	return lit
}

// BinaryLiteral renders bytes as X'…'.
func BinaryLiteral(b []byte) string {
	return "X'" + hex.EncodeToString(b) + "'"
}
