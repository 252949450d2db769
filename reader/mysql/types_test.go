package mysql

import (
	"bytes"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"datax/record"
)

// typesDDL has a column of every MySQL/MariaDB type the reader maps.
const typesDDL = `CREATE TABLE types (
  id INT PRIMARY KEY,
  ti TINYINT NULL, tiu TINYINT UNSIGNED NULL, si SMALLINT NULL, siu SMALLINT UNSIGNED NULL,
  mi MEDIUMINT NULL, miu MEDIUMINT UNSIGNED NULL, i INT NULL, iu INT UNSIGNED NULL,
  bi BIGINT NULL, biu BIGINT UNSIGNED NULL,
  d DECIMAL(65,30) NULL, d2 DECIMAL(12,2) NULL, du DECIMAL(10,0) UNSIGNED NULL,
  f FLOAT NULL, db DOUBLE NULL,
  dt DATE NULL, dtm0 DATETIME NULL, dtm3 DATETIME(3) NULL, dtm6 DATETIME(6) NULL,
  ts0 TIMESTAMP NULL DEFAULT NULL, ts6 TIMESTAMP(6) NULL DEFAULT NULL,
  tm TIME NULL, tm6 TIME(6) NULL, y YEAR NULL,
  b1 BIT(1) NULL, b5 BIT(5) NULL, b64 BIT(64) NULL,
  c CHAR(10) NULL, vc VARCHAR(100) CHARACTER SET utf8mb4 NULL, tx TEXT NULL,
  vcl VARCHAR(20) CHARACTER SET latin1 NULL,
  bin BINARY(4) NULL, vb VARBINARY(10) NULL, bl BLOB NULL,
  j JSON NULL, e ENUM('a','b','c') NULL, st SET('x','y','z') NULL
)`

var longText = strings.Repeat("long text é 😀 ", 2000)

var blob = func() []byte {
	b := make([]byte, 1000)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}()

const (
	minDecimal = "-99999999999999999999999999999999999.999999999999999999999999999999"
	maxDecimal = "99999999999999999999999999999999999.999999999999999999999999999999"
)

func fillTypes(t *testing.T, db *sql.DB) {
	t.Helper()
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, s := range []string{
		"SET SESSION time_zone = '+00:00'", // TIMESTAMP literals below are UTC
		"SET SESSION sql_mode = ''",        // allows the zero dates of row 4
		"DROP TABLE IF EXISTS types", typesDDL,
		`INSERT INTO types VALUES (1,
		 -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0,
		 '` + minDecimal + `', -9999999999.99, 0,
		 -3.4028234e38, -1.7976931348623157e308,
		 '1000-01-01', '1000-01-01 00:00:00', '1000-01-01 00:00:00.001', '1000-01-01 00:00:00.000000',
		 '1970-01-01 00:00:01', '1970-01-01 00:00:01.000001',
		 '-838:59:59', '-838:59:59.000000', 1901,
		 b'0', b'0', 0,
		 '', '', '', '', X'00000000', X'', X'',
		 '[]', 'a', '')`,
		`INSERT INTO types VALUES (2,
		 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615,
		 '` + maxDecimal + `', 9999999999.99, 9999999999,
		 1.2345678, 1.7976931348623157e308,
		 '9999-12-31', '9999-12-31 23:59:59', '2026-11-22 08:30:00.123', '9999-12-31 23:59:59.999999',
		 '2038-01-19 03:14:07', '2038-01-19 03:14:07.999999',
		 '838:59:59', '123:45:56.789012', 2155,
		 b'1', b'10101', 18446744073709551615,
		 'abc', '😀 ünïcödé 中文', ?, 'été', X'DEADBEEF', X'00FF', ?,
		 '{"a": [1, 2.5, "x"]}', 'c', 'x,z')`,
		`INSERT INTO types (id) VALUES (3)`,
		`INSERT INTO types (id, dt, dtm0, dtm3, ts0, y) VALUES (4, '0000-00-00', '0000-00-00 00:00:00', '2024-00-10 00:00:00', '0000-00-00 00:00:00', 0)`,
		`INSERT INTO types (id, f, db, d2, tm, tm6, dtm6) VALUES (5, 16777217, 0.1, -0.01, '-00:00:01', '-00:00:01.5', '1969-12-31 23:59:59.999999')`,
	} {
		var args []any
		if strings.Contains(s, "?") {
			args = []any{longText, blob}
		}
		if _, err := conn.ExecContext(t.Context(), s, args...); err != nil {
			t.Fatalf("%.60s: %v", s, err)
		}
	}
}

