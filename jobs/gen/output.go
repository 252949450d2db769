package gen

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// checksumsFile records the SHA-256 of every file gen wrote, as it wrote
// it: a file on disk with another checksum was edited by hand and is never
// replaced silently.
const checksumsFile = ".datax-gen.sums"

// FileStatus says what writing a file does.
type FileStatus string

// The statuses of a generated file.
const (
	Created   FileStatus = "created"
	Updated   FileStatus = "updated"
	Unchanged FileStatus = "unchanged"
	// Edited: the file on disk differs from what gen wrote last time (a
	// hand edit, or a file gen did not write) and from what it would
	// write now. Without --force it is left alone and gen fails.
	Edited FileStatus = "edited"
	// Replaced: an edited file overwritten with --force.
	Replaced FileStatus = "replaced"
)

// File is one generated file.
type File struct {
	Path    string // relative to the output directory, with /
	Content []byte
	Mode    fs.FileMode
	Status  FileStatus
	// Diff shows an edited file's changes: what is on disk (-) against
	// what gen would write (+).
	Diff string
	// Table is the db.table the file belongs to ("" for shared files).
	Table string
}

// output is the output directory and the checksums of what gen wrote.
type output struct {
	dir  string
	sums map[string]string
}

func openOutput(dir string) (*output, error) {
	o := &output{dir: dir, sums: map[string]string{}}
	data, err := os.ReadFile(filepath.Join(dir, checksumsFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return o, nil
	case err != nil:
		return nil, err
	}
	if err := json.Unmarshal(data, &o.sums); err != nil {
		return nil, fmt.Errorf("%s: not a checksum file (%v); remove it to start over", filepath.Join(dir, checksumsFile), err)
	}
	return o, nil
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// classify sets each file's status against the disk, without writing.
func (o *output) classify(files []*File, force bool) error {
	for _, f := range files {
		disk, err := os.ReadFile(filepath.Join(o.dir, filepath.FromSlash(f.Path)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			f.Status = Created
			continue
		case err != nil:
			return err
		}
		switch {
		case string(disk) == string(f.Content):
			f.Status = Unchanged
		case o.sums[f.Path] == sum(disk):
			f.Status = Updated
		case force:
			f.Status, f.Diff = Replaced, lineDiff(f.Path, disk, f.Content)
		default:
			f.Status, f.Diff = Edited, lineDiff(f.Path, disk, f.Content)
		}
	}
	return nil
}

// write writes the files that are new or changed (each through a temporary
// file and a rename, so a crash leaves the old or the new file, never half
// of one; a few at once, as creating files is what costs) and then the
// checksums.
func (o *output) write(files []*File) error {
	var todo []*File
	for _, f := range files {
		switch f.Status {
		case Unchanged:
			o.sums[f.Path] = sum(f.Content)
		case Created, Updated, Replaced:
			todo = append(todo, f)
		}
	}
	errs := make([]error, len(todo))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < min(8, len(todo)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f := todo[i]
				errs[i] = writeAtomic(filepath.Join(o.dir, filepath.FromSlash(f.Path)), f.Content, f.Mode)
			}
		}()
	}
	for i := range todo {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, f := range todo {
		if errs[i] != nil {
			return errs[i]
		}
		o.sums[f.Path] = sum(f.Content)
	}
	data, err := json.MarshalIndent(o.sums, "", "  ") // keys sorted
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(o.dir, checksumsFile), append(data, '\n'), 0o644)
}

func writeAtomic(name string, data []byte, mode fs.FileMode) error {
	if mode == 0 {
		mode = 0o644
	}
	// The temporary name is the target's plus the process id: one gen at a
	// time writes a directory, and a leftover of a crashed run is replaced.
	tmp := filepath.Join(filepath.Dir(name), "."+filepath.Base(name)+".tmp"+strconv.Itoa(os.Getpid()))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if errors.Is(err, fs.ErrNotExist) {
		if err = os.MkdirAll(filepath.Dir(name), 0o755); err == nil {
			f, err = os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
		}
	}
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, name)
	}
	if werr != nil {
		os.Remove(tmp)
	}
	return werr
}

// lineDiff renders a unified-style diff of two texts (a on disk, b new),
// with two lines of context around each change.
func lineDiff(name string, a, b []byte) string {
	x := strings.SplitAfter(string(a), "\n")
	y := strings.SplitAfter(string(b), "\n")
	if len(x) > 0 && x[len(x)-1] == "" {
		x = x[:len(x)-1]
	}
	if len(y) > 0 && y[len(y)-1] == "" {
		y = y[:len(y)-1]
	}
	// Longest common subsequence, by dynamic programming: generated files
	// are a few hundred lines at most.
	n, m := len(x), len(y)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type line struct {
		op   byte
		text string
	}
	var ops []line
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && x[i] == y[j]:
			ops = append(ops, line{' ', x[i]})
			i++
			j++
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, line{'-', x[i]})
			i++
		default:
			ops = append(ops, line{'+', y[j]})
			j++
		}
	}
	const context = 2
	keep := make([]bool, len(ops))
	for k, op := range ops {
		if op.op != ' ' {
			for c := max(0, k-context); c <= min(len(ops)-1, k+context); c++ {
				keep[c] = true
			}
		}
	}
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s (on disk, edited)\n+++ %s (generated)\n", name, name)
	gap := false
	for k, op := range ops {
		if !keep[k] {
			gap = true
			continue
		}
		if gap {
			out.WriteString("@@\n")
			gap = false
		}
		out.WriteByte(op.op)
		out.WriteString(strings.TrimSuffix(op.text, "\n"))
		out.WriteByte('\n')
	}
	return out.String()
}

// sortFiles orders files by path.
func sortFiles(files []*File) {
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
}
