package storage

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// Local returns the local-disk filesystem.
func Local() FS { return localFS{} }

type localFS struct{}

func (localFS) String() string { return "file:///" }
func (localFS) Close() error   { return nil }

func (localFS) Create(name string) (io.WriteCloser, error) {
	return os.OpenFile(filepath.FromSlash(name), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
}

type localFile struct {
	*os.File
	size int64
}

func (f localFile) Size() int64 { return f.size }

func (localFS) Open(name string) (File, error) {
	f, err := os.Open(filepath.FromSlash(name))
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if fi.IsDir() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("is a directory")}
	}
	return localFile{f, fi.Size()}, nil
}

func (localFS) Stat(name string) (fs.FileInfo, error) { return os.Stat(filepath.FromSlash(name)) }

func (localFS) ReadDir(name string) ([]fs.FileInfo, error) {
	entries, err := os.ReadDir(filepath.FromSlash(name))
	if err != nil {
		return nil, err
	}
	out := make([]fs.FileInfo, 0, len(entries))
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			if os.IsNotExist(err) {
				continue // removed meanwhile
			}
			return nil, err
		}
		out = append(out, fi)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

func (localFS) MkdirAll(name string) error { return os.MkdirAll(filepath.FromSlash(name), 0o755) }

func (localFS) Rename(oldname, newname string) error {
	if _, err := os.Lstat(filepath.FromSlash(newname)); err == nil {
		return &fs.PathError{Op: "rename", Path: newname, Err: fs.ErrExist}
	}
	return os.Rename(filepath.FromSlash(oldname), filepath.FromSlash(newname))
}

func (localFS) RemoveAll(name string) error { return os.RemoveAll(filepath.FromSlash(name)) }
