package engine_test

import (
	"context"
	"os"
	"testing"

	"datax/engine"
	"datax/jobs"
	_ "datax/reader/stream"
	_ "datax/writer/stream"
)

// BenchmarkStreamPipeline measures the engine's own overhead:
// streamreader → streamwriter (count only), 10 columns, channel 2 — the
// pipeline bench/stream.sh runs through the binary.
func BenchmarkStreamPipeline(b *testing.B) {
	data, err := os.ReadFile("../bench/jobs/stream10.json")
	if err != nil {
		b.Fatal(err)
	}
	const perChannel = 500000
	vars := jobs.Vars{Values: map[string]string{"channel": "2", "record": "0", "byte": "0", "slice": "500000"}, NoEnv: true}
	f, err := jobs.Parse("stream10.json", data, vars)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j, err := engine.Build("stream10.json", f, engine.Options{Progress: -1})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := j.Run(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(2*perChannel*b.N)/b.Elapsed().Seconds(), "records/s")
}
