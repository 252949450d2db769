package mysql

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"datax/plugin"
	"datax/testing/testenv"
)

// taskQuery matches the processlist entry of a task reading table (not
// the split's lookups, which end in LIMIT 1, nor the query that looks).
const taskQuery = "ID <> CONNECTION_ID() AND USER = ? AND INFO LIKE CONCAT('SELECT %FROM `', DATABASE(), '`.`', ?, '` WHERE %') AND INFO NOT LIKE '%LIMIT 1'"

// readingConnections returns the ids of the test user's connections that
// run a task on table.
func readingConnections(t *testing.T, db *sql.DB, table string) []int64 {
	t.Helper()
	rows, err := db.Query("SELECT ID FROM information_schema.PROCESSLIST WHERE "+taskQuery, testUser, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	return ids
}

// waitReading waits until a connection of the test user reads table.
func waitReading(t *testing.T, db *sql.DB, table string) []int64 {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if ids := readingConnections(t, db, table); len(ids) > 0 {
			return ids
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no connection started reading %s", table)
	return nil
}

func bigTable(t *testing.T, db *sql.DB, table string, rows int) {
	t.Helper()
	execAll(t, db, "DROP TABLE IF EXISTS "+table,
		"CREATE TABLE "+table+" (id BIGINT PRIMARY KEY, v INT NOT NULL, pad VARCHAR(100) NOT NULL)",
		fmt.Sprintf("INSERT INTO %s SELECT seq, seq, REPEAT('x', 100) FROM seq_1_to_%d", table, rows))
}

func retried(c *collector) int {
	n := 0
	for _, a := range c.attempts {
		if a > 1 {
			n++
		}
	}
	return n
}

// slowColumn makes the server take about 200 ms over each task's 20,000
// rows, so that a KILL lands while the query still runs; without it the
// server may have put a task's whole result into the socket buffers before
// the KILL arrives, and the task then ends well.
const slowColumn = "SLEEP(IF(id % 100 = 0, 0.001, 0))"

// TestKillDuringRead kills (KILL <id>) the reader's connection in the middle
// of a read, twice: the tasks are retried from their range's start, and
// the job ends with every row exactly once.
func TestKillDuringRead(t *testing.T) {
	for _, snapshot := range []bool{false, true} {
		t.Run(fmt.Sprintf("consistentSnapshot=%v", snapshot), func(t *testing.T) {
			db, addr := setup(t)
			table := "killme"
			bigTable(t, db, table, 200000)
			c := newCollector()
			c.delay = 2 * time.Millisecond
			done := make(chan result, 1)
			go func() {
				done <- runJob(t, params(addr, "table", []any{table}, "column", []any{"id", "v", slowColumn}, "consistentSnapshot", snapshot),
					jobOptions{channels: 2, collector: c})
			}()
			killed := map[int64]bool{}
			for len(killed) < 2 {
				for _, id := range waitReading(t, db, table) {
					if !killed[id] && len(killed) < 2 {
						if _, err := db.Exec(fmt.Sprintf("KILL %d", id)); err != nil {
							t.Logf("KILL %d: %v", id, err)
						}
						killed[id] = true
						time.Sleep(50 * time.Millisecond)
					}
				}
			}
			res := <-done
			if res.err != nil {
				t.Fatal(res.err)
			}
			wantIDs(t, db, res.rows, "SELECT id FROM "+table)
			if retried(c) == 0 {
				t.Fatalf("no task was retried: the kills (%v) hit nothing; attempts %v", killed, c.attempts)
			}
			t.Logf("killed connections %v; %d tasks retried", killed, retried(c))
		})
	}
}

// TestConsistentSnapshot changes the table while a 2-channel read runs: the
// read sees the table as it was when the snapshot was taken, and the
// summary holds the binlog position of that moment.
func TestConsistentSnapshot(t *testing.T) {
	db, addr := setup(t)
	table := "snap"
	for _, user := range []string{"root", testUser} {
		t.Run(user, func(t *testing.T) {
			bigTable(t, db, table, 100000)
			before := binlogPos(t, db)
			c := newCollector()
			c.delay = 5 * time.Millisecond // 400 batches of 256 rows: at least a second
			p := params(addr, "table", []any{table}, "column", []any{"id", "v"}, "consistentSnapshot", true)
			if user == "root" {
				p["username"], p["password"] = "root", ""
			}
			done := make(chan result, 1)
			go func() { done <- runJob(t, p, jobOptions{channels: 2, collector: c, batchRows: 256}) }()
			waitReadingAs(t, db, table, user)
			execAll(t, db, "DELETE FROM "+table+" WHERE id <= 1000; "+
				"UPDATE "+table+" SET v = -1 WHERE id % 10 = 0; "+
				"INSERT INTO "+table+" SELECT 100000 + seq, -1, 'new' FROM seq_1_to_1000")
			after := binlogPos(t, db)
			select {
			case <-done:
				t.Fatal("the read ended before the table changed: the test proves nothing; slow the writer down")
			default:
			}
			res := <-done
			if res.err != nil {
				t.Fatal(res.err)
			}
			if len(res.rows) != 100000 {
				t.Fatalf("read %d rows, want the 100000 of the snapshot", len(res.rows))
			}
			for _, r := range res.rows {
				id, v := r[0].(int64), r[1].(int64)
				if id < 1 || id > 100000 || v != id {
					t.Fatalf("row id=%d v=%d is not as it was at the snapshot", id, v)
				}
			}
			ids(t, res.rows)
			notes := strings.Join(res.summary.Notes, "\n")
			t.Log(notes)
			if !strings.Contains(notes, "read as one consistent snapshot on 3 connections") {
				t.Errorf("summary notes %q", notes)
			}
			if user == "root" {
				file, pos := parsePosition(t, notes)
				if file != before.file || pos < before.pos || pos >= after.pos {
					t.Errorf("snapshot at %s:%d, want between %s:%d (job start) and %s:%d (after the changes)",
						file, pos, before.file, before.pos, after.file, after.pos)
				}
				if !strings.Contains(notes, "FLUSH TABLES WITH READ LOCK") || !strings.Contains(notes, "GTID") {
					t.Errorf("notes %q: want the FLUSH TABLES lock and the GTID position", notes)
				}
			} else if !strings.Contains(notes, "LOCK TABLES … READ") || !strings.Contains(notes, "binlog position unknown") {
				t.Errorf("notes %q: a user without RELOAD and BINLOG MONITOR locks the tables and cannot read the position", notes)
			}
		})
	}
}

func waitReadingAs(t *testing.T, db *sql.DB, table, user string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE "+taskQuery, user, table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s never read %s", user, table)
}

type position struct {
	file string
	pos  int64
}

func binlogPos(t *testing.T, db *sql.DB) position {
	t.Helper()
	rows, err := db.Query("SHOW MASTER STATUS")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if !rows.Next() {
		testenv.Missing(t, "MariaDB's binary log", "SHOW MASTER STATUS returned nothing: the server runs without log_bin")
	}
	rows.Scan(ptrs...)
	var p position
	p.file = vals[0].String
	fmt.Sscan(vals[1].String, &p.pos)
	return p
}

func parsePosition(t *testing.T, notes string) (string, int64) {
	t.Helper()
	_, rest, ok := strings.Cut(notes, "binlog position ")
	if !ok {
		t.Fatalf("no binlog position in %q", notes)
	}
	filePos, _, _ := strings.Cut(rest, ",")
	file, pos, _ := strings.Cut(filePos, ":")
	var n int64
	fmt.Sscan(pos, &n)
	return file, n
}

// TestSnapshotSurvivesWriterFailures: three tasks fail in the writer on
// their first attempt; their reads are stopped with KILL QUERY, which keeps
// the snapshot connections, so the retries still read the one snapshot
// (with channel 1 there are only two such connections). The last task fails
// after its read has ended: its retry still finds the snapshot.
func TestSnapshotSurvivesWriterFailures(t *testing.T) {
	db, addr := setup(t)
	bigTable(t, db, "snapfail", 50000)
	c := newCollector()
	c.failTasks = map[int]bool{0: true, 1: true, 2: true}
	c.failAtEnd = map[int]bool{4: true}
	res := runJob(t, params(addr, "table", []any{"snapfail"}, "column", []any{"id"}, "consistentSnapshot", true),
		jobOptions{channels: 1, collector: c})
	if res.err != nil {
		t.Fatal(res.err)
	}
	wantIDs(t, db, res.rows, "SELECT id FROM snapfail")
	if retried(c) != 4 {
		t.Errorf("%d tasks retried, want 4", retried(c))
	}
	if !strings.Contains(strings.Join(res.summary.Notes, "\n"), "on 2 connections") {
		t.Errorf("notes %q", res.summary.Notes)
	}
}

// TestSnapshotLost kills every connection of the test user while a
// snapshot read runs: a new connection cannot rejoin the snapshot, so the
// job fails permanently and says so.
func TestSnapshotLost(t *testing.T) {
	db, addr := setup(t)
	bigTable(t, db, "snaplost", 200000)
	c := newCollector()
	c.delay = 2 * time.Millisecond
	done := make(chan result, 1)
	go func() {
		done <- runJob(t, params(addr, "table", []any{"snaplost"}, "column", []any{"id"}, "consistentSnapshot", true),
			jobOptions{channels: 1, collector: c})
	}()
	waitReading(t, db, "snaplost")
	rows, err := db.Query("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ?", testUser)
	if err != nil {
		t.Fatal(err)
	}
	var all []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		all = append(all, id)
	}
	rows.Close()
	for _, id := range all {
		db.Exec(fmt.Sprintf("KILL %d", id))
	}
	res := <-done
	if res.err == nil {
		t.Fatal("the job succeeded after its snapshot was lost")
	}
	if !errors.Is(res.err, plugin.ErrPermanent) || !strings.Contains(res.err.Error(), "consistent snapshot is lost") {
		t.Fatalf("error %v: want a permanent 'consistent snapshot is lost'", res.err)
	}
	if res.c.commits != 0 {
		t.Fatal("the writer committed")
	}
	noPassword(t, res.err.Error())
}
