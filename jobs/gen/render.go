package gen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"datax/rdbms"
)

// target is where and how a table lands: the settings every file of one
// table shares.
type target struct {
	cfg  *Config
	t    *Table
	d    *Decision
	loc  *time.Location
	jdbc string // the table's database's jdbcUrl, no credentials
}

// Location returns the table's directory (no scheme).
func (g *target) Location() string {
	return strings.TrimRight(g.cfg.Warehouse, "/") + "/" + g.cfg.HiveDatabase + "/" + g.d.HiveTable
}

// DeltaLocation is where a snapshot table's daily deltas land.
func (g *target) DeltaLocation() string { return g.Location() + "_delta" }

// URL returns a location as a URL for Hive: hdfs://nn/path or file:///path.
func (g *target) URL(p string) string {
	fs := strings.TrimRight(g.cfg.DefaultFS, "/")
	if fs == "" || strings.HasPrefix(fs, "file:") {
		return "file://" + p
	}
	return fs + p
}

// jobFile is the DataX job file model, in the order DataX users expect.
type jobFile struct {
	Job struct {
		Setting struct {
			Speed      map[string]int   `json:"speed"`
			ErrorLimit map[string]int64 `json:"errorLimit"`
		} `json:"setting"`
		Content []jobContent `json:"content"`
	} `json:"job"`
}

type jobContent struct {
	Reader jobPlugin `json:"reader"`
	Writer jobPlugin `json:"writer"`
}

type jobPlugin struct {
	Name      string `json:"name"`
	Parameter any    `json:"parameter"`
}

type mysqlReaderParams struct {
	Username   string            `json:"username"`
	Password   string            `json:"password"`
	Column     []string          `json:"column"`
	SplitPk    string            `json:"splitPk,omitempty"`
	Where      string            `json:"where,omitempty"`
	TimeZone   string            `json:"timeZone"`
	Session    []string          `json:"session,omitempty"`
	Connection []mysqlConnection `json:"connection"`
}

type mysqlConnection struct {
	JdbcURL []string `json:"jdbcUrl"`
	Table   []string `json:"table"`
}

type hdfsWriterParams struct {
	DefaultFS string       `json:"defaultFS,omitempty"`
	FileType  string       `json:"fileType"`
	Path      string       `json:"path"`
	Partition string       `json:"partition"`
	FileName  string       `json:"fileName"`
	Column    []hdfsColumn `json:"column"`
	WriteMode string       `json:"writeMode"`
	Compress  string       `json:"compress"`
}

type hdfsColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// jobKind says which job file of a table is rendered.
type jobKind int

const (
	fullJob  jobKind = iota // the whole table
	dailyJob                // the day's window
)

// Job renders a job file: the whole table (the initial load of every
// strategy, and the daily job of full tables) or the day's window
// (snapshot: rows modified on ${bizdate}, into the delta table; incremental:
// rows inserted on ${bizdate}). Every row gets the extract time, a
// constant of the run given as -p extract_time=... (the daily script sets
// it to its start).
func (g *target) Job(kind jobKind) []byte {
	var f jobFile
	channels := g.d.Channels
	if kind == dailyJob && g.d.Strategy != Full {
		channels = g.d.DailyChannels
	}
	f.Job.Setting.Speed = map[string]int{"channel": channels}
	f.Job.Setting.ErrorLimit = map[string]int64{"record": 0}

	r := g.readerParams()
	path := g.Location()
	switch {
	case kind == dailyJob && g.d.Strategy != Full:
		r.Where = g.window()
		if g.d.Strategy == Snapshot {
			path = g.DeltaLocation()
		}
	case g.d.Strategy == Incremental:
		// The initial load of a log takes its history up to the end of
		// the day: later days come from the daily window.
		r.Where = fmt.Sprintf("%s < '${bizdate+1:yyyy-MM-dd} 00:00:00'", rdbms.QuoteIdent(g.d.Window))
	}
	if r.Where != "" && g.windowColumn().DataType == "timestamp" {
		// A TIMESTAMP compares in the session's time zone: make it ours.
		r.Session = []string{"SET time_zone = '" + sessionZone(g.loc) + "'"}
	}
	w := hdfsWriterParams{
		DefaultFS: g.cfg.DefaultFS, FileType: "parquet", Path: path,
		Partition: g.cfg.PartitionColumn + "=${bizdate}", FileName: "part",
		WriteMode: "truncate", Compress: g.cfg.Compress,
	}
	for i, c := range g.t.Columns {
		w.Column = append(w.Column, hdfsColumn{Name: strings.ToLower(c.Name), Type: g.d.HiveTypes[i]})
	}
	w.Column = append(w.Column, hdfsColumn{Name: strings.ToLower(g.cfg.ExtractTimeColumn), Type: "TIMESTAMP"})
	f.Job.Content = []jobContent{{
		Reader: jobPlugin{Name: "mysqlreader", Parameter: r},
		Writer: jobPlugin{Name: "hdfswriter", Parameter: w},
	}}
	return marshal(f)
}

