package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"datax/merge"
	"datax/plugin"
	"datax/record"
	"datax/storage"
	"datax/verify"
)

var logSchema = record.Schema{
	{Name: "op", Kind: record.String},
	{Name: "id", Kind: record.Int},
	{Name: "status", Kind: record.String},
	{Name: "amount", Kind: record.Decimal, Precision: 10, Scale: 2},
	{Name: "log_time", Kind: record.Timestamp},
	{Name: "log_pos", Kind: record.Int},
}

// writeLog publishes change records ("op|id|status|amount|time|pos" lines)
// as partition day of the table at root.
func writeLog(t *testing.T, root, day, lines string) {
	t.Helper()
	tbl := merge.Table{FS: storage.Local(), Path: root, Partition: "dt"}
	w, err := merge.NewPartitionWriter(context.Background(), tbl, day, logSchema, merge.WriterOptions{}, plugin.Env{})
	if err != nil {
		t.Fatal(err)
	}
	sink := w.Sink()
	b, _ := sink.Batch()
	for _, line := range strings.Split(strings.TrimSpace(lines), "\n") {
		for j, f := range strings.Split(line, "|") {
			if f == "NULL" {
				b.Col(j).AppendNull()
			} else if err := record.ParseText(b.Col(j), logSchema[j], []byte(f)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := sink.Send(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(nil); err != nil {
		t.Fatal(err)
	}
}

// partitionText renders a published partition's rows.
func partitionText(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	_, err := merge.PartitionSource(storage.Local(), dir)(context.Background(), func(b *record.Batch) error {
		for i := 0; i < b.Len(); i++ {
			var f []string
			for j, c := range b.Schema() {
				if b.Col(j).IsNull(i) {
					f = append(f, "NULL")
				} else {
					f = append(f, string(record.AppendText(nil, b.Col(j), i, c)))
				}
			}
			lines = append(lines, strings.Join(f, "|"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

const mergeConfig = `{
  "key": ["id"],
  "table": {"path": "ods_orders", "keepDays": 7},
  "delta": {"path": "landing/dt=${bizdate}", "time": "log_time", "position": "log_pos",
            "op": {"column": "op"}, "drop": ["log_time", "log_pos"]},
  "sql": {"target": "ods.ods_orders", "delta": "landing.orders_log", "deltaWhere": "dt = '${bizdate}'"}
}`

func setupMergeDir(t *testing.T) string {
	dir := t.TempDir()
	writeLog(t, filepath.Join(dir, "landing"), "20261121", `
I|3|paid|30.00|2026-11-21 10:00:00|1
I|1|new|10.00|2026-11-21 10:00:00|2
I|2|new|20.00|2026-11-21 10:00:00|3`)
	writeLog(t, filepath.Join(dir, "landing"), "20261122", `
U|1|paid|10.00|2026-11-22 09:00:00|100
D|1|paid|NULL|2026-11-22 10:00:00|200
U|2|shipped|20.00|2026-11-22 09:30:00|150
I|4|new|40.00|2026-11-22 11:00:00|300`)
	if err := os.WriteFile(filepath.Join(dir, "merge.json"), []byte(mergeConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestMergeCommand(t *testing.T) {
	dir := setupMergeDir(t)
	code, out, errOut := run(t, dir, "merge", "merge.json", "--day", "20261122")
	if code != exitFailed || !strings.Contains(errOut, "dt=20261121 does not exist: merge day 20261121 first (e.g. re-run its daily script)") || !strings.Contains(errOut, "--initial") {
		t.Fatalf("merge without a previous snapshot: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut = run(t, dir, "merge", "merge.json", "--day", "20261121", "--initial"); code != 0 {
		t.Fatalf("initial merge: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut = run(t, dir, "merge", "merge.json", "-p", "bizdate=20261122"); code != 0 {
		t.Fatalf("merge: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "1 inserted, 1 updated, 1 deleted, 1 carried") {
		t.Errorf("summary:\n%s", out)
	}
	want := `1|paid|10.00|true|2026-11-22
2|shipped|20.00|false|NULL
3|paid|30.00|false|NULL
4|new|40.00|false|NULL`
	if got := partitionText(t, filepath.Join(dir, "ods_orders", "dt=20261122")); got != want {
		t.Fatalf("dt=20261122:\n%s\nwant:\n%s", got, want)
	}
	code, out, errOut = run(t, dir, "merge", "merge.json", "--day", "20261122", "--emit-sql", "spark")
	if code != 0 || !strings.Contains(out, "INSERT OVERWRITE TABLE `ods`.`ods_orders` PARTITION (`dt`='20261122')") ||
		!strings.Contains(out, "FULL OUTER JOIN") || !strings.Contains(out, "`dt` = '20261121'") {
		t.Fatalf("--emit-sql spark: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "SET spark.sql.hive.convertMetastoreParquet=false;") {
		t.Errorf("the Spark statement lacks its SET:\n%s", out)
	}
	code, out, errOut = run(t, dir, "merge", "merge.json", "--day", "20261123", "--emit-sql", "hive", "-p", "bizdate=20261122")
	if code != 0 || strings.Contains(out, "SET spark") || !strings.Contains(out, "PARTITION (`dt`='20261123')") || !strings.Contains(out, "ROW_NUMBER() OVER (PARTITION BY `id` ORDER BY `log_time` DESC NULLS LAST, `log_pos` DESC NULLS LAST") {
		t.Fatalf("--emit-sql hive: exit %d\n%s\n%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "ods_orders", "dt=20261123")); !os.IsNotExist(err) {
		t.Fatal("--emit-sql wrote a partition")
	}

	// --initial over history is refused (the day's delta would be the whole
	// snapshot), unless --force.
	code, out, errOut = run(t, dir, "merge", "merge.json", "--day", "20261123", "--initial", "-p", "bizdate=20261122")
	if code != exitFailed || !strings.Contains(errOut, "the table has earlier partitions (dt=20261121, dt=20261122, the newest dt=20261122)") || !strings.Contains(errOut, "add --force") {
		t.Fatalf("--initial over history: exit %d\n%s\n%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "ods_orders", "dt=20261123")); !os.IsNotExist(err) {
		t.Fatal("--initial over history published dt=20261123")
	}
	// --previous further back warns that the days between are skipped.
	code, out, errOut = run(t, dir, "merge", "merge.json", "--day", "20261123", "--previous", "20261121", "-p", "bizdate=20261122")
	if code != 0 || !strings.Contains(out, "merge: WARNING: merging into dt=20261121 skips 1 day(s) between it and 20261123: their changes are lost unless their deltas are merged too; the partitions of those days (dt=20261122) are not read") ||
		!strings.Contains(errOut, "level=WARN") {
		t.Fatalf("--previous with a gap: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut = run(t, dir, "merge", "merge.json", "--day", "20261123", "--initial", "--force", "-p", "bizdate=20261122"); code != 0 {
		t.Fatalf("--initial --force: exit %d\n%s\n%s", code, out, errOut)
	}
	// The delta alone: key 3, not changed that day, is gone — what the
	// refusal warned about.
	if got := partitionText(t, filepath.Join(dir, "ods_orders", "dt=20261123")); got != "1|paid|NULL|true|2026-11-23\n2|shipped|20.00|false|NULL\n4|new|40.00|false|NULL" {
		t.Fatalf("forced first snapshot:\n%s", got)
	}
}

func TestDeltaCommandThenMerge(t *testing.T) {
	dir := setupMergeDir(t)
	cfg := `{"key": "id", "delta": {"path": "landing/dt=${bizdate}", "time": "log_time", "position": "log_pos",
	  "op": {"column": "op"}, "deleteMode": "drop-last-delete", "drop": ["log_time", "log_pos"]},
	  "output": {"path": "delta_orders"}}`
	os.WriteFile(filepath.Join(dir, "delta.json"), []byte(cfg), 0o644)
	os.MkdirAll(filepath.Join(dir, "delta_orders", "dt=20261101"), 0o755) // older than keepDays (7)
	code, out, errOut := run(t, dir, "delta", "delta.json", "--day", "20261122")
	if code != 0 || !strings.Contains(out, "4 change records → 3 keys (0 deletes)") || !strings.Contains(out, "retention: removed dt=20261101") {
		t.Fatalf("delta: exit %d\n%s\n%s", code, out, errOut)
	}
	want := `1|paid|10.00|false
2|shipped|20.00|false
4|new|40.00|false`
	if got := partitionText(t, filepath.Join(dir, "delta_orders", "dt=20261122")); got != want {
		t.Fatalf("delta partition:\n%s\nwant:\n%s", got, want)
	}
	// The merge reads the delta partition: its flag column marks deletes.
	os.WriteFile(filepath.Join(dir, "m2.json"), []byte(`{"key": ["id"], "table": {"path": "ods2"},
	  "delta": {"path": "delta_orders/dt=${bizdate}"}}`), 0o644)
	if code, out, errOut = run(t, dir, "merge", "m2.json", "--day", "20261122", "--initial"); code != 0 {
		t.Fatalf("merge of the delta: exit %d\n%s\n%s", code, out, errOut)
	}
	if got := partitionText(t, filepath.Join(dir, "ods2", "dt=20261122")); !strings.HasPrefix(got, "1|paid|10.00|false|NULL\n") {
		t.Fatalf("merged:\n%s", got)
	}
}

func TestMergeBadInput(t *testing.T) {
	dir := setupMergeDir(t)
	cases := []struct {
		name, config string
		args         []string
		want         []string
	}{
		{"unknown key", `{"key": ["id"], "tabel": {"path": "x"}, "delta": {"path": "p"}}`, nil,
			[]string{`tabel: unknown parameter "tabel"; did you mean "table"?`, "table: missing required parameter"}},
		{"missing key", `{"table": {"path": "x"}, "delta": {"path": "p"}}`, nil, []string{"key: missing required parameter"}},
		{"both sources", `{"key": "id", "table": {"path": "x"}, "delta": {"path": "p", "reader": {"name": "streamreader"}}}`, nil,
			[]string{"delta: give either reader or path"}},
		{"delete mode", `{"key": "id", "table": {"path": "x"}, "delta": {"path": "p", "deleteMode": "drop-last"}}`, nil,
			[]string{`delta.deleteMode: "drop-last" is not one of keep, drop-last-delete, drop-delete-and-before`}},
		{"guard share", `{"key": "id", "table": {"path": "x"}, "delta": {"path": "p"}, "keyScan": {"reader": {"name": "streamreader"}, "minShare": 2}}`, nil,
			[]string{"keyScan.minShare: must be above 0 and at most 1, got 2 (to let one run delete more, run datax merge --accept-deletes)"}},
		{"unknown reader", `{"key": "id", "table": {"path": "x"}, "delta": {"reader": {"name": "mysqlreadr", "parameter": {}}}}`, nil,
			[]string{`delta.reader: unknown reader plugin "mysqlreadr"`, `did you mean "mysqlreader"?`}},
		{"bad day", mergeConfig, []string{"--day", "2026-11-22"}, []string{`--day: day "2026-11-22": expected YYYYMMDD`}},
		{"bad dialect", mergeConfig, []string{"--day", "20261122", "--emit-sql", "oracle"}, []string{`--emit-sql "oracle": expected hive or spark`}},
		{"no sql section", `{"key": "id", "table": {"path": "ods_orders"}, "delta": {"path": "landing/dt=${bizdate}"}}`, []string{"--day", "20261122", "--emit-sql", "hive"},
			[]string{"--emit-sql needs the sql section"}},
		{"unfilled variable", `{"key": "id", "table": {"path": "${root}"}, "delta": {"path": "p"}}`, []string{"--day", "20261122"}, []string{"root"}},
		{"force without initial", mergeConfig, []string{"--day", "20261122", "--force"}, []string{"--force only goes with --initial"}},
		{"initial and previous", mergeConfig, []string{"--day", "20261122", "--initial", "--previous", "20261120"}, []string{"--initial and --previous exclude each other"}},
		{"accept-deletes without key scan", mergeConfig, []string{"--day", "20261122", "--accept-deletes"}, []string{"--accept-deletes: the config has no keyScan"}},
		{"no-keyscan without key scan", mergeConfig, []string{"--day", "20261122", "--no-keyscan"}, []string{"--no-keyscan: the config has no keyScan"}},
		{"accept-deletes and no-keyscan", `{"key": "id", "table": {"path": "x"}, "delta": {"path": "p"}, "keyScan": {"reader": {"name": "streamreader"}}}`,
			[]string{"--day", "20261122", "--accept-deletes", "--no-keyscan"}, []string{"--accept-deletes and --no-keyscan exclude each other"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			os.WriteFile(filepath.Join(dir, "bad.json"), []byte(c.config), 0o644)
			args := append([]string{"merge", "bad.json"}, c.args...)
			if c.args == nil {
				args = append(args, "--day", "20261122")
			}
			code, out, errOut := run(t, dir, args...)
			if code != exitInvalid {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, exitInvalid, out, errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "x")); !os.IsNotExist(err) {
				t.Error("the target was created")
			}
		})
	}
}

// TestKillMidMerge kills the built binary with SIGKILL while it merges a
// large snapshot: the day's partition must not be visible, the previous one
// intact, and a re-run completes.
func TestKillMidMerge(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the binary and writes a large snapshot; run without -short, as make test does")
	}
	dir := setupMergeDir(t)
	bin := filepath.Join(t.TempDir(), "datax")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// A previous snapshot big enough to take a while.
	schema := record.Schema{{Name: "id", Kind: record.Int}, {Name: "status", Kind: record.String}, {Name: "amount", Kind: record.Decimal, Precision: 10, Scale: 2}}
	tbl := merge.Table{FS: storage.Local(), Path: filepath.Join(dir, "ods_orders"), Partition: "dt"}
	w, err := merge.NewPartitionWriter(context.Background(), tbl, "20261121", schema, merge.WriterOptions{}, plugin.Env{})
	if err != nil {
		t.Fatal(err)
	}
	sink := w.Sink()
	for id := int64(0); id < 3_000_000; {
		b, _ := sink.Batch()
		for ; !sink.Full(b) && id < 3_000_000; id++ {
			b.Col(0).AppendInt(id)
			b.Col(1).AppendString("paid")
			b.Col(2).AppendString("12.50")
		}
		if err := sink.Send(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(nil); err != nil {
		t.Fatal(err)
	}
	prevDir := tbl.Dir("20261121")
	cmd := exec.Command(bin, "merge", "merge.json", "--day", "20261122")
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill once the run is staging its output.
	deadline := time.Now().Add(60 * time.Second)
	for {
		staged, _ := filepath.Glob(filepath.Join(tbl.Path, ".datax-staging-*", "*"))
		if len(staged) > 0 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the merge never started staging")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if _, err := os.Stat(tbl.Dir("20261122")); !os.IsNotExist(err) {
		t.Fatalf("dt=20261122 is visible after the kill: %v", err)
	}
	if _, err := verify.Check(context.Background(), tbl.FS, prevDir); err != nil {
		t.Fatalf("the previous snapshot is damaged: %v", err)
	}
	rerun := exec.Command(bin, "merge", "merge.json", "--day", "20261122")
	rerun.Dir = dir
	if out, err := rerun.CombinedOutput(); err != nil {
		t.Fatalf("re-run: %v\n%s", err, out)
	}
	if m, err := verify.Check(context.Background(), tbl.FS, tbl.Dir("20261122")); err != nil || m.Rows != 3_000_000 {
		t.Fatalf("after the re-run: %v rows, %v", m, err)
	}
	if staged, _ := filepath.Glob(filepath.Join(tbl.Path, ".datax-*")); len(staged) > 0 {
		t.Fatalf("leftovers: %v", staged)
	}
}
