package storage

import (
	"fmt"
	"path"
	"strings"
)

// Glob returns the visible regular files matched by pattern, sorted: "*" and
// "?" (and [...] classes) match within one path element, as in DataX's
// hdfsreader. A pattern that names a directory yields the visible files
// under it, recursively (Hive partitions below a table directory); hidden
// names (".staging", "_SUCCESS") are skipped at every level. No match is an
// error that names the pattern.
func Glob(fsys FS, pattern string) ([]string, error) {
	pattern = path.Clean(pattern)
	if _, err := path.Match(pattern, ""); err != nil {
		return nil, fmt.Errorf("path %q: bad pattern: %v", pattern, err)
	}
	elems := strings.Split(strings.TrimPrefix(pattern, "/"), "/")
	root := "."
	if strings.HasPrefix(pattern, "/") {
		root = "/"
	}
	// Walk the literal prefix without listing directories.
	i := 0
	for ; i < len(elems) && !hasMeta(elems[i]); i++ {
		root = path.Join(root, elems[i])
	}
	var out []string
	if err := globFrom(fsys, root, elems[i:], &out); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("path %q matches no file on %s", pattern, fsys)
	}
	return out, nil
}

func hasMeta(s string) bool { return strings.ContainsAny(s, "*?[\\") }

func globFrom(fsys FS, dir string, rest []string, out *[]string) error {
	if len(rest) == 0 {
		fi, err := fsys.Stat(dir)
		if err != nil {
			if IsNotExist(err) {
				return nil
			}
			return err
		}
		if !fi.IsDir() {
			*out = append(*out, dir)
			return nil
		}
		return walkFiles(fsys, dir, out)
	}
	entries, err := fsys.ReadDir(dir)
	if err != nil {
		if IsNotExist(err) {
			return nil
		}
		return err
	}
	for _, e := range entries {
		if Hidden(e.Name()) {
			continue
		}
		if ok, _ := path.Match(rest[0], e.Name()); !ok {
			continue
		}
		if err := globFrom(fsys, path.Join(dir, e.Name()), rest[1:], out); err != nil {
			return err
		}
	}
	return nil
}

func walkFiles(fsys FS, dir string, out *[]string) error {
	entries, err := fsys.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if Hidden(e.Name()) {
			continue
		}
		p := path.Join(dir, e.Name())
		if e.IsDir() {
			if err := walkFiles(fsys, p, out); err != nil {
				return err
			}
			continue
		}
		*out = append(*out, p)
	}
	return nil
}
