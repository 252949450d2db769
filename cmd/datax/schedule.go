package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"datax/engine"
	"datax/jobs"
	"datax/schedule"
)

func newScheduleCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Run jobs on cron schedules (a daemon), check a schedule, list the run history",
		Long: `A schedule file (JSON) lists jobs with cron specs, in one time zone:

  {"timeZone": "Asia/Shanghai", "maxConcurrent": 2, "history": "history.jsonl",
   "jobs": [{"name": "orders", "cron": "30 1 * * *", "job": "orders.json", "priority": 10, "retries": 2},
            {"name": "users", "cron": "0 2 * * *", "command": ["./daily_users.sh", "${bizdate}"]}]}

A job never overlaps itself (a firing while it runs is recorded as skipped); at most
maxConcurrent jobs run, the highest priority first, then the longest waiting. ${bizdate} is the
day before the scheduled time. On SIGTERM or SIGINT the daemon stops firing, lets running jobs
finish for stopGrace, then stops them cleanly: nothing is half-published.`,
	}
	run := &cobra.Command{
		Use:   "run SCHEDULE.json",
		Short: "Run the scheduler until SIGTERM",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := schedule.Load(args[0])
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			log, err := g.logger(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			loc, _ := time.LoadLocation(cfg.TimeZone)
			runner := func(ctx context.Context, e schedule.Entry, vars map[string]string) (schedule.Result, error) {
				if len(e.Command) > 0 {
					return schedule.CommandRunner(out, 30*time.Second)(ctx, e, vars)
				}
				return runJobFile(ctx, e.Job, g.vars(vars), loc, log.With("job", e.Name), out)
			}
			d, err := schedule.New(cfg, runner, log)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			if err := d.Start(); err != nil {
				return &exitError{exitInvalid, err}
			}
			log.Info("scheduler running", "jobs", len(cfg.Jobs), "timezone", cfg.TimeZone, "history", cfg.History)
			<-cmd.Context().Done()
			log.Info("stopping: running jobs may finish", "grace", cfg.StopGrace.Duration, "running", strings.Join(d.Running(), ","))
			d.Stop(cfg.StopGrace.Duration)
			return nil
		},
	}
	check := &cobra.Command{
		Use:   "check SCHEDULE.json",
		Short: "Validate a schedule and its job files, and print each job's next runs",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := schedule.Load(args[0])
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			loc, _ := time.LoadLocation(cfg.TimeZone)
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "JOB\tPRIORITY\tNEXT RUNS")
			var errs []string
			for _, e := range cfg.Jobs {
				next, _ := schedule.NextRuns(e.Cron, loc, time.Now(), 3)
				var times []string
				for _, t := range next {
					times = append(times, t.Format("2006-01-02 15:04 MST"))
				}
				fmt.Fprintf(w, "%s\t%d\t%s\n", e.Name, e.Priority, strings.Join(times, ", "))
				if e.Job != "" {
					if err := checkJobFile(e.Job, g.vars(map[string]string{"bizdate": "20000101"}), loc); err != nil {
						errs = append(errs, fmt.Sprintf("job %s: %v", e.Name, err))
					}
				}
			}
			w.Flush()
			if len(errs) > 0 {
				return &exitError{exitInvalid, fmt.Errorf("%s", strings.Join(errs, "\n"))}
			}
			return nil
		},
	}
	var job string
	var limit int
	history := &cobra.Command{
		Use:   "history SCHEDULE.json",
		Short: "List past runs (status, rows, speed), flagging row counts that depart from a job's history",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := schedule.Load(args[0])
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			runs, err := schedule.OpenHistory(cfg.History).List(job, limit)
			if err != nil {
				return &exitError{exitFailed, err}
			}
			writeHistory(cmd.OutOrStdout(), runs)
			return nil
		},
	}
	history.Flags().StringVar(&job, "job", "", "only this job")
	history.Flags().IntVar(&limit, "limit", 20, "the last N runs (0: all)")
	cmd.AddCommand(run, check, history)
	return cmd
}

func writeHistory(out io.Writer, runs []schedule.Run) {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "JOB\tSCHEDULED\tSTART\tELAPSED\tSTATUS\tROWS\tREC/S\tNOTE")
	for _, r := range runs {
		note := r.Error
		if r.Anomaly != "" {
			note = "ANOMALY: " + r.Anomaly
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%d\t%.0f\t%s\n", r.Job, r.Scheduled.Format("2006-01-02 15:04"),
			r.Start.Format("2006-01-02 15:04:05"), r.End.Sub(r.Start).Round(time.Millisecond), r.Status, r.Rows, r.RecordsPerSec, note)
	}
	w.Flush()
}

func checkJobFile(path string, vars map[string]string, loc *time.Location) error {
	f, err := jobs.Load(path, jobs.Vars{Values: vars, Location: loc})
	if err != nil {
		return err
	}
	_, err = engine.Build(path, f, engine.Options{Location: loc})
	return err
}

// runJobFile runs a job file in-process, for the scheduler.
func runJobFile(ctx context.Context, path string, vars map[string]string, loc *time.Location, log *slog.Logger, out io.Writer) (schedule.Result, error) {
	f, err := jobs.Load(path, jobs.Vars{Values: vars, Location: loc})
	if err != nil {
		return schedule.Result{}, err
	}
	j, err := engine.Build(path, f, engine.Options{Location: loc, Log: log, Progress: -1})
	if err != nil {
		return schedule.Result{}, err
	}
	s, err := j.Run(ctx)
	s.Write(out)
	res := schedule.Result{Rows: s.Stats.Written(), Bytes: s.Stats.Bytes}
	for _, e := range s.Entries {
		res.Tables = append(res.Tables, schedule.TableResult{Name: fmt.Sprintf("content[%d] %s→%s", e.Index, e.Reader, e.Writer), Rows: e.Stats.Written()})
	}
	return res, err
}
