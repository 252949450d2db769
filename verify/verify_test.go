package verify_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"datax/storage"
	"datax/verify"
)

// partition writes files through Hashers and their manifest, as a writer does.
func partition(t *testing.T, files map[string]string) string {
	dir := filepath.ToSlash(t.TempDir())
	m := &verify.Manifest{}
	for name, content := range files {
		f, _ := os.Create(filepath.Join(dir, name))
		h := verify.NewHasher(f)
		h.Write([]byte(content))
		f.Close()
		m.Add(h.Entry(name, int64(strings.Count(content, "\n"))))
	}
	if err := verify.Write(storage.Local(), dir, m); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestCheck(t *testing.T) {
	ctx := context.Background()
	dir := partition(t, map[string]string{"a.txt": "1\n2\n", "b.txt": "3\n"})
	m, err := verify.Check(ctx, storage.Local(), dir)
	if err != nil || m.Rows != 3 || m.Bytes != 6 || len(m.Files) != 2 {
		t.Fatalf("Check = %+v, %v", m, err)
	}
	// Each kind of mismatch names its file.
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("1\n9\n"), 0o644) // same size, other content
	os.WriteFile(filepath.Join(dir, "c.txt"), []byte("x"), 0o644)      // added
	os.Remove(filepath.Join(dir, "b.txt"))                             // removed
	os.WriteFile(filepath.Join(dir, "_SUCCESS"), nil, 0o644)           // hidden: ignored
	_, err = verify.Check(ctx, storage.Local(), dir)
	var ve *verify.Error
	if !errors.As(err, &ve) || len(ve.Problems) != 3 {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"a.txt: content changed", "c.txt: not listed", "b.txt: listed in _VERIFY.json but missing"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q missing from %v", want, err)
		}
	}
	if err := verify.CheckFile(ctx, storage.Local(), m, dir+"/a.txt"); err == nil || !strings.Contains(err.Error(), "content changed since it was published") {
		t.Errorf("CheckFile: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("1\n"), 0o644)
	if err := verify.CheckFile(ctx, storage.Local(), m, dir+"/a.txt"); err == nil || !strings.Contains(err.Error(), "has 2 bytes, its _VERIFY.json says 4") {
		t.Errorf("CheckFile size: %v", err)
	}
}

func TestNoOrBadManifest(t *testing.T) {
	dir := t.TempDir()
	if _, err := verify.Check(context.Background(), storage.Local(), dir); !errors.Is(err, verify.ErrNoManifest) {
		t.Errorf("no manifest: %v", err)
	}
	os.WriteFile(filepath.Join(dir, verify.FileName), []byte("{not json"), 0o644)
	if _, err := verify.Check(context.Background(), storage.Local(), dir); err == nil || !strings.Contains(err.Error(), "malformed") {
		t.Errorf("bad manifest: %v", err)
	}
}

// A manifest without any data file (how an older datax published a day
// without rows) fails: such a partition has no schema; one file without
// rows is fine.
func TestNoDataFile(t *testing.T) {
	dir := partition(t, nil)
	_, err := verify.Check(context.Background(), storage.Local(), dir)
	var ve *verify.Error
	if !errors.As(err, &ve) || len(ve.Problems) != 1 || !strings.Contains(err.Error(), "lists no data file, so the partition has no schema") {
		t.Fatalf("err = %v", err)
	}
	dir = partition(t, map[string]string{"empty.txt": ""})
	if m, err := verify.Check(context.Background(), storage.Local(), dir); err != nil || len(m.Files) != 1 || m.Rows != 0 {
		t.Fatalf("one empty file: %+v, %v", m, err)
	}
}

// A subdirectory the manifest records (a shared directory that other tools
// fill) passes; one added later is named.
func TestSubdirectories(t *testing.T) {
	dir := partition(t, map[string]string{"a.txt": "1\n"})
	os.Mkdir(filepath.Join(dir, "known"), 0o755)
	m, _ := verify.Read(storage.Local(), dir)
	m.Dirs = []string{"known"}
	os.Remove(filepath.Join(dir, verify.FileName))
	verify.Write(storage.Local(), dir, m)
	if _, err := verify.Check(context.Background(), storage.Local(), dir); err != nil {
		t.Fatalf("a recorded subdirectory: %v", err)
	}
	os.Mkdir(filepath.Join(dir, "added"), 0o755)
	_, err := verify.Check(context.Background(), storage.Local(), dir)
	var ve *verify.Error
	if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].File != "added" {
		t.Fatalf("an added subdirectory: %v", err)
	}
}
