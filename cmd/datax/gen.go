package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"datax/engine"
	"datax/jobs"
	"datax/jobs/gen"
)

func newGenCmd(g *globals) *cobra.Command {
	var (
		file, out, dataxBin            string
		plan, force, replan, smoke     bool
		smokeRows                      int
		jdbcURL, user, passwordRef     string
		dbs, tables, include, exclude  []string
		warehouse, defaultFS, smokeDir string
	)
	cmd := &cobra.Command{
		Use:   "gen --jdbc-url URL --db DB --out DIR",
		Short: "Generate Hive DDL, job files, merge configs, daily scripts and schedules from a MySQL database's metadata",
		Long: `Read a MySQL/MariaDB database's metadata (information_schema: tables, columns, types, keys,
row and size estimates; performance_schema's counters where the server keeps them) and write,
per table, everything needed to land it in the warehouse: the Hive DDL, the job files (initial
full load; daily window on ${bizdate}), the merge config of snapshot tables, the partition
registration, a daily script and its crontab line, and a datax schedule file. The plan (--plan)
shows every choice and why before anything is written.

Each table gets a strategy: snapshot (rows are updated: the day's changes are merged into
yesterday's snapshot), incremental (append-only: a partition per day) or full (copied whole);
overrides in the config file (-f) replace any choice. The metadata is stored in DIR/metadata.json;
the next run reports what changed at the source, writes the Hive ALTER statements, and rewrites
only the files whose content changes. A file edited by hand is never overwritten silently: its
diff is shown and gen stops (exit 1); --force replaces it.

Exit codes: 0 done; 1 generation failed or hand-edited files (nothing written), or --smoke failed;
2 invalid command line or config, unknown database, or a selection matching no table.

The config file (JSON; flags override it):

` + reference(&gen.Config{}),
		Example: `  datax gen --jdbc-url jdbc:mysql://db:3306/shop --db shop --out ./ods --warehouse /warehouse --plan
  datax gen -f gen.json --out ./ods --include 'shop.order*' --exclude '*_bak'
  datax gen -f gen.json --out ./ods --smoke
  datax gen check --dir ./ods --table shop.orders     # what the daily scripts run first`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			stdout := cmd.OutOrStdout()
			cfg, err := gen.LoadConfig(file)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			set := func(dst *string, v string) {
				if v != "" {
					*dst = v
				}
			}
			set(&cfg.JdbcURL, jdbcURL)
			set(&cfg.Username, user)
			set(&cfg.PasswordRef, passwordRef)
			set(&cfg.Warehouse, warehouse)
			set(&cfg.DefaultFS, defaultFS)
			if cfg.Warehouse == "" && g.cfg.Warehouse != "" {
				cfg.Warehouse, _ = filepath.Abs(g.cfg.Warehouse)
			}
			if cfg.DefaultFS == "" {
				cfg.DefaultFS = g.cfg.DefaultFS
			}
			if cfg.TimeZone == "" {
				cfg.TimeZone = g.cfg.TimeZone
			}
			for dst, v := range map[*[]string][]string{(*[]string)(&cfg.Databases): dbs, (*[]string)(&cfg.Tables): tables,
				(*[]string)(&cfg.Include): include, (*[]string)(&cfg.Exclude): exclude} {
				if len(v) > 0 {
					*dst = v
				}
			}
			if err := cfg.Validate(); err != nil {
				return &exitError{exitInvalid, err}
			}
			if err := cfg.Check(); err != nil {
				return &exitError{exitInvalid, err}
			}
			if out == "" {
				return &exitError{exitInvalid, errors.New("--out DIR is required: where the generated files go")}
			}
			dir, err := filepath.Abs(out)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			password, err := expandSecret(g, cfg.PasswordRef)
			if err != nil {
				return &exitError{exitInvalid, fmt.Errorf("passwordRef: %w", err)}
			}
			if dataxBin == "" {
				if cfg.DataxBin != "" {
					dataxBin = cfg.DataxBin
				} else if dataxBin, err = os.Executable(); err != nil {
					return &exitError{exitInvalid, fmt.Errorf("--datax-bin: %w", err)}
				}
			}
			res, err := gen.Generate(ctx, cfg, gen.Options{Dir: dir, Password: password, DataxBin: dataxBin,
				Force: force, Replan: replan}, plan)
			if res != nil {
				res.WritePlan(stdout, gen.RedactedSource(cfg.JdbcURL))
			}
			switch {
			case errors.Is(err, gen.ErrEdited):
				return &exitError{exitFailed, fmt.Errorf("%w: nothing was written (the diffs are above); keep your edits in the config's overrides, or replace the files with --force", err)}
			case err != nil && gen.IsSelectionError(err):
				return &exitError{exitInvalid, err}
			case err != nil:
				return &exitError{exitFailed, err}
			}
			if !smoke {
				return nil
			}
			if smokeDir == "" {
				if smokeDir, err = os.MkdirTemp("", "datax-smoke-"); err != nil {
					return &exitError{exitFailed, err}
				}
				defer os.RemoveAll(smokeDir)
			}
			loc, _ := cfg.Location()
			fmt.Fprintf(stdout, "\nsmoke test: each job on a slice of at most %d rows into %s\n", smokeRows, smokeDir)
			results, err := gen.Smoke(ctx, cfg, res, gen.SmokeOptions{Dir: smokeDir, Rows: smokeRows, Password: password,
				Run: func(ctx context.Context, name string, job []byte, vars map[string]string) error {
					return runJobBytes(ctx, g, name, job, vars, loc)
				}})
			gen.WriteSmoke(stdout, results)
			if err != nil {
				return &exitError{exitFailed, err}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&file, "file", "f", "", "generation config file (JSON; see below)")
	f.StringVar(&out, "out", "", "output directory (created; regenerated in place)")
	f.StringVar(&jdbcURL, "jdbc-url", "", "source: jdbc:mysql://host:port/db or a go-sql-driver DSN")
	f.StringVar(&user, "user", "", "source user (default root, or the config's username)")
	f.StringVar(&passwordRef, "password-ref", "", "password placeholder written into the jobs and expanded by gen: ${VAR} or ${file:/path} (default ${DATAX_MYSQL_PASSWORD})")
	f.StringArrayVar(&dbs, "db", nil, "database to generate for (repeatable; default: the jdbcUrl's)")
	f.StringSliceVar(&tables, "tables", nil, "explicit tables db.table or table (comma-separated or repeated)")
	f.StringArrayVar(&include, "include", nil, "keep tables matching this glob on db.table or table (repeatable)")
	f.StringArrayVar(&exclude, "exclude", nil, "leave out tables matching this glob (repeatable)")
	f.StringVar(&warehouse, "warehouse", "", "warehouse root (absolute; default: the global config's warehouse)")
	f.StringVar(&defaultFS, "default-fs", "", "hdfs://namenode:port, or empty for local disk (default: the global config's)")
	f.StringVar(&dataxBin, "datax-bin", "", "datax binary the daily scripts call (default: this one)")
	f.BoolVar(&plan, "plan", false, "print the plan and the files that would change; write nothing")
	f.BoolVar(&force, "force", false, "replace files edited by hand (their diff is shown)")
	f.BoolVar(&replan, "replan", false, "re-decide strategies and channel counts of unchanged tables (kept by default)")
	f.BoolVar(&smoke, "smoke", false, "after writing, run every generated job on a small slice into a scratch directory and check the landed schema against the DDL")
	f.IntVar(&smokeRows, "smoke-rows", 100, "rows per table in the smoke test's slice")
	f.StringVar(&smokeDir, "smoke-dir", "", "scratch directory of the smoke test (default: a temporary one, removed)")
	cmd.AddCommand(newGenCheckCmd(g))
	return cmd
}

func newGenCheckCmd(g *globals) *cobra.Command {
	var dir, table string
	cmd := &cobra.Command{
		Use:   "check --dir DIR --table DB.TABLE",
		Short: "Check a table's source schema against the metadata gen stored (the daily scripts' first step)",
		Long: `Compare the source table's columns, types, nullability, keys and comments with DIR/metadata.json.
Exit codes: 0 unchanged; 1 changed (the changes are listed: run datax gen again) or the source
cannot be reached; 2 invalid command line.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" || table == "" {
				return &exitError{exitInvalid, errors.New("--dir and --table are required")}
			}
			ref, err := gen.PasswordRef(dir)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			password, err := expandSecret(g, ref)
			if err != nil {
				return &exitError{exitInvalid, fmt.Errorf("passwordRef of %s: %w", dir, err)}
			}
			if err := gen.CheckSchema(cmd.Context(), dir, table, password); err != nil {
				return &exitError{exitFailed, err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: the source schema matches the generated metadata\n", table)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "gen's output directory")
	cmd.Flags().StringVar(&table, "table", "", "db.table")
	return cmd
}

// expandSecret expands a ${VAR} or ${file:...} placeholder with the job
// variables (config vars, environment).
func expandSecret(g *globals, ref string) (string, error) {
	loc, _ := g.cfg.Location()
	return jobs.Vars{Values: g.vars(nil), Location: loc}.Expand(ref)
}

// runJobBytes runs a job file held in memory, in-process; its summary is
// discarded unless it fails.
func runJobBytes(ctx context.Context, g *globals, name string, data []byte, vars map[string]string, loc *time.Location) error {
	f, err := jobs.Parse(name, data, jobs.Vars{Values: g.vars(vars), Location: loc})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	j, err := engine.Build(name, f, engine.Options{Location: loc, Progress: -1, Out: &buf, DirtyFile: os.DevNull})
	if err != nil {
		return err
	}
	if _, err := j.Run(ctx); err != nil {
		return fmt.Errorf("%w\n%s", err, buf.String())
	}
	return nil
}
