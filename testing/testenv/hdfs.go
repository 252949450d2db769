package testenv

import (
	"net"
	"os"
	"testing"
	"time"
)

// HDFS returns the MiniDFSCluster's namenode address (host:port) from
// DATAX_TEST_HDFS or $HOME/.cache/datax-testing/hdfs.addr, after checking
// that it answers; otherwise it skips t (fails under CI=true).
func HDFS(t testing.TB) string {
	t.Helper()
	addr := os.Getenv("DATAX_TEST_HDFS")
	if addr == "" {
		addr = cacheFile("hdfs.addr")
	}
	if addr == "" {
		Missing(t, "HDFS (MiniDFSCluster)", "DATAX_TEST_HDFS is not set")
	}
	c, err := net.DialTimeout("tcp", addr, 3*time.Second)
	if err != nil {
		Missing(t, "HDFS (MiniDFSCluster)", "nothing answers at "+addr)
	}
	c.Close()
	return addr
}
