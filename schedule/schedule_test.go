package schedule

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"datax/spec"
)

func writeFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "schedule.json")
	os.WriteFile(p, []byte(text), 0o644)
	return p
}

func TestLoadRejectsMistakes(t *testing.T) {
	cases := map[string]string{
		`{"jobs": [{"name": "a", "cron": "61 * * * *", "job": "a.json"}]}`:                                          `jobs[0].cron: "61 * * * *": end of range (61) above maximum (59)`,
		`{"jobs": [{"name": "a", "cron": "@daily", "job": "a.json"}, {"name": "a", "cron": "@daily", "job": "b"}]}`: `jobs[1].name: "a" is used by another job`,
		`{"jobs": [{"name": "a", "cron": "@daily"}]}`:                                                               `jobs[0]: give either job (a job file) or command`,
		`{"timeZone": "Mars/Olympus", "jobs": []}`:                                                                  `timeZone: "Mars/Olympus" is not a known IANA zone`,
		`{"maxConcurent": 2, "jobs": []}`:                                                                           `unknown parameter "maxConcurent"; did you mean "maxConcurrent"?`,
		`{"maxConcurrent": 0, "jobs": []}`:                                                                          `maxConcurrent: must be at least 1`,
		`{"jobs": [{"name": "a", "cron": "@daily", "job": "a.json", "retries": -1}]}`:                               `jobs[0].retries: must not be negative`,
	}
	for text, want := range cases {
		_, err := Load(writeFile(t, text))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s:\n got  %v\n want %q", text, err, want)
		}
	}
}

// gate is a runner whose runs block until released, recording their order.
type gate struct {
	mu      sync.Mutex
	order   []string
	release map[string]chan error
	started chan string
}

func newGate() *gate {
	return &gate{release: map[string]chan error{}, started: make(chan string, 100)}
}

func (g *gate) ch(name string) chan error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.release[name] == nil {
		g.release[name] = make(chan error, 10)
	}
	return g.release[name]
}

