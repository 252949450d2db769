package storage_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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
		publish := func(s *storage.Stage, p storage.Plan) {
			t.Helper()
			l, _, err := s.Lock(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Publish(p); err != nil {
				t.Fatal(err)
			}
			if err := s.Discard(); err != nil {
				t.Fatal(err)
			}
			if err := l.Release(); err != nil {
				t.Fatal(err)
			}
		}
		// A fresh target appears by one rename, staging hidden meanwhile.
		s := storage.NewStage(fsys, target, "run1")
		if err := s.Create(); err != nil {
			t.Fatal(err)
		}
		write(t, fsys, s.Dir+"/part-0", "old")
		write(t, fsys, s.Dir+"/_VERIFY.json", "v1")
		if !storage.Hidden(path.Base(s.Dir)) {
			t.Fatalf("staging dir %s is visible", s.Dir)
		}
		if ok, _ := storage.Exists(fsys, target); ok {
			t.Fatal("target visible before publish")
		}
		publish(s, storage.Plan{Whole: true})
		if got := names(t, fsys, target); !slices.Equal(got, []string{"_VERIFY.json", "part-0"}) {
			t.Fatalf("after publish: %v", got)
		}
		// File by file: the files are added, the Last file replaces its
		// namesake.
		s2 := storage.NewStage(fsys, target, "run2")
		s2.Create()
		write(t, fsys, s2.Dir+"/part-1", "more")
		write(t, fsys, s2.Dir+"/_VERIFY.json", "v2")
		publish(s2, storage.Plan{Last: []string{"_VERIFY.json"}})
		if got := names(t, fsys, target); !slices.Equal(got, []string{"_VERIFY.json", "part-0", "part-1"}) {
			t.Fatalf("after adding: %v", got)
		}
		if read(t, fsys, target+"/_VERIFY.json") != "v2" {
			t.Fatal("the Last file was not replaced")
		}
		// Remove goes once the new files are in; other files stay.
		write(t, fsys, target+"/foreign", "f")
		s3 := storage.NewStage(fsys, target, "run3")
		s3.Create()
		write(t, fsys, s3.Dir+"/part-2", "new")
		publish(s3, storage.Plan{Remove: []string{"part-0", "part-1"}})
		if got := names(t, fsys, target); !slices.Equal(got, []string{"_VERIFY.json", "foreign", "part-2"}) {
			t.Fatalf("after replacing part-0 and part-1: %v", got)
		}
		// Whole swaps the directory.
		s4 := storage.NewStage(fsys, target, "run4")
		s4.Create()
		write(t, fsys, s4.Dir+"/part-9", "new")
		publish(s4, storage.Plan{Whole: true})
		if got := names(t, fsys, target); !slices.Equal(got, []string{"part-9"}) {
			t.Fatalf("after replace: %v", got)
		}
		if got := names(t, fsys, root+"/orders"); !slices.Equal(got, []string{"dt=20261122"}) {
			t.Fatalf("leftovers beside the target: %v", got)
		}
		// A file in the way fails the file-by-file publish, which moves
		// back what it had moved: nothing of the run stays visible.
		s5 := storage.NewStage(fsys, target, "run5")
		s5.Create()
		write(t, fsys, s5.Dir+"/part-10", "a")
		write(t, fsys, s5.Dir+"/part-9", "clash")
		l, _, err := s5.Lock(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if err := s5.Publish(storage.Plan{}); err == nil || !strings.Contains(err.Error(), "part-9 already exists in the target") {
			t.Fatalf("publish onto an existing name: %v", err)
		}
		l.Release()
		if got := names(t, fsys, target); !slices.Equal(got, []string{"part-9"}) || read(t, fsys, target+"/part-9") != "new" {
			t.Fatalf("after a failed publish: %v", got)
		}
		if err := s5.Discard(); err != nil {
			t.Fatal(err)
		}
		if got := names(t, fsys, root+"/orders"); !slices.Equal(got, []string{"dt=20261122"}) {
			t.Fatalf("leftovers beside the target: %v", got)
		}
	})
}

// deadPID returns the pid of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.ProcessState.Pid()
}

// livePID starts a process that runs until the test ends and returns its pid.
func livePID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("sleep", "600")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd.Process.Pid
}

func self(runID string) storage.Owner { return storage.Self(runID, time.Now()) }

