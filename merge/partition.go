package merge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"datax/channel"
	"datax/fileformat"
	"datax/fileformat/parquet"
	"datax/fileplugin"
	"datax/plugin"
	"datax/record"
	"datax/storage"
	"datax/writer"
)

// Table is a warehouse table laid out in partitions
// <Path>/<Partition>=<day>/part-NNNNN.parquet.
type Table struct {
	// Options say which filesystem (local disk, HDFS) FS is.
	Options   storage.Options
	FS        storage.FS
	Path      string
	Partition string // default "dt"
}

// Dir returns the directory of a day's partition.
func (t Table) Dir(day string) string {
	p := t.Partition
	if p == "" {
		p = "dt"
	}
	return path.Join(t.Path, p+"="+day)
}

// Days lists the days of the table's visible partitions, ascending.
func (t Table) Days() ([]string, error) {
	entries, err := storage.Visible(t.FS, t.Path)
	if err != nil {
		if storage.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	prefix := path.Base(t.Dir("x"))
	prefix = prefix[:len(prefix)-1]
	var days []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), prefix) {
			days = append(days, strings.TrimPrefix(e.Name(), prefix))
		}
	}
	slices.Sort(days)
	return days, nil
}

// InfoName is the hidden file a merge leaves in the partition it publishes:
// the key the partition is sorted by, so that the next day's merge streams
// it without sorting.
const InfoName = "_MERGE.json"

// OrderVersion names the order (sortkey's) the partition is sorted in; a
// partition sorted in another order is sorted again.
const OrderVersion = "datax-sortkey-1"

