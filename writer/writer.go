// Package writer defines what a target plugin implements and the registry
// that finds one by name. Plugins live in sub-packages (writer/stream,
// writer/mysql, ...) and register themselves in init; writer/all imports them
// all.
package writer

import (
	"context"
	"errors"

	"datax/channel"
	"datax/plugin"
	"datax/record"
)

// Writer writes one content entry's target. The engine builds it from the
// job file's parameters (no I/O), calls Prepare once, Write once per task
// attempt (concurrently for different tasks), and at the end either Commit
// (every task of the job succeeded) or, if it implements Aborter, Abort.
//
// Optional interfaces: Aborter, io.Closer (called once at the very end) and
// plugin.Reporter.
type Writer interface {
	// Prepare checks the target and gets it ready for tasks whose records
	// have schema src (preSql, a nonConflict check, a staging area). It
	// returns the schema the records must have when they reach Write: the
	// engine converts them and turns rows that do not convert into dirty
	// records. A nil schema means "as they come".
	Prepare(ctx context.Context, src record.Schema, tasks int) (record.Schema, error)
	// Write takes one task's batches from in until in.Next returns io.EOF,
	// and stages them. Rows it cannot write go to in.Reject. If Write returns
	// an error (or in.Next returns the reader's error), what this attempt
	// staged must be discarded before returning, so the engine can retry the
	// task; if some of it is already visible and cannot be taken back, wrap
	// ErrCommitted.
	Write(ctx context.Context, task Task, in *channel.Receiver) error
	// Commit makes everything staged visible, atomically where the target
	// allows. It is called once, after every task of the job succeeded.
	Commit(ctx context.Context) error
}

// Aborter is implemented by writers with staged output to discard when the
// job fails or is cancelled. Without it nothing is cleaned up.
type Aborter interface {
	Abort(ctx context.Context) error
}

// Task identifies one task attempt on the writer's side.
type Task struct {
	// Index is the task's number in the content entry, 0-based; output file
	// names derive from it.
	Index int
	// Attempt counts retries of the task, from 0.
	Attempt int
	// Source describes the reader task feeding it.
	Source string
}

// ErrCommitted marks a Write error after which part of the task's output is
// already visible in the target (rows inserted and committed). The engine
// never retries such a task: a retry would duplicate rows.
var ErrCommitted = errors.New("part of the task's output is already committed")

// Registry finds writers by name.
type Registry = plugin.Registry[Writer]

// Default is the registry plugins register into.
var Default = plugin.NewRegistry[Writer]("writer")

// Register adds a writer to Default; see reader.Register.
func Register[P any](name, doc string, example []byte, newf func(p *P, env plugin.Env) (Writer, error)) {
	Default.Add(plugin.Declare(name, doc, example, newf))
}
