#!/usr/bin/env bash
# Starts the peers that datax's integration tests talk to, and prints their addresses:
#   - MariaDB on 127.0.0.1:3306, root with an empty password, database `test`, binlog on (ROW)
#   - HDFS: a MiniDFSCluster (testing/hdfs, Hadoop 3.4) on 127.0.0.1:<free port>
#   - a Python venv with duckdb, pyarrow and pyspark (testing/requirements.txt)
# Idempotent: whatever already runs is reused; downloads are cached under $HOME.
#
# Usage:  eval "$(testing/setup.sh)"     # start / reuse everything, export DATAX_TEST_*
#         testing/setup.sh stop          # stop the MiniDFSCluster and MariaDB
# Progress goes to stderr; stdout carries only the final `export` lines.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${DATAX_TESTING_CACHE:-$HOME/.cache/datax-testing}
VENV=$CACHE/venv
HDFS_ADDR_FILE=$CACHE/hdfs.addr
HDFS_PID_FILE=$CACHE/hdfs.pid
HDFS_LOG=$CACHE/hdfs.log
MYSQL_CONF=/etc/mysql/mariadb.conf.d/90-datax-testing.cnf
JAVA17=/usr/lib/jvm/java-17-openjdk-amd64

exec 3>&1 1>&2 # everything goes to stderr; the exports are written to fd 3 at the end
mkdir -p "$CACHE"
T0=$SECONDS
log() { echo "setup: [$((SECONDS - T0))s] $*" >&2; }
die() { echo "setup: ERROR: $*" >&2; exit 1; }
port_open() { (exec 9<>"/dev/tcp/$1/$2") 2>/dev/null; }
# Daemons must not keep our stdout/stderr open, or `$(setup.sh)` and `| tee` would never end.
detach() { setsid "$@" </dev/null >/dev/null 2>&1 3>&- & }

# ---------------------------------------------------------------- MariaDB
mysql_tcp() { mysql --protocol=tcp -h127.0.0.1 -P3306 -uroot --connect-timeout=3 "$@"; }
mysql_admin() { # root over TCP with the empty password, else root via the unix socket
  if mysql_tcp -e 'select 1' >/dev/null 2>&1; then mysql_tcp "$@"; else mysql -uroot "$@"; fi
}

write_mysql_conf() {
  local want
  want=$(
    cat <<'CNF'
# datax tests (testing/setup.sh): binlog, for SHOW MASTER STATUS
[mysqld]
server_id = 1
log_bin = /var/log/mysql/mariadb-bin
binlog_format = ROW
# no syslog daemon here: keep server errors in a file
[mysqld_safe]
skip_syslog
log_error = /var/log/mysql/error.log
CNF
  )
  mkdir -p "$(dirname "$MYSQL_CONF")" /var/log/mysql
  chown mysql:adm /var/log/mysql 2>/dev/null || true
  [[ -f $MYSQL_CONF && $(<"$MYSQL_CONF") == "$want" ]] || printf '%s\n' "$want" >"$MYSQL_CONF"
}

start_mariadb() { # $1: start|restart
  local i
  if ! service mariadb "$1" >"$CACHE/mariadb-service.log" 2>&1 </dev/null 3>&-; then
    log "service mariadb $1 failed ($(tail -1 "$CACHE/mariadb-service.log")); starting mysqld_safe directly"
    if [[ $1 == restart ]]; then
      mysqladmin -uroot shutdown 2>/dev/null || true
      for ((i = 0; i < 30; i++)); do port_open 127.0.0.1 3306 || break; sleep 1; done
    fi
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
    detach mysqld_safe
  fi
  for ((i = 0; i < 60; i++)); do
    port_open 127.0.0.1 3306 && mysqladmin -uroot --connect-timeout=2 ping >/dev/null 2>&1 && return 0
    sleep 1
  done
  die "MariaDB did not come up on 127.0.0.1:3306 (see /var/log/mysql/error.log, $CACHE/mariadb-service.log)"
}

