package merge

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"datax/extsort"
	"datax/record"
	"datax/rowstream"
)

// scanCase merges a modified_time window delta (ids inserted, every row an
// upsert) into a snapshot of ids live (and flagged, already deleted) with a
// key scan returning scan, under the guard share.
type scanCase struct {
	live, flagged, inserted, scan []int64
	share                         float64
	deletes                       Deletes
}

var scanSnapSchema = record.Schema{
	{Name: "id", Kind: record.Int}, {Name: "v", Kind: record.String},
	{Name: DefaultFlagColumn, Kind: record.Bool}, {Name: DefaultFlagDayColumn, Kind: record.Date},
}

func ids(from, to int64) []int64 {
	var out []int64
	for id := from; id <= to; id++ {
		out = append(out, id)
	}
	return out
}

func (c scanCase) run(t *testing.T) (map[int64]string, Stats, error) {
	t.Helper()
	deltaSchema := record.Schema{{Name: "id", Kind: record.Int}, {Name: "v", Kind: record.String}}
	delta, err := NewDelta(deltaSchema, DeltaRules{Key: []string{"id"}}, extsort.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer delta.Close()
	db := record.NewBatch(deltaSchema)
	for _, id := range c.inserted {
		db.Col(0).AppendInt(id)
		db.Col(1).AppendString("new")
	}
	if err := delta.Add(db); err != nil {
		t.Fatal(err)
	}
	rows, err := delta.Stream()
	if err != nil {
		t.Fatal(err)
	}
	// The snapshot, sorted by key.
	flagged := map[int64]bool{}
	for _, id := range c.flagged {
		flagged[id] = true
	}
	sb := record.NewBatch(scanSnapSchema)
	for _, id := range ids(0, 1000) {
		live := false
		for _, l := range c.live {
			live = live || l == id
		}
		if !live && !flagged[id] {
			continue
		}
		sb.Col(0).AppendInt(id)
		sb.Col(1).AppendString(fmt.Sprintf("v%d", id))
		sb.Col(2).AppendBool(flagged[id])
		if flagged[id] {
			sb.Col(3).AppendInt(20000)
		} else {
			sb.Col(3).AppendNull()
		}
	}
	deletes := c.deletes
	if deletes == "" {
		deletes = Flag
	}
	plan, err := NewPlan(delta.Rows(), delta.Schema(), scanSnapSchema, Rules{Key: []string{"id"}, Deletes: deletes,
		FlagDayColumn: DefaultFlagDayColumn, Day: 20010, MinScanShare: c.share})
	if err != nil {
		t.Fatal(err)
	}
	sink := &MemSink{Schema: plan.Out(), BatchRows: 7}
	st, err := plan.Run(Input{Schema: deltaSchema, Rows: rows}, delta.IsDelete,
		Input{Schema: scanSnapSchema, Rows: rowstream.Slice(sb)}, keyScanInput(c.scan, 6), sink)
	out := map[int64]string{}
	for _, line := range strings.Split(renderRows(sink.Batches), "\n") {
		var id int64
		if _, err := fmt.Sscan(strings.SplitN(line, "|", 2)[0], &id); err == nil {
			out[id] = line
		}
	}
	return out, st, err
}

// TestScanGuardCountsSnapshotKeysOnly: the guard counts the live snapshot
// keys the scan would delete; keys new at the source (today's inserts) do
// not make a partial scan pass. 100 live rows, 15 inserts, a scan limited
// to id <= 76 or id > 100 returns 91 keys (91% of 100) but deletes 24 rows:
// refused.
func TestScanGuardCountsSnapshotKeysOnly(t *testing.T) {
	c := scanCase{live: ids(1, 100), inserted: ids(101, 115), scan: append(ids(1, 76), ids(101, 115)...), share: 0.9}
	_, st, err := c.run(t)
	if !errors.Is(err, ErrScanGuard) {
		t.Fatalf("a scan missing 24 of 100 live keys passed the guard: %v (stats %+v)", err, st)
	}
	for _, w := range []string{"would delete 24 of the 100 live rows of the previous snapshot (24.00%)", "more than the 10.00% that keyScan.minShare 0.90 allows", "it returned 91 keys, 76 of them live snapshot keys"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("guard message lacks %q:\n%v", w, err)
		}
	}

	// The boundary: 10 of 100 deleted passes at 0.9, 11 does not. Keys in
	// the delta are not deleted (the delta has them), so they count as kept:
	// ids 1..10 and 96..100 are gone from the scan, 95..96 or 95..100 are in
	// the delta.
	c = scanCase{live: ids(1, 100), inserted: []int64{95, 96, 97, 98, 99}, scan: ids(11, 94), share: 0.9}
	if _, st, err := c.run(t); !errors.Is(err, ErrScanGuard) || st.ScanDeleted != 11 ||
		!strings.Contains(err.Error(), "would delete 11 of the 100 live rows of the previous snapshot (11.00%)") ||
		!strings.Contains(err.Error(), "it returned 84 keys, 84 of them live snapshot keys") {
		t.Fatalf("11 deletes of 100 at 0.9: err %v, stats %+v", err, st)
	}
	c.inserted = append(c.inserted, 100)
	out, st, err := c.run(t)
	if err != nil || st.ScanDeleted != 10 || st.LiveSnapshot != 100 {
		t.Fatalf("10 of 100 deletes at 0.9: err %v, stats %+v", err, st)
	}
	if out[1] != "1|v1|true|2024-10-14" || out[11] != "11|v11|false|NULL" || out[95] != "95|new|false|NULL" {
		t.Fatalf("rows: %q %q %q", out[1], out[11], out[95])
	}
	if l := strings.Join(st.Lines(), "\n"); !strings.Contains(l, "key scan: 84 keys in the source; 10 of the 100 live snapshot keys are gone from it (10.00%)") {
		t.Errorf("summary:\n%s", l)
	}
}