func days(y int, m time.Month, d int) int64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

func micros(y int, m time.Month, d, h, mi, s, us int) int64 {
	return time.Date(y, m, d, h, mi, s, us*1000, time.UTC).UnixMicro()
}

func clock(neg bool, h, m, s, us int64) int64 {
	v := ((h*60+m)*60+s)*1_000_000 + us
	if neg {
		return -v
	}
	return v
}

// wantTypes are rows 1, 2, 3 and 5 of the types table as records, computed
// from the literals above with the time package and float32 conversions.
func wantTypes() map[int64]row {
	f32 := func(f float32) float64 { return float64(f) }
	return map[int64]row{
		1: {int64(1),
			int64(-128), int64(0), int64(-32768), int64(0), int64(-8388608), int64(0), int64(math.MinInt32), int64(0), int64(math.MinInt64), uint64(0),
			minDecimal, "-9999999999.99", "0",
			f32(-3.4028234e38), -1.7976931348623157e308,
			days(1000, 1, 1), micros(1000, 1, 1, 0, 0, 0, 0), micros(1000, 1, 1, 0, 0, 0, 1000), micros(1000, 1, 1, 0, 0, 0, 0),
			micros(1970, 1, 1, 0, 0, 1, 0), micros(1970, 1, 1, 0, 0, 1, 1),
			clock(true, 838, 59, 59, 0), clock(true, 838, 59, 59, 0), int64(1901),
			false, uint64(0), uint64(0),
			"", "", "", "", []byte{0, 0, 0, 0}, []byte{}, []byte{},
			"[]", "a", ""},
		2: {int64(2),
			int64(127), int64(255), int64(32767), int64(65535), int64(8388607), int64(16777215), int64(math.MaxInt32), int64(4294967295), int64(math.MaxInt64), uint64(math.MaxUint64),
			maxDecimal, "9999999999.99", "9999999999",
			f32(1.2345678), 1.7976931348623157e308,
			days(9999, 12, 31), micros(9999, 12, 31, 23, 59, 59, 0), micros(2026, 11, 22, 8, 30, 0, 123000), micros(9999, 12, 31, 23, 59, 59, 999999),
			micros(2038, 1, 19, 3, 14, 7, 0), micros(2038, 1, 19, 3, 14, 7, 999999),
			clock(false, 838, 59, 59, 0), clock(false, 123, 45, 56, 789012), int64(2155),
			true, uint64(21), uint64(math.MaxUint64),
			"abc", "😀 ünïcödé 中文", longText, "été", []byte{0xde, 0xad, 0xbe, 0xef}, []byte{0, 0xff}, blob,
			`{"a": [1, 2.5, "x"]}`, "c", "x,z"},
		3: append(row{int64(3)}, make(row, 37)...),
		5: func() row {
			r := make(row, 38)
			r[0] = int64(5)
			r[12] = "-0.01"
			r[14] = f32(16777217) // FLOAT keeps 24 bits: 16777216
			r[15] = 0.1
			r[19] = micros(1969, 12, 31, 23, 59, 59, 999999)
			r[22] = clock(true, 0, 0, 1, 0)
			r[23] = clock(true, 0, 0, 1, 500000)
			return r
		}(),
	}
}

