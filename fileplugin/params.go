// Package fileplugin is the code the file plugins share (hdfswriter,
// hdfsreader, txtfilewriter, txtfilereader): the parameter groups they
// declare alike, a Writer that stages each task's files and publishes a
// verified partition on commit, and a Reader that globs files and reads
// one file per task. A plugin holds only its parameter declaration and the
// mapping onto these.
package fileplugin

import (
	"fmt"
	"strings"

	"datax/fileformat"
	"datax/spec"
	"datax/storage"
)

// Conn is the filesystem keys of hdfsreader and hdfswriter, as DataX names
// them.
type Conn struct {
	DefaultFS              string            `json:"defaultFS" doc:"filesystem: hdfs://host:port, hdfs://nameservice (HA, addresses from hadoopConfig), or file:/// for local disk (the default)" example:"hdfs://namenode:8020"`
	HadoopConfig           map[string]string `json:"hadoopConfig" doc:"Hadoop client settings, e.g. dfs.nameservices, dfs.ha.namenodes.<ns>, dfs.namenode.rpc-address.<ns>.<nn>, dfs.namenode.kerberos.principal, dfs.data.transfer.protection"`
	HaveKerberos           bool              `json:"haveKerberos" doc:"authenticate with Kerberos (keytab)"`
	KerberosKeytabFilePath string            `json:"kerberosKeytabFilePath" doc:"keytab file, with haveKerberos"`
	KerberosPrincipal      string            `json:"kerberosPrincipal" doc:"principal user[/host]@REALM, with haveKerberos"`
	HDFSUser               string            `json:"hdfsUser" doc:"HDFS user without Kerberos (ours; default $HADOOP_USER_NAME, else the OS user)"`
}

// Check validates the keys together; plugins call it from their Validate.
func (c *Conn) Check() error {
	if _, _, err := storage.ParseDefaultFS(c.DefaultFS); err != nil {
		return spec.Errorf("defaultFS", "%v", err)
	}
	if c.HaveKerberos {
		if c.KerberosKeytabFilePath == "" {
			return spec.Errorf("kerberosKeytabFilePath", "required when haveKerberos is true")
		}
		if c.KerberosPrincipal == "" {
			return spec.Errorf("kerberosPrincipal", "required when haveKerberos is true (user[/host]@REALM)")
		}
	}
	return nil
}

// Options returns the storage options.
func (c *Conn) Options() storage.Options {
	o := storage.Options{DefaultFS: c.DefaultFS, User: c.HDFSUser, HadoopConfig: c.HadoopConfig}
	if c.HaveKerberos {
		o.Kerberos = &storage.Kerberos{Keytab: c.KerberosKeytabFilePath, Principal: c.KerberosPrincipal}
	}
	return o
}

// Column is a writer column as DataX declares it: {name, type}.
type Column struct {
	Name string `json:"name" required:"true" doc:"column name"`
	Type string `json:"type" required:"true" doc:"column type: TINYINT, SMALLINT, INT, BIGINT (optionally UNSIGNED), FLOAT, DOUBLE, DECIMAL(p,s), STRING, VARCHAR(n), CHAR(n), BOOLEAN, DATE, TIMESTAMP, BINARY"`
}

// Columns parses writer columns; path names the list in messages.
func Columns(list []Column) ([]fileformat.Column, error) {
	out := make([]fileformat.Column, len(list))
	seen := map[string]bool{}
	for i, c := range list {
		fc, err := fileformat.ParseType(c.Type)
		if err != nil {
			return nil, spec.Errorf(fmt.Sprintf("column[%d].type", i), "%v", err)
		}
		name := strings.TrimSpace(c.Name)
		if seen[strings.ToLower(name)] {
			return nil, spec.Errorf(fmt.Sprintf("column[%d].name", i), "%q appears twice", name)
		}
		seen[strings.ToLower(name)] = true
		fc.Name = name
		out[i] = fc
	}
	return out, nil
}

// CheckPartition validates a partition spec such as "dt=20261122" or
// "dt=20261122/hh=01": key=value elements, no empty or hidden parts.
func CheckPartition(p string) error {
	if p == "" {
		return nil
	}
	for _, el := range strings.Split(p, "/") {
		k, v, ok := strings.Cut(el, "=")
		if !ok || k == "" || v == "" || storage.Hidden(el) || strings.ContainsAny(el, "*?[") || el == "." || el == ".." {
			return fmt.Errorf("%q: expected key=value elements separated by / (e.g. dt=20261122 or dt=20261122/hh=01)", p)
		}
	}
	return nil
}
