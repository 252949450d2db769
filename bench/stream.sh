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

if [ -x bench/rawscan.sh ] || [ -f bench/rawscan/main.go ]; then
	if raw=$(go run ./bench/rawscan -conns 1 2>/dev/null | awk '/rows\/s/ {print $1}'); [ -n "$raw" ]; then
		echo "| raw database/sql scan of bench.orders, 1 connection | | | $raw | | | stream ch2 is $(awk -v a="$stream2" -v b="$raw" 'BEGIN{printf "%.2f×", a/b}') of it |"
	fi
fi
