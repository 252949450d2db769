package rdbms

import (
	"context"
	"crypto/tls"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"datax/plugin"
)

// Options are the connection settings that do not come from the URL.
type Options struct {
	User, Password string
	// TLS, when set, replaces the URL's TLS settings. AllowPlaintext
	// falls back to an unencrypted connection when the server has no TLS.
	TLS            *tls.Config
	AllowPlaintext bool
	// Session statements run on every new connection, in order (DataX's
	// session parameter).
	Session []string
	// ConnectTimeout bounds each address's connection attempt when the URL
	// sets none; default 10s.
	ConnectTimeout time.Duration
	// Log receives the driver's own messages at debug level (default: none).
	Log *slog.Logger
	// MaxIdle is how many idle connections the pool keeps (default 2, as
	// database/sql).
	MaxIdle int
}

// DB is an open database: the address of a URL that answered.
type DB struct {
	*sql.DB
	// Addr is the host:port that answered; Database the URL's database.
	Addr, Database string
}

// String names the database for messages: host:port/database.
func (d *DB) String() string { return d.Addr + "/" + d.Database }

// Open connects to the first address that answers, trying the addresses
// of urls in order: they are alternatives for one database (a primary and
// its replicas, DataX's jdbcUrl list), so exactly one is used. An address
// that refuses, resets or times out is skipped; one that answers with an
// error (wrong password, unknown database) stops the search, as the others
// would answer the same. The error names every address tried and never a
// password.
func Open(ctx context.Context, urls []*URL, opts Options) (*DB, error) {
	var tried []string
	for _, u := range urls {
		for _, addr := range u.Hosts {
			db, err := openAddr(ctx, u, addr, opts)
			if err == nil {
				return &DB{DB: db, Addr: addr, Database: u.Database}, nil
			}
			if !unreachable(err) || ctx.Err() != nil {
				return nil, Classify(fmt.Errorf("%s: %w", addr, err))
			}
			tried = append(tried, fmt.Sprintf("%s: %s", addr, shortNetError(err)))
		}
	}
	switch len(tried) {
	case 0:
		return nil, plugin.Permanent(fmt.Errorf("no address to connect to"))
	case 1:
		return nil, fmt.Errorf("cannot connect to MySQL at %s", tried[0])
	}
	return nil, fmt.Errorf("none of the %d addresses of the database answered: %s", len(tried), strings.Join(tried, "; "))
}

func openAddr(ctx context.Context, u *URL, addr string, opts Options) (*sql.DB, error) {
	cfg := u.Config.Clone()
	cfg.Addr = addr
	cfg.User, cfg.Passwd = opts.User, opts.Password
	cfg.DBName = u.Database
	cfg.Logger = driverLogger{opts.Log}
	if opts.TLS != nil {
		cfg.TLS = opts.TLS.Clone()
		cfg.TLSConfig = ""
		cfg.AllowFallbackToPlaintext = opts.AllowPlaintext
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = opts.ConnectTimeout
		if cfg.Timeout == 0 {
			cfg.Timeout = 10 * time.Second
		}
	}
	if u.Compress {
		if err := cfg.Apply(mysql.EnableCompression(true)); err != nil {
			return nil, err
		}
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(&sessionConnector{Connector: conn, session: opts.Session})
	if opts.MaxIdle > 0 {
		db.SetMaxIdleConns(opts.MaxIdle)
	}
	pctx, cancel := context.WithTimeout(ctx, cfg.Timeout+5*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// sessionConnector runs the session statements on every new connection.
type sessionConnector struct {
	driver.Connector
	session []string
}

func (c *sessionConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil || len(c.session) == 0 {
		return conn, err
	}
	ex, ok := conn.(driver.ExecerContext)
	if !ok {
		conn.Close()
		return nil, errors.New("the driver cannot run session statements")
	}
	for i, stmt := range c.session {
		if _, err := ex.ExecContext(ctx, stmt, nil); err != nil {
			conn.Close()
			return nil, &SessionError{Index: i, Statement: stmt, Err: err}
		}
	}
	return conn, nil
}

// SessionError is a failed session statement.
type SessionError struct {
	Index     int
	Statement string
	Err       error
}

func (e *SessionError) Error() string {
	return fmt.Sprintf("session[%d] %q failed: %v", e.Index, e.Statement, e.Err)
}

func (e *SessionError) Unwrap() error { return e.Err }

// unreachable reports whether err means the address did not answer (as
// opposed to answering with an error).
func unreachable(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return false
	}
	var se *SessionError
	if errors.As(err, &se) {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, net.ErrClosed)
}

// shortNetError drops the driver's "dial tcp host:port:" repetition.
func shortNetError(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		msg := oe.Err.Error()
		if strings.Contains(msg, "refused") {
			return "connection refused (nothing listens there)"
		}
		return msg
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer before the connect time-out"
	}
	return err.Error()
}

// permanentCodes are server errors that a retry cannot fix: access, unknown
// objects, SQL syntax, wrong session settings.
var permanentCodes = map[uint16]string{
	1044: "access denied to the database",
	1045: "access denied (wrong user name or password)",
	1046: "no database selected",
	1049: "unknown database",
	1051: "unknown table",
	1052: "ambiguous column",
	1054: "unknown column",
	1055: "not in GROUP BY",
	1060: "duplicate column name",
	1064: "SQL syntax error",
	1130: "this host may not connect",
	1251: "authentication protocol not supported",
	1524: "authentication plugin not loaded",
	1698: "access denied",
	1820: "the password must be changed first",
	1862: "the password has expired",
	4151: "the account is locked",
	1109: "unknown table",
	1111: "invalid use of a group function",
	1142: "command denied on the table",
	1143: "command denied on a column",
	1146: "no such table",
	1149: "SQL syntax error",
	1193: "unknown system variable",
	1227: "access denied (missing privilege)",
	1231: "wrong value for a variable",
	1232: "wrong argument type for a variable",
	1238: "read-only variable",
	1241: "wrong number of columns in an operand",
	1242: "subquery returns more than one row",
	1248: "a derived table needs an alias",
	1267: "illegal mix of collations",
	1305: "unknown function or procedure",
	1356: "a view references an invalid table",
	1370: "command denied on a routine",
	1582: "wrong number of arguments to a function",
	1583: "wrong arguments to a function",
	1630: "unknown function",
	3140: "invalid JSON",
}

// Classify marks err permanent (plugin.ErrPermanent) when the server
// refused the statement for a reason a retry cannot fix; connection loss,
// kills, lock waits and deadlocks stay retryable.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		if _, ok := permanentCodes[me.Number]; ok {
			return plugin.Permanent(err)
		}
		return err
	}
	var se *SessionError
	if errors.As(err, &se) {
		return plugin.Permanent(err)
	}
	if errors.Is(err, mysql.ErrNoTLS) {
		return plugin.Permanent(err)
	}
	var ce *tls.CertificateVerificationError
	if errors.As(err, &ce) {
		return plugin.Permanent(err)
	}
	return err
}

// ErrorCode returns the server's error number in err, or 0.
func ErrorCode(err error) uint16 {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number
	}
	return 0
}

// driverLogger sends go-sql-driver's messages to the job's log at debug
// level (by default the driver writes to stderr).
type driverLogger struct{ log *slog.Logger }

func (l driverLogger) Print(v ...any) {
	if l.log != nil {
		l.log.Debug("mysql driver: " + strings.TrimSpace(fmt.Sprint(v...)))
	}
}
