// Package hdfs is the hdfswriter plugin: rows into Parquet or delimited text
// files on HDFS or local disk, in a Hive partition (dt=${bizdate}) that
// becomes visible all at once when the job succeeds, with _VERIFY.json and
// _SUCCESS. DataX's keys (defaultFS, fileType, path, fileName, column,
// writeMode, fieldDelimiter, compress, nullFormat, encoding, hadoopConfig,
// Kerberos) plus ours (partition, roll sizes, the Parquet encoder). Unlike
// DataX's, it writes DECIMAL(p,s) and BINARY.
package hdfs

import (
	_ "embed"
	"strings"
	"unicode/utf8"

	"datax/fileformat"
	"datax/fileformat/parquet"
	"datax/fileformat/text"
	"datax/fileplugin"
	"datax/plugin"
	"datax/spec"
	"datax/writer"
)

//go:embed example.json
var example []byte

func init() {
	writer.Register("hdfswriter", "writes Parquet or text files into a Hive partition on HDFS or local disk, published atomically with _VERIFY.json", example, New)
}

// Params are hdfswriter's parameters.
type Params struct {
	fileplugin.Conn
	Path           string              `json:"path" required:"true" doc:"table directory (no wildcards); the partition, if any, goes below it" example:"/warehouse/ods/orders"`
	FileName       string              `json:"fileName" default:"part" doc:"data file name prefix; the run id, task and sequence number follow it. Without partition, truncate and nonConflict concern the files named so (shard1 takes shard1-…, DataX's shard1__…, not shard10-…)"`
	FileType       string              `json:"fileType" required:"true" enum:"parquet,text,csv,orc" doc:"file format: parquet, text (delimited, Hive's default text layout) or csv (quoted; ours); orc is not supported yet"`
	Column         []fileplugin.Column `json:"column" doc:"every column {name, type} in the reader's order (Hive types incl. DECIMAL(p,s), BINARY); absent: the reader's columns with their own types (ours)"`
	WriteMode      string              `json:"writeMode" default:"append" enum:"append,nonConflict,truncate" doc:"append: add files. Without partition, as DataX: truncate replaces the files of fileName (other files and subdirectories stay), nonConflict fails (before reading) if files of fileName exist. With partition (the job owns it): truncate replaces the whole partition atomically (insert overwrite), nonConflict fails if it holds any file"`
	FieldDelimiter string              `json:"fieldDelimiter" doc:"text and csv: the field delimiter, one character (required for text, as in DataX)" example:"\\t"`
	Compress       string              `json:"compress" doc:"text: none (default), gzip, bzip2; parquet: snappy (default), gzip, zstd, none"`
	NullFormat     string              `json:"nullFormat" default:"\\N" doc:"text: how a null is written (Hive's \\N by default)"`
	Encoding       string              `json:"encoding" default:"UTF-8" enum:"UTF-8,GBK,GB18030" doc:"text: character encoding"`
	DateFormat     string              `json:"dateFormat" doc:"text and csv: Java pattern of date and timestamp values, e.g. yyyy-MM-dd HH:mm:ss (default ISO, as Hive reads them: 2026-11-22 08:30:00[.ffffff])"`
	Partition      string              `json:"partition" doc:"partition below path, e.g. dt=${bizdate} or dt=${bizdate}/hh=${bizhour}; the job owns it, see writeMode (ours)" example:"dt=${bizdate}"`
	RollRows       int64               `json:"rollRows" doc:"start a new file after this many rows of a task (0: one file per task) (ours)"`
	RollBytes      int64               `json:"rollBytes" doc:"start a new file once a task's file has passed this many bytes, checked after each batch (0: no limit) (ours)"`
	ParquetEncoder string              `json:"parquetEncoder" default:"parquet-go" enum:"parquet-go,xitongsys" doc:"Parquet library: parquet-go (faster, default) or xitongsys (see bench/) (ours)"`
	RowGroupBytes  int64               `json:"rowGroupBytes" doc:"Parquet: flush a row group after this many bytes of values (default 128 MiB; bounds memory) (ours)"`

	cols []fileformat.Column
}

// Validate checks the keys that depend on each other.
func (p *Params) Validate() error {
	if err := p.Conn.Check(); err != nil {
		return err
	}
	if strings.ContainsAny(p.Path, "*?[") {
		return spec.Errorf("path", "%q has wildcards; hdfswriter writes into one directory", p.Path)
	}
	if err := fileplugin.CheckPartition(p.Partition); err != nil {
		return spec.Errorf("partition", "%v", err)
	}
	if p.FileType == "orc" {
		return spec.Errorf("fileType", "orc is not supported yet; use parquet (or text)")
	}
	p.Compress = strings.ToLower(p.Compress)
	if p.FileType == "parquet" {
		if p.DateFormat != "" {
			return spec.Errorf("dateFormat", "applies to text and csv files; Parquet stores dates and timestamps as DATE and TIMESTAMP values: remove it")
		}
		switch p.Compress {
		case "", "snappy", "gzip", "zstd", "none", "uncompressed":
		default:
			return spec.Errorf("compress", "%q: parquet takes snappy (default), gzip, zstd or none", p.Compress)
		}
	} else {
		switch p.Compress {
		case "", "none", "gzip", "bzip2":
		default:
			return spec.Errorf("compress", "%q: text takes none (default), gzip or bzip2", p.Compress)
		}
		if p.FieldDelimiter == "" && p.FileType == "text" {
			return spec.Errorf("fieldDelimiter", "required for fileType text: one character, e.g. \"\\t\" or \"\\u0001\"")
		}
		if p.FieldDelimiter != "" && utf8.RuneCountInString(p.FieldDelimiter) != 1 {
			return spec.Errorf("fieldDelimiter", "%q: expected one character (Hive reads one)", p.FieldDelimiter)
		}
	}
	if p.RollRows < 0 || p.RollBytes < 0 || p.RowGroupBytes < 0 {
		return spec.Errorf("rollRows", "rollRows, rollBytes and rowGroupBytes must not be negative")
	}
	if p.Column != nil {
		cols, err := fileplugin.Columns(p.Column)
		if err != nil {
			return err
		}
		if len(cols) == 0 {
			return spec.Errorf("column", "is empty; list every column, or leave it out to take the reader's")
		}
		p.cols = cols
	}
	return nil
}

// New builds an hdfswriter.
func New(p *Params, env plugin.Env) (writer.Writer, error) {
	cfg := fileplugin.WriterConfig{
		FS: p.Conn.Options(), Path: p.Path, Partition: p.Partition, FileName: p.FileName,
		WriteMode: p.WriteMode, Columns: p.cols, RollRows: p.RollRows, RollBytes: p.RollBytes,
	}
	if p.FileType == "parquet" {
		cfg.Parquet = true
		cfg.ParquetOptions = parquet.Options{Compression: p.Compress, Library: p.ParquetEncoder, RowGroupBytes: p.RowGroupBytes}
	} else {
		cfg.Text = text.Options{CSV: p.FileType == "csv", Delimiter: p.FieldDelimiter, Null: p.NullFormat, Compress: p.Compress, Encoding: p.Encoding,
			DateFormat: p.DateFormat, Remedy: "use fileType csv, or parquet"}
	}
	return fileplugin.NewWriter(cfg, env), nil
}