// Lock removes the staging directories of runs that are provably gone and
// only those; it restores a target that a swap left in the trash.
func TestStageRepair(t *testing.T) {
	each(t, func(t *testing.T, fsys storage.FS, root string) {
		target := root + "/t/dt=2026-11"
		leftover := func(o storage.Owner, tgt string) *storage.Stage {
			t.Helper()
			s := storage.NewStageOf(fsys, tgt, o)
			if err := s.Create(); err != nil {
				t.Fatal(err)
			}
			write(t, fsys, s.Dir+"/part-0", "half")
			return s
		}
		dead := self("20261122T010101-aaaaaa")
		dead.PID = deadPID(t)
		deadRun := leftover(dead, target)
		// A pid that runs now, but a process that started after the run:
		// the pid was reused.
		reused := self(time.Now().Add(-time.Hour).UTC().Format("20060102T150405") + "-bbbbbb")
		reused.PID = livePID(t)
		reusedRun := leftover(reused, target)
		// Another host: an old run is gone, a recent one may be running.
		oldRemote := storage.Owner{Host: "other-host", PID: 1, RunID: "20200101T000000-cccccc"}
		oldRemoteRun := leftover(oldRemote, target)
		recentRemote := storage.Owner{Host: "other-host", PID: 1, RunID: storage.NewRunID()}
		recentRemoteRun := leftover(recentRemote, target)
		// Runs of this process (live), and of another live process.
		sibling := leftover(self(storage.NewRunID()), target)
		live := self(storage.NewRunID())
		live.PID = livePID(t)
		liveRun := leftover(live, target)
		// A dead run of another target whose name starts the same.
		otherTarget := leftover(dead, root+"/t/dt=2026-11-01")
		// Earlier versions' names: dated by the run id only.
		oldLegacy := root + "/t/.datax-staging-dt=2026-11-20200101T000000-ffffff"
		newLegacy := root + "/t/.datax-staging-dt=2026-11-" + storage.NewRunID()
		for _, d := range []string{oldLegacy, newLegacy} {
			fsys.MkdirAll(d)
		}
		s := storage.NewStage(fsys, target, storage.NewRunID())
		l, done, err := s.Lock(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		l.Release()
		for _, gone := range []string{deadRun.Dir, reusedRun.Dir, oldRemoteRun.Dir, oldLegacy} {
			if ok, _ := storage.Exists(fsys, gone); ok {
				t.Errorf("%s survived", path.Base(gone))
			}
		}
		for _, kept := range []string{recentRemoteRun.Dir, sibling.Dir, liveRun.Dir, otherTarget.Dir, newLegacy} {
			if ok, _ := storage.Exists(fsys, kept); !ok {
				t.Errorf("%s was removed", path.Base(kept))
			}
		}
		if len(done) != 4 || !strings.Contains(strings.Join(done, "\n"), fmt.Sprintf("process %d on %s is gone", dead.PID, dead.Host)) ||
			!strings.Contains(strings.Join(done, "\n"), "started on other-host") {
			t.Errorf("notes: %q", done)
		}
		if ok, _ := storage.Exists(fsys, target); ok {
			t.Fatal("a leftover was published")
		}
		// A swap that died between its renames: the old content is in the
		// trash and the target is gone; the next Lock puts it back.
		fsys.MkdirAll(target)
		write(t, fsys, target+"/part-old", "old")
		trash := root + "/t/.datax-trash-dt=2026-11-1_host_20261122T010101-aaaaaa"
		if err := fsys.Rename(target, trash); err != nil {
			t.Fatal(err)
		}
		l, done, err = s.Lock(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		l.Release()
		if read(t, fsys, target+"/part-old") != "old" || len(done) != 1 || !strings.Contains(done[0], "restored") {
			t.Fatalf("old content not restored: %q", done)
		}
		if ok, _ := storage.Exists(fsys, trash); ok {
			t.Fatal("trash left behind")
		}
	})
}

// A publish that stops after its files are in (an old file cannot be
// removed: immutable) keeps its staging directory and journal; once its run
// is gone, the next run into the target completes it.
func TestPublishStoppedMidway(t *testing.T) {
	fsys := storage.Local()
	target := filepath.ToSlash(t.TempDir()) + "/t"
	fsys.MkdirAll(target)
	write(t, fsys, target+"/old", "old")
	write(t, fsys, target+"/_VERIFY.json", "v1")
	if out, err := exec.Command("chattr", "+i", target+"/old").CombinedOutput(); err != nil {
		testenv.Missing(t, "chattr +i", fmt.Sprintf("%v: %s; making a removal fail needs an immutable file, since root ignores permission bits", err, out))
	}
	defer exec.Command("chattr", "-i", target+"/old").Run()
	o := self(storage.NewRunID())
	o.PID = deadPID(t) // as if the run died right after the failure
	s := storage.NewStageOf(fsys, target, o)
	s.Create()
	write(t, fsys, s.Dir+"/new", "new")
	write(t, fsys, s.Dir+"/_VERIFY.json", "v2")
	err := s.Publish(storage.Plan{Remove: []string{"old"}, Last: []string{"_VERIFY.json"}})
	if err == nil || !strings.Contains(err.Error(), "removing the old file old failed") {
		t.Fatalf("publish: %v", err)
	}
	if err := s.Discard(); err != nil {
		t.Fatal(err)
	}
	if ok, _ := storage.Exists(fsys, s.Dir); !ok {
		t.Fatal("the staging directory of a publish that stopped midway was discarded")
	}
	exec.Command("chattr", "-i", target+"/old").Run()
	l, notes, err := storage.NewStage(fsys, target, storage.NewRunID()).Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	l.Release()
	if got := names(t, fsys, target); !slices.Equal(got, []string{"_VERIFY.json", "new"}) || read(t, fsys, target+"/_VERIFY.json") != "v2" {
		t.Fatalf("after the repair: %v, notes %q", got, notes)
	}
	if ok, _ := storage.Exists(fsys, s.Dir); ok {
		t.Fatal("the staging directory stayed")
	}
}

// Runs in one process and in others take the publish lock in turn; a lock
// whose owner is gone is taken over; a wait ends with the context.
func TestLock(t *testing.T) {
	each(t, func(t *testing.T, fsys storage.FS, root string) {
		target := root + "/t"
		ctx := context.Background()
		// Holders never overlap.
		var holders, most atomic.Int32
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range 3 {
					l, _, err := storage.AcquireLock(ctx, fsys, target, self(fmt.Sprintf("run-%d-%d", i, j)), nil)
					if err != nil {
						t.Error(err)
						return
					}
					n := holders.Add(1)
					if n > most.Load() {
						most.Store(n)
					}
					time.Sleep(20 * time.Millisecond)
					holders.Add(-1)
					if err := l.Release(); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		if most.Load() != 1 {
			t.Fatalf("%d runs held the lock at once", most.Load())
		}
		// A live holder (another process) makes a run wait until the
		// context ends; the message names the holder.
		live := self("holder")
		live.PID = livePID(t)
		l, _, err := storage.AcquireLock(ctx, fsys, target, live, nil)
		if err != nil {
			t.Fatal(err)
		}
		short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		_, _, err = storage.AcquireLock(short, fsys, target, self("waiter"), nil)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("held by run holder (pid %d", live.PID)) {
			t.Fatalf("waiting for a live holder: %v", err)
		}
		// The holder's process dies: its lock is taken over.
		dead := self("crashed")
		dead.PID = deadPID(t)
		fsys.RemoveAll(storage.LockPath(target))
		if _, _, err := storage.AcquireLock(ctx, fsys, target, dead, nil); err != nil {
			t.Fatal(err)
		}
		l2, notes, err := storage.AcquireLock(ctx, fsys, target, self("next"), nil)
		if err != nil || len(notes) != 1 || !strings.Contains(notes[0], "took over the publish lock") || !strings.Contains(notes[0], "run crashed") {
			t.Fatalf("takeover: %q, %v", notes, err)
		}
		// The first holder's release does not remove a lock it lost.
		if err := l.Release(); err == nil || !strings.Contains(err.Error(), "taken over") {
			t.Fatalf("release of a lost lock: %v", err)
		}
		if err := l2.Release(); err != nil {
			t.Fatal(err)
		}
		if ok, _ := storage.Exists(fsys, storage.LockPath(target)); ok {
			t.Fatal("the lock file stayed")
		}
	})
}

// A lock file without an owner (its writer died between creating and
// writing it) is taken over once it is older than a takeover takes.
func TestLockWithoutOwner(t *testing.T) {
	target := filepath.ToSlash(t.TempDir()) + "/t"
	p := storage.LockPath(target)
	os.WriteFile(p, nil, 0o644)
	short, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, _, err := storage.AcquireLock(short, storage.Local(), target, self("a"), nil); err == nil {
		t.Fatal("a fresh lock file without an owner was taken over")
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(p, old, old)
	l, notes, err := storage.AcquireLock(context.Background(), storage.Local(), target, self("a"), nil)
	if err != nil || len(notes) != 1 {
		t.Fatalf("%q, %v", notes, err)
	}
	l.Release()
}

func TestOwnerGone(t *testing.T) {
	me := self("x")
	if gone, why := me.Gone(time.Hour); gone {
		t.Errorf("this process is gone: %s", why)
	}
	dead := me
	dead.PID = deadPID(t)
	if gone, _ := dead.Gone(time.Hour); !gone {
		t.Error("a dead process is not gone")
	}
	for _, c := range []struct {
		o    storage.Owner
		gone bool
	}{
		{storage.Owner{Host: "elsewhere", PID: 1, Start: time.Now().Add(-2 * time.Hour)}, true},
		{storage.Owner{Host: "elsewhere", PID: 1, Start: time.Now().Add(-time.Minute)}, false},
		{storage.Owner{Host: "elsewhere", PID: 1}, false}, // no start: never provably gone
	} {
		if gone, _ := c.o.Gone(time.Hour); gone != c.gone {
			t.Errorf("%v: gone = %v", c.o, gone)
		}
	}
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
