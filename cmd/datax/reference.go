package main

import (
	"fmt"
	"io"
	"strings"

	"datax/jobs"
	"datax/reader"
	"datax/spec"
	"datax/writer"
)

// Generated documentation: the README's job-file reference and each plugin
// README's parameter table come from the declarations, and a test fails when
// a checked-in copy differs (go test ./cmd/datax -run TestGeneratedDocs -update
// rewrites them).

// jobReference writes the job file's settings table and the plugin list.
func jobReference(w io.Writer) error {
	fmt.Fprintf(w, "A job file is DataX's JSON: `{\"job\": {\"setting\": {...}, \"content\": [{\"reader\": {...}, \"writer\": {...}}]}}`.\n\n")
	if err := spec.Of(&jobs.File{}).WriteReference(w); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nPlugins (`datax plugins describe NAME` prints each one's parameters and an example job):\n\n")
	fmt.Fprintf(w, "| Plugin | Kind | What it does |\n|---|---|---|\n")
	for _, n := range reader.Default.Names() {
		e, _ := reader.Default.Lookup(n)
		fmt.Fprintf(w, "| `%s` | reader | %s |\n", n, e.Doc)
	}
	for _, n := range writer.Default.Names() {
		e, _ := writer.Default.Lookup(n)
		fmt.Fprintf(w, "| `%s` | writer | %s |\n", n, e.Doc)
	}
	return nil
}

// pluginParameters returns the parameter table of a registered plugin.
func pluginParameters(name string) (string, bool) {
	var s *spec.Spec
	if e, err := reader.Default.Lookup(name); err == nil {
		s = e.Spec
	} else if e, err := writer.Default.Lookup(name); err == nil {
		s = e.Spec
	} else {
		return "", false
	}
	var b strings.Builder
	s.WriteReference(&b)
	return b.String(), true
}

// allPluginNames lists every registered reader and writer.
func allPluginNames() []string {
	return append(reader.Default.Names(), writer.Default.Names()...)
}
