package fileplugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"sync"

	"datax/channel"
	"datax/fileformat"
	"datax/fileformat/parquet"
	"datax/fileformat/text"
	"datax/plugin"
	"datax/reader"
	"datax/record"
	"datax/spec"
	"datax/storage"
	"datax/verify"
)

// ReaderColumn is one column of a file reader, as DataX declares it:
// {index, type}, or {value, type} for a constant; ours: {name, type} for
// Parquet.
type ReaderColumn struct {
	Index  *int    `json:"index" doc:"field position from 0 (text) or column position (Parquet)"`
	Name   string  `json:"name" doc:"column name (Parquet: selects the column; text: names it)"`
	Type   string  `json:"type" doc:"type to read the value as (default: string for text, the file's type for Parquet); Hive or DataX names, e.g. long, double, DECIMAL(20,2), TIMESTAMP; DataX's lower-case date is a date and time, Hive's DATE a date"`
	Value  *string `json:"value" doc:"a constant value instead of a field"`
	Format string  `json:"format" doc:"date pattern of this column (e.g. yyyy-MM-dd HH:mm:ss)"`
}

// ReaderColumns is a reader's column list: DataX's ["*"] (every column,
// text as strings) or a list of ReaderColumn.
type ReaderColumns struct {
	All  bool
	List []ReaderColumn
}

// UnmarshalParam accepts ["*"], "*" or a list of column objects.
func (c *ReaderColumns) UnmarshalParam(raw any) error {
	if s, ok := raw.(string); ok && strings.TrimSpace(s) == "*" {
		c.All = true
		return nil
	}
	list, ok := raw.([]any)
	if !ok {
		return fmt.Errorf(`expected ["*"] or a list of {index or name or value, type}, got %s`, spec.Describe(raw))
	}
	if len(list) == 1 {
		if s, ok := list[0].(string); ok && strings.TrimSpace(s) == "*" {
			c.All = true
			return nil
		}
	}
	s := spec.Of(&ReaderColumn{})
	var errs []error
	for i, item := range list {
		var col ReaderColumn
		if err := s.Decode(item, fmt.Sprintf("[%d]", i), &col); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := col.check(); err != nil {
			errs = append(errs, &spec.Error{Path: fmt.Sprintf("[%d]", i), Msg: err.Error()})
			continue
		}
		c.List = append(c.List, col)
	}
	return errors.Join(errs...)
}

// CheckText reports a column that only a Parquet file can resolve (a name
// without an index).
func (c *ReaderColumns) CheckText() error {
	for i, col := range c.List {
		if col.Index == nil && col.Value == nil {
			return spec.Errorf(fmt.Sprintf("column[%d]", i), "%q: text files have no column names; give its index", col.Name)
		}
	}
	return nil
}

// ParamType names the type in the reference.
func (c *ReaderColumns) ParamType() string { return `["*"] or list of {index or name or value, type}` }

func (c *ReaderColumn) check() error {
	n := 0
	for _, set := range []bool{c.Index != nil, c.Value != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		return errors.New("index and value are exclusive")
	}
	if n == 0 && c.Name == "" {
		return errors.New("give index (a field position), name (a Parquet column) or value (a constant)")
	}
	if c.Index != nil && *c.Index < 0 {
		return fmt.Errorf("index %d: positions start at 0", *c.Index)
	}
	if c.Type != "" {
		if _, err := fileformat.ParseType(c.Type); err != nil {
			return err
		}
	}
	return nil
}

// ReaderConfig is what a file reader plugin maps its parameters onto.
type ReaderConfig struct {
	FS storage.Options
	// Paths are files, directories (read recursively) or glob patterns.
	Paths []string
	// Parquet selects Parquet; else Text describes the text form.
	Parquet bool
	Text    text.Options
	Columns ReaderColumns
	// RequireVerified refuses a file that its directory's _VERIFY.json does
	// not list with the same size and checksum.
	RequireVerified bool
}

// Reader reads files, one file per task.
type Reader struct {
	cfg    ReaderConfig
	fs     storage.FS
	schema record.Schema
	// text: the decoder fields; parquet: per output column, the file column
	// name or index (-1: constant) and constants.
	fields []text.Field
	consts []*record.Vector

	mu        sync.Mutex
	manifests map[string]*verify.Manifest
}

// NewReader returns a reader; it does no I/O.
func NewReader(cfg ReaderConfig) *Reader {
	return &Reader{cfg: cfg, manifests: map[string]*verify.Manifest{}}
}

