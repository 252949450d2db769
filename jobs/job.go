// Package jobs is the job file: DataX's JSON model (job.setting and
// job.content[] of reader/writer pairs), loading with ${variable}
// substitution and date arithmetic, and validation of everything that can be
// checked before anything connects. One-click generation of job files from
// database metadata lives in jobs/gen.
package jobs

import (
	"fmt"
	"os"
	"strconv"

	"datax/spec"
	"datax/transform"
)

// File is a job file as DataX writes it: {"job": {...}}. DataX's optional
// "core" section is accepted for the per-channel caps it can hold.
type File struct {
	Job  Job   `json:"job" required:"true" doc:"the job: its settings and the reader/writer pairs to run"`
	Core *Core `json:"core" doc:"DataX's engine settings; any of its keys is accepted, only transport.channel.speed.byte/record are used (per-channel caps, times the channel count)"`
	// Keys DataX's example jobs carry beside "job" and DataX ignores.
	Setting any `json:"setting" doc:"accepted and ignored, as DataX does (some of its example jobs have an empty top-level setting); the job's settings are job.setting"`
	Common  any `json:"common" doc:"DataX's common section (column formats); accepted and ignored"`
	Entry   any `json:"entry" doc:"DataX's entry section (JVM options for datax.py); accepted and ignored: there is no JVM"`
}

// Job is the body of a job file.
type Job struct {
	Setting Setting   `json:"setting" doc:"speed, error limits and retries"`
	Content []Content `json:"content" required:"true" doc:"reader/writer pairs; every entry runs, in order (DataX runs only the first)"`
}

// Setting is job.setting.
type Setting struct {
	Speed      Speed      `json:"speed" doc:"concurrency and job-wide throughput caps"`
	ErrorLimit ErrorLimit `json:"errorLimit" doc:"how many dirty records the job tolerates"`
	Retry      Retry      `json:"retry" doc:"retries of a failed task (ours; DataX has none)"`
	DryRun     bool       `json:"dryRun" doc:"validate and split, but move no data"`
	DirtyFile  string     `json:"dirtyRecordFile" doc:"file (JSON lines) for dirty records with their reasons; default datax-dirty-<start time>.jsonl in the working directory, created only when there are some"`
}

// Speed is job.setting.speed.
type Speed struct {
	Channel *int  `json:"channel" doc:"channels (reader/writer task pairs) that run at once; more tasks queue. Default: as DataX derives it from byte and record (byte ÷ 1 MiB/s, record ÷ 10,000 rec/s per channel, or core's per-channel caps; the smaller), else 1"`
	Byte    int64 `json:"byte" doc:"job-wide cap in bytes per second over all channels; 0 or -1: none"`
	Record  int64 `json:"record" doc:"job-wide cap in records per second over all channels; 0 or -1: none"`
}

// ErrorLimit is job.setting.errorLimit. A nil field sets no limit.
type ErrorLimit struct {
	Record     *int64   `json:"record" doc:"most dirty records allowed; 0 fails the job at the first one"`
	Percentage *float64 `json:"percentage" doc:"largest share of dirty records allowed, 0 to 1 (0.02 is 2%); as in DataX, ignored when record is given"`
}

// Retry is job.setting.retry (ours).
type Retry struct {
	Attempts int           `json:"attempts" default:"3" doc:"tries per task in all; a task is retried only when nothing of it was committed"`
	Backoff  spec.Duration `json:"backoff" default:"\"1s\"" doc:"wait before the first retry; doubles each time"`
	MaxWait  spec.Duration `json:"maxBackoff" default:"\"30s\"" doc:"longest wait between retries"`
}

// Content is one job.content[] entry.
type Content struct {
	Reader      Plugin             `json:"reader" required:"true" doc:"the source plugin"`
	Writer      Plugin             `json:"writer" required:"true" doc:"the target plugin"`
	Transformer []transform.Config `json:"transformer" doc:"per-column transformers applied in order between reader and writer (DataX's dx_substr, dx_pad, dx_replace, dx_filter, dx_digest; masking: dx_hash, dx_mask, dx_constant, dx_null)"`
}

// Plugin names a plugin and holds its raw parameters, decoded later by the
// plugin's own declaration.
type Plugin struct {
	Name      string `json:"name" required:"true" doc:"plugin name, e.g. mysqlreader or hdfswriter"`
	Parameter any    `json:"parameter" doc:"the plugin's parameters (see datax plugins describe NAME)"`
}

// Core is DataX's "core" section (its engine settings: transport classes,
// buffer sizes, dataXServer, ...). Job files often carry a copy of DataX's
// core.json, so every key is accepted; only the per-channel caps
// transport.channel.speed.byte and .record have a meaning here, and they are
// checked.
type Core struct {
	ChannelByte, ChannelRecord int64
}