// readerParams reads every column of the table and the extract time.
func (g *target) readerParams() mysqlReaderParams {
	r := mysqlReaderParams{
		Username: g.cfg.Username, Password: g.cfg.PasswordRef,
		SplitPk: g.d.SplitPk, TimeZone: zoneName(g.loc),
		Connection: []mysqlConnection{{JdbcURL: []string{g.jdbc}, Table: []string{rdbms.QuoteIdent(g.t.Name)}}},
	}
	for _, c := range g.t.Columns {
		r.Column = append(r.Column, rdbms.QuoteIdent(c.Name))
	}
	r.Column = append(r.Column, fmt.Sprintf("CAST('${%s}' AS DATETIME) AS %s", extractVar, rdbms.QuoteIdent(g.cfg.ExtractTimeColumn)))
	return r
}

// extractVar is the job variable holding the run's extract time.
const extractVar = "extract_time"

// window is the daily window on the window column: [bizdate 00:00,
// bizdate+1 00:00), lower bound inclusive and upper exclusive (as Sqoop's
// lastmodified import), in the configured time zone.
//
// For a snapshot table whose window column is nullable, rows with a NULL
// there are taken every day too: their changes cannot be dated, and the
// merge makes taking them again harmless (the same row replaces itself),
// while leaving them out would keep them out of the warehouse for good.
func (g *target) window() string {
	col := rdbms.QuoteIdent(g.d.Window)
	w := fmt.Sprintf("%s >= '${bizdate:yyyy-MM-dd} 00:00:00' AND %s < '${bizdate+1:yyyy-MM-dd} 00:00:00'", col, col)
	if g.d.Strategy == Snapshot && g.windowColumn().Nullable {
		w = "(" + w + " OR " + col + " IS NULL)"
	}
	return w
}

func (g *target) windowColumn() *Column {
	if c := g.t.Column(g.d.Window); c != nil {
		return c
	}
	return &Column{}
}

// zoneName names a location for the reader's timeZone: UTC, an IANA name,
// or a fixed offset.
func zoneName(loc *time.Location) string {
	if loc == nil || loc == time.UTC {
		return "UTC"
	}
	return loc.String()
}

// sessionZone is the zone for SET time_zone: an offset when the zone has a
// fixed one (no time zone tables needed on the server), else the name.
func sessionZone(loc *time.Location) string {
	if loc == nil || loc == time.UTC {
		return "+00:00"
	}
	jan := time.Date(2000, 1, 1, 0, 0, 0, 0, loc)
	jul := time.Date(2000, 7, 1, 0, 0, 0, 0, loc)
	_, o1 := jan.Zone()
	_, o2 := jul.Zone()
	if o1 != o2 {
		return loc.String()
	}
	sign := '+'
	if o1 < 0 {
		sign, o1 = '-', -o1
	}
	return fmt.Sprintf("%c%02d:%02d", sign, o1/3600, o1%3600/60)
}

