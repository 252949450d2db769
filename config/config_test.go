package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func load(t *testing.T, yaml string) (*Config, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "datax.yaml")
	os.WriteFile(p, []byte(yaml), 0o644)
	return Load(New(), p)
}

func TestLoad(t *testing.T) {
	c, err := load(t, "timezone: Asia/Shanghai\nchannels: 3\nvars:\n  table: orders\n")
	if err != nil || c.TimeZone != "Asia/Shanghai" || c.Channels != 3 || c.Vars["table"] != "orders" || c.MemoryMB != DefaultMemoryMB {
		t.Fatalf("%+v %v", c, err)
	}
	t.Setenv("DATAX_CHANNELS", "5")
	c, err = load(t, "channels: 3\n")
	if err != nil || c.Channels != 5 {
		t.Errorf("DATAX_CHANNELS should override the file: %+v %v", c, err)
	}
}

func TestLoadErrors(t *testing.T) {
	for yaml, want := range map[string]string{
		"timezon: UTC\n":        `unknown key "timezon"; did you mean "timezone"?`,
		"timezone: Mars/Base\n": `timezone "Mars/Base" is not a known IANA zone`,
		"channels: 0\n":         "channels must be at least 1, got 0",
		"channels: [\n":         "config file",
		"channels: lots\n":      "channels",
	} {
		_, err := load(t, yaml)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", yaml, err, want)
		}
	}
	if _, err := Load(New(), "/no/such/datax.yaml"); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
}
