package merge

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"datax/plugin"
	"datax/record"
	"datax/storage"
	"datax/testing/testenv"
	"datax/verify"
)

// batchSource is a Source over batches in memory (the change records a
// reader would produce).
func batchSource(schema record.Schema, batches ...*record.Batch) Source {
	return func(ctx context.Context, fn func(*record.Batch) error) (record.Schema, error) {
		for _, b := range batches {
			if err := fn(b); err != nil {
				return schema, err
			}
		}
		return schema, nil
	}
}

// readPartition renders the rows of a published partition.
func readPartition(t *testing.T, tbl Table, day string) string {
	t.Helper()
	var out []*record.Batch
	_, err := PartitionSource(tbl.FS, tbl.Dir(day))(context.Background(), func(b *record.Batch) error {
		c := record.NewBatch(b.Schema())
		for i := 0; i < b.Len(); i++ {
			c.AppendRow(b, i)
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return renderRows(out)
}

func exampleJob(t *testing.T, tbl Table, day, log string) *Job {
	return &Job{
		Table: tbl, Day: day,
		Rules: Rules{Key: []string{"id"}, Deletes: Flag, FlagDayColumn: DefaultFlagDayColumn},
		Delta: DeltaRules{Key: []string{"id"}, Time: "log_time", Position: "log_pos", Op: "op",
			Insert: []string{"I"}, Update: []string{"U"}, Delete: []string{"D"}, Drop: []string{"log_time", "log_pos"}},
		DeltaSource: batchSource(exampleLogSchema, parseRows(t, exampleLogSchema, log)),
		SpillDir:    t.TempDir(),
		KeepDays:    7,
	}
}

func newTable(t *testing.T) Table {
	return Table{FS: storage.Local(), Path: filepath.ToSlash(filepath.Join(t.TempDir(), "ods_orders")), Partition: "dt"}
}

// initialLog turns the example snapshot into insert records.
func initialLog(snapshot string) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(snapshot), "\n") {
		lines = append(lines, l+"|I|2026-11-20 00:00:00|1")
	}
	// Out of key order on purpose: the first snapshot is sorted by the merge.
	slices.Reverse(lines)
	return strings.Join(lines, "\n")
}

func TestJobOnLocalDisk(t *testing.T) {
	ctx := context.Background()
	tbl := newTable(t)
	first := exampleJob(t, tbl, "20261121", initialLog(exampleSnapshot))
	first.Initial = true
	if _, err := first.Run(ctx); err != nil {
		t.Fatal(err)
	}
	wantFirst := `1|new|10.00|false|NULL
2|new|20.00|false|NULL
3|paid|30.00|false|NULL
4|new|40.00|false|NULL
5|paid|50.00|false|NULL`
	if got := readPartition(t, tbl, "20261121"); got != wantFirst {
		t.Fatalf("first snapshot:\n%s\nwant:\n%s", got, wantFirst)
	}
	info, err := ReadInfo(tbl.FS, tbl.Dir("20261121"))
	if err != nil || !info.SortedBy([]string{"id"}) || info.Rows != 5 {
		t.Fatalf("merge info %+v, %v", info, err)
	}

	res, err := exampleJob(t, tbl, "20261122", exampleLog).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Sorted {
		t.Error("the previous snapshot was written by merge and should not need a sort")
	}
	want := `1|done|10.00|true|2026-11-22
2|shipped|20.00|false|NULL
3|new|33.00|false|NULL
4|paid|44.00|false|NULL
5|paid|50.00|false|NULL
6|new|60.00|false|NULL
7|NULL|NULL|true|2026-11-22`
	if got := readPartition(t, tbl, "20261122"); got != want {
		t.Fatalf("merged snapshot:\n%s\nwant:\n%s", got, want)
	}
	for _, name := range []string{verify.FileName, verify.SuccessName, InfoName} {
		if _, err := os.Stat(filepath.Join(tbl.Dir("20261122"), name)); err != nil {
			t.Errorf("%s missing: %v", name, err)
		}
	}
	if _, err := verify.Check(ctx, tbl.FS, tbl.Dir("20261122")); err != nil {
		t.Fatal(err)
	}

	// Re-running the day gives the same result.
	if _, err := exampleJob(t, tbl, "20261122", exampleLog).Run(ctx); err != nil {
		t.Fatal(err)
	}
	if got := readPartition(t, tbl, "20261122"); got != want {
		t.Fatalf("re-run:\n%s\nwant:\n%s", got, want)
	}
	entries, _ := os.ReadDir(tbl.Path)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"dt=20261121", "dt=20261122"}) {
		t.Fatalf("table directory holds %v; want the two partitions and nothing else", names)
	}
}

