package gen_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"datax/jobs/gen"
	"datax/testing/testenv"
)

// The days of the end-to-end test: the initial load (D0), the first daily
// load (D1), the day after (D2).
const (
	d0, d1, d2 = "20261120", "20261121", "20261122"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// dataxBinary builds cmd/datax once per test run: the daily scripts call it.
func dataxBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "datax-gen-test-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "datax")
		out, err := exec.Command("go", "build", "-o", binPath, "datax/cmd/datax").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func execFile(t testing.TB, db *sql.DB, name string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(string(data)); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// run runs a command with the test's environment: no config file of the
// user's, the source password in DATAX_MYSQL_PASSWORD.
type runner struct {
	dir string
	env []string
}

func newRunner(t testing.TB) *runner {
	home := t.TempDir()
	return &runner{dir: home, env: append(os.Environ(), "HOME="+home, "DATAX_MYSQL_PASSWORD=", "DATAX_HIVE_CMD=", "TZ=UTC")}
}

func (r *runner) run(t testing.TB, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = r.dir
	cmd.Env = r.env
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("%s: %v", name, err)
		}
		code = ee.ExitCode()
	}
	return out.String(), code
}

func (r *runner) mustRun(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, code := r.run(t, name, args...)
	if code != 0 {
		t.Fatalf("%s %s: exit %d\n%s", name, strings.Join(args, " "), code, out)
	}
	return out
}

func loadMetadata(t testing.TB, dir string) *gen.Metadata {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "metadata.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m gen.Metadata
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// normExpr selects a column as the text the Spark side's normalization
// gives (testenv's norm): booleans true/false, bytes as hex, times with
// six fractional digits (trimmed later), floats as doubles.
func normExpr(c gen.Column) string {
	col := "`" + c.Name + "`"
	switch c.DataType {
	case "bit":
		if c.Precision <= 1 {
			return "IF(" + col + " IS NULL, NULL, IF(" + col + " = 1, 'true', 'false'))"
		}
		return "CAST(" + col + " AS UNSIGNED)"
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
		return "LOWER(HEX(" + col + "))"
	case "float":
		return "CAST(" + col + " AS DOUBLE)"
	case "datetime", "timestamp":
		return "DATE_FORMAT(" + col + ", '%Y-%m-%d %H:%i:%s.%f')"
	}
	return col
}

var zeroMicros = regexp.MustCompile(`\.000000$`)

// sourceRows returns the table's rows (where cond) as sorted normalized
// text rows.
func sourceRows(t testing.TB, db *sql.DB, tbl *gen.Table, cond string) [][]string {
	t.Helper()
	var exprs []string
	for _, c := range tbl.Columns {
		exprs = append(exprs, normExpr(c))
	}
	q := "SELECT " + strings.Join(exprs, ", ") + " FROM `" + tbl.DB + "`.`" + tbl.Name + "`"
	if cond != "" {
		q += " WHERE " + cond
	}
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(exprs))
		dest := make([]any, len(vals))
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			c := tbl.Columns[i]
			switch {
			case !v.Valid:
				row[i] = "NULL"
			case c.DataType == "float" || c.DataType == "double":
				f, err := strconv.ParseFloat(v.String, 64)
				if err != nil {
					t.Fatal(err)
				}
				row[i] = pyRepr(f)
			case c.DataType == "datetime" || c.DataType == "timestamp":
				row[i] = zeroMicros.ReplaceAllString(v.String, "")
			default:
				row[i] = v.String
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return sortRows(out)
}

// pyRepr formats a float as Python's repr does.
func pyRepr(f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if e := math.Abs(f); e != 0 && (e < 1e-4 || e >= 1e16) {
		return s
	}
	s = strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func sortRows(rows [][]string) [][]string {
	slices.SortFunc(rows, func(a, b []string) int { return strings.Compare(strings.Join(a, "\x00"), strings.Join(b, "\x00")) })
	return rows
}

// sparkRows selects the table's source columns from a partition.
func sparkRows(t testing.TB, spark *testenv.SparkSQL, tbl *gen.Table, hive, day, extra string) ([][]string, []string) {
	t.Helper()
	var cols []string
	for _, c := range tbl.Columns {
		cols = append(cols, "`"+strings.ToLower(c.Name)+"`")
	}
	q := fmt.Sprintf("SELECT %s FROM %s WHERE dt = '%s'%s", strings.Join(cols, ", "), hive, day, extra)
	res := spark.Run(t, nil, q)
	return sortRows(res[0].Texts()), res[0].Types
}

func compareRows(t testing.TB, what string, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d rows in Spark, %d at the source", what, len(got), len(want))
	}
	for i := 0; i < min(len(got), len(want)); i++ {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("%s: row %d differs:\n spark:  %q\n source: %q", what, i, got[i], want[i])
			return
		}
	}
}

