package fileplugin

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strings"
	"sync"
	"syscall"
	"unicode"
	"unicode/utf8"

	"datax/channel"
	"datax/fileformat"
	"datax/fileformat/parquet"
	"datax/fileformat/text"
	"datax/plugin"
	"datax/record"
	"datax/storage"
	"datax/verify"
	"datax/writer"
)

// Write modes (DataX's).
const (
	Append      = "append"
	NonConflict = "nonConflict"
	Truncate    = "truncate"
)

// WriterConfig is what a file writer plugin maps its parameters onto.
type WriterConfig struct {
	FS storage.Options
	// Path is the table (or target) directory; Partition, if any, the
	// partition below it ("dt=20261122/hh=01").
	Path, Partition string
	// FileName is the data files' name prefix (default "part").
	FileName string
	// WriteMode is Append, NonConflict or Truncate.
	WriteMode string
	// Columns are the file's columns; nil takes the source's.
	Columns []fileformat.Column
	// Parquet selects Parquet; else Text describes the text form.
	Parquet        bool
	ParquetOptions parquet.Options
	Text           text.Options
	// Suffix, if set, ends the data files' names instead of the format's
	// extension (DataX's suffix, e.g. ".csv").
	Suffix string
	// RollRows and RollBytes start a new file of a task after that many
	// rows or bytes (0: one file per task).
	RollRows, RollBytes int64
}

// Writer writes one task's rows into files in a staging directory and
// publishes them, with _VERIFY.json and _SUCCESS, when the job commits.
type Writer struct {
	cfg    WriterConfig
	log    *slog.Logger
	fs     storage.FS
	target string
	stage  *storage.Stage
	cols   []fileformat.Column
	ext    string

	mu        sync.Mutex
	files     map[int][]verify.File // task → files of its successful attempt
	published *verify.Manifest
	notes     []string
}

// NewWriter returns a writer; it does no I/O.
func NewWriter(cfg WriterConfig, env plugin.Env) *Writer {
	if cfg.FileName == "" {
		cfg.FileName = "part"
	}
	log := env.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := &Writer{cfg: cfg, log: log, files: map[int][]verify.File{}}
	if cfg.Parquet {
		w.ext = ".parquet"
	} else {
		w.ext = cfg.Text.Extension()
	}
	if cfg.Suffix != "" {
		w.ext = cfg.Suffix
	}
	return w
}

// Prepare connects, checks the target (a file in the way, nonConflict on
// files it would clash with), repairs what runs that died left (under the
// target's publish lock), creates the staging directory (which proves the
// target is writable) and returns the schema the rows must have.
func (w *Writer) Prepare(ctx context.Context, src record.Schema, tasks int) (record.Schema, error) {
	fsys, err := storage.Open(w.cfg.FS)
	if err != nil {
		return nil, plugin.Permanent(err)
	}
	w.fs = fsys
	root, err := storage.Clean(fsys, w.cfg.Path)
	if err != nil {
		return nil, plugin.Permanent(fmt.Errorf("path: %w", err))
	}
	if root == "/" || root == "." {
		return nil, plugin.Permanent(fmt.Errorf("path %q: name a directory below the root", w.cfg.Path))
	}
	w.target = root
	if w.cfg.Partition != "" {
		w.target = path.Join(root, w.cfg.Partition)
	}
	// Every ancestor that exists must be a directory.
	for p := w.target; ; p = path.Dir(p) {
		if _, err := storage.CheckDir(fsys, p); err != nil && !errors.Is(err, syscall.ENOTDIR) {
			return nil, plugin.Permanent(fmt.Errorf("path: %w", err))
		}
		if p == path.Dir(p) {
			break
		}
	}
	if w.cfg.WriteMode == NonConflict {
		if err := w.checkConflict(); err != nil {
			return nil, plugin.Permanent(err)
		}
	}
	if err := w.columns(src); err != nil {
		return nil, plugin.Permanent(err)
	}
	w.stage = storage.NewStage(fsys, w.target, storage.NewRunID())
	w.stage.Log = w.log
	lock, notes, err := w.stage.Lock(ctx)
	w.logNotes(notes)
	if err != nil {
		return nil, plugin.Permanent(err)
	}
	if err := lock.Release(); err != nil {
		return nil, err
	}
	if err := w.stage.Create(); err != nil {
		return nil, plugin.Permanent(err)
	}
	return fileformat.Records(w.cols), nil
}