// TestMissingPreviousSnapshot: a missing previous day says to merge that
// day first; --initial is only suggested for a table without history, and
// --previous only with what it loses.
func TestMissingPreviousSnapshot(t *testing.T) {
	tbl := newTable(t)
	_, err := exampleJob(t, tbl, "20261122", exampleLog).Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "dt=20261121 does not exist: merge day 20261121 first (e.g. re-run its daily script)") ||
		!strings.Contains(err.Error(), "no partition before 20261122: if this is its first day") || !strings.Contains(err.Error(), "--initial") {
		t.Fatalf("want a missing previous snapshot error that says to merge that day first, got %v", err)
	}
	if _, err := os.Stat(tbl.Path); !os.IsNotExist(err) {
		t.Fatalf("the table directory was created: %v", err)
	}

	// With history, --initial would lose it: not suggested.
	writeRaw(t, tbl, "20261119", exampleSnapSchema, strings.TrimSpace(exampleSnapshot))
	_, err = exampleJob(t, tbl, "20261122", exampleLog).Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "merge day 20261121 first (e.g. re-run its daily script)") ||
		!strings.Contains(err.Error(), "--previous 20261119 would merge into the newest earlier partition and skip the days between: their changes are lost") ||
		strings.Contains(err.Error(), "--initial") {
		t.Fatalf("missing day with history: %v", err)
	}
	if days, _ := tbl.Days(); !slices.Equal(days, []string{"20261119"}) {
		t.Fatalf("partitions: %v", days)
	}
}

// TestInitialOverHistory: --initial is refused when the table has earlier
// partitions (the delta would become the whole snapshot), unless forced.
func TestInitialOverHistory(t *testing.T) {
	ctx := context.Background()
	tbl := newTable(t)
	writeRaw(t, tbl, "20261121", exampleSnapSchema, strings.TrimSpace(exampleSnapshot))
	j := exampleJob(t, tbl, "20261122", exampleLog)
	j.Initial = true
	_, err := j.Run(ctx)
	for _, w := range []string{"--initial makes the delta the whole snapshot of 20261122, but the table has earlier partitions (dt=20261121, the newest dt=20261121)",
		"every other row would be missing", "add --force"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Fatalf("want %q, got %v", w, err)
		}
	}
	if _, err := os.Stat(tbl.Dir("20261122")); !os.IsNotExist(err) {
		t.Fatal("a partition was published")
	}
	j = exampleJob(t, tbl, "20261122", initialLog(exampleSnapshot))
	j.Initial, j.Force = true, true
	if _, err := j.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if got := readPartition(t, tbl, "20261122"); strings.Count(got, "\n") != 4 {
		t.Fatalf("forced first snapshot:\n%s", got)
	}
	// A later partition does not stop --initial (re-running the first day).
	j = exampleJob(t, tbl, "20261120", initialLog(exampleSnapshot))
	j.Initial = true
	if _, err := j.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestPreviousSkipsDays: --previous more than a day back warns that the
// days between are skipped, in the summary and in _MERGE.json; a previous
// day that is not before the day is refused.
func TestPreviousSkipsDays(t *testing.T) {
	ctx := context.Background()
	tbl := newTable(t)
	writeRaw(t, tbl, "20261121", exampleSnapSchema, strings.TrimSpace(exampleSnapshot))
	writeRaw(t, tbl, "20261122", exampleSnapSchema, strings.TrimSpace(exampleSnapshot))
	j := exampleJob(t, tbl, "20261124", exampleLog)
	j.Previous = "20261121"
	res, err := j.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := "merge: WARNING: merging into dt=20261121 skips 2 day(s) between it and 20261124: their changes are lost unless their deltas are merged too; the partitions of those days (dt=20261122) are not read"
	if !slices.Contains(res.Lines(), want) {
		t.Fatalf("summary lacks the warning:\n%s", strings.Join(res.Lines(), "\n"))
	}
	info, err := ReadInfo(tbl.FS, tbl.Dir("20261124"))
	if err != nil || info.Previous != "20261121" || len(info.Warnings) != 1 || !strings.HasPrefix(want, "merge: WARNING: "+info.Warnings[0]) {
		t.Fatalf("_MERGE.json: %+v, %v", info, err)
	}
	// The day before: no warning.
	j = exampleJob(t, tbl, "20261123", exampleLog)
	if res, err = j.Run(ctx); err != nil || len(res.Warnings) != 0 {
		t.Fatalf("%v, warnings %v", err, res.Warnings)
	}
	for _, prev := range []string{"20261124", "20261125"} {
		j = exampleJob(t, tbl, "20261124", exampleLog)
		j.Previous = prev
		if _, err := j.Run(ctx); err == nil || !strings.Contains(err.Error(), "the previous snapshot "+prev+" is not before the day 20261124") {
			t.Fatalf("--previous %s: %v", prev, err)
		}
	}
}

