#!/usr/bin/env bash
# Creates and fills the benchmark table bench.orders (default 2,000,000 rows) in seconds, with
# MariaDB's SEQUENCE engine (seq_1_to_N), and sets innodb_buffer_pool_size to 1 GiB so that the
# table stays in memory for the read benchmarks (a GLOBAL setting of the server: say so in reports).
#
# Usage: bench/orders.sh [ROWS] [DATABASE.TABLE]
#   MYSQL_HOST (127.0.0.1), MYSQL_PORT (3306), MYSQL_USER (root), MYSQL_PWD (empty) select the server.
# The table has the 10 columns of the issue: bigint id, user_id, int shop_id, tinyint status,
# decimal(12,2) amount, varchar(64) title, nullable varchar(255) note, three datetimes
# (paid_at nullable). Values are deterministic functions of id, so reruns produce the same table.
set -euo pipefail
ROWS=${1:-2000000}
TARGET=${2:-bench.orders}
DB=${TARGET%%.*}
[[ $ROWS =~ ^[0-9]+$ && $ROWS -gt 0 ]] || { echo "orders.sh: ROWS must be a positive integer, got '$ROWS'" >&2; exit 2; }
[[ $TARGET =~ ^[A-Za-z0-9_]+\.[A-Za-z0-9_]+$ ]] || { echo "orders.sh: expected DATABASE.TABLE, got '$TARGET'" >&2; exit 2; }
mysql_() { mysql --protocol=tcp -h"${MYSQL_HOST:-127.0.0.1}" -P"${MYSQL_PORT:-3306}" -u"${MYSQL_USER:-root}" "$@"; }

echo "orders.sh: SET GLOBAL innodb_buffer_pool_size = 1 GiB (was $(mysql_ -N -B -e 'select @@innodb_buffer_pool_size'))" >&2
mysql_ -e 'SET GLOBAL innodb_buffer_pool_size = 1073741824'
start=$(date +%s.%N)
mysql_ <<SQL
SET SESSION sql_log_bin = 0;  -- 2M rows need not go to the binlog of a shared test server
CREATE DATABASE IF NOT EXISTS \`$DB\`;
USE \`$DB\`;
DROP TABLE IF EXISTS $TARGET;
CREATE TABLE $TARGET (
  id         BIGINT        NOT NULL,
  user_id    BIGINT        NOT NULL,
  shop_id    INT           NOT NULL,
  status     TINYINT       NOT NULL,
  amount     DECIMAL(12,2) NOT NULL,
  title      VARCHAR(64)   NOT NULL,
  note       VARCHAR(255)  NULL,
  created_at DATETIME      NOT NULL,
  updated_at DATETIME      NOT NULL,
  paid_at    DATETIME      NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO $TARGET
SELECT seq,
       1 + (seq * 7919) % 500000,
       1 + seq % 1000,
       seq % 5,
       (seq * 37 % 1000000) / 100,
       CONCAT('order ', seq, ' of shop ', 1 + seq % 1000),
       IF(seq % 3 = 0, NULL, CONCAT('deliver to door ', seq % 97, ', call before')),
       TIMESTAMP'2026-01-01 00:00:00' + INTERVAL seq SECOND,
       TIMESTAMP'2026-01-01 00:00:00' + INTERVAL seq + seq % 86400 SECOND,
       IF(seq % 4 = 0, NULL, TIMESTAMP'2026-01-01 00:00:00' + INTERVAL seq + 600 SECOND)
FROM seq_1_to_$ROWS;
ANALYZE TABLE $TARGET;
SQL
printf 'orders.sh: %s rows in %s in %.1fs\n' "$ROWS" "$TARGET" "$(echo "$(date +%s.%N) - $start" | bc)" >&2