setup_mariadb() {
  if ! port_open 127.0.0.1 3306; then
    if ! command -v mariadbd >/dev/null; then
      log "installing mariadb-server (apt)"
      local updated=0
      if ! apt-cache policy mariadb-server 2>/dev/null | grep -q 'Candidate: [0-9]'; then
        apt-get update -q >"$CACHE/apt.log" 2>&1 </dev/null || die "apt-get update failed (see $CACHE/apt.log)"
        updated=1
      fi
      # The package's postinst cannot start the server here (policy-rc.d); we start it below.
      until DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q mariadb-server \
        >>"$CACHE/apt.log" 2>&1 </dev/null; do
        ((updated)) && die "apt-get install mariadb-server failed (see $CACHE/apt.log)"
        log "apt-get install failed; package lists may be stale: apt-get update and retry"
        apt-get update -q >>"$CACHE/apt.log" 2>&1 </dev/null || die "apt-get update failed (see $CACHE/apt.log)"
        updated=1
      done
    fi
    write_mysql_conf
    [[ -d /var/lib/mysql/mysql ]] || mariadb-install-db --user=mysql >"$CACHE/mariadb-install-db.log" 2>&1
    log "starting MariaDB"
    start_mariadb start
  else
    write_mysql_conf
  fi
  if [[ $(mysql_admin -N -B -e 'select @@log_bin') != 1 ]]; then
    log "MariaDB runs without binlog: restarting it once with $MYSQL_CONF"
    start_mariadb restart
    [[ $(mysql_admin -N -B -e 'select @@log_bin') == 1 ]] || die "binlog still off after restart"
  fi
  mysql_admin <<'SQL' || die "could not set up root@127.0.0.1 / database test"
ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket;
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY '';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'localhost' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS test;
SQL
  mysql -h127.0.0.1 -uroot -e 'select 1' >/dev/null || die "mysql -h127.0.0.1 -uroot -e 'select 1' fails"
  log "MariaDB ready on 127.0.0.1:3306 ($(mysql_tcp -N -B -e 'select version()'), binlog on)"
}

# ---------------------------------------------------------------- HDFS (MiniDFSCluster)
java_bin() { if [[ -x $JAVA17/bin/java ]]; then echo "$JAVA17/bin/java"; else command -v java; fi; }

hdfs_running() { # the recorded cluster is alive, announced its address and answers on it
  [[ -s $HDFS_ADDR_FILE && -s $HDFS_PID_FILE ]] || return 1
  kill -0 "$(<"$HDFS_PID_FILE")" 2>/dev/null || return 1
  local addr
  addr=$(<"$HDFS_ADDR_FILE")
  port_open "${addr%:*}" "${addr##*:}"
}

