// Package stream is the streamwriter plugin: it prints records to standard
// output or a file, or just counts them (print false), as DataX's
// streamwriter does. It is also the engine's test and benchmark sink.
package stream

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"datax/channel"
	"datax/plugin"
	"datax/record"
	"datax/spec"
	"datax/writer"
)

//go:embed example.json
var example []byte

func init() {
	writer.Register("streamwriter", "prints records to standard output or a file, or only counts them", example, New)
}

// Params are streamwriter's parameters.
type Params struct {
	Print                bool   `json:"print" default:"true" doc:"print each record; false only counts them"`
	FieldDelimiter       string `json:"fieldDelimiter" default:"\t" doc:"text between fields"`
	NullFormat           string `json:"nullFormat" default:"null" doc:"text printed for a null"`
	Encoding             string `json:"encoding" default:"UTF-8" enum:"UTF-8" doc:"output encoding"`
	Path                 string `json:"path" doc:"directory to write into instead of standard output (with fileName)"`
	FileName             string `json:"fileName" doc:"file name under path"`
	RecordNumBeforeSleep int64  `json:"recordNumBeforeSleep" doc:"sleep sleepTime after every this many records of a task (DataX's throttle for tests)"`
	SleepTime            int64  `json:"sleepTime" doc:"milliseconds to sleep, see recordNumBeforeSleep"`
}

// Validate checks that path and fileName come together.
func (p *Params) Validate() error {
	if (p.Path == "") != (p.FileName == "") {
		return spec.Errorf("fileName", "path and fileName go together: give both to write a file, neither to print")
	}
	if p.RecordNumBeforeSleep < 0 || p.SleepTime < 0 {
		return spec.Errorf("sleepTime", "recordNumBeforeSleep and sleepTime must not be negative")
	}
	return nil
}

type streamWriter struct {
	p      *Params
	mu     sync.Mutex
	out    io.Writer
	file   *os.File
	schema record.Schema
}

// New builds a streamwriter.
func New(p *Params, env plugin.Env) (writer.Writer, error) {
	return &streamWriter{p: p, out: os.Stdout}, nil
}

// Prepare opens the output file, if any. Records are printed as they come.
func (w *streamWriter) Prepare(ctx context.Context, src record.Schema, tasks int) (record.Schema, error) {
	w.schema = src
	if w.p.Path != "" && w.p.Print {
		if err := os.MkdirAll(w.p.Path, 0o755); err != nil {
			return nil, plugin.Permanent(err)
		}
		f, err := os.Create(filepath.Join(w.p.Path, w.p.FileName))
		if err != nil {
			return nil, plugin.Permanent(err)
		}
		w.file, w.out = f, f
	}
	return nil, nil
}

// Write prints or counts one task's records.
func (w *streamWriter) Write(ctx context.Context, t writer.Task, in *channel.Receiver) error {
	var buf []byte
	var sinceSleep int64
	for {
		b, err := in.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if w.p.RecordNumBeforeSleep > 0 {
			sinceSleep += int64(b.Len())
			for ; sinceSleep >= w.p.RecordNumBeforeSleep; sinceSleep -= w.p.RecordNumBeforeSleep {
				select {
				case <-time.After(time.Duration(w.p.SleepTime) * time.Millisecond):
				case <-ctx.Done():
					return context.Cause(ctx)
				}
			}
		}
		if !w.p.Print {
			continue
		}
		buf = appendRows(buf[:0], b, w.p.FieldDelimiter, w.p.NullFormat)
		w.mu.Lock()
		_, err = w.out.Write(buf)
		w.mu.Unlock()
		if err != nil {
			return err
		}
	}
}

func appendRows(buf []byte, b *record.Batch, delim, null string) []byte {
	schema := b.Schema()
	n := b.Len()
	for i := 0; i < n; i++ {
		for j, c := range schema {
			if j > 0 {
				buf = append(buf, delim...)
			}
			v := b.Col(j)
			if v.IsNull(i) {
				buf = append(buf, null...)
				continue
			}
			buf = record.AppendText(buf, v, i, c)
		}
		buf = append(buf, '\n')
	}
	return buf
}

// Commit closes the output file; printed records are already visible.
func (w *streamWriter) Commit(ctx context.Context) error {
	return w.closeFile()
}

// Close releases the output file if Commit did not run.
func (w *streamWriter) Close() error { return w.closeFile() }

func (w *streamWriter) closeFile() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.file == nil {
		return nil
	}
	err := w.file.Close()
	w.file = nil
	if err != nil {
		return fmt.Errorf("%s: %w", strings.TrimSpace(w.p.FileName), err)
	}
	return nil
}
