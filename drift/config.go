package drift

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"datax/engine"
	"datax/fileplugin"
	"datax/jobs"
	"datax/merge"
	"datax/plugin"
	"datax/reader"
	"datax/record"
	"datax/spec"
	"datax/storage"
)

// Config is the JSON config of `datax drift`: the rules, the change log to
// read (any reader, as in a job file's content entry) and the table whose
// partition D is written. Declared once; the same declaration decodes it,
// rejects unknown keys with a suggestion, and prints the reference in
// `datax drift --help`.
type Config struct {
	Drift      Rules        `json:"drift" required:"true" doc:"the correction: day, time zone, window, columns, mode"`
	Reader     jobs.Plugin  `json:"reader" required:"true" doc:"the change log: any reader as in a job file (name, parameter), e.g. hdfsreader over the change-log partitions of D and D+1, or mysqlreader over a change table"`
	NextReader *jobs.Plugin `json:"nextReader" doc:"D+1's change log when it is read by a reader of its own (e.g. hdfsreader over dt=${bizdate+1}); if it cannot be read, that is an error unless drift.allowMissingNext"`
	Output     Output       `json:"output" required:"true" doc:"the table D's partition is written to (Parquet, atomic publish, _VERIFY.json)"`
	Setting    Setting      `json:"setting" doc:"concurrency and memory"`

	name string // the file, for messages
}

// Output is where D's partition goes: <path>/<partition>=YYYYMMDD.
type Output struct {
	fileplugin.Conn
	Path      string `json:"path" required:"true" example:"/warehouse/ods/orders_drift" doc:"the table directory (local, or on defaultFS); D's partition is <path>/<partition>=YYYYMMDD, replaced as a whole (insert overwrite)"`
	Partition string `json:"partition" default:"dt" doc:"the partition column's name"`
	Compress  string `json:"compress" enum:"snappy,gzip,zstd,none" default:"snappy" doc:"Parquet compression"`
	FileRows  int64  `json:"fileRows" doc:"start a new file after this many rows (0: one file)"`
}

// Validate checks the filesystem keys.
func (o *Output) Validate() error {
	if err := o.Conn.Check(); err != nil {
		return err
	}
	if o.FileRows < 0 {
		return spec.Errorf("fileRows", "must be 0 or more, got %d", o.FileRows)
	}
	return nil
}

// Setting is the run's concurrency and memory.
type Setting struct {
	Channel  int    `json:"channel" default:"1" doc:"reader tasks (files, key ranges) read at once"`
	MemoryMB int    `json:"memoryMB" doc:"memory budget of the sorts in MiB; beyond it they spill to disk (default: the global config's memorymb, 256)"`
	SpillDir string `json:"spillDir" doc:"local directory for the sorts' spill files (default: the system's temporary directory)"`
}

// Validate checks the ranges.
func (s *Setting) Validate() error {
	if s.Channel < 1 {
		return spec.Errorf("channel", "must be at least 1, got %d", s.Channel)
	}
	if s.MemoryMB < 0 {
		return spec.Errorf("memoryMB", "must be 0 (the default) or more, got %d", s.MemoryMB)
	}
	return nil
}

// Overrides are values from outside the file, by section and key
// ({"drift": {"day": "20261122"}}).
type Overrides struct {
	// Set replaces the file's values (command-line flags).
	Set map[string]map[string]any
	// Fill is used where the file has no value (global settings).
	Fill map[string]map[string]any
}

// ParseConfig decodes a config like a job file (jobs.Decode: ${variables}
// filled from vars, errors naming the file and the JSON path), with the
// overrides applied before it is checked.
func ParseConfig(name string, data []byte, vars jobs.Vars, o Overrides) (*Config, error) {
	c := &Config{name: name}
	err := jobs.DecodeEdited(name, data, vars, c, func(tree any) error {
		root, ok := tree.(map[string]any)
		if !ok {
			return fmt.Errorf("expected an object {...} with drift, reader and output, got %s", spec.Describe(tree))
		}
		o.apply(root)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// apply lays the overrides over a config's JSON tree.
func (o Overrides) apply(root map[string]any) {
	for _, layer := range []struct {
		values  map[string]map[string]any
		replace bool
	}{{o.Set, true}, {o.Fill, false}} {
		for section, values := range layer.values {
			if len(values) == 0 {
				continue
			}
			obj, ok := root[section].(map[string]any)
			if !ok {
				obj = map[string]any{}
				root[section] = obj
			}
			for k, v := range values {
				if _, has := obj[k]; layer.replace || !has {
					obj[k] = v
				}
			}
		}
	}
}

// LoadConfig is ParseConfig of a file.
func LoadConfig(name string, vars jobs.Vars, o Overrides) (*Config, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("drift config: %w", err)
	}
	return ParseConfig(name, data, vars, o)
}

// JobOptions are what a Config needs from its caller to become a Job.
type JobOptions struct {
	// Readers finds the reader plugins (default reader.Default).
	Readers *reader.Registry
	// Env is given to the readers (log, time zone for their own values).
	Env plugin.Env
	// MemoryBytes is the sorts' budget when setting.memoryMB is 0 (default
	// 256 MiB).
	MemoryBytes int64
}

// Job builds the readers (checking their parameters; no I/O) and the
// output table (opening its filesystem).
func (c *Config) Job(opts JobOptions) (*Job, error) {
	env := opts.Env
	env.Channels = c.Setting.Channel
	source := func(p *jobs.Plugin, path string) (merge.Source, error) {
		r, err := engine.BuildReader(opts.Readers, p.Name, p.Parameter, path+".parameter", env)
		if err != nil {
			var pe *spec.Error
			if !errors.As(err, &pe) {
				err = fmt.Errorf("%s.name: %w", path, err)
			}
			return nil, err
		}
		return func(ctx context.Context, fn func(*record.Batch) error) (record.Schema, error) {
			defer func() {
				if cl, ok := r.(io.Closer); ok {
					cl.Close()
				}
			}()
			return engine.Drain(ctx, r, c.Setting.Channel, fn)
		}, nil
	}
	j := &Job{Rules: c.Drift, Log: env.Log, MemoryBytes: opts.MemoryBytes, SpillDir: c.Setting.SpillDir, ConfigName: c.name}
	if c.Setting.MemoryMB > 0 {
		j.MemoryBytes = int64(c.Setting.MemoryMB) << 20
	}
	var errs []error
	var err error
	if j.Source, err = source(&c.Reader, "reader"); err != nil {
		errs = append(errs, err)
	}
	if c.NextReader != nil {
		if j.Next, err = source(c.NextReader, "nextReader"); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, spec.InFile(c.name, errors.Join(errs...))
	}
	fsys, err := storage.Open(c.Output.Conn.Options())
	if err != nil {
		return nil, spec.InFile(c.name, spec.Errorf("output.defaultFS", "%v", err))
	}
	dir, err := storage.Clean(fsys, c.Output.Path)
	if err != nil {
		fsys.Close()
		return nil, spec.InFile(c.name, spec.Errorf("output.path", "%v", err))
	}
	j.Table = merge.Table{Options: c.Output.Conn.Options(), FS: fsys, Path: dir, Partition: c.Output.Partition}
	j.Writer = merge.WriterOptions{Compression: c.Output.Compress, FileRows: c.Output.FileRows}
	return j, nil
}