// UnmarshalParam reads the caps and ignores the rest of DataX's core keys.
func (c *Core) UnmarshalParam(raw any) error {
	obj, ok := raw.(map[string]any)
	if !ok {
		return fmt.Errorf("expected an object {...}, got %s", spec.Describe(raw))
	}
	speed := obj
	for _, key := range []string{"transport", "channel", "speed"} {
		next, ok := speed[key].(map[string]any)
		if !ok {
			return nil
		}
		speed = next
	}
	for key, dst := range map[string]*int64{"byte": &c.ChannelByte, "record": &c.ChannelRecord} {
		v, ok := speed[key]
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(fmt.Sprint(v), 10, 64)
		if err != nil || n < -1 {
			return &spec.Error{Path: "transport.channel.speed." + key, Msg: "expected an integer (-1: no cap), got " + spec.Describe(v)}
		}
		*dst = n
	}
	return nil
}

// ParamType names the type in the reference.
func (c *Core) ParamType() string { return "object" }

// DataX's per-channel speeds when its core section sets none, from which it
// derives a channel count when a job gives byte or record but no channel.
const (
	dataxChannelBytes   = 1 << 20
	dataxChannelRecords = 10_000
)

// Channels returns the job's channel count: speed.channel, else the count
// DataX derives from the job-wide caps (and core's per-channel caps), else 1.
func (f *File) Channels() int {
	s := f.Job.Setting.Speed
	if s.Channel != nil {
		return *s.Channel
	}
	perByte, perRecord := int64(dataxChannelBytes), int64(dataxChannelRecords)
	if c := f.Core; c != nil {
		if c.ChannelByte > 0 {
			perByte = c.ChannelByte
		}
		if c.ChannelRecord > 0 {
			perRecord = c.ChannelRecord
		}
	}
	n := int64(0)
	if s.Byte > 0 {
		n = max(1, s.Byte/perByte)
	}
	if s.Record > 0 {
		if byRecord := max(1, s.Record/perRecord); n == 0 || byRecord < n {
			n = byRecord
		}
	}
	return int(max(n, 1))
}

// Validate checks values that the declaration alone cannot.
func (s *Speed) Validate() error {
	switch {
	case s.Channel != nil && *s.Channel <= 0:
		return spec.Errorf("channel", "must be at least 1, got %d", *s.Channel)
	case s.Byte < -1:
		return spec.Errorf("byte", "must be positive (0 or -1: no cap), got %d", s.Byte)
	case s.Record < -1:
		return spec.Errorf("record", "must be positive (0 or -1: no cap), got %d", s.Record)
	}
	return nil
}

// Validate checks the limits' ranges.
func (e *ErrorLimit) Validate() error {
	if e.Record != nil && *e.Record < 0 {
		return spec.Errorf("record", "must be 0 or more, got %d", *e.Record)
	}
	if e.Percentage != nil && (*e.Percentage < 0 || *e.Percentage > 1) {
		return spec.Errorf("percentage", "must be between 0 and 1 (0.02 is 2%%), got %v", *e.Percentage)
	}
	return nil
}

// Validate checks the retry settings.
func (r *Retry) Validate() error {
	if r.Attempts < 1 {
		return spec.Errorf("attempts", "must be at least 1 (1 means no retry), got %d", r.Attempts)
	}
	return nil
}

// Validate requires at least one content entry.
func (j *Job) Validate() error {
	if len(j.Content) == 0 {
		return spec.Errorf("content", "must hold at least one reader/writer pair")
	}
	return nil
}

// Load reads, substitutes and decodes a job file. name is used in messages.
func Load(name string, vars Vars) (*File, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("job file: %w", err)
	}
	return Parse(name, data, vars)
}

// Parse is Load for a job file already in memory.
func Parse(name string, data []byte, vars Vars) (*File, error) {
	f := &File{}
	if err := Decode(name, data, vars, f); err != nil {
		return nil, err
	}
	return f, nil
}

// Decode fills dst, a pointer to a struct declared with spec tags, from a
// JSON config file the way a job file is read: ${variables} filled, then
// decoded and validated, errors naming the file and the JSON path. Other
// config files (merge, delta, drift) use it.
func Decode(name string, data []byte, vars Vars, dst any) error {
	return DecodeEdited(name, data, vars, dst, nil)
}

// DecodeEdited is Decode with edit (when not nil) applied to the JSON tree
// after the variables are filled and before it is decoded and validated: a
// command lays the values of its flags over the file's that way, so that
// they are checked like the file's own.
func DecodeEdited(name string, data []byte, vars Vars, dst any, edit func(tree any) error) error {
	data, err := vars.ExpandBare(data)
	if err != nil {
		return spec.InFile(name, err)
	}
	tree, err := spec.ParseJSON(name, data)
	if err != nil {
		return err
	}
	tree, err = vars.Substitute(tree, "")
	if err != nil {
		return spec.InFile(name, err)
	}
	if edit != nil {
		if err := edit(tree); err != nil {
			return spec.InFile(name, err)
		}
	}
	if err := spec.Of(dst).Decode(tree, "", dst); err != nil {
		return spec.InFile(name, err)
	}
	return nil
}

// ContentPath is the JSON path of content entry i's reader or writer
// parameters, for messages.
func ContentPath(i int, side string) string {
	return fmt.Sprintf("job.content[%d].%s.parameter", i, side)
}
