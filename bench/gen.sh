#!/usr/bin/env bash
# One-click generation for 1,000 tables: creates dx_gen_bench in MariaDB (1,000 tables of five
# shapes: snapshot-like orders, logs, dimensions, keyless tables, wide tables with every type;
# a few rows each), then times `datax gen` (plan only, the first generation writing every file,
# and a second run with nothing changed), beside the time `cp -r` takes to create the same files
# (the disk's share), and prints a Markdown table. Target: < 10 s.
# Usage: bench/gen.sh [tables]   (default 1000; the database is kept for re-runs, rebuilt when the
#                                 table count differs)
# Needs MariaDB on 127.0.0.1:3306 as root (testing/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
db=dx_gen_bench
mysql_() { mysql --protocol=tcp -h127.0.0.1 -P3306 -uroot --default-character-set=utf8mb4 "$@"; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/datax" ./cmd/datax

have=$(mysql_ -N -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$db'")
if [ "$have" != "$n" ]; then
	t0=$(date +%s.%N)
	{
		echo "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db CHARACTER SET utf8mb4; USE $db;"
		for ((i = 0; i < n; i++)); do
			case $((i % 5)) in
			0) echo "CREATE TABLE orders_$i (id BIGINT AUTO_INCREMENT PRIMARY KEY, user_id INT NOT NULL, amount DECIMAL(12,2),
			     status TINYINT, note VARCHAR(200), created_time DATETIME, modified_time DATETIME ON UPDATE CURRENT_TIMESTAMP,
			     KEY ix_user (user_id)) COMMENT 'orders $i';
			   INSERT INTO orders_$i (user_id, amount, status, created_time, modified_time) VALUES (1, 1.5, 1, NOW(), NOW()), (2, 2.5, 2, NOW(), NOW());" ;;
			1) echo "CREATE TABLE access_log_$i (id BIGINT AUTO_INCREMENT PRIMARY KEY, path VARCHAR(255), status INT, created_at DATETIME(3));
			   INSERT INTO access_log_$i (path, status, created_at) VALUES ('/', 200, NOW());" ;;
			2) echo "CREATE TABLE dim_$i (code CHAR(3) PRIMARY KEY, name VARCHAR(64), update_time DATETIME);
			   INSERT INTO dim_$i VALUES ('A', 'a', NOW());" ;;
			3) echo "CREATE TABLE nokey_$i (a VARCHAR(40), b INT, c TEXT);" ;;
			4) echo "CREATE TABLE wide_$i (id INT PRIMARY KEY, c1 TINYINT UNSIGNED, c2 SMALLINT, c3 MEDIUMINT, c4 BIGINT UNSIGNED,
			     c5 DECIMAL(38,10), c6 FLOAT, c7 DOUBLE, c8 BIT(1), c9 BIT(12), c10 YEAR, c11 DATE, c12 DATETIME(6),
			     c13 TIMESTAMP(3) NULL, c14 TIME, c15 CHAR(8), c16 VARCHAR(64), c17 TEXT, c18 ENUM('x','y'), c19 SET('p','q'),
			     c20 JSON, c21 BINARY(4), c22 VARBINARY(16), c23 BLOB, gmt_modified DATETIME, UNIQUE KEY uk (c16));" ;;
			esac
		done
	} | mysql_
	t1=$(date +%s.%N)
	echo "created $n tables in $db in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s" >&2
fi

# timed LABEL ARGS... → prints "seconds files-written"
timed() {
	local label=$1
	shift
	local t0 t1
	t0=$(date +%s.%N)
	DATAX_MYSQL_PASSWORD= "$out/datax" gen --jdbc-url "jdbc:mysql://127.0.0.1:3306/$db" --warehouse /warehouse \
		--out "$out/gen" "$@" >"$out/$label.log" 2>&1
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f ", b-a}'
	sed -n 's/^Files ([a-z ]*written): \([0-9]*\) created, \([0-9]*\) updated, \([0-9]*\) unchanged.*/\1 \2 \3/p' "$out/$label.log"
}

echo "| Run | Tables | Elapsed (s) | Tables/s | Files created | updated | unchanged |"
echo "|---|---|---|---|---|---|---|"
for run in "plan:--plan" "first generation:" "second generation (no change):"; do
	label=${run%%:*}
	args=${run#*:}
	# shellcheck disable=SC2086
	read -r secs created updated unchanged < <(timed "${label// /_}" $args)
	tables=$(grep -c "^$db\." "$out/${label// /_}.log" || true)
	echo "| $label | $tables | $secs | $(awk -v t="$tables" -v s="$secs" 'BEGIN{printf "%.0f", t/s}') | $created | $updated | $unchanged |"
done
# Baseline: the raw cost of creating the same directories and files on this disk.
t0=$(date +%s.%N)
cp -r "$out/gen" "$out/copy"
t1=$(date +%s.%N)
files=$(find "$out/copy" -type f | wc -l)
echo "| baseline: cp -r of the generated tree | - | $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}') | - | $files files | | |"
grep -m1 "metadata read" "$out/first_generation.log" >&2 || true
