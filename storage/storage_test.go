package storage_test

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"datax/storage"
	"datax/testing/testenv"
)

// each runs the contract against local disk and against the MiniDFSCluster.
func each(t *testing.T, f func(t *testing.T, fsys storage.FS, root string)) {
	t.Run("local", func(t *testing.T) {
		f(t, storage.Local(), filepath.ToSlash(t.TempDir()))
	})
	t.Run("hdfs", func(t *testing.T) {
		fsys, root := HDFSRoot(t)
		f(t, fsys, root)
	})
}

// HDFSRoot connects to the test cluster and returns a fresh directory.
func HDFSRoot(t *testing.T) (storage.FS, string) {
	addr := testenv.HDFS(t)
	fsys, err := storage.Open(storage.Options{DefaultFS: "hdfs://" + addr})
	if err != nil {
		t.Fatal(err)
	}
	root := fmt.Sprintf("/datax-test/storage-%s-%d", strings.ReplaceAll(t.Name(), "/", "_"), time.Now().UnixNano())
	if err := fsys.MkdirAll(root); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.RemoveAll(root); fsys.Close() })
	return fsys, root
}

func write(t *testing.T, fsys storage.FS, name, content string) {
	t.Helper()
	if err := storage.WriteFile(fsys, name, []byte(content)); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, fsys storage.FS, name string) string {
	t.Helper()
	data, err := storage.ReadFile(fsys, name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func names(t *testing.T, fsys storage.FS, dir string) []string {
	t.Helper()
	list, err := fsys.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, fi := range list {
		out = append(out, fi.Name())
	}
	return out
}

func TestFiles(t *testing.T) {
	each(t, func(t *testing.T, fsys storage.FS, root string) {
		dir := root + "/a/b"
		if err := fsys.MkdirAll(dir); err != nil {
			t.Fatal(err)
		}
		write(t, fsys, dir+"/f2", "world")
		write(t, fsys, dir+"/empty", "") // _SUCCESS is empty
		if got := read(t, fsys, dir+"/empty"); got != "" {
			t.Fatalf("empty file read back %q", got)
		}
		fsys.RemoveAll(dir + "/empty")
		write(t, fsys, dir+"/f1", "hello, storage")
		if got := read(t, fsys, dir+"/f1"); got != "hello, storage" {
			t.Fatalf("read back %q", got)
		}
		if _, err := fsys.Create(dir + "/f1"); err == nil {
			t.Fatal("Create over an existing file succeeded")
		}
		if got := names(t, fsys, dir); !slices.Equal(got, []string{"f1", "f2"}) {
			t.Fatalf("ReadDir = %v", got)
		}
		f, err := fsys.Open(dir + "/f1")
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 7)
		if _, err := f.ReadAt(buf, 7); err != nil && err != io.EOF {
			t.Fatal(err)
		}
		if string(buf) != "storage" || f.Size() != 14 {
			t.Fatalf("ReadAt = %q, Size = %d", buf, f.Size())
		}
		f.Close()
		fi, err := fsys.Stat(dir + "/f1")
		if err != nil || fi.Size() != 14 || fi.IsDir() {
			t.Fatalf("Stat = %v, %v", fi, err)
		}
		if _, err := fsys.Stat(dir + "/missing"); !storage.IsNotExist(err) {
			t.Fatalf("Stat of a missing file: %v, want not-exist", err)
		}
		if _, err := fsys.Open(dir + "/missing"); !storage.IsNotExist(err) {
			t.Fatalf("Open of a missing file: %v, want not-exist", err)
		}
		if _, err := fsys.Open(dir); err == nil {
			t.Fatal("Open of a directory succeeded")
		}
		// A file in the way of a directory.
		if err := fsys.MkdirAll(dir + "/f1/sub"); err == nil {
			t.Fatal("MkdirAll below a file succeeded")
		}
		if _, err := storage.CheckDir(fsys, dir+"/f1"); err == nil || !strings.Contains(err.Error(), "is a file") {
			t.Fatalf("CheckDir on a file: %v", err)
		}
	})
}

func TestRename(t *testing.T) {
	each(t, func(t *testing.T, fsys storage.FS, root string) {
		write(t, fsys, root+"/x", "x")
		write(t, fsys, root+"/y", "y")
		err := fsys.Rename(root+"/x", root+"/y")
		if !errors.Is(err, fs.ErrExist) {
			t.Fatalf("Rename onto an existing file: %v, want ErrExist", err)
		}
		if read(t, fsys, root+"/y") != "y" {
			t.Fatal("Rename replaced the target")
		}
		fsys.MkdirAll(root + "/d1")
		fsys.MkdirAll(root + "/d2")
		write(t, fsys, root+"/d1/f", "f")
		if err := fsys.Rename(root+"/d1", root+"/d2"); !errors.Is(err, fs.ErrExist) {
			t.Fatalf("Rename onto an existing directory: %v, want ErrExist", err)
		}
		if err := fsys.Rename(root+"/d1", root+"/d3"); err != nil {
			t.Fatal(err)
		}
		if read(t, fsys, root+"/d3/f") != "f" {
			t.Fatal("renamed directory lost its file")
		}
		if err := fsys.RemoveAll(root + "/d3"); err != nil {
			t.Fatal(err)
		}
		if err := fsys.RemoveAll(root + "/d3"); err != nil {
			t.Fatalf("RemoveAll of a missing path: %v", err)
		}
		if ok, _ := storage.Exists(fsys, root+"/d3"); ok {
			t.Fatal("d3 still exists")
		}
	})
}

func TestGlob(t *testing.T) {
	each(t, func(t *testing.T, fsys storage.FS, root string) {
		for _, p := range []string{"t/dt=1/a.txt", "t/dt=1/b.csv", "t/dt=2/c.txt", "t/dt=2/_SUCCESS", "t/.datax-staging-dt=3-x/d.txt", "t/dt=2/.hidden"} {
			fsys.MkdirAll(path.Dir(root + "/" + p))
			write(t, fsys, root+"/"+p, p)
		}
		cases := map[string][]string{
			"t/dt=*/*.txt": {"t/dt=1/a.txt", "t/dt=2/c.txt"},
			"t/dt=?/b.csv": {"t/dt=1/b.csv"},
			"t":            {"t/dt=1/a.txt", "t/dt=1/b.csv", "t/dt=2/c.txt"},
			"t/dt=2":       {"t/dt=2/c.txt"},
			"t/dt=1/a.txt": {"t/dt=1/a.txt"},
		}
		for pat, want := range cases {
			got, err := storage.Glob(fsys, root+"/"+pat)
			if err != nil {
				t.Fatalf("%s: %v", pat, err)
			}
			for i := range want {
				want[i] = root + "/" + want[i]
			}
			if !slices.Equal(got, want) {
				t.Errorf("Glob(%s) = %v, want %v", pat, got, want)
			}
		}
		if _, err := storage.Glob(fsys, root+"/t/dt=9/*"); err == nil || !strings.Contains(err.Error(), "matches no file") {
			t.Errorf("no match: %v", err)
		}
		if _, err := storage.Glob(fsys, root+"/t/[x"); err == nil || !strings.Contains(err.Error(), "bad pattern") {
			t.Errorf("bad pattern: %v", err)
		}
	})
}

func TestStagePublish(t *testing.T) {
	each(t, func(t *testing.T, fsys storage.FS, root string) {
		target := root + "/orders/dt=20261122"
		// A fresh partition appears by one rename, staging hidden meanwhile.
		s := storage.NewStage(fsys, target, "run1")
		if err := s.Create(); err != nil {
			t.Fatal(err)
		}
		write(t, fsys, s.Dir+"/part-0", "old")
		if !storage.Hidden(path.Base(s.Dir)) {
			t.Fatalf("staging dir %s is visible", s.Dir)
		}
		if ok, _ := storage.Exists(fsys, target); ok {
			t.Fatal("target visible before publish")
		}
		if _, err := s.Publish(storage.Replace); err != nil {
			t.Fatal(err)
		}
		if got := names(t, fsys, target); !slices.Equal(got, []string{"part-0"}) {
			t.Fatalf("after publish: %v", got)
		}
		// Merge adds files.
		s2 := storage.NewStage(fsys, target, "run2")
		s2.Create()
		write(t, fsys, s2.Dir+"/part-1", "more")
		write(t, fsys, s2.Dir+"/_VERIFY.json", "{}")
		moved, err := s2.Publish(storage.Merge, "_VERIFY.json")
		if err != nil || !slices.Equal(moved, []string{"part-1"}) {
			t.Fatalf("merge moved %v, %v", moved, err)
		}
		s2.Discard()
		if got := names(t, fsys, target); !slices.Equal(got, []string{"part-0", "part-1"}) {
			t.Fatalf("after merge: %v", got)
		}
		// Replace swaps the whole directory.
		s3 := storage.NewStage(fsys, target, "run3")
		s3.Create()
		write(t, fsys, s3.Dir+"/part-9", "new")
		if _, err := s3.Publish(storage.Replace); err != nil {
			t.Fatal(err)
		}
		if got := names(t, fsys, target); !slices.Equal(got, []string{"part-9"}) {
			t.Fatalf("after replace: %v", got)
		}
		if got := names(t, fsys, root+"/orders"); !slices.Equal(got, []string{"dt=20261122"}) {
			t.Fatalf("leftovers beside the target: %v", got)
		}
	})
}

func TestStageClean(t *testing.T) {
	each(t, func(t *testing.T, fsys storage.FS, root string) {
		target := root + "/t/dt=1"
		// A crashed run left a staging directory: it is removed, never published.
		dead := storage.NewStage(fsys, target, "dead")
		dead.Create()
		write(t, fsys, dead.Dir+"/part-0", "half")
		// Another target's staging directory is left alone.
		other := storage.NewStage(fsys, root+"/t/dt=2", "other")
		other.Create()
		s := storage.NewStage(fsys, target, "live")
		done, err := s.Clean()
		if err != nil || len(done) != 1 || !strings.Contains(done[0], "dead") {
			t.Fatalf("Clean = %v, %v", done, err)
		}
		if ok, _ := storage.Exists(fsys, dead.Dir); ok {
			t.Fatal("dead staging survived")
		}
		if ok, _ := storage.Exists(fsys, other.Dir); !ok {
			t.Fatal("Clean removed another target's staging")
		}
		if ok, _ := storage.Exists(fsys, target); ok {
			t.Fatal("Clean published a leftover")
		}
		// A run that died between the renames of Replace: the old content is
		// in the trash and the target is gone; Clean puts it back.
		fsys.MkdirAll(target)
		write(t, fsys, target+"/part-old", "old")
		trash := root + "/t/.datax-trash-dt=1-crashed"
		if err := fsys.Rename(target, trash); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Clean(); err != nil {
			t.Fatal(err)
		}
		if read(t, fsys, target+"/part-old") != "old" {
			t.Fatal("old content not restored")
		}
		if ok, _ := storage.Exists(fsys, trash); ok {
			t.Fatal("trash left behind")
		}
	})
}

func TestParseDefaultFS(t *testing.T) {
	for in, want := range map[string]string{"": "file", "file:///": "file", "hdfs://nn:8020": "hdfs", "hdfs://ns1": "hdfs", "HDFS://nn:1/": "hdfs"} {
		got, _, err := storage.ParseDefaultFS(in)
		if err != nil || got != want {
			t.Errorf("ParseDefaultFS(%q) = %q, %v", in, got, err)
		}
	}
	for in, msg := range map[string]string{
		"nn:8020":            "expected hdfs://host:port",
		"s3://bucket":        "not supported",
		"hdfs://":            "no namenode",
		"hdfs://nn:8020/x/y": "has a path",
		"file://host/x":      "no host",
	} {
		_, _, err := storage.ParseDefaultFS(in)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseDefaultFS(%q) = %v, want %q", in, err, msg)
		}
	}
}

