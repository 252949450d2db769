package stream_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"datax/engine"
	"datax/plugin"
	"datax/reader"
	_ "datax/reader/stream"
	"datax/record"
)

func drain(t *testing.T, params string, channels int) ([]string, error) {
	t.Helper()
	var raw any
	dec := json.NewDecoder(strings.NewReader(params))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		t.Fatal(err)
	}
	r, err := engine.BuildReader(reader.Default, "streamreader", raw, "parameter", plugin.Env{})
	if err != nil {
		return nil, err
	}
	var rows []string
	_, err = engine.Drain(context.Background(), r, channels, func(b *record.Batch) error {
		for i := 0; i < b.Len(); i++ {
			var cells []string
			for j, c := range b.Schema() {
				if b.Col(j).IsNull(i) {
					cells = append(cells, "NULL")
					continue
				}
				cells = append(cells, c.Kind.String()+":"+string(record.AppendText(nil, b.Col(j), i, c)))
			}
			rows = append(rows, strings.Join(cells, ","))
		}
		return nil
	})
	return rows, err
}

func TestColumnsAsDataXDescribesThem(t *testing.T) {
	rows, err := drain(t, `{"sliceRecordCount": 3, "column": [
		{"type": "long", "incr": "10,5"},
		{"type": "string", "value": "DataX"},
		{"type": "date", "value": "1989-06-04 00:00:01", "dateFormat": "yyyy-MM-dd HH:mm:ss"},
		{"type": "bool", "value": true},
		{"type": "bytes", "value": "test"},
		{"type": "double", "value": 19890604.5},
		{"type": "decimal", "value": "1.5", "precision": 10, "scale": 2},
		{"type": "string", "value": null}]}`, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"int:10,string:DataX,timestamp:1989-06-04 00:00:01,bool:true,bytes:test,float:19890604.5,decimal:1.50,NULL",
		"int:15,string:DataX,timestamp:1989-06-04 00:00:01,bool:true,bytes:test,float:19890604.5,decimal:1.50,NULL",
		"int:20,string:DataX,timestamp:1989-06-04 00:00:01,bool:true,bytes:test,float:19890604.5,decimal:1.50,NULL",
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s", strings.Join(rows, "\n"))
	}
}

func TestSliceRecordCountIsPerChannel(t *testing.T) {
	rows, err := drain(t, `{"sliceRecordCount": 1000, "column": [{"type": "long", "random": "5,9"}, {"type": "string", "random": "2,4"}]}`, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3000 {
		t.Fatalf("%d rows with 3 channels × 1000", len(rows))
	}
	for _, r := range rows {
		num, str, _ := strings.Cut(r, ",")
		if num < "int:5" || num > "int:9" || len(str) < len("string:")+2 || len(str) > len("string:")+4 {
			t.Fatalf("value out of range: %s", r)
		}
	}
	// The same seed gives the same values (tasks interleave: compare as multisets).
	again, _ := drain(t, `{"sliceRecordCount": 1000, "column": [{"type": "long", "random": "5,9"}, {"type": "string", "random": "2,4"}]}`, 3)
	count := map[string]int{}
	for _, r := range rows {
		count[r]++
	}
	for _, r := range again {
		count[r]--
	}
	for r, n := range count {
		if n != 0 {
			t.Fatalf("random values differ between runs with the same seed (%s)", r)
		}
	}
}

func TestBadColumns(t *testing.T) {
	for params, want := range map[string]string{
		`{"sliceRecordCount": 1, "column": [{"type": "long", "value": "x"}]}`:                    `parameter.column[0]: value: syntax error: "x" is not an integer`,
		`{"sliceRecordCount": 1, "column": [{"type": "long", "random": "9,1"}]}`:                 `parameter.column[0]: random "9,1": max is below min`,
		`{"sliceRecordCount": 1, "column": [{"type": "long", "random": "1"}]}`:                   `expected "min,max"`,
		`{"sliceRecordCount": 1, "column": [{"type": "string", "incr": "1,1"}]}`:                 `incr works on long, double, decimal and date columns`,
		`{"sliceRecordCount": 1, "column": [{"type": "long", "value": 1, "incr": "1,1"}]}`:       `parameter.column[0]: value, random and incr are exclusive`,
		`{"sliceRecordCount": 1, "column": [{"type": "lng", "value": 1}]}`:                       `parameter.column[0].type: "lng" is not one of`,
		`{"sliceRecordCount": 1, "column": [{"type": "date", "value": "22/11/2026"}]}`:           `does not match the date pattern`,
		`{"sliceRecordCount": -1, "column": [{"type": "long", "value": 1}]}`:                     `parameter.sliceRecordCount: must be 0 or more`,
		`{"sliceRecordCount": 1, "column": [{"type": "decimal", "value": "1.234", "scale": 2}]}`: `would be rounded`,
	} {
		_, err := drain(t, params, 1)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s:\n got  %v\n want %q", params, err, want)
		}
	}
}