func (g *gate) run(ctx context.Context, e Entry, vars map[string]string) (Result, error) {
	g.mu.Lock()
	g.order = append(g.order, e.Name)
	g.mu.Unlock()
	g.started <- e.Name
	select {
	case err := <-g.ch(e.Name):
		return Result{Rows: 100}, err
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

func newDaemon(t *testing.T, cfg *Config, run Runner) *Daemon {
	t.Helper()
	cfg.History = filepath.Join(t.TempDir(), "history.jsonl")
	if cfg.TimeZone == "" {
		cfg.TimeZone = "UTC"
	}
	if cfg.AnomalyFactor == 0 {
		cfg.AnomalyFactor = 3
	}
	d, err := New(cfg, run, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func entries(names ...string) []Entry {
	var out []Entry
	for _, n := range names {
		p := 0
		if strings.HasPrefix(n, "high") {
			p = 10
		}
		out = append(out, Entry{Name: n, Cron: "@daily", Job: n + ".json", Priority: p})
	}
	return out
}

func TestPriorityThenLongestWaiting(t *testing.T) {
	g := newGate()
	d := newDaemon(t, &Config{MaxConcurrent: 1, Jobs: entries("blocker", "low1", "high", "low2")}, g.run)
	now := time.Now()
	d.Trigger("blocker", now)
	<-g.started
	d.Trigger("low1", now)
	d.Trigger("high", now)
	d.Trigger("low2", now)
	for _, name := range []string{"blocker", "high", "low1", "low2"} {
		g.ch(name) <- nil
		if name != "low2" {
			<-g.started
		}
	}
	d.Wait()
	if got := strings.Join(g.order, ","); got != "blocker,high,low1,low2" {
		t.Errorf("ran in order %s", got)
	}
}

func TestNoOverlapAndConcurrencyLimit(t *testing.T) {
	g := newGate()
	d := newDaemon(t, &Config{MaxConcurrent: 2, Jobs: entries("a", "b", "c")}, g.run)
	now := time.Now()
	d.Trigger("a", now)
	d.Trigger("b", now)
	d.Trigger("c", now)
	<-g.started
	<-g.started
	d.Trigger("a", now) // a is running: skipped
	if r := d.Running(); len(r) != 2 {
		t.Errorf("%d running with maxConcurrent 2", len(r))
	}
	g.ch("a") <- nil
	<-g.started // c
	g.ch("b") <- nil
	g.ch("c") <- nil
	d.Wait()
	runs, _ := d.history.List("a", 0)
	if len(runs) != 2 || runs[0].Status != StatusSkipped || runs[1].Status != StatusOK {
		t.Errorf("history of a: %+v", runs)
	}
}

func TestRetriesThenSuccess(t *testing.T) {
	calls := 0
	run := func(ctx context.Context, e Entry, vars map[string]string) (Result, error) {
		calls++
		if vars["bizdate"] != "20261122" || vars["table"] != "orders" {
			t.Errorf("vars %v", vars)
		}
		if calls < 3 {
			return Result{}, errors.New("connection refused")
		}
		return Result{Rows: 42}, nil
	}
	e := Entry{Name: "j", Cron: "@daily", Job: "j.json", Retries: 2, Backoff: spec.Duration{Duration: time.Millisecond}, Params: map[string]string{"table": "orders"}}
	d := newDaemon(t, &Config{MaxConcurrent: 1, Jobs: []Entry{e}}, run)
	d.Trigger("j", time.Date(2026, 11, 23, 1, 30, 0, 0, time.UTC))
	d.Wait()
	runs, _ := d.history.List("j", 0)
	if len(runs) != 1 || runs[0].Status != StatusOK || runs[0].Attempts != 3 || runs[0].Rows != 42 {
		t.Errorf("history %+v", runs)
	}
}

func TestBizdateIsTheDayBeforeInTheScheduleZone(t *testing.T) {
	var got string
	run := func(ctx context.Context, e Entry, vars map[string]string) (Result, error) {
		got = vars["bizdate"]
		return Result{}, nil
	}
	d := newDaemon(t, &Config{MaxConcurrent: 1, TimeZone: "Asia/Shanghai", Jobs: entries("j")}, run)
	d.Trigger("j", time.Date(2026, 11, 22, 17, 30, 0, 0, time.UTC)) // 01:30 on the 23rd in Shanghai
	d.Wait()
	if got != "20261122" {
		t.Errorf("bizdate %s", got)
	}
}

func TestStopLetsRunsFinishThenStopsThem(t *testing.T) {
	g := newGate()
	d := newDaemon(t, &Config{MaxConcurrent: 1, Jobs: entries("slow", "waiting")}, g.run)
	d.Trigger("slow", time.Now())
	<-g.started
	d.Trigger("waiting", time.Now())
	d.Stop(50 * time.Millisecond)
	slow, _ := d.history.List("slow", 0)
	waiting, _ := d.history.List("waiting", 0)
	if len(slow) != 1 || slow[0].Status != StatusStopped || len(waiting) != 1 || waiting[0].Status != StatusSkipped {
		t.Errorf("slow %+v waiting %+v", slow, waiting)
	}
	d.Trigger("slow", time.Now()) // after stop: ignored
	if len(g.order) != 1 {
		t.Errorf("ran after stop: %v", g.order)
	}
}

func TestAnomalyAgainstTheJobsOwnHistory(t *testing.T) {
	h := OpenHistory(filepath.Join(t.TempDir(), "h.jsonl"))
	if h.Anomaly("j", 5, 3) != "" {
		t.Error("flagged with no history")
	}
	for _, rows := range []int64{1000, 1100, 900, 5} {
		h.Append(Run{Job: "j", Status: StatusOK, Rows: rows})
	}
	h.Append(Run{Job: "other", Status: StatusOK, Rows: 1})
	h.Append(Run{Job: "j", Status: StatusFailed, Rows: 0})
	if a := h.Anomaly("j", 10, 3); !strings.Contains(a, "10 rows against a median of 950 over the last 4 successful runs") {
		t.Errorf("anomaly %q", a)
	}
	if a := h.Anomaly("j", 1200, 3); a != "" {
		t.Errorf("an ordinary run flagged: %q", a)
	}
}

func TestCommandRunner(t *testing.T) {
	var out bytes.Buffer
	run := CommandRunner(&out, time.Second)
	res, err := run(context.Background(), Entry{Command: []string{"sh", "-c", `echo "day $1"; echo "Records written       : 1,234"; echo "Records written       : 6"`, "sh", "${bizdate}"}},
		map[string]string{"bizdate": "20261122"})
	if err != nil || res.Rows != 1240 || !strings.Contains(out.String(), "day 20261122") {
		t.Fatalf("rows %d, err %v, out %q", res.Rows, err, out.String())
	}
	_, err = run(context.Background(), Entry{Command: []string{"sh", "-c", "exit 3"}}, nil)
	if err == nil || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("got %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = run(ctx, Entry{Command: []string{"sh", "-c", "trap 'exit 143' TERM; sleep 30 & wait"}}, nil)
	if err == nil || time.Since(start) > 10*time.Second {
		t.Errorf("a cancelled command: %v after %v", err, time.Since(start))
	}
}

func TestNextRuns(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	next, err := NextRuns("30 1 * * *", loc, time.Date(2026, 11, 22, 17, 0, 0, 0, time.UTC), 2) // 01:00 in Shanghai
	if err != nil || next[0].Format("2006-01-02 15:04") != "2026-11-23 01:30" || next[1].Day() != 24 {
		t.Errorf("%v %v", next, err)
	}
}