func TestClean(t *testing.T) {
	if p, err := storage.Clean(storage.Local(), "file:///tmp/x/../y"); err != nil || p != "/tmp/y" {
		t.Errorf("Clean = %q, %v", p, err)
	}
	if _, err := storage.Clean(storage.Local(), "hdfs://nn:8020/x"); err == nil || !strings.Contains(err.Error(), "set defaultFS") {
		t.Errorf("an hdfs path on local disk: %v", err)
	}
}

// An unreachable namenode fails at once, naming the address.
func TestHDFSUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	start := time.Now()
	_, err = storage.Open(storage.Options{DefaultFS: "hdfs://" + addr, DialTimeout: 3 * time.Second})
	if err == nil || !strings.Contains(err.Error(), addr) {
		t.Fatalf("error %v does not name %s", err, addr)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Fatalf("took %s to fail", d)
	}
}

func TestHDFSHAConfig(t *testing.T) {
	conf := map[string]string{"dfs.nameservices": "ns1", "dfs.ha.namenodes.ns1": "nn1,nn2", "dfs.namenode.rpc-address.ns1.nn1": "127.0.0.1:1"}
	_, err := storage.Open(storage.Options{DefaultFS: "hdfs://ns1", HadoopConfig: conf})
	if err == nil || !strings.Contains(err.Error(), "dfs.namenode.rpc-address.ns1.nn2 is missing") {
		t.Fatalf("incomplete HA config: %v", err)
	}
	_, err = storage.Open(storage.Options{DefaultFS: "hdfs://other", HadoopConfig: conf})
	if err == nil || !strings.Contains(err.Error(), "dfs.nameservices") {
		t.Fatalf("unknown nameservice: %v", err)
	}
}