stop_hdfs() {
  [[ -s $HDFS_PID_FILE ]] || return 0
  local pid i
  pid=$(<"$HDFS_PID_FILE")
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping MiniDFSCluster (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 30; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$HDFS_PID_FILE" "$HDFS_ADDR_FILE"
}

setup_hdfs() {
  # The launcher is built once per content of testing/hdfs; the build runs in a copy under $CACHE.
  local key build
  key=$(cd "$HERE/hdfs" && find pom.xml src -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
  build=$CACHE/hdfs-build/$key
  if [[ ! -s $build/classpath.txt ]]; then
    log "building the MiniDFSCluster launcher (maven, first time only)"
    rm -rf "$build" && mkdir -p "$build" && cp -r "$HERE/hdfs/pom.xml" "$HERE/hdfs/src" "$build/"
    JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(java_bin)")")") \
      mvn -B -q -f "$build/pom.xml" package dependency:build-classpath \
      -Dmdep.outputFile="$build/classpath.tmp" >"$build/mvn.log" 2>&1 </dev/null ||
      { tail -30 "$build/mvn.log" >&2; die "maven build of testing/hdfs failed (see $build/mvn.log)"; }
    mv "$build/classpath.tmp" "$build/classpath.txt"
  fi
  if hdfs_running && [[ $(cat "$CACHE/hdfs.key" 2>/dev/null) == "$key" ]]; then
    log "MiniDFSCluster already running at $(<"$HDFS_ADDR_FILE") (pid $(<"$HDFS_PID_FILE"))"
    return
  fi
  stop_hdfs
  log "starting MiniDFSCluster (log: $HDFS_LOG)"
  rm -f "$HDFS_ADDR_FILE"
  echo "$key" >"$CACHE/hdfs.key"
  # --add-opens: harmless insurance for Hadoop 3.4 on Java 17+ (not needed in our runs so far).
  setsid "$(java_bin)" -Xmx512m -XX:+UseSerialGC \
    --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
    -cp "$build/target/minihdfs-1.jar:$(<"$build/classpath.txt")" datax.testing.MiniHdfs \
    "$HDFS_ADDR_FILE" "$CACHE/hdfs-data" 0 </dev/null >"$HDFS_LOG" 2>&1 3>&- &
  echo $! >"$HDFS_PID_FILE"
  local i
  for ((i = 0; i < 180; i++)); do
    hdfs_running && { log "MiniDFSCluster ready at $(<"$HDFS_ADDR_FILE")"; return; }
    kill -0 "$(<"$HDFS_PID_FILE")" 2>/dev/null || { tail -30 "$HDFS_LOG" >&2; die "MiniDFSCluster exited (see $HDFS_LOG)"; }
    sleep 1
  done
  tail -30 "$HDFS_LOG" >&2
  die "MiniDFSCluster did not announce its address in 180s (see $HDFS_LOG)"
}

# ---------------------------------------------------------------- Python venv
setup_python() {
  local stamp
  stamp=$(sha256sum "$HERE/requirements.txt" | cut -c1-16)
  if [[ -x $VENV/bin/python && $(cat "$VENV/.datax-stamp" 2>/dev/null) == "$stamp" ]]; then
    return 0
  fi
  rm -rf "$VENV"
  local py
  py=$(command -v python3.11 || command -v python3)
  "$py" -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt"
  "$VENV/bin/python" -c 'import duckdb, pyarrow, pyspark'
  echo "$stamp" >"$VENV/.datax-stamp"
}

# Scoped to the venv's python (a .pth runs at start-up): pyspark gets Java 17 (Hadoop 3.4's
# client fails on Java 23+: "getSubject is not supported") unless DATAX_TEST_JAVA_HOME says
# otherwise, and a loopback driver address unless SPARK_LOCAL_IP is set.
write_venv_pth() {
  local line sp
  line='import os; os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")'
  [[ -x $JAVA17/bin/java ]] &&
    line+="; os.environ[\"JAVA_HOME\"] = os.environ.get(\"DATAX_TEST_JAVA_HOME\") or \"$JAVA17\""
  for sp in "$VENV"/lib/python3*/site-packages; do
    [[ $(cat "$sp/datax_testing_env.pth" 2>/dev/null) == "$line" ]] || printf '%s\n' "$line" >"$sp/datax_testing_env.pth"
  done
}

# ---------------------------------------------------------------- main
if [[ ${1:-} == stop ]]; then
  stop_hdfs
  if port_open 127.0.0.1 3306; then
    log "stopping MariaDB"
    service mariadb stop </dev/null >/dev/null 2>&1 3>&- || mysqladmin -uroot shutdown
  fi
  exit 0
fi

# The venv (mostly a ~450 MB download on a fresh machine) installs while the servers start.
log "python venv: $VENV (log: $CACHE/venv.log)"
setup_python >"$CACHE/venv.log" 2>&1 </dev/null 3>&- &
py_job=$!

setup_mariadb
setup_hdfs

wait "$py_job" || { tail -30 "$CACHE/venv.log" >&2; die "python venv setup failed (see $CACHE/venv.log)"; }
write_venv_pth
log "python venv ready ($("$VENV/bin/python" -c 'import importlib.metadata as m; print(", ".join(p + " " + m.version(p) for p in ("duckdb", "pyarrow", "pyspark")))'))"

log "done"
cat >&3 <<EOF
export DATAX_TEST_MYSQL_DSN='root:@tcp(127.0.0.1:3306)/'
export DATAX_TEST_HDFS=$(<"$HDFS_ADDR_FILE")
export DATAX_TEST_PYTHON=$VENV/bin/python
EOF