// statements splits a HiveQL file into statements (comments dropped).
func statements(t testing.TB, name string) []string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "--") {
			lines = append(lines, l)
		}
	}
	var out []string
	for _, s := range strings.Split(strings.Join(lines, "\n"), ";\n") {
		if s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), ";")); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// expectedStrategies of the fixture's tables with smallRows 50.
var expectedStrategies = map[string]string{
	"orders": "snapshot", "order_items": "snapshot", "users": "snapshot", "all_types": "snapshot",
	"payments": "snapshot", "products": "snapshot", "shipments": "snapshot", "unique_only": "snapshot",
	"access_log": "incremental", "user_events": "incremental", "audit_history": "incremental",
	"login_record": "incremental", "daily_counts": "incremental",
	"misc_notes": "full", "dim_region": "full", "dim_currency": "full", "product_tags": "full", "settings": "full",
}

// TestEndToEnd: a database of tables of different shapes → datax gen →
// every generated daily script (initial load, then a day of changes) runs
// as generated → the DDL and partition statements run in Spark with Hive
// support and SELECTs return the source's rows with the right types → three
// tables change at the source → their daily scripts stop at the schema
// check, and gen reports exactly those changes and rewrites exactly their
// files.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: end-to-end: MariaDB, Spark, many datax runs; run without -short, as make test does")
	}
	spark := testenv.StartSparkSQL(t) // starts while the rest runs
	db := testenv.FreshMySQLDB(t, "dx_gen_test")
	execFile(t, db, "fixture.sql")
	bin := dataxBinary(t)
	r := newRunner(t)
	out := filepath.Join(r.dir, "out")
	wh := filepath.Join(r.dir, "warehouse")
	cfgFile := filepath.Join(r.dir, "gen.json")
	os.WriteFile(cfgFile, []byte(`{"jdbcUrl": "jdbc:mysql://127.0.0.1:3306/dx_gen_test", "username": "root",
		"smallRows": 50, "warehouse": "`+wh+`"}`), 0o644)
	datax := func(args ...string) (string, int) {
		return r.run(t, bin, append([]string{"gen", "-f", cfgFile, "--out", out, "--datax-bin", bin}, args...)...)
	}

	// The plan writes nothing.
	plan, code := datax("--plan")
	if code != 0 {
		t.Fatalf("gen --plan: exit %d\n%s", code, plan)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatalf("gen --plan wrote %s", out)
	}
	for table, strategy := range expectedStrategies {
		if !regexp.MustCompile(`(?m)^dx_gen_test\.` + table + `\s+\S+\s+` + strategy + `\s`).MatchString(plan) {
			t.Errorf("plan: %s should be %s:\n%s", table, strategy, plan)
		}
	}
	for _, want := range []string{
		"dx_gen_test.wide_decimal: no safe mapping: v: DECIMAL(50,10)",
		"dx_gen_test.geo_places: no safe mapping: p: spatial type point",
		"dx_gen_test.v_orders: view",
		"dx_gen_test.misc_notes: no usable key",
		"dx_gen_test.user_events: no usable key",
		"dx_gen_test.shipments: window column modified_time is nullable",
		"performance_schema is off",
	} {
		if !strings.Contains(plan, want) {
			t.Errorf("plan lacks %q:\n%s", want, plan)
		}
	}

	// Generate, with the smoke test.
	res, code := datax("--smoke")
	if code != 0 {
		t.Fatalf("gen --smoke: exit %d\n%s", code, res)
	}
	if n := strings.Count(res, "ok: schema = DDL"); n < len(expectedStrategies) {
		t.Errorf("smoke: %d jobs with a checked schema, want at least %d:\n%s", n, len(expectedStrategies), res)
	}
	meta := loadMetadata(t, out)
	// The tables gen could not generate are kept in the metadata (so that
	// they are not reported as new every time), without a decision.
	var problems []string
	generated := meta.Tables[:0:0]
	for _, tbl := range meta.Tables {
		if tbl.Decision == nil {
			problems = append(problems, tbl.Name)
		} else {
			generated = append(generated, tbl)
		}
	}
	if len(generated) != len(expectedStrategies) || !slices.Equal(problems, []string{"geo_places", "wide_decimal"}) {
		t.Fatalf("metadata holds %d generated tables (want %d) and %v without a decision", len(generated), len(expectedStrategies), problems)
	}
	meta.Tables = generated
	// The schedule file is one datax schedule accepts.
	r.mustRun(t, bin, "schedule", "check", filepath.Join(out, "schedule.json"))
	if crontab, _ := os.ReadFile(filepath.Join(out, "crontab")); !strings.Contains(string(crontab),
		"30 1 * * * "+filepath.Join(out, "dx_gen_test", "orders")+"/daily.sh >> "+filepath.Join(out, "logs", "dx_gen_test.orders.log")+" 2>&1") {
		t.Errorf("crontab:\n%s", crontab)
	}

	// D0: every table's initial load, as the scripts run it.
	for _, tbl := range meta.Tables {
		r.mustRun(t, filepath.Join(out, tbl.DB, tbl.Name, "daily.sh"), d0, "--initial")
	}
	expected0 := map[string][][]string{}
	for _, tbl := range meta.Tables {
		cond := ""
		if tbl.Decision.Strategy == gen.Incremental {
			cond = "`" + tbl.Decision.Window + "` < '2026-11-21'"
		}
		expected0[tbl.Name] = sourceRows(t, db, tbl, cond)
	}

	// D1: the day's changes, then every daily script.
	execFile(t, db, "day1.sql")
	for _, tbl := range meta.Tables {
		r.mustRun(t, filepath.Join(out, tbl.DB, tbl.Name, "daily.sh"), d1)
	}

	// Spark: the DDL and the partition statements as written, then the rows.
	var ddl []string
	for _, tbl := range meta.Tables {
		ddl = append(ddl, statements(t, filepath.Join(out, tbl.DB, tbl.Name, "ddl.hql"))...)
	}
	spark.Run(t, nil, ddl...)
	for _, day := range []string{d0, d1} {
		var parts []string
		for _, tbl := range meta.Tables {
			parts = append(parts, statements(t, filepath.Join(out, tbl.DB, tbl.Name, "partition.hql"))...)
		}
		spark.Run(t, map[string]string{"bizdate": day}, parts...)
	}
	for _, tbl := range meta.Tables {
		d := tbl.Decision
		hive := "ods." + d.HiveTable
		name := tbl.Name
		live := ""
		if d.Strategy == gen.Snapshot {
			live = " AND (dx_deleted IS NULL OR NOT dx_deleted)"
		}
		got0, types := sparkRows(t, spark, tbl, hive, d0, live)
		compareRows(t, name+" dt="+d0, got0, expected0[name])
		for i, typ := range types {
			if want := strings.ToLower(d.HiveTypes[i]); typ != want {
				t.Errorf("%s.%s: Spark reads %s, the DDL says %s", name, tbl.Columns[i].Name, typ, want)
			}
		}
		var want1 [][]string
		switch d.Strategy {
		case gen.Full:
			want1 = sourceRows(t, db, tbl, "")
		case gen.Incremental:
			want1 = sourceRows(t, db, tbl, fmt.Sprintf("`%s` >= '2026-11-21' AND `%s` < '2026-11-22'", d.Window, d.Window))
		case gen.Snapshot:
			want1 = sourceRows(t, db, tbl, fmt.Sprintf("`%s` IS NULL OR `%s` < '2026-11-22'", d.Window, d.Window))
			window := fmt.Sprintf("`%s` >= '2026-11-21' AND `%s` < '2026-11-22'", d.Window, d.Window)
			if c := tbl.Column(d.Window); c != nil && c.Nullable {
				window = fmt.Sprintf("(%s) OR `%s` IS NULL", window, d.Window) // undatable rows come every day
			}
			delta := sourceRows(t, db, tbl, window)
			gotDelta, _ := sparkRows(t, spark, tbl, hive+"_delta", d1, "")
			compareRows(t, name+" delta dt="+d1, gotDelta, delta)
			checkDeleted(t, spark, tbl, hive, expected0[name], want1)
		}
		got1, _ := sparkRows(t, spark, tbl, hive, d1, live)
		compareRows(t, name+" dt="+d1, got1, want1)
		if d.Strategy != gen.Snapshot {
			// One extract time per run: every row of a partition has the same.
			for _, day := range []string{d0, d1} {
				res := spark.Run(t, nil, fmt.Sprintf("SELECT COUNT(DISTINCT extract_time), COUNT(extract_time), COUNT(*) FROM %s WHERE dt = '%s'", hive, day))
				if row := res[0].Texts()[0]; row[0] != "1" && row[2] != "0" || row[1] != row[2] {
					t.Errorf("%s dt=%s: extract_time: %v distinct values, %v set of %v rows; want one value on every row", name, day, row[0], row[1], row[2])
				}
			}
		}
	}

	// Three tables change at the source.
	if _, err := db.Exec("ALTER TABLE orders ADD COLUMN coupon VARCHAR(20) NULL AFTER note;" +
		"ALTER TABLE products DROP COLUMN name;" +
		"ALTER TABLE payments MODIFY amount DECIMAL(14,4) NOT NULL"); err != nil {
		t.Fatal(err)
	}
	// The daily script stops at its first step, before loading anything.
	msg, code := r.run(t, filepath.Join(out, "dx_gen_test", "orders", "daily.sh"), d2)
	if code == 0 || !strings.Contains(msg, "column coupon added") || !strings.Contains(msg, "run datax gen") {
		t.Errorf("daily.sh after a source change: exit %d, want a stop at the schema check:\n%s", code, msg)
	}
	if _, err := os.Stat(filepath.Join(wh, "ods", "ods_dx_gen_test_orders_delta", "dt="+d2)); err == nil {
		t.Errorf("daily.sh loaded the day although the schema changed")
	}
	// gen reports exactly those changes and rewrites exactly their files.
	res, code = datax()
	if code != 0 {
		t.Fatalf("gen after ALTER: exit %d\n%s", code, res)
	}
	changes := section(res, "Changes since the last run:")
	wantChanges := []string{
		"dx_gen_test.orders: column coupon added (varchar(20))",
		"dx_gen_test.payments: column amount retyped decimal(10,2) → decimal(14,4)",
		"dx_gen_test.products: column name dropped (was varchar(64))",
	}
	if !slices.Equal(changes, wantChanges) {
		t.Errorf("changes:\n got  %q\n want %q\n%s", changes, wantChanges, res)
	}
	touched := map[string]bool{}
	for _, l := range section(res, "Files (were written)") {
		f := strings.Fields(l)
		if len(f) != 2 {
			continue
		}
		parts := strings.Split(f[1], "/")
		if len(parts) == 3 {
			touched[parts[1]] = true
			if f[0] != "updated" && f[1] != "dx_gen_test/orders/alter.hql" && f[1] != "dx_gen_test/payments/alter.hql" && f[1] != "dx_gen_test/products/alter.hql" {
				t.Errorf("file %s: %s, want updated", f[1], f[0])
			}
		} else if f[1] != "metadata.json" {
			t.Errorf("shared file %s %s: only metadata.json should change", f[1], f[0])
		}
	}
	if !maps(touched, "orders", "payments", "products") {
		t.Errorf("regenerated tables %v, want exactly orders, payments, products\n%s", touched, res)
	}
	for _, table := range []string{"orders", "payments", "products"} {
		if !strings.Contains(res, "updated   dx_gen_test/"+table+"/full.json") {
			t.Errorf("%s/full.json was not regenerated:\n%s", table, res)
		}
	}
	if !strings.Contains(res, "Hive cannot change it in place") || !strings.Contains(res, "column name was dropped at the source") {
		t.Errorf("gen should warn about the retyped and the dropped column:\n%s", res)
	}

	// The Hive side follows: the ALTER as written, then a day with the new column.
	spark.Run(t, nil, statements(t, filepath.Join(out, "dx_gen_test", "orders", "alter.hql"))...)
	if _, err := db.Exec("INSERT INTO orders (id, user_id, amount, status, note, coupon, created_time, modified_time) VALUES " +
		"(3000, 7, 9.99, 1, 'with coupon', 'SAVE10', '2026-11-22 09:00:00', '2026-11-22 09:00:00')"); err != nil {
		t.Fatal(err)
	}
	r.mustRun(t, filepath.Join(out, "dx_gen_test", "orders", "daily.sh"), d2)
	spark.Run(t, map[string]string{"bizdate": d2}, statements(t, filepath.Join(out, "dx_gen_test", "orders", "partition.hql"))...)
	got := spark.Run(t, nil, "SELECT coupon FROM ods.ods_dx_gen_test_orders WHERE dt = '"+d2+"' AND id = 3000",
		"SELECT COUNT(*) FROM ods.ods_dx_gen_test_orders WHERE dt = '"+d1+"' AND coupon IS NOT NULL")
	if rows := got[0].Texts(); len(rows) != 1 || rows[0][0] != "SAVE10" {
		t.Errorf("the new column through Hive: %v, want SAVE10", rows)
	}
	if n := got[1].Texts()[0][0]; n != "0" {
		t.Errorf("older partitions read the new column as NULL: %s rows are not", n)
	}
}