// marshal renders JSON with two-space indents, without HTML escapes (the
// where conditions hold < and >), ending in a newline.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		panic(err) // plain structs of strings and numbers
	}
	return buf.Bytes()
}

// jdbcFor returns the jdbcUrl of database db on the source: the configured
// URL with its database replaced and credentials dropped.
func jdbcFor(raw, db string) (string, error) {
	u, err := rdbms.ParseURL(raw)
	if err != nil {
		return "", err
	}
	if u.Config.Net == "unix" { // a socket has no JDBC form: a go-sql-driver DSN, no credentials
		return "unix(" + u.Hosts[0] + ")/" + db, nil
	}
	s := "jdbc:mysql://" + strings.Join(u.Hosts, ",") + "/" + url.PathEscape(db)
	if q := jdbcQuery(raw); q != "" {
		s += "?" + q
	}
	return s, nil
}

// jdbcQuery keeps the parameters of a JDBC URL (time-outs, TLS) without a
// user or password.
func jdbcQuery(raw string) string {
	_, q, ok := strings.Cut(raw, "?")
	if !ok || !strings.HasPrefix(strings.ToLower(raw), "jdbc:") {
		return ""
	}
	var keep []string
	for _, kv := range strings.Split(q, "&") {
		k, _, _ := strings.Cut(kv, "=")
		if k == "" || strings.EqualFold(k, "user") || strings.EqualFold(k, "password") {
			continue
		}
		keep = append(keep, kv)
	}
	return strings.Join(keep, "&")
}

// mergeConfig is the `datax merge` config of a snapshot table (merge.Config).
type mergeConfig struct {
	Key     []string      `json:"key"`
	Table   mergeTable    `json:"table"`
	Delta   mergeDelta    `json:"delta"`
	KeyScan *mergeKeyScan `json:"keyScan,omitempty"`
	Deletes string        `json:"deletes"`
	Channel int           `json:"channel"`
	SQL     mergeSQL      `json:"sql"`
}

type mergeTable struct {
	DefaultFS string `json:"defaultFS,omitempty"`
	Path      string `json:"path"`
	Partition string `json:"partition"`
	KeepDays  int    `json:"keepDays"`
	Compress  string `json:"compress"`
}

type mergeDelta struct {
	Path string `json:"path"`
	Time string `json:"time"`
}

type mergeKeyScan struct {
	Reader   jobPlugin `json:"reader"`
	MinShare float64   `json:"minShare"`
}

type mergeSQL struct {
	Target     string `json:"target"`
	Delta      string `json:"delta"`
	DeltaWhere string `json:"deltaWhere"`
}

// MergeConfig renders the merge of a snapshot table: the day's delta
// partition (landed by daily.json) into the previous day's snapshot, the
// latest modified_time winning per key; with the key scan, keys gone from
// the source are flagged (or removed) — unless the scan returned fewer than
// 90% of the snapshot's keys, when nothing is published.
func (g *target) MergeConfig() []byte {
	deletes := g.cfg.Deletes
	if !g.d.KeyScan {
		deletes = "remove" // nothing can be deleted: no flag columns
	}
	var key []string
	for _, k := range g.d.Key {
		key = append(key, strings.ToLower(k))
	}
	m := mergeConfig{
		Key: key,
		Table: mergeTable{DefaultFS: g.cfg.DefaultFS, Path: g.Location(), Partition: g.cfg.PartitionColumn,
			KeepDays: g.cfg.KeepDays, Compress: g.cfg.Compress},
		Delta:   mergeDelta{Path: g.DeltaLocation() + "/" + g.cfg.PartitionColumn + "=${bizdate}", Time: strings.ToLower(g.d.Window)},
		Deletes: deletes,
		Channel: g.d.DailyChannels,
		SQL: mergeSQL{Target: g.cfg.HiveDatabase + "." + g.d.HiveTable, Delta: g.cfg.HiveDatabase + "." + g.d.HiveTable + "_delta",
			DeltaWhere: g.cfg.PartitionColumn + " = '${bizdate}'"},
	}
	if g.d.KeyScan {
		r := mysqlReaderParams{
			Username: g.cfg.Username, Password: g.cfg.PasswordRef, SplitPk: g.d.SplitPk, TimeZone: zoneName(g.loc),
			Connection: []mysqlConnection{{JdbcURL: []string{g.jdbc}, Table: []string{rdbms.QuoteIdent(g.t.Name)}}},
		}
		for _, k := range g.d.Key {
			item := rdbms.QuoteIdent(k)
			if k != strings.ToLower(k) {
				item += " AS " + rdbms.QuoteIdent(strings.ToLower(k)) // the warehouse's names are lower case
			}
			r.Column = append(r.Column, item)
		}
		m.KeyScan = &mergeKeyScan{Reader: jobPlugin{Name: "mysqlreader", Parameter: r}, MinShare: 0.9}
	}
	return marshal(m)
}

