package rdbms

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"time"

	"datax/record"
)

// AppendLiteral appends value i of v (a column described by col) as a SQL
// literal that MySQL and MariaDB read back exactly, whatever the session's
// sql_mode and character set: numbers as digits, text as _utf8mb4 X'…' (no
// escaping to get wrong), bytes as X'…', dates and times as quoted text,
// NULL for null. A Timestamp value bound for a TIMESTAMP column is written
// as a UTC wall clock (the connection must use time_zone '+00:00'), after
// reading the value as wall-clock time in zone (nil: as UTC already).
func AppendLiteral(dst []byte, v *record.Vector, i int, col record.Column, zone *time.Location) ([]byte, error) {
	if v.IsNull(i) {
		return append(dst, "NULL"...), nil
	}
	switch v.Kind() {
	case record.Int:
		return strconv.AppendInt(dst, v.Int(i), 10), nil
	case record.Uint:
		return strconv.AppendUint(dst, v.Uint(i), 10), nil
	case record.Float:
		f := v.Float(i)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return dst, fmt.Errorf("column %s: %v cannot be stored in MySQL", col.Name, f)
		}
		return strconv.AppendFloat(dst, f, 'g', -1, 64), nil
	case record.Decimal:
		return append(dst, v.Bytes(i)...), nil
	case record.Bool:
		if v.Bool(i) {
			return append(dst, '1'), nil
		}
		return append(dst, '0'), nil
	case record.String:
		dst = append(dst, "_utf8mb4 X'"...)
		return append(hex.AppendEncode(dst, v.Bytes(i)), '\''), nil
	case record.Bytes:
		dst = append(dst, "X'"...)
		return append(hex.AppendEncode(dst, v.Bytes(i)), '\''), nil
	case record.Date:
		dst = append(dst, '\'')
		return append(record.AppendDate(dst, v.Int(i)), '\''), nil
	case record.Time:
		dst = append(dst, '\'')
		return append(record.AppendTime(dst, v.Int(i), 6), '\''), nil
	case record.Timestamp:
		micros := v.Int(i)
		if zone != nil && zone != time.UTC && isTimestampType(col.SourceType) {
			micros = wallToUTC(micros, zone)
		}
		dst = append(dst, '\'')
		return append(record.AppendTimestamp(dst, micros, 6), '\''), nil
	}
	return dst, fmt.Errorf("column %s: no SQL literal for a %s", col.Name, v.Kind())
}

func isTimestampType(sourceType string) bool {
	return len(sourceType) >= 9 && sourceType[:9] == "timestamp"
}

// wallToUTC reads micros as a wall clock in zone and returns the instant as
// micros since the epoch (a wall clock skipped by a daylight-saving change
// moves forward, one that occurs twice takes its first occurrence).
func wallToUTC(micros int64, zone *time.Location) int64 {
	t := time.UnixMicro(micros).UTC()
	local := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), zone)
	return local.UnixMicro()
}
