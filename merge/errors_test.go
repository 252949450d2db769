package merge

import (
	"context"
	"strings"
	"testing"

	"datax/extsort"
	"datax/record"
)

// TestDeltaRuleErrors: every rule that can name a wrong column or value
// fails with a message saying which and what is expected.
func TestDeltaRuleErrors(t *testing.T) {
	base := DeltaRules{Key: []string{"id"}, Time: "log_time", Position: "log_pos", Op: "op",
		Insert: []string{"I"}, Update: []string{"U"}, Delete: []string{"D"}}
	cases := []struct {
		name string
		edit func(r *DeltaRules)
		want string
	}{
		{"key", func(r *DeltaRules) { r.Key = []string{"order_id"} }, "key: column order_id not found (the columns are: id, status, amount, op, log_time, log_pos)"},
		{"time", func(r *DeltaRules) { r.Time = "logtime" }, "time: column logtime not found"},
		{"position", func(r *DeltaRules) { r.Position = "pos" }, "position: column pos not found"},
		{"op", func(r *DeltaRules) { r.Op = "operation" }, "op: column operation not found"},
		{"op values twice", func(r *DeltaRules) { r.Update = []string{"U", "D"} }, `op value "D" is listed as two different operations`},
		{"no delete values", func(r *DeltaRules) { r.Delete = nil }, "op: no value means delete"},
		{"soft delete column", func(r *DeltaRules) { r.SoftDelete = "is_deleted"; r.SoftDeleteValues = []string{"1"} }, "softDelete: column is_deleted not found"},
		{"soft delete value", func(r *DeltaRules) { r.SoftDelete = "log_pos"; r.SoftDeleteValues = []string{"yes"} }, `softDelete value "yes" for column log_pos int`},
		{"soft delete no value", func(r *DeltaRules) { r.SoftDelete = "log_pos"; r.SoftDeleteValues = nil }, "softDelete: no value given"},
		{"drop missing", func(r *DeltaRules) { r.Drop = []string{"log_tim"} }, "drop: column log_tim not found"},
		{"drop key", func(r *DeltaRules) { r.Drop = []string{"id"} }, "drop: id is a key column; it cannot be dropped"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := base
			c.edit(&r)
			_, err := NewDelta(exampleLogSchema, r, extsort.Options{Dir: t.TempDir()})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want an error containing %q, got %v", c.want, err)
			}
		})
	}

	// An operation value that is not configured fails the delta, naming it.
	d, err := NewDelta(exampleLogSchema, base, extsort.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	err = d.Add(parseRows(t, exampleLogSchema, "1|new|1.00|I|2026-11-22 00:00:00|1\n2|new|2.00|X|2026-11-22 00:00:00|2"))
	if err == nil || !strings.Contains(err.Error(), `op column op has the value "X" (change record with id=2), which is none of insert ["I"], update ["U"], delete ["D"]`) {
		t.Fatalf("unknown op value: %v", err)
	}
	err = d.Add(parseRows(t, exampleLogSchema, "3|new|1.00|NULL|2026-11-22 00:00:00|1"))
	if err == nil || !strings.Contains(err.Error(), "op column op is null in the change record with id=3") {
		t.Fatalf("null op: %v", err)
	}
}

// TestPlanErrors: the version and flag columns are checked against both
// sides.
func TestPlanErrors(t *testing.T) {
	delta := exampleSnapSchema
	for _, c := range []struct {
		name  string
		snap  record.Schema
		rules Rules
		want  string
	}{
		{"version missing", exampleSnapSchema, Rules{Key: []string{"id"}, Version: "ver"}, "version: column ver not found in the delta"},
		{"version missing in the snapshot", record.Schema{{Name: "id", Kind: record.Int}}, Rules{Key: []string{"id"}, Version: "amount"}, "version: column amount not found in the previous snapshot (columns: id)"},
		{"flag kind", append(exampleSnapSchema[:3:3], record.Column{Name: "dx_deleted", Kind: record.String}), Rules{Key: []string{"id"}}, "column dx_deleted is the deleted flag and must be bool, but it is string"},
		{"key missing in the snapshot", record.Schema{{Name: "order_id", Kind: record.Int}}, Rules{Key: []string{"id"}}, "previous snapshot: key: column id not found"},
		{"key kind", record.Schema{{Name: "id", Kind: record.String}}, Rules{Key: []string{"id"}}, "column id is string in the previous snapshot and int in the delta"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewPlan(delta, nil, c.snap, c.rules)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want an error containing %q, got %v", c.want, err)
			}
		})
	}
}

// TestPartitionSourceErrors: a missing partition and a non-Parquet file
// are errors naming the path.
func TestPartitionSourceErrors(t *testing.T) {
	tbl := newTable(t)
	_, err := PartitionSource(tbl.FS, tbl.Dir("20261122"))(context.Background(), func(*record.Batch) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "dt=20261122") {
		t.Fatalf("missing partition: %v", err)
	}
	writeRaw(t, tbl, "20261121", exampleSnapSchema, "1|new|1.00")
	if err := writeFile(tbl.Dir("20261121")+"/notes.txt", "not parquet"); err != nil {
		t.Fatal(err)
	}
	_, err = PartitionSource(tbl.FS, tbl.Dir("20261121"))(context.Background(), func(*record.Batch) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "notes.txt") {
		t.Fatalf("a file that is not Parquet: %v", err)
	}
}
