package merge

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"datax/extsort"
	"datax/record"
	"datax/rowstream"
	"datax/sortkey"
)

// The worked example of the docs (merge/README.md): yesterday's snapshot and
// today's change log of a table orders(id, status, amount).
var (
	exampleSnapSchema = record.Schema{
		{Name: "id", Kind: record.Int, NotNull: true},
		{Name: "status", Kind: record.String},
		{Name: "amount", Kind: record.Decimal, Precision: 10, Scale: 2},
	}
	exampleLogSchema = append(slices.Clone(exampleSnapSchema),
		record.Column{Name: "op", Kind: record.String},
		record.Column{Name: "log_time", Kind: record.Timestamp},
		record.Column{Name: "log_pos", Kind: record.Int},
	)
)

const exampleSnapshot = `
1|new|10.00
2|new|20.00
3|paid|30.00
4|new|40.00
5|paid|50.00`

// Key 1 is changed three times and deleted; key 2 changed twice; key 3
// deleted, then inserted again; key 4 changed twice at the same log time,
// told apart by the log position (listed out of order on purpose); key 6 is
// inserted and key 7 inserted then deleted. Deletes carry what the log
// knows of the row (key 1: its status, key 7: nothing); what they leave null
// comes from yesterday's snapshot.
const exampleLog = `
1|paid|10.00|U|2026-11-22 09:00:00|100
1|shipped|10.00|U|2026-11-22 10:00:00|200
1|done|10.00|U|2026-11-22 11:00:00|300
1|done|NULL|D|2026-11-22 12:00:00|400
2|paid|20.00|U|2026-11-22 09:30:00|150
2|shipped|20.00|U|2026-11-22 10:30:00|250
3|paid|30.00|D|2026-11-22 08:00:00|50
3|new|33.00|I|2026-11-22 13:00:00|500
4|paid|44.00|U|2026-11-22 14:00:00|601
4|new|41.00|U|2026-11-22 14:00:00|600
6|new|60.00|I|2026-11-22 15:00:00|700
7|new|70.00|I|2026-11-22 15:10:00|710
7|NULL|NULL|D|2026-11-22 15:20:00|720`

