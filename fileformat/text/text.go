// Package text writes and reads delimited text files as Hive and DataX know
// them: "text" (fields joined by a delimiter, no quoting; Hive's
// LazySimpleSerDe) and "csv" (RFC 4180 quoting of delimiters, quotes and
// newlines), a null marker (DataX's and Hive's `\N` by default), none, gzip
// or bzip2 compression, and UTF-8 or GBK. Binary values are base64, as Hive
// stores BINARY in text tables.
//
// Nothing is lost silently: in "text" form a value that holds the delimiter,
// a line break or exactly the null marker cannot be written so that it reads
// back the same, so its row is rejected (a dirty record) with a reason that
// suggests what the plugin offers instead (Options.Remedy); in "csv" form such a value is quoted, and an
// unquoted null marker alone is a null.
package text

import (
	"bufio"
	"compress/bzip2"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	dbzip2 "github.com/dsnet/compress/bzip2"
	"github.com/klauspost/compress/gzip"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Options describe a text file. The zero value (after Defaults) is
// tab-free "text" with "," as delimiter, `\N` for null, no compression, UTF-8.
type Options struct {
	// CSV selects RFC 4180 quoting; otherwise plain delimited text.
	CSV bool
	// Delimiter separates fields (default ",").
	Delimiter string
	// Null is the text of a null value (default `\N`).
	Null string
	// Quote is the CSV quote character (default '"').
	Quote byte
	// Compress is none, gzip or bzip2 ("" : none when writing, detected from
	// the content when reading).
	Compress string
	// Encoding is UTF-8 (default) or GBK.
	Encoding string
	// DateFormat is a Java pattern (yyyy-MM-dd HH:mm:ss) for date and
	// timestamp values; "" writes ISO forms and reads them.
	DateFormat string
	// Header is a first line of column names to write.
	Header []string
	// SkipHeader skips the first line when reading.
	SkipHeader bool
	// SkipEmpty skips empty lines when reading.
	SkipEmpty bool
	// TrimSpace trims spaces and tabs (unless the delimiter holds them)
	// around fields when reading; in CSV form also around a quoted field,
	// whose content stays as quoted.
	TrimSpace bool
	// Comment, if set, makes a line that starts with it a comment, skipped
	// when reading.
	Comment string
	// Remedy is what the reason of a row that plain text cannot hold
	// suggests, in the plugin's own keys, e.g. "use fileFormat csv"
	// (default "use the csv form").
	Remedy string
}

// Defaults fills unset options.
func (o *Options) Defaults() {
	if o.Delimiter == "" {
		o.Delimiter = ","
	}
	if o.Quote == 0 {
		o.Quote = '"'
	}
	if o.Encoding == "" {
		o.Encoding = "UTF-8"
	}
}

// Check validates the options.
func (o *Options) Check() error {
	o.Defaults()
	switch strings.ToLower(o.Compress) {
	case "", "none", "gzip", "bzip2":
	default:
		return fmt.Errorf("compress %q: expected none, gzip or bzip2", o.Compress)
	}
	if _, err := charset(o.Encoding); err != nil {
		return err
	}
	if strings.ContainsAny(o.Delimiter, "\r\n") {
		return errors.New("the field delimiter cannot hold a line break")
	}
	if strings.ContainsAny(o.Comment, "\r\n") {
		return errors.New("the comment marker cannot hold a line break")
	}
	if o.CSV && strings.IndexByte(o.Delimiter, o.Quote) >= 0 {
		return fmt.Errorf("the field delimiter %q holds the quote character %q", o.Delimiter, o.Quote)
	}
	return nil
}

// Extension returns the file name extension for the options: .csv or .txt,
// plus .gz or .bz2 (Hive picks the codec by extension).
func (o *Options) Extension() string {
	ext := ".txt"
	if o.CSV {
		ext = ".csv"
	}
	switch strings.ToLower(o.Compress) {
	case "gzip":
		ext += ".gz"
	case "bzip2":
		ext += ".bz2"
	}
	return ext
}

// charset returns the encoding named (nil for UTF-8).
func charset(name string) (encoding.Encoding, error) {
	switch strings.ToUpper(strings.ReplaceAll(name, "-", "")) {
	case "UTF8", "":
		return nil, nil
	case "GBK", "CP936", "GB2312":
		return simplifiedchinese.GBK, nil
	case "GB18030":
		return simplifiedchinese.GB18030, nil
	}
	return nil, fmt.Errorf("encoding %q: expected UTF-8, GBK or GB18030", name)
}

// compressor wraps w in the named compression; close finishes it.
func compressor(w io.Writer, name string) (io.Writer, func() error, error) {
	switch strings.ToLower(name) {
	case "", "none":
		return w, func() error { return nil }, nil
	case "gzip":
		zw := gzip.NewWriter(w)
		return zw, zw.Close, nil
	case "bzip2":
		bw, err := dbzip2.NewWriter(w, &dbzip2.WriterConfig{Level: dbzip2.DefaultCompression})
		if err != nil {
			return nil, nil, err
		}
		return bw, bw.Close, nil
	}
	return nil, nil, fmt.Errorf("compress %q: expected none, gzip or bzip2", name)
}

// decompressor wraps r: by name, or by the content's magic bytes when name
// is "".
func decompressor(r io.Reader, name string) (io.Reader, func() error, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	name = strings.ToLower(name)
	if name == "" {
		magic, _ := br.Peek(3)
		switch {
		case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
			name = "gzip"
		case len(magic) == 3 && string(magic) == "BZh":
			name = "bzip2"
		}
	}
	switch name {
	case "", "none":
		return br, func() error { return nil }, nil
	case "gzip":
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("not gzip data: %w", err)
		}
		return zr, zr.Close, nil
	case "bzip2":
		return bzip2.NewReader(br), func() error { return nil }, nil
	}
	return nil, nil, fmt.Errorf("compress %q: expected none, gzip or bzip2", name)
}

// formatTime formats micros since the epoch (a Date is days × a day) with a
// Java pattern.
func formatTime(dst []byte, micros int64, layout string) []byte {
	return time.UnixMicro(micros).UTC().AppendFormat(dst, layout)
}

// parseTime parses s with a Go layout as UTC micros.
func parseTime(s []byte, layout string) (int64, error) {
	t, err := time.ParseInLocation(layout, string(s), time.UTC)
	if err != nil {
		return 0, fmt.Errorf("%q does not match the date format: %v", s, err)
	}
	return t.UnixMicro(), nil
}
