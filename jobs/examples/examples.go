// Package examples holds the example job files shipped with datax, embedded
// so that `datax run` without a job file runs the quickstart, and so that
// tests can validate (and, where no server is needed, run) every one.
package examples

import "embed"

// FS holds every example job file.
//
//go:embed *.json
var FS embed.FS

// QuickstartName is the job `datax run` runs when given no job file.
const QuickstartName = "quickstart.json"

// Quickstart returns the quickstart job file.
func Quickstart() []byte {
	data, err := FS.ReadFile(QuickstartName)
	if err != nil {
		panic(err) // embedded: cannot happen
	}
	return data
}
