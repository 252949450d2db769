package mysql

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"datax/rdbms"
	"datax/spec"
	"datax/splitter"
)

// Params are mysqlreader's parameters: DataX's, plus consistentSnapshot,
// zeroDate, timeZone, shardColumns, tls and connectTimeout.
type Params struct {
	rdbms.Login                 // username, password, session, tls, connectTimeout
	Column      []string        `json:"column" doc:"columns to read, in order: names, [\"*\"] for all, or constants and expressions as in a SELECT list (each becomes a column named by the server). Required unless querySql is given" example:"[\"id\", \"name\", \"amount\"]"`
	Connection  []Connection    `json:"connection" required:"true" doc:"the databases to read: one element per database (several are shards of one logical table)"`
	Where       string          `json:"where" doc:"SQL condition every row read must meet, e.g. modified_time >= '${bizdate}' (ignored with querySql)"`
	QuerySQL    spec.StringList `json:"querySql" doc:"queries to run instead of reading tables, on every connection[] element (DataX also accepts querySql inside connection[]); column, table, where and splitPk are then ignored, and each query is one task"`
	SplitPk     string          `json:"splitPk" doc:"column to split tables on (integer or CHAR/VARCHAR/BINARY/VARBINARY); default: the single-column primary key, else the first unique NOT NULL integer index, else the leading integer column of a composite primary key, else no split"`
	SplitFactor int             `json:"splitFactor" default:"5" doc:"ranges per table and channel: each table is cut into ceil(channels / tables) × splitFactor ranges so that skew evens out"`
	FetchSize   int             `json:"fetchSize" doc:"accepted for DataX compatibility and ignored: rows always stream, so memory does not grow with the table"`

	ConsistentSnapshot  bool          `json:"consistentSnapshot" doc:"read every table of a connection[] element as of one moment: briefly lock (FLUSH TABLES WITH READ LOCK, or LOCK TABLES … READ without the RELOAD privilege), start a consistent-snapshot transaction on each reading connection, note the binlog position for the summary, unlock"`
	SnapshotLockTimeout spec.Duration `json:"snapshotLockTimeout" default:"\"30s\"" doc:"longest wait for the snapshot lock (a long-running statement on the server delays it); then the job fails instead of blocking writers"`
	ZeroDate            string        `json:"zeroDate" default:"null" enum:"null,error" doc:"what becomes of zero dates ('0000-00-00', a zero month or day): null reads them as NULL; error makes the row a dirty record"`
	TimeZone            string        `json:"timeZone" doc:"time zone for TIMESTAMP columns: UTC keeps them as instants (micros since the epoch); a zone such as Asia/Shanghai or +08:00 turns them into that zone's wall-clock time, as DATETIME values are. Default: the jdbcUrl's serverTimezone, else the job's time zone"`
	// DataX keys that have no effect here.
	MandatoryEncoding string `json:"mandatoryEncoding" doc:"DataX key, accepted and ignored: the connection always speaks utf8mb4"`
	Hint              string `json:"hint" doc:"DataX key, accepted and ignored (an optimizer hint for the split query)"`
	JdbcConfig        any    `json:"jdbcConfig" doc:"DataX key, accepted and ignored"`

	ShardColumns ShardColumns `json:"shardColumns" doc:"extra string columns holding each row's source database and table, for sharded sources"`
}

// Connection is one connection[] element: one database.
type Connection struct {
	JdbcURL  spec.StringList `json:"jdbcUrl" required:"true" doc:"the database's address as jdbc:mysql://host:port/db?params or a go-sql-driver DSN; a list holds alternative addresses of the same database (primary, replicas), tried in order until one connects" example:"jdbc:mysql://127.0.0.1:3306/shop"`
	Table    spec.StringList `json:"table" doc:"tables of this database; several are shards of one logical table; ranges such as orders_[0-31] expand; db.table names another database"`
	QuerySQL spec.StringList `json:"querySql" doc:"queries to run on this database instead of tables (DataX's place for querySql)"`
}

// ShardColumns names the extra columns that carry a row's origin.
type ShardColumns struct {
	Database string `json:"database" doc:"name of a column holding the database the row came from"`
	Table    string `json:"table" doc:"name of a column holding the table the row came from (table mode only)"`
}

// Validate checks what the declaration alone cannot, before anything
// connects.
func (p *Params) Validate() error {
	var errs []error
	fail := func(key, format string, args ...any) { errs = append(errs, spec.Errorf(key, format, args...)) }
	query := len(p.QuerySQL) > 0
	for i, c := range p.Connection {
		if len(c.QuerySQL) > 0 {
			query = true
		}
		if len(c.JdbcURL) == 0 {
			fail(fmt.Sprintf("connection[%d].jdbcUrl", i), "needs at least one address")
		}
		for j, u := range c.JdbcURL {
			if _, err := rdbms.ParseURL(u); err != nil {
				fail(fmt.Sprintf("connection[%d].jdbcUrl[%d]", i, j), "%v", err)
			}
		}
	}
	if len(p.Connection) == 0 {
		fail("connection", "needs at least one element {\"jdbcUrl\": ..., \"table\": [...]}")
	}
	if query {
		for i, c := range p.Connection {
			if len(c.QuerySQL) == 0 && len(p.QuerySQL) == 0 {
				fail(fmt.Sprintf("connection[%d].querySql", i), "other connection[] elements use querySql: give this one queries too (or querySql at the top level for all)")
			}
			for j, q := range append(append([]string{}, p.QuerySQL...), c.QuerySQL...) {
				if strings.TrimSpace(strings.TrimRight(strings.TrimSpace(q), ";")) == "" {
					fail(fmt.Sprintf("connection[%d].querySql[%d]", i, j), "is empty")
				}
			}
		}
		if p.ShardColumns.Table != "" {
			fail("shardColumns.table", "querySql reads no table; only shardColumns.database applies")
		}
	} else {
		if len(p.Column) == 0 {
			fail("column", "missing: list the columns to read, or [\"*\"] for all")
		}
		for i, c := range p.Column {
			if strings.TrimSpace(c) == "" {
				fail(fmt.Sprintf("column[%d]", i), "is empty")
			}
			if strings.TrimSpace(c) == "*" && len(p.Column) > 1 {
				fail(fmt.Sprintf("column[%d]", i), "\"*\" stands for every column and must be alone")
			}
		}
		for i, c := range p.Connection {
			if len(c.Table) == 0 {
				fail(fmt.Sprintf("connection[%d].table", i), "missing: list the tables to read (or give querySql)")
			}
			if _, err := splitter.ExpandTables(c.Table); err != nil {
				fail(fmt.Sprintf("connection[%d].table", i), "%v", err)
			}
		}
	}
	if p.SplitFactor < 1 {
		fail("splitFactor", "must be at least 1, got %d", p.SplitFactor)
	}
	if p.TimeZone != "" {
		if _, err := rdbms.ParseZone(p.TimeZone); err != nil {
			fail("timeZone", "%v", err)
		}
	}
	if p.ShardColumns.Database != "" && p.ShardColumns.Database == p.ShardColumns.Table {
		fail("shardColumns.table", "must differ from shardColumns.database (%q)", p.ShardColumns.Database)
	}
	if p.SnapshotLockTimeout.Duration < time.Second && p.ConsistentSnapshot {
		fail("snapshotLockTimeout", "must be at least 1s")
	}
	return errors.Join(errs...)
}
