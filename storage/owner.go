package storage

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// Owner identifies the run that made a staging directory or holds a
// publish lock: its host, process id and start time.
//
// What a run leaves behind is removed (a lock taken over) only when its
// owner is provably gone:
//   - on this host, when the process no longer runs, or when its pid now
//     belongs to a process that started after the owner did (the pid was
//     reused, e.g. in a restarted container);
//   - on another host (whose processes cannot be looked at), when the owner
//     started longer ago than a generous age: StagingMaxAge for staging
//     directories (a job may run for days), LockMaxAge for a publish lock.
//
// Hosts are told apart by their host name, so runs in containers that share
// a host name but not a process table count as the same host only if they
// also share /proc; give such containers distinct host names.
type Owner struct {
	Host  string    `json:"host"`
	PID   int       `json:"pid"`
	Start time.Time `json:"start"`
	RunID string    `json:"runId,omitempty"`
}

const (
	// StagingMaxAge is how old the staging directory of a run on another
	// host must be before it counts as abandoned.
	StagingMaxAge = 7 * 24 * time.Hour
	// LockMaxAge is how old a publish lock held by a run on another host
	// must be before it counts as abandoned. A publish holds the lock for
	// its renames and, the first time it writes into a directory that
	// other tools fill, for checksumming their files.
	LockMaxAge = 24 * time.Hour
)

// hostName is this host's name as Owner records it.
var hostName = sync.OnceValue(func() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "localhost"
	}
	return cleanHost(h)
})

// cleanHost keeps a host name usable inside a file name: letters, digits,
// '.' and '-'; anything else becomes '-'.
func cleanHost(h string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '-'
	}, h)
}

// Self returns the owner of this process for run runID, started at start.
func Self(runID string, start time.Time) Owner {
	return Owner{Host: hostName(), PID: os.Getpid(), Start: start, RunID: runID}
}

// startSlack absorbs the precision of recorded and reported start times
// (run ids carry seconds; the kernel reports boot time in seconds).
const startSlack = 2 * time.Second

// Gone reports whether the owner is provably gone (see Owner), and why;
// maxAge is the age rule for owners on other hosts.
func (o Owner) Gone(maxAge time.Duration) (bool, string) {
	if o.Host == hostName() && o.PID > 0 {
		if alive, known := processAlive(o.PID, o.Start.Add(startSlack)); known {
			if alive {
				return false, ""
			}
			return true, fmt.Sprintf("process %d on %s is gone", o.PID, o.Host)
		}
	}
	if o.Start.IsZero() {
		return false, ""
	}
	if age := time.Since(o.Start); age > maxAge {
		where := "another host"
		if o.Host != "" {
			where = o.Host
		}
		return true, fmt.Sprintf("started on %s %s ago, longer than %s", where, age.Round(time.Minute), maxAge)
	}
	return false, ""
}

// String describes the owner for messages.
func (o Owner) String() string {
	s := fmt.Sprintf("pid %d on %s", o.PID, o.Host)
	if o.Host == "" {
		s = "an unknown process"
	}
	if o.RunID != "" {
		s = "run " + o.RunID + " (" + s + ")"
	}
	if !o.Start.IsZero() {
		s += ", started " + o.Start.UTC().Format(time.RFC3339)
	}
	return s
}