func (w *Writer) logNotes(notes []string) {
	for _, n := range notes {
		w.log.Warn("cleaned up after an earlier run that did not finish", "what", n)
	}
}

// ownsDir reports whether the job owns its target directory: with a
// partition, the partition directory is the job's (Hive's layout), and
// truncate replaces all of it and nonConflict wants it empty. Without one,
// the target may be shared (an export directory, a table directory fed by
// several jobs), and the modes touch only the files of fileName, as
// DataX's do.
func (w *Writer) ownsDir() bool { return w.cfg.Partition != "" }

// OfPrefix reports whether the file name is one of the data files of
// fileName, in DataX's sense: it starts with fileName, and when fileName
// ends in a letter or digit the next character is not one, so that shard1
// takes shard1-…, shard1__… (DataX's) and shard1.txt, but not shard10-….
func OfPrefix(name, fileName string) bool {
	rest, ok := strings.CutPrefix(name, fileName)
	if !ok {
		return false
	}
	if rest == "" || fileName == "" {
		return true
	}
	last, _ := utf8.DecodeLastRuneInString(fileName)
	next, _ := utf8.DecodeRuneInString(rest)
	return !alnum(last) || !alnum(next)
}

func alnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// checkConflict fails nonConflict: when the target holds visible entries
// (owned directory), or entries of fileName (shared directory).
func (w *Writer) checkConflict() error {
	exists, err := storage.CheckDir(w.fs, w.target)
	if err != nil || !exists {
		return err
	}
	files, err := storage.Visible(w.fs, w.target)
	if err != nil {
		return err
	}
	if w.ownsDir() {
		if len(files) > 0 {
			return fmt.Errorf("writeMode nonConflict: %s already holds %d file(s) (%s); remove them, or use writeMode truncate (replace) or append",
				storage.URL(w.fs, w.target), len(files), files[0].Name())
		}
		return nil
	}
	var clash []string
	for _, fi := range files {
		if OfPrefix(fi.Name(), w.cfg.FileName) {
			clash = append(clash, fi.Name())
		}
	}
	if len(clash) > 0 {
		return fmt.Errorf("writeMode nonConflict: %s already holds %d file(s) of fileName %q (%s); remove them, or use writeMode truncate (replace them) or append",
			storage.URL(w.fs, w.target), len(clash), w.cfg.FileName, clash[0])
	}
	return nil
}

// columns settles the file columns: declared ones (as many as the source
// has), or the source's own.
func (w *Writer) columns(src record.Schema) error {
	if w.cfg.Columns == nil {
		for _, c := range src {
			fc, err := fileformat.FromSource(c)
			if err != nil {
				return err
			}
			w.cols = append(w.cols, fc)
		}
		return nil
	}
	if len(w.cfg.Columns) != len(src) {
		return fmt.Errorf("column lists %d columns but the reader produces %d (%s); they must match one to one", len(w.cfg.Columns), len(src), strings.Join(src.Names(), ", "))
	}
	w.cols = w.cfg.Columns
	for j := range w.cols {
		if w.cols[j].Kind == record.Decimal && w.cfg.Parquet && w.cols[j].Precision == 0 {
			return fmt.Errorf("column %s: DECIMAL needs a precision", w.cols[j].Name)
		}
	}
	return nil
}

// taskFile is one data file being written by a task attempt.
type taskFile struct {
	name  string
	w     io.WriteCloser
	buf   *bufio.Writer
	hash  *verify.Hasher
	enc   fileformat.Encoder
	rows  int64
	bytes int64 // uncompressed value bytes written
}

