package gen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"datax/rdbms"
)

// metadataFile is the stored metadata, in the output directory.
const metadataFile = "metadata.json"

// Options are a generation run's settings beyond the config.
type Options struct {
	// Dir is the output directory (absolute paths go into the crontab).
	Dir string
	// Password is the source's password (PasswordRef, expanded).
	Password string
	// DataxBin is the datax binary the scripts call.
	DataxBin string
	// Force replaces hand-edited files (their diff is still reported).
	Force bool
	// Replan re-decides strategies and channel counts of unchanged tables.
	Replan bool
}

// Result is what a generation found and did.
type Result struct {
	Catalog *Catalog
	// Tables are the generated tables with their decisions; Failed the
	// selected tables that could not be generated, with the reason.
	Tables []*Table
	Failed []Problem
	// Changes since the stored metadata (nil on the first run).
	Changes []Change
	// Notes are per-table remarks (kept decisions, Hive warnings), by db.table.
	Notes map[string][]string
	// Files are every generated file with its status.
	Files []*File
	// First is set when the output held no metadata yet.
	First bool
	// Written is set once the files are on disk.
	Written bool
}

// ErrEdited is returned when generated files were edited by hand and
// --force was not given; nothing was written.
var ErrEdited = errors.New("generated files were edited by hand")

// Generate reads the metadata, decides, renders every file and, unless
// plan is set, writes them. It refuses (ErrEdited, nothing written) when a
// file on disk was edited by hand, unless opts.Force.
func Generate(ctx context.Context, cfg *Config, opts Options, plan bool) (*Result, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	loc, _ := cfg.Location()
	u, err := rdbms.ParseURL(cfg.JdbcURL)
	if err != nil {
		return nil, fmt.Errorf("jdbcUrl: %w", err)
	}
	sel := Selection{Databases: cfg.Databases, Tables: cfg.Tables, Include: cfg.Include, Exclude: cfg.Exclude}
	if len(sel.Databases) == 0 && u.Database != "" {
		sel.Databases = []string{u.Database}
	}
	for _, t := range sel.Tables {
		if db, _ := rdbms.SplitTableName(t); db != "" && !slices.Contains(sel.Databases, db) {
			sel.Databases = append(sel.Databases, db)
		}
	}
	db, err := rdbms.Open(ctx, []*rdbms.URL{u}, rdbms.Options{User: cfg.Username, Password: opts.Password})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	cat, err := ReadCatalog(ctx, db, sel)
	if err != nil {
		return nil, err
	}

	out, err := openOutput(opts.Dir)
	if err != nil {
		return nil, err
	}
	prev, err := loadMetadata(opts.Dir)
	if err != nil {
		return nil, err
	}
	res := &Result{Catalog: cat, Notes: map[string][]string{}, First: prev == nil}
	prevByKey := map[string]*Table{}
	if prev != nil {
		for _, t := range prev.Tables {
			prevByKey[t.Key()] = t
		}
	}
	meta := &Metadata{Version: metadataVersion, Source: redactedURL(cfg.JdbcURL), Username: cfg.Username,
		PasswordRef: cfg.PasswordRef, TimeZone: zoneName(loc), Server: cat.Server}
	note := func(t, s string) { res.Notes[t] = append(res.Notes[t], s) }
	var schedule []scheduleEntry
	var cron []string
	seen := map[string]bool{}
	hiveNames := map[string]string{}
	for _, t := range cat.Tables {
		seen[t.Key()] = true
		old := prevByKey[t.Key()]
		var change *Change
		switch {
		case old == nil && prev != nil:
			change = &Change{Table: t.Key(), Kind: "added"}
		case old != nil:
			change = diffTable(old, t)
		}
		if change != nil {
			res.Changes = append(res.Changes, *change)
		}
		if o := cfg.override(t.DB, t.Name); o != nil && o.Skip {
			t.Problem = "skip in the config's overrides"
			meta.Tables = append(meta.Tables, t)
			res.Failed = append(res.Failed, Problem{t.Key(), t.Problem})
			continue
		}
		d, err := decide(cfg, cat, t)
		if err != nil {
			// Kept in the metadata, so that the next run reports only real changes.
			t.Problem = err.Error()
			meta.Tables = append(meta.Tables, t)
			res.Failed = append(res.Failed, Problem{t.Key(), t.Problem})
			continue
		}
		if other, dup := hiveNames[d.HiveTable]; dup {
			t.Problem = fmt.Sprintf("its Hive name %s is also %s's: change the naming pattern", d.HiveTable, other)
			meta.Tables = append(meta.Tables, t)
			res.Failed = append(res.Failed, Problem{t.Key(), t.Problem})
			continue
		}
		hiveNames[d.HiveTable] = t.Key()
		if old != nil && old.Decision != nil && change == nil && !opts.Replan {
			if n := keep(d, old.Decision); n != "" {
				note(t.Key(), n)
			}
		}
		t.Decision = d
		res.Tables = append(res.Tables, t)
		meta.Tables = append(meta.Tables, t)
		jdbc, err := jdbcFor(cfg.JdbcURL, t.DB)
		if err != nil {
			return nil, err
		}
		g := &target{cfg: cfg, t: t, d: d, loc: loc, jdbc: jdbc}
		dir := tableDir(t)
		add := func(name string, content []byte, mode fs.FileMode) {
			res.Files = append(res.Files, &File{Path: dir + "/" + name, Content: content, Mode: mode, Table: t.Key()})
		}
		add("ddl.hql", g.DDL(), 0o644)
		add("partition.hql", g.PartitionSQL(), 0o644)
		add("full.json", g.Job(fullJob), 0o644)
		if d.Strategy != Full {
			add("daily.json", g.Job(dailyJob), 0o644)
		}
		if d.Strategy == Snapshot {
			add("merge.json", g.MergeConfig(), 0o644)
		}
		if d.Drift != nil {
			add("drift.json", g.DriftConfig(), 0o644)
		}
		add("daily.sh", g.Script(opts.DataxBin), 0o755)
		if change != nil && change.Kind == "changed" {
			if sql, warnings := g.Alter(change, old); sql != nil {
				add("alter.hql", sql, 0o644)
				for _, w := range warnings {
					note(t.Key(), "Hive: "+w)
				}
			}
		}
		cron = append(cron, g.CrontabLine(opts.Dir))
		schedule = append(schedule, g.ScheduleEntry(opts.Dir))
	}
	for _, p := range cat.Skipped {
		res.Failed = append(res.Failed, p)
	}
	// Tables of the previous run: dropped when the selection still covers
	// them, else carried over untouched (a narrower run keeps the others).
	if prev != nil {
		for _, t := range prev.Tables {
			if seen[t.Key()] {
				continue
			}
			// Not readable this time (privileges), or outside this run's
			// selection: carried over as it was. Gone: dropped.
			if !failedKey(res.Failed, t.Key()) && selected(sel, explicitSet(sel), t.DB, t.Name) && slices.Contains(sel.Databases, t.DB) {
				res.Changes = append(res.Changes, Change{Table: t.Key(), Kind: "dropped"})
				continue
			}
			meta.Tables = append(meta.Tables, t)
			if t.Decision != nil {
				g := &target{cfg: cfg, t: t, d: t.Decision, loc: loc}
				cron = append(cron, g.CrontabLine(opts.Dir))
				schedule = append(schedule, g.ScheduleEntry(opts.Dir))
			}
		}
	}
	slices.SortFunc(meta.Tables, func(a, b *Table) int { return strings.Compare(a.Key(), b.Key()) })
	slices.SortFunc(res.Changes, func(a, b Change) int { return strings.Compare(a.Table, b.Table) })
	slices.Sort(cron)
	slices.SortFunc(schedule, func(a, b scheduleEntry) int { return strings.Compare(a.Name, b.Name) })

	res.Files = append(res.Files,
		&File{Path: metadataFile, Content: marshal(meta), Mode: 0o644},
		&File{Path: "crontab", Content: crontab(zoneName(loc), cron), Mode: 0o644},
		&File{Path: "schedule.json", Content: scheduleFile(zoneName(loc), opts.Dir, schedule), Mode: 0o644},
		&File{Path: "README.md", Content: []byte(outputReadme), Mode: 0o644},
	)
	sortFiles(res.Files)
	if err := out.classify(res.Files, opts.Force); err != nil {
		return nil, err
	}
	if plan {
		return res, nil
	}
	for _, f := range res.Files {
		if f.Status == Edited {
			return res, ErrEdited
		}
	}
	if err := out.write(res.Files); err != nil {
		return res, err
	}
	res.Written = true
	return res, nil
}