type fileTask string

func (t fileTask) String() string { return string(t) }

// Split lists the files (each is a task) and settles the schema from the
// first one. A path that matches no file is an error, unless it is a
// verified partition published with 0 rows and no data file (an empty day):
// it adds no task, and if no path has a file the column list gives the
// schema.
func (r *Reader) Split(ctx context.Context, want int) (record.Schema, []reader.Task, error) {
	fsys, err := storage.Open(r.cfg.FS)
	if err != nil {
		return nil, nil, plugin.Permanent(err)
	}
	r.fs = fsys
	var files []string
	var noFile []string // verified partitions without data files
	seen := map[string]bool{}
	for _, p := range r.cfg.Paths {
		clean, err := storage.Clean(fsys, p)
		if err != nil {
			return nil, nil, plugin.Permanent(fmt.Errorf("path: %w", err))
		}
		list, err := storage.Glob(fsys, clean)
		if err != nil {
			if empty, eerr := emptyPartition(fsys, clean); eerr != nil {
				return nil, nil, plugin.Permanent(errors.Join(err, eerr))
			} else if empty {
				noFile = append(noFile, storage.URL(fsys, clean))
				continue
			}
			return nil, nil, plugin.Permanent(err)
		}
		for _, f := range list {
			if !seen[f] {
				seen[f] = true
				files = append(files, f)
			}
		}
	}
	tasks := make([]reader.Task, len(files))
	for i, f := range files {
		tasks[i] = fileTask(f)
	}
	if len(files) == 0 {
		// Only verified partitions without rows: no task, and the schema
		// comes from the column list.
		if r.cfg.Parquet {
			err = r.declaredSchema()
		} else {
			err = r.textSchema("")
		}
		if err != nil {
			return nil, nil, plugin.Permanent(fmt.Errorf("%s: a verified partition with 0 rows and no data file: %w", noFile[0], err))
		}
		return r.schema, nil, nil
	}
	if r.cfg.Parquet {
		err = r.parquetSchema(files[0])
	} else {
		err = r.textSchema(files[0])
	}
	if err != nil {
		return nil, nil, plugin.Permanent(fmt.Errorf("%s: %w", storage.URL(fsys, files[0]), err))
	}
	return r.schema, tasks, nil
}

// emptyPartition reports whether p (no pattern) is a directory that a
// datax writer published with 0 rows and no data file: its _VERIFY.json
// lists no file and it holds no visible entry. Such a partition is an empty
// day, not a missing one (datax writes one data file without rows now, but
// earlier versions published none).
func emptyPartition(fsys storage.FS, p string) (bool, error) {
	if strings.ContainsAny(p, "*?[\\") {
		return false, nil
	}
	if exists, err := storage.CheckDir(fsys, p); err != nil || !exists {
		return false, nil
	}
	m, err := verify.Read(fsys, p)
	if errors.Is(err, verify.ErrNoManifest) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if len(m.Files) > 0 || m.Rows != 0 {
		return false, nil
	}
	entries, err := storage.Visible(fsys, p)
	if err != nil {
		return false, err
	}
	return len(entries) == 0, nil
}

// declaredSchema settles the Parquet schema without a file: every column
// must be a constant or carry a name and a type.
func (r *Reader) declaredSchema() error {
	if r.cfg.Columns.All {
		return errors.New(`its columns are unknown with column ["*"] (older datax versions published a day without rows so): run the job that writes the partition again, or list every column with name and type`)
	}
	for j, c := range r.cfg.Columns.List {
		if c.Value != nil {
			if err := r.constColumn(j, c); err != nil {
				return err
			}
			continue
		}
		if c.Name == "" || c.Type == "" {
			return fmt.Errorf("column[%d]: without a data file every column needs a name and a type (or run the job that writes the partition again)", j)
		}
		col, err := declared(c, record.Column{Name: c.Name})
		if err != nil {
			return err
		}
		r.consts = append(r.consts, nil)
		r.schema = append(r.schema, col)
	}
	return nil
}

// constColumn adds output column j, the constant c.
func (r *Reader) constColumn(j int, c ReaderColumn) error {
	name := c.Name
	if name == "" {
		name = "c" + strconv.Itoa(j)
	}
	col, err := declared(c, record.Column{Name: name, Kind: record.String})
	if err != nil {
		return err
	}
	v, err := r.constant(c, col)
	if err != nil {
		return err
	}
	r.consts = append(r.consts, v)
	r.schema = append(r.schema, col)
	return nil
}