func (w *Writer) open(t writer.Task, seq int) (*taskFile, error) {
	name := fmt.Sprintf("%s-%s-%05d-%03d%s", w.cfg.FileName, w.stage.RunID, t.Index, seq, w.ext)
	if t.Attempt > 0 {
		name = fmt.Sprintf("%s-%s-%05d-%03d.a%d%s", w.cfg.FileName, w.stage.RunID, t.Index, seq, t.Attempt, w.ext)
	}
	f, err := w.fs.Create(path.Join(w.stage.Dir, name))
	if err != nil {
		return nil, err
	}
	tf := &taskFile{name: name, w: f, buf: bufio.NewWriterSize(f, 1<<20)}
	tf.hash = verify.NewHasher(tf.buf)
	if w.cfg.Parquet {
		opts := w.cfg.ParquetOptions
		if w.cfg.RollBytes > 0 && (opts.RowGroupBytes == 0 || opts.RowGroupBytes > w.cfg.RollBytes) {
			opts.RowGroupBytes = w.cfg.RollBytes
		}
		tf.enc, err = parquet.NewEncoder(tf.hash, w.cols, opts)
	} else {
		tf.enc, err = text.NewEncoder(tf.hash, w.cols, w.cfg.Text)
	}
	if err != nil {
		f.Close()
		return nil, plugin.Permanent(err)
	}
	return tf, nil
}

// finish closes the file and returns its manifest entry.
func (tf *taskFile) finish() (verify.File, error) {
	err := tf.enc.Close()
	if err == nil {
		err = tf.buf.Flush()
	}
	if cerr := tf.w.Close(); err == nil {
		err = cerr
	}
	return tf.hash.Entry(tf.name, tf.rows), err
}

// Write stages one task attempt's rows; a failed attempt removes its files
// before returning, so a retry starts clean.
func (w *Writer) Write(ctx context.Context, t writer.Task, in *channel.Receiver) (err error) {
	var done []verify.File
	var cur *taskFile
	defer func() {
		if err == nil {
			return
		}
		if cur != nil {
			cur.enc.Close()
			cur.w.Close()
			done = append(done, verify.File{Name: cur.name})
		}
		for _, f := range done {
			if rerr := w.fs.RemoveAll(path.Join(w.stage.Dir, f.Name)); rerr != nil {
				err = errors.Join(err, fmt.Errorf("removing the failed attempt's file %s: %w", f.Name, rerr))
			}
		}
	}()
	seq := 0
	for {
		b, err := in.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if b.Len() == 0 {
			continue
		}
		if cur == nil {
			if cur, err = w.open(t, seq); err != nil {
				return err
			}
			seq++
		}
		n, err := cur.enc.Write(b, func(row int, reason error) error { return in.Reject(b, row, reason) })
		if err != nil {
			return fmt.Errorf("%s: %w", cur.name, err)
		}
		cur.rows += int64(n)
		cur.bytes += int64(b.Size())
		if (w.cfg.RollRows > 0 && cur.rows >= w.cfg.RollRows) || (w.cfg.RollBytes > 0 && cur.hash.Size() >= w.cfg.RollBytes) {
			f, err := cur.finish()
			cur = nil
			done = append(done, f)
			if err != nil {
				return fmt.Errorf("%s: %w", f.Name, err)
			}
		}
	}
	if cur != nil {
		f, err := cur.finish()
		cur = nil
		done = append(done, f)
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
	}
	w.mu.Lock()
	w.files[t.Index] = done
	w.mu.Unlock()
	return nil
}