func failedKey(ps []Problem, key string) bool {
	return slices.ContainsFunc(ps, func(p Problem) bool { return p.Table == key })
}

// explicitSet returns db.table of the tables a selection names (a bare
// name is in the first database).
func explicitSet(sel Selection) map[string]bool {
	m := map[string]bool{}
	for _, name := range sel.Tables {
		db, table := rdbms.SplitTableName(name)
		if db == "" && len(sel.Databases) > 0 {
			db = sel.Databases[0]
		}
		m[db+"."+table] = true
	}
	return m
}

func loadMetadata(dir string) (*Metadata, error) {
	data, err := os.ReadFile(filepath.Join(dir, metadataFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var m Metadata
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: not gen's metadata (%v)", filepath.Join(dir, metadataFile), err)
	}
	if m.Version != metadataVersion {
		return nil, fmt.Errorf("%s: metadata version %d, this datax reads %d", filepath.Join(dir, metadataFile), m.Version, metadataVersion)
	}
	return &m, nil
}

// RedactedSource is a jdbcUrl or DSN without credentials, as jdbc:mysql://.
func RedactedSource(raw string) string { return redactedURL(raw) }

// PasswordRef returns the password placeholder stored in dir's metadata.
func PasswordRef(dir string) (string, error) {
	m, err := loadMetadata(dir)
	if err != nil {
		return "", err
	}
	if m == nil {
		return "", fmt.Errorf("%s holds no %s: run datax gen first", dir, metadataFile)
	}
	return m.PasswordRef, nil
}

// redactedURL drops credentials from a jdbcUrl or DSN for the metadata.
func redactedURL(raw string) string {
	u, err := rdbms.ParseURL(raw)
	if err != nil {
		return rdbms.Redact(raw)
	}
	s, _ := jdbcFor(raw, u.Database)
	return s
}

func crontab(zone string, lines []string) []byte {
	var b strings.Builder
	b.WriteString("# Daily loads generated by datax gen: install with `crontab crontab` (or append these lines).\n")
	b.WriteString("# The jobs read the password from the environment or file named in their password placeholder:\n")
	b.WriteString("# set it in this crontab (NAME=value lines) or use a ${file:...} passwordRef.\n")
	fmt.Fprintf(&b, "CRON_TZ=%s\n", zone)
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	return []byte(b.String())
}

func scheduleFile(zone, dir string, entries []scheduleEntry) []byte {
	s := struct {
		TimeZone      string          `json:"timeZone"`
		MaxConcurrent int             `json:"maxConcurrent"`
		History       string          `json:"history"`
		Jobs          []scheduleEntry `json:"jobs"`
	}{zone, 2, strings.TrimRight(dir, "/") + "/logs/history.jsonl", entries}
	if s.Jobs == nil {
		s.Jobs = []scheduleEntry{}
	}
	return marshal(s)
}