// TestScanEmptyWithoutGuard: an emptied source is refused by the guard,
// and with the guard off (MinScanShare 0: datax merge --accept-deletes)
// every live row is deleted.
func TestScanEmptyWithoutGuard(t *testing.T) {
	c := scanCase{live: ids(1, 50), flagged: []int64{60}, share: 0.9}
	if _, _, err := c.run(t); !errors.Is(err, ErrScanGuard) || !strings.Contains(err.Error(), "it returned no keys at all") || !strings.Contains(err.Error(), "50 of the 50 live rows of the previous snapshot (100.00%)") {
		t.Fatalf("an empty scan: %v", err)
	}
	c.share = 0
	out, st, err := c.run(t)
	if err != nil || st.ScanDeleted != 50 || len(out) != 51 {
		t.Fatalf("empty scan without guard: %v, %+v, %d rows", err, st, len(out))
	}
	for id := int64(1); id <= 50; id++ {
		if out[id] != fmt.Sprintf("%d|v%d|true|2024-10-14", id, id) {
			t.Fatalf("row %d: %q", id, out[id])
		}
	}
	if out[60] != "60|v60|true|2024-10-04" {
		t.Errorf("an already flagged row lost its day: %q", out[60])
	}
	c.deletes = Remove
	out, st, err = c.run(t)
	if err != nil || len(out) != 1 || out[60] == "" {
		t.Fatalf("remove mode, empty scan without guard: %v, %+v, %v", err, st, out)
	}
}

