package gen

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
	"time"

	"datax/rdbms"
	"datax/spec"
)

// Config is a generation config file (JSON). Every key is optional in the
// file; the command line fills or overrides the connection, the selection
// and the output directory.
type Config struct {
	JdbcURL     string `json:"jdbcUrl" doc:"the source: jdbc:mysql://host:port[/db] or a go-sql-driver DSN (credentials in it are ignored)" example:"jdbc:mysql://127.0.0.1:3306/shop"`
	Username    string `json:"username" default:"root" doc:"user that reads the metadata and, in the generated jobs, the data"`
	PasswordRef string `json:"passwordRef" default:"${DATAX_MYSQL_PASSWORD}" doc:"how generated files get the password: a ${VAR} (environment) or ${file:/path} placeholder, written as it is into every job; gen itself expands it the same way. The password never appears in a generated file"`

	Databases spec.StringList `json:"databases" doc:"databases to generate for (every visible table of each, filtered by include/exclude); default: the jdbcUrl's database"`
	Tables    spec.StringList `json:"tables" doc:"explicit tables, as db.table or table (in the first database); each must exist"`
	Include   spec.StringList `json:"include" doc:"glob patterns (* ?) on db.table or table names: keep only matching tables" example:"[\"shop.order*\"]"`
	Exclude   spec.StringList `json:"exclude" doc:"glob patterns (* ?) on db.table or table names: leave matching tables out"`

	Naming       string `json:"naming" default:"ods_<db>_<table>" doc:"Hive table name pattern; <db> and <table> are replaced (lower case)"`
	HiveDatabase string `json:"hiveDatabase" default:"ods" doc:"Hive database of the generated tables"`
	Warehouse    string `json:"warehouse" doc:"warehouse root: an absolute path (local disk or, with defaultFS, HDFS); tables go to <warehouse>/<hiveDatabase>/<hive table>. Default: the global config's warehouse"`
	DefaultFS    string `json:"defaultFS" doc:"hdfs://namenode:port for HDFS, empty or file:/// for local disk. Default: the global config's defaultFS"`
	Compress     string `json:"compress" default:"snappy" enum:"snappy,gzip,none" doc:"Parquet compression of the landed files"`
	TimeZone     string `json:"timeZone" doc:"time zone of ${bizdate} windows, extract_time and TIMESTAMP columns (IANA name or +08:00). Default: the global config's"`

	ExtractTimeColumn string `json:"extractTimeColumn" default:"extract_time" doc:"column added to every landed row: when the run that extracted it started (one value per run)"`
	PartitionColumn   string `json:"partitionColumn" default:"dt" doc:"the partition column (values yyyyMMdd)"`

	ChannelMBps   float64       `json:"channelMBps" default:"5" doc:"expected read speed of one channel in MB/s, for the channel count"`
	TargetMinutes float64       `json:"targetMinutes" default:"15" doc:"a full read should take about this long: channels = ceil(table MB / (channelMBps × 60 × targetMinutes))"`
	MaxChannels   int           `json:"maxChannels" default:"8" doc:"most channels per job"`
	DailyShare    float64       `json:"dailyShare" default:"0.1" doc:"assumed share of a table read by a daily window job, for its channel count"`
	SmallRows     int64         `json:"smallRows" default:"10000" doc:"tables with at most this many rows (estimate) that would be snapshots are copied whole instead (strategy full)"`
	LargeRows     int64         `json:"largeRows" default:"5000000" doc:"a table above this many rows copied whole every day gets a warning in the plan"`
	MinUptime     spec.Duration `json:"minUptime" default:"\"24h\"" doc:"performance_schema counters decide the strategy only when the server has been up this long (they count since its start)"`
	KeyScan       string        `json:"keyScan" default:"auto" enum:"auto,on,off" doc:"key-scan delete detection for snapshot tables: auto is on unless the server's counters show no deletes"`
	Deletes       string        `json:"deletes" default:"flag" enum:"flag,remove" doc:"what a detected delete does to the snapshot: flag keeps the row flagged deleted, remove drops it"`
	KeepDays      int           `json:"keepDays" default:"7" doc:"snapshot partitions kept by the merge"`

	ModifiedColumns spec.StringList `json:"modifiedColumns" doc:"names (case-insensitive) that mark an update-time column, tried in order after ON UPDATE CURRENT_TIMESTAMP columns; default: modified_time, update_time, updated_at, gmt_modified and similar"`
	CreatedColumns  spec.StringList `json:"createdColumns" doc:"names that mark an insert-time column; default: created_time, create_time, created_at, gmt_create and similar"`
	LogTimeColumns  spec.StringList `json:"logTimeColumns" default:"[\"log_time\", \"binlog_time\"]" doc:"names of a change table's log-time column: with an update-time column they mark a change table, which may get a drift config (overrides[].drift)"`

	Cron     string `json:"cron" default:"30 1 * * *" doc:"when the daily scripts run (5-field cron spec, in timeZone)"`
	DataxBin string `json:"dataxBin" doc:"the datax binary the scripts call; default: the running binary's absolute path"`
	HiveCmd  string `json:"hiveCmd" doc:"command that runs a HiveQL file in the daily scripts, e.g. \"beeline -u jdbc:hive2://host:10000 -f\"; the file and --hivevar bizdate=... follow. Empty: the script prints the partition statement (override at run time with DATAX_HIVE_CMD)"`

	Overrides []Override `json:"overrides" doc:"per-table choices that replace the heuristics; the first override whose table pattern matches applies"`
}

