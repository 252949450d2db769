// Package storage is the filesystem seam: one small interface (FS) with a
// local-disk implementation and an HDFS one (colinmarc/hdfs), so that every
// file writer and reader works on both, plus what a warehouse needs on top of
// it: glob patterns, and staged partitions that become visible by rename only
// when a job has succeeded (Stage).
//
// Paths are slash-separated and absolute on HDFS; on local disk they may be
// relative to the working directory. Names starting with "." or "_" are
// hidden: Hive, Spark and our readers skip them, so staging directories,
// _SUCCESS and _VERIFY.json live under such names.
package storage

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"path"
	"strings"
	"time"
)

// FS is a filesystem. Implementations are safe for concurrent use.
type FS interface {
	// Create creates a new file for writing; it fails if name exists. The
	// parent directory must exist.
	Create(name string) (io.WriteCloser, error)
	// Open opens a file for reading.
	Open(name string) (File, error)
	// Stat describes name; a missing name gives an error satisfying
	// errors.Is(err, fs.ErrNotExist).
	Stat(name string) (fs.FileInfo, error)
	// ReadDir lists a directory, sorted by name.
	ReadDir(name string) ([]fs.FileInfo, error)
	// MkdirAll creates a directory and its missing parents.
	MkdirAll(name string) error
	// Rename moves oldname to newname, atomically on both local disk and
	// HDFS. It fails when newname exists, so a rename never replaces (nor
	// merges into) a directory.
	Rename(oldname, newname string) error
	// RemoveAll removes name and everything under it; a missing name is not
	// an error.
	RemoveAll(name string) error
	// String names the filesystem for messages: "file:///" or
	// "hdfs://host:port".
	String() string
	// Close releases connections.
	Close() error
}

// File is an open file for reading, with random access for Parquet footers.
type File interface {
	io.Reader
	io.ReaderAt
	io.Seeker
	io.Closer
	// Size returns the file's length in bytes.
	Size() int64
}

// Options configure Open. The zero value is local disk.
type Options struct {
	// DefaultFS is "hdfs://host:port", "hdfs://nameservice" (addresses from
	// HadoopConfig), or "" / "file:///" for local disk.
	DefaultFS string
	// User is the HDFS user (default: $HADOOP_USER_NAME, else the OS user).
	User string
	// HadoopConfig holds Hadoop client settings as DataX's hadoopConfig does:
	// dfs.nameservices, dfs.ha.namenodes.<ns>, dfs.namenode.rpc-address.<ns>.<nn>,
	// dfs.namenode.kerberos.principal, dfs.data.transfer.protection, ...
	HadoopConfig map[string]string
	// Kerberos, when set, authenticates with a keytab.
	Kerberos *Kerberos
	// DialTimeout bounds connecting to a namenode (default 10s).
	DialTimeout time.Duration
}

// Kerberos is keytab authentication to a kerberized HDFS.
type Kerberos struct {
	// Keytab is the keytab file (DataX's kerberosKeytabFilePath).
	Keytab string
	// Principal is "user[/host]@REALM" (DataX's kerberosPrincipal).
	Principal string
	// Krb5Conf is the krb5.conf file (default $KRB5_CONFIG, else /etc/krb5.conf).
	Krb5Conf string
}

// Open returns the filesystem named by opts.DefaultFS.
func Open(opts Options) (FS, error) {
	scheme, _, err := ParseDefaultFS(opts.DefaultFS)
	if err != nil {
		return nil, err
	}
	if scheme == "file" {
		return Local(), nil
	}
	return openHDFS(opts)
}

// ParseDefaultFS splits a defaultFS value into its scheme ("file" or "hdfs")
// and authority (host:port or a nameservice).
func ParseDefaultFS(defaultFS string) (scheme, authority string, err error) {
	s := strings.TrimSpace(defaultFS)
	if s == "" {
		return "file", "", nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || !strings.Contains(s, "://") {
		return "", "", fmt.Errorf("defaultFS %q: expected hdfs://host:port, hdfs://nameservice or file:///", defaultFS)
	}
	switch strings.ToLower(u.Scheme) {
	case "file":
		if u.Host != "" {
			return "", "", fmt.Errorf("defaultFS %q: a file URL has no host; use file:///", defaultFS)
		}
		return "file", "", nil
	case "hdfs":
		if u.Host == "" {
			return "", "", fmt.Errorf("defaultFS %q: no namenode; expected hdfs://host:port or hdfs://nameservice", defaultFS)
		}
		if u.Path != "" && u.Path != "/" {
			return "", "", fmt.Errorf("defaultFS %q: has a path; put the path in \"path\" and only hdfs://host:port here", defaultFS)
		}
		return "hdfs", u.Host, nil
	}
	return "", "", fmt.Errorf("defaultFS %q: scheme %q is not supported; expected hdfs:// or file:///", defaultFS, u.Scheme)
}

// Clean normalises a path given in a job file for fs: a URL of the same
// filesystem ("hdfs://nn:8020/a/b", "file:///a/b") becomes its path; the
// result is slash-cleaned.
func Clean(fsys FS, p string) (string, error) {
	if strings.Contains(p, "://") {
		u, err := url.Parse(p)
		if err != nil {
			return "", fmt.Errorf("path %q is not a valid URL", p)
		}
		switch fsys.String() {
		case "file:///":
			if u.Scheme != "file" {
				return "", fmt.Errorf("path %q is on %s://%s but defaultFS is local disk; set defaultFS to %s://%s", p, u.Scheme, u.Host, u.Scheme, u.Host)
			}
		default:
			if u.Scheme+"://"+u.Host != fsys.String() {
				return "", fmt.Errorf("path %q is not on defaultFS %s", p, fsys)
			}
		}
		p = u.Path
	}
	if p == "" {
		return "", errors.New("path is empty")
	}
	return path.Clean(p), nil
}

// Hidden reports whether a file or directory name is hidden from warehouse
// readers (Hive, Spark and ours): it starts with "." or "_".
func Hidden(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// IsNotExist reports whether err says a file does not exist.
func IsNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// Exists reports whether name exists.
func Exists(fsys FS, name string) (bool, error) {
	_, err := fsys.Stat(name)
	if err == nil {
		return true, nil
	}
	if IsNotExist(err) {
		return false, nil
	}
	return false, err
}

// Visible lists the non-hidden entries of a directory.
func Visible(fsys FS, dir string) ([]fs.FileInfo, error) {
	all, err := fsys.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, fi := range all {
		if !Hidden(fi.Name()) {
			out = append(out, fi)
		}
	}
	return out, nil
}

// WriteFile creates name with data (it must not exist).
func WriteFile(fsys FS, name string, data []byte) error {
	w, err := fsys.Create(name)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// ReadFile returns the content of name.
func ReadFile(fsys FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// CheckDir verifies that dir is a directory (or absent, when mayBeMissing)
// and returns whether it exists; a regular file in the way is a clear error.
func CheckDir(fsys FS, dir string) (exists bool, err error) {
	fi, err := fsys.Stat(dir)
	if err != nil {
		if IsNotExist(err) {
			return false, nil
		}
		return false, err
	}
	if !fi.IsDir() {
		return true, fmt.Errorf("%s%s is a file, not a directory", prefix(fsys), dir)
	}
	return true, nil
}

// prefix is the filesystem URL prefix for messages about HDFS paths.
func prefix(fsys FS) string {
	if s := fsys.String(); s != "file:///" {
		return s
	}
	return ""
}

// URL returns the full URL of name on fsys, for messages and reports.
func URL(fsys FS, name string) string { return prefix(fsys) + name }
