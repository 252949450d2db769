package gen

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"datax/fileformat"
	"datax/jobs"
	"datax/merge"
	"datax/rdbms"
	"datax/spec"
)

func col(name, dataType, columnType string) Column {
	return Column{Name: name, DataType: dataType, ColumnType: columnType, Nullable: true}
}

func TestHiveTypeMapping(t *testing.T) {
	cases := []struct {
		c    Column
		want string
	}{
		{col("a", "tinyint", "tinyint(4)"), "BIGINT"},
		{col("a", "tinyint", "tinyint(3) unsigned"), "BIGINT"},
		{col("a", "int", "int(10) unsigned"), "BIGINT"},
		{col("a", "bigint", "bigint(20)"), "BIGINT"},
		{col("a", "bigint", "bigint(20) unsigned"), "DECIMAL(20,0)"},
		{Column{Name: "a", DataType: "decimal", ColumnType: "decimal(38,10)", Precision: 38, Scale: 10}, "DECIMAL(38,10)"},
		{Column{Name: "a", DataType: "decimal", ColumnType: "decimal(12,2)", Precision: 12, Scale: 2}, "DECIMAL(12,2)"},
		{col("a", "float", "float"), "DOUBLE"},
		{col("a", "double", "double"), "DOUBLE"},
		{Column{Name: "a", DataType: "bit", ColumnType: "bit(1)", Precision: 1}, "BOOLEAN"},
		{Column{Name: "a", DataType: "bit", ColumnType: "bit(10)", Precision: 10}, "BIGINT"},
		{Column{Name: "a", DataType: "bit", ColumnType: "bit(64)", Precision: 64}, "DECIMAL(20,0)"},
		{col("a", "year", "year(4)"), "BIGINT"},
		{col("a", "date", "date"), "DATE"},
		{col("a", "datetime", "datetime(6)"), "TIMESTAMP"},
		{col("a", "timestamp", "timestamp"), "TIMESTAMP"},
		{col("a", "time", "time(3)"), "STRING"},
		{col("a", "varchar", "varchar(10)"), "STRING"},
		{col("a", "json", "longtext"), "STRING"},
		{col("a", "enum", "enum('a','b')"), "STRING"},
		{Column{Name: "a", DataType: "varchar", ColumnType: "varchar(10)", Charset: "binary"}, "BINARY"},
		{col("a", "blob", "blob"), "BINARY"},
		{col("a", "varbinary", "varbinary(16)"), "BINARY"},
	}
	for _, c := range cases {
		got, ok, why := HiveType(&c.c)
		if !ok || got != c.want {
			t.Errorf("%s: %q %v %q, want %q", c.c.ColumnType, got, ok, why, c.want)
		}
		// Every mapped type is one the writer accepts, with the same spelling.
		if fc, err := fileformat.ParseType(got); err != nil || fc.Type != got {
			t.Errorf("%s: the writer reads %q as %q (%v)", c.c.ColumnType, got, fc.Type, err)
		}
	}
	for _, c := range []Column{
		{Name: "w", DataType: "decimal", ColumnType: "decimal(50,10)", Precision: 50, Scale: 10},
		col("g", "point", "point"),
		col("x", "weird", "weird"),
	} {
		if got, ok, why := HiveType(&c); ok || why == "" {
			t.Errorf("%s: mapped to %q; want no mapping and a reason", c.ColumnType, got)
		}
	}
}

func TestHiveNameAndQuoting(t *testing.T) {
	if got := hiveName("ods_<db>_<table>", "Shop-1", "Order Items"); got != "ods_shop_1_order_items" {
		t.Errorf("hiveName: %q", got)
	}
	if got := hiveIdent("a`b"); got != "`a``b`" {
		t.Errorf("hiveIdent: %q", got)
	}
	if got := hiveString(`it's; a \ test`); got != `'it\'s\; a \\ test'` {
		t.Errorf("hiveString: %q", got)
	}
	if got := shellQuote("it's"); got != `'it'\''s'` {
		t.Errorf("shellQuote: %q", got)
	}
}

func TestZones(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	ny, _ := time.LoadLocation("America/New_York")
	for _, c := range []struct {
		loc         *time.Location
		session, tz string
	}{
		{time.UTC, "+00:00", "UTC"},
		{sh, "+08:00", "Asia/Shanghai"},
		{ny, "America/New_York", "America/New_York"}, // daylight saving: the name
		{time.FixedZone("-05:30", -5*3600-1800), "-05:30", "UTC+05:30"},
	} {
		if got := sessionZone(c.loc); got != c.session {
			t.Errorf("sessionZone(%s) = %q, want %q", c.loc, got, c.session)
		}
		if got := tzEnv(c.loc); got != c.tz {
			t.Errorf("tzEnv(%s) = %q, want %q", c.loc, got, c.tz)
		}
	}
}

