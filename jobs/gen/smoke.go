package gen

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"datax/fileformat"
	"datax/fileformat/parquet"
	"datax/rdbms"
	"datax/splitter"
)

// SmokeOptions configure Smoke.
type SmokeOptions struct {
	// Dir is the scratch directory (local disk) the jobs write into.
	Dir string
	// Rows bounds each job's slice.
	Rows int
	// Password is the source's password.
	Password string
	// Run runs a job file held in memory with the given variables.
	Run func(ctx context.Context, name string, job []byte, vars map[string]string) error
}

// SmokeResult is one job's smoke test.
type SmokeResult struct {
	Table, Job string
	// Slice is the condition that bounded the read.
	Slice string
	// Files and Checked count the landed files and whether their schema
	// was compared with the DDL.
	Files   int
	Checked bool
	// Problem is empty when the job ran and the schema matched.
	Problem string
	// Skipped says why a job was not run (nothing to slice a big table by).
	Skipped string
}

// Smoke runs every generated job (full.json, daily.json) on a small slice of
// its table (the first Rows keys of the split key, or of another indexed
// column) into a scratch directory on local disk, then compares the schema
// of the landed Parquet files with the table's Hive DDL: the names and the
// types must match exactly. It returns an error when any job failed.
func Smoke(ctx context.Context, cfg *Config, res *Result, opts SmokeOptions) ([]SmokeResult, error) {
	if opts.Rows < 1 {
		opts.Rows = 100
	}
	loc, _ := cfg.Location()
	u, err := rdbms.ParseURL(cfg.JdbcURL)
	if err != nil {
		return nil, err
	}
	db, err := rdbms.Open(ctx, []*rdbms.URL{u}, rdbms.Options{User: cfg.Username, Password: opts.Password})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	bizdate := time.Now().In(loc).AddDate(0, 0, -1).Format("20060102")
	extract := time.Now().In(loc).Format("2006-01-02 15:04:05")
	jobs := map[string]map[string][]byte{}
	for _, f := range res.Files {
		if f.Table != "" && (strings.HasSuffix(f.Path, "/full.json") || strings.HasSuffix(f.Path, "/daily.json")) {
			if jobs[f.Table] == nil {
				jobs[f.Table] = map[string][]byte{}
			}
			jobs[f.Table][filepath.Base(f.Path)] = f.Content
		}
	}
	var out []SmokeResult
	failed := 0
	for _, t := range res.Tables {
		sl, err := smokeSlice(ctx, db, t, opts.Rows)
		if err != nil {
			return out, fmt.Errorf("%s: %w", t.Key(), err)
		}
		names := make([]string, 0, len(jobs[t.Key()]))
		for name := range jobs[t.Key()] {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			r := SmokeResult{Table: t.Key(), Job: name, Slice: sl.display}
			if sl.why != "" {
				r.Slice, r.Skipped = "-", sl.why
				out = append(out, r)
				continue
			}
			day := bizdate
			if name == "daily.json" {
				// The day of the slice's latest change, so that the window holds rows.
				if day, err = latestDay(ctx, db, t, sl.cond, bizdate); err != nil {
					return out, fmt.Errorf("%s: %w", t.Key(), err)
				}
			}
			vars := map[string]string{"bizdate": day, extractVar: extract}
			dest := filepath.Join(opts.Dir, t.DB, t.Name, strings.TrimSuffix(name, ".json"))
			job, err := sliceJob(jobs[t.Key()][name], sl.cond, dest)
			if err == nil {
				err = opts.Run(ctx, t.Key()+"/"+name+" (smoke)", job, vars)
			}
			if err != nil {
				r.Problem = "the job failed: " + err.Error()
			} else {
				// The merge adds the delete flags later: a load has the source's columns and extract_time.
				g := &target{cfg: cfg, t: t, d: t.Decision, loc: loc}
				r.Files, r.Checked, r.Problem = checkLanded(filepath.Join(dest, cfg.PartitionColumn+"="+day), g.columns(true))
			}
			if r.Problem != "" {
				failed++
			}
			out = append(out, r)
		}
	}
	if failed > 0 {
		return out, fmt.Errorf("smoke test: %d of %d jobs failed", failed, len(out))
	}
	return out, nil
}

// slice bounds a smoke test's read.
type slice struct {
	cond    string // SQL condition; "" reads the whole table
	display string // for the report
	why     string // set when the table is not smoke-tested
}

