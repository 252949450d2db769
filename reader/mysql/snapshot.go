package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"datax/plugin"
	"datax/rdbms"
)

// snapshot is a pool of connections of one database that all hold one
// consistent-snapshot transaction. At most `channels` tasks read at once,
// so the pool holds channels + 1 connections (fewer for fewer tasks): one
// spare lets a task whose connection broke retry on the same snapshot.
type snapshot struct {
	shard int
	free  chan *snapConn
	dead  chan struct{} // closed when no connection is left

	mu     sync.Mutex
	alive  int
	all    []*snapConn
	closed bool
}

type snapConn struct {
	conn *sql.Conn
	id   int64 // CONNECTION_ID(), for KILL QUERY
}

// errSnapshotLost is returned when every connection of a snapshot broke.
var errSnapshotLost = errors.New("the consistent snapshot is lost: every connection holding it broke, and a new connection cannot rejoin it; re-run the job")

// openSnapshots opens a snapshot on every connection[] element that has
// tasks, one after the other (each database locks only briefly).
func (r *mysqlReader) openSnapshots(ctx context.Context, channels int, tasks []*task) error {
	perShard := map[int]int{}
	tables := map[int]map[string]bool{}
	for _, t := range tasks {
		perShard[t.shard]++
		if t.lockName != "" {
			if tables[t.shard] == nil {
				tables[t.shard] = map[string]bool{}
			}
			tables[t.shard][t.lockName] = true
		}
	}
	for _, s := range r.shards {
		n := perShard[s.index]
		if n == 0 {
			continue
		}
		var names []string
		for name := range tables[s.index] {
			names = append(names, name)
		}
		sort.Strings(names)
		snap, line, err := openSnapshot(ctx, s, min(max(channels, 1)+1, n), names, r.p.SnapshotLockTimeout.Duration)
		if err != nil {
			return fmt.Errorf("connection[%d] %s: consistentSnapshot: %w", s.index, s.db, err)
		}
		s.snap = snap
		r.addReport(line)
		r.env.Log.Info(line)
	}
	return nil
}

// openSnapshot opens k connections, locks, starts a consistent-snapshot
// transaction on each, reads the binlog position and unlocks.
func openSnapshot(ctx context.Context, s *shard, k int, tables []string, wait time.Duration) (_ *snapshot, line string, err error) {
	snap := &snapshot{shard: s.index, free: make(chan *snapConn, k), dead: make(chan struct{})}
	defer func() {
		if err != nil {
			snap.close()
		}
	}()
	for i := 0; i < k; i++ {
		c, err := s.db.Conn(ctx)
		if err != nil {
			return nil, "", err
		}
		sc := &snapConn{conn: c}
		snap.all = append(snap.all, sc)
		if sc.id, err = rdbms.ConnectionID(ctx, c); err != nil {
			return nil, "", err
		}
	}
	lock, err := s.db.Conn(ctx)
	if err != nil {
		return nil, "", err
	}
	defer lock.Close()
	how, err := rdbms.LockForSnapshot(ctx, lock, tables, wait)
	if err != nil {
		return nil, "", err
	}
	locked := time.Now()
	unlock := func() error {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		return rdbms.UnlockTables(uctx, lock)
	}
	for _, sc := range snap.all {
		if err := rdbms.StartSnapshot(ctx, sc.conn); err != nil {
			unlock()
			return nil, "", err
		}
	}
	pos, binlog, perr := rdbms.MasterStatus(ctx, lock)
	if err := unlock(); err != nil {
		return nil, "", fmt.Errorf("UNLOCK TABLES: %w", err)
	}
	held := time.Since(locked).Round(time.Millisecond)
	for _, sc := range snap.all {
		snap.free <- sc
	}
	snap.alive = len(snap.all)
	where := "binlog position unknown (binary log off)"
	switch {
	case perr != nil:
		where = "binlog position unknown: " + perr.Error()
	case binlog:
		where = "binlog position " + pos.String()
	}
	line = fmt.Sprintf("mysqlreader: connection[%d] %s read as one consistent snapshot on %d connections (%s held %s); %s",
		s.index, s.db, k, how, held, where)
	return snap, line, nil
}

// get takes a free connection of the snapshot.
func (s *snapshot) get(ctx context.Context) (*snapConn, error) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil, plugin.Permanent(fmt.Errorf("connection[%d]: the consistent snapshot was already released", s.shard))
	}
	select {
	case c := <-s.free:
		return c, nil
	default:
	}
	select {
	case c := <-s.free:
		return c, nil
	case <-s.dead:
		return nil, plugin.Permanent(fmt.Errorf("connection[%d]: %w", s.shard, errSnapshotLost))
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// put returns c to the pool, or drops it when broken.
func (s *snapshot) put(c *snapConn, broken bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		discard(c.conn)
		return
	}
	if !broken {
		s.free <- c
		return
	}
	discard(c.conn)
	s.alive--
	if s.alive == 0 {
		close(s.dead)
	}
}

// discard closes a snapshot connection for good: it must not go back to
// the database's pool with its transaction open. Closing it ends the
// transaction on the server.
func discard(c *sql.Conn) {
	c.Raw(func(any) error { return driver.ErrBadConn })
	c.Close()
}

// healthy reports whether c still holds the snapshot after a failed read:
// it answers, and (where the server tells) its transaction is open.
func (s *snapshot) healthy(c *snapConn) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.conn.PingContext(ctx); err != nil {
		return false
	}
	in, known, err := rdbms.InTransaction(ctx, c.conn)
	return err == nil && (in || !known)
}

// close ends every snapshot transaction: connections in the pool now,
// the others when their task puts them back.
func (s *snapshot) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	if s.alive == 0 {
		// Opening failed half-way: close what was opened.
		for _, c := range s.all {
			discard(c.conn)
		}
		return
	}
	for {
		select {
		case c := <-s.free:
			discard(c.conn)
			continue
		default:
		}
		return
	}
}
