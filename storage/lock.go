package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"time"
)

// LockWait is how long a run waits for a publish lock that a live run holds
// before it fails.
const LockWait = time.Hour

// takeoverMaxAge bounds a takeover in progress: taking over a lock is a
// read, a remove and a create.
const takeoverMaxAge = 10 * time.Minute

// Lock is the publish lock of one target directory: the file
// <parent>/.datax-lock-<name>, created exclusively (it fails when the file
// exists, on local disk and on HDFS alike) and holding its owner as JSON.
// Runs that publish into the same target (concurrent jobs appending into one
// table directory, or two runs of one job) take it in turn, so that two
// publishes never interleave and each rewrites _VERIFY.json from the state
// the previous one left. A lock whose owner is provably gone (see Owner,
// with LockMaxAge) is taken over.
type Lock struct {
	fs   FS
	path string
	data []byte
}

// lockFile is the content of a lock file.
type lockFile struct {
	Owner
	Target string `json:"target"`
}

// LockPath returns the lock file of target.
func LockPath(target string) string {
	return path.Join(path.Dir(target), ".datax-lock-"+path.Base(target))
}

// AcquireLock takes the publish lock of target for owner, waiting (up to
// LockWait, and while ctx lasts) while a live run holds it. It returns what
// it did beyond taking a free lock (a takeover), for the log; log, if not
// nil, hears about the wait.
func AcquireLock(ctx context.Context, fsys FS, target string, owner Owner, log *slog.Logger) (*Lock, []string, error) {
	p := LockPath(target)
	owner.Start = time.Now() // the age rule counts from taking the lock
	data, err := json.Marshal(lockFile{Owner: owner, Target: target})
	if err != nil {
		return nil, nil, err
	}
	data = append(data, '\n')
	if err := fsys.MkdirAll(path.Dir(p)); err != nil {
		return nil, nil, fmt.Errorf("publish lock %s: %w", URL(fsys, p), err)
	}
	var notes []string
	start, lastLog := time.Now(), time.Now()
	wait := 50 * time.Millisecond
	for {
		cerr := createExclusive(fsys, p, data)
		if cerr == nil {
			return &Lock{fs: fsys, path: p, data: data}, notes, nil
		}
		holder, raw, partial, err := readOwner(fsys, p)
		if IsNotExist(err) {
			continue // released meanwhile
		}
		if err != nil {
			return nil, notes, fmt.Errorf("publish lock %s: %w", URL(fsys, p), errors.Join(cerr, err))
		}
		maxAge := LockMaxAge
		if partial {
			maxAge = takeoverMaxAge
		}
		if gone, why := holder.Gone(maxAge); gone {
			took, err := takeOver(fsys, p, raw, data)
			if err != nil {
				return nil, notes, fmt.Errorf("taking over the publish lock %s of %s (%s): %w", URL(fsys, p), holder, why, err)
			}
			if took {
				notes = append(notes, fmt.Sprintf("took over the publish lock %s of %s: %s", URL(fsys, p), holder, why))
				return &Lock{fs: fsys, path: p, data: data}, notes, nil
			}
			continue
		}
		if time.Since(start) > LockWait {
			return nil, notes, fmt.Errorf("the publish lock %s is held by %s; waited %s. If that run is gone (it is on another host, or its process was restarted), remove the file",
				URL(fsys, p), holder, LockWait)
		}
		if log != nil && time.Since(lastLog) >= 30*time.Second {
			log.Info("waiting for another run's publish into the same directory", "lock", URL(fsys, p), "holder", holder.String(), "waited", time.Since(start).Round(time.Second))
			lastLog = time.Now()
		}
		select {
		case <-ctx.Done():
			return nil, notes, fmt.Errorf("waiting for the publish lock %s held by %s: %w", URL(fsys, p), holder, context.Cause(ctx))
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// takeOver replaces the lock p, whose content was stale (its owner is gone),
// by a lock with data. A second file, p.takeover, created exclusively, makes
// sure that only one run takes over: it removes p only if p still holds
// stale. It reports false when another run got in first (try again).
func takeOver(fsys FS, p string, stale, data []byte) (bool, error) {
	tp := p + ".takeover"
	if err := createExclusive(fsys, tp, data); err != nil {
		// Another run is taking over; its takeover file is removed if that
		// run died in the middle of it.
		if holder, _, _, err := readOwner(fsys, tp); err == nil {
			if gone, _ := holder.Gone(takeoverMaxAge); gone {
				fsys.RemoveAll(tp)
			}
		}
		return false, nil
	}
	defer fsys.RemoveAll(tp)
	cur, err := ReadFile(fsys, p)
	if IsNotExist(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !bytes.Equal(cur, stale) {
		return false, nil
	}
	if err := fsys.RemoveAll(p); err != nil {
		return false, err
	}
	return createExclusive(fsys, p, data) == nil, nil
}

// readOwner reads a lock file. One without a readable owner (partial: its
// writer is between creating and writing it, or died there) is dated by its
// modification time; callers let it go after takeoverMaxAge.
func readOwner(fsys FS, p string) (o Owner, raw []byte, partial bool, err error) {
	raw, err = ReadFile(fsys, p)
	if err != nil {
		return Owner{}, nil, false, err
	}
	var lf lockFile
	if json.Unmarshal(raw, &lf) == nil && lf.PID > 0 {
		return lf.Owner, raw, false, nil
	}
	fi, err := fsys.Stat(p)
	if err != nil {
		return Owner{}, nil, false, err
	}
	return Owner{Start: fi.ModTime()}, raw, true, nil
}

// createExclusive creates p with data; it fails when p exists.
func createExclusive(fsys FS, p string, data []byte) error {
	w, err := fsys.Create(p)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fsys.RemoveAll(p)
	}
	return err
}

// Release gives the lock up. It fails, leaving the file alone, when the
// lock is no longer this run's (removed or taken over meanwhile).
func (l *Lock) Release() error {
	if l == nil {
		return nil
	}
	cur, err := ReadFile(l.fs, l.path)
	if IsNotExist(err) {
		return fmt.Errorf("the publish lock %s vanished while this run held it", URL(l.fs, l.path))
	}
	if err != nil {
		return err
	}
	if !bytes.Equal(cur, l.data) {
		return fmt.Errorf("the publish lock %s was taken over by another run while this run held it", URL(l.fs, l.path))
	}
	return l.fs.RemoveAll(l.path)
}
