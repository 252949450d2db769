package jobs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestExpand(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(secret, []byte("s3cret\n"), 0o600)
	v := Vars{
		Values:   map[string]string{"bizdate": "20261122", "table": "orders", "hour": "2026112223"},
		Location: shanghai,
		NoEnv:    true,
	}
	cases := map[string]string{
		"dt=${bizdate}":                 "dt=20261122",
		"${bizdate+1}":                  "20261123",
		"${bizdate - 22}":               "20261031",
		"${bizdate:yyyy-MM-dd}":         "2026-11-22",
		"${bizdate+1:yyyy-MM-dd} 00:00": "2026-11-23 00:00",
		"${hour+1h}":                    "2026112300",
		"${table}_${bizdate}":           "orders_20261122",
		"$${literal}":                   "${literal}",
		"${file:" + secret + "}":        "s3cret",
	}
	for in, want := range cases {
		got, err := v.Expand(in)
		if err != nil || got != want {
			t.Errorf("%q → %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestBizdateDefaultsToYesterdayInTheJobsZone(t *testing.T) {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	// 2026-11-22 17:30 UTC is already 2026-11-23 01:30 in Shanghai.
	now := time.Date(2026, 11, 22, 17, 30, 0, 0, time.UTC)
	got, err := Vars{Location: shanghai, Now: now, NoEnv: true}.Expand("${bizdate}")
	if err != nil || got != "20261122" {
		t.Errorf("Shanghai: %q %v", got, err)
	}
	got, _ = Vars{Location: time.UTC, Now: now, NoEnv: true}.Expand("${bizdate}")
	if got != "20261121" {
		t.Errorf("UTC: %q", got)
	}
}

func TestExpandErrors(t *testing.T) {
	v := Vars{Values: map[string]string{"table": "orders"}, NoEnv: true}
	for in, want := range map[string]string{
		"${missing}":       "variable ${missing} is not set: pass -p missing=VALUE",
		"${table+1}":       "needs a date value",
		"${bizdate+1x}":    "is not a placeholder",
		"${file:/no/such}": "cannot read the file",
		"${}":              "is not a placeholder",
	} {
		_, err := v.Expand(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", in, err, want)
		}
	}
}

func TestEnvironmentFillsVariables(t *testing.T) {
	t.Setenv("DX_TEST_SECRET", "from-env")
	got, err := Vars{}.Expand("${DX_TEST_SECRET}")
	if err != nil || got != "from-env" {
		t.Errorf("%q %v", got, err)
	}
	got, _ = Vars{Values: map[string]string{"DX_TEST_SECRET": "from-cli"}}.Expand("${DX_TEST_SECRET}")
	if got != "from-cli" {
		t.Errorf("the command line should win over the environment: %q", got)
	}
}

func TestParseAssignments(t *testing.T) {
	got, err := ParseAssignments([]string{"bizdate=20261122", "-Dtable=orders -Dwhere=a = 1", "-Dempty="})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"bizdate": "20261122", "table": "orders", "where": "a = 1", "empty": ""}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	if _, err := ParseAssignments([]string{"novalue"}); err == nil || !strings.Contains(err.Error(), "expected name=value") {
		t.Errorf("got %v", err)
	}
}

func TestParseJob(t *testing.T) {
	job := `{"job": {"setting": {"speed": {"channel": "${ch}", "record": 100}, "errorLimit": {"record": 0, "percentage": 0.02}},
		"content": [{"reader": {"name": "streamreader", "parameter": {"x": "${bizdate}"}}, "writer": {"name": "streamwriter"}}]}}`
	f, err := Parse("job.json", []byte(job), Vars{Values: map[string]string{"ch": "4", "bizdate": "20261122"}, NoEnv: true})
	if err != nil {
		t.Fatal(err)
	}
	s := f.Job.Setting
	if f.Channels() != 4 || s.Speed.Record != 100 || *s.ErrorLimit.Record != 0 || *s.ErrorLimit.Percentage != 0.02 {
		t.Errorf("setting: %+v", s)
	}
	if s.Retry.Attempts != 3 || s.Retry.Backoff.Duration != time.Second {
		t.Errorf("retry defaults: %+v", s.Retry)
	}
	if p := f.Job.Content[0].Reader.Parameter.(map[string]any); p["x"] != "20261122" {
		t.Errorf("parameter: %v", p)
	}
}

func TestParseJobErrors(t *testing.T) {
	wrap := func(setting string) string {
		return `{"job": {"setting": ` + setting + `, "content": [{"reader": {"name": "r"}, "writer": {"name": "w"}}]}}`
	}
	cases := map[string]string{
		wrap(`{"speed": {"channel": 0}}`):         "job.json: job.setting.speed.channel: must be at least 1, got 0",
		wrap(`{"speed": {"channel": -3}}`):        "must be at least 1, got -3",
		wrap(`{"speed": {"chanel": 2}}`):          `job.setting.speed.chanel: unknown parameter "chanel"; did you mean "channel"?`,
		wrap(`{"errorLimit": {"percentage": 2}}`): "job.setting.errorLimit.percentage: must be between 0 and 1",
		wrap(`{"retry": {"attempts": 0}}`):        "job.setting.retry.attempts: must be at least 1",
		`{"job": {"content": []}}`:                "job.content: must hold at least one reader/writer pair",
		`{"job": {"content": [{"reader": {}}]}}`:  "job.content[0].reader.name: missing required parameter",
		`{"jobs": {}}`:                            `unknown parameter "jobs"; did you mean "job"?`,
		wrap(`{"speed": {"channel": "${nope}"}}`): "job.setting.speed.channel: variable ${nope} is not set",
		`{"job": {"content": [}}`:                 "job.json:1:22: malformed JSON",
	}
	for in, want := range cases {
		_, err := Parse("job.json", []byte(in), Vars{NoEnv: true})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s:\n got  %v\n want %q", in, err, want)
		}
	}
}

func TestBarePlaceholdersAreFilledAsText(t *testing.T) {
	job := `{"job": {"setting": {"speed": {"channel": ${ch}}}, "content": [{"reader": {"name": "r", "parameter": {"s": "${q}", "n": ${n}}}, "writer": {"name": "w"}}]}}`
	f, err := Parse("job.json", []byte(job), Vars{Values: map[string]string{"ch": "3", "q": `say "hi" \ there`, "n": "[1, 2]"}, NoEnv: true})
	if err != nil {
		t.Fatal(err)
	}
	p := f.Job.Content[0].Reader.Parameter.(map[string]any)
	if f.Channels() != 3 || p["s"] != `say "hi" \ there` || len(p["n"].([]any)) != 2 {
		t.Errorf("got channel %d, parameter %v", f.Channels(), p)
	}
	_, err = Parse("job.json", []byte("{\"job\":\n {\"x\": ${unset}}}"), Vars{NoEnv: true})
	if err == nil || !strings.Contains(err.Error(), "job.json: line 2: variable ${unset} is not set") {
		t.Errorf("got %v", err)
	}
}

func TestDataXCoreSectionIsAccepted(t *testing.T) {
	job := `{"core": {"dataXServer": {"address": "http://localhost:7001/api", "timeout": 10000},
		"transport": {"channel": {"class": "com.alibaba.datax.core.transport.channel.memory.MemoryChannel",
			"speed": {"byte": 2000000, "record": -1}, "flowControlInterval": 20, "capacity": 512}}},
		"job": {"content": [{"reader": {"name": "r"}, "writer": {"name": "w"}}]}}`
	f, err := Parse("job.json", []byte(job), Vars{NoEnv: true})
	if err != nil {
		t.Fatal(err)
	}
	if f.Core.ChannelByte != 2000000 || f.Core.ChannelRecord != -1 {
		t.Errorf("core caps: %+v", f.Core)
	}
	_, err = Parse("job.json", []byte(`{"core": {"transport": {"channel": {"speed": {"byte": "fast"}}}}, "job": {"content": [{"reader": {"name": "r"}, "writer": {"name": "w"}}]}}`), Vars{NoEnv: true})
	if err == nil || !strings.Contains(err.Error(), "core.transport.channel.speed.byte: expected an integer") {
		t.Errorf("got %v", err)
	}
}

// DataX also fills $name without braces when name is a given variable.
func TestBracelessVariables(t *testing.T) {
	v := Vars{Values: map[string]string{"bizdate": "20261122", "start": "2"}, NoEnv: true}
	for in, want := range map[string]string{
		"gmt_create > $bizdate":     "gmt_create > 20261122",
		"id >= $start AND x = '$y'": "id >= 2 AND x = '$y'",
		"price > $5 and $startx":    "price > $5 and $startx",
		"${start}$start":            "22",
	} {
		if got, err := v.Expand(in); err != nil || got != want {
			t.Errorf("%q → %q, %v; want %q", in, got, err, want)
		}
	}
}

// DataX's example jobs carry a top-level "setting" (and some "common" or
// "entry"): accepted and ignored, as DataX does.
func TestDataXTopLevelSectionsAreAccepted(t *testing.T) {
	job := `{"setting": {}, "common": {"column": {"dateFormat": "yyyy-MM-dd"}}, "entry": {"jvm": "-Xms1G"},
		"job": {"content": [{"reader": {"name": "r"}, "writer": {"name": "w"}}]}}`
	if _, err := Parse("job.json", []byte(job), Vars{NoEnv: true}); err != nil {
		t.Error(err)
	}
}

// Without speed.channel, the channel count is derived as DataX derives it.
func TestChannelsDerivedAsDataX(t *testing.T) {
	for setting, want := range map[string]int{
		`{}`: 1,
		`{"speed": {"channel": 3, "byte": 10485760}}`:    3,
		`{"speed": {"byte": 10485760}}`:                  10,
		`{"speed": {"record": 25000}}`:                   2,
		`{"speed": {"byte": 10485760, "record": 25000}}`: 2,
		`{"speed": {"byte": 1000}}`:                      1,
	} {
		f, err := Parse("job.json", []byte(`{"job": {"setting": `+setting+`, "content": [{"reader": {"name": "r"}, "writer": {"name": "w"}}]}}`), Vars{NoEnv: true})
		if err != nil || f.Channels() != want {
			t.Errorf("%s: %d channels (%v), want %d", setting, f.Channels(), err, want)
		}
	}
	f, _ := Parse("job.json", []byte(`{"core": {"transport": {"channel": {"speed": {"byte": 2097152}}}}, "job": {"setting": {"speed": {"byte": 10485760}}, "content": [{"reader": {"name": "r"}, "writer": {"name": "w"}}]}}`), Vars{NoEnv: true})
	if f.Channels() != 5 {
		t.Errorf("with core's per-channel byte cap: %d channels, want 5", f.Channels())
	}
}