// TestKeyScanOfAnEarlierDay: with partitions after the day, a key scan
// (which sees the source as it is now) is refused before anything is read;
// without it the day merges.
func TestKeyScanOfAnEarlierDay(t *testing.T) {
	ctx := context.Background()
	tbl := newTable(t)
	for _, d := range []string{"20261121", "20261123", "20261124"} {
		writeRaw(t, tbl, d, exampleSnapSchema, strings.TrimSpace(exampleSnapshot))
	}
	keys := record.Schema{{Name: "id", Kind: record.Int}}
	j := exampleJob(t, tbl, "20261122", exampleLog)
	j.ScanSource = batchSource(keys, parseRows(t, keys, "1\n2"))
	_, err := j.Run(ctx)
	if !errors.Is(err, ErrScanNotLatest) || !strings.Contains(err.Error(), "the table has partitions after 20261122 (dt=20261123, dt=20261124)") ||
		!strings.Contains(err.Error(), "rows deleted since then would be marked deleted on 20261122") || !strings.Contains(err.Error(), "--no-keyscan") {
		t.Fatalf("key scan of an earlier day: %v", err)
	}
	if _, err := os.Stat(tbl.Dir("20261122")); !os.IsNotExist(err) {
		t.Fatal("a partition was published")
	}
	j.ScanSource = nil
	if _, err := j.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestKeyColumnMissing(t *testing.T) {
	tbl := newTable(t)
	j := exampleJob(t, tbl, "20261121", initialLog(exampleSnapshot))
	j.Initial = true
	j.Delta.Key = []string{"order_id"}
	j.Rules.Key = []string{"order_id"}
	_, err := j.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "column order_id not found") || !strings.Contains(err.Error(), "id, status, amount") {
		t.Fatalf("want a key column error listing the columns, got %v", err)
	}
	if _, err := os.Stat(tbl.Dir("20261121")); !os.IsNotExist(err) {
		t.Fatal("a partition was published")
	}
}

