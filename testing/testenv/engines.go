package testenv

import (
	"encoding/json"
	"testing"
)

// normalize is Python that turns a value into the text the Go tests compare:
// decimals exact, timestamps and dates ISO (space between date and time),
// bytes as hex, floats by repr, None as null.
const normalize = `
import json, sys, decimal, datetime
def norm(v):
    if v is None: return None
    if isinstance(v, bool): return "true" if v else "false"
    if isinstance(v, decimal.Decimal): return format(v, "f")
    if isinstance(v, datetime.datetime): return v.isoformat(sep=" ")
    if isinstance(v, datetime.date): return v.isoformat()
    if isinstance(v, (bytes, bytearray, memoryview)): return bytes(v).hex()
    if isinstance(v, float): return repr(v)
    return str(v)
`

// Table is what an independent engine read: column names, the engine's
// type names, and the rows as normalized text (nil for NULL).
type Table struct {
	Names []string    `json:"names"`
	Types []string    `json:"types"`
	Rows  [][]*string `json:"rows"`
}

// DuckDB runs query in DuckDB (the python package of the test venv) and
// returns the result (empty for a statement such as COPY); rows are as
// DuckDB returns them (order with ORDER BY).
func DuckDB(t testing.TB, query string) Table {
	t.Helper()
	py := Python(t, "duckdb")
	script := normalize + `
import duckdb
con = duckdb.connect()
con.execute("SET TimeZone='UTC'")
rel = con.sql(sys.argv[1])
out = {"names": [], "types": [], "rows": []}
if rel is not None:  # statements such as COPY have no result
    out = {"names": rel.columns, "types": [str(t) for t in rel.types], "rows": [[norm(v) for v in r] for r in rel.fetchall()]}
print(json.dumps(out))
`
	return decodeTable(t, RunPython(t, py, script, query))
}

// Spark reads Parquet at path (a local path or an hdfs:// URL) with
// spark.read.parquet in a local Spark session whose time zone is UTC, and
// returns the rows sorted by the first column and Spark's type names.
func Spark(t testing.TB, path string) Table {
	t.Helper()
	py := Python(t, "pyspark")
	script := normalize + `
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[1]").appName("datax-test")
         .config("spark.sql.session.timeZone", "UTC")
         .config("spark.ui.enabled", "false")
         .config("spark.sql.shuffle.partitions", "1")
         .getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
from pyspark.sql.types import DecimalType
from pyspark.sql.functions import col
df = spark.read.parquet(sys.argv[1])
types = [f.dataType.simpleString() for f in df.schema.fields]
# Decimals as Spark's own text (BigDecimal.toPlainString, at the column's scale).
df = df.select([col(f.name).cast("string").alias(f.name) if isinstance(f.dataType, DecimalType) else col(f.name) for f in df.schema.fields])
rows = sorted(df.collect(), key=lambda r: (r[0] is None, r[0]))
out = {"names": df.columns, "types": types,
       "rows": [[norm(v) for v in r] for r in rows]}
spark.stop()
print(json.dumps(out))
`
	return decodeTable(t, RunPython(t, py, script, path))
}

func decodeTable(t testing.TB, out []byte) Table {
	t.Helper()
	var tab Table
	if err := json.Unmarshal(out, &tab); err != nil {
		t.Fatalf("engine output is not JSON: %v\n%s", err, out)
	}
	return tab
}

// Texts returns the rows with NULL as "NULL", for comparisons in tests.
func (tab Table) Texts() [][]string {
	out := make([][]string, len(tab.Rows))
	for i, r := range tab.Rows {
		out[i] = make([]string, len(r))
		for j, v := range r {
			if v == nil {
				out[i][j] = "NULL"
			} else {
				out[i][j] = *v
			}
		}
	}
	return out
}
