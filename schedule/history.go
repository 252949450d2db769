package schedule

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// Run statuses.
const (
	StatusOK      = "ok"
	StatusFailed  = "failed"
	StatusSkipped = "skipped" // not run: the previous run was still going, or the scheduler stopped
	StatusStopped = "stopped" // cancelled by a stop; nothing was published
)

// Run is one line of the run history.
type Run struct {
	Job           string        `json:"job"`
	Scheduled     time.Time     `json:"scheduled"`
	Start         time.Time     `json:"start"`
	End           time.Time     `json:"end"`
	Status        string        `json:"status"`
	Attempts      int           `json:"attempts,omitempty"`
	Waited        string        `json:"waited,omitempty"`
	Rows          int64         `json:"rows"`
	Bytes         int64         `json:"bytes"`
	RecordsPerSec float64       `json:"recordsPerSec,omitempty"`
	Tables        []TableResult `json:"tables,omitempty"`
	Error         string        `json:"error,omitempty"`
	// Anomaly says how the row count departs from the job's history.
	Anomaly string `json:"anomaly,omitempty"`
}

// History is the append-only run history file.
type History struct {
	path string
	mu   sync.Mutex
}

// OpenHistory returns the history kept in path (created on first append).
func OpenHistory(path string) *History { return &History{path: path} }

// Append adds a run; a write failure is returned and also left in the file's
// absence for the caller's log.
func (h *History) Append(r Run) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if dir := filepath.Dir(h.path); dir != "" {
		os.MkdirAll(dir, 0o755)
	}
	f, err := os.OpenFile(h.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("run history: %w", err)
	}
	data, _ := json.Marshal(r)
	_, err = f.Write(append(data, '\n'))
	return errors.Join(err, f.Close())
}

// List returns the runs of job (all jobs when empty), oldest first, at most
// the last limit of them (0: all).
func (h *History) List(job string, limit int) ([]Run, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f, err := os.Open(h.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("run history: %w", err)
	}
	defer f.Close()
	var runs []Run
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for line := 1; sc.Scan(); line++ {
		var r Run
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("run history %s:%d: %v", h.path, line, err)
		}
		if job == "" || r.Job == job {
			runs = append(runs, r)
		}
	}
	if limit > 0 && len(runs) > limit {
		runs = runs[len(runs)-limit:]
	}
	return runs, sc.Err()
}

// anomalyWindow is how many past successful runs the median is taken over,
// and anomalyMinRuns how many there must be before a run is judged.
const (
	anomalyWindow  = 7
	anomalyMinRuns = 3
)

// Anomaly compares rows with the median of the job's last successful runs
// and describes a sharp departure (below median/factor or above
// median×factor); "" when the run looks ordinary or the history is short.
func (h *History) Anomaly(job string, rows int64, factor float64) string {
	runs, err := h.List(job, 0)
	if err != nil {
		return ""
	}
	var past []int64
	for i := len(runs) - 1; i >= 0 && len(past) < anomalyWindow; i-- {
		if runs[i].Status == StatusOK {
			past = append(past, runs[i].Rows)
		}
	}
	if len(past) < anomalyMinRuns {
		return ""
	}
	slices.Sort(past)
	median := float64(past[len(past)/2])
	if len(past)%2 == 0 {
		median = float64(past[len(past)/2-1]+past[len(past)/2]) / 2
	}
	r := float64(rows)
	if r < median/factor || r > median*factor {
		return fmt.Sprintf("%d rows against a median of %.0f over the last %d successful runs", rows, median, len(past))
	}
	return ""
}
