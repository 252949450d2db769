package gen

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WritePlan prints what gen decided and would write (or wrote): one line
// per table with its strategy and why, then the warnings, the tables not
// generated, the changes since the last run and the files.
func (r *Result) WritePlan(w io.Writer, source string) {
	c := r.Catalog
	fmt.Fprintf(w, "datax gen: %d tables from %s (server %s; metadata read in %s)\n", len(r.Tables), source, c.Server, c.Elapsed.Round(time.Millisecond))
	for _, n := range c.Notes {
		fmt.Fprintf(w, "note: %s: strategies come from the table shapes\n", n)
	}
	if c.ActivityOn {
		fmt.Fprintf(w, "note: performance_schema counters span %s of server uptime\n", fmtUptime(c.Uptime))
	}
	if len(r.Tables) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TABLE\tHIVE TABLE\tSTRATEGY\tWINDOW\tKEY\tSPLIT\tCHANNELS\tROWS\tWHY")
		for _, t := range r.Tables {
			d := t.Decision
			key := strings.Join(d.Key, ",")
			if key == "" {
				key = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d/%d\t%d\t%s\n", t.Key(), d.HiveTable, d.Strategy, dash(d.Window),
				key, dash(d.SplitPk), d.Channels, d.DailyChannels, t.Stats.Rows, d.Reason)
		}
		tw.Flush()
	}
	var warn []string
	for _, t := range r.Tables {
		for _, x := range t.Decision.Warnings {
			warn = append(warn, t.Key()+": "+x)
		}
		for _, x := range r.Notes[t.Key()] {
			warn = append(warn, t.Key()+": "+x)
		}
	}
	section(w, "Warnings", warn)
	var failed []string
	for _, p := range r.Failed {
		failed = append(failed, p.Table+": "+p.Reason)
	}
	section(w, "Not generated (listed, not guessed)", failed)
	if !r.First {
		var lines []string
		for _, ch := range r.Changes {
			lines = append(lines, ch.Lines()...)
		}
		if len(lines) == 0 {
			lines = []string{"none"}
		}
		section(w, "Changes since the last run", lines)
	}
	counts := map[FileStatus]int{}
	var files []string
	for _, f := range r.Files {
		counts[f.Status]++
		if f.Status != Unchanged {
			files = append(files, fmt.Sprintf("%-9s %s", f.Status, f.Path))
		}
	}
	verb := "would be"
	if r.Written {
		verb = "were"
	}
	if regen := r.Regenerated(); !r.First && len(regen) > 0 && len(regen) <= 40 {
		fmt.Fprintf(w, "\nTables whose files change: %s\n", strings.Join(regen, ", "))
	}
	fmt.Fprintf(w, "\nFiles (%s written): %d created, %d updated, %d unchanged, %d edited by hand, %d replaced\n", verb,
		counts[Created], counts[Updated], counts[Unchanged], counts[Edited], counts[Replaced])
	if len(files) <= 40 {
		for _, f := range files {
			fmt.Fprintln(w, "  "+f)
		}
	} else {
		// Many files: one line per table.
		byTable := map[string]map[FileStatus]int{}
		var order []string
		for _, f := range r.Files {
			if f.Status == Unchanged {
				continue
			}
			key := f.Table
			if key == "" {
				key = f.Path
			}
			if byTable[key] == nil {
				byTable[key] = map[FileStatus]int{}
				order = append(order, key)
			}
			byTable[key][f.Status]++
		}
		for _, key := range order {
			var parts []string
			for _, st := range []FileStatus{Created, Updated, Edited, Replaced} {
				if n := byTable[key][st]; n > 0 {
					parts = append(parts, fmt.Sprintf("%d %s", n, st))
				}
			}
			fmt.Fprintf(w, "  %s: %s\n", key, strings.Join(parts, ", "))
		}
	}
	for _, f := range r.Files {
		if f.Diff != "" {
			fmt.Fprintln(w)
			fmt.Fprint(w, f.Diff)
		}
	}
}

func section(w io.Writer, title string, lines []string) {
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s:\n", title)
	for _, l := range lines {
		fmt.Fprintln(w, "  "+l)
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func fmtUptime(sec int64) string {
	if sec >= 86400 {
		return fmt.Sprintf("%.1f days", float64(sec)/86400)
	}
	return fmt.Sprintf("%.1f hours", float64(sec)/3600)
}

// Regenerated returns the tables whose job files (or DDL, scripts) were
// created or updated, sorted.
func (r *Result) Regenerated() []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range r.Files {
		if f.Table != "" && f.Status != Unchanged && !seen[f.Table] {
			seen[f.Table] = true
			out = append(out, f.Table)
		}
	}
	return out
}