// writeRaw publishes rows as a partition without merge info (a first full
// load written by another job).
func writeRaw(t *testing.T, tbl Table, day string, schema record.Schema, rows string) {
	t.Helper()
	w, err := NewPartitionWriter(context.Background(), tbl, day, schema, WriterOptions{}, pluginEnv())
	if err != nil {
		t.Fatal(err)
	}
	sink := w.Sink()
	b, err := sink.Batch()
	if err != nil {
		t.Fatal(err)
	}
	src := parseRows(t, schema, rows)
	for i := 0; i < src.Len(); i++ {
		b.AppendRow(src, i)
	}
	if err := sink.Send(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(nil); err != nil {
		t.Fatal(err)
	}
}

func TestUnsortedSnapshotIsSortedAndDuplicatesAreReported(t *testing.T) {
	ctx := context.Background()
	tbl := newTable(t)
	writeRaw(t, tbl, "20261121", exampleSnapSchema, "5|paid|50.00\n1|new|10.00\n3|paid|30.00\n2|new|20.00\n4|new|40.00")
	res, err := exampleJob(t, tbl, "20261122", exampleLog).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Sorted {
		t.Error("a snapshot without merge info must be sorted")
	}
	if got := readPartition(t, tbl, "20261122"); !strings.HasPrefix(got, "1|done|10.00|true") || strings.Count(got, "\n") != 6 {
		t.Fatalf("merged snapshot:\n%s", got)
	}

	writeRaw(t, tbl, "20261123", exampleSnapSchema, "1|new|10.00\n2|new|20.00\n2|paid|21.00")
	_, err = exampleJob(t, tbl, "20261124", exampleLog).Run(ctx) // previous: 20261123
	var dup *DuplicateKeyError
	if !errors.As(err, &dup) || dup.Key != "id=2" || !strings.Contains(err.Error(), "dt=20261123") {
		t.Fatalf("want a duplicate key error for id=2 naming the partition, got %v", err)
	}
	if _, err := os.Stat(tbl.Dir("20261124")); !os.IsNotExist(err) {
		t.Fatal("a partition was published despite the duplicate keys")
	}
}

func TestSchemaChanges(t *testing.T) {
	ctx := context.Background()
	tbl := newTable(t)
	writeRaw(t, tbl, "20261121", exampleSnapSchema, strings.TrimSpace(exampleSnapshot))

	// A nullable column added at the source: the delta has it, carried rows
	// get null.
	wide := append(slices.Clone(exampleLogSchema[:3]), record.Column{Name: "coupon", Kind: record.String})
	wide = append(wide, exampleLogSchema[3:]...)
	j := exampleJob(t, tbl, "20261122", "")
	j.DeltaSource = batchSource(wide, parseRows(t, wide, "2|paid|20.00|SAVE5|U|2026-11-22 09:00:00|1\n9|new|90.00|NULL|I|2026-11-22 09:00:00|2"))
	res, err := j.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Output columns: the snapshot's, the new one, then the flags.
	want := `1|new|10.00|NULL|false|NULL
2|paid|20.00|SAVE5|false|NULL
3|paid|30.00|NULL|false|NULL
4|new|40.00|NULL|false|NULL
5|paid|50.00|NULL|false|NULL
9|new|90.00|NULL|false|NULL`
	if got := readPartition(t, tbl, "20261122"); got != want {
		t.Fatalf("merged snapshot with an added column:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(strings.Join(res.Notes, "\n"), "coupon is new in the delta") {
		t.Errorf("no note about the added column: %v", res.Notes)
	}

	// An incompatible type change is refused with the names and types.
	bad := slices.Clone(exampleLogSchema)
	bad[2] = record.Column{Name: "amount", Kind: record.String}
	j = exampleJob(t, tbl, "20261123", "")
	j.Previous = "20261121"
	j.DeltaSource = batchSource(bad, parseRows(t, bad, "2|paid|twenty|U|2026-11-22 09:00:00|1"))
	_, err = j.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "column amount is decimal in the previous snapshot and string in the delta") {
		t.Fatalf("want an incompatible type error naming amount, got %v", err)
	}
	if _, err := os.Stat(tbl.Dir("20261123")); !os.IsNotExist(err) {
		t.Fatal("a partition was published despite the type change")
	}
}

func TestRetentionKeepsTheNewestVerifiedPartition(t *testing.T) {
	ctx := context.Background()
	tbl := newTable(t)
	for _, d := range []string{"20261101", "20261110", "20261111"} {
		writeRaw(t, tbl, d, exampleSnapSchema, strings.TrimSpace(exampleSnapshot))
	}
	// An unverified partition newer than the verified ones (copied by hand).
	os.MkdirAll(tbl.Dir("20261112"), 0o755)
	j := exampleJob(t, tbl, "20261120", exampleLog)
	j.Previous = "20261111"
	j.KeepDays = 3
	res, err := j.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	days, _ := tbl.Days()
	if !slices.Equal(days, []string{"20261120"}) {
		t.Fatalf("after retention: %v (pruned %v)", days, res.Pruned)
	}

	// A failed merge publishes nothing, so the newest verified partition is
	// an old one: retention of a later run never removes it.
	tbl2 := newTable(t)
	writeRaw(t, tbl2, "20261101", exampleSnapSchema, strings.TrimSpace(exampleSnapshot))
	os.MkdirAll(tbl2.Dir("20261102"), 0o755) // not verified
	if pruned, err := tbl2.Prune("20261120", 3); err != nil || !slices.Equal(pruned, []string{"dt=20261102"}) {
		t.Fatalf("pruned %v, %v; want only the unverified dt=20261102", pruned, err)
	}
	if days, _ := tbl2.Days(); !slices.Equal(days, []string{"20261101"}) {
		t.Fatalf("the newest verified partition was removed: %v", days)
	}
}

func pluginEnv() plugin.Env { return plugin.Env{} }

// TestJobOnHDFS runs the day's merge on the MiniDFSCluster through the
// same code: first snapshot, merge, re-run, retention.
func TestJobOnHDFS(t *testing.T) {
	addr := testenv.HDFS(t)
	opts := storage.Options{DefaultFS: "hdfs://" + addr}
	fsys, err := storage.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	root := fmt.Sprintf("/dx_merge_test/%s-%d", t.Name(), time.Now().UnixNano())
	t.Cleanup(func() { fsys.RemoveAll(root) })
	tbl := Table{Options: opts, FS: fsys, Path: root + "/ods_orders", Partition: "dt"}
	ctx := context.Background()
	first := exampleJob(t, tbl, "20261121", initialLog(exampleSnapshot))
	first.Initial = true
	if _, err := first.Run(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // the second run re-runs the day
		res, err := exampleJob(t, tbl, "20261122", exampleLog).Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Sorted || !res.Published {
			t.Fatalf("result %+v", res)
		}
	}
	want := `1|done|10.00|true|2026-11-22
2|shipped|20.00|false|NULL
3|new|33.00|false|NULL
4|paid|44.00|false|NULL
5|paid|50.00|false|NULL
6|new|60.00|false|NULL
7|NULL|NULL|true|2026-11-22`
	if got := readPartition(t, tbl, "20261122"); got != want {
		t.Fatalf("merged snapshot on HDFS:\n%s\nwant:\n%s", got, want)
	}
	if _, err := verify.Check(ctx, fsys, tbl.Dir("20261122")); err != nil {
		t.Fatal(err)
	}
	if days, _ := tbl.Days(); !slices.Equal(days, []string{"20261121", "20261122"}) {
		t.Fatalf("partitions on HDFS: %v", days)
	}
}

func writeFile(name, text string) error { return os.WriteFile(name, []byte(text), 0o644) }