// Override replaces generated choices for the tables its pattern matches.
type Override struct {
	Table          string            `json:"table" required:"true" doc:"glob pattern on db.table (or table)" example:"shop.orders"`
	Skip           bool              `json:"skip" doc:"generate nothing for the table"`
	Strategy       string            `json:"strategy" enum:",snapshot,incremental,full" doc:"snapshot, incremental or full"`
	SplitPk        string            `json:"splitPk" doc:"split column"`
	Channels       int               `json:"channels" doc:"channels of the full load (and of the daily job unless dailyChannels)"`
	DailyChannels  int               `json:"dailyChannels" doc:"channels of the daily window job"`
	ModifiedColumn string            `json:"modifiedColumn" doc:"update-time column of the daily window (snapshot)"`
	CreatedColumn  string            `json:"createdColumn" doc:"insert-time column of the daily window (incremental)"`
	Key            []string          `json:"key" doc:"merge key columns, for tables whose key the database does not declare"`
	KeyScan        string            `json:"keyScan" enum:",on,off" doc:"key-scan delete detection on or off"`
	Cron           string            `json:"cron" doc:"cron spec of this table's daily script"`
	Priority       int               `json:"priority" doc:"priority of the table's schedule entry"`
	ColumnTypes    map[string]string `json:"columnTypes" doc:"Hive types for columns, e.g. {\"amount\": \"STRING\"} for a DECIMAL wider than 38 digits"`
	Drift          *DriftOverride    `json:"drift" doc:"for a change table (log time and update time columns): generate its datax drift config, which rebuilds each day's rows of the entity from the change log with midnight drift corrected"`
}

// DriftOverride configures the drift correction of a change table.
type DriftOverride struct {
	Key      []string `json:"key" required:"true" doc:"the changed entity's key (e.g. order_id), not the change table's own id" example:"[\"order_id\"]"`
	Position string   `json:"position" doc:"log position column ordering changes of the same log time (default: log_pos when the table has it)"`
	ProcTime []string `json:"procTime" doc:"business-process time columns (e.g. pay_time): a change after midnight is put back on the day only when they all fall on it"`
	Window   string   `json:"window" default:"15m" doc:"W: how far past midnight the log is looked at"`
}

// Default name lists of update-time and insert-time columns.
var (
	DefaultModifiedColumns = []string{"modified_time", "update_time", "updated_time", "updated_at", "gmt_modified",
		"modify_time", "modified_at", "last_modified", "last_modified_time", "last_update", "last_update_time",
		"update_date", "updated_date", "mtime", "utime", "modified", "updated"}
	DefaultCreatedColumns = []string{"created_time", "create_time", "created_at", "gmt_create", "insert_time",
		"inserted_at", "add_time", "log_time", "event_time", "create_date", "created_date", "ctime", "created"}
)

// LoadConfig reads a config file; name "" returns the defaults.
func LoadConfig(name string) (*Config, error) {
	var tree any = map[string]any{}
	if name != "" {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("gen config: %w", err)
		}
		if tree, err = spec.ParseJSON(name, data); err != nil {
			return nil, err
		}
	}
	c := &Config{}
	if err := spec.Of(c).Decode(tree, "", c); err != nil {
		return nil, spec.InFile(configName(name), err)
	}
	return c, nil
}