// checkDeleted: the keys deleted at the source since D0 are in the D1
// snapshot flagged deleted on D1, and no other row is flagged.
func checkDeleted(t testing.TB, spark *testenv.SparkSQL, tbl *gen.Table, hive string, before, after [][]string) {
	t.Helper()
	keyIdx := []int{}
	for _, k := range tbl.Decision.Key {
		for i, c := range tbl.Columns {
			if c.Name == k {
				keyIdx = append(keyIdx, i)
			}
		}
	}
	keyOf := func(row []string) string {
		var parts []string
		for _, i := range keyIdx {
			parts = append(parts, row[i])
		}
		return strings.Join(parts, "|")
	}
	present := map[string]bool{}
	for _, row := range after {
		present[keyOf(row)] = true
	}
	var want []string
	for _, row := range before {
		if !present[keyOf(row)] {
			want = append(want, keyOf(row)+"|2026-11-21")
		}
	}
	var cols []string
	for _, k := range tbl.Decision.Key {
		cols = append(cols, "`"+strings.ToLower(k)+"`")
	}
	res := spark.Run(t, nil, fmt.Sprintf("SELECT %s, dx_deleted_dt FROM %s WHERE dt = '%s' AND dx_deleted", strings.Join(cols, ", "), hive, d1))
	var got []string
	for _, row := range res[0].Texts() {
		got = append(got, strings.Join(row, "|"))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s: flagged deleted %v, want %v", tbl.Name, got, want)
	}
}