// testConfig returns the defaults with a source and a warehouse.
func testConfig(t *testing.T) *Config {
	t.Helper()
	cfg, err := LoadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	cfg.JdbcURL = "jdbc:mysql://db1:3306/shop?connectTimeout=5000&password=secret"
	cfg.Warehouse = "/warehouse"
	return cfg
}

func ordersTable() *Table {
	id := col("id", "bigint", "bigint(20)")
	id.Nullable, id.Extra = false, "auto_increment"
	mod := col("modified_time", "timestamp", "timestamp")
	mod.Extra = "on update current_timestamp()"
	return &Table{DB: "shop", Name: "orders",
		Columns: []Column{id, {Name: "amount", DataType: "decimal", ColumnType: "decimal(12,2)", Precision: 12, Scale: 2, Nullable: true},
			col("created_time", "datetime", "datetime"), mod},
		Indexes: []Index{{Name: "PRIMARY", Primary: true, Unique: true, Columns: []string{"id"}}},
		Stats:   Stats{Rows: 1_000_000, DataBytes: 20 << 30}}
}

func TestDecideHeuristics(t *testing.T) {
	cfg := testConfig(t)
	shape := &Catalog{}
	d, err := decide(cfg, shape, ordersTable())
	if err != nil {
		t.Fatal(err)
	}
	if d.Strategy != Snapshot || d.Window != "modified_time" || d.SplitPk != "id" || !d.KeyScan || d.HiveTable != "ods_shop_orders" {
		t.Errorf("shape: %+v", d)
	}
	// 20 GiB at 5 MB/s per channel in 15 minutes: 5 channels; a tenth of it daily: 1.
	if d.Channels != 5 || d.DailyChannels != 1 {
		t.Errorf("channels %d/%d, want 5/1", d.Channels, d.DailyChannels)
	}

	// The server's counters decide when they span long enough.
	counters := &Catalog{ActivityOn: true, Uptime: 3 * 86400}
	for _, c := range []struct {
		act  Activity
		want Strategy
		scan bool
	}{
		{Activity{Inserts: 10, Updates: 5}, Snapshot, false}, // no deletes: no key scan
		{Activity{Inserts: 10, Deletes: 1}, Snapshot, true},
		{Activity{Inserts: 10}, Incremental, false},
		{Activity{}, Full, false},
	} {
		tb := ordersTable()
		tb.Stats.Activity = &c.act
		d, err := decide(cfg, counters, tb)
		if err != nil {
			t.Fatal(err)
		}
		if d.Strategy != c.want || d.KeyScan != c.scan || !strings.Contains(d.Reason, "performance_schema") {
			t.Errorf("%+v: %s keyScan=%v (%s), want %s keyScan=%v", c.act, d.Strategy, d.KeyScan, d.Reason, c.want, c.scan)
		}
	}
	// Counters of a server up for an hour are not trusted: the shape decides.
	tb := ordersTable()
	tb.Stats.Activity = &Activity{Inserts: 10}
	if d, _ := decide(cfg, &Catalog{ActivityOn: true, Uptime: 3600}, tb); d.Strategy != Snapshot {
		t.Errorf("young counters: %s (%s)", d.Strategy, d.Reason)
	}

	// A small table is copied whole; a log is incremental; no time column: full.
	small := ordersTable()
	small.Stats.Rows = 100
	if d, _ := decide(cfg, shape, small); d.Strategy != Full {
		t.Errorf("small: %s", d.Strategy)
	}
	logT := ordersTable()
	logT.Name = "access_log"
	logT.Columns = logT.Columns[:3]
	if d, _ := decide(cfg, shape, logT); d.Strategy != Incremental || d.Window != "created_time" {
		t.Errorf("log: %s %s", d.Strategy, d.Window)
	}
	plain := ordersTable()
	plain.Columns = plain.Columns[:2]
	plain.Stats.Rows = 10_000_000
	d, _ = decide(cfg, shape, plain)
	if d.Strategy != Full || !strings.Contains(strings.Join(d.Warnings, ";"), "copied whole every day") {
		t.Errorf("no time column: %s %v", d.Strategy, d.Warnings)
	}

	// Overrides replace the choices; an impossible one is an error.
	cfg.Overrides = []Override{{Table: "shop.ord*", Strategy: "incremental", CreatedColumn: "created_time", Channels: 3}}
	if d, _ := decide(cfg, shape, ordersTable()); d.Strategy != Incremental || d.Window != "created_time" || d.Channels != 3 || d.Auto {
		t.Errorf("override: %+v", d)
	}
	cfg.Overrides = []Override{{Table: "orders", Strategy: "snapshot", ModifiedColumn: "amount"}}
	if _, err := decide(cfg, shape, ordersTable()); err == nil || !strings.Contains(err.Error(), "modifiedColumn \"amount\"") {
		t.Errorf("override of a non-time column: %v", err)
	}
	noKey := ordersTable()
	noKey.Indexes = nil
	cfg.Overrides = []Override{{Table: "orders", Strategy: "snapshot"}}
	if _, err := decide(cfg, shape, noKey); err == nil || !strings.Contains(err.Error(), "needs a key") {
		t.Errorf("snapshot without a key: %v", err)
	}
	cfg.Overrides = []Override{{Table: "orders", ColumnTypes: map[string]string{"AMOUNT": "STRING"}}}
	if d, _ := decide(cfg, shape, ordersTable()); d.HiveTypes[1] != "STRING" {
		t.Errorf("columnTypes override: %v", d.HiveTypes)
	}
	// A source column named like the generated ones is reported.
	clash := ordersTable()
	clash.Columns = append(clash.Columns, col("extract_time", "datetime", "datetime"))
	cfg.Overrides = nil
	if _, err := decide(cfg, shape, clash); err == nil || !strings.Contains(err.Error(), "extract_time") {
		t.Errorf("name clash: %v", err)
	}
}