func configName(name string) string {
	if name == "" {
		return "gen defaults"
	}
	return name
}

// Validate checks values across keys (after the command line filled in the
// rest, Check runs again).
func (c *Config) Validate() error {
	var errs []error
	if c.ChannelMBps <= 0 {
		errs = append(errs, spec.Errorf("channelMBps", "must be above 0, got %v", c.ChannelMBps))
	}
	if c.TargetMinutes <= 0 {
		errs = append(errs, spec.Errorf("targetMinutes", "must be above 0, got %v", c.TargetMinutes))
	}
	if c.MaxChannels < 1 {
		errs = append(errs, spec.Errorf("maxChannels", "must be at least 1, got %d", c.MaxChannels))
	}
	if c.DailyShare <= 0 || c.DailyShare > 1 {
		errs = append(errs, spec.Errorf("dailyShare", "must be in (0, 1], got %v", c.DailyShare))
	}
	if !strings.Contains(c.Naming, "<table>") {
		errs = append(errs, spec.Errorf("naming", "%q must contain <table> (e.g. ods_<db>_<table>), or every table gets the same name", c.Naming))
	}
	if c.ExtractTimeColumn == "" || c.PartitionColumn == "" {
		errs = append(errs, spec.Errorf("extractTimeColumn", "extractTimeColumn and partitionColumn must not be empty"))
	}
	if _, err := cronParser.Parse(c.Cron); err != nil {
		errs = append(errs, spec.Errorf("cron", "%q: %v", c.Cron, err))
	}
	for _, p := range append(append(append([]string{}, c.Include...), c.Exclude...), c.Tables...) {
		if _, err := path.Match(p, ""); err != nil {
			errs = append(errs, spec.Errorf("include", "pattern %q is malformed: %v", p, err))
		}
	}
	for i, o := range c.Overrides {
		at := fmt.Sprintf("overrides[%d]", i)
		if _, err := path.Match(o.Table, ""); err != nil {
			errs = append(errs, spec.Errorf(at+".table", "pattern %q is malformed: %v", o.Table, err))
		}
		if o.Channels < 0 || o.DailyChannels < 0 {
			errs = append(errs, spec.Errorf(at+".channels", "must not be negative"))
		}
		if o.Cron != "" {
			if _, err := cronParser.Parse(o.Cron); err != nil {
				errs = append(errs, spec.Errorf(at+".cron", "%q: %v", o.Cron, err))
			}
		}
		for col, typ := range o.ColumnTypes {
			if _, err := parseHiveType(typ); err != nil {
				errs = append(errs, spec.Errorf(at+".columnTypes."+col, "%v", err))
			}
		}
	}
	return errors.Join(errs...)
}

// Check validates what the command line completes: a source, a selection,
// a warehouse and a time zone.
func (c *Config) Check() error {
	var errs []error
	if c.JdbcURL == "" {
		errs = append(errs, errors.New("no source: give --jdbc-url (or jdbcUrl in the config file)"))
	} else if _, err := rdbms.ParseURL(c.JdbcURL); err != nil {
		errs = append(errs, fmt.Errorf("jdbcUrl: %w", err))
	}
	if c.Warehouse == "" {
		errs = append(errs, errors.New("no warehouse root: give --warehouse (or warehouse in the config file or the global config)"))
	} else if !strings.HasPrefix(c.Warehouse, "/") {
		errs = append(errs, fmt.Errorf("warehouse %q: must be an absolute path (the Hive LOCATION and the jobs use it)", c.Warehouse))
	}
	if _, err := c.Location(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Location returns the configured time zone (UTC when none).
func (c *Config) Location() (*time.Location, error) {
	if c.TimeZone == "" {
		return time.UTC, nil
	}
	loc, err := rdbms.ParseZone(c.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("timeZone: %w", err)
	}
	return loc, nil
}

// override returns the first override matching db.table, or nil.
func (c *Config) override(db, table string) *Override {
	for i := range c.Overrides {
		if matchTable(c.Overrides[i].Table, db, table) {
			return &c.Overrides[i]
		}
	}
	return nil
}

// matchTable matches a glob pattern against db.table, or against table
// alone when the pattern names no database. Case-insensitive.
func matchTable(pattern, db, table string) bool {
	p := strings.ToLower(pattern)
	name := strings.ToLower(table)
	if strings.Contains(p, ".") {
		name = strings.ToLower(db) + "." + name
	}
	ok, _ := path.Match(p, name)
	return ok
}