// section returns the indented lines under a heading of gen's report.
func section(out, heading string) []string {
	var lines []string
	in := false
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, heading):
			in = true
		case in && strings.HasPrefix(l, "  "):
			lines = append(lines, strings.TrimSpace(l))
		case in:
			return lines
		}
	}
	return lines
}

func maps(m map[string]bool, keys ...string) bool {
	if len(m) != len(keys) {
		return false
	}
	for _, k := range keys {
		if !m[k] {
			return false
		}
	}
	return true
}

// assertNoSecret fails when a generated file holds the password.
func assertNoSecret(t testing.TB, dir, secret string) {
	t.Helper()
	if secret == "" {
		return
	}
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			if data, _ := os.ReadFile(p); bytes.Contains(data, []byte(secret)) {
				t.Errorf("%s holds the password", p)
			}
		}
		return nil
	})
}

// TestBadInputs: a user who may not read every table, an unknown database,
// a selection matching nothing, files edited by hand, a bad config; each
// fails (or reports) clearly, never prints the password, writes nothing it
// should not.
func TestBadInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs datax against MariaDB; run without -short, as make test does")
	}
	db := testenv.FreshMySQLDB(t, "dx_gen_priv")
	const password = "S3cret-gen-pw"
	for _, stmt := range []string{
		"CREATE TABLE a (id INT PRIMARY KEY, x INT, secret VARCHAR(10))",
		"CREATE TABLE b (id INT PRIMARY KEY, y INT, modified_time DATETIME)",
		"CREATE TABLE c (id INT PRIMARY KEY, z INT)",
		"CREATE TABLE d (id INT PRIMARY KEY)",
		"INSERT INTO b VALUES (1, 1, '2026-11-20 10:00:00'), (2, 2, NULL)",
		"DROP USER IF EXISTS 'dx_gen_limited'@'%'", "DROP USER IF EXISTS 'dx_gen_limited'@'localhost'",
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	for _, host := range []string{"%", "localhost"} {
		for _, stmt := range []string{
			"CREATE USER 'dx_gen_limited'@'" + host + "' IDENTIFIED BY '" + password + "'",
			"GRANT SELECT (id, x) ON dx_gen_priv.a TO 'dx_gen_limited'@'" + host + "'",
			"GRANT SELECT ON dx_gen_priv.b TO 'dx_gen_limited'@'" + host + "'",
			"GRANT INSERT ON dx_gen_priv.c TO 'dx_gen_limited'@'" + host + "'",
		} {
			if _, err := db.Exec(stmt); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Cleanup(func() {
		db.Exec("DROP USER IF EXISTS 'dx_gen_limited'@'%'")
		db.Exec("DROP USER IF EXISTS 'dx_gen_limited'@'localhost'")
	})
	bin := dataxBinary(t)
	r := newRunner(t)
	r.env = append(r.env, "DX_GEN_PW="+password)
	out := filepath.Join(r.dir, "out")
	base := []string{"gen", "--jdbc-url", "jdbc:mysql://127.0.0.1:3306/dx_gen_priv", "--user", "dx_gen_limited",
		"--password-ref", "${DX_GEN_PW}", "--warehouse", filepath.Join(r.dir, "wh"), "--out", out, "--datax-bin", bin}
	gen := func(args ...string) (string, int) {
		t.Helper()
		res, code := r.run(t, bin, append(slices.Clone(base), args...)...)
		if strings.Contains(res, password) {
			t.Errorf("the password is in the output:\n%s", res)
		}
		return res, code
	}

	// Tables the user cannot read whole are listed with the reason; the
	// readable one is generated; the invisible one is not mentioned.
	res, code := gen()
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, res)
	}
	notGen := strings.Join(section(res, "Not generated"), "\n")
	for _, want := range []string{"dx_gen_priv.a: this user may not SELECT every column", "dx_gen_priv.c: this user may not SELECT every column"} {
		if !strings.Contains(notGen, want) {
			t.Errorf("not generated lacks %q:\n%s", want, res)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "dx_gen_priv", "b", "full.json")); err != nil {
		t.Errorf("the readable table was not generated: %v", err)
	}
	for _, tbl := range []string{"a", "c", "d"} {
		if _, err := os.Stat(filepath.Join(out, "dx_gen_priv", tbl)); err == nil {
			t.Errorf("table %s was generated", tbl)
		}
	}
	assertNoSecret(t, out, password)

	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"invisible table named", []string{"--tables", "dx_gen_priv.d"}, 2, "table `dx_gen_priv`.`d` does not exist or this user has no privilege on it"},
		{"unknown database", []string{"--db", "dx_gen_nope"}, 2, "unknown database `dx_gen_nope`"},
		{"database typo", []string{"--db", "dx_gen_prov"}, 2, `did you mean "dx_gen_priv"?`},
		{"pattern matching nothing", []string{"--include", "zzz*"}, 2, "no table matches the selection (databases dx_gen_priv; include zzz*)"},
		{"malformed pattern", []string{"--include", "[a"}, 2, "malformed"},
		{"no warehouse", []string{"--warehouse", "relative"}, 2, "must be an absolute path"},
		{"unset password variable", []string{"--password-ref", "${DX_GEN_NO_SUCH_VAR}"}, 2, "${DX_GEN_NO_SUCH_VAR} is not set"},
		{"wrong password", []string{"--password-ref", "wrong-pw"}, 1, "access denied"},
		{"not MySQL", []string{"--jdbc-url", "jdbc:postgresql://127.0.0.1/x"}, 2, "not a MySQL URL"},
	} {
		res, code := gen(c.args...)
		if code != c.code || !strings.Contains(strings.ToLower(res), strings.ToLower(c.want)) {
			t.Errorf("%s: exit %d, want %d and %q:\n%s", c.name, code, c.code, c.want, res)
		}
	}

	// A generated file edited by hand: never overwritten silently.
	job := filepath.Join(out, "dx_gen_priv", "b", "full.json")
	orig, _ := os.ReadFile(job)
	edited := strings.Replace(string(orig), `"channel": 1`, `"channel": 4`, 1)
	os.WriteFile(job, []byte(edited), 0o644)
	before, _ := os.ReadFile(filepath.Join(out, "metadata.json"))
	res, code = gen()
	if code != 1 || !strings.Contains(res, "edited    dx_gen_priv/b/full.json") || !strings.Contains(res, `-        "channel": 4`) ||
		!strings.Contains(res, `+        "channel": 1`) || !strings.Contains(res, "nothing was written") {
		t.Errorf("edited file: exit %d, want 1 with the diff:\n%s", code, res)
	}
	if data, _ := os.ReadFile(job); string(data) != edited {
		t.Errorf("the edited file was overwritten")
	}
	if after, _ := os.ReadFile(filepath.Join(out, "metadata.json")); string(after) != string(before) {
		t.Errorf("metadata.json was rewritten although gen refused")
	}
	res, code = gen("--force")
	if code != 0 || !strings.Contains(res, "replaced  dx_gen_priv/b/full.json") {
		t.Errorf("--force: exit %d:\n%s", code, res)
	}
	if data, _ := os.ReadFile(job); string(data) != string(orig) {
		t.Errorf("--force did not replace the edited file")
	}

	// A bad config file names itself, the key and the fix.
	cfgFile := filepath.Join(r.dir, "gen.json")
	os.WriteFile(cfgFile, []byte(`{"smallRow": 5}`), 0o644)
	res, code = gen("-f", cfgFile)
	if code != 2 || !strings.Contains(res, cfgFile) || !strings.Contains(res, `did you mean "smallRows"`) {
		t.Errorf("bad config: exit %d:\n%s", code, res)
	}
	// gen check without generated metadata.
	res, code = r.run(t, bin, "gen", "check", "--dir", filepath.Join(r.dir, "nothing"), "--table", "x.y")
	if code != 2 || !strings.Contains(res, "run datax gen first") {
		t.Errorf("check without metadata: exit %d:\n%s", code, res)
	}
}

