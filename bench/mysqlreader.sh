#!/usr/bin/env bash
# MySQL read benchmark: mysqlreader → streamwriter (count only) on bench.orders (2,000,000 rows,
# 10 columns), against a bare database/sql RawBytes scan of the same table (bench/rawscan) on 1 and
# 2 connections, in one run. Prints a Markdown table: rows/s (median of ROUNDS runs, interleaved so
# that a busy neighbour hurts every kind alike), the ratio to the raw scan with as many connections,
# and the peak RSS of each process (/usr/bin/time -v).
#
# Usage: bench/mysqlreader.sh            ROUNDS=5 bench/mysqlreader.sh
#   MYSQL_HOST (127.0.0.1), MYSQL_PORT (3306), MYSQL_USER (root), MYSQL_PWD (empty) select the server.
# The script SETs GLOBAL innodb_buffer_pool_size = 1 GiB on that server (the table, ~230 MB, must
# stay in memory so that the server's disk is not what is measured), and creates bench.orders with
# bench/orders.sh when it is missing or has another row count.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
HOST=${MYSQL_HOST:-127.0.0.1} PORT=${MYSQL_PORT:-3306} USER_=${MYSQL_USER:-root} PASS=${MYSQL_PWD:-}
mysql_() { mysql --protocol=tcp -h"$HOST" -P"$PORT" -u"$USER_" -N -B "$@"; }

rows=$(mysql_ -e "SELECT COUNT(*) FROM bench.orders" 2>/dev/null || echo 0)
if [[ $rows != 2000000 ]]; then
	echo "bench: creating bench.orders (found $rows rows)" >&2
	bench/orders.sh 2000000 bench.orders
fi
echo "bench: SET GLOBAL innodb_buffer_pool_size = 1 GiB (was $(mysql_ -e 'SELECT @@innodb_buffer_pool_size'))" >&2
mysql_ -e 'SET GLOBAL innodb_buffer_pool_size = 1073741824'

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/datax" ./cmd/datax
go build -o "$out/rawscan" ./bench/rawscan
dsn="$USER_:$PASS@tcp($HOST:$PORT)/bench"

# Warm-up: the first scan loads the table into the buffer pool.
"$out/rawscan" -dsn "$dsn" -conns 2 >/dev/null

# raw CONNS → "rows/s rss_mb"
raw() {
	/usr/bin/time -v "$out/rawscan" -dsn "$dsn" -conns "$1" >"$out/raw.log" 2>&1
	awk '/rows\/s/ {r=$1} /Maximum resident/ {m=$6/1024} END {printf "%.0f %.0f\n", r, m}' "$out/raw.log"
}

# reader CHANNEL → "rows/s rss_mb" (rows over the job's elapsed time, split included)
reader() {
	/usr/bin/time -v "$out/datax" run bench/jobs/mysqlreader.json --progress=-1s -p channel="$1" \
		-p user="$USER_" -p password="$PASS" -p jdbcUrl="jdbc:mysql://$HOST:$PORT/bench" >"$out/reader.log" 2>&1 ||
		{ cat "$out/reader.log" >&2; exit 1; }
	awk '
		/^Records read/ {gsub(",", "", $4); rec=$4}
		/^Elapsed  / {el=$3}
		/Maximum resident/ {m=$6/1024}
		END {
			s=el
			if (s ~ /ms$/) {sub("ms", "", s); s=s/1000}
			else if (s ~ /m/) {split(s, a, "m"); sub("s", "", a[2]); s=a[1]*60+a[2]}
			else {sub("s", "", s)}
			if (rec != 2000000) {print "bench: mysqlreader read " rec " records" > "/dev/stderr"; exit 1}
			printf "%.0f %.0f\n", rec/s, m
		}' "$out/reader.log"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A rps rss
for ((i = 1; i <= ROUNDS; i++)); do
	for kind in raw1 raw2 reader1 reader2; do
		case $kind in
		raw*) read -r r m < <(raw "${kind#raw}") ;;
		reader*) read -r r m < <(reader "${kind#reader}") ;;
		esac
		rps[$kind]+="$r "
		rss[$kind]=$(( ${rss[$kind]:-0} > m ? ${rss[$kind]:-0} : m ))
		echo "bench: round $i $kind $r rows/s, $m MB" >&2
	done
done
for kind in raw1 raw2 reader1 reader2; do
	rps[$kind]=$(tr ' ' '\n' <<<"${rps[$kind]}" | grep . | median)
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f%%", 100*a/b}'; }
echo
echo "bench.orders: 2,000,000 rows, 10 columns; MariaDB $(mysql_ -e 'SELECT VERSION()') on $HOST:$PORT, innodb_buffer_pool_size 1 GiB; $(nproc) CPUs shared by server and client; median of $ROUNDS rounds"
echo
echo "| Run | Rows/s | Ratio to the raw scan | Peak RSS (MB) |"
echo "|---|---|---|---|"
echo "| raw database/sql RawBytes scan, 1 connection | ${rps[raw1]} | 100% | ${rss[raw1]} |"
echo "| raw database/sql RawBytes scan, 2 connections | ${rps[raw2]} | 100% | ${rss[raw2]} |"
echo "| mysqlreader → streamwriter (count), channel 1 | ${rps[reader1]} | $(ratio "${rps[reader1]}" "${rps[raw1]}") of 1 connection | ${rss[reader1]} |"
echo "| mysqlreader → streamwriter (count), channel 2 | ${rps[reader2]} | $(ratio "${rps[reader2]}" "${rps[raw2]}") of 2 connections | ${rss[reader2]} |"
