package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"datax/jobs"
	"datax/jobs/examples"
)

// run executes the CLI in-process in dir and returns the exit code and output.
func run(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	if dir != "" {
		t.Chdir(dir)
	}
	var stdout, stderr bytes.Buffer
	code := execute(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func writeJob(t *testing.T, dir, text string) string {
	t.Helper()
	path := filepath.Join(dir, "job.json")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const goodReader = `{"name": "streamreader", "parameter": {"column": [{"type": "long", "value": 1}], "sliceRecordCount": 10}}`

func streamJob(setting, reader, writer string) string {
	return fmt.Sprintf(`{"job": {"setting": %s, "content": [{"reader": %s, "writer": %s}]}}`, setting, reader, writer)
}

func TestRunQuickstart(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := run(t, dir, "run", "-p", "bizdate=20261122", "--progress=-1s")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"Records read", "Records failed        : 0", "Status                : OK"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	entries, err := filepath.Glob(filepath.Join(dir, "warehouse", "*", "*", "dt=20261122", "*"))
	if err != nil || len(entries) == 0 {
		t.Errorf("quickstart wrote nothing under warehouse/*/*/dt=20261122: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	cases := []struct {
		name, job string
		args      []string
		want      []string
	}{
		{"malformed JSON", "{\"job\": {\n  \"content\": [,]\n}}", nil,
			[]string{"job.json:2:15: malformed JSON"}},
		{"unknown plugin", streamJob(`{}`, goodReader, `{"name": "streamwritter"}`), nil,
			[]string{`job.content[0].writer.name: unknown writer plugin "streamwritter"; did you mean "streamwriter"?`}},
		{"unknown parameter", streamJob(`{}`, goodReader, `{"name": "streamwriter", "parameter": {"prnt": false}}`), nil,
			[]string{`job.content[0].writer.parameter.prnt: unknown parameter "prnt"; did you mean "print"?`}},
		{"missing required", streamJob(`{}`, `{"name": "streamreader", "parameter": {"column": []}}`, `{"name": "streamwriter"}`), nil,
			[]string{`job.content[0].reader.parameter.sliceRecordCount: missing required parameter`}},
		{"wrong type", streamJob(`{}`, `{"name": "streamreader", "parameter": {"column": [], "sliceRecordCount": "lots"}}`, `{"name": "streamwriter"}`), nil,
			[]string{`job.content[0].reader.parameter.sliceRecordCount: expected an integer, got the string "lots"`}},
		{"unset variable", streamJob(`{}`, goodReader, `{"name": "streamwriter", "parameter": {"path": "/tmp/${outdir}", "fileName": "x"}}`), nil,
			[]string{`job.content[0].writer.parameter.path: variable ${outdir} is not set: pass -p outdir=VALUE`}},
		{"channel zero", streamJob(`{"speed": {"channel": 0}}`, goodReader, `{"name": "streamwriter"}`), nil,
			[]string{`job.setting.speed.channel: must be at least 1, got 0`}},
		{"bad value", streamJob(`{}`, `{"name": "streamreader", "parameter": {"column": [{"type": "long", "value": "abc"}], "sliceRecordCount": 1}}`, `{"name": "streamwriter"}`), nil,
			[]string{`job.content[0].reader.parameter.column[0]: value: syntax error: "abc" is not an integer`}},
		{"bad -p", streamJob(`{}`, goodReader, `{"name": "streamwriter"}`), []string{"-p", "novalue"},
			[]string{`variable "novalue": expected name=value`}},
		{"missing file", "", []string{"no-such-job.json"},
			[]string{"no-such-job.json: no such file"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"run"}
			if c.job != "" {
				args = append(args, writeJob(t, dir, c.job))
			}
			args = append(args, c.args...)
			code, out, errOut := run(t, dir, args...)
			if code != exitInvalid {
				t.Errorf("exit %d, want %d", code, exitInvalid)
			}
			for _, w := range c.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			if strings.Contains(out, "Job start time") {
				t.Error("an invalid job ran")
			}
		})
	}
}

func TestPasswordNeverPrinted(t *testing.T) {
	// A secret passed through a variable into a parameter appears in no
	// message even when the job is invalid.
	dir := t.TempDir()
	job := streamJob(`{}`, goodReader, `{"name": "streamwriter", "parameter": {"print": "${pw}"}}`)
	code, out, errOut := run(t, dir, "run", writeJob(t, dir, job), "-p", "pw=hunter2secret")
	if code == 0 || strings.Contains(out+errOut, "hunter2secret") && !strings.Contains(errOut, `expected true or false, got the string "hunter2secret"`) {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
}

func TestPluginsListAndDescribe(t *testing.T) {
	code, out, _ := run(t, "", "plugins")
	if code != 0 || !strings.Contains(out, "streamreader") || !strings.Contains(out, "streamwriter") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	code, out, _ = run(t, "", "plugins", "describe", "streamreader")
	if code != 0 || !strings.Contains(out, "| `sliceRecordCount` | int | required |") || !strings.Contains(out, `"name": "streamreader"`) {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	code, _, errOut := run(t, "", "plugins", "describe", "streamreadr")
	if code != exitInvalid || !strings.Contains(errOut, `did you mean "streamreader"?`) {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
}

func TestVersionAndHelp(t *testing.T) {
	if code, out, _ := run(t, "", "version"); code != 0 || !strings.HasPrefix(out, "datax ") {
		t.Errorf("version: %d %q", code, out)
	}
	if code, out, _ := run(t, "", "run", "--help"); code != 0 || !strings.Contains(out, "Exit codes") {
		t.Errorf("run --help: %d %q", code, out)
	}
	if code, _, errOut := run(t, "", "rnu"); code != exitInvalid || !strings.Contains(errOut, "unknown command") {
		t.Errorf("unknown command: %d %q", code, errOut)
	}
}

// TestExampleJobsValidate builds every example job shipped with the plugins
// and under jobs/examples, and runs those that need no server.
func TestExampleJobsValidate(t *testing.T) {
	files, _ := filepath.Glob("../../reader/*/example.json")
	more, _ := filepath.Glob("../../writer/*/example.json")
	files = append(files, more...)
	entries, _ := examples.FS.ReadDir(".")
	if len(files) < 2 || len(entries) == 0 {
		t.Fatalf("found %d plugin examples and %d jobs/examples", len(files), len(entries))
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := jobs.Parse(path, data, jobs.Vars{Values: map[string]string{"bizdate": "20261122"}}); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
}

var update = flag.Bool("update", false, "rewrite generated documentation")

var generated = regexp.MustCompile(`(?s)(<!-- BEGIN GENERATED: ([^>]+) -->\n).*?(<!-- END GENERATED -->)`)

// TestGeneratedDocs checks that the README's job reference and every plugin
// README's parameter table match the declarations.
func TestGeneratedDocs(t *testing.T) {
	files, _ := filepath.Glob("../../*/*/README.md")
	files = append(files, "../../README.md")
	documented := map[string]bool{}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var failed error
		out := generated.ReplaceAllFunc(data, func(m []byte) []byte {
			sub := generated.FindSubmatch(m)
			what := string(sub[2])
			var body strings.Builder
			switch {
			case what == "job reference":
				if err := jobReference(&body); err != nil {
					failed = err
				}
			case strings.HasPrefix(what, "parameters of "):
				name := strings.TrimPrefix(what, "parameters of ")
				table, ok := pluginParameters(name)
				if !ok {
					failed = fmt.Errorf("%s documents unknown plugin %q", path, name)
				}
				documented[name] = true
				body.WriteString(table)
			default:
				failed = fmt.Errorf("%s: unknown generated section %q", path, what)
			}
			return []byte(string(sub[1]) + body.String() + string(sub[3]))
		})
		if failed != nil {
			t.Error(failed)
			continue
		}
		if !bytes.Equal(out, data) {
			if *update {
				os.WriteFile(path, out, 0o644)
				continue
			}
			t.Errorf("%s is out of date with the declarations: run go test ./cmd/datax -run TestGeneratedDocs -update", path)
		}
	}
	for _, name := range allPluginNames() {
		if !documented[name] {
			t.Errorf("plugin %s has no README with <!-- BEGIN GENERATED: parameters of %s --> (in its folder)", name, name)
		}
	}
}

func TestTransformersInAJob(t *testing.T) {
	dir := t.TempDir()
	job := `{"job": {"content": [{
		"reader": {"name": "streamreader", "parameter": {"sliceRecordCount": 5, "column": [{"type": "long", "incr": "1,1"}, {"type": "string", "value": "13812345678"}]}},
		"transformer": [
			{"name": "dx_filter", "parameter": {"columnIndex": 0, "paras": [">", "3"]}},
			{"name": "dx_mask", "parameter": {"columnIndex": 1, "paras": ["3", "2"]}}],
		"writer": {"name": "streamwriter", "parameter": {"fieldDelimiter": ",", "path": "` + dir + `", "fileName": "out.csv"}}}]}}`
	code, out, errOut := run(t, dir, "run", writeJob(t, dir, job), "--progress=-1s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "out.csv"))
	if string(data) != "1,138******78\n2,138******78\n3,138******78\n" {
		t.Errorf("wrote %q", data)
	}
	if !strings.Contains(out, "Records filtered      : 2") || !strings.Contains(out, "Records written       : 3") {
		t.Errorf("summary:\n%s", out)
	}
	job = strings.Replace(job, `"dx_mask"`, `"dx_groovy"`, 1)
	code, _, errOut = run(t, dir, "run", writeJob(t, dir, job))
	if code != exitInvalid || !strings.Contains(errOut, "job.content[0].transformer[1].name: dx_groovy is not supported") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

func TestScheduleRunsJobsOnCron(t *testing.T) {
	dir := t.TempDir()
	job := writeJob(t, dir, streamJob(`{}`, goodReader, `{"name": "streamwriter", "parameter": {"print": false}}`))
	sched := filepath.Join(dir, "schedule.json")
	os.WriteFile(sched, []byte(`{"timeZone": "Asia/Shanghai", "history": "`+dir+`/history.jsonl",
		"jobs": [{"name": "every-second", "cron": "@every 1s", "job": "`+job+`", "priority": 5}]}`), 0o644)
	if code, out, errOut := run(t, dir, "schedule", "check", sched); code != 0 || !strings.Contains(out, "every-second") {
		t.Fatalf("check: exit %d\n%s%s", code, out, errOut)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
	defer cancel()
	var stdout, stderr bytes.Buffer
	if code := execute(ctx, []string{"schedule", "run", sched}, &stdout, &stderr); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, stderr.String())
	}
	code, out, _ := run(t, dir, "schedule", "history", sched)
	if code != 0 || strings.Count(out, "every-second") < 2 || !strings.Contains(out, " ok ") {
		t.Fatalf("history: exit %d\n%s", code, out)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"jobs": [{"name": "x", "cron": "@every 1s", "job": "`+filepath.Join(dir, "missing.json")+`"}]}`), 0o644)
	if code, _, errOut := run(t, dir, "schedule", "check", bad); code != exitInvalid || !strings.Contains(errOut, "job x: job file: open") {
		t.Errorf("check of a missing job file: exit %d: %s", code, errOut)
	}
}

// `datax job.json` runs the job, as DataX's `datax.py job.json` does.
func TestDataXPyStyleInvocation(t *testing.T) {
	dir := t.TempDir()
	job := writeJob(t, dir, streamJob(`{}`, goodReader, `{"name": "streamwriter", "parameter": {"print": false}}`))
	code, out, errOut := run(t, dir, job, "-p", "x=1", "--progress=-1s")
	if code != 0 || !strings.Contains(out, "Records written       : 10") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := run(t, dir, "nosuch.json"); code != exitInvalid || !strings.Contains(errOut, "nosuch.json: no such file") {
		t.Errorf("missing job: exit %d: %s", code, errOut)
	}
	// datax.py's options, before or after the job, and a job file of any name.
	other := filepath.Join(dir, "nightly.job")
	data, _ := os.ReadFile(job)
	os.WriteFile(other, data, 0o644)
	for _, args := range [][]string{
		{"-p", "-Dx=1 -Dy=2", "--jvm=-Xms1G -Xmx1G", job, "--progress=-1s"},
		{"--params", "-Dx=1", "--jobid", "7", "--loglevel", "debug", job, "--progress=-1s"},
		{"-p-Dx=1", "-m", "standalone", other, "--progress=-1s"},
		{"--log-level", "warn", job, "--progress=-1s"},
		{"--log-level", "warn", "run", job, "--progress=-1s"},
	} {
		code, out, errOut := run(t, dir, args...)
		if code != 0 || !strings.Contains(out, "Records written       : 10") {
			t.Errorf("%q: exit %d\n%s%s", args, code, out, errOut)
		}
	}
}

// The config file's vars and connection aliases fill a job's placeholders.
func TestConfigVarsAndConnectionAliases(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "datax.yaml"), []byte("vars:\n  out: rows\nconnections:\n  shop: /tmp/not-a-url\n"), 0o644)
	job := writeJob(t, dir, streamJob(`{}`, goodReader, `{"name": "streamwriter", "parameter": {"path": "${connection.shop}-`+filepath.Base(dir)+`", "fileName": "${out}.txt"}}`))
	code, out, errOut := run(t, dir, "run", job, "--progress=-1s")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat("/tmp/not-a-url-" + filepath.Base(dir) + "/rows.txt"); err != nil {
		t.Errorf("the aliases did not fill the job: %v", err)
	}
	os.RemoveAll("/tmp/not-a-url-" + filepath.Base(dir))
}