// driftConfig is the `datax drift` config of a change table (drift.Config).
type driftConfig struct {
	Drift   driftRules     `json:"drift"`
	Reader  jobPlugin      `json:"reader"`
	Output  driftOutput    `json:"output"`
	Setting map[string]int `json:"setting"`
}

type driftOutput struct {
	DefaultFS string `json:"defaultFS,omitempty"`
	Path      string `json:"path"`
	Partition string `json:"partition"`
	Compress  string `json:"compress"`
}

type driftRules struct {
	Day          string   `json:"day"`
	TimeZone     string   `json:"timeZone"`
	Timestamps   string   `json:"timestamps"`
	Window       string   `json:"window"`
	Mode         string   `json:"mode"`
	Key          []string `json:"key"`
	LogTime      string   `json:"logTime"`
	Position     string   `json:"position,omitempty"`
	ModifiedTime string   `json:"modifiedTime"`
	ProcTime     []string `json:"procTime,omitempty"`
}

// DriftLocation is where a change table's drift-corrected days land.
func (g *target) DriftLocation() string { return g.Location() + "_drift" }

// DriftConfig renders the drift correction of a change table: its changes
// logged from D 00:00 − W to the end of D+1 (D+1's log must reach past
// midnight + W), read by mysqlreader (times as wall-clock times of the
// zone), corrected, written as the day's partition of <table>_drift.
func (g *target) DriftConfig() []byte {
	dd := g.d.Drift
	w, _ := time.ParseDuration(dd.Window)
	r := g.readerParams()
	col := rdbms.QuoteIdent(dd.LogTime)
	r.Where = fmt.Sprintf("%s >= TIMESTAMP('${bizdate:yyyy-MM-dd} 00:00:00') - INTERVAL %d SECOND AND %s < '${bizdate+2:yyyy-MM-dd} 00:00:00'",
		col, int(w.Seconds()), col)
	if c := g.t.Column(dd.LogTime); c != nil && c.DataType == "timestamp" {
		r.Session = []string{"SET time_zone = '" + sessionZone(g.loc) + "'"}
	}
	c := driftConfig{
		Drift: driftRules{Day: "${bizdate}", TimeZone: zoneName(g.loc), Timestamps: "wallclock", Window: dd.Window, Mode: "correct",
			Key: dd.Key, LogTime: dd.LogTime, Position: dd.Position, ModifiedTime: dd.ModifiedTime, ProcTime: dd.ProcTime},
		Reader:  jobPlugin{Name: "mysqlreader", Parameter: r},
		Output:  driftOutput{DefaultFS: g.cfg.DefaultFS, Path: g.DriftLocation(), Partition: g.cfg.PartitionColumn, Compress: g.cfg.Compress},
		Setting: map[string]int{"channel": g.d.DailyChannels},
	}
	return marshal(c)
}
