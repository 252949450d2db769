// Package hdfs is the hdfsreader plugin: it reads Parquet, delimited text or
// CSV files from HDFS or local disk, one file per task, with DataX's keys
// (path with wildcards, defaultFS, fileType, column by index with a type or
// "*", fieldDelimiter, encoding, nullFormat, compress, hadoopConfig,
// Kerberos) and ours: Parquet columns by name, and requireVerified to refuse
// files that their partition's _VERIFY.json does not vouch for.
package hdfs

import (
	_ "embed"
	"unicode/utf8"

	"datax/fileformat/text"
	"datax/fileplugin"
	"datax/plugin"
	"datax/reader"
	"datax/spec"
)

//go:embed example.json
var example []byte

func init() {
	reader.Register("hdfsreader", "reads Parquet, text or CSV files from HDFS or local disk, one file per task", example, New)
}

// Params are hdfsreader's parameters.
type Params struct {
	fileplugin.Conn
	Path            spec.StringList             `json:"path" required:"true" doc:"files, directories (read recursively, hidden _/. names skipped) or patterns with * and ?" example:"/warehouse/ods/orders/dt=20261122/*"`
	FileType        string                      `json:"fileType" required:"true" enum:"parquet,text,csv,orc,rc,seq" doc:"parquet, text (delimited) or csv (quoted); orc, rc and seq are not supported yet"`
	Column          fileplugin.ReaderColumns    `json:"column" required:"true" doc:"[\"*\"] for every column (text: as strings), or {index, type}, {name, type} (Parquet) and {value, type} constants"`
	FieldDelimiter  string                      `json:"fieldDelimiter" default:"," doc:"text and csv: the field delimiter"`
	Encoding        string                      `json:"encoding" default:"UTF-8" enum:"UTF-8,GBK,GB18030" doc:"text: character encoding"`
	NullFormat      string                      `json:"nullFormat" default:"\\N" doc:"text: the text that stands for null"`
	Compress        string                      `json:"compress" enum:"none,gzip,bzip2" doc:"text: compression (default: detected from the content)"`
	CsvReaderConfig *fileplugin.CsvReaderConfig `json:"csvReaderConfig" doc:"text and csv: DataX's CSV reader settings, as txtfilereader's (each key says whether it has an effect here)"`
	RequireVerified bool                        `json:"requireVerified" doc:"refuse a file that its directory's _VERIFY.json does not list with the same size and SHA-256 (ours)"`
}

// Validate checks the keys that depend on each other.
func (p *Params) Validate() error {
	if err := p.Conn.Check(); err != nil {
		return err
	}
	switch p.FileType {
	case "orc", "rc", "seq":
		return spec.Errorf("fileType", "%s is not supported yet; use parquet, text or csv", p.FileType)
	}
	if p.FileType != "parquet" {
		if utf8.RuneCountInString(p.FieldDelimiter) != 1 {
			return spec.Errorf("fieldDelimiter", "%q: expected one character", p.FieldDelimiter)
		}
		if err := p.CsvReaderConfig.Check("csvReaderConfig"); err != nil {
			return err
		}
		return p.Column.CheckText()
	}
	if p.CsvReaderConfig != nil {
		return spec.Errorf("csvReaderConfig", "applies to fileType text and csv, not parquet")
	}
	return nil
}

// New builds an hdfsreader.
func New(p *Params, env plugin.Env) (reader.Reader, error) {
	o := text.Options{CSV: p.FileType == "csv", Delimiter: p.FieldDelimiter, Null: p.NullFormat, Compress: p.Compress, Encoding: p.Encoding}
	if p.FileType != "parquet" {
		p.CsvReaderConfig.Apply(&o)
	}
	return fileplugin.NewReader(fileplugin.ReaderConfig{
		FS: p.Conn.Options(), Paths: p.Path, Parquet: p.FileType == "parquet", Columns: p.Column,
		RequireVerified: p.RequireVerified, Text: o,
	}), nil
}
