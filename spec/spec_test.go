package spec

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

type inner struct {
	JdbcURL StringList `json:"jdbcUrl" required:"true" doc:"addresses"`
	Table   []string   `json:"table" doc:"tables"`
}

type params struct {
	Path      string            `json:"path" required:"true" doc:"where"`
	WriteMode string            `json:"writeMode" default:"append" enum:"append,nonConflict,truncate" doc:"mode"`
	Channel   int               `json:"channel" default:"2" doc:"count"`
	Ratio     float64           `json:"ratio" doc:"share"`
	Print     bool              `json:"print" default:"true" doc:"print"`
	Password  Secret            `json:"password" doc:"secret"`
	Wait      Duration          `json:"wait" default:"\"5s\"" doc:"wait"`
	Conn      []inner           `json:"connection" doc:"connections"`
	Hadoop    map[string]string `json:"hadoopConfig" doc:"extra"`
	Limit     *int64            `json:"limit" doc:"optional"`
	Anything  any               `json:"anything" doc:"raw"`
}

func (p *params) Validate() error {
	if p.Ratio > 1 {
		return Errorf("ratio", "must be at most 1")
	}
	return nil
}

func decode(t *testing.T, text string) (*params, error) {
	t.Helper()
	raw, err := ParseJSON("test.json", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	p := &params{}
	return p, Of(p).Decode(raw, "job.content[0].writer.parameter", p)
}

func TestDecodeGood(t *testing.T) {
	p, err := decode(t, `{"path": "/x", "writeMode": "NONCONFLICT", "channel": "3", "password": "hunter2",
		"connection": [{"jdbcUrl": "jdbc:mysql://a/db", "table": ["t"]}, {"jdbcUrl": ["u1", "u2"]}],
		"hadoopConfig": {"dfs.replication": 2}, "limit": 0, "anything": [1, "x"]}`)
	if err != nil {
		t.Fatal(err)
	}
	if p.WriteMode != "nonConflict" || p.Channel != 3 || !p.Print || p.Wait.Seconds() != 5 {
		t.Errorf("defaults/enum: %+v", p)
	}
	if len(p.Conn) != 2 || p.Conn[0].JdbcURL[0] != "jdbc:mysql://a/db" || len(p.Conn[1].JdbcURL) != 2 {
		t.Errorf("connection: %+v", p.Conn)
	}
	if p.Hadoop["dfs.replication"] != "2" || p.Limit == nil || *p.Limit != 0 {
		t.Errorf("map/pointer: %+v %v", p.Hadoop, p.Limit)
	}
	if p.Password.Reveal() != "hunter2" {
		t.Error("secret lost")
	}
}

func TestDecodeErrorsNamePathAndFix(t *testing.T) {
	cases := []struct{ json, want string }{
		{`{"path": "/x", "wirteMode": "append"}`, `job.content[0].writer.parameter.wirteMode: unknown parameter "wirteMode"; did you mean "writeMode"?`},
		{`{"writeMode": "append"}`, `job.content[0].writer.parameter.path: missing required parameter`},
		{`{"path": ""}`, `parameter.path: must not be empty`},
		{`{"path": "/x", "channel": "two"}`, `parameter.channel: expected an integer, got the string "two"`},
		{`{"path": "/x", "channel": 2.5}`, `parameter.channel: expected an integer, got the number 2.5`},
		{`{"path": "/x", "writeMode": "overwrite"}`, `"overwrite" is not one of append, nonConflict, truncate`},
		{`{"path": "/x", "writeMode": "truncat"}`, `did you mean "truncate"?`},
		{`{"path": ["/x"]}`, `parameter.path: expected a string, got a list of 1 items`},
		{`{"path": "/x", "connection": [{"table": "t"}]}`, `parameter.connection[0].jdbcUrl: missing required parameter`},
		{`{"path": "/x", "connection": [{"jdbcUrl": [1]}]}`, `parameter.connection[0].jdbcUrl[0]: expected a string`},
		{`{"path": "/x", "connection": {"jdbcUrl": "x"}}`, `parameter.connection: expected a list`},
		{`{"path": "/x", "ratio": 2}`, `parameter.ratio: must be at most 1`},
		{`{"path": "/x", "wait": "soon"}`, `parameter.wait: expected a duration`},
		{`{"path": "/x", "print": "perhaps"}`, `parameter.print: expected true or false`},
		{`[]`, `job.content[0].writer.parameter: expected an object`},
	}
	for _, c := range cases {
		_, err := decode(t, c.json)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n got  %v\n want %q", c.json, err, c.want)
		}
	}
	// All problems at once.
	_, err := decode(t, `{"pth": "/x", "channel": "x"}`)
	if err == nil || strings.Count(err.Error(), "\n") < 2 {
		t.Errorf("want three errors reported together, got %v", err)
	}
}

