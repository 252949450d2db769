package hdfs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/colinmarc/hdfs/v2"
	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/keytab"

	"datax/record"
	"datax/storage"
	"datax/testing/testenv"
)

// DataX's dateFormat formats the dates and timestamps of text files.
func TestDateFormat(t *testing.T) {
	dir := filepath.ToSlash(t.TempDir())
	src := &testenv.Source{Schema: record.Schema{{Name: "day", Kind: record.Date}, {Name: "at", Kind: record.Timestamp}},
		Rows: [][]string{{"2026-11-22", "2026-11-22 08:30:05"}, {"NULL", "NULL"}}}
	p := map[string]any{"path": dir + "/t", "fileName": "d", "fileType": "text", "fieldDelimiter": ",", "dateFormat": "yyyy/MM/dd HH:mm"}
	if _, err := testenv.RunJob(t, job(p), src.Registry(), nil); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(dir + "/t/d-*.txt")
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	if got, _ := os.ReadFile(files[0]); string(got) != "2026/11/22 00:00,2026/11/22 08:30\n\\N,\\N\n" {
		t.Errorf("file holds %q", got)
	}
}

// A value plain text cannot hold is a dirty record whose reason names
// hdfswriter's own way out (fileType csv or parquet).
func TestTextDirtyHint(t *testing.T) {
	src := rowsSource([]string{"1", "a\tb"})
	p := map[string]any{"path": filepath.ToSlash(t.TempDir()) + "/t", "fileType": "text", "fieldDelimiter": "\t"}
	_, err := testenv.RunJob(t, job(p), src.Registry(), nil)
	if err == nil || !strings.Contains(err.Error(), `holds the field delimiter "\t"; plain text cannot hold it (use fileType csv, or parquet)`) {
		t.Fatalf("err = %v", err)
	}
}

// DataX's hdfsUsername is the HDFS user the files are written as.
func TestHDFSUsername(t *testing.T) {
	addr := testenv.HDFS(t)
	fsys, err := storage.Open(storage.Options{DefaultFS: "hdfs://" + addr})
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	root := "/datax-test/hdfsusername-" + time.Now().Format("150405.000000")
	defer fsys.RemoveAll(root)
	p := map[string]any{"defaultFS": "hdfs://" + addr, "path": root + "/t", "fileName": "u", "fileType": "text", "fieldDelimiter": ",", "hdfsUsername": "dataxuser"}
	if _, err := testenv.RunJob(t, job(p), rowsSource([]string{"1", "a"}).Registry(), nil); err != nil {
		t.Fatal(err)
	}
	files := visible(t, fsys, root+"/t")
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	fi, err := fsys.Stat(root + "/t/" + files[0])
	if err != nil {
		t.Fatal(err)
	}
	if owner := fi.(*hdfs.FileInfo).Owner(); owner != "dataxuser" {
		t.Errorf("the file belongs to %q, want dataxuser", owner)
	}
}

// kerberosConfFilePath is the krb5.conf the Kerberos login reads: a missing
// one is named.
func TestKerberosConfFilePath(t *testing.T) {
	dir := t.TempDir()
	kt := keytab.New()
	if err := kt.AddEntry("etl", "EXAMPLE.COM", "secret", time.Now(), 1, etypeID.AES256_CTS_HMAC_SHA1_96); err != nil {
		t.Fatal(err)
	}
	data, err := kt.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	ktPath := filepath.Join(dir, "etl.keytab")
	os.WriteFile(ktPath, data, 0o600)
	conf := filepath.Join(dir, "missing-krb5.conf")
	p := map[string]any{"defaultFS": "hdfs://127.0.0.1:1", "path": "/w/t", "fileType": "text", "fieldDelimiter": ",",
		"haveKerberos": true, "kerberosKeytabFilePath": ktPath, "kerberosPrincipal": "etl@EXAMPLE.COM", "kerberosConfFilePath": conf}
	src := rowsSource([]string{"1", "a"})
	_, err = testenv.RunJob(t, job(p), src.Registry(), nil)
	if err == nil || !strings.Contains(err.Error(), "cannot load "+conf) {
		t.Fatalf("err = %v", err)
	}
	if src.Reads.Load() != 0 {
		t.Error("read before failing")
	}
}
