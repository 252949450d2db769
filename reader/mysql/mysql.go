// Package mysql is the mysqlreader plugin: DataX's MySQL reader for MySQL
// and MariaDB, with DataX's parameters (username, password, column,
// connection[] of jdbcUrl and table or querySql, where, splitPk,
// splitFactor, fetchSize, session) and more: exact types, a consistent
// snapshot across tasks with its binlog position, shard columns, TLS.
//
// Each connection[] element is one database, reached through the first of
// its jdbcUrl addresses that answers; its tables (with DataX's orders_[0-31]
// ranges) are shards of one logical table. Every table is cut into key
// ranges (package splitter) that tasks read with index range scans, rows
// streaming from the server into record batches without an allocation per
// value. querySql is one task per query.
//
// A task whose connection breaks is retried by the engine from its start
// on a new connection. With consistentSnapshot, tasks read through a small
// pool of connections that all hold one snapshot (channels + 1 per
// database): a retry takes another connection of the same snapshot, and a
// cancelled read stops with KILL QUERY so that its connection keeps the
// snapshot. When every connection of a database's snapshot is lost, no new
// connection can rejoin it: the task fails permanently and says so. The
// snapshot connections are held until the reader is closed, because the
// engine may retry any task until the last one has been written.
package mysql

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"datax/plugin"
	"datax/rdbms"
	"datax/reader"
	"datax/record"
)

//go:embed example.json
var example []byte

func init() {
	reader.Register("mysqlreader", "reads MySQL and MariaDB tables (split into key ranges) or queries", example, New)
}

type mysqlReader struct {
	p        *Params
	env      plugin.Env
	urls     [][]*rdbms.URL // per connection[] element, its alternative addresses
	zone     *time.Location // TIMESTAMP wall clock; UTC keeps instants
	zeroDate rdbms.ZeroDate

	// Set by Split.
	shards []*shard
	schema record.Schema
	width  int // columns that come from the server; shard columns follow

	mu     sync.Mutex
	report []string
}

// shard is one connection[] element: one database.
type shard struct {
	index int
	urls  []*rdbms.URL
	opts  rdbms.Options

	mu sync.Mutex
	db *rdbms.DB

	snap *snapshot // nil without consistentSnapshot
}

// task is one query: a key range of a table, or a querySql.
type task struct {
	shard       int
	query       string
	desc        string
	dec         *rdbms.RowDecoder
	shardValues []string // values of the shard columns
	lockName    string   // the quoted table, for LOCK TABLES … READ
}

func (t *task) String() string { return t.desc }

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// New builds a mysqlreader from validated parameters; it does no I/O.
func New(p *Params, env plugin.Env) (reader.Reader, error) {
	r := &mysqlReader{p: p, env: env, zone: env.Location}
	if env.Log == nil {
		r.env.Log = discardLog()
	}
	for i, c := range p.Connection {
		var urls []*rdbms.URL
		for j, s := range c.JdbcURL {
			u, err := rdbms.ParseURL(s)
			if err != nil { // Validate has reported it
				return nil, fmt.Errorf("connection[%d].jdbcUrl[%d]: %w", i, j, err)
			}
			if len(u.Ignored) > 0 {
				r.env.Log.Info("jdbcUrl parameters without a meaning here are ignored",
					"path", fmt.Sprintf("connection[%d].jdbcUrl[%d]", i, j), "params", strings.Join(u.Ignored, ","))
			}
			urls = append(urls, u)
		}
		r.urls = append(r.urls, urls)
	}
	if zone := rdbms.ZoneSetting(p.TimeZone, r.urls...); zone != "" {
		loc, err := rdbms.ParseZone(zone)
		if err != nil {
			return nil, err
		}
		r.zone = loc
	}
	if r.zone == nil {
		r.zone = time.UTC
	}
	if p.ZeroDate == "error" {
		r.zeroDate = rdbms.ZeroDateError
	}
	return r, nil
}

// connOptions are the connection settings of every shard. Loading TLS
// files is the first I/O, so it happens here, at Split.
func (r *mysqlReader) connOptions() (rdbms.Options, error) {
	return r.p.Login.Options(r.env.Log)
}

// conn returns the shard's database, reconnecting through its addresses
// when the one in use stopped answering.
func (s *shard) database(ctx context.Context, reopen bool) (*rdbms.DB, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db != nil && !reopen {
		return s.db, nil
	}
	db, err := rdbms.Open(ctx, s.urls, s.opts)
	if err != nil {
		return nil, fmt.Errorf("connection[%d]: %w", s.index, err)
	}
	if s.db != nil {
		s.db.Close()
	}
	s.db = db
	return db, nil
}

// Report returns the summary lines: the snapshot and binlog position of
// each database read with consistentSnapshot.
func (r *mysqlReader) Report() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.report...)
}

func (r *mysqlReader) addReport(line string) {
	r.mu.Lock()
	r.report = append(r.report, line)
	r.mu.Unlock()
}

// Close ends the snapshot transactions and closes every connection.
func (r *mysqlReader) Close() error {
	for _, s := range r.shards {
		if s.snap != nil {
			s.snap.close()
		}
		s.mu.Lock()
		if s.db != nil {
			s.db.Close()
			s.db = nil
		}
		s.mu.Unlock()
	}
	return nil
}
