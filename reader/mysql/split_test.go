package mysql

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"datax/plugin"
	"datax/reader"
)

// taskSizes returns the rows each task committed.
func taskSizes(c *collector) []int {
	var out []int
	for i := 0; ; i++ {
		rows, ok := c.staged[i]
		if !ok {
			return out
		}
		out = append(out, len(rows))
	}
}

// balanced fails t when the largest task holds more than factor times the
// average.
func balanced(t *testing.T, c *collector, factor float64) {
	t.Helper()
	sizes := taskSizes(c)
	total := 0
	for _, n := range sizes {
		total += n
	}
	avg := float64(total) / float64(len(sizes))
	if m := slices.Max(sizes); float64(m) > factor*avg {
		t.Errorf("tasks are unbalanced: the largest holds %d rows, the average %.0f (sizes %v)", m, avg, sizes)
	}
}

func TestSplitIntegerKeys(t *testing.T) {
	db, addr := setup(t)
	cases := []struct {
		name, ddl, fill string
		minTasks        int
		balance         float64 // 0: not checked
	}{
		{"dense", "id BIGINT PRIMARY KEY, v INT", "SELECT seq, seq FROM seq_1_to_20000", 10, 1.5},
		{"sparse", "id BIGINT PRIMARY KEY, v INT", "SELECT seq * 1000003, seq FROM seq_1_to_20000", 10, 1.5},
		// 19,000 rows in ids 1..19,000 and 1,000 spread up to 10^12: even
		// ranges of MIN..MAX would put 95% of the rows in the first task.
		{"skewed", "id BIGINT PRIMARY KEY, v INT",
			"SELECT seq, seq FROM seq_1_to_19000 UNION ALL SELECT seq * 1000000000, seq FROM seq_1_to_1000", 8, 2.5},
		{"negative and extremes", "id BIGINT PRIMARY KEY, v INT",
			"SELECT CAST(seq AS SIGNED) - 10000, seq FROM seq_0_to_20000 UNION ALL SELECT -9223372036854775808, 0 UNION ALL SELECT 9223372036854775807, 0", 8, 2.5},
		{"unsigned extremes", "id BIGINT UNSIGNED PRIMARY KEY, v INT",
			"SELECT seq, seq FROM seq_0_to_9999 UNION ALL SELECT 18446744073709551615 - seq, seq FROM seq_0_to_9999", 8, 2.5},
		// A non-unique key with 5 values: at most 5 ranges, none empty of meaning.
		{"few values", "id INT, v INT, KEY (id)", "SELECT seq % 5, seq FROM seq_1_to_10000", 3, 0},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			table := fmt.Sprintf("ints_%d", i)
			execAll(t, db, "DROP TABLE IF EXISTS "+table, "CREATE TABLE "+table+" ("+c.ddl+")", "INSERT INTO "+table+" "+c.fill)
			res := runJob(t, params(addr, "table", []any{table}, "column", []any{"id", "v"}, "splitPk", "id"), jobOptions{channels: 2})
			if res.err != nil {
				t.Fatal(res.err)
			}
			tasks := res.summary.Entries[0].Tasks
			if tasks < c.minTasks {
				t.Errorf("%d tasks, want at least %d", tasks, c.minTasks)
			}
			if c.name == "unsigned extremes" {
				checkUnsigned(t, db, res.rows, table)
			} else if c.name == "few values" {
				if len(res.rows) != 10000 {
					t.Errorf("read %d rows, want 10000", len(res.rows))
				}
			} else {
				wantIDs(t, db, res.rows, "SELECT id FROM "+table)
			}
			if c.balance > 0 {
				balanced(t, res.c, c.balance)
			}
		})
	}
}

func checkUnsigned(t *testing.T, db *sql.DB, rows []row, table string) {
	t.Helper()
	var got []uint64
	for _, r := range rows {
		got = append(got, r[0].(uint64))
	}
	slices.Sort(got)
	var want []uint64
	q, err := db.Query("SELECT id FROM " + table + " ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	for q.Next() {
		var id uint64
		q.Scan(&id)
		want = append(want, id)
	}
	if !slices.Equal(got, want) || got[len(got)-1] != 18446744073709551615 {
		t.Fatalf("read %d unsigned ids (largest %d), want %d", len(got), got[len(got)-1], len(want))
	}
}

