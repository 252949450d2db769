package spec

import (
	"strings"
	"testing"
)

type sharedConn struct {
	Host string `json:"host" required:"true" doc:"the host"`
	Port int    `json:"port" default:"8020" doc:"the port"`
}

type withEmbedded struct {
	sharedConn
	Path string `json:"path" doc:"a path"`
}

// An embedded struct without a json tag contributes its parameters as if
// they were declared in the outer struct.
func TestEmbeddedParams(t *testing.T) {
	s := Of(&withEmbedded{})
	if got := strings.Join(s.Names(), ","); got != "host,path,port" {
		t.Fatalf("names = %s", got)
	}
	var v withEmbedded
	if err := s.Decode(map[string]any{"host": "nn", "path": "/x"}, "p", &v); err != nil {
		t.Fatal(err)
	}
	if v.Host != "nn" || v.Port != 8020 || v.Path != "/x" {
		t.Fatalf("decoded %+v", v)
	}
	err := s.Decode(map[string]any{"path": "/x", "hots": "nn"}, "p", &v)
	if err == nil || !strings.Contains(err.Error(), `p.hots: unknown parameter "hots"; did you mean "host"?`) || !strings.Contains(err.Error(), "p.host: missing required") {
		t.Fatalf("errors: %v", err)
	}
}
