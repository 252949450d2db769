package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// PrivateMariaDB starts a MariaDB server of the test's own (the machine's
// mariadbd, a fresh data directory in a temporary directory, a unix socket,
// no TCP) with extra server options such as "--performance-schema=ON", for
// tests that need settings the shared server does not have. It returns a
// go-sql-driver DSN for root (no password, no database); the server stops
// when t ends. It takes about 3 s.
func PrivateMariaDB(t testing.TB, options ...string) string {
	t.Helper()
	server, install := findProgram("mariadbd"), findProgram("mariadb-install-db")
	if server == "" || install == "" {
		Missing(t, "mariadbd and mariadb-install-db", "not installed")
	}
	dir, err := os.MkdirTemp("", "datax-mariadb-")
	if err != nil {
		t.Fatal(err)
	}
	data, sock := filepath.Join(dir, "data"), filepath.Join(dir, "mysqld.sock")
	out, err := exec.Command(install, "--no-defaults", "--datadir="+data, "--user=root",
		"--auth-root-authentication-method=normal", "--skip-test-db").CombinedOutput()
	if err != nil {
		os.RemoveAll(dir)
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	log, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--no-defaults", "--datadir=" + data, "--socket=" + sock, "--skip-networking",
		"--user=root", "--skip-log-bin", "--innodb-buffer-pool-size=16M", "--pid-file=" + filepath.Join(dir, "pid")}, options...)
	cmd := exec.Command(server, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("mariadbd: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		log.Close()
		os.RemoveAll(dir)
	})
	for i := 0; i < 150; i++ {
		if _, err := os.Stat(sock); err == nil {
			return "root@unix(" + sock + ")/"
		}
		if cmd.ProcessState != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	logText, _ := os.ReadFile(filepath.Join(dir, "server.log"))
	t.Fatalf("mariadbd did not start:\n%s", logText)
	return ""
}

// findProgram looks in $PATH, then in /usr/sbin (where Debian puts mariadbd).
func findProgram(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/usr/bin"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return filepath.Join(dir, name)
		}
	}
	return ""
}
