#!/usr/bin/env bash
# Engine overhead: streamreader → streamwriter (count only), 10 columns, and
# how closely speed.record / speed.byte caps hold. Prints a Markdown table.
# Usage: bench/stream.sh [records-per-channel]   (default 5000000)
# When bench.orders exists in MariaDB (bench/orders.sh creates it), the raw
# database/sql scan of it is measured in the same run for the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
slice=${1:-5000000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/datax" ./cmd/datax

# run NAME CHANNEL RECORD_CAP BYTE_CAP SLICE → prints "records elapsed_s bytes_per_s rss_mb"
run() {
	local log="$out/$1.log"
	/usr/bin/time -v "$out/datax" run bench/jobs/stream10.json --progress=-1s \
		-p channel="$2" -p record="$3" -p byte="$4" -p slice="$5" >"$log" 2>&1
	awk '
		/^Records read/ {gsub(",", "", $4); rec=$4}
		/^Elapsed  / {el=$3}
		/^Average bytes/ {bps=$4; unit=$5}
		/Maximum resident/ {rss=$6/1024}
		END {
			s=el; if (s ~ /ms$/) {sub("ms","",s); s=s/1000} else if (s ~ /m/) {split(s,a,"m"); sub("s","",a[2]); s=a[1]*60+a[2]} else {sub("s","",s)}
			m=1; if (unit ~ /^KB/) m=1024; if (unit ~ /^MB/) m=1048576; if (unit ~ /^GB/) m=1073741824
			printf "%d %.3f %.0f %.0f\n", rec, s, bps*m, rss
		}' "$log"
}

echo "| Run | Records | Elapsed (s) | Records/s | Bytes/s | Peak RSS (MB) | Note |"
echo "|---|---|---|---|---|---|---|"
for ch in 1 2; do
	read -r rec el bps rss < <(run "stream-ch$ch" "$ch" 0 0 "$slice")
	rps=$(awk -v r="$rec" -v e="$el" 'BEGIN{printf "%.0f", r/e}')
	[ "$ch" = 2 ] && stream2=$rps
	echo "| stream → stream, channel $ch | $rec | $el | $rps | $(awk -v b="$bps" 'BEGIN{printf "%.1f MB/s", b/1048576}') | $rss | |"
done

# Caps: about 6 s of data at the cap, over 2 channels.
read -r rec el bps rss < <(run cap-record 2 100000 0 300000)
rps=$(awk -v r="$rec" -v e="$el" 'BEGIN{printf "%.0f", r/e}')
echo "| speed.record = 100000, channel 2 | $rec | $el | $rps | | $rss | $(awk -v r="$rps" 'BEGIN{printf "%+.1f%% from the cap", (r/100000-1)*100}') |"
read -r rec el bps rss < <(run cap-byte 2 0 10485760 300000)
echo "| speed.byte = 10 MiB/s, channel 2 | $rec | $el | $(awk -v r="$rec" -v e="$el" 'BEGIN{printf "%.0f", r/e}') | $(awk -v b="$bps" 'BEGIN{printf "%.2f MB/s", b/1048576}') | $rss | $(awk -v b="$bps" 'BEGIN{printf "%+.1f%% from the cap", (b/10485760-1)*100}') |"

# The raw database/sql scan of bench.orders (bench/orders.sh creates it;
# bench/mysqlreader.sh explains the buffer pool setting), 1 connection.
HOST=${MYSQL_HOST:-127.0.0.1} PORT=${MYSQL_PORT:-3306} USER_=${MYSQL_USER:-root} PASS=${MYSQL_PWD:-}
if rows=$(mysql --protocol=tcp -h"$HOST" -P"$PORT" -u"$USER_" -N -B -e "SELECT COUNT(*) FROM bench.orders" 2>/dev/null) && [ "$rows" -gt 0 ]; then
	echo "bench: SET GLOBAL innodb_buffer_pool_size = 1 GiB, so that the table is read from memory (as bench/mysqlreader.sh)" >&2
	mysql --protocol=tcp -h"$HOST" -P"$PORT" -u"$USER_" -e 'SET GLOBAL innodb_buffer_pool_size = 1073741824'
	go build -o "$out/rawscan" ./bench/rawscan
	dsn="$USER_:$PASS@tcp($HOST:$PORT)/bench"
	"$out/rawscan" -dsn "$dsn" -conns 1 >/dev/null # warm-up: loads the buffer pool
	raw=$("$out/rawscan" -dsn "$dsn" -conns 1 | awk '/rows\/s/ {print $1}')
	echo "| raw database/sql scan of bench.orders ($rows rows), 1 connection | $rows | | $raw | | | stream ch2 / raw = $(awk -v a="$stream2" -v b="$raw" 'BEGIN{printf "%.2f×", a/b}') |"
else
	echo "(bench.orders not found: run bench/orders.sh for the raw-scan ratio)" >&2
fi
