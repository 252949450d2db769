// Package testenv finds the test peers that integration tests talk to
// (MariaDB, the HDFS MiniDFSCluster, the Python venv with DuckDB and Spark)
// and skips a test that lacks one with a message saying how to start it; under
// CI=true a missing peer fails the test instead. Start the peers with
// `eval "$(testing/setup.sh)"`.
package testenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Missing skips t (or fails it under CI=true) because peer is not available.
func Missing(t testing.TB, peer, why string) {
	t.Helper()
	msg := peer + " is not available (" + why + "); start the test peers with: eval \"$(testing/setup.sh)\""
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// cacheFile returns the content of a file under $HOME/.cache/datax-testing,
// trimmed, or "".
func cacheFile(name string) string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	data, err := os.ReadFile(filepath.Join(home, ".cache", "datax-testing", name))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}
