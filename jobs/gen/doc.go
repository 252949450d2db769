// Package gen is one-click generation (`datax gen`): from a MySQL or
// MariaDB database's metadata it decides, per table, how the table is kept
// in the warehouse (snapshot, incremental or full, by the server's activity
// counters or the table's shape, overridable in a config file), and writes
// the Hive DDL, the DataX job files (the initial full load and the daily
// ${bizdate} window, every row stamped with its extract time), the merge
// config of snapshot tables (with key-scan delete detection), the partition
// registration, a daily script with its crontab line, and a datax schedule
// file. It stores the metadata it saw and, on the next run, reports what
// changed at the source, emits the Hive ALTER TABLE statements and rewrites
// only the files whose content changes, never a file edited by hand.
//
// The pieces: ReadCatalog (information_schema and performance_schema, a
// few queries per database), decide (strategy.go), the renderers (render.go:
// jobs and merge config; ddl.go; script.go), diffTable and Alter (diff.go),
// the output directory with its checksums (output.go), the plan (plan.go),
// CheckSchema (the daily scripts' first step) and Smoke. README.md has the
// type mapping, the heuristics and the output layout.
package gen
