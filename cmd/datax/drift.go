package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"datax/drift"
	"datax/jobs"
	"datax/plugin"
	"datax/spec"
)

func newDriftCmd(g *globals) *cobra.Command {
	var (
		params                        []string
		day, window, mode, timestamps string
		restrict, allowMissing        bool
		memoryMB, channel             int
		spillDir                      string
	)
	var ref strings.Builder
	spec.Of(&drift.Config{}).WriteReference(&ref)
	cmd := &cobra.Command{
		Use:   "drift CONFIG.json",
		Short: "Correct midnight drift: rebuild day D's partition from the change log of D and D+1 (log_time windows of W, 15m by default)",
		Long: `Rebuild business date D's partition so that changes from around midnight land on the right day
(SPEC.md §6). For window W, in the configured time zone:

  1. changes whose modified_time is on D, logged before D+1 00:00 + W, and changes modified
     before D but logged in [D 00:00 + W, D+1 00:00 + W) (more than W after their own day, so
     no earlier day has them); per key the last (by log_time, then position);
  2. changes with log_time in [D+1 00:00, D+1 00:00 + W) whose modified_time is on D+1 and whose
     non-null proc_time columns all fall on D (changes that really crossed midnight); per key
     the first (by modified_time, then log_time, then position);
  3. the full outer join of 1 and 2 on the key, 2 winning where both have it.

Step 1 gives every change to exactly one day, so that running day after day neither loses nor
duplicates a change (SPEC §6's literal step 1 lost those logged more than W after their day);
step 2's put-backs are copies of D+1's changes, by design.

With restrictProcTime the result is also cut by proc_time, as the Alibaba book does (off by default:
it would drop the day's changes to older orders). Mode redundant instead keeps W extra at both ends,
the last change per key, and leaves the cut to downstream (for direct pulls without a change log).

The change log comes from any reader (hdfsreader over the change-log partitions of D and D+1, or
mysqlreader over a change table); D's partition is written as Parquet to <output.path>/dt=YYYYMMDD,
staged and published atomically with _VERIFY.json and _SUCCESS, replacing what was there. Every
change record is read and checked before the target is touched. The time zone is never the
machine's: drift.timeZone, --timezone, or the global config's timezone (when set there).
If the input holds no change at or after D+1 00:00 + W (D+1's log missing or incomplete), that is an
error unless drift.allowMissingNext.

Flags override the config's values. Variables: ${name} is filled from -p name=value, the config
file's vars, then the environment; ${bizdate} is yesterday in the global time zone.

Exit codes: 0 published; 1 the run failed (nothing published); 2 invalid config or flags;
130 interrupted.

The config (JSON):

` + ref.String(),
		Example: `  datax drift orders-drift.json -p bizdate=20261122
  datax drift orders-drift.json --day 20261122 --window 30m --timezone Asia/Shanghai

  {"drift": {"day": "${bizdate}", "timeZone": "Asia/Shanghai", "timestamps": "wallclock",
             "key": ["order_id"], "logTime": "log_time", "position": "log_pos",
             "modifiedTime": "modified_time", "procTime": ["order_time", "pay_time", "end_time"]},
   "reader": {"name": "hdfsreader", "parameter": {"fileType": "parquet", "column": ["*"],
              "path": ["/log/orders/dt=${bizdate}", "/log/orders/dt=${bizdate+1}"]}},
   "output": {"path": "/warehouse/ods/orders_drift"}}`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			log, err := g.logger(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			values, cli, err := g.cliVars(params)
			if err != nil {
				return err
			}
			loc, _ := g.cfg.Location()
			f := cmd.Flags()
			if _, given := cli["bizdate"]; f.Changed("day") && !given {
				values["bizdate"] = strings.ReplaceAll(day, "-", "") // ${bizdate} is the day, as in datax merge
			}
			vars := jobs.Vars{Values: values, Location: loc}

			set := map[string]any{}
			for flag, key := range map[string]string{"day": "day", "window": "window", "mode": "mode", "timestamps": "timestamps"} {
				if f.Changed(flag) {
					v, _ := f.GetString(flag)
					set[key] = v
				}
			}
			if f.Changed("restrict-proc-time") {
				set["restrictProcTime"] = restrict
			}
			if f.Changed("allow-missing-next") {
				set["allowMissingNext"] = allowMissing
			}
			o := drift.Overrides{Set: map[string]map[string]any{"drift": set, "setting": {}}}
			if f.Changed("timezone") {
				set["timeZone"] = g.cfg.TimeZone
			} else if g.v.InConfig("timezone") || os.Getenv("DATAX_TIMEZONE") != "" {
				o.Fill = map[string]map[string]any{"drift": {"timeZone": g.cfg.TimeZone}}
			}
			if f.Changed("memory-mb") {
				o.Set["setting"]["memoryMB"] = memoryMB
			}
			if f.Changed("channel") {
				o.Set["setting"]["channel"] = channel
			}
			if f.Changed("spill-dir") {
				o.Set["setting"]["spillDir"] = spillDir
			}
			cfg, err := drift.LoadConfig(args[0], vars, o)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			job, err := cfg.Job(drift.JobOptions{
				Env:         plugin.Env{Log: log, Location: loc},
				MemoryBytes: int64(g.cfg.MemoryMB) << 20,
			})
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			defer job.Close()
			limitMemory(job.MemoryBytes)
			start := time.Now()
			res, err := job.Run(ctx)
			out := cmd.OutOrStdout()
			if res != nil && err == nil {
				for _, l := range res.Lines() {
					fmt.Fprintln(out, l)
				}
				fmt.Fprintf(out, "drift: done in %s\n", time.Since(start).Round(time.Millisecond))
			}
			if err != nil {
				var pe *spec.Error
				switch {
				case ctx.Err() != nil:
					return &exitError{exitInterrupted, fmt.Errorf("interrupted; nothing was published: %w", err)}
				case errors.As(err, &pe):
					return &exitError{exitInvalid, err}
				}
				return &exitError{exitFailed, fmt.Errorf("%w (nothing was published)", err)}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&params, "param", "p", nil, `variable name=value (repeatable; DataX's "-Dname=value" also works)`)
	f.StringVar(&day, "day", "", "business date D, YYYYMMDD or YYYY-MM-DD (drift.day)")
	f.StringVar(&window, "window", "", "W, e.g. 15m or 30m (drift.window; default 15m)")
	f.StringVar(&mode, "mode", "", "correct or redundant (drift.mode)")
	f.StringVar(&timestamps, "timestamps", "", "wallclock or instant: how the time columns are read (drift.timestamps)")
	f.BoolVar(&restrict, "restrict-proc-time", false, "also cut the result by proc_time, as the book does (drift.restrictProcTime)")
	f.BoolVar(&allowMissing, "allow-missing-next", false, "accept a change log without D+1's first W (drift.allowMissingNext)")
	f.IntVar(&memoryMB, "memory-mb", 0, "memory budget of the sorts in MiB (setting.memoryMB; default: the global memorymb)")
	f.IntVar(&channel, "channel", 1, "reader tasks read at once (setting.channel)")
	f.StringVar(&spillDir, "spill-dir", "", "local directory for sort spill files (setting.spillDir)")
	return cmd
}
