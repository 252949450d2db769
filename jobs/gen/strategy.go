package gen

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"datax/splitter"
)

// Strategy is how a table is kept in the warehouse.
type Strategy string

// The strategies (Ctrip's rule: do rows get UPDATEd or DELETEd after insert?).
const (
	// Snapshot: rows are updated (and deleted): each day's changed rows
	// (an update-time window) are merged into yesterday's full snapshot.
	Snapshot Strategy = "snapshot"
	// Incremental: append-only rows: each day's new rows (an insert-time
	// window) land in their own partition.
	Incremental Strategy = "incremental"
	// Full: the table is copied whole every day.
	Full Strategy = "full"
)

// Decision is what gen chose for a table, and why.
type Decision struct {
	Strategy Strategy `json:"strategy"`
	// Reason says which rule chose the strategy.
	Reason string `json:"reason"`
	// Auto is set when the heuristics chose the strategy and channel
	// counts (not an override): the next run keeps them while the table's
	// definition is unchanged.
	Auto bool `json:"auto"`
	// HiveTable is the Hive table name.
	HiveTable string `json:"hiveTable"`
	// HiveTypes are the Hive types of the source columns, in order.
	HiveTypes []string `json:"hiveTypes"`
	// SplitPk is the split column ("" when the table is read as one task).
	SplitPk string `json:"splitPk,omitempty"`
	// Channels of the full load; DailyChannels of the daily window job.
	Channels      int `json:"channels"`
	DailyChannels int `json:"dailyChannels"`
	// Key is the merge key (snapshot).
	Key []string `json:"key,omitempty"`
	// Window is the column of the daily window: the update time
	// (snapshot) or the insert time (incremental).
	Window string `json:"window,omitempty"`
	// KeyScan turns on key-scan delete detection (snapshot).
	KeyScan bool `json:"keyScan,omitempty"`
	// Drift holds the drift correction of a change table (nil: none).
	Drift *DriftDecision `json:"drift,omitempty"`
	// Cron and Priority schedule the daily script.
	Cron     string `json:"cron"`
	Priority int    `json:"priority,omitempty"`
	// Warnings are listed in the plan.
	Warnings []string `json:"warnings,omitempty"`
}

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// logName matches table names of insert-only logs.
func logName(name string) bool {
	n := strings.ToLower(name)
	for _, suffix := range []string{"_log", "_logs", "log", "_history", "_hist", "_event", "_events", "_journal",
		"_audit", "_trace", "_flow", "_record", "_records", "_detail_log"} {
		if strings.HasSuffix(n, suffix) {
			return true
		}
	}
	return strings.HasPrefix(n, "log_") || strings.HasPrefix(n, "event_")
}

// findColumn returns the first temporal column of t that the server updates
// on every change (onUpdate) or whose name is in names, in the order of
// names.
func findColumn(t *Table, names []string, onUpdate bool) string {
	if onUpdate {
		for i := range t.Columns {
			if c := &t.Columns[i]; c.Temporal() && c.OnUpdate() {
				return c.Name
			}
		}
	}
	for _, n := range names {
		if c := t.Column(n); c != nil && c.Temporal() {
			return c.Name
		}
	}
	return ""
}