func TestKeepDecisions(t *testing.T) {
	prev := &Decision{Strategy: Snapshot, Reason: "old", Auto: true, Channels: 4, DailyChannels: 2, Window: "m"}
	d := &Decision{Strategy: Full, Reason: "new", Auto: true, Channels: 1, DailyChannels: 1}
	note := keep(d, prev)
	if d.Strategy != Snapshot || d.Channels != 4 || d.DailyChannels != 2 || d.Window != "m" || !strings.Contains(note, "--replan") {
		t.Errorf("keep: %+v %q", d, note)
	}
	over := &Decision{Strategy: Full, Auto: false, Channels: 7}
	if keep(over, prev); over.Strategy != Full || over.Channels != 7 {
		t.Errorf("an override is not replaced by the previous choice: %+v", over)
	}
}

func TestDiffTable(t *testing.T) {
	old := ordersTable()
	cur := ordersTable()
	if ch := diffTable(old, cur); ch != nil {
		t.Fatalf("no change: %+v", ch)
	}
	cur.Columns = append(cur.Columns[:1:1], cur.Columns[2:]...) // drop amount
	cur.Columns = append(cur.Columns, col("coupon", "varchar", "varchar(20)"))
	cur.Columns[1].ColumnType = "datetime(3)" // created_time retyped
	cur.Stats.Rows = 5                        // estimates do not count
	ch := diffTable(old, cur)
	got := strings.Join(ch.Lines(), "\n")
	want := "shop.orders: column amount dropped (was decimal(12,2))\nshop.orders: column created_time retyped datetime → datetime(3)\nshop.orders: column coupon added (varchar(20))"
	if got != want {
		t.Errorf("diff:\n%s\nwant\n%s", got, want)
	}
}

