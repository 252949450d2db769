#!/usr/bin/env bash
# The drift benchmark of issue 7: a change log of ROWS records over two days (D = 2026-11-22 and
# D+1, Parquet partitions by log time, written by bench/driftgen), corrected for D by
# `datax drift` (W 15m, three proc_time columns), beside
#   (a) our own Parquet reader + writer copying the same change log (`datax run`: hdfsreader -> hdfswriter)
#   (b) DuckDB computing the same three steps in SQL (window filters, ROW_NUMBER per key, the join;
#       step 1 as drift/README.md has it: D's own changes and those logged more than W after their day)
# and `datax drift` again on a log twice as large, to show that memory does not grow with the input.
# DuckDB's result and ours are compared (row count and a hash of every row): they must be identical.
# Prints a table: seconds, CPU seconds, peak RSS, ratio to the copy.
#
# Usage: bench/drift.sh [ROWS]                 (default 5000000)
#   BENCH_DIR (default ${TMPDIR:-/tmp}/datax-bench-drift) holds the generated files (kept for re-runs),
#   DATAX_TEST_PYTHON the Python with duckdb (testing/setup.sh), MEMORY_MB the sort budget (default 256).
# The machine has 2 cores and is shared: run it when it is quiet; compare ratios, not seconds.
set -euo pipefail
ROWS=${1:-5000000}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/datax-bench-drift}
PY=${DATAX_TEST_PYTHON:-$HOME/.cache/datax-testing/venv/bin/python}
MEMORY_MB=${MEMORY_MB:-256}
[[ $ROWS =~ ^[0-9]+$ ]] || { echo "drift.sh: ROWS must be an integer" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "drift.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
"$PY" -c 'import duckdb' 2>/dev/null || { echo "drift.sh: $PY cannot import duckdb; run: eval \"\$(testing/setup.sh)\"" >&2; exit 2; }

mkdir -p "$DIR/bin"
(cd "$HERE" && go build -o "$DIR/bin/datax" ./cmd/datax && go build -o "$DIR/bin/driftgen" ./bench/driftgen)
DATAX=$DIR/bin/datax

source "$HERE/bench/lib.sh" # measure

gen() { # gen SUBDIR ROWS
  local d=$DIR/$1
  if [[ ! -f $d/log/dt=20261123/_SUCCESS || $(cat "$d/.rows" 2>/dev/null) != "$2" ]]; then
    echo "drift.sh: generating $2 change records in $d" >&2
    rm -rf "$d" && mkdir -p "$d"
    "$DIR/bin/driftgen" -out "$d" -rows "$2" -orders $(($2 / 5))
    echo "$2" >"$d/.rows"
  fi
  rm -rf "$d/ods" "$d/copy" "$d/duckdb-out.parquet"
  cat >"$d/drift.json" <<JSON
{"drift": {"day": "20261122", "timeZone": "UTC", "window": "15m", "key": "order_id",
           "logTime": "log_time", "position": "log_pos", "modifiedTime": "modified_time",
           "procTime": ["order_time", "pay_time", "end_time"]},
 "reader": {"name": "hdfsreader", "parameter": {"path": ["log/dt=20261122", "log/dt=20261123"], "fileType": "parquet", "column": ["*"]}},
 "output": {"path": "ods"},
 "setting": {"channel": 2, "memoryMB": $MEMORY_MB}}
JSON
  cat >"$d/copy.json" <<JSON
{"job": {"setting": {"speed": {"channel": 2}},
  "content": [{"reader": {"name": "hdfsreader", "parameter": {"path": ["log/dt=20261122", "log/dt=20261123"], "fileType": "parquet", "column": ["*"]}},
               "writer": {"name": "hdfswriter", "parameter": {"path": "copy", "partition": "dt=20261122", "fileType": "parquet", "writeMode": "truncate"}}}]}}
JSON
}

# The same correction in DuckDB (UTC, W 15m), written as Parquet.
cat >"$DIR/duckdb_drift.py" <<'PY'
import duckdb
D, N, N2 = "TIMESTAMP '2026-11-22 00:00:00'", "TIMESTAMP '2026-11-23 00:00:00'", "TIMESTAMP '2026-11-24 00:00:00'"
W = "INTERVAL 15 MINUTE"
on_d = lambda c: f"({c} IS NULL OR ({c} >= {D} AND {c} < {N}))"
con = duckdb.connect()
con.execute("SET threads = 2")
con.execute(f"""
COPY (
  WITH log AS (SELECT * FROM read_parquet(['log/dt=20261122/*.parquet', 'log/dt=20261123/*.parquet'], hive_partitioning = false)),
  s1 AS (SELECT * EXCLUDE (rn) FROM (
      SELECT *, row_number() OVER (PARTITION BY order_id ORDER BY log_time DESC, log_pos DESC) AS rn FROM log
      WHERE log_time < {N} + {W} AND ((modified_time >= {D} AND modified_time < {N})
        OR (modified_time < {D} AND log_time >= {D} + {W})))
    WHERE rn = 1),
  s2 AS (SELECT * EXCLUDE (rn) FROM (
      SELECT *, row_number() OVER (PARTITION BY order_id ORDER BY modified_time, log_time, log_pos) AS rn FROM log
      WHERE log_time >= {N} AND log_time < {N} + {W} AND modified_time >= {N} AND modified_time < {N2}
        AND {on_d('order_time')} AND {on_d('pay_time')} AND {on_d('end_time')})
    WHERE rn = 1)
  SELECT * FROM s2
  UNION ALL
  SELECT s1.* FROM s1 ANTI JOIN s2 ON s1.order_id = s2.order_id
  ORDER BY order_id
) TO 'duckdb-out.parquet' (FORMAT parquet, COMPRESSION snappy)""")
PY

# Row count and an order-independent hash of every row of a Parquet glob.
cat >"$DIR/digest.py" <<'PY'
import duckdb, sys
con = duckdb.connect()
n, h = con.execute(f"SELECT count(*), sum(hash(t)::HUGEINT) FROM read_parquet('{sys.argv[1]}', hive_partitioning = false) AS t").fetchone()
print(n, h)
PY

rm -f "$DIR/results"
gen base "$ROWS"
B=$DIR/base
(cd "$B" && measure copy "$DATAX" run copy.json --progress=-1s --log-level warn)
(cd "$B" && measure drift "$DATAX" drift drift.json --log-level warn)
(cd "$B" && measure duckdb "$PY" "$DIR/duckdb_drift.py")
OURS=$(cd "$B" && "$PY" "$DIR/digest.py" 'ods/dt=20261122/*.parquet')
THEIRS=$(cd "$B" && "$PY" "$DIR/digest.py" 'duckdb-out.parquet')
gen double $((2 * ROWS))
(cd "$DIR/double" && measure drift2x "$DATAX" drift drift.json --log-level warn)

export LOAD=$(cut -d' ' -f1-3 /proc/loadavg) OURS THEIRS
awk -v rows="$ROWS" -v mem="$MEMORY_MB" '
  { secs[$1] = $2; rss[$1] = $3 / 1024; cpu[$1] = $4 + $5 }
  END {
    printf "change log of %d records over two days (D and D+1), drift for D; W 15m, sort budget %d MB\n\n", rows, mem
    printf "| run | change records | wall s | CPU s (user+sys) | peak RSS (MB) | wall / copy | CPU / copy |\n|---|---:|---:|---:|---:|---:|---:|\n"
    printf "| (a) copy: hdfsreader -> hdfswriter | %d | %.1f | %.1f | %.0f | 1.00 | 1.00 |\n", rows, secs["copy"], cpu["copy"], rss["copy"]
    printf "| datax drift | %d | %.1f | %.1f | %.0f | %.2f | %.2f |\n", rows, secs["drift"], cpu["drift"], rss["drift"], secs["drift"] / secs["copy"], cpu["drift"] / cpu["copy"]
    printf "| (b) DuckDB, the same three steps in SQL | %d | %.1f | %.1f | %.0f | %.2f | %.2f |\n", rows, secs["duckdb"], cpu["duckdb"], rss["duckdb"], secs["duckdb"] / secs["copy"], cpu["duckdb"] / cpu["copy"]
    printf "| datax drift, twice the change log | %d | %.1f | %.1f | %.0f | - | - |\n", 2 * rows, secs["drift2x"], cpu["drift2x"], rss["drift2x"]
    printf "\nload average at the end: %s\ndrift RSS at 2x records / at 1x: %+.0f%% (memory bounded: within +-20%%, both < 512 MB)\n", ENVIRON["LOAD"], 100 * (rss["drift2x"] / rss["drift"] - 1)
    printf "D: datax drift rows and hash %s, DuckDB %s: %s\n", ENVIRON["OURS"], ENVIRON["THEIRS"], (ENVIRON["OURS"] == ENVIRON["THEIRS"] ? "identical" : "DIFFERENT")
  }' "$DIR/results"
grep -h "^drift:" "$DIR/drift.log" "$DIR/drift2x.log" | sed 's/^/  /' || true
[[ $OURS == "$THEIRS" ]] || { echo "drift.sh: datax drift and DuckDB disagree" >&2; exit 1; }