func (r *Reader) constant(c ReaderColumn, col record.Column) (*record.Vector, error) {
	v := record.NewVector(col.Kind)
	if err := record.ParseText(v, col, []byte(*c.Value)); err != nil {
		return nil, fmt.Errorf("column %s: value %q: %v", col.Name, *c.Value, err)
	}
	return v, nil
}

func declared(c ReaderColumn, fallback record.Column) (record.Column, error) {
	if c.Type == "" {
		return fallback, nil
	}
	typ := c.Type
	if strings.TrimSpace(typ) == "date" {
		// DataX's reader type "date" is a date and time (java.util.Date):
		// job files pair it with formats such as yyyy-MM-dd HH:mm:ss. It
		// reads as a timestamp (a bare date becomes midnight, which a DATE
		// target takes back exactly); Hive's upper-case DATE stays a date.
		typ = "TIMESTAMP"
	}
	fc, err := fileformat.ParseType(typ)
	if err != nil {
		return record.Column{}, err
	}
	fc.Name = fallback.Name
	return fc.Column, nil
}

// textSchema settles the text schema from the column list; with ["*"] the
// first record of the file first ("": none) gives the number of fields.
func (r *Reader) textSchema(first string) error {
	if r.cfg.Columns.All {
		n := 0
		if first != "" {
			f, err := r.fs.Open(first)
			if err != nil {
				return err
			}
			n, err = text.CountFields(f, r.cfg.Text)
			f.Close()
			if err != nil {
				return err
			}
		}
		if n == 0 {
			n = 1
		}
		for i := 0; i < n; i++ {
			col := record.Column{Name: "c" + strconv.Itoa(i), Kind: record.String}
			r.fields = append(r.fields, text.Field{Index: i, Column: col})
			r.schema = append(r.schema, col)
		}
		return nil
	}
	for j, c := range r.cfg.Columns.List {
		name := c.Name
		if name == "" && c.Index != nil {
			name = "c" + strconv.Itoa(*c.Index)
		} else if name == "" {
			name = "c" + strconv.Itoa(j)
		}
		if c.Index == nil && c.Value == nil {
			return fmt.Errorf("column[%d] %q: text files have no column names; give its index", j, c.Name)
		}
		col, err := declared(c, record.Column{Name: name, Kind: record.String})
		if err != nil {
			return err
		}
		f := text.Field{Column: col, DateFormat: c.Format, Index: -1, Const: c.Value}
		if c.Index != nil {
			f.Index = *c.Index
		}
		r.fields = append(r.fields, f)
		r.schema = append(r.schema, col)
	}
	return nil
}

// parquetColumns resolves the configured columns against a file's columns:
// per output column, the file column index (-1 for a constant).
func (r *Reader) parquetColumns(fileCols []fileformat.Column) ([]int, error) {
	if r.cfg.Columns.All {
		sel := make([]int, len(fileCols))
		for i := range sel {
			sel[i] = i
		}
		return sel, nil
	}
	sel := make([]int, len(r.cfg.Columns.List))
	for j, c := range r.cfg.Columns.List {
		switch {
		case c.Value != nil:
			sel[j] = -1
		case c.Name != "" && c.Index == nil:
			sel[j] = -1
			for i, fc := range fileCols {
				if strings.EqualFold(fc.Name, c.Name) {
					sel[j] = i
				}
			}
			if sel[j] < 0 {
				names := make([]string, len(fileCols))
				for i, fc := range fileCols {
					names[i] = fc.Name
				}
				return nil, fmt.Errorf("column[%d]: no column %q in the file (it has %s)", j, c.Name, strings.Join(names, ", "))
			}
		default:
			if *c.Index >= len(fileCols) {
				return nil, fmt.Errorf("column[%d]: index %d, but the file has %d columns", j, *c.Index, len(fileCols))
			}
			sel[j] = *c.Index
		}
	}
	return sel, nil
}

func (r *Reader) parquetSchema(first string) error {
	f, err := r.fs.Open(first)
	if err != nil {
		return err
	}
	defer f.Close()
	fileCols, err := parquet.Inspect(f, f.Size())
	if err != nil {
		return err
	}
	sel, err := r.parquetColumns(fileCols)
	if err != nil {
		return err
	}
	for j, i := range sel {
		var c ReaderColumn
		if !r.cfg.Columns.All {
			c = r.cfg.Columns.List[j]
		}
		if i < 0 {
			if err := r.constColumn(j, c); err != nil {
				return err
			}
			continue
		}
		fc := fileCols[i].Column
		fc.NotNull = false
		col, err := declared(c, fc)
		if err != nil {
			return err
		}
		if c.Name != "" {
			col.Name = c.Name
		}
		r.consts = append(r.consts, nil)
		r.schema = append(r.schema, col)
	}
	return nil
}

