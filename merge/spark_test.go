package merge

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"datax/extsort"
	"datax/record"
	"datax/rowstream"
	"datax/testing/testenv"
)

// TestEmittedSQLMatchesNativeInSpark runs the SQL of --emit-sql spark in real
// Spark over Parquet partitions holding a random snapshot, change log and
// key scan, and compares the partition Spark writes with the native merge of
// the same data, row by row, for every delete mode and both delete
// treatments, with a version column, with and without flag columns in the
// snapshot and with and without a key scan.
func TestEmittedSQLMatchesNativeInSpark(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: starts Spark; run without -short, as make test does")
	}
	py := testenv.Python(t, "pyspark", "pyarrow")
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(9, 9))
	const day = int64(20779) // 2026-11-22
	snap, log := randomCase(r, 80, 300, day, true)
	var scan []int64
	for id := int64(0); id < 90; id++ {
		if r.IntN(5) > 0 {
			scan = append(scan, id)
		}
	}

	type sparkCase struct {
		Name   string `json:"name"`
		Flags  bool   `json:"flags"`
		SQL    string `json:"sql"`
		DDL    string `json:"ddl"`
		Target string `json:"target"`
		Scan   bool   `json:"scan"`
	}
	var cases []sparkCase
	native := map[string]string{}
	n := 0
	for _, mode := range []DeleteMode{Keep, DropLastDelete, DropDeleteAndBefore} {
		for _, deletes := range []Deletes{Flag, Remove} {
			n++
			flags, withScan := n%2 == 0, n%3 != 0
			name := fmt.Sprintf("c%d", n)
			snapSchema := propSnapSchema
			if flags {
				snapSchema = propSnapFlagSchema
			}
			dr := DeltaRules{Key: []string{"id"}, Time: "t", Position: "pos", Op: "op",
				Insert: []string{"I"}, Update: []string{"U"}, Delete: []string{"D"}, Mode: mode, Drop: []string{"t", "pos"}}
			rules := Rules{Key: []string{"id"}, Version: "ver", Deletes: deletes, FlagDayColumn: DefaultFlagDayColumn, Day: day}
			delta, err := NewDelta(propLogSchema, dr, extsort.Options{Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range logBatches(log, 50) {
				if err := delta.Add(b); err != nil {
					t.Fatal(err)
				}
			}
			rows, err := delta.Stream()
			if err != nil {
				t.Fatal(err)
			}
			plan, err := NewPlan(delta.Rows(), delta.Schema(), snapSchema, rules)
			if err != nil {
				t.Fatal(err)
			}
			sink := &MemSink{Schema: plan.Out()}
			var scanIn *Input
			if withScan {
				ks := record.Schema{{Name: "id", Kind: record.Int}}
				kb := record.NewBatch(ks)
				for _, id := range scan {
					kb.Col(0).AppendInt(id)
				}
				scanIn = &Input{Schema: ks, Rows: rowstream.Slice(kb)}
			}
			if _, err := plan.Run(Input{Schema: propLogSchema, Rows: rows}, delta.IsDelete, Input{Schema: snapSchema, Rows: rowstream.Slice(snapshotBatches(snap, snapSchema, 17)...)}, scanIn, sink); err != nil {
				t.Fatal(err)
			}
			delta.Close()
			native[name] = renderRows(sink.Batches)
			tables := SQLTables{Target: "snap_" + name, Partition: "dt", Previous: "20261121", Day: "20261122", Delta: "changelog", DeltaWhere: "dt = '20261122'"}
			if withScan {
				tables.KeyScan = "keyscan"
			}
			sql, err := EmitSQL(Spark, plan, propLogSchema, dr, tables)
			if err != nil {
				t.Fatal(err)
			}
			var cols []string
			for _, c := range plan.Out() {
				cols = append(cols, fmt.Sprintf("`%s` %s", c.Name, map[record.Kind]string{record.Int: "BIGINT", record.String: "STRING", record.Bool: "BOOLEAN", record.Date: "DATE"}[c.Kind]))
			}
			cases = append(cases, sparkCase{Name: name, Flags: flags, SQL: sql, Target: tables.Target, Scan: withScan,
				DDL: strings.Join(cols, ", ")})
		}
	}
	// The inputs as JSON for the Python side, which writes them as Parquet.
	type jsonRow map[string]any
	var snapRows, logRows []jsonRow
	for _, s := range snap {
		row := jsonRow{"id": s.id, "val": s.val, "ver": s.ver, "dx_deleted": s.flag, "dx_deleted_dt": nil}
		if s.day != nil {
			row["dx_deleted_dt"] = string(record.AppendDate(nil, *s.day))
		}
		snapRows = append(snapRows, row)
	}
	for _, c := range log {
		var ver any = c.ver
		if c.ver == nullVer {
			ver = nil
		}
		logRows = append(logRows, jsonRow{"id": c.id, "val": c.val, "ver": ver, "op": c.op, "t": c.t, "pos": c.pos})
	}
	spec, _ := json.Marshal(map[string]any{"dir": dir, "snap": snapRows, "log": logRows, "scan": scan, "cases": cases})
	specFile := filepath.Join(dir, "spec.json")
	if err := os.WriteFile(specFile, spec, 0o644); err != nil {
		t.Fatal(err)
	}
	out := testenv.RunPython(t, py, sparkScript, specFile)
	var got map[string]string
	if err := json.Unmarshal(out[strings.LastIndexByte(string(out[:len(out)-1]), '\n')+1:], &got); err != nil {
		t.Fatalf("spark output: %v\n%s", err, out)
	}
	for _, c := range cases {
		if got[c.Name] != native[c.Name] {
			t.Errorf("%s: Spark's merge differs from the native one\nSQL:\n%s\nspark:\n%s\nnative:\n%s", c.Name, c.SQL, got[c.Name], native[c.Name])
		}
	}
	t.Logf("%d emitted statements agree with the native merge in Spark", len(cases))
}

const sparkScript = `
import datetime, json, os, sys
import pyarrow as pa, pyarrow.parquet as pq
from pyspark.sql import SparkSession

spec = json.load(open(sys.argv[1]))
d = spec["dir"]
def write(path, rows, schema):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    cols = {f.name: [r.get(f.name) for r in rows] for f in schema}
    if "dx_deleted_dt" in cols:
        cols["dx_deleted_dt"] = [None if v is None else datetime.date.fromisoformat(v) for v in cols["dx_deleted_dt"]]
    if "t" in cols:
        cols["t"] = [datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=v) for v in cols["t"]]
    pq.write_table(pa.table(cols, schema=schema), path)

base = [pa.field("id", pa.int64()), pa.field("val", pa.string()), pa.field("ver", pa.int64())]
flags = [pa.field("dx_deleted", pa.bool_()), pa.field("dx_deleted_dt", pa.date32())]
write(d + "/changelog/dt=20261122/part-00000.parquet", spec["log"], pa.schema(base + [pa.field("op", pa.string()), pa.field("t", pa.timestamp("us")), pa.field("pos", pa.int64())]))
write(d + "/keyscan/part-00000.parquet", [{"id": k} for k in spec["scan"]], pa.schema([pa.field("id", pa.int64())]))

os.chdir(d)
spark = (SparkSession.builder.master("local[2]").appName("datax-merge-sql")
         .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
         .config("spark.sql.warehouse.dir", d + "/spark-warehouse")
         .config("javax.jdo.option.ConnectionURL", "jdbc:derby:;databaseName=%s/metastore_db;create=true" % d)
         .enableHiveSupport().getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
spark.sql("CREATE TABLE changelog (id BIGINT, val STRING, ver BIGINT, op STRING, t TIMESTAMP_NTZ, pos BIGINT, dt STRING) USING parquet PARTITIONED BY (dt) LOCATION '%s/changelog'" % d)
spark.sql("ALTER TABLE changelog RECOVER PARTITIONS")
spark.sql("CREATE TABLE keyscan (id BIGINT) USING parquet LOCATION '%s/keyscan'" % d)
result = {}
for c in spec["cases"]:
    loc = d + "/" + c["target"]
    snap = spec["snap"] if c["flags"] else [{k: r[k] for k in ("id", "val", "ver")} for r in spec["snap"]]
    write(loc + "/dt=20261121/part-00000.parquet", snap, pa.schema(base + (flags if c["flags"] else [])))
    spark.sql("CREATE EXTERNAL TABLE %s (%s) PARTITIONED BY (dt STRING) STORED AS PARQUET LOCATION '%s'" % (c["target"], c["ddl"], loc))
    spark.sql("ALTER TABLE %s RECOVER PARTITIONS" % c["target"])
    body = "\n".join(l for l in c["sql"].split("\n") if not l.startswith("--"))
    for stmt in body.split(";\n"):
        if stmt.strip():
            spark.sql(stmt.strip().rstrip(";"))
    rows = spark.sql("SELECT * FROM %s WHERE dt = '20261122' ORDER BY id" % c["target"]).collect()
    def fmt(v):
        if v is None: return "NULL"
        if isinstance(v, bool): return "true" if v else "false"
        return str(v)
    result[c["name"]] = "\n".join("|".join(fmt(v) for v in r[:-1]) for r in rows)
spark.stop()
print(json.dumps(result))
`