// Info is the content of InfoName.
type Info struct {
	SortKey []string `json:"sortKey"`
	Order   string   `json:"order"`
	Day     string   `json:"day"`
	Rows    int64    `json:"rows"`
	Written string   `json:"written"`
	// Previous is the partition merged into ("" for a first snapshot).
	Previous string   `json:"previous,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
	Stats    []string `json:"stats,omitempty"`
}

// ReadInfo reads dir/_MERGE.json; nil when the partition has none.
func ReadInfo(fsys storage.FS, dir string) (*Info, error) {
	data, err := storage.ReadFile(fsys, path.Join(dir, InfoName))
	if err != nil {
		if storage.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	info := &Info{}
	if err := json.Unmarshal(data, info); err != nil {
		return nil, fmt.Errorf("%s: malformed: %v", storage.URL(fsys, path.Join(dir, InfoName)), err)
	}
	return info, nil
}

// SortedBy reports whether the partition's info says it is sorted by key in
// sortkey's order.
func (i *Info) SortedBy(key []string) bool {
	return i != nil && i.Order == OrderVersion && slices.Equal(i.SortKey, key)
}

// Partition is a Parquet partition opened for reading: its data files (the
// visible files, by name) and their common schema.
type Partition struct {
	FS     storage.FS
	Dir    string
	Files  []string
	Schema record.Schema
}

// OpenPartition lists and inspects the data files of dir. A missing
// directory is an error satisfying storage.IsNotExist.
func OpenPartition(fsys storage.FS, dir string) (*Partition, error) {
	entries, err := storage.Visible(fsys, dir)
	if err != nil {
		return nil, err
	}
	p := &Partition{FS: fsys, Dir: dir}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := path.Join(dir, e.Name())
		schema, err := inspect(fsys, name)
		if err != nil {
			return nil, err
		}
		if p.Files == nil {
			p.Schema = schema
		} else if err := sameSchema(p.Schema, schema); err != nil {
			return nil, fmt.Errorf("%s: %w than %s", storage.URL(fsys, name), err, p.Files[0])
		}
		p.Files = append(p.Files, name)
	}
	if len(p.Files) == 0 {
		// Since datax writes a file with the schema into an empty partition,
		// only an older run leaves none.
		return nil, fmt.Errorf("partition %s has no data file, so its columns are unknown: run the job that writes it again", storage.URL(fsys, dir))
	}
	return p, nil
}

func inspect(fsys storage.FS, name string) (record.Schema, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cols, err := parquet.Inspect(f, f.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", storage.URL(fsys, name), err)
	}
	return fileformat.Records(cols), nil
}

func sameSchema(a, b record.Schema) error {
	if len(a) != len(b) {
		return fmt.Errorf("has %d columns, other", len(b))
	}
	for j := range a {
		if a[j].Name != b[j].Name || a[j].Kind != b[j].Kind {
			return fmt.Errorf("has column %s where there is %s in other", b[j], a[j])
		}
	}
	return nil
}

// Stream reads the files one after the other, in name order. The decoding
// runs in its own goroutine, a few batches ahead of the consumer; it stops
// when ctx ends or Close is called.
func (p *Partition) Stream(ctx context.Context) *PartitionStream {
	ctx, cancel := context.WithCancelCause(ctx)
	pipe := channel.New(channel.Options{BatchRows: 4096})
	done := make(chan struct{})
	go func() {
		defer close(done)
		out := pipe.Sender()
		out.Close(p.send(ctx, out))
	}()
	return &PartitionStream{in: pipe.Receiver(), ctx: ctx, cancel: cancel, done: done}
}

// send decodes the files into batches of out.
func (p *Partition) send(ctx context.Context, out *channel.Sender) error {
	for _, name := range p.Files {
		if err := p.sendFile(ctx, name, out); err != nil {
			return err
		}
	}
	return nil
}

func (p *Partition) sendFile(ctx context.Context, name string, out *channel.Sender) error {
	f, err := p.FS.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	dec, err := parquet.NewDecoder(f, f.Size(), nil)
	if err != nil {
		return fmt.Errorf("%s: %w", storage.URL(p.FS, name), err)
	}
	defer dec.Close()
	if err := sameSchema(p.Schema, dec.Schema()); err != nil {
		return fmt.Errorf("%s: %w than the partition's first file", storage.URL(p.FS, name), err)
	}
	reject := func(raw []byte, reason error) error {
		return fmt.Errorf("%s: unreadable row: %w", storage.URL(p.FS, name), reason)
	}
	for {
		b, err := out.Batch(ctx, p.Schema)
		if err != nil {
			return err
		}
		err = dec.Read(b, out.Full, reject)
		if serr := out.Send(ctx, b); serr != nil {
			return serr
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", storage.URL(p.FS, name), err)
		}
	}
}

// PartitionStream is the Stream of a partition's rows.
type PartitionStream struct {
	in     *channel.Receiver
	ctx    context.Context
	cancel context.CancelCauseFunc
	done   chan struct{}
}

// Next returns the next batch, valid until the following call.
func (s *PartitionStream) Next() (*record.Batch, error) { return s.in.Next(s.ctx) }

// Close stops the decoding and waits for it.
func (s *PartitionStream) Close() {
	s.cancel(errors.New("partition stream closed"))
	<-s.done
}

// WriterOptions configure a PartitionWriter.
type WriterOptions struct {
	// Compression of the Parquet files (snappy by default).
	Compression string
	// FileRows starts a new file after this many rows (0: one file).
	FileRows int64
}

// PartitionWriter writes one partition through the file writer of the
// hdfswriter plugin (fileplugin.Writer: Parquet files in a hidden staging
// directory, _VERIFY.json, publish by rename replacing what was there —
// insert overwrite — then _SUCCESS), fed by one task; the encoding runs in
// its own goroutine beside the merge. After publishing it adds _MERGE.json.
type PartitionWriter struct {
	w      *fileplugin.Writer
	fsys   storage.FS
	dir    string
	schema record.Schema
	pipe   *channel.Pipe
	ctx    context.Context
	cancel context.CancelCauseFunc
	done   chan error
	ended  bool
}

// NewPartitionWriter stages partition day of table t for rows of schema.
// Leftovers of earlier runs that died are cleaned up first.
func NewPartitionWriter(ctx context.Context, t Table, day string, schema record.Schema, opts WriterOptions, env plugin.Env) (*PartitionWriter, error) {
	part := path.Base(t.Dir(day))
	w := fileplugin.NewWriter(fileplugin.WriterConfig{
		FS: t.Options, Path: t.Path, Partition: part, WriteMode: "truncate",
		Parquet: true, ParquetOptions: parquet.Options{Compression: opts.Compression}, RollRows: opts.FileRows,
	}, env)
	target, err := w.Prepare(ctx, schema, 1)
	if err != nil {
		w.Close()
		return nil, err
	}
	pw := &PartitionWriter{w: w, fsys: t.FS, dir: t.Dir(day), schema: schema, done: make(chan error, 1)}
	var stages []channel.Stage
	if target != nil {
		conf, err := record.NewConformer(schema, target)
		if err != nil {
			w.Abort(ctx)
			w.Close()
			return nil, err
		}
		if !conf.Identity() {
			stages = append(stages, conf.Conform)
		}
	}
	pw.ctx, pw.cancel = context.WithCancelCause(ctx)
	pw.pipe = channel.New(channel.Options{BatchRows: 4096})
	in := pw.pipe.Receiver(stages...)
	go func() { pw.done <- w.Write(pw.ctx, writer.Task{Index: 0, Source: "merge"}, in) }()
	return pw, nil
}

// Sink returns where the rows go.
func (w *PartitionWriter) Sink() Sink {
	return SenderSink{Ctx: w.ctx, Out: w.pipe.Sender(), Schema: w.schema}
}

// Commit ends the rows, publishes the partition and adds the merge info
// (nil: none).
func (w *PartitionWriter) Commit(info *Info) error {
	w.pipe.Sender().Close(nil)
	err := <-w.done
	w.ended = true
	if err == nil {
		err = w.w.Commit(w.ctx)
	}
	if err != nil {
		w.w.Abort(context.Background())
		w.w.Close()
		return err
	}
	defer w.w.Close()
	m := w.w.Published()
	if info != nil && m != nil {
		info.Rows = m.Rows
		info.Written = time.Now().UTC().Format(time.RFC3339)
		data, _ := json.MarshalIndent(info, "", "  ")
		name := path.Join(w.dir, InfoName)
		w.fsys.RemoveAll(name)
		if err := storage.WriteFile(w.fsys, name, append(data, '\n')); err != nil {
			return fmt.Errorf("published, but writing %s failed (the next merge will sort the partition again): %w", InfoName, err)
		}
	}
	return nil
}

// Abort discards everything staged; nothing becomes visible.
func (w *PartitionWriter) Abort(cause error) error {
	if cause == nil {
		cause = errors.New("aborted")
	}
	if !w.ended {
		w.cancel(cause)
		w.pipe.Sender().Close(cause)
		<-w.done
		w.ended = true
	}
	defer w.w.Close()
	return w.w.Abort(context.Background())
}
