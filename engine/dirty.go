package engine

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"datax/channel"
	"datax/record"
)

// dirtyLog writes dirty records to a JSON-lines file (created at the first
// one) and enforces errorLimit.record. Each line holds the content entry, the
// task, the attempt, the reason and the record's columns.
type dirtyLog struct {
	path  string
	limit int64 // < 0: none
	mu    sync.Mutex
	f     *os.File
	w     *bufio.Writer
	count atomic.Int64 // dirty records of successful and running attempts
	err   error        // first write error
}

func newDirtyLog(path string, limit *int64) *dirtyLog {
	d := &dirtyLog{path: path, limit: -1}
	if limit != nil {
		d.limit = *limit
	}
	return d
}

// attemptRejecter is the channel.Rejecter of one task attempt.
type attemptRejecter struct {
	log     *dirtyLog
	entry   int
	task    string
	attempt int
	count   atomic.Int64
}

type dirtyLine struct {
	Content int            `json:"content"`
	Task    string         `json:"task"`
	Attempt int            `json:"attempt"`
	Reason  string         `json:"reason"`
	Record  map[string]any `json:"record,omitempty"`
	Raw     string         `json:"raw,omitempty"`
}

func (a *attemptRejecter) Reject(b *record.Batch, row int, raw []byte, reason error) error {
	a.count.Add(1)
	n := a.log.count.Add(1)
	line := dirtyLine{Content: a.entry, Task: a.task, Attempt: a.attempt, Reason: reason.Error()}
	if b != nil {
		line.Record = rowMap(b, row)
	} else {
		line.Raw = string(raw)
	}
	if err := a.log.write(&line); err != nil {
		return fmt.Errorf("dirty record file: %w", err)
	}
	if a.log.limit >= 0 && n > a.log.limit {
		return fmt.Errorf("%w: %d dirty records, job.setting.errorLimit.record allows %d; they are in %s (last: %v)",
			channel.ErrDirtyLimit, n, a.log.limit, a.log.path, reason)
	}
	return nil
}

// discard forgets the dirty records of a failed attempt: its retry will
// report them again.
func (a *attemptRejecter) discard() { a.log.count.Add(-a.count.Load()) }

// rowMap renders a row as column name → text (nil for null).
func rowMap(b *record.Batch, row int) map[string]any {
	schema := b.Schema()
	m := make(map[string]any, len(schema))
	for j, c := range schema {
		v := b.Col(j)
		if row >= v.Len() || v.IsNull(row) {
			m[c.Name] = nil
			continue
		}
		m[c.Name] = string(record.AppendText(nil, v, row, c))
	}
	return m
}

func (d *dirtyLog) write(line *dirtyLine) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return d.err
	}
	if d.f == nil {
		if dir := filepath.Dir(d.path); dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				d.err = err
				return err
			}
		}
		f, err := os.OpenFile(d.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			d.err = err
			return err
		}
		d.f, d.w = f, bufio.NewWriter(f)
	}
	data, err := json.Marshal(line)
	if err != nil {
		return err
	}
	d.w.Write(data)
	d.w.WriteByte('\n')
	return nil
}

// close flushes the file; it reports whether one was written.
func (d *dirtyLog) close() (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.f == nil {
		return false, d.err
	}
	err := errors.Join(d.w.Flush(), d.f.Close())
	d.f = nil
	return true, err
}
