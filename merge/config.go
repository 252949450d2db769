package merge

import (
	"fmt"

	"datax/fileplugin"
	"datax/jobs"
	"datax/spec"
	"datax/storage"
)

// Config is a merge config file (datax merge CONFIG.json), declared once:
// decoding, validation with JSON paths and suggestions, and the reference in
// `datax merge --help` and merge/README.md come from these tags.
type Config struct {
	Key     spec.StringList `json:"key" required:"true" doc:"the primary key column(s); composite keys are a list" example:"[\"order_id\"]"`
	Table   TableConfig     `json:"table" required:"true" doc:"the snapshot table: where its day partitions live"`
	Delta   DeltaConfig     `json:"delta" required:"true" doc:"the day's changes: a change log or a modified_time window extraction"`
	KeyScan *KeyScanConfig  `json:"keyScan" doc:"key-scan delete detection: the source's current keys, read through a reader (e.g. mysqlreader with column = the key columns); snapshot keys missing from it are deleted"`
	Version string          `json:"version" doc:"a column of both sides that grows over a key's whole life, across deletes and re-inserts (a change-log position or a monotonic change id; not a per-row counter that restarts when a key is inserted again): a delta row only replaces a snapshot row whose version is not larger, so an older or replayed delta never moves data backwards; a delete whose version is null takes the snapshot row's version (it is applied)"`
	Deletes string          `json:"deletes" default:"flag" enum:"flag,remove" doc:"what a delete does: flag keeps the row with flagColumn = true and the day in flagDayColumn (history of deleted rows); remove drops it"`
	// FlagColumn and FlagDayColumn name the deleted flag columns.
	FlagColumn    string     `json:"flagColumn" default:"dx_deleted" doc:"the boolean column set on deleted rows (flag mode); a delta holding this column (one written by datax delta) marks its deletes with it"`
	FlagDayColumn string     `json:"flagDayColumn" default:"dx_deleted_dt" doc:"the date column holding the day a row was deleted (flag mode); empty: none"`
	MemoryMB      int        `json:"memoryMB" doc:"memory for sorting, in MiB (default: the global memorymb setting, 256); beyond it sorts spill to disk"`
	SpillDir      string     `json:"spillDir" doc:"local directory for sort spill files (default: the system's temporary directory)"`
	Channel       int        `json:"channel" doc:"reader tasks run at once for the delta and the key scan (default: the global channels setting)"`
	SQL           *SQLConfig `json:"sql" doc:"table names for --emit-sql (the same merge as Hive or Spark SQL)"`
}

// TableConfig locates a table's partitions.
type TableConfig struct {
	fileplugin.Conn
	Path        string `json:"path" required:"true" doc:"the table directory; partitions are <path>/<partition>=<day>" example:"/warehouse/ods/ods_shop_orders"`
	Partition   string `json:"partition" default:"dt" doc:"the partition column name"`
	KeepDays    int    `json:"keepDays" default:"7" doc:"partitions older than this many days before the merged day are removed after a successful merge; the newest verified partition is always kept; 0 keeps all"`
	Compression string `json:"compress" default:"snappy" enum:"snappy,gzip,zstd,none" doc:"Parquet compression of the written partition"`
	FileRows    int64  `json:"fileRows" doc:"start a new data file after this many rows (0: one file)"`
}

// DeltaConfig is the delta's source and rules. The two common shapes:
//
//	change log:  {"reader": ..., "time": "log_time", "position": "log_pos", "op": {"column": "op"}}
//	window:      {"reader": ..., "time": "modified_time", "softDelete": {"column": "is_deleted"}}
type DeltaConfig struct {
	Reader     *jobs.Plugin      `json:"reader" doc:"the reader of the change records, as in a job file: {\"name\": ..., \"parameter\": {...}} (e.g. hdfsreader over the day's change-log partition, mysqlreader with a where on modified_time)"`
	Path       string            `json:"path" doc:"instead of reader: a Parquet partition directory on the table's filesystem (e.g. written by datax delta)"`
	Time       string            `json:"time" doc:"orders a key's changes: the log time of a change log, or modified_time of a window extraction (the latest wins)"`
	Position   string            `json:"position" doc:"breaks ties of time: the log position (binlog offset, change id)"`
	Op         *OpConfig         `json:"op" doc:"the operation column of a change log (no op: every row is an upsert)"`
	SoftDelete *SoftDeleteConfig `json:"softDelete" doc:"a column that marks deleted rows, e.g. is_deleted = 1 in a window extraction"`
	DeleteMode string            `json:"deleteMode" default:"keep" enum:"keep,drop-last-delete,drop-delete-and-before" doc:"keep: a key's last change whatever it is (a delete stays, flagged); drop-last-delete: if the last change is a delete, the change before it; drop-delete-and-before: only the changes after the key's last delete"`
	Drop       spec.StringList   `json:"drop" doc:"columns of the change records that are not part of the table (log time, position...); the op column is always dropped"`
}

// OpConfig is the operation column and its values.
type OpConfig struct {
	Column string          `json:"column" required:"true" doc:"the operation column"`
	Insert spec.StringList `json:"insert" default:"[\"I\",\"INSERT\",\"c\",\"r\"]" doc:"values meaning insert (default: Canal's and Debezium's)"`
	Update spec.StringList `json:"update" default:"[\"U\",\"UPDATE\",\"u\"]" doc:"values meaning update"`
	Delete spec.StringList `json:"delete" default:"[\"D\",\"DELETE\",\"d\"]" doc:"values meaning delete; any other value is an error"`
}

