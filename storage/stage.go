package storage

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"
)

// Stage is the staging area of one run's output for one target directory (a
// partition such as <table>/dt=20261122, or a plain directory). Files are
// written into Dir, a hidden sibling of the target
// (<parent>/.datax-staging-<target name>-<run id>), and become visible only
// by Publish, which renames. A run that dies leaves Dir behind, hidden; the
// next run for the same target removes it (Clean), so it is never published.
type Stage struct {
	FS     FS
	Target string // the directory that becomes visible
	RunID  string
	Dir    string // where this run writes
}

// Publish modes.
type Mode int

const (
	// Merge moves the staged files into the target, which may hold files
	// already (append). A fresh target is published by one rename.
	Merge Mode = iota
	// Replace swaps the target for the staged directory (insert overwrite):
	// the old target is renamed aside, the new one renamed in, the old one
	// removed. A reader sees the old or the new content, never a mix.
	Replace
)

const (
	stagingInfix = ".datax-staging-"
	trashInfix   = ".datax-trash-"
)

// NewRunID returns a sortable, unique id for one run: UTC time and randomness.
func NewRunID() string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
}

// NewStage returns the stage of run runID for target (a cleaned path).
func NewStage(fsys FS, target, runID string) *Stage {
	return &Stage{FS: fsys, Target: target, RunID: runID, Dir: stagingPath(target, runID)}
}

func stagingPath(target, runID string) string {
	return path.Join(path.Dir(target), stagingInfix+path.Base(target)+"-"+runID)
}

func trashPath(target, runID string) string {
	return path.Join(path.Dir(target), trashInfix+path.Base(target)+"-"+runID)
}

// Clean removes what earlier runs for the same target left behind: staging
// directories (never published) and, after a run that died between the two
// renames of Replace, restores the old target from the trash if the target is
// missing (else removes the trash). It returns what it removed or restored.
// Two runs must not write the same target at the same time.
func (s *Stage) Clean() ([]string, error) {
	parent := path.Dir(s.Target)
	entries, err := s.FS.ReadDir(parent)
	if err != nil {
		if IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	base := path.Base(s.Target)
	var done []string
	var trash []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, stagingInfix+base+"-") && name != path.Base(s.Dir):
			p := path.Join(parent, name)
			if err := s.FS.RemoveAll(p); err != nil {
				return done, fmt.Errorf("removing the leftover staging directory %s: %w", URL(s.FS, p), err)
			}
			done = append(done, "removed "+URL(s.FS, p))
		case strings.HasPrefix(name, trashInfix+base+"-"):
			trash = append(trash, path.Join(parent, name))
		}
	}
	// The newest trash is the latest good target.
	for i := len(trash) - 1; i >= 0; i-- {
		p := trash[i]
		exists, err := Exists(s.FS, s.Target)
		if err != nil {
			return done, err
		}
		if !exists {
			if err := s.FS.Rename(p, s.Target); err != nil {
				return done, fmt.Errorf("restoring %s from %s: %w", URL(s.FS, s.Target), URL(s.FS, p), err)
			}
			done = append(done, "restored "+URL(s.FS, s.Target)+" from "+URL(s.FS, p))
			continue
		}
		if err := s.FS.RemoveAll(p); err != nil {
			return done, err
		}
		done = append(done, "removed "+URL(s.FS, p))
	}
	return done, nil
}

// Create makes the staging directory (and the target's parents).
func (s *Stage) Create() error {
	if err := s.FS.MkdirAll(s.Dir); err != nil {
		return fmt.Errorf("creating the staging directory %s: %w", URL(s.FS, s.Dir), err)
	}
	return nil
}

// Discard removes the staging directory.
func (s *Stage) Discard() error { return s.FS.RemoveAll(s.Dir) }

// Publish makes the staged files visible in the target (see Mode). skip
// names staged files that Merge must not move (the caller handles them, e.g.
// a verification file it rewrites). It returns the names that were moved
// (Merge into an existing target) or nil (whole-directory rename).
func (s *Stage) Publish(mode Mode, skip ...string) ([]string, error) {
	exists, err := CheckDir(s.FS, s.Target)
	if err != nil {
		return nil, err
	}
	if !exists {
		if err := s.FS.MkdirAll(path.Dir(s.Target)); err != nil {
			return nil, err
		}
		if err := s.FS.Rename(s.Dir, s.Target); err != nil {
			return nil, fmt.Errorf("publishing %s: %w", URL(s.FS, s.Target), err)
		}
		return nil, nil
	}
	if mode == Replace {
		trash := trashPath(s.Target, s.RunID)
		if err := s.FS.Rename(s.Target, trash); err != nil {
			return nil, fmt.Errorf("moving the old %s aside: %w", URL(s.FS, s.Target), err)
		}
		if err := s.FS.Rename(s.Dir, s.Target); err != nil {
			// Put the old content back: nothing of this run is visible.
			if rerr := s.FS.Rename(trash, s.Target); rerr != nil {
				err = errors.Join(err, fmt.Errorf("restoring the old content failed too; it is in %s: %w", URL(s.FS, trash), rerr))
			}
			return nil, fmt.Errorf("publishing %s: %w", URL(s.FS, s.Target), err)
		}
		if err := s.FS.RemoveAll(trash); err != nil {
			return nil, fmt.Errorf("published %s, but removing the old content %s failed: %w", URL(s.FS, s.Target), URL(s.FS, trash), err)
		}
		return nil, nil
	}
	entries, err := s.FS.ReadDir(s.Dir)
	if err != nil {
		return nil, err
	}
	var moved []string
outer:
	for _, e := range entries {
		for _, k := range skip {
			if e.Name() == k {
				continue outer
			}
		}
		if err := s.FS.Rename(path.Join(s.Dir, e.Name()), path.Join(s.Target, e.Name())); err != nil {
			if errors.Is(err, fs.ErrExist) {
				err = fmt.Errorf("%s already exists in the target", e.Name())
			}
			return moved, fmt.Errorf("publishing into %s (%d of %d files moved): %w", URL(s.FS, s.Target), len(moved), len(entries), err)
		}
		moved = append(moved, e.Name())
	}
	return moved, nil
}
