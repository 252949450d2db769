package rdbms

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Execer runs statements: *sql.DB, *sql.Conn and *sql.Tx all do.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// LockForSnapshot freezes writes so that snapshot transactions started
// meanwhile see the same data and the binlog position read meanwhile
// matches them: FLUSH TABLES WITH READ LOCK, or, where that is refused (no
// RELOAD privilege, managed servers), LOCK TABLES … READ on tables (quoted
// names). It waits at most wait for the lock (lock_wait_timeout), so a
// long-running statement on the server cannot make it block writers for
// long. It returns the statement it used; UnlockTables releases the lock.
func LockForSnapshot(ctx context.Context, conn Execer, tables []string, wait time.Duration) (string, error) {
	secs := max(int64(wait/time.Second), 1)
	if _, err := conn.ExecContext(ctx, "SET SESSION lock_wait_timeout = "+strconv.FormatInt(secs, 10)); err != nil {
		return "", Classify(err)
	}
	_, err := conn.ExecContext(ctx, "FLUSH TABLES WITH READ LOCK")
	if err == nil {
		return "FLUSH TABLES WITH READ LOCK", nil
	}
	switch ErrorCode(err) {
	case 1227, 1044, 1045, 1142: // no RELOAD privilege: lock only the tables read
	default:
		return "", fmt.Errorf("FLUSH TABLES WITH READ LOCK: %w", Classify(err))
	}
	if len(tables) == 0 {
		return "", fmt.Errorf("FLUSH TABLES WITH READ LOCK: %w", Classify(err))
	}
	stmt := "LOCK TABLES " + strings.Join(tables, " READ, ") + " READ"
	if _, err2 := conn.ExecContext(ctx, stmt); err2 != nil {
		return "", fmt.Errorf("FLUSH TABLES WITH READ LOCK was refused (%v), and so was LOCK TABLES … READ: %w", err, Classify(err2))
	}
	return "LOCK TABLES … READ", nil
}

// UnlockTables releases LockForSnapshot's lock.
func UnlockTables(ctx context.Context, conn Execer) error {
	_, err := conn.ExecContext(ctx, "UNLOCK TABLES")
	return err
}

// StartSnapshot starts a read-only REPEATABLE READ transaction with a
// consistent snapshot on conn: every later read on conn sees the data as of
// this moment.
func StartSnapshot(ctx context.Context, conn Execer) error {
	if _, err := conn.ExecContext(ctx, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"); err != nil {
		return Classify(err)
	}
	_, err := conn.ExecContext(ctx, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
	return Classify(err)
}

// BinlogPosition is where a server's binary log stood.
type BinlogPosition struct {
	File string
	Pos  uint64
	// GTID is the GTID set: gtid_binlog_pos on MariaDB, Executed_Gtid_Set
	// on MySQL; "" when GTIDs are off.
	GTID string
}

// String renders the position as "file:pos" plus the GTID set.
func (p BinlogPosition) String() string {
	s := p.File + ":" + strconv.FormatUint(p.Pos, 10)
	if p.GTID != "" {
		s += ", GTID " + p.GTID
	}
	return s
}

// MasterStatus returns the binlog position (SHOW MASTER STATUS, or SHOW
// BINARY LOG STATUS on MySQL 8.4+, plus @@gtid_binlog_pos on MariaDB). ok is
// false when the binary log is off.
func MasterStatus(ctx context.Context, q Querier) (pos BinlogPosition, ok bool, err error) {
	rows, err := q.QueryContext(ctx, "SHOW MASTER STATUS")
	if ErrorCode(err) == 1064 {
		rows, err = q.QueryContext(ctx, "SHOW BINARY LOG STATUS")
	}
	if err != nil {
		return pos, false, Classify(err)
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return pos, false, err
	}
	vals := make([]sql.NullString, len(names))
	dest := make([]any, len(names))
	for i := range vals {
		dest[i] = &vals[i]
	}
	if !rows.Next() {
		return pos, false, rows.Err()
	}
	if err := rows.Scan(dest...); err != nil {
		return pos, false, err
	}
	for i, n := range names {
		switch strings.ToLower(n) {
		case "file":
			pos.File = vals[i].String
		case "position":
			pos.Pos, _ = strconv.ParseUint(vals[i].String, 10, 64)
		case "executed_gtid_set":
			pos.GTID = strings.ReplaceAll(vals[i].String, "\n", "")
		}
	}
	if err := rows.Close(); err != nil {
		return pos, false, err
	}
	if pos.GTID == "" {
		var gtid sql.NullString
		if err := queryRow(ctx, q, "SELECT @@gtid_binlog_pos", nil, &gtid); err == nil {
			pos.GTID = gtid.String
		}
	}
	return pos, true, nil
}

// ConnectionID returns CONNECTION_ID() of conn.
func ConnectionID(ctx context.Context, q Querier) (int64, error) {
	var id int64
	err := queryRow(ctx, q, "SELECT CONNECTION_ID()", nil, &id)
	return id, err
}

// KillQuery stops the statement running on connection id (KILL QUERY),
// leaving the connection and its transaction open.
func KillQuery(ctx context.Context, conn Execer, id int64) error {
	_, err := conn.ExecContext(ctx, "KILL QUERY "+strconv.FormatInt(id, 10))
	return err
}

// InTransaction reports whether q's session is inside a transaction
// (@@in_transaction, MariaDB); known is false where the server does not
// tell (MySQL).
func InTransaction(ctx context.Context, q Querier) (in, known bool, err error) {
	var v int
	err = queryRow(ctx, q, "SELECT @@in_transaction", nil, &v)
	if ErrorCode(err) == 1193 {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	return v != 0, true, nil
}
