package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"datax/merge"
)

func newDeltaCmd(g *globals) *cobra.Command {
	var (
		params []string
		day    string
	)
	cmd := &cobra.Command{
		Use:   "delta CONFIG.json",
		Short: "Reduce the day's change records to the delta: one row per key, deletes by the delete mode",
		Long: `Read the day's change records from any reader and reduce them to one row per key: the last
change ordered by (delta.time, delta.position), deletes handled by delta.deleteMode (keep,
drop-last-delete, drop-delete-and-before). The result is published as the day's partition of the
output table (Parquet, sorted by key, the op column replaced by a boolean flagColumn that marks
deletes; atomic, with _VERIFY.json and _SUCCESS), for datax merge to read with delta.path.
datax merge can also read the change records directly: datax delta is for keeping the deltas.

A change log has an op column (delta.op), a log time and a log position. A modified_time window
extraction has none: delta.time is modified_time, every row is an upsert, and delta.softDelete
names a soft-delete column if there is one.

Exit codes: 0 published; 1 failed (nothing published); 2 invalid command line or config.

The config file (JSON; ${bizdate} and -p variables as in job files):

` + reference(&merge.DeltaJobConfig{}),
		Example: `  {"key": ["id"],
   "delta": {"reader": {"name": "hdfsreader", "parameter": {"path": "/landing/binlog/orders/dt=${bizdate}", "fileType": "parquet", "column": ["*"]}},
             "time": "log_time", "position": "log_pos", "op": {"column": "op"}, "deleteMode": "drop-last-delete",
             "drop": ["log_time", "log_pos"]},
   "output": {"path": "/warehouse/delta/orders"}}

  datax delta orders-delta.json --day 20261122`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			out := cmd.OutOrStdout()
			log, err := g.logger(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			cfg := &merge.DeltaJobConfig{}
			day, err := loadDayConfig(g, args[0], params, day, cfg)
			if err != nil {
				return err
			}
			_, tbl, src, closeAll, err := openInputs(g, log, args[0], "output", &cfg.Output, &cfg.Delta, cfg.Channel)
			if err != nil {
				return err
			}
			defer closeAll()
			job := &merge.DeltaJob{
				Table: tbl, Day: day, Delta: cfg.Delta.Rules(cfg.Key, ""), Source: src, FlagColumn: cfg.FlagColumn,
				MemoryBytes: memoryBytes(cfg.MemoryMB, g), SpillDir: cfg.SpillDir, Log: log, KeepDays: cfg.Output.KeepDays,
				Writer: merge.WriterOptions{Compression: cfg.Output.Compression, FileRows: cfg.Output.FileRows},
			}
			limitMemory(job.MemoryBytes)
			start := time.Now()
			res, err := job.Run(ctx)
			if res != nil && err == nil {
				for _, l := range res.Lines() {
					fmt.Fprintln(out, l)
				}
			}
			if err != nil {
				if ctx.Err() != nil {
					return &exitError{exitInterrupted, fmt.Errorf("interrupted; nothing was published: %w", err)}
				}
				return &exitError{exitFailed, fmt.Errorf("delta for %s failed; nothing was published: %w", day, err)}
			}
			fmt.Fprintf(out, "delta: done in %s\n", time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&params, "param", "p", nil, "variable name=value for the config file (repeatable)")
	f.StringVar(&day, "day", "", "the day to write, YYYYMMDD (default ${bizdate}: yesterday in the configured time zone)")
	return cmd
}
