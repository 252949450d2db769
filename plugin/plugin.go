// Package plugin holds what reader and writer plugins share with the
// framework: the registry that finds a plugin by name, the declaration that
// ties a plugin's name to its parameter struct, and the small environment a
// plugin receives when it is built.
package plugin

import (
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"datax/spec"
)

// ErrPermanent marks a task error that a retry cannot fix (a syntax error
// in SQL, a type with no mapping, a target that refuses the data). Wrap it
// with fmt.Errorf("...: %w", plugin.ErrPermanent) or Permanent; the engine
// then fails the task at once instead of retrying it.
var ErrPermanent = errors.New("permanent error")

// Permanent wraps err so that errors.Is(err, ErrPermanent) holds.
func Permanent(err error) error {
	if err == nil || errors.Is(err, ErrPermanent) {
		return err
	}
	return permanentError{err}
}

type permanentError struct{ error }

func (e permanentError) Unwrap() []error { return []error{e.error, ErrPermanent} }

// Reporter is implemented by plugins with lines to add to the job summary
// (a binlog position, files published). The engine calls it after the run.
type Reporter interface {
	Report() []string
}

// Env is what a plugin gets from the framework besides its parameters.
type Env struct {
	// Log is the job's logger; plugins log through it only.
	Log *slog.Logger
	// Location is the job's time zone (config, never the machine's by accident).
	Location *time.Location
	// Channels is the job's concurrency (job.setting.speed.channel).
	Channels int
}

// Entry is one registered plugin of kind T (a reader or a writer).
type Entry[T any] struct {
	Name string
	Doc  string
	Spec *spec.Spec
	// Example is a complete job file that uses the plugin.
	Example []byte
	build   func(raw any, path string, env Env) (T, error)
}

// Build decodes and validates the plugin's parameters (raw, the decoded
// "parameter" object at JSON path path) and constructs the plugin. It does
// no I/O: connecting is for later calls.
func (e *Entry[T]) Build(raw any, path string, env Env) (T, error) { return e.build(raw, path, env) }

// Declare ties a plugin name to its parameter struct P and its constructor.
func Declare[P any, T any](name, doc string, example []byte, newf func(p *P, env Env) (T, error)) *Entry[T] {
	s := spec.Of(new(P))
	return &Entry[T]{
		Name: name, Doc: doc, Spec: s, Example: example,
		build: func(raw any, path string, env Env) (T, error) {
			p := new(P)
			if raw == nil {
				raw = map[string]any{}
			}
			if err := s.Decode(raw, path, p); err != nil {
				var zero T
				return zero, err
			}
			t, err := newf(p, env)
			if err != nil {
				var zero T
				return zero, spec.At(path, err)
			}
			return t, nil
		},
	}
}

// Registry finds plugins of one kind by name.
type Registry[T any] struct {
	kind string
	mu   sync.RWMutex
	m    map[string]*Entry[T]
}

// NewRegistry returns an empty registry; kind ("reader", "writer") appears
// in messages.
func NewRegistry[T any](kind string) *Registry[T] {
	return &Registry[T]{kind: kind, m: map[string]*Entry[T]{}}
}

// Add registers e. An empty or duplicate name is a programming error and
// panics, as database/sql.Register does.
func (r *Registry[T]) Add(e *Entry[T]) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.Name == "" {
		panic("plugin: " + r.kind + " registered without a name")
	}
	if _, dup := r.m[e.Name]; dup {
		panic("plugin: " + r.kind + " " + e.Name + " registered twice")
	}
	r.m[e.Name] = e
}

// Lookup returns the plugin called name, or an error that lists the known
// names and suggests the nearest.
func (r *Registry[T]) Lookup(name string) (*Entry[T], error) {
	r.mu.RLock()
	e, ok := r.m[name]
	r.mu.RUnlock()
	if ok {
		return e, nil
	}
	names := r.Names()
	hint := ""
	if near := spec.Nearest(name, names); near != "" {
		hint = fmt.Sprintf("; did you mean %q?", near)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("unknown %s plugin %q: none is registered (forgotten import of %s/all?)", r.kind, name, r.kind)
	}
	return nil, fmt.Errorf("unknown %s plugin %q%s (known: %s)", r.kind, name, hint, strings.Join(names, ", "))
}

// Names returns the registered names, sorted.
func (r *Registry[T]) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.m))
	for n := range r.m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// With returns a copy of env whose logger names the plugin.
func (env Env) With(pluginName string) Env {
	if env.Log != nil {
		env.Log = env.Log.With("plugin", pluginName)
	}
	return env
}