// smokeSlice returns a condition reading about rows rows: the split key (or
// the leading column of an index) up to its rows-th value. A table with
// neither is read whole when small, else not smoke-tested (why says so).
func smokeSlice(ctx context.Context, db *rdbms.DB, t *Table, rows int) (slice, error) {
	col := t.Decision.SplitPk
	if col == "" {
		for _, ix := range t.Indexes {
			if c := t.Column(ix.Columns[0]); c != nil && rdbms.KeyKind(c.Info()) != 0 {
				col = c.Name
				break
			}
		}
	}
	if col == "" {
		if t.Stats.Rows <= 100*int64(rows) {
			return slice{display: "whole table (no index to slice by, ~" + fmt.Sprint(t.Stats.Rows) + " rows)"}, nil
		}
		return slice{why: fmt.Sprintf("no index to slice by and ~%d rows", t.Stats.Rows)}, nil
	}
	c := t.Column(col)
	q := fmt.Sprintf("SELECT %s FROM %s WHERE %s IS NOT NULL ORDER BY %s LIMIT 1 OFFSET %d",
		rdbms.QuoteIdent(col), rdbms.QuoteTable(t.DB, t.Name), rdbms.QuoteIdent(col), rdbms.QuoteIdent(col), rows-1)
	var v sql.RawBytes
	r, err := db.QueryContext(ctx, q)
	if err != nil {
		return slice{}, rdbms.Classify(err)
	}
	defer r.Close()
	if !r.Next() {
		return slice{display: "whole table (fewer than " + fmt.Sprint(rows) + " rows)"}, r.Err()
	}
	if err := r.Scan(&v); err != nil {
		return slice{}, err
	}
	kind := rdbms.KeyKind(c.Info())
	var val splitter.Value
	switch kind {
	case splitter.IntKey:
		fmt.Sscan(string(v), &val.Int)
	case splitter.UintKey:
		fmt.Sscan(string(v), &val.Uint)
	default:
		val.Bytes = append([]byte(nil), v...)
	}
	return slice{
		cond:    fmt.Sprintf("%s <= %s", rdbms.QuoteIdent(col), rdbms.Literal(kind, val, c.Charset, c.Collation)),
		display: fmt.Sprintf("%s <= %s", col, val.Format(kind)),
	}, nil
}

// latestDay returns the day (yyyyMMdd) of the latest window value in the
// slice; def when there is none.
func latestDay(ctx context.Context, db *rdbms.DB, t *Table, cond, def string) (string, error) {
	if t.Decision.Window == "" {
		return def, nil
	}
	q := fmt.Sprintf("SELECT DATE_FORMAT(MAX(%s), '%%Y%%m%%d') FROM %s", rdbms.QuoteIdent(t.Decision.Window), rdbms.QuoteTable(t.DB, t.Name))
	if cond != "" {
		q += " WHERE " + cond
	}
	var day sql.NullString
	if err := db.QueryRowContext(ctx, q).Scan(&day); err != nil {
		return "", rdbms.Classify(err)
	}
	if !day.Valid {
		return def, nil
	}
	return day.String, nil
}

// sliceJob rewrites a generated job for the smoke test: its where gets
// the slice, its writer writes into dest on local disk.
func sliceJob(job []byte, cond, dest string) ([]byte, error) {
	var f map[string]any
	if err := json.Unmarshal(job, &f); err != nil {
		return nil, err
	}
	content := f["job"].(map[string]any)["content"].([]any)[0].(map[string]any)
	rp := content["reader"].(map[string]any)["parameter"].(map[string]any)
	if cond != "" {
		if w, _ := rp["where"].(string); w != "" {
			rp["where"] = "(" + w + ") AND " + cond
		} else {
			rp["where"] = cond
		}
	}
	wp := content["writer"].(map[string]any)["parameter"].(map[string]any)
	delete(wp, "defaultFS")
	wp["path"] = dest
	return json.Marshal(f)
}

// checkLanded compares the schema of the Parquet files in dir with want.
func checkLanded(dir string, want []hiveColumn) (files int, checked bool, problem string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, false, "nothing landed: " + err.Error()
	}
	var problems []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".parquet") {
			continue
		}
		files++
		cols, err := inspectFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return files, false, err.Error()
		}
		checked = true
		if p := compareSchema(cols, want); p != "" && len(problems) == 0 {
			problems = append(problems, e.Name()+": "+p)
		}
	}
	if files == 0 {
		return 0, false, ""
	}
	return files, checked, strings.Join(problems, "; ")
}

func inspectFile(name string) ([]fileformat.Column, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return parquet.Inspect(f, st.Size())
}

// compareSchema returns "" when the file's columns are the DDL's, by name
// and type, in order.
func compareSchema(got []fileformat.Column, want []hiveColumn) string {
	var diffs []string
	for i := 0; i < max(len(got), len(want)); i++ {
		switch {
		case i >= len(got):
			diffs = append(diffs, fmt.Sprintf("column %s %s of the DDL is missing", want[i].Name, want[i].Type))
		case i >= len(want):
			diffs = append(diffs, fmt.Sprintf("column %s %s is not in the DDL", got[i].Name, got[i].Type))
		default:
			w, err := fileformat.ParseType(want[i].Type)
			if err != nil {
				diffs = append(diffs, err.Error())
				continue
			}
			g := got[i]
			if g.Name != want[i].Name || g.Type != w.Type || g.Kind != w.Kind || g.Precision != w.Precision ||
				(g.Kind.String() == "decimal" && g.Scale != w.Scale) {
				diffs = append(diffs, fmt.Sprintf("column %d is %s %s in the file, %s %s in the DDL", i+1, g.Name, g.Type, want[i].Name, want[i].Type))
			}
		}
	}
	return strings.Join(diffs, "; ")
}

// WriteSmoke prints the smoke test's results.
func WriteSmoke(w io.Writer, results []SmokeResult) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tJOB\tSLICE\tFILES\tRESULT")
	for _, r := range results {
		status := "ok: schema = DDL"
		switch {
		case r.Problem != "":
			status = "FAILED: " + r.Problem
		case r.Skipped != "":
			status = "not tested: " + r.Skipped
		case !r.Checked:
			status = "ok: no rows in the slice (schema not checked)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", r.Table, r.Job, r.Slice, r.Files, status)
	}
	tw.Flush()
}