// TestDriftTable: a change table with an override naming the changed
// entity's key gets a drift config; its daily script lands the day's log
// and the day's entity rows with midnight drift corrected.
func TestDriftTable(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs datax against MariaDB; run without -short, as make test does")
	}
	db := testenv.FreshMySQLDB(t, "dx_gen_drift")
	execFile(t, db, "drift.sql")
	bin := dataxBinary(t)
	r := newRunner(t)
	out, wh := filepath.Join(r.dir, "out"), filepath.Join(r.dir, "wh")
	cfgFile := filepath.Join(r.dir, "gen.json")
	os.WriteFile(cfgFile, []byte(`{"jdbcUrl": "jdbc:mysql://127.0.0.1:3306/dx_gen_drift", "warehouse": "`+wh+`",
		"overrides": [{"table": "order_changes", "drift": {"key": ["order_id"], "procTime": ["order_time"]}}]}`), 0o644)
	res := r.mustRun(t, bin, "gen", "-f", cfgFile, "--out", out, "--datax-bin", bin)
	if !regexp.MustCompile(`(?m)^dx_gen_drift\.order_changes\s+\S+\s+incremental\s+log_time\s`).MatchString(res) {
		t.Errorf("a change table is incremental by its log time:\n%s", res)
	}
	run := r.mustRun(t, filepath.Join(out, "dx_gen_drift", "order_changes", "daily.sh"), d1)
	if !strings.Contains(run, "drift: ") {
		t.Errorf("no drift step:\n%s", run)
	}
	got := testenv.DuckDB(t, "SELECT order_id, status FROM read_parquet('"+wh+"/ods/ods_dx_gen_drift_order_changes_drift/dt="+d1+"/*.parquet') ORDER BY order_id")
	want := [][]string{{"1", "paid"}, {"2", "paid"}, {"3", "created"}}
	if !slices.EqualFunc(got.Texts(), want, slices.Equal[[]string]) {
		t.Errorf("drift-corrected day: %v, want %v\n%s", got.Texts(), want, run)
	}
	logged := testenv.DuckDB(t, "SELECT count(*) FROM read_parquet('"+wh+"/ods/ods_dx_gen_drift_order_changes/dt="+d1+"/*.parquet')")
	if n := logged.Texts()[0][0]; n != "3" {
		t.Errorf("the day's log: %s rows, want the 3 logged on %s", n, d1)
	}
}

