package drift_test

import (
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"

	"datax/drift"
	"datax/spec"
)

var update = flag.Bool("update", false, "rewrite the generated section of README.md")

// TestReadmeReferenceIsGenerated checks that README.md's config reference
// is the one the declaration produces (go test ./drift -run Readme -update
// rewrites it).
func TestReadmeReferenceIsGenerated(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var ref strings.Builder
	spec.Of(&drift.Config{}).WriteReference(&ref)
	section := regexp.MustCompile(`(?s)(<!-- BEGIN GENERATED: drift config -->\n).*?(<!-- END GENERATED -->)`)
	if !section.Match(data) {
		t.Fatal("README.md has no <!-- BEGIN GENERATED: drift config --> section")
	}
	out := section.ReplaceAll(data, []byte("${1}"+strings.ReplaceAll(ref.String(), "$", "$$")+"${2}"))
	if string(out) == string(data) {
		return
	}
	if *update {
		if err := os.WriteFile("README.md", out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Error("README.md's config reference is out of date with drift.Config: run go test ./drift -run Readme -update")
}
