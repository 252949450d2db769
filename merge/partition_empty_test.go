package merge

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"datax/storage"
)

// A partition without a data file (left by a datax older than the empty
// file it now writes) says what to do instead of failing on missing columns.
func TestOpenPartitionWithoutFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dt=20261103")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "_SUCCESS"), nil, 0o644)
	fsys, err := storage.Open(storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = OpenPartition(fsys, dir)
	if err == nil || !strings.Contains(err.Error(), "has no data file, so its columns are unknown: run the job that writes it again") {
		t.Errorf("got %v", err)
	}
}