// TestOnHDFS: the generated jobs, merge and verification work on HDFS (the
// MiniDFSCluster) as on local disk.
func TestOnHDFS(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs datax against MariaDB and HDFS; run without -short, as make test does")
	}
	addr := testenv.HDFS(t)
	db := testenv.FreshMySQLDB(t, "dx_gen_hdfs")
	execFile(t, db, "fixture.sql")
	bin := dataxBinary(t)
	r := newRunner(t)
	out := filepath.Join(r.dir, "out")
	fs := "hdfs://" + addr
	wh := fmt.Sprintf("/dx_gen_hdfs/%d", os.Getpid())
	cfgFile := filepath.Join(r.dir, "gen.json")
	os.WriteFile(cfgFile, []byte(`{"jdbcUrl": "jdbc:mysql://127.0.0.1:3306/dx_gen_hdfs", "smallRows": 50,
		"warehouse": "`+wh+`", "defaultFS": "`+fs+`", "include": ["orders", "dim_region", "access_log"]}`), 0o644)
	r.mustRun(t, bin, "gen", "-f", cfgFile, "--out", out, "--datax-bin", bin)
	if ddl, _ := os.ReadFile(filepath.Join(out, "dx_gen_hdfs", "orders", "ddl.hql")); !strings.Contains(string(ddl), "LOCATION '"+fs+wh+"/ods/ods_dx_gen_hdfs_orders'") {
		t.Errorf("the DDL's location is not on HDFS:\n%s", ddl)
	}
	meta := loadMetadata(t, out)
	for _, tbl := range meta.Tables {
		r.mustRun(t, filepath.Join(out, tbl.DB, tbl.Name, "daily.sh"), d0, "--initial")
	}
	var orders *gen.Table
	for _, tbl := range meta.Tables {
		if tbl.Name == "orders" {
			orders = tbl
		}
	}
	before := sourceRows(t, db, orders, "")
	execFile(t, db, "day1.sql")
	for _, tbl := range meta.Tables {
		r.mustRun(t, filepath.Join(out, tbl.DB, tbl.Name, "daily.sh"), d1)
	}
	// Rows per partition, from the verification files datax verify checks.
	rows := func(table string) int {
		res := r.mustRun(t, bin, "verify", fs+wh+"/ods/ods_dx_gen_hdfs_"+table+"/dt="+d1)
		m := regexp.MustCompile(`(\d+) rows`).FindStringSubmatch(res)
		if m == nil {
			t.Fatalf("verify %s: %s", table, res)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	count := func(q string) int {
		var n int
		if err := db.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	after := sourceRows(t, db, orders, "")
	deleted := len(before) + 10 + 1 - len(after) // day1.sql inserts 11 orders
	if got, want := rows("orders"), count("SELECT COUNT(*) FROM orders WHERE modified_time < '2026-11-22'")+deleted; got != want {
		t.Errorf("orders snapshot on HDFS: %d rows, want %d (live rows and %d flagged deleted)", got, want, deleted)
	}
	if got, want := rows("dim_region"), count("SELECT COUNT(*) FROM dim_region"); got != want {
		t.Errorf("dim_region on HDFS: %d rows, want %d", got, want)
	}
	if got, want := rows("access_log"), count("SELECT COUNT(*) FROM access_log WHERE created_at >= '2026-11-21' AND created_at < '2026-11-22'"); got != want {
		t.Errorf("access_log on HDFS: %d rows, want %d", got, want)
	}
}
