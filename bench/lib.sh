# Shell helpers shared by the benchmark scripts (sourced, not run).

# measure NAME COMMAND...: runs COMMAND with its output in $DIR/NAME.log and
# appends "NAME wall_s max_rss_kb user_s sys_s" to $DIR/results; a failing
# command prints its log and stops the script.
measure() {
  local name=$1; shift
  /usr/bin/time -f "%e %M %U %S" -o "$DIR/time.out" "$@" >"$DIR/$name.log" 2>&1 || { cat "$DIR/$name.log" >&2; echo "${0##*/}: $name failed" >&2; exit 1; }
  echo "$name $(cat "$DIR/time.out")" >>"$DIR/results"
}
