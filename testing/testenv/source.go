package testenv

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"datax/channel"
	"datax/engine"
	"datax/jobs"
	"datax/plugin"
	"datax/reader"
	"datax/record"
	"datax/spec"
)

// Source is a reader for writer tests: it produces the given rows (text
// parsed as each column's kind; "NULL" is a null) in every one of Tasks
// tasks, and counts the calls of Read, so a test can tell that a job failed
// before reading. Register it under the name "testreader" with Registry.
type Source struct {
	Schema record.Schema
	Rows   [][]string
	Tasks  int // default 1
	// FailFirst makes the first attempt of each task send its rows and then
	// fail, as a dropped connection would; the engine retries it.
	FailFirst bool
	Reads     atomic.Int64
	failed    sync.Map // task → true
}

type sourceTask int

func (t sourceTask) String() string { return fmt.Sprintf("test task %d", int(t)) }

// Split returns Tasks tasks.
func (s *Source) Split(ctx context.Context, want int) (record.Schema, []reader.Task, error) {
	n := max(s.Tasks, 1)
	tasks := make([]reader.Task, n)
	for i := range tasks {
		tasks[i] = sourceTask(i)
	}
	return s.Schema, tasks, nil
}

// Read sends the rows.
func (s *Source) Read(ctx context.Context, t reader.Task, out *channel.Sender) error {
	s.Reads.Add(1)
	b, err := out.Batch(ctx, s.Schema)
	if err != nil {
		return err
	}
	for _, row := range s.Rows {
		for j, v := range row {
			if v == "NULL" {
				b.Col(j).AppendNull()
				continue
			}
			if err := record.ParseText(b.Col(j), s.Schema[j], []byte(v)); err != nil {
				return plugin.Permanent(fmt.Errorf("test row %q: column %s: %w", row, s.Schema[j].Name, err))
			}
		}
		if out.Full(b) {
			if err := out.Send(ctx, b); err != nil {
				return err
			}
			if b, err = out.Batch(ctx, s.Schema); err != nil {
				return err
			}
		}
	}
	if err := out.Send(ctx, b); err != nil {
		return err
	}
	if _, done := s.failed.LoadOrStore(t, true); s.FailFirst && !done {
		return fmt.Errorf("test: connection lost after %d rows", len(s.Rows))
	}
	return nil
}

type noParams struct{}

// Registry returns a reader registry holding the standard readers and this
// source as "testreader".
func (s *Source) Registry() *reader.Registry {
	reg := plugin.NewRegistry[reader.Reader]("reader")
	for _, name := range reader.Default.Names() {
		e, _ := reader.Default.Lookup(name)
		reg.Add(e)
	}
	reg.Add(plugin.Declare("testreader", "rows given by the test", nil, func(*noParams, plugin.Env) (reader.Reader, error) { return s, nil }))
	return reg
}

// RunJob parses a job file given as text (${bizdate} and friends filled from
// vars) and runs it with the given reader registry (nil: the default). It
// returns the summary and the error of Build or Run.
func RunJob(t testing.TB, job string, readers *reader.Registry, vars map[string]string) (*engine.Summary, error) {
	t.Helper()
	f, err := jobs.Parse("test.json", []byte(job), jobs.Vars{Values: vars, NoEnv: true, Location: time.UTC})
	if err != nil {
		return nil, err
	}
	j, err := engine.Build("test.json", f, engine.Options{Readers: readers, Progress: -1, DirtyFile: t.TempDir() + "/dirty.jsonl"})
	if err != nil {
		return nil, err
	}
	return j.Run(context.Background())
}

// ReadAll builds the registered reader name from a parameter object given
// as JSON, runs all its tasks (engine.Drain, channels 2) and returns its
// schema and rows as text ("NULL" for nulls), sorted. Errors are Build's or
// the run's.
func ReadAll(t testing.TB, name, params string) (record.Schema, [][]string, error) {
	t.Helper()
	raw, err := spec.ParseJSON("params", []byte(params))
	if err != nil {
		t.Fatal(err)
	}
	r, err := engine.BuildReader(nil, name, raw, "parameter", plugin.Env{})
	if err != nil {
		return nil, nil, err
	}
	if c, ok := r.(io.Closer); ok {
		defer c.Close()
	}
	var rows [][]string
	schema, err := engine.Drain(context.Background(), r, 2, func(b *record.Batch) error {
		for i := 0; i < b.Len(); i++ {
			row := make([]string, b.Width())
			for j, c := range b.Schema() {
				if b.Col(j).IsNull(i) {
					row[j] = "NULL"
				} else {
					row[j] = string(record.AppendText(nil, b.Col(j), i, c))
				}
			}
			rows = append(rows, row)
		}
		return nil
	})
	slices.SortFunc(rows, func(a, b []string) int { return strings.Compare(strings.Join(a, "\x00"), strings.Join(b, "\x00")) })
	return schema, rows, err
}
