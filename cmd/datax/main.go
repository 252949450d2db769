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

// dataxPyStyle turns `datax job.json ...` (DataX's `datax.py job.json`) into
// `datax run job.json ...`: a first argument that names no subcommand but a
// .json file is a job to run.
func dataxPyStyle(root *cobra.Command, args []string) []string {
	if len(args) == 0 || !strings.HasSuffix(args[0], ".json") {
		return args
	}
	if cmd, _, err := root.Find(args[:1]); err == nil && cmd != root {
		return args
	}
	return append([]string{"run"}, args...)
}
