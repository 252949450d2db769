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
	"unicode/utf8"

	"datax/fileformat"
	"datax/fileformat/text"
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
	KerberosConfFilePath   string            `json:"kerberosConfFilePath" doc:"krb5.conf of the realm, with haveKerberos (default $KRB5_CONFIG, else /etc/krb5.conf)"`
	HDFSUser               string            `json:"hdfsUser" doc:"HDFS user without Kerberos (ours; default $HADOOP_USER_NAME, else the OS user)"`
	HDFSUsername           string            `json:"hdfsUsername" doc:"DataX's name of hdfsUser (DataX defaults it to admin; here the default is hdfsUser's)"`
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
	if c.HDFSUser != "" && c.HDFSUsername != "" && c.HDFSUser != c.HDFSUsername {
		return spec.Errorf("hdfsUsername", "%q differs from hdfsUser %q; they name the same setting: give one", c.HDFSUsername, c.HDFSUser)
	}
	return nil
}

// Options returns the storage options.
func (c *Conn) Options() storage.Options {
	o := storage.Options{DefaultFS: c.DefaultFS, User: c.HDFSUser, HadoopConfig: c.HadoopConfig}
	if o.User == "" {
		o.User = c.HDFSUsername
	}
	if c.HaveKerberos {
		o.Kerberos = &storage.Kerberos{Keytab: c.KerberosKeytabFilePath, Principal: c.KerberosPrincipal, Krb5Conf: c.KerberosConfFilePath}
	}
	return o
}

// CsvReaderConfig is DataX's csvReaderConfig: the settings of the CSV
// reader (javacsv's CsvReader) that DataX's txtfilereader and hdfsreader
// read text with. The keys that change how a line reads are honoured; the
// rest are accepted and say that they have no effect here, or refuse a value
// this reader cannot honour rather than read the file otherwise.
type CsvReaderConfig struct {
	TextQualifier    string `json:"textQualifier" default:"\"" doc:"the quote character (csv)"`
	UseTextQualifier *bool  `json:"useTextQualifier" doc:"false reads quotes as ordinary characters (as fileFormat / fileType text)"`
	SkipEmptyRecords *bool  `json:"skipEmptyRecords" doc:"skip empty lines (default true, as DataX)"`
	TrimWhitespace   bool   `json:"trimWhitespace" doc:"trim spaces and tabs around each field (csv: around the quotes of a quoted field, whose content stays); default false"`
	Delimiter        string `json:"delimiter" doc:"the field delimiter, one character; overrides fieldDelimiter, as in DataX"`
	UseComments      bool   `json:"useComments" doc:"skip comment lines: lines that start with comment"`
	Comment          string `json:"comment" default:"#" doc:"the character that starts a comment line, with useComments"`
	EscapeMode       int    `json:"escapeMode" default:"1" doc:"1: a quote inside a quoted field is doubled (the only mode here); 2 (backslash escapes) is refused"`
	RecordDelimiter  string `json:"recordDelimiter" doc:"accepted as \\n, \\r\\n or empty, which is how lines end here (\\n or \\r\\n); another value is refused"`
	CaseSensitive    *bool  `json:"caseSensitive" doc:"accepted, no effect: it is about header names, and columns are chosen by index here"`
	CaptureRawRecord *bool  `json:"captureRawRecord" doc:"accepted, no effect: a dirty record always carries its line"`
	SafetySwitch     bool   `json:"safetySwitch" doc:"accepted, no effect: there is no field length limit here"`
}

// Check validates the settings; at is the key's JSON path
// ("csvReaderConfig").
func (c *CsvReaderConfig) Check(at string) error {
	if c == nil {
		return nil
	}
	if len(c.TextQualifier) != 1 {
		return spec.Errorf(at+".textQualifier", "%q: expected one ASCII character", c.TextQualifier)
	}
	if c.Delimiter != "" && utf8.RuneCountInString(c.Delimiter) != 1 {
		return spec.Errorf(at+".delimiter", "%q: expected one character", c.Delimiter)
	}
	if utf8.RuneCountInString(c.Comment) != 1 || strings.ContainsAny(c.Comment, "\r\n") {
		return spec.Errorf(at+".comment", "%q: expected one character", c.Comment)
	}
	switch c.EscapeMode {
	case 1:
	case 2:
		return spec.Errorf(at+".escapeMode", "2 (backslash escapes) is not supported: a quote inside a quoted field must be doubled (escapeMode 1)")
	default:
		return spec.Errorf(at+".escapeMode", "%d: expected 1 (doubled quotes)", c.EscapeMode)
	}
	switch c.RecordDelimiter {
	case "", "\n", "\r\n":
	default:
		return spec.Errorf(at+".recordDelimiter", "%q is not supported: lines end at \\n or \\r\\n here", c.RecordDelimiter)
	}
	return nil
}

// Apply sets the text options the settings change.
func (c *CsvReaderConfig) Apply(o *text.Options) {
	if c == nil {
		return
	}
	o.Quote = c.TextQualifier[0]
	if c.UseTextQualifier != nil && !*c.UseTextQualifier {
		o.CSV = false
	}
	if c.SkipEmptyRecords != nil {
		o.SkipEmpty = *c.SkipEmptyRecords
	}
	o.TrimSpace = c.TrimWhitespace
	if c.Delimiter != "" {
		o.Delimiter = c.Delimiter
	}
	if c.UseComments {
		o.Comment = c.Comment
	}
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
