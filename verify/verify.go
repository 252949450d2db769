// Package verify is the verification file every published partition
// carries (_VERIFY.json: per data file its rows, bytes and SHA-256 of its
// content, and the totals), and the check of a partition against it, used by
// `datax verify PATH` and by readers told to refuse unverified data. It is the
// data-file-sync practice of the Alibaba book: a downstream job checks what
// it reads against what the writer says it wrote.
package verify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"datax/storage"
)

// FileName is the verification file's name in a partition directory. It
// starts with "_", so Hive, Spark and our readers do not take it for data.
const FileName = "_VERIFY.json"

// SuccessName is the marker written after a partition is published.
const SuccessName = "_SUCCESS"

// Manifest is the content of a verification file.
type Manifest struct {
	Version int    `json:"version"`
	Rows    int64  `json:"rows"`
	Bytes   int64  `json:"bytes"`
	Files   []File `json:"files"`
	// Dirs are the visible subdirectories the directory held when the
	// manifest was written (a shared directory that other tools fill may
	// have some): not data files of this directory, so Check passes them,
	// but one added later is named.
	Dirs []string `json:"dirs,omitempty"`
	// Written is when the manifest was last written (RFC 3339, UTC); RunID
	// the run that wrote it.
	Written string `json:"written"`
	RunID   string `json:"runId,omitempty"`
}