func TestWorkedExample(t *testing.T) {
	day, _ := record.ParseDate([]byte("2026-11-22"))
	cases := []struct {
		mode    DeleteMode
		deletes Deletes
		want    string
	}{
		{Keep, Flag, `
1|done|10.00|true|2026-11-22
2|shipped|20.00|false|NULL
3|new|33.00|false|NULL
4|paid|44.00|false|NULL
5|paid|50.00|false|NULL
6|new|60.00|false|NULL
7|NULL|NULL|true|2026-11-22`},
		{Keep, Remove, `
2|shipped|20.00
3|new|33.00
4|paid|44.00
5|paid|50.00
6|new|60.00`},
		{DropLastDelete, Flag, `
1|done|10.00|false|NULL
2|shipped|20.00|false|NULL
3|new|33.00|false|NULL
4|paid|44.00|false|NULL
5|paid|50.00|false|NULL
6|new|60.00|false|NULL
7|new|70.00|false|NULL`},
		{DropDeleteAndBefore, Remove, `
1|new|10.00
2|shipped|20.00
3|new|33.00
4|paid|44.00
5|paid|50.00
6|new|60.00`},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%s", c.mode, c.deletes), func(t *testing.T) {
			got, _ := runMerge(t, exampleLog, exampleSnapshot, DeltaRules{
				Key: []string{"id"}, Time: "log_time", Position: "log_pos",
				Op: "op", Insert: []string{"I"}, Update: []string{"U"}, Delete: []string{"D"},
				Mode: c.mode, Drop: []string{"log_time", "log_pos"},
			}, Rules{Key: []string{"id"}, Deletes: c.deletes, FlagDayColumn: DefaultFlagDayColumn, Day: day})
			if want := strings.TrimSpace(c.want); got != want {
				t.Fatalf("merged snapshot:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// parseRows builds a batch from "|"-separated lines; NULL is null.
func parseRows(t testing.TB, schema record.Schema, text string) *record.Batch {
	t.Helper()
	b := record.NewBatch(schema)
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if line == "" {
			continue
		}
		fields := strings.Split(line, "|")
		if len(fields) != len(schema) {
			t.Fatalf("line %q has %d fields, want %d", line, len(fields), len(schema))
		}
		for j, f := range fields {
			if f == "NULL" {
				b.Col(j).AppendNull()
			} else if err := record.ParseText(b.Col(j), schema[j], []byte(f)); err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
		}
	}
	return b
}

// renderRows prints rows as "|"-separated lines.
func renderRows(batches []*record.Batch) string {
	var lines []string
	for _, b := range batches {
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
	}
	return strings.Join(lines, "\n")
}

// runMerge builds the delta from the change log text and merges it into the
// snapshot text (already sorted by key); it returns the rendered output.
func runMerge(t testing.TB, logText, snapText string, dr DeltaRules, r Rules) (string, Stats) {
	t.Helper()
	delta, err := NewDelta(exampleLogSchema, dr, extsort.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer delta.Close()
	if err := delta.Add(parseRows(t, exampleLogSchema, logText)); err != nil {
		t.Fatal(err)
	}
	rows, err := delta.Stream()
	if err != nil {
		t.Fatal(err)
	}
	plan, err := NewPlan(delta.Rows(), delta.Schema(), exampleSnapSchema, r)
	if err != nil {
		t.Fatal(err)
	}
	sink := &MemSink{Schema: plan.Out(), BatchRows: 3}
	snap := Input{Schema: exampleSnapSchema, Rows: rowstream.Slice(parseRows(t, exampleSnapSchema, snapText))}
	st, err := plan.Run(Input{Schema: exampleLogSchema, Rows: rows}, delta.IsDelete, snap, nil, sink)
	if err != nil {
		t.Fatal(err)
	}
	return renderRows(sink.Batches), st
}

// TestCompositeKey merges on a two-column key, a string and a decimal, whose
// order is not the order of the rows' text ("b" < "ä", 9.5 < 10).
func TestCompositeKey(t *testing.T) {
	snapSchema := record.Schema{{Name: "region", Kind: record.String}, {Name: "no", Kind: record.Decimal, Precision: 6, Scale: 1}, {Name: "v", Kind: record.String}}
	logSchema := append(slices.Clone(snapSchema), record.Column{Name: "op", Kind: record.String}, record.Column{Name: "pos", Kind: record.Int})
	delta, err := NewDelta(logSchema, DeltaRules{Key: []string{"region", "no"}, Position: "pos", Op: "op",
		Insert: []string{"I"}, Update: []string{"U"}, Delete: []string{"D"}, Drop: []string{"pos"}}, extsort.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer delta.Close()
	if err := delta.Add(parseRows(t, logSchema, `
ä|10.0|x|U|3
b|9.5|y|U|1
b|10.0|z|I|2
b|9.5|gone|D|4
a|10.0|new|I|5`)); err != nil {
		t.Fatal(err)
	}
	rows, err := delta.Stream()
	if err != nil {
		t.Fatal(err)
	}
	plan, err := NewPlan(delta.Rows(), delta.Schema(), snapSchema, Rules{Key: []string{"region", "no"}, Deletes: Remove})
	if err != nil {
		t.Fatal(err)
	}
	sink := &MemSink{Schema: plan.Out()}
	snap := parseRows(t, snapSchema, "a|9.5|old\nb|9.5|old\nb|10.0|old\nä|10.0|old")
	if _, err := plan.Run(Input{Rows: rows}, delta.IsDelete, Input{Schema: snapSchema, Rows: rowstream.Slice(snap)}, nil, sink); err != nil {
		t.Fatal(err)
	}
	want := "a|9.5|old\na|10.0|new\nb|10.0|z\nä|10.0|x"
	if got := renderRows(sink.Batches); got != want {
		t.Fatalf("composite key merge:\n%s\nwant:\n%s", got, want)
	}
	// A snapshot out of that order is refused by the uniqueness check.
	bad := CheckUnique(rowstream.Slice(parseRows(t, snapSchema, "a|10.0|x\na|9.5|y")), plan.sKey, "the snapshot")
	if _, err := rowstream.Count(bad); err == nil || !strings.Contains(err.Error(), "is not sorted by key (region, no): region=a, no=9.5 comes after region=a, no=10.0") {
		t.Fatalf("unsorted snapshot: %v", err)
	}
}

// TestCombine joins two key-sorted streams with the "right wins" rule and a
// rule of its own, as drift does.
func TestCombine(t *testing.T) {
	s := record.Schema{{Name: "k", Kind: record.Int}, {Name: "v", Kind: record.String}}
	left := parseRows(t, s, "1|l1\n2|l2\n4|l4")
	right := parseRows(t, s, "2|r2\n3|r3\n4|r4")
	key, _ := sortkey.New(s, []string{"k"})
	for _, c := range []struct {
		rule Rule
		want string
	}{
		{RightWins, "1|l1\n2|r2\n3|r3\n4|r4"},
		{func(l, r Row) Side { // the larger value wins
			if strings.Compare(string(l.B.Col(1).Bytes(l.I)), string(r.B.Col(1).Bytes(r.I))) > 0 {
				return Left
			}
			return Right
		}, "1|l1\n2|r2\n3|r3\n4|r4"},
		{func(Row, Row) Side { return Left }, "1|l1\n2|l2\n3|r3\n4|l4"},
	} {
		sink := &MemSink{Schema: s, BatchRows: 2}
		j := NewFullOuter(rowstream.Slice(left), key, rowstream.Slice(right), key)
		n, err := Combine(j, c.rule, NewProjection(s, s), NewProjection(s, s), sink)
		if err != nil || n != 4 {
			t.Fatalf("Combine: %d rows, %v", n, err)
		}
		if got := renderRows(sink.Batches); got != c.want {
			t.Errorf("got:\n%s\nwant:\n%s", got, c.want)
		}
	}
}