// SoftDeleteConfig is a soft-delete column.
type SoftDeleteConfig struct {
	Column string          `json:"column" required:"true" doc:"the column"`
	Values spec.StringList `json:"values" default:"[\"1\"]" doc:"values meaning deleted (as text: 1, true, Y...)"`
}

// KeyScanConfig is the key scan.
type KeyScanConfig struct {
	Reader   jobs.Plugin `json:"reader" required:"true" doc:"the reader of the source's keys (mysqlreader with column = the key columns: an index-only scan over splitPk ranges)"`
	MinShare float64     `json:"minShare" default:"0.9" doc:"the guard: refuse (publish nothing) when the scan would delete more than (1 - minShare) of the previous snapshot's live rows (keys new at the source do not count); when the deletes are real, datax merge --accept-deletes lets one run through"`
}

// SQLConfig names the tables of --emit-sql.
type SQLConfig struct {
	Target     string `json:"target" required:"true" doc:"the snapshot table (Hive, partitioned by table.partition)" example:"ods.ods_shop_orders"`
	Delta      string `json:"delta" required:"true" doc:"the table of the change records" example:"ods.ods_shop_orders_changelog"`
	DeltaWhere string `json:"deltaWhere" doc:"condition selecting the day's change records" example:"dt = '${bizdate}'"`
	KeyScan    string `json:"keyScan" doc:"a table of the source's current keys (with keyScan)"`
}

// Validate checks the delta's source.
func (d *DeltaConfig) Validate() error {
	if (d.Reader == nil) == (d.Path == "") {
		return spec.Errorf("", "give either reader or path (the delta's source)")
	}
	return nil
}

// Validate checks the guard's range.
func (k *KeyScanConfig) Validate() error {
	if k.MinShare <= 0 || k.MinShare > 1 {
		return spec.Errorf("minShare", "must be above 0 and at most 1, got %v (to let one run delete more, run datax merge --accept-deletes)", k.MinShare)
	}
	return nil
}

// Validate checks values across fields.
func (c *Config) Validate() error {
	if c.MemoryMB < 0 {
		return spec.Errorf("memoryMB", "must be positive, got %d", c.MemoryMB)
	}
	if c.Channel < 0 {
		return spec.Errorf("channel", "must be positive, got %d", c.Channel)
	}
	return nil
}

// Validate checks the table's filesystem keys.
func (t *TableConfig) Validate() error {
	if err := t.Conn.Check(); err != nil {
		return err
	}
	if t.KeepDays < 0 {
		return spec.Errorf("keepDays", "must be 0 (keep all) or more, got %d", t.KeepDays)
	}
	return nil
}

// Open opens the table's filesystem.
func (t *TableConfig) Open() (Table, error) {
	opts := t.Conn.Options()
	fsys, err := storage.Open(opts)
	if err != nil {
		return Table{}, err
	}
	p, err := storage.Clean(fsys, t.Path)
	if err != nil {
		return Table{}, fmt.Errorf("table.path: %w", err)
	}
	return Table{Options: opts, FS: fsys, Path: p, Partition: t.Partition}, nil
}

// Rules returns the delta rules of the config.
func (d *DeltaConfig) Rules(key []string, flagColumn string) DeltaRules {
	r := DeltaRules{Key: key, Time: d.Time, Position: d.Position, Mode: DeleteMode(d.DeleteMode), Drop: d.Drop, DeletedFlag: flagColumn}
	if d.Op != nil {
		r.Op, r.Insert, r.Update, r.Delete = d.Op.Column, d.Op.Insert, d.Op.Update, d.Op.Delete
	}
	if d.SoftDelete != nil {
		r.SoftDelete, r.SoftDeleteValues = d.SoftDelete.Column, d.SoftDelete.Values
	}
	return r
}

// Rules returns the merge rules of the config.
func (c *Config) Rules() Rules {
	r := Rules{Key: c.Key, Version: c.Version, Deletes: Deletes(c.Deletes), FlagColumn: c.FlagColumn, FlagDayColumn: c.FlagDayColumn}
	if c.KeyScan != nil {
		r.MinScanShare = c.KeyScan.MinShare
	}
	if c.Delta.SoftDelete != nil {
		r.SoftDelete, r.SoftDeleteValues = c.Delta.SoftDelete.Column, c.Delta.SoftDelete.Values
	}
	return r
}

// DeltaJobConfig is a delta config file (datax delta CONFIG.json): the day's
// change records reduced to one row per key, written as the day's partition
// of a delta table (sorted by key, deletes marked in flagColumn) for datax
// merge to read with delta.path.
type DeltaJobConfig struct {
	Key        spec.StringList `json:"key" required:"true" doc:"the primary key column(s)" example:"[\"order_id\"]"`
	Delta      DeltaConfig     `json:"delta" required:"true" doc:"the day's change records and the rules that reduce them"`
	Output     TableConfig     `json:"output" required:"true" doc:"the delta table: where its day partitions go"`
	FlagColumn string          `json:"flagColumn" default:"dx_deleted" doc:"the boolean column marking the delta's deletes"`
	MemoryMB   int             `json:"memoryMB" doc:"memory for sorting, in MiB (default: the global memorymb setting, 256)"`
	SpillDir   string          `json:"spillDir" doc:"local directory for sort spill files (default: the system's temporary directory)"`
	Channel    int             `json:"channel" doc:"reader tasks run at once (default: the global channels setting)"`
}