// TestScanUnflagsKeysBackAtTheSource: a flagged key that a later key scan
// finds again is live again with the values the snapshot last knew (or the
// delta's, when the delta has it); a flagged key still gone stays flagged
// with its day. Keys in neither the snapshot nor the delta are counted and
// named (up to MaxExamples).
func TestScanUnflagsKeysBackAtTheSource(t *testing.T) {
	scan := append(ids(1, 20), 30, 31, 40)
	scan = append(scan, ids(500, 520)...)
	c := scanCase{live: ids(1, 20), flagged: []int64{30, 31, 32, 33}, inserted: []int64{31, 33}, scan: scan, share: 0.9}
	out, st, err := c.run(t)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]string{
		1:   "1|v1|false|NULL",        // carried
		20:  "20|v20|false|NULL",      // carried
		30:  "30|v30|false|NULL",      // back at the source: unflagged, as last known
		31:  "31|new|false|NULL",      // back, and in the delta: the delta's row
		32:  "32|v32|true|2024-10-04", // still gone: stays flagged, with its day
		33:  "33|new|false|NULL",      // in the delta (and not in the scan): the delta wins
		40:  "",                       // only in the scan: counted, not invented
		500: "",
	}
	for id, w := range want {
		if out[id] != w {
			t.Errorf("row %d: %q, want %q", id, out[id], w)
		}
	}
	if st.Unflagged != 1 || st.ScanUnknown != 22 || len(st.UnknownKeys) != MaxExamples || st.UnknownKeys[0] != "id=40" || st.UnknownKeys[9] != "id=508" {
		t.Fatalf("stats %+v", st)
	}
	l := strings.Join(st.Lines(), "\n")
	for _, w := range []string{"merge: key scan: 1 flagged keys are back at the source: unflagged",
		"merge: WARNING: the key scan found 22 source keys in neither the snapshot nor the delta — rows the warehouse is missing",
		"id=40; id=500; id=501", "id=508; ..."} {
		if !strings.Contains(l, w) {
			t.Errorf("summary lacks %q:\n%s", w, l)
		}
	}
}

// TestNullVersionDelete: a delete whose version is null (the change log
// carries only the key) is applied and keeps the snapshot's version; an
// upsert with a smaller version is ignored and named.
func TestNullVersionDelete(t *testing.T) {
	snapSchema := append(exampleSnapSchema[:3:3], record.Column{Name: "ver", Kind: record.Int})
	logSchema := append(snapSchema[:4:4], record.Column{Name: "op", Kind: record.String}, record.Column{Name: "pos", Kind: record.Int})
	delta, err := NewDelta(logSchema, DeltaRules{Key: []string{"id"}, Position: "pos", Op: "op",
		Insert: []string{"I"}, Update: []string{"U"}, Delete: []string{"D"}, Drop: []string{"pos"}}, extsort.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer delta.Close()
	if err := delta.Add(parseRows(t, logSchema, "2|NULL|NULL|NULL|D|1\n3|new|1.00|1|I|2\n4|NULL|NULL|NULL|D|3")); err != nil {
		t.Fatal(err)
	}
	rows, err := delta.Stream()
	if err != nil {
		t.Fatal(err)
	}
	plan, err := NewPlan(delta.Rows(), delta.Schema(), snapSchema, Rules{Key: []string{"id"}, Version: "ver", FlagDayColumn: DefaultFlagDayColumn, Day: 20779})
	if err != nil {
		t.Fatal(err)
	}
	sink := &MemSink{Schema: plan.Out()}
	snap := parseRows(t, snapSchema, "1|paid|1.00|3\n2|shipped|20.00|3\n3|done|30.00|4")
	st, err := plan.Run(Input{Rows: rows}, delta.IsDelete, Input{Schema: snapSchema, Rows: rowstream.Slice(snap)}, nil, sink)
	if err != nil {
		t.Fatal(err)
	}
	// Key 2: deleted, yesterday's values and version; key 3: the re-insert
	// with a restarted counter is older and ignored; key 4: a delete of a key
	// the snapshot never had.
	want := "1|paid|1.00|3|false|NULL\n2|shipped|20.00|3|true|2026-11-22\n3|done|30.00|4|false|NULL\n4|NULL|NULL|NULL|true|2026-11-22"
	if got := renderRows(sink.Batches); got != want {
		t.Fatalf("merged:\n%s\nwant:\n%s", got, want)
	}
	if st.Older != 1 || st.Deleted != 2 || !strings.Contains(strings.Join(st.Lines(), "\n"), "1 delta rows were older than the snapshot (a smaller version) and ignored: id=3 (the version must grow over a key's whole life") {
		t.Fatalf("stats %+v\n%s", st, strings.Join(st.Lines(), "\n"))
	}
}
