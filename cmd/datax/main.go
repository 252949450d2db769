// Command datax is the door to the toolkit: `datax run job.json` runs a
// DataX-compatible job file, `datax plugins` lists and describes the
// plugins, and further subcommands (one file each) work on what has landed.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// exitError carries a process exit code out of a subcommand.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// Exit codes.
const (
	exitFailed      = 1   // the job ran and failed
	exitInvalid     = 2   // bad command line, config or job file: nothing ran
	exitInterrupted = 130 // stopped by SIGINT/SIGTERM
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(execute(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// execute runs the command line and returns the exit code.
func execute(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot()
	root.SetArgs(dataxPyStyle(root, args))
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "datax: %v\n", err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitInvalid // cobra's own errors: unknown flag or command
}

// dataxPyStyle accepts DataX's own command line, `datax.py [options] job`:
// when no subcommand is named and an argument is a job file (an existing
// file, or one ending in .json), the line becomes `datax run job ...`.
// datax.py's -p/--params carry the variables; --loglevel is --log-level;
// --jvm, --jobid and -m/--mode mean nothing without a JVM and are dropped.
func dataxPyStyle(root *cobra.Command, args []string) []string {
	if len(args) == 0 {
		return args
	}
	for _, a := range args {
		if cmd, _, err := root.Find([]string{a}); err == nil && cmd != root {
			return args // a subcommand is named
		}
	}
	var job string
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(a, "=")
		takeValue := func() string {
			if hasValue {
				return value
			}
			if i+1 < len(args) {
				i++
				return args[i]
			}
			return ""
		}
		switch {
		case name == "-p" || name == "--params":
			rest = append(rest, "-p", takeValue())
		case strings.HasPrefix(a, "-p") && len(a) > 2 && !strings.HasPrefix(a, "--"):
			rest = append(rest, "-p", a[2:])
		case name == "--loglevel":
			rest = append(rest, "--log-level", takeValue())
		case name == "-j" || name == "--jvm" || name == "--jobid" || name == "-m" || name == "--mode":
			takeValue() // JVM and DataX-server settings: nothing to do here
		case !hasValue && root.PersistentFlags().Lookup(strings.TrimLeft(name, "-")) != nil && strings.HasPrefix(name, "--"):
			rest = append(rest, a, takeValue()) // --config FILE and the other global flags
		case strings.HasPrefix(a, "-"):
			rest = append(rest, a)
		case job == "":
			job = a
		default:
			rest = append(rest, a)
		}
	}
	if job == "" {
		return args
	}
	if _, err := os.Stat(job); err != nil && !strings.HasSuffix(job, ".json") {
		return args
	}
	return append([]string{"run", job}, rest...)
}
