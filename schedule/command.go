package schedule

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"datax/jobs"
)

// CommandRunner runs an entry's command as a child process with ${name}
// placeholders of its arguments filled from vars (and vars also exported as
// DATAX_VAR_<name>). When ctx ends the child gets SIGTERM (a `datax run`
// then aborts cleanly), and SIGKILL after grace. Rows are the sum of the
// "Records written" lines of the datax summaries it prints; its output goes
// to out.
func CommandRunner(out io.Writer, grace time.Duration) func(ctx context.Context, e Entry, vars map[string]string) (Result, error) {
	return func(ctx context.Context, e Entry, vars map[string]string) (Result, error) {
		v := jobs.Vars{Values: vars, NoEnv: true}
		args := make([]string, len(e.Command))
		for i, a := range e.Command {
			s, err := v.Expand(a)
			if err != nil {
				return Result{}, fmt.Errorf("command[%d]: %w", i, err)
			}
			args[i] = s
		}
		cmd := exec.CommandContext(ctx, args[0], args[1:]...)
		cmd.Env = os.Environ()
		for k, val := range vars {
			cmd.Env = append(cmd.Env, "DATAX_VAR_"+k+"="+val)
		}
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
		cmd.WaitDelay = grace
		var captured bytes.Buffer
		shared := &lockedWriter{w: out}
		cmd.Stdout = io.MultiWriter(shared, &captured)
		cmd.Stderr = shared
		err := cmd.Run()
		res := Result{Rows: writtenRows(captured.Bytes())}
		if err != nil {
			return res, fmt.Errorf("%s: %w", strings.Join(args, " "), err)
		}
		return res, nil
	}
}

// lockedWriter serializes the child's stdout and stderr copies into one writer.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

var writtenLine = regexp.MustCompile(`^Records written\s*:\s*([\d,]+)`)

func writtenRows(out []byte) int64 {
	var rows int64
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if m := writtenLine.FindSubmatch(sc.Bytes()); m != nil {
			n, _ := strconv.ParseInt(strings.ReplaceAll(string(m[1]), ",", ""), 10, 64)
			rows += n
		}
	}
	return rows
}
