package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/user"
	"sort"
	"strings"
	"time"

	"github.com/colinmarc/hdfs/v2"
	"github.com/colinmarc/hdfs/v2/hadoopconf"
	krbclient "github.com/jcmturner/gokrb5/v8/client"
	krbconfig "github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/keytab"
)

// hdfsFS is an HDFS filesystem through colinmarc/hdfs (the namenode RPC and
// datanode streaming protocols in pure Go: no JVM, no libhdfs).
type hdfsFS struct {
	c   *hdfs.Client
	url string // hdfs://authority
}

// openHDFS connects to the namenode(s) named by opts.
func openHDFS(opts Options) (FS, error) {
	_, authority, err := ParseDefaultFS(opts.DefaultFS)
	if err != nil {
		return nil, err
	}
	conf := hadoopconf.HadoopConf{}
	for k, v := range opts.HadoopConfig {
		conf[k] = v
	}
	addrs, err := namenodes(authority, conf)
	if err != nil {
		return nil, err
	}
	copts := hdfs.ClientOptionsFromConf(conf)
	copts.Addresses = addrs
	copts.KerberosClient = nil
	copts.User = opts.User
	if copts.User == "" {
		copts.User = os.Getenv("HADOOP_USER_NAME")
	}
	if copts.User == "" {
		if u, err := user.Current(); err == nil {
			copts.User = u.Username
		}
	}
	if opts.Kerberos != nil {
		kc, err := kerberosClient(opts.Kerberos)
		if err != nil {
			return nil, err
		}
		copts.KerberosClient = kc
		if copts.KerberosServicePrincipleName == "" {
			copts.KerberosServicePrincipleName = "nn/_HOST"
		}
	}
	timeout := opts.DialTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	copts.NamenodeDialFunc = dialer.DialContext
	copts.DatanodeDialFunc = dialer.DialContext
	c, err := hdfs.NewClient(copts)
	if err != nil {
		return nil, fmt.Errorf("HDFS namenode %s (%s): cannot connect: %w", strings.Join(addrs, ","), "hdfs://"+authority, err)
	}
	f := &hdfsFS{c: c, url: "hdfs://" + authority}
	// NewClient connects lazily on some paths; one call proves the namenode
	// answers. The server defaults are fetched now too: the client caches
	// them on the first Create without a lock, which races when several
	// goroutines create files at once.
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := c.Stat("/")
		if err == nil {
			_, err = c.ServerDefaults()
		}
		done <- err
	}()
	select {
	case err = <-done:
	case <-ctx.Done():
		err = fmt.Errorf("no answer in %s", timeout)
	}
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("HDFS namenode %s (%s): cannot connect: %w", strings.Join(addrs, ","), f.url, err)
	}
	return f, nil
}

