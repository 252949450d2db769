// Package config loads the global settings (time zone, warehouse root, HDFS
// namenode, default channels, memory budget, connection aliases, job
// variables) through viper: a config file, overridden by DATAX_* environment
// variables, overridden by flags.
package config

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/viper"

	"datax/spec"
)

// Config holds the global settings.
type Config struct {
	// TimeZone names the zone for ${bizdate} and time columns (IANA name).
	TimeZone string `mapstructure:"timezone"`
	// Warehouse is the root of the local or HDFS warehouse.
	Warehouse string `mapstructure:"warehouse"`
	// DefaultFS is the default filesystem, e.g. hdfs://namenode:8020.
	DefaultFS string `mapstructure:"defaultfs"`
	// Channels is the default channel count for generated jobs.
	Channels int `mapstructure:"channels"`
	// MemoryMB bounds sorts and merges.
	MemoryMB int `mapstructure:"memorymb"`
	// LogFile receives the log as well as standard error.
	LogFile string `mapstructure:"logfile"`
	// Vars are ${name} values for every job.
	Vars map[string]string `mapstructure:"vars"`
	// Connections are named jdbcUrls (or DSNs): job files use them as
	// ${connection.NAME}.
	Connections map[string]string `mapstructure:"connections"`
}

// Defaults.
const (
	DefaultTimeZone = "UTC"
	DefaultMemoryMB = 256
)

// New returns a viper instance set up for datax: defaults, DATAX_* env.
func New() *viper.Viper {
	v := viper.New()
	v.SetDefault("timezone", DefaultTimeZone)
	v.SetDefault("warehouse", "./warehouse")
	v.SetDefault("channels", 2)
	v.SetDefault("memorymb", DefaultMemoryMB)
	v.SetEnvPrefix("DATAX")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_", "-", "_"))
	v.AutomaticEnv()
	return v
}

// Load reads file (if given; else datax.yaml in the working directory or
// $HOME/.datax/ when present) into v and decodes the result.
func Load(v *viper.Viper, file string) (*Config, error) {
	if file != "" {
		v.SetConfigFile(file)
	} else {
		v.SetConfigName("datax")
		v.AddConfigPath(".")
		if home, err := os.UserHomeDir(); err == nil {
			v.AddConfigPath(home + "/.datax")
		}
	}
	if err := v.ReadInConfig(); err != nil {
		var notFound viper.ConfigFileNotFoundError
		if file != "" || !errors.As(err, &notFound) {
			return nil, fmt.Errorf("config file: %w", err)
		}
	}
	c := &Config{}
	if err := v.UnmarshalExact(c); err != nil {
		return nil, fmt.Errorf("config file %s: %w", v.ConfigFileUsed(), explainKeys(err))
	}
	if _, err := c.Location(); err != nil {
		return nil, err
	}
	if c.Channels < 1 {
		return nil, fmt.Errorf("config: channels must be at least 1, got %d", c.Channels)
	}
	return c, nil
}

// Location returns the configured time zone.
func (c *Config) Location() (*time.Location, error) {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("config: timezone %q is not a known IANA zone (e.g. UTC, Asia/Shanghai): %v", c.TimeZone, err)
	}
	return loc, nil
}

// knownKeys are the config file's keys: the mapstructure tags of Config.
var knownKeys = func() []string {
	t := reflect.TypeFor[Config]()
	keys := make([]string, t.NumField())
	for i := range keys {
		keys[i] = t.Field(i).Tag.Get("mapstructure")
	}
	return keys
}()

var invalidKeys = regexp.MustCompile(`has invalid keys: (.+)`)

// explainKeys turns mapstructure's "has invalid keys: a, b" into a message
// that names each unknown key with the nearest known one.
func explainKeys(err error) error {
	m := invalidKeys.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	var msgs []string
	for _, k := range strings.Split(m[1], ", ") {
		msg := fmt.Sprintf("unknown key %q", k)
		if near := spec.Nearest(k, knownKeys); near != "" {
			msg += fmt.Sprintf("; did you mean %q?", near)
		}
		msgs = append(msgs, msg)
	}
	return fmt.Errorf("%s (known keys: %s)", strings.Join(msgs, "; "), strings.Join(knownKeys, ", "))
}
