package storage

import (
	"context"
	"encoding/json"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// A file-by-file publish whose run died midway is undone when some of its
// files had not moved yet, and completed when all had: the state is made as
// such a run leaves it (its journal, some files moved).
func TestRecoverPublish(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := Self("20261122T010101-aaaaaa", time.Now())
	dead.PID = cmd.ProcessState.Pid()
	for _, c := range []struct {
		name       string
		moved      []string // of a, b
		wantTarget []string
		wantNote   string
	}{
		{"undo", []string{"a"}, []string{"_VERIFY.json", "foreign", "old"}, "undid the partial publish"},
		{"complete", []string{"a", "b"}, []string{"_VERIFY.json", "a", "b", "foreign"}, "completed the publish"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fsys := Local()
			target := filepath.ToSlash(t.TempDir()) + "/t"
			fsys.MkdirAll(target)
			for _, f := range []string{"foreign", "old", "_VERIFY.json"} {
				WriteFile(fsys, path.Join(target, f), []byte("before"))
			}
			s := NewStageOf(fsys, target, dead)
			s.Create()
			j, _ := json.Marshal(journal{Add: []string{"a", "b"}, Remove: []string{"old"}, Last: []string{"_VERIFY.json"}})
			WriteFile(fsys, path.Join(s.Dir, journalName), j)
			WriteFile(fsys, path.Join(s.Dir, "_VERIFY.json"), []byte("after"))
			for _, f := range []string{"a", "b"} {
				dir := s.Dir
				if slices.Contains(c.moved, f) {
					dir = target
				}
				WriteFile(fsys, path.Join(dir, f), []byte(f))
			}
			live := NewStage(fsys, target, NewRunID())
			l, notes, err := live.Lock(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			l.Release()
			if !strings.Contains(strings.Join(notes, "\n"), c.wantNote) {
				t.Errorf("notes %q", notes)
			}
			var got []string
			list, _ := fsys.ReadDir(target)
			for _, fi := range list {
				got = append(got, fi.Name())
			}
			if !slices.Equal(got, c.wantTarget) {
				t.Errorf("target holds %v, want %v", got, c.wantTarget)
			}
			manifest, _ := ReadFile(fsys, path.Join(target, "_VERIFY.json"))
			if want := map[string]string{"undo": "before", "complete": "after"}[c.name]; string(manifest) != want {
				t.Errorf("_VERIFY.json holds %q, want %q", manifest, want)
			}
			if ok, _ := Exists(fsys, s.Dir); ok {
				t.Error("the dead run's staging directory stayed")
			}
		})
	}
}

// The owner and target name read back from a sibling's name, whatever the
// target's name holds ("_", "-", digits).
func TestOwnedNames(t *testing.T) {
	dir := t.TempDir()
	o := Owner{Host: "host-1.example", PID: 4242, RunID: "20261122T010101-abcdef"}
	for _, base := range []string{"dt=2026_11", "a-1_2-3", "x", "dt=2026-11-01", "p_1_2"} {
		name := ownedName(stagingKind, o, base)
		if err := Local().MkdirAll(filepath.ToSlash(filepath.Join(dir, name))); err != nil {
			t.Fatal(err)
		}
	}
	list, _ := Local().ReadDir(filepath.ToSlash(dir))
	var bases []string
	for _, e := range list {
		got, base, ok := parseOwned(e, stagingKind)
		if !ok || got.Host != o.Host || got.PID != o.PID || got.RunID != o.RunID || !got.Start.Equal(time.Date(2026, 11, 22, 1, 1, 1, 0, time.UTC)) {
			t.Errorf("%s: %+v, %v", e.Name(), got, ok)
		}
		bases = append(bases, base)
	}
	slices.Sort(bases)
	if want := []string{"a-1_2-3", "dt=2026-11-01", "dt=2026_11", "p_1_2", "x"}; !slices.Equal(bases, want) {
		t.Errorf("bases %v, want %v", bases, want)
	}
	if !strings.HasPrefix(ownedName(stagingKind, o, "dt=1"), ".datax-staging-dt=1-") {
		t.Error("the name does not start as earlier versions' did")
	}
}