func TestTypeFidelity(t *testing.T) {
	db, addr := setup(t)
	fillTypes(t, db)
	res := runJob(t, params(addr, "table", []any{"types"}, "column", []any{"*"}, "splitPk", "id"), jobOptions{channels: 2})
	if res.err != nil {
		t.Fatal(res.err)
	}
	kinds := map[string]record.Kind{"biu": record.Uint, "iu": record.Int, "d": record.Decimal, "f": record.Float,
		"dt": record.Date, "dtm6": record.Timestamp, "ts6": record.Timestamp, "tm": record.Time, "y": record.Int,
		"b1": record.Bool, "b64": record.Uint, "vc": record.String, "vcl": record.String, "bl": record.Bytes,
		"j": record.String, "e": record.String, "st": record.String}
	for name, k := range kinds {
		i := res.schema.Index(name)
		if i < 0 || res.schema[i].Kind != k {
			t.Errorf("column %s: kind %v, want %v", name, res.schema[i].Kind, k)
		}
	}
	if c := res.schema[res.schema.Index("d")]; c.Precision != 65 || c.Scale != 30 {
		t.Errorf("d: decimal(%d,%d), want decimal(65,30)", c.Precision, c.Scale)
	}
	if c := res.schema[res.schema.Index("du")]; c.Precision != 10 || c.Scale != 0 {
		t.Errorf("du (unsigned): decimal(%d,%d), want decimal(10,0)", c.Precision, c.Scale)
	}
	if c := res.schema[res.schema.Index("dtm6")]; c.Scale != 6 {
		t.Errorf("dtm6: %d fractional digits, want 6", c.Scale)
	}
	got := map[int64]row{}
	for _, r := range res.rows {
		got[r[0].(int64)] = r
	}
	if len(got) != 5 || len(res.rows) != 5 {
		t.Fatalf("read %d rows (%d ids), want 5", len(res.rows), len(got))
	}
	for id, want := range wantTypes() {
		compareRow(t, res.schema, id, got[id], want)
	}
	// Row 4: zero dates become NULL by default; YEAR 0 stays 0.
	r4 := got[4]
	for _, name := range []string{"dt", "dtm0", "dtm3", "ts0"} {
		if v := r4[res.schema.Index(name)]; v != nil {
			t.Errorf("row 4 %s: %v, want NULL (zero date)", name, v)
		}
	}
	if v := r4[res.schema.Index("y")]; v != int64(0) {
		t.Errorf("row 4 y: %v, want 0", v)
	}
}

func compareRow(t *testing.T, schema record.Schema, id int64, got, want row) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("row %d: %d values, want %d", id, len(got), len(want))
	}
	for j := range want {
		g, w := got[j], want[j]
		ok := false
		switch wv := w.(type) {
		case []byte:
			gv, isBytes := g.([]byte)
			ok = isBytes && bytes.Equal(gv, wv)
		case float64:
			gv, isFloat := g.(float64)
			ok = isFloat && math.Float64bits(gv) == math.Float64bits(wv)
		default:
			ok = g == w
		}
		if !ok {
			t.Errorf("row %d column %s: got %s, want %s", id, schema[j].Name, show(g), show(w))
		}
	}
}

func show(v any) string {
	switch x := v.(type) {
	case string:
		if len(x) > 40 {
			x = x[:40] + "…"
		}
		return fmt.Sprintf("%q", x)
	case []byte:
		if len(x) > 20 {
			return fmt.Sprintf("%d bytes %x…", len(x), x[:20])
		}
		return fmt.Sprintf("%x", x)
	case nil:
		return "NULL"
	}
	return fmt.Sprintf("%v (%T)", v, v)
}

func TestZeroDateError(t *testing.T) {
	db, addr := setup(t)
	fillTypes(t, db)
	res := runJob(t, params(addr, "table", []any{"types"}, "column", []any{"id", "dt", "dtm0"}, "zeroDate", "error"), jobOptions{})
	if res.err != nil {
		t.Fatal(res.err)
	}
	if len(res.rows) != 4 || res.summary.Stats.ReadFailed != 1 {
		t.Fatalf("read %d rows with %d dirty, want 4 and 1 (row 4's zero dates)", len(res.rows), res.summary.Stats.ReadFailed)
	}
	for _, r := range res.rows {
		if r[0] == int64(4) {
			t.Fatal("row 4 (zero dates) was read with zeroDate error")
		}
	}
}

