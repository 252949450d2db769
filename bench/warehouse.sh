#!/usr/bin/env bash
# Warehouse file benchmarks; prints Markdown tables.
#  1. Parquet encoders on the same generated records (2M rows of bench.orders' 10 columns,
#     snappy): parquet-go/parquet-go vs xitongsys/parquet-go, rows/s and peak RSS, each in its
#     own process (bench/parquetenc).
#  2. When bench.orders exists in MariaDB (bench/orders.sh creates it): the raw 1-connection
#     database/sql scan (bench/rawscan), then mysqlreader → hdfswriter on local disk, Parquet
#     (both encoders) and text, channel 1 and 2: rows/s, MB/s of files written, peak RSS, and
#     the share of the raw scan's rows/s, all in one run.
# Usage: bench/warehouse.sh [ROWS]   (encoder rows, default 2000000)
# The machine has 2 cores and is shared: run it when quiet (uptime), and compare within one run.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-2000000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/datax" ./cmd/datax
go build -o "$out/parquetenc" ./bench/parquetenc
echo "load before: $(uptime | sed 's/.*load average: //')"
echo
echo "### Parquet encoders: $rows generated rows, 10 columns, snappy"
echo
echo "| Encoder | Rows/s | Elapsed (s) | File MB | Peak RSS (MB) |"
echo "|---|---|---|---|---|"
for lib in parquet-go xitongsys; do
	/usr/bin/time -f "%M" -o "$out/rss" "$out/parquetenc" -lib "$lib" -rows "$rows" -out "$out/enc.parquet" >"$out/enc.txt"
	read -r _ rps _ _ _ bytes _ secs < <(tr -d '(),s' <"$out/enc.txt" | sed 's/rows\/ / /')
	printf '| %s | %s | %s | %.1f | %.0f |\n' "$lib" "$rps" "$secs" "$(echo "$bytes / 1048576" | bc -l)" "$(echo "$(cat "$out/rss") / 1024" | bc -l)"
	rm -f "$out/enc.parquet"
done

mysql_() { mysql --protocol=tcp -h127.0.0.1 -P3306 -uroot "$@"; }
if ! n=$(mysql_ -N -B -e 'SELECT COUNT(*) FROM bench.orders' 2>/dev/null); then
	echo
	echo "(bench.orders is missing: run bench/orders.sh for the mysqlreader → hdfswriter table)"
	exit 0
fi
echo
echo "### mysqlreader → hdfswriter, bench.orders ($n rows), local disk"
echo
raw=$(go run ./bench/rawscan -conns 1 | awk '{print $1}')
echo "| Run | Rows/s | Share of raw scan | MB/s written | Elapsed (s) | Peak RSS (MB) |"
echo "|---|---|---|---|---|---|"
echo "| raw database/sql scan, 1 connection | $raw | 100% | | | |"
# run FILETYPE ENCODER CHANNEL
run() {
	rm -rf "$out/wh"
	local start end
	start=$(date +%s.%N)
	/usr/bin/time -f "%M" -o "$out/rss" "$out/datax" run bench/jobs/mysql2hdfs.json --progress=-1s \
		-p channel="$3" -p user=root -p password= -p jdbcUrl="jdbc:mysql://127.0.0.1:3306/bench" \
		-p out="$out/wh" -p fileType="$1" -p encoder="$2" >"$out/run.log" 2>&1 || { cat "$out/run.log" >&2; exit 1; }
	end=$(date +%s.%N)
	local secs mb rps
	secs=$(echo "$end - $start" | bc -l)
	mb=$(du -sb "$out/wh/orders/dt=20261122" | awk '{print $1/1048576}')
	rps=$(echo "$n / $secs" | bc -l)
	printf '| %s%s, channel %s | %.0f | %.0f%% | %.1f | %.2f | %.0f |\n' "$1" "$([ "$1" = parquet ] && echo " ($2)")" "$3" \
		"$rps" "$(echo "100 * $rps / $raw" | bc -l)" "$(echo "$mb / $secs" | bc -l)" "$secs" "$(echo "$(cat "$out/rss") / 1024" | bc -l)"
}
for ch in 1 2; do run parquet parquet-go "$ch"; done
for ch in 1 2; do run parquet xitongsys "$ch"; done
for ch in 1 2; do run text parquet-go "$ch"; done
echo
echo "load after: $(uptime | sed 's/.*load average: //')"
