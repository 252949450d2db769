package drift_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"datax/drift"
	"datax/jobs"
	"datax/spec"
)

// runBad runs drift with a config that must fail: the error must contain
// every fragment, and D's partition must be as it was (here: one published
// by a good run before, which the failed run must leave untouched).
func runBad(t *testing.T, f *fixture, cfg map[string]any, fragments ...string) error {
	t.Helper()
	before := f.output()
	_, err := f.run(cfg)
	if err == nil {
		t.Fatalf("drift succeeded; want an error with %q", fragments)
	}
	for _, frag := range fragments {
		if !strings.Contains(err.Error(), frag) {
			t.Errorf("error %q\ndoes not say %q", err, frag)
		}
	}
	if after := f.output(); after != before {
		t.Errorf("a failed run changed D's partition:\n%s\nbefore:\n%s", after, before)
	}
	return err
}

// goodFixture lands a change log and publishes D once, so that a bad run
// has something to leave untouched.
func goodFixture(t *testing.T, format string) *fixture {
	f := newFixture(t, format)
	f.land(background + `
1|paid|2026-11-22 23:50:00|2026-11-22 23:59:59|NULL|2026-11-22 23:59:59|2026-11-23 00:00:03|11`)
	f.mustRun(nil)
	return f
}

func TestConfiguredColumnMissing(t *testing.T) {
	f := goodFixture(t, "parquet")
	for _, c := range []struct {
		param string
		value any
		path  string
	}{
		{"key", []any{"order_no"}, "drift.key"},
		{"logTime", "log_tme", "drift.logTime"},
		{"modifiedTime", "gmt_modified", "drift.modifiedTime"},
		{"procTime", []any{"order_time", "paid_at"}, "drift.procTime[1]"},
		{"position", "binlog_pos", "drift.position"},
		{"drop", []any{"op"}, "drift.drop[0]"},
	} {
		t.Run(c.param, func(t *testing.T) {
			cfg := f.config()
			rules(cfg)[c.param] = c.value
			err := runBad(t, f, cfg, c.path, "not found", "the columns are: order_id, status, order_time")
			var pe *spec.Error
			if !errors.As(err, &pe) {
				t.Errorf("%v is not a parameter error (*spec.Error)", err)
			}
		})
	}
}

func TestTimestampColumnThatIsNotATime(t *testing.T) {
	f := goodFixture(t, "text")
	for _, c := range []struct {
		index int
		typ   string
		path  string
		kind  string
	}{
		{5, "STRING", "drift.modifiedTime", "modified_time is string, not a time"},
		{-1, "", "drift.logTime", "log_pos is int, not a time"},
		{3, "STRING", "drift.procTime[1]", "pay_time is string, not a time: drift needs a timestamp or a date"},
	} {
		t.Run(c.path, func(t *testing.T) {
			cfg := f.config()
			var cols []any
			json.Unmarshal([]byte(textColumns), &cols)
			if c.index >= 0 {
				cols[c.index].(map[string]any)["type"] = c.typ
			} else {
				rules(cfg)["logTime"] = "log_pos" // a number
				delete(rules(cfg), "position")
			}
			cfg["reader"].(map[string]any)["parameter"].(map[string]any)["column"] = cols
			runBad(t, f, cfg, c.path, c.kind, "declare the column's type as timestamp")
		})
	}
}

func TestWindowNegativeOrAtLeast24Hours(t *testing.T) {
	f := goodFixture(t, "parquet")
	for _, w := range []any{"-15m", "0s", "24h", "36h", json.Number("-60")} {
		cfg := f.config()
		rules(cfg)["window"] = w
		runBad(t, f, cfg, "drift.window", "must be more than 0 and less than 24h")
	}
	cfg := f.config()
	rules(cfg)["window"] = "a quarter"
	runBad(t, f, cfg, "drift.window", `expected a duration such as "15m"`)
}