// verified checks the file against its directory's manifest.
func (r *Reader) verified(ctx context.Context, name string) error {
	dir := path.Dir(name)
	r.mu.Lock()
	m, ok := r.manifests[dir]
	r.mu.Unlock()
	if !ok {
		var err error
		if m, err = verify.Read(r.fs, dir); err != nil {
			return err
		}
		r.mu.Lock()
		r.manifests[dir] = m
		r.mu.Unlock()
	}
	return verify.CheckFile(ctx, r.fs, m, name)
}

// Read reads one file.
func (r *Reader) Read(ctx context.Context, t reader.Task, out *channel.Sender) error {
	name := string(t.(fileTask))
	if r.cfg.RequireVerified {
		if err := r.verified(ctx, name); err != nil {
			return plugin.Permanent(err)
		}
	}
	f, err := r.fs.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	if r.cfg.Parquet {
		err = r.readParquet(ctx, f, out)
	} else {
		err = r.readText(ctx, f, out)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		err = fmt.Errorf("%s: %w", storage.URL(r.fs, name), err)
	}
	return err
}

func (r *Reader) readText(ctx context.Context, f storage.File, out *channel.Sender) error {
	d, err := text.NewDecoder(f, r.fields, r.cfg.Text)
	if err != nil {
		return plugin.Permanent(err)
	}
	defer d.Close()
	reject := func(raw []byte, reason error) error { return out.Reject(nil, 0, raw, reason) }
	for {
		b, err := out.Batch(ctx, r.schema)
		if err != nil {
			return err
		}
		rerr := d.Read(b, out.Full, reject)
		if err := out.Send(ctx, b); err != nil {
			return err
		}
		if errors.Is(rerr, io.EOF) {
			return nil
		}
		if rerr != nil {
			return rerr
		}
	}
}

func (r *Reader) readParquet(ctx context.Context, f storage.File, out *channel.Sender) error {
	fileCols, err := parquet.Inspect(f, f.Size())
	if err != nil {
		return plugin.Permanent(err)
	}
	sel, err := r.parquetColumns(fileCols)
	if err != nil {
		return plugin.Permanent(err)
	}
	var read []int // file columns to decode
	for _, i := range sel {
		if i >= 0 {
			read = append(read, i)
		}
	}
	d, err := parquet.NewDecoder(f, f.Size(), read)
	if err != nil {
		return plugin.Permanent(err)
	}
	defer d.Close()
	convs := make([]record.ConvertFunc, len(sel))
	k := 0
	for j, i := range sel {
		if i < 0 {
			continue
		}
		if convs[j], err = record.NewConverter(d.Schema()[k], r.schema[j]); err != nil {
			return plugin.Permanent(err)
		}
		k++
	}
	nat := record.NewBatch(d.Schema())
	for {
		nat.Reset(d.Schema())
		rerr := d.Read(nat, out.Full, nil)
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return rerr
		}
		b, err := out.Batch(ctx, r.schema)
		if err != nil {
			return err
		}
		if err := r.convert(b, nat, sel, convs, out); err != nil {
			return err
		}
		if err := out.Send(ctx, b); err != nil {
			return err
		}
		if rerr != nil {
			return nil
		}
	}
}

// convert moves the rows of nat (the decoded file columns) into b, with
// constants and conversions; a row that does not convert is rejected.
func (r *Reader) convert(b, nat *record.Batch, sel []int, convs []record.ConvertFunc, out *channel.Sender) error {
	n := nat.Len()
	for i := 0; i < n; i++ {
		start := b.Len()
		k := 0
		var bad error
		for j, fi := range sel {
			if fi < 0 {
				b.Col(j).AppendFrom(r.consts[j], 0)
				continue
			}
			if bad == nil {
				bad = convs[j](b.Col(j), nat.Col(k), i)
			}
			if bad != nil {
				b.Col(j).AppendNull()
			}
			k++
		}
		if bad != nil {
			if err := out.Reject(nat, i, nil, bad); err != nil {
				return err
			}
			b.Truncate(start)
		}
	}
	return nil
}

// Close releases the filesystem.
func (r *Reader) Close() error {
	if r.fs == nil {
		return nil
	}
	return r.fs.Close()
}