func TestJobFilesDecodeAsJobs(t *testing.T) {
	cfg := testConfig(t)
	tb := ordersTable()
	d, err := decide(cfg, &Catalog{}, tb)
	if err != nil {
		t.Fatal(err)
	}
	tb.Decision = d
	jdbc, err := jdbcFor(cfg.JdbcURL, tb.DB)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(jdbc, "secret") || jdbc != "jdbc:mysql://db1:3306/shop?connectTimeout=5000" {
		t.Errorf("jdbcUrl %q: the password must go, the other parameters stay", jdbc)
	}
	if sock, err := jdbcFor("root:pw@unix(/run/mysqld.sock)/x", "shop"); err != nil || sock != "unix(/run/mysqld.sock)/shop" {
		t.Errorf("a unix socket: %q %v", sock, err)
	} else if u, err := rdbms.ParseURL(sock); err != nil || u.Config.Net != "unix" || u.Database != "shop" {
		t.Errorf("the socket's DSN does not parse back: %v", err)
	}
	g := &target{cfg: cfg, t: tb, d: d, loc: time.UTC, jdbc: jdbc}
	vars := jobs.Vars{Values: map[string]string{"bizdate": "20261121", "extract_time": "2026-11-22 01:30:00", "DATAX_MYSQL_PASSWORD": "pw"}, NoEnv: true}
	daily, err := jobs.Parse("daily.json", g.Job(dailyJob), vars)
	if err != nil {
		t.Fatal(err)
	}
	rp := daily.Job.Content[0].Reader.Parameter.(map[string]any)
	// modified_time is nullable: rows with a NULL there are taken every day.
	if w := rp["where"]; w != "(`modified_time` >= '2026-11-21 00:00:00' AND `modified_time` < '2026-11-22 00:00:00' OR `modified_time` IS NULL)" {
		t.Errorf("window: %v", w)
	}
	if s := rp["session"].([]any); len(s) != 1 || s[0] != "SET time_zone = '+00:00'" {
		t.Errorf("a TIMESTAMP window sets the session's zone: %v", s)
	}
	cols := rp["column"].([]any)
	if last := cols[len(cols)-1]; last != "CAST('2026-11-22 01:30:00' AS DATETIME) AS `extract_time`" {
		t.Errorf("extract_time column: %v", last)
	}
	wp := daily.Job.Content[0].Writer.Parameter.(map[string]any)
	if wp["path"] != "/warehouse/ods/ods_shop_orders_delta" || wp["partition"] != "dt=20261121" || wp["writeMode"] != "truncate" {
		t.Errorf("writer: %v", wp)
	}
	if _, err := jobs.Parse("full.json", g.Job(fullJob), vars); err != nil {
		t.Fatal(err)
	}
	// The merge config is one datax merge accepts.
	var mc merge.Config
	if err := jobs.Decode("merge.json", g.MergeConfig(), vars, &mc); err != nil {
		t.Fatalf("merge config: %v\n%s", err, g.MergeConfig())
	}
	if mc.Delta.Path != "/warehouse/ods/ods_shop_orders_delta/dt=20261121" || mc.KeyScan == nil || mc.Deletes != "flag" {
		t.Errorf("merge config: %+v", mc)
	}
	// The DDL's columns: the source's, extract_time, the delete flags.
	ddl := string(g.DDL())
	for _, want := range []string{"CREATE EXTERNAL TABLE IF NOT EXISTS `ods`.`ods_shop_orders` (",
		"`amount` DECIMAL(12,2) COMMENT 'decimal(12,2)',", "`extract_time` TIMESTAMP", "`dx_deleted` BOOLEAN",
		"PARTITIONED BY (`dt` STRING", "STORED AS PARQUET", "LOCATION 'file:///warehouse/ods/ods_shop_orders'",
		"CREATE EXTERNAL TABLE IF NOT EXISTS `ods`.`ods_shop_orders_delta` ("} {
		if !strings.Contains(ddl, want) {
			t.Errorf("DDL lacks %q:\n%s", want, ddl)
		}
	}
	cfg.DefaultFS = "hdfs://nn:8020"
	if p := string(g.PartitionSQL()); !strings.Contains(p, "ADD IF NOT EXISTS PARTITION (`dt`='${bizdate}') LOCATION 'hdfs://nn:8020/warehouse/ods/ods_shop_orders/dt=${bizdate}';") {
		t.Errorf("partition statement:\n%s", p)
	}
	for _, s := range [][]byte{g.Job(fullJob), g.Job(dailyJob), g.MergeConfig(), g.DDL(), g.Script("/bin/datax")} {
		if strings.Contains(string(s), "secret") {
			t.Errorf("a generated file holds the password:\n%s", s)
		}
	}
}

func TestOutputNeverOverwritesEdits(t *testing.T) {
	dir := t.TempDir()
	o, err := openOutput(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := []*File{{Path: "a/x.json", Content: []byte("one\ntwo\n")}, {Path: "b.txt", Content: []byte("b\n")}}
	if err := o.classify(files, false); err != nil {
		t.Fatal(err)
	}
	if files[0].Status != Created {
		t.Fatalf("status %s", files[0].Status)
	}
	if err := o.write(files); err != nil {
		t.Fatal(err)
	}
	// Regenerated with new content: updated. Edited by hand: refused.
	os.WriteFile(filepath.Join(dir, "b.txt"), []byte("edited\n"), 0o644)
	o, _ = openOutput(dir)
	next := []*File{{Path: "a/x.json", Content: []byte("one\nTWO\n")}, {Path: "b.txt", Content: []byte("b2\n")}}
	if err := o.classify(next, false); err != nil {
		t.Fatal(err)
	}
	if next[0].Status != Updated || next[1].Status != Edited {
		t.Fatalf("statuses %s %s", next[0].Status, next[1].Status)
	}
	if !strings.Contains(next[1].Diff, "-edited\n+b2\n") {
		t.Errorf("diff:\n%s", next[1].Diff)
	}
	if err := o.write(next); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "b.txt")); string(data) != "edited\n" {
		t.Errorf("an edited file was overwritten: %q", data)
	}
	// --force replaces it.
	o, _ = openOutput(dir)
	if err := o.classify(next, true); err != nil {
		t.Fatal(err)
	}
	if next[1].Status != Replaced {
		t.Fatalf("force: %s", next[1].Status)
	}
	o.write(next)
	if data, _ := os.ReadFile(filepath.Join(dir, "b.txt")); string(data) != "b2\n" {
		t.Errorf("--force did not replace: %q", data)
	}
}

