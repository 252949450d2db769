package rdbms

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"datax/plugin"
	"datax/splitter"
	"datax/testing/testenv"
)

func TestParseURL(t *testing.T) {
	for _, c := range []struct {
		in       string
		hosts    string
		db       string
		tls      string
		timeout  time.Duration
		ignored  string
		sessVars string
	}{
		{in: "jdbc:mysql://127.0.0.1:3306/shop", hosts: "127.0.0.1:3306", db: "shop"},
		{in: "jdbc:mysql://db.example.com/shop?useUnicode=true&characterEncoding=utf8", hosts: "db.example.com:3306", db: "shop",
			ignored: "useUnicode,characterEncoding"},
		{in: "jdbc:mysql://a:3307,b:3308/shop?connectTimeout=2000&useSSL=false", hosts: "a:3307 b:3308", db: "shop", tls: "false", timeout: 2 * time.Second},
		{in: "jdbc:mysql://[::1]:3306/", hosts: "[::1]:3306", db: ""},
		{in: "JDBC:MariaDB://h:1/d?sslMode=REQUIRED", hosts: "h:1", db: "d", tls: "skip-verify"},
		{in: "jdbc:mysql://user:secret@h/d?password=secret&user=u", hosts: "h:3306", db: "d"},
		{in: "jdbc:mysql://h/d?sessionVariables=sql_mode='ANSI',wait_timeout=600", hosts: "h:3306", db: "d", sessVars: "sql_mode='ANSI' wait_timeout=600"},
		{in: "root:pw@tcp(127.0.0.1:3306)/test?timeout=3s", hosts: "127.0.0.1:3306", db: "test", timeout: 3 * time.Second},
		{in: "u@unix(/run/mysqld/mysqld.sock)/x", hosts: "/run/mysqld/mysqld.sock", db: "x"},
	} {
		u, err := ParseURL(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got := strings.Join(u.Hosts, " "); got != c.hosts || u.Database != c.db {
			t.Errorf("%s: hosts %q db %q, want %q %q", c.in, got, u.Database, c.hosts, c.db)
		}
		if u.Config.TLSConfig != c.tls || u.Config.Timeout != c.timeout {
			t.Errorf("%s: tls %q timeout %v, want %q %v", c.in, u.Config.TLSConfig, u.Config.Timeout, c.tls, c.timeout)
		}
		if got := strings.Join(u.Ignored, ","); got != c.ignored {
			t.Errorf("%s: ignored %q, want %q", c.in, got, c.ignored)
		}
		if u.Config.User != "" || u.Config.Passwd != "" {
			t.Errorf("%s: kept the URL's credentials", c.in)
		}
		if c.sessVars != "" {
			var got []string
			for _, k := range []string{"sql_mode", "wait_timeout"} {
				got = append(got, k+"="+u.Config.Params[k])
			}
			if strings.Join(got, " ") != c.sessVars {
				t.Errorf("%s: session variables %v", c.in, u.Config.Params)
			}
		}
	}
	for _, c := range []struct{ in, want string }{
		{"jdbc:postgresql://h:5432/d", "the scheme is jdbc:postgresql"},
		{"http://h/d", "the scheme is http://"},
		{"jdbc:mysql:///d", "no host"},
		{"jdbc:mysql://h:99999/d", "out of range"},
		{"jdbc:mysql://h/d?connectTimeout=soon", "not a number of milliseconds"},
		{"jdbc:mysql://h/d?sslMode=MAYBE", "sslMode=MAYBE"},
		{"localhost:3306", "not a MySQL URL"},
		{"user:Secret-9@udp(h:1)/d", "network \"udp\""},
	} {
		_, err := ParseURL(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.in, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "Secret-9") {
			t.Errorf("%s: the error repeats the password: %v", c.in, err)
		}
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"root:pw@tcp(h:1)/d":                      "root:******@tcp(h:1)/d",
		"jdbc:mysql://u:pw@h/d":                   "jdbc:mysql://u:******@h/d",
		"jdbc:mysql://h/d?user=u&password=pw&x=1": "jdbc:mysql://h/d?user=u&password=******&x=1",
		"jdbc:mysql://h:3306/d":                   "jdbc:mysql://h:3306/d",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestColumnAndTableNames(t *testing.T) {
	for in, want := range map[string]string{"id": "id", " `order` ": "order", "`a``b`": "a`b", "名前": "名前"} {
		if got, ok := ColumnName(in); !ok || got != want {
			t.Errorf("ColumnName(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, expr := range []string{"1", "'x'", "now()", "a + b", "t.id", "count(*)"} {
		if got, ok := ColumnName(expr); ok {
			t.Errorf("ColumnName(%q) = %q: an expression taken for a column", expr, got)
		}
	}
	for in, want := range map[string][2]string{
		"orders": {"", "orders"}, "shop.orders": {"shop", "orders"}, "`my.db`.`t`": {"my.db", "t"}, "`t`": {"", "t"},
	} {
		if db, tb := SplitTableName(in); db != want[0] || tb != want[1] {
			t.Errorf("SplitTableName(%q) = %q, %q; want %q", in, db, tb, want)
		}
	}
	if got := QuoteTable("a`b", "t"); got != "`a``b`.`t`" {
		t.Errorf("QuoteTable: %s", got)
	}
}

func TestParseZone(t *testing.T) {
	instant := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	for in, offset := range map[string]int{"UTC": 0, "+08:00": 8 * 3600, "-05:30": -(5*3600 + 30*60), "Asia/Shanghai": 8 * 3600, "Europe/Berlin": 2 * 3600} {
		loc, err := ParseZone(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if _, off := instant.In(loc).Zone(); off != offset {
			t.Errorf("%s: offset %d, want %d", in, off, offset)
		}
	}
	for _, bad := range []string{"", "Local", "CST7", "+25:00", "Mars/Olympus"} {
		if _, err := ParseZone(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

func TestRangeSQL(t *testing.T) {
	lo, hi := splitter.Value{Int: -5}, splitter.Value{Int: 10}
	key := splitter.Key{Column: "id", Kind: splitter.IntKey}
	for _, c := range []struct {
		r    splitter.Range
		want string
	}{
		{splitter.Range{Lo: &lo, Hi: &hi}, "`id` >= -5 AND `id` < 10"},
		{splitter.Range{Hi: &hi}, "`id` < 10"},
		{splitter.Range{Null: true}, "`id` IS NULL"},
		{splitter.Range{}, ""},
	} {
		if got := RangeSQL(key, c.r, "", ""); got != c.want {
			t.Errorf("%v: %q, want %q", c.r, got, c.want)
		}
	}
	text := splitter.Key{Column: "k", Kind: splitter.TextKey}
	v := splitter.Value{Bytes: []byte("é'")}
	if got := RangeSQL(text, splitter.Range{Lo: &v}, "latin1", "latin1_swedish_ci"); got != "`k` >= CONVERT(_utf8mb4 X'c3a927' USING latin1) COLLATE latin1_swedish_ci" {
		t.Errorf("text literal: %s", got)
	}
	if got := Literal(splitter.TextKey, v, "utf8mb4", "x; DROP TABLE t"); got != "_utf8mb4 X'c3a927'" {
		t.Errorf("an unsafe collation name went into SQL: %s", got)
	}
	if got := Literal(splitter.UintKey, splitter.Value{Uint: 18446744073709551615}, "", ""); got != "18446744073709551615" {
		t.Errorf("uint literal: %s", got)
	}
}

func TestMapColumn(t *testing.T) {
	for _, c := range []struct {
		info ColumnInfo
		want string
	}{
		{ColumnInfo{Name: "a", DataType: "bigint", ColumnType: "bigint(20) unsigned"}, "a uint"},
		{ColumnInfo{Name: "b", DataType: "int", ColumnType: "int(10) unsigned"}, "b int"},
		{ColumnInfo{Name: "c", DataType: "decimal", ColumnType: "decimal(65,30)", Precision: 65, Scale: 30}, "c decimal(65,30)"},
		{ColumnInfo{Name: "d", DataType: "bit", ColumnType: "bit(1)", Precision: 1}, "d bool"},
		{ColumnInfo{Name: "e", DataType: "bit", ColumnType: "bit(9)", Precision: 9}, "e uint"},
		{ColumnInfo{Name: "f", DataType: "varchar", ColumnType: "varchar(3)", Charset: "binary"}, "f bytes"},
		{ColumnInfo{Name: "g", DataType: "json", ColumnType: "json"}, "g string"},
		{ColumnInfo{Name: "h", DataType: "year", ColumnType: "year(4)"}, "h int"},
	} {
		col, _, err := MapColumn(c.info)
		if err != nil || col.String() != c.want {
			t.Errorf("%s: %s, %v; want %s", c.info.ColumnType, col, err, c.want)
		}
	}
	for _, typ := range []string{"geometry", "point", "polygon", "no_such_type"} {
		_, _, err := MapColumn(ColumnInfo{Name: "geo", DataType: typ, ColumnType: typ})
		var ue *UnsupportedTypeError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "column geo: type "+typ) {
			t.Errorf("%s: %v, want an error naming the column", typ, err)
		}
	}
	if got := SelectExpr(ColumnInfo{Name: "ts", DataType: "timestamp"}); got != "UNIX_TIMESTAMP(`ts`) AS `ts`" {
		t.Errorf("SelectExpr(timestamp) = %s", got)
	}
}

// TestOpenClassifies connects to the test server: a refused address is
// skipped for the next, a wrong password stops the search and is
// permanent, and nothing says the password.
func TestOpenClassifies(t *testing.T) {
	cfg := testenv.MySQL(t)
	ctx := context.Background()
	good, _ := ParseURL("jdbc:mysql://" + cfg.Addr + "/")
	refused, _ := ParseURL("jdbc:mysql://127.0.0.1:1/")
	db, err := Open(ctx, []*URL{refused, good}, Options{User: cfg.User, Password: cfg.Passwd})
	if err != nil {
		t.Fatal(err)
	}
	if db.Addr != cfg.Addr {
		t.Errorf("answered from %s, want %s", db.Addr, cfg.Addr)
	}
	db.Close()
	_, err = Open(ctx, []*URL{good, refused}, Options{User: "dx_rdbms_nobody", Password: "Secret-77"})
	if err == nil || !errors.Is(err, plugin.ErrPermanent) || !strings.Contains(err.Error(), "Access denied") ||
		strings.Contains(err.Error(), "127.0.0.1:1") || strings.Contains(err.Error(), "Secret-77") {
		t.Errorf("wrong user: %v; want a permanent access-denied error from the first address, without the password", err)
	}
	_, err = Open(ctx, []*URL{refused}, Options{User: "u", Password: "Secret-77"})
	if err == nil || errors.Is(err, plugin.ErrPermanent) || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("refused: %v; want a retryable error naming the address", err)
	}
}

func TestServerTimezoneParameter(t *testing.T) {
	u, err := ParseURL("jdbc:mysql://h:3306/db?useUnicode=true&serverTimezone=Asia/Shanghai")
	if err != nil || u.ServerTimezone != "Asia/Shanghai" {
		t.Fatalf("%+v %v", u, err)
	}
	if got := ZoneSetting("", []*URL{{}}, []*URL{u}); got != "Asia/Shanghai" {
		t.Errorf("ZoneSetting: %q", got)
	}
	if got := ZoneSetting("UTC", []*URL{u}); got != "UTC" {
		t.Errorf("the parameter wins: %q", got)
	}
	if _, err := ParseURL("jdbc:mysql://h/db?serverTimezone=Mars/Base"); err == nil || !strings.Contains(err.Error(), "serverTimezone=Mars/Base") {
		t.Errorf("bad zone: %v", err)
	}
}