// Commit publishes the staged files under the target's publish lock (so
// that concurrent runs into one directory take turns), then writes
// _SUCCESS. An owned directory (a partition) that is new or truncated
// appears by rename, with its _VERIFY.json; otherwise the files are renamed
// in one by one, truncate's old files of fileName are removed, and
// _VERIFY.json is replaced by one that lists every data file the directory
// holds then. When the tasks wrote no rows the directory gets one data file
// without rows (see schemaFile) if it would hold none.
func (w *Writer) Commit(ctx context.Context) (err error) {
	m := &verify.Manifest{RunID: w.stage.RunID}
	tasks := make([]int, 0, len(w.files))
	for i := range w.files {
		tasks = append(tasks, i)
	}
	sort.Ints(tasks)
	for _, i := range tasks {
		m.Files = append(m.Files, w.files[i]...)
	}
	lock, notes, err := w.stage.Lock(ctx)
	w.logNotes(notes)
	if err != nil {
		return err
	}
	defer func() {
		if rerr := lock.Release(); rerr != nil && err == nil {
			err = rerr
		}
	}()
	exists, err := storage.CheckDir(w.fs, w.target)
	if err != nil {
		return err
	}
	if w.cfg.WriteMode == NonConflict {
		if err := w.checkConflict(); err != nil {
			return plugin.Permanent(fmt.Errorf("%w (written while this job ran)", err))
		}
	}
	what := ""
	if !exists || (w.cfg.WriteMode == Truncate && w.ownsDir()) {
		if len(m.Files) == 0 {
			if err := w.schemaFile(m); err != nil {
				return err
			}
		}
		if err := w.stamp(m.Files); err != nil {
			return err
		}
		m.Add()
		if err := verify.Write(w.fs, w.stage.Dir, m); err != nil {
			return err
		}
		if err := w.stage.Publish(storage.Plan{Whole: exists}); err != nil {
			return err
		}
	} else {
		var plan storage.Plan
		if m, plan, err = w.plan(ctx, m); err != nil {
			return err
		}
		if len(plan.Remove) > 0 {
			what = fmt.Sprintf(", replacing %d file(s) of fileName %q", len(plan.Remove), w.cfg.FileName)
		}
		// No _SUCCESS while the directory changes.
		if err := w.fs.RemoveAll(path.Join(w.target, verify.SuccessName)); err != nil {
			return err
		}
		if err := w.stage.Publish(plan); err != nil {
			return err
		}
		if err := w.stage.Discard(); err != nil {
			return err
		}
	}
	w.fs.RemoveAll(path.Join(w.target, verify.SuccessName))
	if err := storage.WriteFile(w.fs, path.Join(w.target, verify.SuccessName), nil); err != nil {
		return fmt.Errorf("published, but writing %s failed: %w", verify.SuccessName, err)
	}
	w.published = m
	w.notes = append(w.notes, fmt.Sprintf("published %s (%s%s): %d file(s), %d rows, %d bytes; verify with: datax verify %s",
		storage.URL(w.fs, w.target), w.cfg.WriteMode, what, len(m.Files), m.Rows, m.Bytes, storage.URL(w.fs, w.target)))
	return nil
}

// stamp records the modification times of staged files in their entries.
func (w *Writer) stamp(files []verify.File) error {
	for i := range files {
		fi, err := w.fs.Stat(path.Join(w.stage.Dir, files[i].Name))
		if err != nil {
			return err
		}
		files[i].ModTime = fi.ModTime().UnixNano()
	}
	return nil
}

// schemaFile stages one data file without rows when the tasks wrote none and
// the published directory would hold no data file, so that it still carries
// its columns: readers of the partition (ours, the merge, Hive, Spark,
// DuckDB) learn the schema from it (a Parquet file's footer, a text file's
// header if any) and read 0 rows, where a partition without data files has
// no schema at all. A directory that keeps data files gets none: those carry
// the schema.
func (w *Writer) schemaFile(m *verify.Manifest) error {
	tf, err := w.open(writer.Task{}, 0)
	if err != nil {
		return err
	}
	f, err := tf.finish()
	if err != nil {
		w.fs.RemoveAll(path.Join(w.stage.Dir, f.Name))
		return fmt.Errorf("%s: %w", f.Name, err)
	}
	m.Files = append(m.Files, f)
	return nil
}

