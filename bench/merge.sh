#!/usr/bin/env bash
# The merge benchmark of issue 6: a snapshot of the bench.orders shape (10 columns, sorted by id,
# as datax merge writes it) and a one-day change log (70% updates, 20% inserts, 10% deletes, in
# random order), merged by `datax merge`, beside
#   (a) our own Parquet reader + writer copying the snapshot (`datax run`: hdfsreader -> hdfswriter)
#   (b) DuckDB: dedup of the change log, FULL OUTER JOIN with the snapshot, COPY to Parquet
# all on the same files, one run each, then the merge again on a snapshot twice as large to show
# that memory does not grow with the table. Prints a table: seconds, peak RSS, ratio to the copy.
#
# Usage: bench/merge.sh [ROWS] [DELTA]        (default 10000000 1000000)
#   BENCH_DIR (default ${TMPDIR:-/tmp}/datax-bench-merge) holds the generated files (kept for re-runs;
#   about 1.2 GB at the defaults), DATAX_TEST_PYTHON the Python with duckdb (testing/setup.sh).
# The machine has 2 cores and is shared: run it when it is quiet; compare ratios, not seconds.
set -euo pipefail
ROWS=${1:-10000000}
DELTA=${2:-1000000}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/datax-bench-merge}
PY=${DATAX_TEST_PYTHON:-$HOME/.cache/datax-testing/venv/bin/python}
[[ $ROWS =~ ^[0-9]+$ && $DELTA =~ ^[0-9]+$ ]] || { echo "merge.sh: ROWS and DELTA must be integers" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "merge.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
"$PY" -c 'import duckdb' 2>/dev/null || { echo "merge.sh: $PY cannot import duckdb; run: eval \"\$(testing/setup.sh)\"" >&2; exit 2; }

mkdir -p "$DIR/bin"
(cd "$HERE" && go build -o "$DIR/bin/datax" ./cmd/datax && go build -o "$DIR/bin/mergegen" ./bench/mergegen)
DATAX=$DIR/bin/datax

source "$HERE/bench/lib.sh" # measure

gen() { # gen SUBDIR ROWS
  local d=$DIR/$1
  if [[ ! -f $d/ods_orders/dt=20261121/_SUCCESS || $(cat "$d/.rows" 2>/dev/null) != "$2 $DELTA" ]]; then
    echo "merge.sh: generating $2 snapshot rows and $DELTA change records in $d" >&2
    rm -rf "$d" && mkdir -p "$d"
    "$DIR/bin/mergegen" -out "$d" -rows "$2" -delta "$DELTA"
    echo "$2 $DELTA" >"$d/.rows"
  fi
  cat >"$d/merge.json" <<JSON
{"key": ["id"], "table": {"path": "ods_orders", "keepDays": 0},
 "delta": {"path": "landing/dt=\${bizdate}", "time": "log_time", "position": "log_pos",
           "op": {"column": "op"}, "drop": ["log_time", "log_pos"]}}
JSON
  cat >"$d/copy.json" <<JSON
{"job": {"setting": {"speed": {"channel": 1}},
  "content": [{"reader": {"name": "hdfsreader", "parameter": {"path": "ods_orders/dt=20261121/*.parquet", "fileType": "parquet", "column": ["*"]}},
               "writer": {"name": "hdfswriter", "parameter": {"path": "copy", "partition": "dt=20261121", "fileType": "parquet", "writeMode": "truncate"}}}]}}
JSON
}

# The same merge in DuckDB (keep mode, deletes flagged), written as Parquet.
cat >"$DIR/duckdb_merge.py" <<'PY'
import duckdb
cols = ["user_id", "shop_id", "status", "amount", "title", "note", "created_at", "updated_at", "paid_at"]
pick = ",\n".join(f"CASE WHEN d.id IS NULL THEN s.{c} WHEN d.op = 'D' THEN COALESCE(d.{c}, s.{c}) ELSE d.{c} END AS {c}" for c in cols)
con = duckdb.connect()
con.execute("SET threads = 2")
con.execute(f"""
COPY (
  WITH d AS (
    SELECT * FROM (
      SELECT *, row_number() OVER (PARTITION BY id ORDER BY log_time DESC, log_pos DESC) AS rn
      FROM read_parquet('landing/dt=20261122/*.parquet')) WHERE rn = 1)
  SELECT COALESCE(d.id, s.id) AS id,
  {pick},
  COALESCE(d.op = 'D', false) AS dx_deleted,
  CASE WHEN d.op = 'D' THEN DATE '2026-11-22' END AS dx_deleted_dt
  FROM d FULL OUTER JOIN read_parquet('ods_orders/dt=20261121/*.parquet') s ON d.id = s.id
) TO 'duckdb-out.parquet' (FORMAT parquet, COMPRESSION snappy)""")
PY

rm -f "$DIR/results"
gen base "$ROWS"
B=$DIR/base
(cd "$B" && measure copy "$DATAX" run copy.json --progress=-1s --log-level warn)
(cd "$B" && measure merge "$DATAX" merge merge.json --day 20261122 --log-level warn)
(cd "$B" && measure duckdb "$PY" "$DIR/duckdb_merge.py")
gen double $((2 * ROWS))
(cd "$DIR/double" && measure merge2x "$DATAX" merge merge.json --day 20261122 --log-level warn)

export LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
awk -v rows="$ROWS" -v delta="$DELTA" '
  { secs[$1] = $2; rss[$1] = $3 / 1024; cpu[$1] = $4 + $5 }
  END {
    printf "snapshot %d rows (bench.orders shape), change log %d records\n\n", rows, delta
    printf "| run | snapshot rows | wall s | CPU s (user+sys) | peak RSS (MB) | wall / copy | CPU / copy |\n|---|---:|---:|---:|---:|---:|---:|\n"
    printf "| (a) copy: hdfsreader -> hdfswriter | %d | %.1f | %.1f | %.0f | 1.00 | 1.00 |\n", rows, secs["copy"], cpu["copy"], rss["copy"]
    printf "| datax merge | %d | %.1f | %.1f | %.0f | %.2f | %.2f |\n", rows, secs["merge"], cpu["merge"], rss["merge"], secs["merge"] / secs["copy"], cpu["merge"] / cpu["copy"]
    printf "| (b) DuckDB FULL OUTER JOIN + COPY | %d | %.1f | %.1f | %.0f | %.2f | %.2f |\n", rows, secs["duckdb"], cpu["duckdb"], rss["duckdb"], secs["duckdb"] / secs["copy"], cpu["duckdb"] / cpu["copy"]
    printf "| datax merge, twice the snapshot | %d | %.1f | %.1f | %.0f | - | - |\n", 2 * rows, secs["merge2x"], cpu["merge2x"], rss["merge2x"]
    printf "\nload average at the end: %s\nmerge / copy wall time: %.2f (target <= 1.5); merge RSS at 2x rows / at 1x: %+.0f%% (target within +-20%%, both < 512 MB)\n",
      ENVIRON["LOAD"], secs["merge"] / secs["copy"], 100 * (rss["merge2x"] / rss["merge"] - 1)
  }' "$DIR/results"
grep -h "^merge:" "$DIR/merge.log" "$DIR/merge2x.log" | sed 's/^/  /' || true
