package testenv

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Python returns the venv's python (DATAX_TEST_PYTHON, else
// $HOME/.cache/datax-testing/venv/bin/python) after checking that it imports
// the given modules (e.g. "duckdb", "pyspark"); otherwise it skips t (fails
// under CI=true).
func Python(t testing.TB, modules ...string) string {
	t.Helper()
	py := os.Getenv("DATAX_TEST_PYTHON")
	if py == "" {
		if home, err := os.UserHomeDir(); err == nil {
			py = filepath.Join(home, ".cache", "datax-testing", "venv", "bin", "python")
		}
	}
	if _, err := os.Stat(py); err != nil {
		Missing(t, "the test Python venv", "DATAX_TEST_PYTHON is not set and "+py+" does not exist")
	}
	for _, m := range modules {
		if out, err := exec.Command(py, "-c", "import "+m).CombinedOutput(); err != nil {
			Missing(t, "Python module "+m, string(bytes.TrimSpace(out)))
		}
	}
	return py
}

// RunPython runs script with the venv's python and the given arguments and
// returns its standard output; a failure fails t with the script's stderr.
func RunPython(t testing.TB, py, script string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(py, append([]string{"-c", script}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python failed: %v\n%s", err, stderr.String())
	}
	return out
}