func TestLineDiff(t *testing.T) {
	a := []byte("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n")
	b := []byte("1\n2\n3\nfour\n5\n6\n7\n8\n9\n10\neleven\n")
	got := lineDiff("f", a, b)
	want := "--- f (on disk, edited)\n+++ f (generated)\n@@\n 2\n 3\n-4\n+four\n 5\n 6\n@@\n 9\n 10\n+eleven\n"
	if got != want {
		t.Errorf("diff:\n%s\nwant:\n%s", got, want)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ text, want string }{
		{`{"namming": "x"}`, `did you mean "naming"`},
		{`{"naming": "ods_<db>"}`, "naming: \"ods_<db>\" must contain <table>"},
		{`{"cron": "61 1 * * *"}`, "cron: \"61 1 * * *\""},
		{`{"keyScan": "sometimes"}`, "keyScan"},
		{`{"maxChannels": 0}`, "maxChannels: must be at least 1"},
		{`{"overrides": [{"table": "a", "strategy": "merge"}]}`, "overrides[0].strategy"},
		{`{"overrides": [{"table": "a", "columnTypes": {"x": "TEXT"}}]}`, "overrides[0].columnTypes.x"},
		{`{"overrides": [{"strategy": "full"}]}`, "overrides[0].table"},
		{`{"include": ["[a"]}`, "malformed"},
	} {
		name := filepath.Join(dir, "gen.json")
		os.WriteFile(name, []byte(c.text), 0o644)
		_, err := LoadConfig(name)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v; want the file and %q", c.text, err, c.want)
		}
	}
	cfg := testConfig(t)
	cfg.Warehouse = "relative/path"
	cfg.TimeZone = "Mars/Olympus"
	err := cfg.Check()
	if err == nil || !strings.Contains(err.Error(), "absolute path") || !strings.Contains(err.Error(), "Mars/Olympus") {
		t.Errorf("check: %v", err)
	}
	cfg = testConfig(t)
	cfg.JdbcURL = "jdbc:postgresql://x/y"
	if err := cfg.Check(); err == nil || !strings.Contains(err.Error(), "not a MySQL URL") {
		t.Errorf("check: %v", err)
	}
}

// The config's reference (datax gen --help) documents every key.
func TestConfigReference(t *testing.T) {
	var b strings.Builder
	if err := spec.Of(&Config{}).WriteReference(&b); err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(Config{})
	var keys map[string]any
	json.Unmarshal(data, &keys)
	for k := range keys {
		if !strings.Contains(b.String(), k) {
			t.Errorf("the reference lacks %s", k)
		}
	}
}

// A case-insensitive string key without a key scan is warned about; a
// binary one, or one with the key scan, is not.
func TestCaseInsensitiveKeyWarning(t *testing.T) {
	cfg := testConfig(t)
	keyed := func(collation string) *Table {
		tb := ordersTable()
		code := col("code", "varchar", "varchar(16)")
		code.Nullable, code.Collation = false, collation
		tb.Columns = append([]Column{code}, tb.Columns[1:]...)
		tb.Indexes = []Index{{Name: "PRIMARY", Primary: true, Unique: true, Columns: []string{"code"}}}
		return tb
	}
	cfg.Overrides = []Override{{Table: "orders", KeyScan: "off"}}
	d, err := decide(cfg, &Catalog{}, keyed("utf8mb4_general_ci"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(d.Warnings, ";"), "key column code has collation utf8mb4_general_ci, and there is no key scan") {
		t.Errorf("warnings %v", d.Warnings)
	}
	if d, _ := decide(cfg, &Catalog{}, keyed("utf8mb4_bin")); strings.Contains(strings.Join(d.Warnings, ";"), "collation") {
		t.Errorf("a binary collation warned: %v", d.Warnings)
	}
	cfg.Overrides = nil
	if d, _ := decide(cfg, &Catalog{}, keyed("utf8mb4_general_ci")); !d.KeyScan || strings.Contains(strings.Join(d.Warnings, ";"), "collation") {
		t.Errorf("with the key scan: %v %v", d.KeyScan, d.Warnings)
	}
}
