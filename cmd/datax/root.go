package main

import (
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"datax/config"
	"datax/jobs"
	_ "datax/reader/all"
	_ "datax/writer/all"
)

// globals are the flags and settings every subcommand shares.
type globals struct {
	configFile string
	logLevel   string
	v          *viper.Viper
	cfg        *config.Config
	logClose   func()
}

func newRoot() *cobra.Command {
	g := &globals{v: config.New()}
	root := &cobra.Command{
		Use:   "datax",
		Short: "Batch data-warehouse sync: DataX-compatible jobs, Parquet/HDFS warehouse, delta merge, drift correction",
		Long: `datax moves data from business databases into a Hive-style warehouse (Parquet or text
files in dt= partitions, on local disk or HDFS), with DataX-compatible JSON job files.

Global settings come from a config file (--config, ./datax.yaml or ~/.datax/datax.yaml),
overridden by DATAX_* environment variables (DATAX_TIMEZONE, DATAX_WAREHOUSE, ...).`,
		SilenceErrors:     true,
		SilenceUsage:      true,
		Version:           version(),
		PersistentPreRunE: g.load,
		PersistentPostRun: func(*cobra.Command, []string) {
			if g.logClose != nil {
				g.logClose()
			}
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.configFile, "config", "", "config file (default ./datax.yaml or ~/.datax/datax.yaml when present)")
	pf.StringVar(&g.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	pf.String("log-file", "", "also write the log to this file")
	pf.String("timezone", "", "time zone for ${bizdate} and time columns (default UTC, or the config's)")
	g.v.BindPFlag("logfile", pf.Lookup("log-file"))
	g.v.BindPFlag("timezone", pf.Lookup("timezone"))
	root.AddCommand(newRunCmd(g), newPluginsCmd(), newVersionCmd(), newScheduleCmd(g))
	root.AddCommand(newVerifyCmd())
	root.AddCommand(newDeltaCmd(g))
	root.AddCommand(newMergeCmd(g))
	root.AddCommand(newDriftCmd(g))
	root.AddCommand(newGenCmd(g))
	return root
}

// load reads the config and sets up logging before any subcommand runs.
func (g *globals) load(cmd *cobra.Command, _ []string) error {
	cfg, err := config.Load(g.v, g.configFile)
	if err != nil {
		return &exitError{exitInvalid, err}
	}
	g.cfg = cfg
	return nil
}

// logger returns the log: text lines on stderr (and the log file).
func (g *globals) logger(stderr io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(g.logLevel)); err != nil {
		return nil, &exitError{exitInvalid, fmt.Errorf("--log-level %q: expected debug, info, warn or error", g.logLevel)}
	}
	out := stderr
	if g.cfg != nil && g.cfg.LogFile != "" {
		f, err := os.OpenFile(g.cfg.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, &exitError{exitInvalid, fmt.Errorf("log file: %w", err)}
		}
		g.logClose = func() { f.Close() }
		out = io.MultiWriter(stderr, f)
	}
	return slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: level})), nil
}

func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v = strings.TrimSpace(v + " " + s.Value[:12])
		}
	}
	return v
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintf(cmd.OutOrStdout(), "datax %s\n", version())
		},
	}
}

// vars merges the config file's vars under extra.
// The config's connection aliases are ${connection.NAME}.
func (g *globals) vars(extra map[string]string) map[string]string {
	out := map[string]string{}
	for name, url := range g.cfg.Connections {
		out["connection."+name] = url
	}
	maps.Copy(out, g.cfg.Vars)
	maps.Copy(out, extra)
	return out
}

// cliVars parses the -p assignments and lays them over the config file's
// vars: the values a command's ${...} placeholders are filled from. cli
// holds the command line's own.
func (g *globals) cliVars(params []string) (values, cli map[string]string, err error) {
	cli, err = jobs.ParseAssignments(params)
	if err != nil {
		return nil, nil, &exitError{exitInvalid, err}
	}
	return g.vars(cli), cli, nil
}