// TestSplitStringKeys: string keys under a case- and accent-insensitive
// collation, with multi-byte text, in utf8mb4 and latin1, are split into
// several ranges and every row is read once.
func TestSplitStringKeys(t *testing.T) {
	db, addr := setup(t)
	prefixes := []string{"a", "B", "é", "中文", "Z", "ü", "ñ", "Ωmega", "x😀"}
	for _, c := range []struct{ name, col, prefixSet string }{
		{"utf8mb4_general_ci", "VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci", "all"},
		{"utf8mb4_unicode_520_ci", "VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci", "all"},
		{"latin1_swedish_ci", "VARCHAR(40) CHARACTER SET latin1 COLLATE latin1_swedish_ci", "latin1"},
		{"binary", "VARBINARY(40)", "all"},
	} {
		t.Run(c.name, func(t *testing.T) {
			table := "str_" + strings.ReplaceAll(c.name, "_", "")
			execAll(t, db, "DROP TABLE IF EXISTS "+table,
				"CREATE TABLE "+table+" (k "+c.col+" PRIMARY KEY, id INT NOT NULL)")
			var vals []string
			n := 0
			for i := 0; i < 6000; i++ {
				p := prefixes[i%len(prefixes)]
				if c.prefixSet == "latin1" && (p == "中文" || p == "Ωmega" || p == "x😀") {
					continue
				}
				vals = append(vals, fmt.Sprintf("('%s-%05d', %d)", p, i, n))
				n++
			}
			execAll(t, db, "INSERT INTO "+table+" VALUES "+strings.Join(vals, ","))
			p := params(addr, "table", []any{table}, "column", []any{"id", "k"})
			res := runJob(t, p, jobOptions{channels: 2})
			if res.err != nil {
				t.Fatal(res.err)
			}
			if tasks := res.summary.Entries[0].Tasks; tasks < 5 {
				t.Errorf("%d tasks, want at least 5", tasks)
			}
			wantIDs(t, db, res.rows, "SELECT id FROM "+table)
			balanced(t, res.c, 3)
			for _, r := range res.rows {
				if c.name != "binary" && !strings.Contains(r[1].(string), "-") {
					t.Fatalf("key %q came back altered", r[1])
				}
			}
		})
	}
}

