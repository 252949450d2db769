// Package textfile is the txtfilereader plugin: it reads delimited text or
// CSV files from local disk, one file per task, with DataX's keys (path,
// column, fieldDelimiter, compress, encoding, skipHeader, nullFormat,
// csvReaderConfig) and ours (fileFormat, requireVerified).
package textfile

import (
	_ "embed"
	"strings"

	"datax/fileformat/text"
	"datax/fileplugin"
	"datax/plugin"
	"datax/reader"
	"datax/spec"
)

//go:embed example.json
var example []byte

func init() {
	reader.Register("txtfilereader", "reads delimited text or CSV files from local disk, one file per task", example, New)
}

// Params are txtfilereader's parameters.
type Params struct {
	Path            spec.StringList             `json:"path" required:"true" doc:"files, directories (read recursively) or patterns with * and ?" example:"/data/in/*.csv"`
	Column          fileplugin.ReaderColumns    `json:"column" required:"true" doc:"[\"*\"] for every field as a string, or {index, type[, format]} and {value, type} constants"`
	FieldDelimiter  string                      `json:"fieldDelimiter" default:"," doc:"field delimiter"`
	Compress        string                      `json:"compress" enum:"none,gzip,bzip2" doc:"compression (default: detected from the content)"`
	Encoding        string                      `json:"encoding" default:"UTF-8" enum:"UTF-8,GBK,GB18030" doc:"character encoding"`
	SkipHeader      bool                        `json:"skipHeader" doc:"skip the first line of each file"`
	NullFormat      string                      `json:"nullFormat" default:"\\N" doc:"the text that stands for null"`
	DateFormat      string                      `json:"dateFormat" doc:"pattern of date and timestamp fields, e.g. yyyy-MM-dd HH:mm:ss (ours; a column's format overrides it)"`
	FileFormat      string                      `json:"fileFormat" default:"csv" enum:"csv,text" doc:"csv: quotes are honoured (DataX reads with a CSV parser); text: plain split on the delimiter (ours)"`
	CsvReaderConfig *fileplugin.CsvReaderConfig `json:"csvReaderConfig" doc:"DataX's CSV reader settings (each key says whether it has an effect here)"`
	RequireVerified bool                        `json:"requireVerified" doc:"refuse a file that its directory's _VERIFY.json does not list with the same size and SHA-256 (ours)"`
}

// Validate checks the keys that depend on each other.
func (p *Params) Validate() error {
	for i, path := range p.Path {
		if strings.Contains(path, "://") && !strings.HasPrefix(path, "file://") {
			return spec.Errorf("path", "path[%d] %q is not on local disk; use hdfsreader for HDFS", i, path)
		}
	}
	if p.FieldDelimiter == "" {
		return spec.Errorf("fieldDelimiter", "must not be empty")
	}
	if err := p.Column.CheckText(); err != nil {
		return err
	}
	if err := p.CsvReaderConfig.Check("csvReaderConfig"); err != nil {
		return err
	}
	o := p.options()
	if err := o.Check(); err != nil {
		return spec.Errorf("", "%v", err)
	}
	return nil
}

func (p *Params) options() text.Options {
	o := text.Options{CSV: p.FileFormat == "csv", Delimiter: p.FieldDelimiter, Null: p.NullFormat, Compress: p.Compress,
		Encoding: p.Encoding, DateFormat: p.DateFormat, SkipHeader: p.SkipHeader, SkipEmpty: true}
	p.CsvReaderConfig.Apply(&o)
	return o
}

// New builds a txtfilereader.
func New(p *Params, env plugin.Env) (reader.Reader, error) {
	return fileplugin.NewReader(fileplugin.ReaderConfig{
		Paths: p.Path, Columns: p.Column, Text: p.options(), RequireVerified: p.RequireVerified,
	}), nil
}
