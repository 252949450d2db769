package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Stage is the staging area of one run's output for one target directory (a
// partition such as <table>/dt=20261122, or a plain directory). Files are
// written into Dir, a hidden sibling of the target named after the target
// and the run's owner (<parent>/.datax-staging-<target name>-<pid>_<host>_<run
// id>), and become visible only by Publish, which renames.
//
// Several runs may write the same target at once (sharded jobs appending
// into one table directory): each has its own staging directory, and they
// publish in turn under the target's Lock. A run that dies leaves its
// staging directory behind, hidden; a later run removes it once its owner is
// provably gone (see Owner), never while it may still be running.
type Stage struct {
	FS     FS
	Target string // the directory that becomes visible
	RunID  string
	Dir    string // where this run writes
	Owner  Owner
	// Log, if not nil, hears about waits for the lock.
	Log *slog.Logger

	// unfinished is set while a file-by-file publish is under way: if it
	// stops midway, Discard keeps Dir and its journal for the repair.
	unfinished bool
}

// Plan says how Publish changes a target that exists. (A missing target is
// always published by renaming the staging directory into place.)
type Plan struct {
	// Whole swaps the whole directory for the staged one (insert overwrite
	// of a directory that belongs to the job, such as a partition): the old
	// target is renamed aside, the new one renamed in, the old one removed.
	// A reader sees the old or the new content, never a mix.
	Whole bool
	// Remove names files of the target to remove once every staged data
	// file is in it (DataX's truncate: the files of the job's prefix). A
	// reader that lists the directory between the renames and the removals
	// sees both.
	Remove []string
	// Last names staged files (the verification file) that replace the
	// target's files of the same name after the data files are in and
	// Remove is done.
	Last []string
}

const (
	stagingKind = ".datax-staging"
	trashKind   = ".datax-trash"
	// journalName, in a staging directory, records a file-by-file publish
	// under way, so that one that stops midway can be completed or undone.
	journalName = ".datax-publish.json"
	runIDLayout = "20060102T150405"
)

// NewRunID returns a sortable, unique id for one run: UTC time and randomness.
func NewRunID() string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format(runIDLayout) + "-" + hex.EncodeToString(b[:])
}

// NewStage returns the stage of run runID of this process for target (a
// cleaned path).
func NewStage(fsys FS, target, runID string) *Stage {
	runID = strings.ReplaceAll(runID, "_", "-") // "_" separates the owner's fields in Dir's name
	start := time.Now()
	if t, ok := runIDTime(runID); ok {
		start = t
	}
	return NewStageOf(fsys, target, Self(runID, start))
}

// NewStageOf returns the stage of the run o for target. (NewStage is this
// process's; tests make the leftovers of other runs with it.)
func NewStageOf(fsys FS, target string, o Owner) *Stage {
	s := &Stage{FS: fsys, Target: target, RunID: o.RunID, Owner: o}
	s.Dir = path.Join(path.Dir(target), ownedName(stagingKind, o, path.Base(target)))
	return s
}

// runIDTime returns the time a run id of NewRunID starts with.
func runIDTime(runID string) (time.Time, bool) {
	if len(runID) < len(runIDLayout) {
		return time.Time{}, false
	}
	t, err := time.Parse(runIDLayout, runID[:len(runIDLayout)])
	return t, err == nil
}

// ownedName names a run's hidden sibling of a target:
// <kind>-<base>-<pid>_<host>_<run id>. Host names and run ids hold no "_",
// so the owner reads back from the right whatever the target's name holds;
// and the name starts with <kind>-<base>- as earlier versions' did.
func ownedName(kind string, o Owner, base string) string {
	return fmt.Sprintf("%s-%s-%d_%s_%s", kind, base, o.PID, o.Host, o.RunID)
}

// legacyRunID is the run id that earlier versions appended to
// .datax-staging-<base>- and .datax-trash-<base>-.
var legacyRunID = regexp.MustCompile(`-(\d{8}T\d{6}-[0-9a-f]{6})$`)

