package stream_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"datax/engine"
	"datax/jobs"
	_ "datax/reader/stream"
	_ "datax/writer/stream"
)

func TestPrintsToAFile(t *testing.T) {
	dir := t.TempDir()
	job := `{"job": {"content": [{"reader": {"name": "streamreader", "parameter": {"sliceRecordCount": 2,
		"column": [{"type": "long", "incr": "1,1"}, {"type": "string", "value": null}, {"type": "string", "value": "a b"}]}},
		"writer": {"name": "streamwriter", "parameter": {"fieldDelimiter": "|", "nullFormat": "\\N", "path": "` + dir + `/out", "fileName": "rows.txt"}}}]}}`
	f, err := jobs.Parse("job.json", []byte(job), jobs.Vars{NoEnv: true})
	if err != nil {
		t.Fatal(err)
	}
	j, err := engine.Build("job.json", f, engine.Options{Progress: -1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "out", "rows.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(data); got != "1|\\N|a b\n2|\\N|a b\n" {
		t.Errorf("printed %q", got)
	}
}

func TestPathAndFileNameGoTogether(t *testing.T) {
	job := `{"job": {"content": [{"reader": {"name": "streamreader", "parameter": {"sliceRecordCount": 1, "column": [{"type": "long", "value": 1}]}},
		"writer": {"name": "streamwriter", "parameter": {"path": "/tmp/x"}}}]}}`
	f, _ := jobs.Parse("job.json", []byte(job), jobs.Vars{NoEnv: true})
	_, err := engine.Build("job.json", f, engine.Options{})
	if err == nil || !strings.Contains(err.Error(), "job.content[0].writer.parameter.fileName: path and fileName go together") {
		t.Errorf("got %v", err)
	}
}