// File is one data file of a partition.
type File struct {
	Name   string `json:"name"`
	Rows   int64  `json:"rows"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
	// ModTime is the file's modification time (Unix nanoseconds) as the
	// filesystem reported it when the entry was made; 0 when unknown. A
	// writer that rewrites the manifest of a directory keeps the entry of a
	// file whose size and modification time are unchanged instead of
	// reading the file again. Check does not use it.
	ModTime int64 `json:"modTime,omitempty"`
}

// Add appends files and updates the totals; a file already listed is
// replaced.
func (m *Manifest) Add(files ...File) {
	for _, f := range files {
		replaced := false
		for i := range m.Files {
			if m.Files[i].Name == f.Name {
				m.Files[i], replaced = f, true
			}
		}
		if !replaced {
			m.Files = append(m.Files, f)
		}
	}
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Name < m.Files[j].Name })
	m.Rows, m.Bytes = 0, 0
	for _, f := range m.Files {
		m.Rows += f.Rows
		m.Bytes += f.Bytes
	}
}

// Lookup returns the entry for a file name.
func (m *Manifest) Lookup(name string) (File, bool) {
	for _, f := range m.Files {
		if f.Name == name {
			return f, true
		}
	}
	return File{}, false
}

// Marshal returns the manifest as indented JSON.
func (m *Manifest) Marshal() []byte {
	m.Version = 1
	if m.Written == "" {
		m.Written = time.Now().UTC().Format(time.RFC3339)
	}
	data, _ := json.MarshalIndent(m, "", "  ")
	return append(data, '\n')
}

// Write creates dir/_VERIFY.json (it must not exist yet).
func Write(fsys storage.FS, dir string, m *Manifest) error {
	return storage.WriteFile(fsys, path.Join(dir, FileName), m.Marshal())
}

// ErrNoManifest is returned by Read when a directory has no verification file.
var ErrNoManifest = errors.New("no " + FileName)

// Read reads dir/_VERIFY.json.
func Read(fsys storage.FS, dir string) (*Manifest, error) {
	data, err := storage.ReadFile(fsys, path.Join(dir, FileName))
	if err != nil {
		if storage.IsNotExist(err) {
			return nil, fmt.Errorf("%s: %w: the partition is not verified (not written by datax, or not completely published)", storage.URL(fsys, dir), ErrNoManifest)
		}
		return nil, err
	}
	m := &Manifest{}
	if err := json.Unmarshal(data, m); err != nil {
		return nil, fmt.Errorf("%s: malformed: %v", storage.URL(fsys, path.Join(dir, FileName)), err)
	}
	return m, nil
}

// Hasher counts and hashes the bytes written through it: wrap a data file's
// writer with it while writing, to fill the manifest entry without reading
// the file again.
type Hasher struct {
	w io.Writer
	h hash.Hash
	n int64
}

// NewHasher returns a Hasher writing to w.
func NewHasher(w io.Writer) *Hasher { return &Hasher{w: w, h: sha256.New()} }

// Write writes to the underlying writer and hashes what was written.
func (h *Hasher) Write(p []byte) (int, error) {
	n, err := h.w.Write(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	return n, err
}

// Size returns the number of bytes written so far.
func (h *Hasher) Size() int64 { return h.n }

// Entry returns the manifest entry for the bytes written so far.
func (h *Hasher) Entry(name string, rows int64) File {
	return File{Name: name, Rows: rows, Bytes: h.n, SHA256: hex.EncodeToString(h.h.Sum(nil))}
}

// Problem is one mismatch between a partition and its manifest.
type Problem struct {
	File string // file name in the partition ("" for the partition itself)
	Msg  string
}

func (p Problem) String() string {
	if p.File == "" {
		return p.Msg
	}
	return p.File + ": " + p.Msg
}

// Error is returned by Check when a partition does not match its manifest.
type Error struct {
	Dir      string
	Problems []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s does not match its %s:", e.Dir, FileName)
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Check compares the partition dir with its manifest: every visible file is
// listed, every listed file exists with the same size and SHA-256 of its
// content, the totals add up, and there is at least one data file (a
// partition without rows has one without rows, which carries the schema). It returns the manifest, and an *Error
// naming each file that differs.
func Check(ctx context.Context, fsys storage.FS, dir string) (*Manifest, error) {
	m, err := Read(fsys, dir)
	if err != nil {
		return nil, err
	}
	files, err := storage.Visible(fsys, dir)
	if err != nil {
		return m, err
	}
	var problems []Problem
	seen := map[string]bool{}
	for _, fi := range files {
		name := fi.Name()
		seen[name] = true
		entry, ok := m.Lookup(name)
		if !ok && fi.IsDir() && slices.Contains(m.Dirs, name) {
			continue
		}
		if !ok {
			problems = append(problems, Problem{name, "not listed in " + FileName + " (added after publishing?)"})
			continue
		}
		if fi.IsDir() {
			problems = append(problems, Problem{name, "is a directory; a data file is listed under that name"})
			continue
		}
		if fi.Size() != entry.Bytes {
			problems = append(problems, Problem{name, fmt.Sprintf("size %d bytes, %s says %d", fi.Size(), FileName, entry.Bytes)})
			continue
		}
		sum, err := fileSum(ctx, fsys, path.Join(dir, name))
		if err != nil {
			return m, err
		}
		if sum != entry.SHA256 {
			problems = append(problems, Problem{name, fmt.Sprintf("content changed: SHA-256 %s, %s says %s", sum, FileName, entry.SHA256)})
		}
	}
	var rows, bytes int64
	for _, f := range m.Files {
		rows += f.Rows
		bytes += f.Bytes
		if !seen[f.Name] {
			problems = append(problems, Problem{f.Name, "listed in " + FileName + " but missing"})
		}
	}
	if len(m.Files) == 0 {
		problems = append(problems, Problem{"", "lists no data file, so the partition has no schema: readers and the merge cannot learn its columns " +
			"(older datax versions published a day without rows so); run the job that writes it again"})
	}
	if rows != m.Rows || bytes != m.Bytes {
		problems = append(problems, Problem{"", fmt.Sprintf("totals %d rows / %d bytes differ from the files' sum %d / %d", m.Rows, m.Bytes, rows, bytes)})
	}
	if len(problems) > 0 {
		return m, &Error{Dir: storage.URL(fsys, dir), Problems: problems}
	}
	return m, nil
}

func fileSum(ctx context.Context, fsys storage.FS, name string) (string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		n, err := f.Read(buf)
		h.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fmt.Errorf("%s: %w", storage.URL(fsys, name), err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// CheckFile checks one data file against the manifest of its directory:
// listed, same size, same SHA-256 of its content. Readers told to refuse
// unverified data call it before reading the file.
func CheckFile(ctx context.Context, fsys storage.FS, m *Manifest, name string) error {
	where := storage.URL(fsys, name)
	entry, ok := m.Lookup(path.Base(name))
	if !ok {
		return fmt.Errorf("%s is not listed in its partition's %s; refusing unverified data", where, FileName)
	}
	fi, err := fsys.Stat(name)
	if err != nil {
		return err
	}
	if fi.Size() != entry.Bytes {
		return fmt.Errorf("%s has %d bytes, its %s says %d; refusing unverified data", where, fi.Size(), FileName, entry.Bytes)
	}
	sum, err := fileSum(ctx, fsys, name)
	if err != nil {
		return err
	}
	if sum != entry.SHA256 {
		return fmt.Errorf("%s: content changed since it was published (SHA-256 %s, its %s says %s); refusing unverified data", where, sum, FileName, entry.SHA256)
	}
	return nil
}