// parseOwned reads the owner and target name of a sibling named by
// ownedName, or by earlier versions (<kind>-<base>-<run id>: no owner
// recorded; the run id dates it and the age rule applies).
func parseOwned(e fs.FileInfo, kind string) (Owner, string, bool) {
	rest, ok := strings.CutPrefix(e.Name(), kind+"-")
	if !ok {
		return Owner{}, "", false
	}
	if i := strings.LastIndexByte(rest, '_'); i > 0 {
		if j := strings.LastIndexByte(rest[:i], '_'); j > 0 {
			if k := strings.LastIndexByte(rest[:j], '-'); k > 0 {
				if pid, err := strconv.Atoi(rest[k+1 : j]); err == nil && pid > 0 {
					o := Owner{PID: pid, Host: rest[j+1 : i], RunID: rest[i+1:], Start: e.ModTime()}
					if t, ok := runIDTime(o.RunID); ok {
						o.Start = t
					}
					return o, rest[:k], true
				}
			}
		}
	}
	m := legacyRunID.FindStringSubmatchIndex(rest)
	if m == nil {
		return Owner{}, "", false
	}
	o := Owner{RunID: rest[m[2]:m[3]]}
	o.Start, _ = runIDTime(o.RunID)
	return o, rest[:m[0]], true
}

// Lock takes the target's publish lock (see AcquireLock) and then repairs
// what runs that died left beside the target: a whole-directory swap
// stopped between its renames (the old content is restored from the trash
// if the target is missing), a file-by-file publish stopped midway
// (completed if all its files were in, else undone), and staging directories
// whose owner is provably gone (removed). It returns what it did, for the
// log. Publish with the lock held; Release it after.
func (s *Stage) Lock(ctx context.Context) (*Lock, []string, error) {
	l, notes, err := AcquireLock(ctx, s.FS, s.Target, s.Owner, s.Log)
	if err != nil {
		return nil, notes, err
	}
	done, err := s.repair()
	notes = append(notes, done...)
	if err != nil {
		l.Release()
		return nil, notes, err
	}
	return l, notes, nil
}