// TestSplitNullsAndKeyChoice covers NULL keys, the automatic key choice and
// tables read as one task.
func TestSplitNullsAndKeyChoice(t *testing.T) {
	db, addr := setup(t)
	cases := []struct {
		name, ddl, fill, splitPk string
		wantKey                  string // "" for one task
	}{
		{"nullable unique", "id INT NOT NULL, u INT NULL, UNIQUE KEY (u)",
			"SELECT seq, IF(seq % 7 = 0, NULL, seq) FROM seq_1_to_7000", "u", "u"},
		{"nullable with skew of NULLs", "id INT NOT NULL, u INT NULL, KEY (u)",
			"SELECT seq, IF(seq % 2 = 0, NULL, seq % 100) FROM seq_1_to_5000", "u", "u"},
		{"composite primary key", "id INT NOT NULL, b INT NOT NULL, PRIMARY KEY (id, b)",
			"SELECT seq, seq % 3 FROM seq_1_to_6000", "", "id"},
		{"unique integer index, no primary key", "id INT NOT NULL, s VARCHAR(10), UNIQUE KEY (id)",
			"SELECT seq, seq FROM seq_1_to_6000", "", "id"},
		{"string primary key", "code VARCHAR(20) PRIMARY KEY, id INT NOT NULL",
			"SELECT CONCAT('c', seq), seq FROM seq_1_to_6000", "", "code"},
		{"no key", "id INT NOT NULL, v INT", "SELECT seq, seq FROM seq_1_to_3000", "", ""},
		{"datetime primary key", "t DATETIME PRIMARY KEY, id INT NOT NULL",
			"SELECT TIMESTAMP'2026-01-01 00:00:00' + INTERVAL seq SECOND, seq FROM seq_1_to_3000", "", ""},
		{"empty table", "id INT PRIMARY KEY", "SELECT 1 FROM DUAL WHERE 1 = 0", "", "id"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			table := fmt.Sprintf("keys_%d", i)
			execAll(t, db, "DROP TABLE IF EXISTS "+table, "CREATE TABLE "+table+" ("+c.ddl+")", "INSERT INTO "+table+" "+c.fill)
			p := params(addr, "table", []any{table}, "column", []any{"id"})
			if c.splitPk != "" {
				p["splitPk"] = c.splitPk
			}
			r, tasks := split(t, p, 2)
			if c.wantKey == "" || c.name == "empty table" {
				if len(tasks) != 1 || strings.Contains(tasks[0].query, "WHERE") {
					t.Fatalf("%d tasks (%v), want one reading the whole table", len(tasks), tasks)
				}
			} else {
				if len(tasks) < 3 || !strings.Contains(tasks[0].query, "`"+c.wantKey+"` <") {
					t.Fatalf("%d tasks split on %v, want several on %s", len(tasks), tasks[0].query, c.wantKey)
				}
				nulls := 0
				for _, tk := range tasks {
					if strings.Contains(tk.query, "IS NULL") {
						nulls++
					}
				}
				if want := map[bool]int{true: 1, false: 0}[strings.Contains(c.ddl, "u INT NULL")]; nulls != want {
					t.Errorf("%d NULL-key tasks, want %d", nulls, want)
				}
			}
			r.Close()
			res := runJob(t, p, jobOptions{channels: 2})
			if res.err != nil {
				t.Fatal(res.err)
			}
			if c.name == "composite primary key" {
				if len(res.rows) != 6000 {
					t.Errorf("read %d rows, want 6000", len(res.rows))
				}
				return
			}
			wantIDs(t, db, res.rows, "SELECT id FROM "+table)
		})
	}
}

// split builds a mysqlreader from params and splits it for channels.
func split(t *testing.T, p map[string]any, channels int) (*mysqlReader, []*task) {
	t.Helper()
	e, err := reader.Default.Lookup("mysqlreader")
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.Build(p, "parameter", plugin.Env{Channels: channels})
	if err != nil {
		t.Fatal(err)
	}
	_, ts, err := r.Split(t.Context(), channels)
	if err != nil {
		r.(*mysqlReader).Close()
		t.Fatal(err)
	}
	var tasks []*task
	for _, tk := range ts {
		tasks = append(tasks, tk.(*task))
	}
	return r.(*mysqlReader), tasks
}

// TestTasksUseRangeScans runs EXPLAIN on every task's query: each reads a
// range of the key's index, for integer and string keys, with a where.
func TestTasksUseRangeScans(t *testing.T) {
	db, addr := setup(t)
	execAll(t, db, "DROP TABLE IF EXISTS scan_int", "DROP TABLE IF EXISTS scan_str",
		"CREATE TABLE scan_int (id BIGINT PRIMARY KEY, v INT, KEY (v))",
		"INSERT INTO scan_int SELECT seq, seq % 10 FROM seq_1_to_50000",
		"CREATE TABLE scan_str (k VARCHAR(30) CHARACTER SET latin1 COLLATE latin1_german1_ci PRIMARY KEY, v INT)",
		"INSERT INTO scan_str SELECT CONCAT(CHAR(65 + seq % 26), '-', seq), seq FROM seq_1_to_50000",
		"ANALYZE TABLE scan_int, scan_str")
	for _, table := range []string{"scan_int", "scan_str"} {
		r, tasks := split(t, params(addr, "table", []any{table}, "column", []any{"*"}, "where", "v >= 0"), 2)
		r.Close()
		if len(tasks) < 5 {
			t.Fatalf("%s: %d tasks", table, len(tasks))
		}
		for _, tk := range tasks {
			rows, err := db.Query("EXPLAIN " + tk.query)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			for rows.Next() {
				rows.Scan(ptrs...)
				plan := map[string]string{}
				for i, c := range cols {
					plan[c] = vals[i].String
				}
				if plan["type"] != "range" || plan["key"] != "PRIMARY" {
					t.Errorf("%s: EXPLAIN %s\n  type=%s key=%s, want a range scan of PRIMARY", table, tk.query, plan["type"], plan["key"])
				}
			}
			rows.Close()
		}
	}
}

