// Package rdbms holds what the MySQL-family plugins and commands share (the
// mysqlreader, the mysqlwriter, `datax gen`, the merge's key scan), as plain
// functions over small types: jdbcUrl and go-sql-driver DSN parsing,
// connecting with failover over the alternative addresses of one database,
// identifier quoting and literals, table metadata (columns, keys), the exact
// mapping of MySQL and MariaDB types onto record columns and the decoding of
// rows into record batches, the splitter's index questions answered with
// index lookups and EXPLAIN, and the pieces of a consistent snapshot (lock,
// START TRANSACTION WITH CONSISTENT SNAPSHOT, binlog position).
//
// Passwords never appear in what this package returns: errors name the
// address (host:port) and the database, never the URL's credentials.
package rdbms

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// URL is a parsed jdbcUrl: the addresses of one database, tried in order,
// and the connection settings they share.
type URL struct {
	// Hosts are the addresses (host:port), in the order to try them.
	Hosts []string
	// Database is the default database; "" when the URL names none.
	Database string
	// Config holds the driver settings (time-outs, TLS, session
	// variables); Addr, User and Passwd are set per connection by Open.
	Config *mysql.Config
	// Compress is set by useCompression=true.
	Compress bool
	// ServerTimezone is Connector/J's serverTimezone (or
	// connectionTimeZone): the zone whose wall clock TIMESTAMP values are
	// shown in, when the plugin's own timeZone is not set.
	ServerTimezone string
	// Ignored lists the JDBC parameters that mean nothing here (character
	// encodings, Connector/J tuning), for a log line.
	Ignored []string
}

// jdbcPrefixes are the accepted JDBC URL schemes.
var jdbcPrefixes = []string{"jdbc:mysql://", "jdbc:mariadb://", "jdbc:mysql:loadbalance://", "jdbc:mysql:replication://"}

// ParseURL parses a jdbcUrl in JDBC form (jdbc:mysql://host[:port][,host2
// [:port]]/[db][?params], as DataX writes it) or a go-sql-driver DSN
// (user:pass@tcp(host:port)/db?params). Credentials in the URL are dropped:
// the job's username and password parameters hold them. The error never
// repeats the URL (it may hold a password).
func ParseURL(raw string) (*URL, error) {
	s := strings.TrimSpace(raw)
	lower := strings.ToLower(s)
	for _, p := range jdbcPrefixes {
		if strings.HasPrefix(lower, p) {
			return parseJDBC(s[len(p):])
		}
	}
	if strings.HasPrefix(lower, "jdbc:") {
		scheme, _, _ := strings.Cut(lower[len("jdbc:"):], ":")
		return nil, fmt.Errorf("not a MySQL URL: the scheme is jdbc:%s; expected jdbc:mysql://host:port/database", scheme)
	}
	if strings.Contains(s, "://") {
		scheme, _, _ := strings.Cut(s, "://")
		return nil, fmt.Errorf("not a MySQL URL: the scheme is %s://; expected jdbc:mysql://host:port/database or a go-sql-driver DSN user:password@tcp(host:port)/database", scheme)
	}
	if !strings.Contains(s, "/") {
		return nil, fmt.Errorf("not a MySQL URL: expected jdbc:mysql://host:port/database or a go-sql-driver DSN user:password@tcp(host:port)/database")
	}
	cfg, err := mysql.ParseDSN(s)
	if err != nil {
		return nil, fmt.Errorf("not a MySQL URL: %v; expected jdbc:mysql://host:port/database or a go-sql-driver DSN user:password@tcp(host:port)/database", err)
	}
	if cfg.Net != "tcp" && cfg.Net != "unix" {
		return nil, fmt.Errorf("not a MySQL URL: network %q; expected tcp or unix", cfg.Net)
	}
	cfg.User, cfg.Passwd = "", ""
	return &URL{Hosts: []string{cfg.Addr}, Database: cfg.DBName, Config: cfg}, nil
}

func parseJDBC(rest string) (*URL, error) {
	hostPart, pathPart := rest, ""
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		hostPart, pathPart = rest[:i], rest[i:]
	}
	if at := strings.LastIndexByte(hostPart, '@'); at >= 0 {
		hostPart = hostPart[at+1:] // user:password@ — the job's parameters hold credentials
	}
	u := &URL{Config: mysql.NewConfig()}
	u.Config.Net = "tcp"
	if hostPart == "" {
		return nil, fmt.Errorf("not a MySQL URL: no host; expected jdbc:mysql://host:port/database")
	}
	for _, h := range strings.Split(hostPart, ",") {
		addr, err := hostPort(strings.TrimSpace(h))
		if err != nil {
			return nil, err
		}
		u.Hosts = append(u.Hosts, addr)
	}
	path, query, _ := strings.Cut(pathPart, "?")
	path = strings.TrimPrefix(path, "/")
	db, err := url.PathUnescape(path)
	if err != nil || strings.Contains(db, "/") {
		return nil, fmt.Errorf("not a MySQL URL: the database name after the host is malformed")
	}
	u.Database = db
	if query != "" {
		if err := u.jdbcParams(query); err != nil {
			return nil, err
		}
	}
	return u, nil
}