// HA: the first namenode is down, the second is the test cluster.
func TestHDFSHAFailover(t *testing.T) {
	addr := testenv.HDFS(t)
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := l.Addr().String()
	l.Close()
	conf := map[string]string{
		"dfs.nameservices": "ns1", "dfs.ha.namenodes.ns1": "nn1,nn2",
		"dfs.namenode.rpc-address.ns1.nn1": dead, "dfs.namenode.rpc-address.ns1.nn2": addr,
	}
	fsys, err := storage.Open(storage.Options{DefaultFS: "hdfs://ns1", HadoopConfig: conf})
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	if _, err := fsys.Stat("/"); err != nil {
		t.Fatal(err)
	}
}

func TestKerberosBadKeytab(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.keytab")
	_, err := storage.Open(storage.Options{DefaultFS: "hdfs://127.0.0.1:1", Kerberos: &storage.Kerberos{Keytab: missing, Principal: "etl@EXAMPLE.COM"}})
	if err == nil || !strings.Contains(err.Error(), "cannot load keytab "+missing) {
		t.Fatalf("missing keytab: %v", err)
	}
	junk := filepath.Join(t.TempDir(), "junk.keytab")
	os.WriteFile(junk, []byte("not a keytab"), 0o600)
	_, err = storage.Open(storage.Options{DefaultFS: "hdfs://127.0.0.1:1", Kerberos: &storage.Kerberos{Keytab: junk, Principal: "etl@EXAMPLE.COM"}})
	if err == nil || !strings.Contains(err.Error(), "cannot load keytab") {
		t.Fatalf("junk keytab: %v", err)
	}
	_, err = storage.Open(storage.Options{DefaultFS: "hdfs://127.0.0.1:1", Kerberos: &storage.Kerberos{Keytab: junk}})
	if err == nil || !strings.Contains(err.Error(), "kerberosPrincipal") {
		t.Fatalf("no principal: %v", err)
	}
}