// namenodes resolves a defaultFS authority to namenode addresses: host:port
// as is; a bare host that names one of dfs.nameservices (HA) through
// dfs.ha.namenodes.<ns> and dfs.namenode.rpc-address.<ns>.<nn>; else the
// host on HDFS's default RPC port 8020.
func namenodes(authority string, conf hadoopconf.HadoopConf) ([]string, error) {
	if _, _, err := net.SplitHostPort(authority); err == nil {
		return []string{authority}, nil
	}
	for _, ns := range splitList(conf["dfs.nameservices"]) {
		if ns != authority {
			continue
		}
		nns := splitList(conf["dfs.ha.namenodes."+ns])
		if len(nns) == 0 {
			return nil, fmt.Errorf("hadoopConfig: nameservice %q has no dfs.ha.namenodes.%s", ns, ns)
		}
		var addrs []string
		for _, nn := range nns {
			key := "dfs.namenode.rpc-address." + ns + "." + nn
			a := strings.TrimSpace(conf[key])
			if a == "" {
				return nil, fmt.Errorf("hadoopConfig: %s is missing (namenode %q of nameservice %q)", key, nn, ns)
			}
			addrs = append(addrs, a)
		}
		return addrs, nil
	}
	if len(splitList(conf["dfs.nameservices"])) > 0 || strings.Contains(authority, "_") {
		return nil, fmt.Errorf("defaultFS hdfs://%s: not a host:port and not one of hadoopConfig's dfs.nameservices (%s)", authority, conf["dfs.nameservices"])
	}
	return []string{net.JoinHostPort(authority, "8020")}, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// kerberosClient logs in with a keytab.
func kerberosClient(k *Kerberos) (*krbclient.Client, error) {
	if k.Keytab == "" || k.Principal == "" {
		return nil, errors.New("kerberos: kerberosKeytabFilePath and kerberosPrincipal are both required when haveKerberos is true")
	}
	kt, err := keytab.Load(k.Keytab)
	if err != nil {
		return nil, fmt.Errorf("kerberos: cannot load keytab %s: %w", k.Keytab, err)
	}
	userPart, realm, ok := strings.Cut(k.Principal, "@")
	if !ok || realm == "" || userPart == "" {
		return nil, fmt.Errorf("kerberos: principal %q: expected user[/host]@REALM", k.Principal)
	}
	confPath := k.Krb5Conf
	if confPath == "" {
		confPath = os.Getenv("KRB5_CONFIG")
	}
	if confPath == "" {
		confPath = "/etc/krb5.conf"
	}
	cfg, err := krbconfig.Load(confPath)
	if err != nil {
		return nil, fmt.Errorf("kerberos: cannot load %s (set KRB5_CONFIG): %w", confPath, err)
	}
	c := krbclient.NewWithKeytab(userPart, realm, kt, cfg, krbclient.DisablePAFXFAST(true))
	if err := c.Login(); err != nil {
		return nil, fmt.Errorf("kerberos: login as %s with %s failed: %w", k.Principal, k.Keytab, err)
	}
	return c, nil
}

func (h *hdfsFS) String() string { return h.url }
func (h *hdfsFS) Close() error   { return h.c.Close() }

func (h *hdfsFS) Create(name string) (io.WriteCloser, error) {
	w, err := h.c.Create(name)
	if err != nil {
		return nil, err
	}
	return &hdfsWriter{w}, nil
}

// hdfsWriter retries Close while the namenode reports the last block still
// replicating, as the Java client does.
type hdfsWriter struct{ *hdfs.FileWriter }

// Write skips empty writes: colinmarc/hdfs would allocate a block for one,
// and a file whose last block is empty never completes.
func (w *hdfsWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return w.FileWriter.Write(p)
}

func (w *hdfsWriter) Close() error {
	wait := 50 * time.Millisecond
	for i := 0; ; i++ {
		err := w.FileWriter.Close()
		if err == nil || !hdfs.IsErrReplicating(err) || i >= 10 {
			return err
		}
		time.Sleep(wait)
		wait = min(2*wait, 2*time.Second)
	}
}

type hdfsFile struct {
	*hdfs.FileReader
}

func (f hdfsFile) Size() int64 { return f.Stat().Size() }

func (h *hdfsFS) Open(name string) (File, error) {
	f, err := h.c.Open(name)
	if err != nil {
		return nil, err
	}
	if f.Stat().IsDir() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.New("is a directory")}
	}
	return hdfsFile{f}, nil
}

func (h *hdfsFS) Stat(name string) (fs.FileInfo, error) { return h.c.Stat(name) }

func (h *hdfsFS) ReadDir(name string) ([]fs.FileInfo, error) {
	fi, err := h.c.Stat(name)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	list, err := h.c.ReadDir(name)
	if err != nil {
		return nil, err
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name() < list[j].Name() })
	return list, nil
}

func (h *hdfsFS) MkdirAll(name string) error {
	if fi, err := h.c.Stat(name); err == nil {
		if fi.IsDir() {
			return nil
		}
		return &fs.PathError{Op: "mkdir", Path: name, Err: errors.New("a file is in the way")}
	}
	return h.c.MkdirAll(name, 0o755)
}

func (h *hdfsFS) Rename(oldname, newname string) error {
	if _, err := h.c.Stat(newname); err == nil {
		return &fs.PathError{Op: "rename", Path: newname, Err: fs.ErrExist}
	}
	return h.c.Rename(oldname, newname)
}

func (h *hdfsFS) RemoveAll(name string) error {
	err := h.c.RemoveAll(name)
	if err != nil && IsNotExist(err) {
		return nil
	}
	return err
}