func TestInputForDPlus1Missing(t *testing.T) {
	f := newFixture(t, "parquet")
	// Only D's change log: D+1's partition was not landed (yet).
	f.land(`
1|created|2026-11-22 23:50:00|NULL|NULL|2026-11-22 23:50:00|2026-11-22 23:50:01|10
2|created|2026-11-22 12:00:00|NULL|NULL|2026-11-22 12:00:00|2026-11-22 12:00:01|11`)
	onlyD := func() map[string]any {
		cfg := f.config()
		cfg["reader"].(map[string]any)["parameter"].(map[string]any)["path"] = []any{f.logDir() + "/dt=${bizdate}"}
		return cfg
	}
	t.Run("one reader", func(t *testing.T) {
		_, err := f.run(onlyD())
		if !errors.Is(err, drift.ErrNextMissing) {
			t.Fatalf("error %v, want ErrNextMissing", err)
		}
		for _, frag := range []string{"log_time at or after D+1 00:00 + W = 2026-11-23 00:15:00 Asia/Shanghai", "the latest is 2026-11-22 23:50:01", "allowMissingNext"} {
			if !strings.Contains(err.Error(), frag) {
				t.Errorf("error %q does not say %q", err, frag)
			}
		}
		if f.exists(f.outDir()) {
			t.Error("the failed run created the output table")
		}
	})
	t.Run("nextReader", func(t *testing.T) {
		cfg := onlyD()
		cfg["nextReader"] = map[string]any{"name": "hdfsreader", "parameter": map[string]any{
			"path": f.logDir() + "/dt=${bizdate+1}", "fileType": "parquet", "column": []any{"*"}}}
		_, err := f.run(cfg)
		if !errors.Is(err, drift.ErrNextMissing) {
			t.Fatalf("error %v, want ErrNextMissing", err)
		}
		for _, frag := range []string{"nextReader", "dt=20261123", "matches no file", "allowMissingNext"} {
			if !strings.Contains(err.Error(), frag) {
				t.Errorf("error %q does not say %q", err, frag)
			}
		}
		if f.exists(f.outDir()) {
			t.Error("the failed run created the output table")
		}
		// Explicitly allowed: D is written from what there is, and the
		// report says that D+1 was missing.
		rules(cfg)["allowMissingNext"] = true
		res := f.mustRun(cfg)
		if got := f.output(); row(got, 1) == "" || row(got, 2) == "" {
			t.Fatalf("D with allowMissingNext:\n%s", got)
		}
		if !strings.Contains(strings.Join(res.Lines(), "\n"), "the change log of D+1 could not be read") {
			t.Errorf("the report does not say that D+1 was missing:\n%s", strings.Join(res.Lines(), "\n"))
		}
	})
	t.Run("allowed", func(t *testing.T) {
		cfg := onlyD()
		rules(cfg)["allowMissingNext"] = true
		f.mustRun(cfg)
		if got := f.output(); row(got, 1) == "" || row(got, 2) == "" {
			t.Fatalf("D with allowMissingNext:\n%s", got)
		}
	})
	t.Run("incomplete", func(t *testing.T) {
		// D+1's log ends 10 minutes after midnight, inside W.
		f.land(`3|created|2026-11-23 00:09:00|NULL|NULL|2026-11-23 00:09:00|2026-11-23 00:10:00|12`)
		_, err := f.run(nil)
		if !errors.Is(err, drift.ErrNextMissing) || !strings.Contains(err.Error(), "the latest is 2026-11-23 00:10:00") {
			t.Fatalf("error %v, want ErrNextMissing naming the latest log time", err)
		}
	})
}

