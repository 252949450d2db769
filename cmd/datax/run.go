package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"datax/engine"
	"datax/jobs"
	"datax/jobs/examples"
)

func newRunCmd(g *globals) *cobra.Command {
	var (
		params    []string
		dirtyFile string
		progress  time.Duration
	)
	cmd := &cobra.Command{
		Use:   "run [JOB.json]",
		Short: "Run a DataX-compatible job file (without one: the embedded quickstart job)",
		Long: `Run a job file: validate every plugin's parameters, split, run the tasks on
job.setting.speed.channel channels, and commit the output only when every task succeeded.

Variables: ${name} in the job file is filled from -p name=value (or DataX's -p "-Dname=value"),
then the config file's vars, then the environment. ${bizdate} defaults to yesterday in the
configured time zone; ${bizdate-1}, ${bizdate+1} and ${bizdate:yyyy-MM-dd} do date arithmetic.

Exit codes: 0 success; 1 the job failed (nothing of it published); 2 invalid command line, config
or job file (nothing ran); 130 interrupted (nothing published).`,
		Example: `  datax run                                   # the quickstart job, into ./warehouse
  datax run orders.json -p bizdate=20261122
  datax run orders.json -p "-Dbizdate=20261122 -Dtable=orders"`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			log, err := g.logger(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			loc, _ := g.cfg.Location()
			values, _, err := g.cliVars(params)
			if err != nil {
				return err
			}
			vars := jobs.Vars{Values: values, Location: loc}

			var file *jobs.File
			name := examples.QuickstartName + " (embedded quickstart)"
			if len(args) == 1 {
				name = args[0]
				file, err = jobs.Load(name, vars)
			} else {
				file, err = jobs.Parse(name, examples.Quickstart(), vars)
			}
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			out := cmd.OutOrStdout()
			job, err := engine.Build(name, file, engine.Options{
				Log: log, Location: loc, Out: out, Progress: progress,
				Terminal: isTerminal(out), DirtyFile: dirtyFile,
			})
			if err != nil {
				return &exitError{exitInvalid, fmt.Errorf("%s: invalid job:\n%w", name, err)}
			}
			log.Info("job starting", "job", name, "channels", file.Channels(), "entries", len(file.Job.Content))
			summary, err := job.Run(ctx)
			summary.Write(out)
			if err != nil {
				if ctx.Err() != nil {
					return &exitError{exitInterrupted, fmt.Errorf("interrupted; nothing was published: %w", err)}
				}
				return &exitError{exitFailed, err}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&params, "param", "p", nil, `variable name=value (repeatable; DataX's "-Dname=value -Dother=value" also works)`)
	f.StringVar(&dirtyFile, "dirty-file", "", "file for dirty records (default: job.setting.dirtyRecordFile, else datax-dirty-<time>.jsonl)")
	f.DurationVar(&progress, "progress", 5*time.Second, "interval between progress lines; negative turns them off")
	return cmd
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