// TestShards reads two databases (connection[] elements) of four sharded
// tables each, with the shard columns.
func TestShards(t *testing.T) {
	db, addr := setup(t)
	var conns []any
	total := 0
	for s := 0; s < 2; s++ {
		name := fmt.Sprintf("%s_shard%d", testDB, s)
		execAll(t, db, "CREATE DATABASE IF NOT EXISTS "+name,
			"GRANT SELECT, LOCK TABLES ON `"+name+"`.* TO '"+testUser+"'@'%'")
		for k := 0; k < 4; k++ {
			table := fmt.Sprintf("%s.orders_%d", name, k)
			rows := 1000 * (k + 1)
			execAll(t, db, "DROP TABLE IF EXISTS "+table,
				"CREATE TABLE "+table+" (id BIGINT PRIMARY KEY, shard VARCHAR(40) NOT NULL)",
				fmt.Sprintf("INSERT INTO %s SELECT seq * 100 + %d, '%s' FROM seq_1_to_%d", table, s*10+k, fmt.Sprintf("%d/%d", s, k), rows))
			total += rows
		}
		conns = append(conns, map[string]any{"jdbcUrl": jdbc(addr, name), "table": []any{"orders_[0-3]"}})
	}
	p := params(addr, "column", []any{"id", "shard"}, "shardColumns", map[string]any{"database": "src_db", "table": "src_table"})
	p["connection"] = conns
	res := runJob(t, p, jobOptions{channels: 4})
	if res.err != nil {
		t.Fatal(res.err)
	}
	if len(res.rows) != total {
		t.Fatalf("read %d rows, want %d", len(res.rows), total)
	}
	seen := map[string]bool{}
	for _, r := range res.rows {
		key := fmt.Sprint(r[1], r[0])
		if seen[key] {
			t.Fatalf("row %s read twice", key)
		}
		seen[key] = true
		var s, k int
		fmt.Sscanf(r[1].(string), "%d/%d", &s, &k)
		wantDB, wantTable := fmt.Sprintf("%s_shard%d", testDB, s), fmt.Sprintf("orders_%d", k)
		if r[2] != wantDB || r[3] != wantTable {
			t.Fatalf("row %v: shard columns %v/%v, want %s/%s", r[0], r[2], r[3], wantDB, wantTable)
		}
	}
	// 8 tables over 4 channels: ceil(4/8) × 5 = 5 ranges per table.
	if tasks := res.summary.Entries[0].Tasks; tasks < 8*4 {
		t.Errorf("%d tasks, want about 40 (5 per table)", tasks)
	}
	if res.schema[2].Name != "src_db" || res.schema[3].Name != "src_table" {
		t.Errorf("schema %v", res.schema.Names())
	}
}

// TestFailover: the first address of a jdbcUrl list refuses connections,
// the second works: the data is read once, from the second.
func TestFailover(t *testing.T) {
	db, addr := setup(t)
	execAll(t, db, "DROP TABLE IF EXISTS fo",
		"CREATE TABLE fo (id INT PRIMARY KEY)", "INSERT INTO fo SELECT seq FROM seq_1_to_5000")
	for _, urls := range [][]any{
		{"jdbc:mysql://127.0.0.1:1/" + testDB, jdbc(addr, testDB)},
		{"jdbc:mysql://127.0.0.1:1," + addr + "/" + testDB},
	} {
		p := params(addr, "table", []any{"fo"}, "column", []any{"id"})
		p["connection"].([]any)[0].(map[string]any)["jdbcUrl"] = urls
		res := runJob(t, p, jobOptions{channels: 2})
		if res.err != nil {
			t.Fatal(res.err)
		}
		wantIDs(t, db, res.rows, "SELECT id FROM fo")
	}
}