func TestConfigMistakesFailBeforeReading(t *testing.T) {
	f := goodFixture(t, "parquet")
	for _, c := range []struct {
		name   string
		change func(cfg map[string]any)
		want   []string
	}{
		{"unknown key", func(c map[string]any) { rules(c)["windw"] = "15m" }, []string{`drift.windw: unknown parameter "windw"; did you mean "window"?`}},
		{"unknown section", func(c map[string]any) { c["outptu"] = map[string]any{} }, []string{`did you mean "output"?`}},
		{"unknown zone", func(c map[string]any) { rules(c)["timeZone"] = "Asia/Shangai" }, []string{"drift.timeZone", `unknown time zone "Asia/Shangai"`}},
		{"machine zone", func(c map[string]any) { rules(c)["timeZone"] = "Local" }, []string{"drift.timeZone", "never taken by accident"}},
		{"no zone", func(c map[string]any) { delete(rules(c), "timeZone") }, []string{"drift.timeZone", "is required"}},
		{"timestamps unsaid", func(c map[string]any) { delete(rules(c), "timestamps") }, []string{"drift.timestamps", "is required with timeZone Asia/Shanghai", "wallclock", "instant"}},
		{"bad day", func(c map[string]any) { rules(c)["day"] = "2026-13-01" }, []string{"drift.day", "YYYYMMDD or YYYY-MM-DD"}},
		{"bad mode", func(c map[string]any) { rules(c)["mode"] = "redundent" }, []string{"drift.mode", `did you mean "redundant"?`}},
		{"restrict in redundant", func(c map[string]any) {
			rules(c)["mode"] = "redundant"
			rules(c)["restrictProcTime"] = true
		}, []string{"drift.restrictProcTime", "mode correct only"}},
		{"no logTime", func(c map[string]any) { delete(rules(c), "logTime") }, []string{"drift.logTime", "required in mode correct"}},
		{"no key", func(c map[string]any) { delete(rules(c), "key") }, []string{"drift.key", "missing required parameter"}},
		{"unknown reader", func(c map[string]any) { c["reader"].(map[string]any)["name"] = "hdfsreadr" }, []string{"reader.name", `did you mean "hdfsreader"?`}},
		{"bad reader parameter", func(c map[string]any) { c["reader"].(map[string]any)["parameter"].(map[string]any)["fileTyp"] = "x" }, []string{"reader.parameter.fileTyp", `did you mean "fileType"?`}},
		{"no output path", func(c map[string]any) { delete(c["output"].(map[string]any), "path") }, []string{"output.path", "missing required parameter"}},
		{"bad memory", func(c map[string]any) { c["setting"].(map[string]any)["memoryMB"] = -1 }, []string{"setting.memoryMB", "0 (the default) or more"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := f.config()
			c.change(cfg)
			err := runBad(t, f, cfg, c.want...)
			if !strings.HasPrefix(err.Error(), "drift.json:") {
				t.Errorf("error %q does not name the config file", err)
			}
		})
	}
}

func TestUnfilledVariableIsAnError(t *testing.T) {
	_, err := drift.ParseConfig("drift.json", []byte(`{"drift": {"day": "${bizday}"}}`), jobs.Vars{NoEnv: true}, drift.Overrides{})
	if err == nil || !strings.Contains(err.Error(), "bizday") {
		t.Fatalf("error %v, want one naming ${bizday}", err)
	}
}

func TestNextReaderWithOtherColumns(t *testing.T) {
	f := goodFixture(t, "parquet")
	cfg := f.config()
	cfg["reader"].(map[string]any)["parameter"].(map[string]any)["path"] = []any{f.logDir() + "/dt=${bizdate}"}
	var cols []any
	for _, c := range logSchema[:len(logSchema)-1] { // no log_pos
		cols = append(cols, map[string]any{"name": c.Name})
	}
	cfg["nextReader"] = map[string]any{"name": "hdfsreader", "parameter": map[string]any{
		"path": f.logDir() + "/dt=${bizdate+1}", "fileType": "parquet", "column": cols}}
	rules(cfg)["allowMissingNext"] = true // a reader that works but differs is never skipped
	runBad(t, f, cfg, "the change log of D+1 has the columns (order_id int, status string", "log_time timestamp), that of D (", "log_pos int)")
}