func TestParseJSONLineColumn(t *testing.T) {
	_, err := ParseJSON("job.json", []byte("{\n  \"job\": {\n    \"a\": 1,,\n  }\n}"))
	if err == nil || !strings.Contains(err.Error(), "job.json:3:12: malformed JSON") {
		t.Errorf("got %v", err)
	}
	_, err = ParseJSON("job.json", []byte("{\"job\": {"))
	if err == nil || !strings.Contains(err.Error(), "job.json:1:10: malformed JSON: unexpected end of file") {
		t.Errorf("got %v", err)
	}
	_, err = ParseJSON("job.json", []byte("{} {}"))
	if err == nil || !strings.Contains(err.Error(), "unexpected text after") {
		t.Errorf("got %v", err)
	}
}

func TestSecretNeverPrints(t *testing.T) {
	p := struct{ Password Secret }{"hunter2"}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "p", p.Password, "struct", p)
	js, _ := json.Marshal(p)
	for _, s := range []string{fmt.Sprint(p), fmt.Sprintf("%v %+v %#v %s %q", p, p, p, p.Password, p.Password), string(js), logged.String()} {
		if strings.Contains(s, "hunter2") {
			t.Errorf("secret printed: %s", s)
		}
	}
}

func TestReferenceListsEveryParameter(t *testing.T) {
	var b strings.Builder
	if err := Of(&params{}).WriteReference(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| `path` | string | required |", "`connection[].jdbcUrl`", "default `append`", "One of: `append`, `nonConflict`, `truncate`."} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("reference lacks %q:\n%s", want, b.String())
		}
	}
}

func TestDeclarationMistakesPanic(t *testing.T) {
	type noDoc struct {
		X string `json:"x"`
	}
	type noTag struct {
		X string `doc:"a"`
	}
	for _, v := range []any{&noDoc{}, &noTag{}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%T: no panic", v)
				}
			}()
			Of(v)
		}()
	}
}

func TestNearest(t *testing.T) {
	names := []string{"column", "connection", "splitPk", "where"}
	for got, want := range map[string]string{"colum": "column", "splitpk": "splitPk", "conection": "connection", "zzzzzz": ""} {
		if n := Nearest(got, names); n != want {
			t.Errorf("Nearest(%q) = %q, want %q", got, n, want)
		}
	}
}

func TestParseJSONByteOrderMarkAndEmpty(t *testing.T) {
	v, err := ParseJSON("job.json", []byte("\xef\xbb\xbf{\"a\": 1}"))
	if err != nil || v.(map[string]any)["a"] == nil {
		t.Errorf("with a BOM: %v %v", v, err)
	}
	if _, err := ParseJSON("job.json", []byte(" \n")); err == nil || err.Error() != "job.json: the file is empty; expected a JSON object" {
		t.Errorf("empty: %v", err)
	}
}

func TestEnumSpellingsAndBlank(t *testing.T) {
	type p struct {
		Encoding string `json:"encoding" default:"UTF-8" enum:"UTF-8,GBK" doc:"e"`
		Compress string `json:"compress" enum:"none,gzip" doc:"c"`
	}
	for raw, want := range map[string]string{`{"encoding": "utf8"}`: "UTF-8", `{"encoding": "Utf_8"}`: "UTF-8", `{"encoding": ""}`: "UTF-8", `{"encoding": " gbk "}`: "GBK"} {
		v, _ := ParseJSON("x", []byte(raw))
		var got p
		if err := Of(&got).Decode(v, "", &got); err != nil || got.Encoding != want {
			t.Errorf("%s: %q %v", raw, got.Encoding, err)
		}
	}
	v, _ := ParseJSON("x", []byte(`{"compress": ""}`))
	var got p
	if err := Of(&got).Decode(v, "", &got); err != nil || got.Compress != "" {
		t.Errorf("blank compress: %q %v", got.Compress, err)
	}
	v, _ = ParseJSON("x", []byte(`{"encoding": "latin9"}`))
	if err := Of(&got).Decode(v, "", &got); err == nil || !strings.Contains(err.Error(), `"latin9" is not one of UTF-8, GBK`) {
		t.Errorf("unknown: %v", err)
	}
}

func TestTrailingCommasAreAccepted(t *testing.T) {
	v, err := ParseJSON("job.json", []byte("{\"a\": [1, 2,\n], \"b\": {\"c\": \"x,}\",},}"))
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	if len(m["a"].([]any)) != 2 || m["b"].(map[string]any)["c"] != "x,}" {
		t.Errorf("%v", v)
	}
	if _, err := ParseJSON("job.json", []byte("[1,,2]")); err == nil {
		t.Error("a doubled comma is still an error")
	}
}

func TestJSONStringsTellsWhatStandsOutsideStrings(t *testing.T) {
	text := `{"a\"b,": [1,], "c\\": "${x}"}`
	var got []byte
	var strs JSONStrings
	for i := 0; i < len(text); i++ {
		if strs.Outside(text[i]) {
			got = append(got, text[i])
		}
	}
	if string(got) != `{: [1,], : }` {
		t.Errorf("outside the strings: %q", got)
	}
}