// decide chooses a table's strategy, split key, channels and window. It
// returns an error (the table is reported, not generated) when a column
// has no safe Hive type.
func decide(cfg *Config, cat *Catalog, t *Table) (*Decision, error) {
	o := cfg.override(t.DB, t.Name)
	if o == nil {
		o = &Override{}
	}
	d := &Decision{HiveTable: hiveName(cfg.Naming, t.DB, t.Name), Cron: cfg.Cron, Priority: o.Priority}
	if o.Cron != "" {
		d.Cron = o.Cron
	}

	// Types: every column needs a safe Hive type.
	var bad []string
	for i := range t.Columns {
		c := &t.Columns[i]
		typ, ok, why := HiveType(c)
		if forced, has := lookupFold(o.ColumnTypes, c.Name); has {
			typ, _ = parseHiveType(forced)
			ok = true
		}
		if !ok {
			bad = append(bad, c.Name+": "+why)
		}
		d.HiveTypes = append(d.HiveTypes, typ)
		if strings.EqualFold(c.Name, cfg.ExtractTimeColumn) || strings.EqualFold(c.Name, cfg.PartitionColumn) {
			bad = append(bad, fmt.Sprintf("%s: the name is taken by the generated %s column: rename it in the config (extractTimeColumn, partitionColumn)", c.Name, c.Name))
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("no safe mapping: %s", strings.Join(bad, "; "))
	}

	// Split key: as the reader would choose it, unless overridden.
	if o.SplitPk != "" {
		c := t.Column(o.SplitPk)
		if c == nil {
			return nil, fmt.Errorf("override splitPk %q: no such column", o.SplitPk)
		}
		d.SplitPk = c.Name
	} else if k, ok := splitter.ChooseKey(t.splitterColumns(), t.splitterIndexes()); ok {
		d.SplitPk = k.Column
	}

	d.Key = t.uniqueKey()
	if len(o.Key) > 0 {
		d.Key = nil
		for _, k := range o.Key {
			c := t.Column(k)
			if c == nil {
				return nil, fmt.Errorf("override key: no column %q", k)
			}
			d.Key = append(d.Key, c.Name)
		}
	}
	modified := findColumn(t, cfg.modifiedNames(), true)
	if o.ModifiedColumn != "" {
		if c := t.Column(o.ModifiedColumn); c == nil || !c.Temporal() {
			return nil, fmt.Errorf("override modifiedColumn %q: no DATE, DATETIME or TIMESTAMP column of that name", o.ModifiedColumn)
		}
		modified = t.Column(o.ModifiedColumn).Name
	}
	created := findColumn(t, cfg.createdNames(), false)
	if o.CreatedColumn != "" {
		if c := t.Column(o.CreatedColumn); c == nil || !c.Temporal() {
			return nil, fmt.Errorf("override createdColumn %q: no DATE, DATETIME or TIMESTAMP column of that name", o.CreatedColumn)
		}
		created = t.Column(o.CreatedColumn).Name
	}
	if created == modified {
		created = ""
	}

	logTime := findColumn(t, cfg.LogTimeColumns, false)
	d.Strategy, d.Reason = heuristic(cfg, cat, t, d.Key, modified, created)
	if logTime != "" && o.Strategy == "" && (d.Strategy == Snapshot || d.Strategy == Full && t.Stats.Activity == nil) {
		// A change log: rows are appended, each with its log time.
		d.Strategy, d.Reason, created = Incremental, "table shape: log-time column "+logTime+" (a change log: rows are appended)", logTime
	}
	d.Auto = true
	if o.Strategy != "" {
		d.Strategy, d.Reason, d.Auto = Strategy(o.Strategy), "override in the config", false
	}
	switch d.Strategy {
	case Snapshot:
		if len(d.Key) == 0 {
			return nil, fmt.Errorf("strategy snapshot needs a key to merge on, and the table has no primary key or unique NOT NULL index: give overrides[].key, or choose full")
		}
		if modified == "" {
			return nil, fmt.Errorf("strategy snapshot needs an update-time column for the daily window (none of %s): give overrides[].modifiedColumn, or choose full", strings.Join(cfg.modifiedNames(), ", "))
		}
		d.Window = modified
		d.KeyScan = cfg.KeyScan != "off"
		if cfg.KeyScan == "auto" && t.Stats.Activity != nil && activityTrusted(cfg, cat) && t.Stats.Activity.Deletes == 0 {
			d.KeyScan = false
		}
		switch o.KeyScan {
		case "on":
			d.KeyScan = true
		case "off":
			d.KeyScan = false
		}
	case Incremental:
		d.Window = created
		if d.Window == "" {
			d.Window = modified
		}
		if d.Window == "" {
			return nil, fmt.Errorf("strategy incremental needs an insert-time column for the daily window (none of %s): give overrides[].createdColumn, or choose full", strings.Join(cfg.createdNames(), ", "))
		}
	}
	if c := t.Column(d.Window); c != nil && c.Nullable {
		switch d.Strategy {
		case Snapshot:
			d.Warnings = append(d.Warnings, fmt.Sprintf("window column %s is nullable: rows whose %s is NULL are extracted every day (their changes cannot be dated)", c.Name, c.Name))
		case Incremental:
			d.Warnings = append(d.Warnings, fmt.Sprintf("window column %s is nullable: a row whose %s is NULL is only in the initial load", c.Name, c.Name))
		}
	}
	if d.Strategy == Snapshot && !d.KeyScan {
		for _, k := range d.Key {
			if c := t.Column(k); c != nil && c.Collation != "" && !strings.HasSuffix(strings.ToLower(c.Collation), "_bin") {
				d.Warnings = append(d.Warnings, fmt.Sprintf("key column %s has collation %s, and there is no key scan: keys that differ only in letter case or trailing spaces are one row at the source but two in the snapshot when such a key is updated; turn the key scan on (overrides[].keyScan) to flag the old spelling deleted", c.Name, c.Collation))
			}
		}
	}
	if len(d.Key) == 0 {
		d.Warnings = append(d.Warnings, "no usable key (no primary key or unique NOT NULL index): cannot be merged or deduplicated")
	}
	if d.SplitPk == "" {
		d.Warnings = append(d.Warnings, "no split key: read as one task")
	}
	if d.Strategy == Full && t.Stats.Rows > cfg.LargeRows {
		d.Warnings = append(d.Warnings, fmt.Sprintf("about %d rows copied whole every day: add an update-time column, or override the strategy", t.Stats.Rows))
	}

	if logTime != "" && modified != "" {
		if o.Drift == nil {
			d.Warnings = append(d.Warnings, fmt.Sprintf("a change table (%s, %s)? give overrides[].drift.key (the changed entity's key) to generate its drift correction", logTime, modified))
		} else {
			dd, err := driftDecision(t, o.Drift, logTime, modified)
			if err != nil {
				return nil, err
			}
			d.Drift = dd
		}
	} else if o.Drift != nil {
		return nil, fmt.Errorf("overrides[].drift needs a log-time column (one of %s) and an update-time column", strings.Join(cfg.LogTimeColumns, ", "))
	}

	d.Channels = channels(cfg, t.Stats.DataBytes, d.SplitPk != "")
	d.DailyChannels = channels(cfg, int64(float64(t.Stats.DataBytes)*cfg.DailyShare), d.SplitPk != "")
	if o.Channels > 0 {
		d.Channels, d.DailyChannels, d.Auto = o.Channels, o.Channels, false
	}
	if o.DailyChannels > 0 {
		d.DailyChannels, d.Auto = o.DailyChannels, false
	}
	return d, nil
}

// activityTrusted reports whether the counters span long enough to judge.
func activityTrusted(cfg *Config, cat *Catalog) bool {
	return cat.ActivityOn && cat.Uptime >= int64(cfg.MinUptime.Seconds())
}

// heuristic is Ctrip's rule: updated or deleted rows → snapshot;
// insert-only → incremental; rarely changing → full. The server's counters
// decide when it keeps them; else the table's shape does.
func heuristic(cfg *Config, cat *Catalog, t *Table, key []string, modified, created string) (Strategy, string) {
	small := t.Stats.Rows <= cfg.SmallRows
	if a := t.Stats.Activity; a != nil && activityTrusted(cfg, cat) {
		counts := fmt.Sprintf("performance_schema: %d inserts, %d updates, %d deletes since the server started", a.Inserts, a.Updates, a.Deletes)
		switch {
		case a.Updates+a.Deletes > 0 && small:
			return Full, counts + "; small table (~" + fmt.Sprint(t.Stats.Rows) + " rows): a whole copy costs less than a merge and sees deletes"
		case a.Updates+a.Deletes > 0 && len(key) > 0 && modified != "":
			return Snapshot, counts + "; rows change after insert"
		case a.Updates+a.Deletes > 0:
			return Full, counts + "; rows change after insert but " + missingForSnapshot(key, modified)
		case a.Inserts > 0 && (created != "" || modified != ""):
			return Incremental, counts + "; insert-only"
		case a.Inserts > 0:
			return Full, counts + "; insert-only but no insert-time column for a daily window"
		}
		return Full, counts + "; no writes: a rarely changing table"
	}
	shape := "table shape"
	switch {
	case modified != "" && small:
		return Full, shape + ": update-time column " + modified + ", but small (~" + fmt.Sprint(t.Stats.Rows) + " rows): a whole copy costs less than a merge and sees deletes"
	case modified != "" && len(key) > 0:
		return Snapshot, shape + ": update-time column " + modified + " (rows are updated)"
	case modified != "":
		return Full, shape + ": update-time column " + modified + " but " + missingForSnapshot(key, modified)
	case created != "" && (logName(t.Name) || autoIncrementKey(t, key)):
		why := "an auto-increment key"
		if logName(t.Name) {
			why = "a log-like name"
		}
		return Incremental, shape + ": insert-time column " + created + ", no update-time column, " + why + " (insert-only log)"
	}
	return Full, shape + ": no update-time column to find changed rows"
}

func missingForSnapshot(key []string, modified string) string {
	if len(key) == 0 {
		return "no key to merge on"
	}
	return "no update-time column"
}

func autoIncrementKey(t *Table, key []string) bool {
	if len(key) != 1 {
		return false
	}
	c := t.Column(key[0])
	return c != nil && c.AutoIncrement()
}

// channels is ceil(MB / (channelMBps × 60 × targetMinutes)), between 1 and
// maxChannels; 1 without a split key.
func channels(cfg *Config, bytes int64, split bool) int {
	if !split {
		return 1
	}
	mb := float64(bytes) / (1 << 20)
	n := int(math.Ceil(mb / (cfg.ChannelMBps * 60 * cfg.TargetMinutes)))
	return min(max(n, 1), cfg.MaxChannels)
}

func (c *Config) modifiedNames() []string {
	if len(c.ModifiedColumns) > 0 {
		return c.ModifiedColumns
	}
	return DefaultModifiedColumns
}

func (c *Config) createdNames() []string {
	if len(c.CreatedColumns) > 0 {
		return c.CreatedColumns
	}
	return DefaultCreatedColumns
}

// hiveName applies the naming pattern: <db> and <table>, lower case, with
// characters Hive names do not take replaced by _.
func hiveName(pattern, db, table string) string {
	s := strings.NewReplacer("<db>", db, "<table>", table).Replace(pattern)
	s = strings.ToLower(s)
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}

func lookupFold(m map[string]string, key string) (string, bool) {
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return "", false
}

// keep carries the previous run's automatic choices over when the table's
// definition did not change, so that estimates moving by a few rows do not
// rewrite jobs (or flip a table's strategy) from one run to the next. It
// returns a note when today's heuristics would choose differently.
func keep(d, prev *Decision) string {
	if prev == nil || !d.Auto || !prev.Auto {
		return ""
	}
	var note string
	if prev.Strategy != d.Strategy {
		note = fmt.Sprintf("the heuristics now choose %s (%s); kept %s: run with --replan to re-decide", d.Strategy, d.Reason, prev.Strategy)
		// A kept strategy needs what it needed before; the table did not change.
		d.Strategy, d.Reason, d.Window, d.KeyScan = prev.Strategy, prev.Reason, prev.Window, prev.KeyScan
		d.Warnings = slices.DeleteFunc(d.Warnings, func(w string) bool { return strings.Contains(w, "copied whole every day") })
	}
	d.Channels, d.DailyChannels = prev.Channels, prev.DailyChannels
	return note
}

// DriftDecision is the drift correction of a change table.
type DriftDecision struct {
	Key          []string `json:"key"`
	LogTime      string   `json:"logTime"`
	Position     string   `json:"position,omitempty"`
	ModifiedTime string   `json:"modifiedTime"`
	ProcTime     []string `json:"procTime,omitempty"`
	Window       string   `json:"window"`
}

func driftDecision(t *Table, o *DriftOverride, logTime, modified string) (*DriftDecision, error) {
	dd := &DriftDecision{LogTime: logTime, ModifiedTime: modified, Window: o.Window}
	if dd.Window == "" {
		dd.Window = "15m"
	}
	w, err := time.ParseDuration(dd.Window)
	if err != nil || w <= 0 || w >= 24*time.Hour {
		return nil, fmt.Errorf("overrides[].drift.window %q: expected a duration such as 15m, below 24h", o.Window)
	}
	name := func(what, n string) (string, error) {
		if c := t.Column(n); c != nil {
			return c.Name, nil
		}
		return "", fmt.Errorf("overrides[].drift.%s: no column %q", what, n)
	}
	for _, k := range o.Key {
		n, err := name("key", k)
		if err != nil {
			return nil, err
		}
		dd.Key = append(dd.Key, n)
	}
	for _, k := range o.ProcTime {
		n, err := name("procTime", k)
		if err != nil {
			return nil, err
		}
		dd.ProcTime = append(dd.ProcTime, n)
	}
	switch {
	case o.Position != "":
		if dd.Position, err = name("position", o.Position); err != nil {
			return nil, err
		}
	case t.Column("log_pos") != nil:
		dd.Position = t.Column("log_pos").Name
	}
	return dd, nil
}