var hostRE = regexp.MustCompile(`^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.\-]+)(:([0-9]+))?$`)

func hostPort(h string) (string, error) {
	m := hostRE.FindStringSubmatch(h)
	if m == nil {
		return "", fmt.Errorf("not a MySQL URL: host %q is not host or host:port", h)
	}
	host, port := strings.Trim(m[1], "[]"), m[3]
	if port == "" {
		port = "3306"
	}
	if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
		return "", fmt.Errorf("not a MySQL URL: port %s of %s is out of range", port, host)
	}
	return net.JoinHostPort(host, port), nil
}

func (u *URL) jdbcParams(query string) error {
	var sslMode string
	useSSL, requireSSL := "", ""
	for _, kv := range strings.Split(query, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		key, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("not a MySQL URL: a parameter is not URL-encoded properly")
		}
		switch strings.ToLower(key) {
		case "connecttimeout":
			d, err := millis(key, val)
			if err != nil {
				return err
			}
			u.Config.Timeout = d
		case "sockettimeout":
			d, err := millis(key, val)
			if err != nil {
				return err
			}
			u.Config.ReadTimeout = d
		case "usessl":
			useSSL = strings.ToLower(val)
		case "requiressl":
			requireSSL = strings.ToLower(val)
		case "sslmode":
			sslMode = strings.ToUpper(val)
		case "usecompression":
			u.Compress = strings.EqualFold(val, "true")
		case "sessionvariables":
			if u.Config.Params == nil {
				u.Config.Params = map[string]string{}
			}
			for _, sv := range strings.Split(val, ",") {
				name, value, ok := strings.Cut(sv, "=")
				if !ok || strings.TrimSpace(name) == "" {
					return fmt.Errorf("not a MySQL URL: sessionVariables item %q is not name=value", sv)
				}
				u.Config.Params[strings.TrimSpace(name)] = strings.TrimSpace(value)
			}
		case "servertimezone", "connectiontimezone":
			if _, err := ParseZone(val); err != nil {
				return fmt.Errorf("not a MySQL URL: %s=%s: %v", key, val, err)
			}
			u.ServerTimezone = val
		case "user", "password":
			// the job's username and password parameters hold credentials
		default:
			// Connector/J settings with no meaning here: the connection
			// always speaks utf8mb4, times are decoded exactly, rows
			// always stream.
			u.Ignored = append(u.Ignored, key)
		}
	}
	switch {
	case sslMode != "":
		m, ok := map[string]string{"DISABLED": "false", "PREFERRED": "preferred", "REQUIRED": "skip-verify",
			"VERIFY_CA": "true", "VERIFY_IDENTITY": "true"}[sslMode]
		if !ok {
			return fmt.Errorf("not a MySQL URL: sslMode=%s; expected DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY", sslMode)
		}
		u.Config.TLSConfig = m
	case requireSSL == "true":
		u.Config.TLSConfig = "skip-verify"
	case useSSL == "true":
		u.Config.TLSConfig = "preferred"
	case useSSL == "false":
		u.Config.TLSConfig = "false"
	}
	return nil
}

func millis(key, val string) (time.Duration, error) {
	n, err := strconv.ParseInt(val, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("not a MySQL URL: %s=%s is not a number of milliseconds", key, val)
	}
	return time.Duration(n) * time.Millisecond, nil
}

var (
	dsnCredentials  = regexp.MustCompile(`^([^@/]*?):([^@]*)@`)
	jdbcCredentials = regexp.MustCompile(`(?i)^(jdbc:[a-z:]+//)([^@/]*?):([^@/]*)@`)
	passwordParam   = regexp.MustCompile(`(?i)([?&]password=)[^&]*`)
)

// Redact returns a jdbcUrl or DSN with its password masked, for messages.
func Redact(raw string) string {
	s := passwordParam.ReplaceAllString(raw, "${1}******")
	if jdbcCredentials.MatchString(s) {
		return jdbcCredentials.ReplaceAllString(s, "${1}${2}:******@")
	}
	if !strings.Contains(s, "://") {
		return dsnCredentials.ReplaceAllString(s, "${1}:******@")
	}
	return s
}

// ZoneSetting returns the zone a plugin shows TIMESTAMP values in: its own
// timeZone parameter, else the serverTimezone of the first jdbcUrl that has
// one (as Connector/J, and so DataX, would use it), else "" (the job's zone).
func ZoneSetting(param string, urls ...[]*URL) string {
	if param != "" {
		return param
	}
	for _, list := range urls {
		for _, u := range list {
			if u.ServerTimezone != "" {
				return u.ServerTimezone
			}
		}
	}
	return ""
}
