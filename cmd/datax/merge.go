package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"datax/engine"
	"datax/extsort"
	"datax/jobs"
	"datax/merge"
	"datax/plugin"
	"datax/record"
	"datax/spec"
	"datax/storage"
)

func newMergeCmd(g *globals) *cobra.Command {
	var (
		params                            []string
		day, prev, emit                   string
		initial, force, accept, noKeyScan bool
	)
	cmd := &cobra.Command{
		Use:   "merge CONFIG.json",
		Short: "Merge the day's delta into the previous snapshot: the day's full snapshot partition",
		Long: `Merge the day's delta into the previous day's snapshot partition by a streaming full outer
join on the key, and publish the result as the day's partition (insert overwrite, atomic, with
_VERIFY.json and _SUCCESS); then remove partitions older than table.keepDays.

The delta is a change log (op column, log time and position: per key the last change, deletes by
delta.deleteMode) or a modified_time window extraction (every row an upsert, the latest per key,
an optional soft-delete column). With keyScan, keys gone from the source are deleted too (flagged
or removed) and flagged keys back at the source are unflagged, unless the scan would delete more
than (1 - keyScan.minShare) of the snapshot's live rows: then nothing is published (when the
deletes are real, --accept-deletes lets one run through). Memory stays bounded (memoryMB): sorts
spill to disk, and a snapshot written by merge is streamed without sorting. Re-running a day gives
the same result.

The previous day's partition must exist: a missing one is merged first (re-run its daily script).
--previous names an older one, and the days between are skipped (their changes are lost unless
their deltas are merged too). --initial makes the delta the first snapshot; with earlier
partitions it needs --force, since a day's delta lacks every row not changed that day. The key
scan reads the source as it is now, so a day with later partitions is merged with --no-keyscan.

--emit-sql hive|spark prints the same merge as one INSERT OVERWRITE ... FULL OUTER JOIN statement
(table names from the config's sql section) instead of running it.

Exit codes: 0 published; 1 failed (nothing published); 2 invalid command line or config.

The config file (JSON; ${bizdate} and -p variables as in job files):

` + reference(&merge.Config{}),
		Example: `  # a window extraction (modified_time) with soft deletes and key-scan delete detection
  {"key": ["id"],
   "table": {"path": "/warehouse/ods/ods_shop_orders"},
   "delta": {"reader": {"name": "hdfsreader", "parameter": {"path": "/landing/orders/dt=${bizdate}", "fileType": "parquet", "column": ["*"]}},
             "time": "modified_time", "softDelete": {"column": "is_deleted"}},
   "keyScan": {"reader": {"name": "mysqlreader", "parameter": {"username": "etl", "password": "${file:/etc/datax/pw}",
               "column": ["id"], "splitPk": "id", "connection": [{"jdbcUrl": ["jdbc:mysql://db:3306/shop"], "table": ["orders"]}]}}}}

  # a change log (Canal/Debezium rows landed as files)
  {"key": ["id"],
   "table": {"path": "/warehouse/ods/ods_shop_orders"},
   "delta": {"reader": {...}, "time": "log_time", "position": "log_pos", "op": {"column": "op"},
             "deleteMode": "keep", "drop": ["log_time", "log_pos"]}}

  datax merge orders-merge.json --day 20261122
  datax merge orders-merge.json --day 20261101 --initial
  datax merge orders-merge.json --day 20261122 --emit-sql spark
  datax merge orders-merge.json --day 20261122 --accept-deletes   # the source really lost most rows
  datax merge orders-merge.json --day 20261118 --no-keyscan       # re-run a day that has later partitions`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			out := cmd.OutOrStdout()
			log, err := g.logger(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if emit != "" && emit != merge.Hive && emit != merge.Spark {
				return &exitError{exitInvalid, fmt.Errorf("--emit-sql %q: expected hive or spark", emit)}
			}
			cfg := &merge.Config{}
			day, err := loadDayConfig(g, args[0], params, day, cfg)
			if err != nil {
				return err
			}
			if prev != "" {
				if _, err := merge.ParseDay(prev); err != nil {
					return &exitError{exitInvalid, fmt.Errorf("--previous: %w", err)}
				}
			}
			if err := checkMergeFlags(cfg, initial, force, accept, noKeyScan, prev); err != nil {
				return &exitError{exitInvalid, err}
			}
			env, tbl, deltaSrc, closeAll, err := openInputs(g, log, args[0], "table", &cfg.Table, &cfg.Delta, cfg.Channel)
			if err != nil {
				return err
			}
			defer closeAll()
			job := &merge.Job{
				Table: tbl, Day: day, Previous: prev, Initial: initial, Force: force,
				Rules:       cfg.Rules(),
				Delta:       cfg.Delta.Rules(cfg.Key, cfg.FlagColumn),
				DeltaSource: deltaSrc,
				MemoryBytes: memoryBytes(cfg.MemoryMB, g),
				SpillDir:    cfg.SpillDir,
				Writer:      merge.WriterOptions{Compression: cfg.Table.Compression, FileRows: cfg.Table.FileRows},
				KeepDays:    cfg.Table.KeepDays,
				Log:         log,
			}
			if accept {
				job.Rules.MinScanShare = 0 // the guard is off for this run
			}
			if cfg.KeyScan != nil && !noKeyScan {
				r := cfg.KeyScan.Reader
				scan, closeScan, err := source(&r, "", "keyScan", tbl, env)
				if err != nil {
					return &exitError{exitInvalid, fmt.Errorf("%s: %w", args[0], err)}
				}
				defer closeScan()
				job.ScanSource = scan
			}
			if emit != "" {
				return emitSQL(ctx, out, emit, args[0], cfg, job, noKeyScan)
			}
			limitMemory(job.MemoryBytes)
			start := time.Now()
			log.Info("merge starting", "config", args[0], "day", day, "table", tbl.Path)
			res, err := job.Run(ctx)
			if res != nil {
				for _, l := range res.Lines() {
					fmt.Fprintln(out, l)
				}
			}
			if err != nil {
				if ctx.Err() != nil {
					return &exitError{exitInterrupted, fmt.Errorf("interrupted; nothing was published: %w", err)}
				}
				if errors.Is(err, merge.ErrScanGuard) {
					err = fmt.Errorf("%w. If the source really lost these rows, merge this day again with --accept-deletes: for that run the guard lets every delete through", err)
				}
				return &exitError{exitFailed, fmt.Errorf("merge %s for %s failed; nothing was published: %w", tbl.Path, day, err)}
			}
			if accept {
				st := res.Stats
				fmt.Fprintf(out, "merge: key scan guard off for this run (--accept-deletes): %d of the %d live snapshot keys deleted (%.2f%%)\n", st.ScanDeleted, st.LiveSnapshot, 100*st.ScanShare())
			}
			fmt.Fprintf(out, "merge: done in %s\n", time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&params, "param", "p", nil, "variable name=value for the config file (repeatable)")
	f.StringVar(&day, "day", "", "the day to write, YYYYMMDD (default ${bizdate}: yesterday in the configured time zone)")
	f.StringVar(&prev, "previous", "", "the snapshot to merge into, YYYYMMDD (default: the day before --day)")
	f.BoolVar(&initial, "initial", false, "no previous snapshot: the delta becomes the first snapshot (refused when the table has earlier partitions, unless --force)")
	f.BoolVar(&force, "force", false, "with --initial: replace the history on purpose (the delta must be a full extraction)")
	f.BoolVar(&accept, "accept-deletes", false, "this run only: no key-scan guard; every live key the scan lacks is deleted (for a real mass delete, even of every row)")
	f.BoolVar(&noKeyScan, "no-keyscan", false, "this run only: no key scan (no delete detection); for re-running a day that has later partitions")
	f.StringVar(&emit, "emit-sql", "", "print the merge as hive or spark SQL instead of running it")
	return cmd
}

// checkMergeFlags checks the flags that only make sense together or with a
// key scan in the config.
func checkMergeFlags(cfg *merge.Config, initial, force, accept, noKeyScan bool, prev string) error {
	switch {
	case force && !initial:
		return fmt.Errorf("--force only goes with --initial (it lets --initial replace a table's history)")
	case initial && prev != "":
		return fmt.Errorf("--initial and --previous exclude each other: a first snapshot merges into nothing")
	case (accept || noKeyScan) && cfg.KeyScan == nil:
		flag := "--accept-deletes"
		if noKeyScan {
			flag = "--no-keyscan"
		}
		return fmt.Errorf("%s: the config has no keyScan", flag)
	case accept && noKeyScan:
		return fmt.Errorf("--accept-deletes and --no-keyscan exclude each other: one lets the key scan delete without the guard, the other turns the key scan off")
	}
	return nil
}

// reference renders a config struct's parameter table.
func reference(v any) string {
	var b strings.Builder
	spec.Of(v).WriteReference(&b)
	return b.String()
}

// loadDayConfig fills the variables (config vars, -p, and bizdate = --day
// when given), decodes the config file into dst and returns the day.
func loadDayConfig(g *globals, name string, params []string, day string, dst any) (string, error) {
	loc, _ := g.cfg.Location()
	values, cli, err := g.cliVars(params)
	if err != nil {
		return "", err
	}
	vars := jobs.Vars{Values: values, Location: loc}
	if day == "" {
		if day, err = vars.Expand("${bizdate}"); err != nil {
			return "", &exitError{exitInvalid, err}
		}
	}
	if _, err := merge.ParseDay(day); err != nil {
		return "", &exitError{exitInvalid, fmt.Errorf("--day: %w", err)}
	}
	if _, set := cli["bizdate"]; !set {
		values["bizdate"] = day // ${bizdate} is the day, unless -p says otherwise
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return "", &exitError{exitInvalid, fmt.Errorf("config file: %w", err)}
	}
	if err := jobs.Decode(name, data, vars, dst); err != nil {
		return "", &exitError{exitInvalid, fmt.Errorf("invalid config:\n%w", err)}
	}
	return day, nil
}

// openInputs opens the table's filesystem and builds the delta's source
// (no I/O yet); closeAll releases both.
func openInputs(g *globals, log *slog.Logger, name, section string, tc *merge.TableConfig, dc *merge.DeltaConfig, channel int) (plugin.Env, merge.Table, merge.Source, func(), error) {
	env := plugin.Env{Log: log, Channels: channels(channel, g)}
	env.Location, _ = g.cfg.Location()
	tbl, err := tc.Open()
	if err != nil {
		return env, tbl, nil, nil, &exitError{exitInvalid, fmt.Errorf("%s: %s: %w", name, section, err)}
	}
	src, closeSrc, err := source(dc.Reader, dc.Path, "delta", tbl, env)
	if err != nil {
		tbl.FS.Close()
		return env, tbl, nil, nil, &exitError{exitInvalid, fmt.Errorf("%s: %w", name, err)}
	}
	return env, tbl, src, func() { closeSrc(); tbl.FS.Close() }, nil
}

// source builds the reader of a config section (no I/O yet) as a
// merge.Source, or reads a partition directory of the table's filesystem.
func source(p *jobs.Plugin, path, section string, tbl merge.Table, env plugin.Env) (merge.Source, func(), error) {
	if p == nil {
		dir, err := storage.Clean(tbl.FS, path)
		if err != nil {
			return nil, nil, fmt.Errorf("%s.path: %w", section, err)
		}
		return merge.PartitionSource(tbl.FS, dir), func() {}, nil
	}
	r, err := engine.BuildReader(nil, p.Name, p.Parameter, section+".reader.parameter", env)
	if err != nil {
		return nil, nil, fmt.Errorf("%s.reader: %w", section, err)
	}
	closer := func() {
		if c, ok := r.(io.Closer); ok {
			c.Close()
		}
	}
	return func(ctx context.Context, fn func(*record.Batch) error) (record.Schema, error) {
		return engine.Drain(ctx, r, env.Channels, fn)
	}, closer, nil
}

func channels(n int, g *globals) int {
	if n > 0 {
		return n
	}
	return max(g.cfg.Channels, 1)
}

func memoryBytes(mb int, g *globals) int64 {
	if mb <= 0 {
		mb = g.cfg.MemoryMB
	}
	if mb <= 0 {
		mb = 256
	}
	return int64(mb) << 20
}

// limitMemory sets Go's soft memory limit from the sort budget (unless
// GOMEMLIMIT is set), so that the heap stays near what the budget allows
// instead of growing with the garbage collector's default pacing.
func limitMemory(budget int64) {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(budget + budget/2 + 192<<20)
	}
}

// emitSQL prints the merge as SQL: schemas from the delta's source and the
// previous partition, nothing written.
func emitSQL(ctx context.Context, out io.Writer, dialect, name string, cfg *merge.Config, job *merge.Job, noKeyScan bool) error {
	if cfg.SQL == nil {
		return &exitError{exitInvalid, fmt.Errorf("%s: --emit-sql needs the sql section (target and delta table names)", name)}
	}
	day, _ := merge.ParseDay(job.Day)
	previous := job.Previous
	if previous == "" {
		previous = day.AddDate(0, 0, -1).Format("20060102")
	}
	// The delta's schema: read until the first batch (or the end).
	var deltaSchema record.Schema
	stop := fmt.Errorf("schema known")
	s, err := job.DeltaSource(ctx, func(b *record.Batch) error { deltaSchema = b.Schema(); return stop })
	if deltaSchema == nil {
		if err != nil {
			return &exitError{exitFailed, fmt.Errorf("delta: %w", err)}
		}
		deltaSchema = s
	}
	dr := job.Delta
	d, err := merge.NewDelta(deltaSchema, dr, extsort.Options{})
	if err != nil {
		return &exitError{exitInvalid, fmt.Errorf("delta: %w", err)}
	}
	d.Close()
	var snap record.Schema
	if !job.Initial {
		p, err := merge.OpenPartition(job.Table.FS, job.Table.Dir(previous))
		if err != nil {
			return &exitError{exitFailed, fmt.Errorf("the previous snapshot: %w", err)}
		}
		snap = p.Schema
	}
	rules := job.Rules
	rules.Day = day.Unix() / 86400
	plan, err := merge.NewPlan(d.Rows(), d.Schema(), snap, rules)
	if err != nil {
		return &exitError{exitInvalid, err}
	}
	tables := merge.SQLTables{
		Target: cfg.SQL.Target, Partition: cfg.Table.Partition, Previous: previous, Day: job.Day,
		Delta: cfg.SQL.Delta, DeltaWhere: cfg.SQL.DeltaWhere, KeyScan: cfg.SQL.KeyScan,
	}
	if noKeyScan {
		tables.KeyScan = ""
	}
	sql, err := merge.EmitSQL(dialect, plan, deltaSchema, dr, tables)
	if err != nil {
		return &exitError{exitInvalid, err}
	}
	fmt.Fprint(out, sql)
	return nil
}
