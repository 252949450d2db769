// Package reader defines what a source plugin implements and the registry
// that finds one by name. Plugins live in sub-packages (reader/stream,
// reader/mysql, ...) and register themselves in init; reader/all imports them
// all.
package reader

import (
	"context"

	"datax/channel"
	"datax/plugin"
	"datax/record"
)

// Reader reads one content entry's source. The engine builds it from the job
// file's parameters (no I/O), calls Split once, then Read once per task —
// concurrently for different tasks, and again for a task whose attempt
// failed (a retry starts from the task's beginning; the engine has already
// discarded what the failed attempt produced).
//
// Optional interfaces: io.Closer (called once after the last Read) and
// plugin.Reporter (lines for the job summary).
type Reader interface {
	// Split connects to the source, learns the schema of the records it will
	// produce and cuts the work into tasks. channels is the job's channel
	// count (job.setting.speed.channel); a reader that splits by key makes
	// several tasks per channel (DataX's splitFactor) so that skew evens out,
	// one that reads files makes a task per file. Errors are configuration or
	// connection errors; the job stops.
	Split(ctx context.Context, channels int) (record.Schema, []Task, error)
	// Read runs one task: it fills batches from out (out.Batch, out.Full) and
	// sends them (out.Send) until the task's data ends, then returns nil. Rows
	// it cannot read go to out.Reject. It returns ctx's error when ctx ends.
	// Errors wrapping plugin.ErrPermanent are not retried.
	Read(ctx context.Context, task Task, out *channel.Sender) error
}

// Task is one unit of work of a reader: a key range, a file, a query. Its
// String describes it for logs and messages (never with a password).
type Task interface {
	String() string
}

// Registry finds readers by name.
type Registry = plugin.Registry[Reader]

// Default is the registry plugins register into.
var Default = plugin.NewRegistry[Reader]("reader")

// Register adds a reader to Default: name as used in job files, a one-line
// doc, an example job file, and the constructor that receives the decoded
// parameters (struct P, declared with spec tags). Call it from init.
func Register[P any](name, doc string, example []byte, newf func(p *P, env plugin.Env) (Reader, error)) {
	Default.Add(plugin.Declare(name, doc, example, newf))
}