// TestTimestampZones: TIMESTAMP columns are read as instants whatever the
// session's time zone, and timeZone turns them into a zone's wall clock
// (across daylight-saving changes, from the exact instant).
func TestTimestampZones(t *testing.T) {
	db, addr := setup(t)
	execAll(t, db, "DROP TABLE IF EXISTS tz",
		"CREATE TABLE tz (id INT PRIMARY KEY, ts TIMESTAMP(6) NULL, dtm DATETIME NULL)",
		"SET SESSION time_zone = '+00:00'; INSERT INTO tz VALUES (1, '2026-10-25 00:30:00.5', '2026-10-25 00:30:00'), (2, '2026-10-25 01:30:00', '2026-10-25 01:30:00')")
	cases := []struct {
		zone    string
		session string
		want    [2]int64
	}{
		{"UTC", "SET time_zone = '+05:00'", [2]int64{micros(2026, 10, 25, 0, 30, 0, 500000), micros(2026, 10, 25, 1, 30, 0, 0)}},
		// Berlin leaves summer time at 01:00 UTC: both instants show 02:30.
		{"Europe/Berlin", "SET time_zone = '-03:00'", [2]int64{micros(2026, 10, 25, 2, 30, 0, 500000), micros(2026, 10, 25, 2, 30, 0, 0)}},
		{"+08:00", "SET time_zone = 'SYSTEM'", [2]int64{micros(2026, 10, 25, 8, 30, 0, 500000), micros(2026, 10, 25, 9, 30, 0, 0)}},
	}
	for _, c := range cases {
		t.Run(c.zone, func(t *testing.T) {
			for _, mode := range []string{"table", "querySql"} {
				p := params(addr, "table", []any{"tz"}, "column", []any{"id", "ts", "dtm"}, "timeZone", c.zone, "session", []any{c.session})
				if mode == "querySql" {
					p = params(addr, "querySql", []any{"SELECT id, ts, dtm FROM tz"}, "timeZone", c.zone, "session", []any{c.session})
				}
				res := runJob(t, p, jobOptions{})
				if res.err != nil {
					t.Fatalf("%s: %v", mode, res.err)
				}
				for _, r := range res.rows {
					id := r[0].(int64)
					if r[1] != c.want[id-1] {
						t.Errorf("%s: row %d: ts %v, want %v", mode, id, r[1], c.want[id-1])
					}
					if want := micros(2026, 10, 25, int(id)-1, 30, 0, 0); r[2] != want {
						t.Errorf("%s: row %d: DATETIME %v changed with the zone, want %v", mode, id, r[2], want)
					}
				}
			}
		})
	}
}

// Without timeZone, a jdbcUrl's serverTimezone (as Connector/J, and so
// DataX, uses it) decides the wall clock of TIMESTAMP values; querySql may
// end with a line comment.
func TestServerTimezoneFromTheURL(t *testing.T) {
	db, addr := setup(t)
	execAll(t, db, "DROP TABLE IF EXISTS tz2",
		"CREATE TABLE tz2 (id INT PRIMARY KEY, ts TIMESTAMP NULL)",
		"SET SESSION time_zone = '+00:00'; INSERT INTO tz2 VALUES (1, '2024-01-01 10:00:00')")
	p := params(addr, "querySql", []any{"SELECT id, ts FROM tz2 -- the day's rows"})
	p["connection"].([]any)[0].(map[string]any)["jdbcUrl"] = []any{"jdbc:mysql://" + addr + "/" + testDB + "?serverTimezone=Asia/Shanghai&useSSL=false"}
	res := runJob(t, p, jobOptions{})
	if res.err != nil {
		t.Fatal(res.err)
	}
	if len(res.rows) != 1 || res.rows[0][1] != micros(2024, 1, 1, 18, 0, 0, 0) {
		t.Errorf("rows %v, want 2024-01-01 18:00:00 (Shanghai wall clock)", res.rows)
	}
}