// repair does Lock's repairs; the lock is held.
func (s *Stage) repair() ([]string, error) {
	parent, base := path.Dir(s.Target), path.Base(s.Target)
	entries, err := s.FS.ReadDir(parent)
	if err != nil {
		if IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	var done []string
	// Trash exists only while a whole-directory swap holds the lock, so
	// every trash of the target is left by a swap that stopped. The newest
	// is the latest good content.
	var trash []string // run ids, which sort by time
	trashDir := map[string]string{}
	for _, e := range entries {
		if o, b, ok := parseOwned(e, trashKind); ok && b == base {
			trash = append(trash, o.RunID)
			trashDir[o.RunID] = e.Name()
		}
	}
	sort.Strings(trash)
	for i := len(trash) - 1; i >= 0; i-- {
		p := path.Join(parent, trashDir[trash[i]])
		exists, err := Exists(s.FS, s.Target)
		if err != nil {
			return done, err
		}
		if !exists {
			if err := s.FS.Rename(p, s.Target); err != nil {
				return done, fmt.Errorf("restoring %s from %s: %w", URL(s.FS, s.Target), URL(s.FS, p), err)
			}
			done = append(done, "restored "+URL(s.FS, s.Target)+" from "+URL(s.FS, p)+", left by a replace that stopped between its renames")
			continue
		}
		if err := s.FS.RemoveAll(p); err != nil {
			return done, err
		}
		done = append(done, "removed "+URL(s.FS, p)+", the old content of a replace that stopped after its renames")
	}
	for _, e := range entries {
		o, b, ok := parseOwned(e, stagingKind)
		if !ok || b != base || e.Name() == path.Base(s.Dir) {
			continue
		}
		gone, why := o.Gone(StagingMaxAge)
		if !gone {
			continue // a run that may still be writing
		}
		p := path.Join(parent, e.Name())
		note, err := s.recoverPublish(p, o)
		if err != nil {
			return done, err
		}
		if note != "" {
			done = append(done, note)
		}
		if err := s.FS.RemoveAll(p); err != nil {
			return done, fmt.Errorf("removing the leftover staging directory %s: %w", URL(s.FS, p), err)
		}
		done = append(done, fmt.Sprintf("removed the staging directory %s of %s: %s", URL(s.FS, p), o, why))
	}
	return done, nil
}

// journal records a file-by-file publish under way.
type journal struct {
	Add    []string `json:"add"`
	Remove []string `json:"remove"`
	Last   []string `json:"last"`
}

// recoverPublish finishes or undoes the publish that the dead run of the
// staging directory dir stopped in the middle of, if any: when every data
// file it was moving is in the target, the removals and the Last files are
// done (the run's output is complete and replaces what it was to replace);
// otherwise the files that made it in are removed again.
func (s *Stage) recoverPublish(dir string, o Owner) (string, error) {
	data, err := ReadFile(s.FS, path.Join(dir, journalName))
	if IsNotExist(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var j journal
	if json.Unmarshal(data, &j) != nil {
		return "", nil // written before the first rename: nothing was moved
	}
	entries, err := s.FS.ReadDir(dir)
	if err != nil {
		return "", err
	}
	staged := map[string]bool{}
	for _, e := range entries {
		staged[e.Name()] = true
	}
	var moved []string
	for _, a := range j.Add {
		if !staged[a] {
			moved = append(moved, a)
		}
	}
	if len(moved) < len(j.Add) {
		for _, a := range moved {
			if err := s.FS.RemoveAll(path.Join(s.Target, a)); err != nil {
				return "", fmt.Errorf("undoing the partial publish of %s into %s: %w", o, URL(s.FS, s.Target), err)
			}
		}
		return fmt.Sprintf("undid the partial publish of %s into %s: removed the %d of its %d files that were in", o, URL(s.FS, s.Target), len(moved), len(j.Add)), nil
	}
	for _, r := range j.Remove {
		if err := s.FS.RemoveAll(path.Join(s.Target, r)); err != nil {
			return "", fmt.Errorf("completing the publish of %s into %s: %w", o, URL(s.FS, s.Target), err)
		}
	}
	for _, l := range j.Last {
		if !staged[l] {
			continue
		}
		if err := s.replaceFile(path.Join(dir, l), path.Join(s.Target, l)); err != nil {
			return "", fmt.Errorf("completing the publish of %s into %s: %w", o, URL(s.FS, s.Target), err)
		}
	}
	return fmt.Sprintf("completed the publish of %s into %s, which stopped after its %d files were in (%d old files removed)", o, URL(s.FS, s.Target), len(j.Add), len(j.Remove)), nil
}

// replaceFile moves from onto to, which may exist.
func (s *Stage) replaceFile(from, to string) error {
	if err := s.FS.RemoveAll(to); err != nil {
		return err
	}
	return s.FS.Rename(from, to)
}

// Create makes the staging directory (and the target's parents).
func (s *Stage) Create() error {
	if err := s.FS.MkdirAll(s.Dir); err != nil {
		return fmt.Errorf("creating the staging directory %s: %w", URL(s.FS, s.Dir), err)
	}
	return nil
}

// Discard removes the staging directory, unless a publish stopped midway
// (then a later run completes or undoes it once this process is gone).
func (s *Stage) Discard() error {
	if s.unfinished {
		return nil
	}
	return s.FS.RemoveAll(s.Dir)
}

// Publish makes the staged files visible in the target, as p says; hold
// the Lock. A missing target appears by one rename of the staging directory.
// Otherwise the data files are renamed into the target one by one (atomic
// per file, not across files), then p.Remove goes, then p.Last; a journal
// in the staging directory lets a later run complete or undo a publish that
// stops midway.
func (s *Stage) Publish(p Plan) error {
	exists, err := CheckDir(s.FS, s.Target)
	if err != nil {
		return err
	}
	if !exists {
		if err := s.FS.MkdirAll(path.Dir(s.Target)); err != nil {
			return err
		}
		if err := s.FS.Rename(s.Dir, s.Target); err != nil {
			return fmt.Errorf("publishing %s: %w", URL(s.FS, s.Target), err)
		}
		return nil
	}
	if p.Whole {
		return s.swap()
	}
	entries, err := s.FS.ReadDir(s.Dir)
	if err != nil {
		return err
	}
	j := journal{Remove: p.Remove}
	last := map[string]bool{}
	for _, l := range p.Last {
		last[l] = true
	}
	for _, e := range entries {
		switch {
		case e.Name() == journalName:
		case last[e.Name()]:
			j.Last = append(j.Last, e.Name())
		default:
			j.Add = append(j.Add, e.Name())
		}
	}
	data, _ := json.Marshal(j)
	jp := path.Join(s.Dir, journalName)
	if err := s.FS.RemoveAll(jp); err != nil {
		return err
	}
	if err := WriteFile(s.FS, jp, data); err != nil {
		return fmt.Errorf("publishing into %s: %w", URL(s.FS, s.Target), err)
	}
	s.unfinished = true
	for i, name := range j.Add {
		if err := s.FS.Rename(path.Join(s.Dir, name), path.Join(s.Target, name)); err != nil {
			if errors.Is(err, fs.ErrExist) {
				err = fmt.Errorf("%s already exists in the target", name)
			}
			err = fmt.Errorf("publishing into %s (%d of %d files moved): %w", URL(s.FS, s.Target), i, len(j.Add), err)
			// Move the files back: nothing of this run stays visible.
			for _, back := range j.Add[:i] {
				if rerr := s.FS.Rename(path.Join(s.Target, back), path.Join(s.Dir, back)); rerr != nil {
					return errors.Join(err, fmt.Errorf("moving %s back failed too; a later run removes the moved files: %w", back, rerr))
				}
			}
			s.unfinished = false
			return errors.Join(err, s.FS.RemoveAll(jp))
		}
	}
	// Every file is in: from here on a stop is completed, not undone.
	for _, r := range j.Remove {
		if err := s.FS.RemoveAll(path.Join(s.Target, r)); err != nil {
			return fmt.Errorf("published %d file(s) into %s, but removing the old file %s failed (a later run into it removes it): %w", len(j.Add), URL(s.FS, s.Target), r, err)
		}
	}
	for _, l := range j.Last {
		if err := s.replaceFile(path.Join(s.Dir, l), path.Join(s.Target, l)); err != nil {
			return fmt.Errorf("published %d file(s) into %s, but installing %s failed (a later run into it installs it): %w", len(j.Add), URL(s.FS, s.Target), l, err)
		}
	}
	if err := s.FS.RemoveAll(jp); err != nil {
		return err
	}
	s.unfinished = false
	return nil
}

// swap replaces the target directory by the staging directory.
func (s *Stage) swap() error {
	trash := path.Join(path.Dir(s.Target), ownedName(trashKind, s.Owner, path.Base(s.Target)))
	if err := s.FS.Rename(s.Target, trash); err != nil {
		return fmt.Errorf("moving the old %s aside: %w", URL(s.FS, s.Target), err)
	}
	if err := s.FS.Rename(s.Dir, s.Target); err != nil {
		// Put the old content back: nothing of this run is visible.
		if rerr := s.FS.Rename(trash, s.Target); rerr != nil {
			err = errors.Join(err, fmt.Errorf("restoring the old content failed too; it is in %s, and the next run into it restores it: %w", URL(s.FS, trash), rerr))
		}
		return fmt.Errorf("publishing %s: %w", URL(s.FS, s.Target), err)
	}
	if err := s.FS.RemoveAll(trash); err != nil {
		return fmt.Errorf("published %s, but removing the old content %s failed: %w", URL(s.FS, s.Target), URL(s.FS, trash), err)
	}
	return nil
}
