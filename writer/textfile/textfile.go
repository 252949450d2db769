// Package textfile is the txtfilewriter plugin: rows into delimited text or
// CSV files in a local directory, with DataX's keys (path, fileName,
// writeMode, fieldDelimiter, compress, encoding, nullFormat, dateFormat,
// fileFormat, header) and ours (partition, roll sizes, typed columns). Files
// are staged and published when the job succeeds, with _VERIFY.json and
// _SUCCESS, as hdfswriter does on local disk.
package textfile

import (
	_ "embed"
	"strings"

	"datax/fileformat"
	"datax/fileformat/text"
	"datax/fileplugin"
	"datax/plugin"
	"datax/spec"
	"datax/writer"
)

//go:embed example.json
var example []byte

func init() {
	writer.Register("txtfilewriter", "writes delimited text or CSV files into a local directory, published atomically with _VERIFY.json", example, New)
}

// Params are txtfilewriter's parameters.
type Params struct {
	Path           string              `json:"path" required:"true" doc:"target directory (local disk)" example:"/data/out/orders"`
	FileName       string              `json:"fileName" required:"true" doc:"data file name prefix; the run id, task and sequence number follow it. Without partition, truncate and nonConflict concern the files named so (shard1 takes shard1-…, DataX's shard1__…, not shard10-…)"`
	WriteMode      string              `json:"writeMode" default:"append" enum:"append,nonConflict,truncate" doc:"append: add files. Without partition, as DataX: truncate replaces the files of fileName (other files and subdirectories stay), nonConflict fails (before reading) if files of fileName exist. With partition (the job owns it): truncate replaces the whole subdirectory atomically, nonConflict fails if it holds any file"`
	FieldDelimiter string              `json:"fieldDelimiter" default:"," doc:"field delimiter"`
	Compress       string              `json:"compress" enum:"none,gzip,bzip2" doc:"compression (default none)"`
	Encoding       string              `json:"encoding" default:"UTF-8" enum:"UTF-8,GBK,GB18030" doc:"character encoding"`
	NullFormat     string              `json:"nullFormat" default:"\\N" doc:"how a null is written"`
	DateFormat     string              `json:"dateFormat" doc:"pattern for date and timestamp values, e.g. yyyy-MM-dd HH:mm:ss (default ISO: 2026-11-22 08:30:00[.ffffff])"`
	Format         string              `json:"format" doc:"DataX's older name of dateFormat; dateFormat wins when both are given, as in DataX"`
	Suffix         string              `json:"suffix" doc:"ending of the data files' names instead of .txt / .csv (plus .gz / .bz2 when compressed), e.g. .csv, as DataX's suffix"`
	FileFormat     string              `json:"fileFormat" default:"text" enum:"text,csv" doc:"text: plain delimited (rows whose values hold the delimiter or a line break are dirty); csv: RFC 4180 quoting"`
	Header         []string            `json:"header" doc:"a first line of column names"`
	Column         []fileplugin.Column `json:"column" doc:"typed columns {name, type} (ours); absent: the reader's"`
	Partition      string              `json:"partition" doc:"subdirectory below path, e.g. dt=${bizdate}; the job owns it, see writeMode (ours)"`
	RollRows       int64               `json:"rollRows" doc:"start a new file after this many rows of a task (ours)"`
	RollBytes      int64               `json:"rollBytes" doc:"start a new file after about this many bytes of a task (ours)"`

	cols []fileformat.Column
}

// Validate checks the keys that depend on each other.
func (p *Params) Validate() error {
	if strings.ContainsAny(p.Path, "*?[") {
		return spec.Errorf("path", "%q has wildcards; txtfilewriter writes into one directory", p.Path)
	}
	if strings.Contains(p.Path, "://") && !strings.HasPrefix(p.Path, "file://") {
		return spec.Errorf("path", "%q is not on local disk; use hdfswriter for HDFS", p.Path)
	}
	if err := fileplugin.CheckPartition(p.Partition); err != nil {
		return spec.Errorf("partition", "%v", err)
	}
	if p.FieldDelimiter == "" {
		return spec.Errorf("fieldDelimiter", "must not be empty")
	}
	p.Suffix = strings.TrimSpace(p.Suffix)
	if strings.ContainsAny(p.Suffix, "/\\") {
		return spec.Errorf("suffix", "%q: a file name ending cannot hold a path separator", p.Suffix)
	}
	if p.DateFormat == "" {
		p.DateFormat = p.Format
	}
	if p.RollRows < 0 || p.RollBytes < 0 {
		return spec.Errorf("rollRows", "rollRows and rollBytes must not be negative")
	}
	if p.Column != nil {
		cols, err := fileplugin.Columns(p.Column)
		if err != nil {
			return err
		}
		p.cols = cols
	}
	o := p.options()
	if err := o.Check(); err != nil {
		return spec.Errorf("", "%v", err)
	}
	return nil
}

func (p *Params) options() text.Options {
	return text.Options{CSV: p.FileFormat == "csv", Delimiter: p.FieldDelimiter, Null: p.NullFormat, Compress: p.Compress,
		Encoding: p.Encoding, DateFormat: p.DateFormat, Header: p.Header, Remedy: "use fileFormat csv"}
}

// New builds a txtfilewriter.
func New(p *Params, env plugin.Env) (writer.Writer, error) {
	if p.Format != "" && env.Log != nil {
		env.Log.Warn("format is DataX's older name of dateFormat; prefer dateFormat", "format", p.Format, "dateFormat", p.DateFormat)
	}
	return fileplugin.NewWriter(fileplugin.WriterConfig{
		Path: p.Path, Partition: p.Partition, FileName: p.FileName, WriteMode: p.WriteMode, Columns: p.cols,
		Text: p.options(), Suffix: p.Suffix, RollRows: p.RollRows, RollBytes: p.RollBytes,
	}, env), nil
}
