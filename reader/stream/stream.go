// Package stream is the streamreader plugin: it generates records from a
// column list of constants, increments and random values, as DataX's
// streamreader does. It needs no server, so it also drives the engine's
// tests and benchmarks.
package stream

import (
	"context"
	_ "embed"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"datax/channel"
	"datax/plugin"
	"datax/reader"
	"datax/record"
	"datax/spec"
)

//go:embed example.json
var example []byte

func init() {
	reader.Register("streamreader", "generates records from constants, increments and random values (no server needed)", example, New)
}

// Params are streamreader's parameters.
type Params struct {
	Column           []Column `json:"column" required:"true" doc:"the columns of every record, in order"`
	SliceRecordCount int64    `json:"sliceRecordCount" required:"true" doc:"records each task produces; there are as many tasks as channels (DataX's meaning)" example:"100000"`
	Seed             int64    `json:"seed" default:"1" doc:"seed of the random values, so that runs repeat"`
}

// Column is one generated column.
type Column struct {
	Name       string `json:"name" doc:"column name (default c0, c1, ...)"`
	Type       string `json:"type" default:"string" enum:"string,long,int,bigint,double,float,decimal,bool,boolean,date,timestamp,bytes" doc:"type of the values (DataX: long, double, string, date, bool, bytes)"`
	Value      any    `json:"value" doc:"the constant value; null for a null column"`
	Random     string `json:"random" doc:"\"min,max\": a random number in the range, or for strings and bytes a random length"`
	Incr       string `json:"incr" doc:"\"start,step\": an increasing number (long, double, decimal) or date (step in days)"`
	DateFormat string `json:"dateFormat" default:"yyyy-MM-dd HH:mm:ss" doc:"pattern of a date value"`
	Precision  int    `json:"precision" default:"38" doc:"decimal precision"`
	Scale      int    `json:"scale" default:"10" doc:"decimal scale"`
}

// Validate checks each column once its type is known.
func (c *Column) Validate() error {
	set := 0
	for _, s := range []bool{c.Value != nil, c.Random != "", c.Incr != ""} {
		if s {
			set++
		}
	}
	if set > 1 {
		return spec.Errorf("", "value, random and incr are exclusive; give one")
	}
	return nil
}

type streamReader struct {
	p      *Params
	schema record.Schema
	gens   []generator
}

// New builds a streamreader and checks that every value parses as its type.
func New(p *Params, env plugin.Env) (reader.Reader, error) {
	r := &streamReader{p: p}
	for j, c := range p.Column {
		col := record.Column{Name: c.Name, Kind: kindOf(c.Type), Precision: c.Precision, Scale: c.Scale}
		if col.Name == "" {
			col.Name = "c" + strconv.Itoa(j)
		}
		if col.Kind != record.Decimal {
			col.Precision, col.Scale = 0, 0
		}
		g, err := newGenerator(col, c)
		if err != nil {
			return nil, &spec.Error{Path: fmt.Sprintf("column[%d]", j), Msg: err.Error()}
		}
		r.schema = append(r.schema, col)
		r.gens = append(r.gens, g)
	}
	if p.SliceRecordCount < 0 {
		return nil, spec.Errorf("sliceRecordCount", "must be 0 or more, got %d", p.SliceRecordCount)
	}
	return r, nil
}

func kindOf(t string) record.Kind {
	switch strings.ToLower(t) {
	case "long", "int", "bigint":
		return record.Int
	case "double", "float":
		return record.Float
	case "decimal":
		return record.Decimal
	case "bool", "boolean":
		return record.Bool
	case "date", "timestamp":
		return record.Timestamp
	case "bytes":
		return record.Bytes
	}
	return record.String
}

type task struct {
	index int
	count int64
}

func (t task) String() string { return fmt.Sprintf("slice %d (%d records)", t.index, t.count) }

// Split makes one task per channel, each of sliceRecordCount records.
func (r *streamReader) Split(ctx context.Context, channels int) (record.Schema, []reader.Task, error) {
	tasks := make([]reader.Task, max(channels, 1))
	for i := range tasks {
		tasks[i] = task{index: i, count: r.p.SliceRecordCount}
	}
	return r.schema, tasks, nil
}

// Read generates the task's records, column by column in chunks of rows.
func (r *streamReader) Read(ctx context.Context, t reader.Task, out *channel.Sender) error {
	tk := t.(task)
	rng := rand.New(rand.NewPCG(uint64(r.p.Seed), uint64(tk.index)))
	gens := slices.Clone(r.gens) // generators keep scratch buffers: one set per task
	const chunk = 64
	var row int64
	for row < tk.count {
		b, err := out.Batch(ctx, r.schema)
		if err != nil {
			return err
		}
		for row < tk.count && !out.Full(b) {
			n := min(chunk, tk.count-row)
			for j := range gens {
				v := b.Col(j)
				for k := int64(0); k < n; k++ {
					gens[j].next(v, row+k, rng)
				}
			}
			row += n
		}
		if err := out.Send(ctx, b); err != nil {
			return err
		}
	}
	return nil
}