// plan settles a file-by-file publish into the existing target: the files
// truncate removes (those of fileName; never a directory), and the manifest
// of the directory afterwards, staged as _VERIFY.json to be installed last.
// It lists this run's files and every other data file there: entries of the
// previous manifest are kept for files whose size and modification time
// are unchanged; files it does not vouch for (written by another tool, or
// changed since) are checksummed now (rows unknown: 0). Visible
// subdirectories are recorded as such.
func (w *Writer) plan(ctx context.Context, add *verify.Manifest) (*verify.Manifest, storage.Plan, error) {
	plan := storage.Plan{Last: []string{verify.FileName}}
	old, err := verify.Read(w.fs, w.target)
	if err != nil {
		if !errors.Is(err, verify.ErrNoManifest) {
			return nil, plan, err
		}
		old = &verify.Manifest{}
	}
	known := make(map[string]verify.File, len(old.Files))
	for _, f := range old.Files {
		known[f.Name] = f
	}
	entries, err := storage.Visible(w.fs, w.target)
	if err != nil {
		return nil, plan, err
	}
	m := &verify.Manifest{RunID: w.stage.RunID}
	var unknown []fs.FileInfo
	var unknownBytes int64
	for _, fi := range entries {
		name := fi.Name()
		switch {
		case fi.IsDir():
			m.Dirs = append(m.Dirs, name)
			continue
		case w.cfg.WriteMode == Truncate && OfPrefix(name, w.cfg.FileName):
			plan.Remove = append(plan.Remove, name)
			continue
		}
		mtime := fi.ModTime().UnixNano()
		if e, ok := known[name]; ok && e.Bytes == fi.Size() && (e.ModTime == 0 || e.ModTime == mtime) {
			e.ModTime = mtime
			m.Files = append(m.Files, e)
			continue
		}
		unknown = append(unknown, fi)
		unknownBytes += fi.Size()
	}
	if len(unknown) > 0 {
		w.log.Info("checksumming the files that _VERIFY.json does not vouch for (written by another tool, or changed); later runs keep their entries while size and modification time stay",
			"dir", storage.URL(w.fs, w.target), "files", len(unknown), "bytes", unknownBytes)
	}
	for _, fi := range unknown {
		e, err := checksum(ctx, w.fs, path.Join(w.target, fi.Name()))
		if err != nil {
			return nil, plan, err
		}
		e.ModTime = fi.ModTime().UnixNano()
		m.Files = append(m.Files, e)
	}
	if len(add.Files) == 0 && len(m.Files) == 0 {
		if err := w.schemaFile(add); err != nil {
			return nil, plan, err
		}
	}
	if err := w.stamp(add.Files); err != nil {
		return nil, plan, err
	}
	m.Files = append(m.Files, add.Files...)
	m.Add() // sorts and sums
	if err := verify.Write(w.fs, w.stage.Dir, m); err != nil {
		return nil, plan, err
	}
	return m, plan, nil
}

// checksum computes the manifest entry of a file written by someone else
// (rows unknown: 0).
func checksum(ctx context.Context, fsys storage.FS, name string) (verify.File, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return verify.File{}, err
	}
	defer f.Close()
	h := verify.NewHasher(io.Discard)
	if _, err := io.Copy(h, f); err != nil {
		return verify.File{}, err
	}
	return h.Entry(path.Base(name), 0), nil
}

// Abort removes the staging directory; nothing of the run becomes visible.
func (w *Writer) Abort(ctx context.Context) error {
	if w.stage == nil {
		return nil
	}
	return w.stage.Discard()
}

// Report returns the summary lines.
func (w *Writer) Report() []string { return w.notes }

// Published returns the manifest of the published partition (after Commit).
func (w *Writer) Published() *verify.Manifest { return w.published }

// Close releases the filesystem.
func (w *Writer) Close() error {
	if w.fs == nil {
		return nil
	}
	return w.fs.Close()
}