// TestDataXJob runs parameters as a DataX user writes them: JDBC
// parameters of Connector/J, backquoted names, fetchSize as DataX's
// streaming sentinel, querySql inside connection[].
func TestDataXJob(t *testing.T) {
	db, addr := setup(t)
	execAll(t, db, "DROP TABLE IF EXISTS datax_style",
		"CREATE TABLE datax_style (id INT PRIMARY KEY, `order` VARCHAR(10), created DATETIME)",
		"INSERT INTO datax_style SELECT seq, CONCAT('o', seq), TIMESTAMP'2026-11-22 00:00:00' + INTERVAL seq MINUTE FROM seq_1_to_3000")
	url := "jdbc:mysql://" + addr + "/" + testDB + "?useUnicode=true&characterEncoding=utf8&zeroDateTimeBehavior=convertToNull&useSSL=false"
	p := params(addr, "column", []any{"`id`", "`order`", "'const' AS src", "created"}, "splitPk", "id",
		"fetchSize", -2147483648, "where", "created < '2026-11-23'")
	p["connection"] = []any{map[string]any{"jdbcUrl": []any{url}, "table": []any{"datax_style"}}}
	res := runJob(t, p, jobOptions{channels: 2})
	if res.err != nil {
		t.Fatal(res.err)
	}
	wantIDs(t, db, res.rows, "SELECT id FROM datax_style WHERE created < '2026-11-23'")
	if got := strings.Join(res.schema.Names(), ","); got != "id,order,src,created" {
		t.Errorf("columns %s", got)
	}
	for _, r := range res.rows {
		if r[2] != "const" {
			t.Fatalf("constant column: %v", r[2])
		}
	}
	q := params(addr)
	q["connection"] = []any{map[string]any{"jdbcUrl": url, "querySql": []any{"SELECT id, `order` FROM datax_style WHERE id <= 10;", "SELECT id, `order` FROM datax_style WHERE id > 2990"}}}
	res = runJob(t, q, jobOptions{channels: 2})
	if res.err != nil {
		t.Fatal(res.err)
	}
	if len(res.rows) != 20 || res.summary.Entries[0].Tasks != 2 {
		t.Errorf("querySql: %d rows in %d tasks, want 20 in 2", len(res.rows), res.summary.Entries[0].Tasks)
	}
}

// TestTLSPreferred: "preferred" falls back to a plain connection on a
// server without TLS (the test server has none); "required" fails there,
// permanently, saying why.
func TestTLSPreferred(t *testing.T) {
	db, addr := setup(t)
	var have string
	db.QueryRow("SELECT @@have_ssl").Scan(&have)
	if have == "YES" {
		t.Skip("the test server has TLS: this test covers servers without it; run it against a MariaDB without TLS (have_ssl DISABLED), such as the one testing/setup.sh starts")
	}
	execAll(t, db, "DROP TABLE IF EXISTS tls_t", "CREATE TABLE tls_t (id INT PRIMARY KEY)", "INSERT INTO tls_t VALUES (1), (2)")
	res := runJob(t, params(addr, "table", "tls_t", "column", []any{"id"}, "tls", map[string]any{"mode": "preferred"}), jobOptions{})
	if res.err != nil || len(res.rows) != 2 {
		t.Fatalf("preferred: %d rows, %v", len(res.rows), res.err)
	}
	res = runJob(t, params(addr, "table", "tls_t", "column", []any{"id"}, "tls", map[string]any{"mode": "required"}), jobOptions{retries: 1})
	if res.err == nil || !errors.Is(res.err, plugin.ErrPermanent) || !strings.Contains(res.err.Error(), "TLS") {
		t.Fatalf("required: %v, want a permanent TLS error", res.err)
	}
	noPassword(t, res.err.Error())
}
