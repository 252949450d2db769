package transform

import (
	"strings"
	"testing"

	"datax/record"
)

func ptr(i int) *int { return &i }

// run applies one transformer to a column of values and returns the output
// texts ("NULL" for null), the dropped rows and their reasons.
func run(t *testing.T, kind record.Kind, values []string, name string, paras ...string) ([]string, map[int]error) {
	t.Helper()
	steps, err := Parse([]Config{{Name: name, Parameter: Params{ColumnIndex: ptr(1), Paras: paras}}}, "transformer")
	if err != nil {
		t.Fatal(err)
	}
	in := record.Schema{{Name: "id", Kind: record.Int}, {Name: "v", Kind: kind}}
	chain, err := Bind(steps, in, "transformer")
	if err != nil {
		t.Fatal(err)
	}
	b := record.NewBatch(in)
	for i, v := range values {
		b.Col(0).AppendInt(int64(i))
		if v == "NULL" {
			b.Col(1).AppendNull()
		} else if err := record.ParseText(b.Col(1), in[1], []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	dropped := map[int]error{}
	out := chain.Stage()(b, func(row int, reason error) { dropped[row] = reason })
	var got []string
	for i := 0; i < out.Len(); i++ {
		if out.Col(1).IsNull(i) {
			got = append(got, "NULL")
			continue
		}
		got = append(got, string(record.AppendText(nil, out.Col(1), i, chain.Schema()[1])))
	}
	return got, dropped
}

func TestDataXTransformers(t *testing.T) {
	cases := []struct {
		name  string
		kind  record.Kind
		in    []string
		paras []string
		want  string
	}{
		{"dx_substr", record.String, []string{"abcdef", "ab", "NULL", "中文字符串"}, []string{"1", "3"}, "bcd|b|NULL|文字符"},
		{"dx_substr", record.Int, []string{"123456"}, []string{"0", "2"}, "12"},
		{"dx_pad", record.String, []string{"ab", "abcdef", "NULL"}, []string{"l", "4", "0"}, "00ab|abcd|0000"},
		{"dx_pad", record.String, []string{"ab"}, []string{"r", "5", "xy"}, "abxyx"},
		{"dx_replace", record.String, []string{"13812345678", "NULL"}, []string{"3", "4", "****"}, "138****5678|NULL"},
		{"dx_digest", record.String, []string{"hello"}, []string{"md5", "toUpperCase"}, "5D41402ABC4B2A76B9719D911017C592"},
		{"dx_digest", record.String, []string{"hello"}, []string{"sha1", "toLowerCase"}, "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"},
		// DataX digests a null as the empty string (md5 of "", from md5sum).
		{"dx_digest", record.String, []string{"NULL"}, []string{"md5", "toLowerCase"}, "d41d8cd98f00b204e9800998ecf8427e"},
		{"dx_hash", record.String, []string{"NULL"}, []string{"salt"}, "NULL"},
		// sha256("salt"+"hello"), from sha256sum
		{"dx_hash", record.String, []string{"hello"}, []string{"salt"}, "cd31b3b98ece60cb739c0bf770b2de892ae0ad133f645513c3d83f08757a843a"},
		{"dx_mask", record.String, []string{"13812345678", "abc", "NULL"}, []string{"0", "4"}, "*******5678|***|NULL"},
		{"dx_mask", record.String, []string{"张三丰先生"}, []string{"1", "1", "#"}, "张###生"},
		{"dx_constant", record.Int, []string{"1", "NULL"}, []string{"0"}, "0|0"},
		{"dx_null", record.String, []string{"secret"}, nil, "NULL"},
	}
	for _, c := range cases {
		got, dropped := run(t, c.kind, c.in, c.name, c.paras...)
		if len(dropped) > 0 || strings.Join(got, "|") != c.want {
			t.Errorf("%s%v on %v: got %v (dropped %v), want %s", c.name, c.paras, c.in, got, dropped, c.want)
		}
	}
}

func TestHashIsSaltedSHA256(t *testing.T) {
	a, _ := run(t, record.String, []string{"13800000000"}, "dx_hash", "s1")
	b, _ := run(t, record.String, []string{"13800000000"}, "dx_hash", "s2")
	if a[0] == b[0] || len(a[0]) != 64 {
		t.Errorf("salted hashes %v %v", a, b)
	}
}

func TestFilterDropsMatchingRows(t *testing.T) {
	cases := []struct {
		kind  record.Kind
		in    []string
		paras []string
		want  string
	}{
		{record.Int, []string{"1", "5", "10", "NULL"}, []string{">", "4"}, "1|NULL"},
		{record.Int, []string{"9223372036854775807", "9223372036854775806"}, []string{"=", "9223372036854775807"}, "9223372036854775806"},
		{record.Decimal, []string{"1.50", "2.00"}, []string{"<=", "1.5"}, "2.00"},
		// like matches the whole value, as DataX's String.matches does.
		{record.String, []string{"apple", "banana", "cherry"}, []string{"like", ".*an+.*"}, "apple|cherry"},
		{record.String, []string{"dataxTest"}, []string{"like", "ata"}, "dataxTest"},
		{record.String, []string{"apple", "banana", "NULL"}, []string{"not like", "a.*"}, "apple"},
		{record.Int, []string{"1", "2"}, []string{"==", "2"}, "1"},
		{record.String, []string{"a", "NULL", "b"}, []string{"=", "null"}, "a|b"},
		{record.String, []string{"a", "NULL"}, []string{"!=", "null"}, "NULL"},
		{record.String, []string{"b", "a"}, []string{"!=", "a"}, "a"},
	}
	for _, c := range cases {
		got, dropped := run(t, c.kind, c.in, "dx_filter", c.paras...)
		for _, reason := range dropped {
			if reason != nil {
				t.Errorf("a filtered row counted as dirty: %v", reason)
			}
		}
		if strings.Join(got, "|") != c.want {
			t.Errorf("dx_filter%v on %v: got %v, want %s", c.paras, c.in, got, c.want)
		}
	}
}

func TestRowErrorsAreDirty(t *testing.T) {
	got, dropped := run(t, record.String, []string{"abc", "a"}, "dx_substr", "2", "1")
	if strings.Join(got, "|") != "c" || dropped[1] == nil || !strings.Contains(dropped[1].Error(), "transformer dx_substr on column 1 (v): startIndex 2 is beyond the value's 1 characters") {
		t.Errorf("got %v, dropped %v", got, dropped)
	}
}

func TestChainsApplyInOrder(t *testing.T) {
	steps, err := Parse([]Config{
		{Name: "dx_filter", Parameter: Params{ColumnIndex: ptr(0), Paras: []string{"=", "2"}}},
		{Name: "dx_substr", Parameter: Params{ColumnIndex: ptr(1), Paras: []string{"0", "3"}}},
		{Name: "dx_pad", Parameter: Params{ColumnIndex: ptr(1), Paras: []string{"r", "5", "-"}}},
	}, "transformer")
	if err != nil {
		t.Fatal(err)
	}
	in := record.Schema{{Name: "id", Kind: record.Int}, {Name: "name", Kind: record.String}}
	chain, err := Bind(steps, in, "transformer")
	if err != nil {
		t.Fatal(err)
	}
	b := record.NewBatch(in)
	for i, name := range []string{"alpha", "beta", "gamma"} {
		b.Col(0).AppendInt(int64(i + 1))
		b.Col(1).AppendString(name)
	}
	filtered := 0
	out := chain.Stage()(b, func(int, error) { filtered++ })
	if filtered != 1 || out.Len() != 2 || string(out.Col(1).Bytes(0)) != "alp--" || string(out.Col(1).Bytes(1)) != "gam--" || out.Col(0).Int(1) != 3 {
		t.Errorf("filtered %d, out %d rows", filtered, out.Len())
	}
}

func TestBadConfigs(t *testing.T) {
	cases := []struct {
		c    Config
		want string
	}{
		{Config{Name: "dx_groovy", Parameter: Params{Code: "return record"}}, "transformer[0].name: dx_groovy is not supported"},
		{Config{Name: "dx_substr", Parameter: Params{Paras: []string{"1", "2"}}}, "transformer[0].parameter.columnIndex: missing required parameter"},
		{Config{Name: "dx_substr", Parameter: Params{ColumnIndex: ptr(-1)}}, "columnIndex: must be 0 or more"},
		{Config{Name: "dx_substr", Parameter: Params{ColumnIndex: ptr(0), Paras: []string{"1"}}}, `dx_substr: expected 2 paras ["startIndex", "length"], got 1`},
		{Config{Name: "dx_substr", Parameter: Params{ColumnIndex: ptr(0), Paras: []string{"a", "1"}}}, `paras[0] (startIndex) must be an integer, got "a"`},
		{Config{Name: "dx_pad", Parameter: Params{ColumnIndex: ptr(0), Paras: []string{"x", "1", "0"}}}, `paras[0] must be "l" (left) or "r" (right)`},
		{Config{Name: "dx_filter", Parameter: Params{ColumnIndex: ptr(0), Paras: []string{"~", "1"}}}, "paras[0] must be one of like"},
		{Config{Name: "dx_filter", Parameter: Params{ColumnIndex: ptr(0), Paras: []string{"like", "("}}}, "not a valid regular expression"},
		{Config{Name: "dx_digest", Parameter: Params{ColumnIndex: ptr(0), Paras: []string{"sha256", "toUpperCase"}}}, `paras[0] must be "md5" or "sha1"`},
		{Config{Name: "dx_hash", Parameter: Params{ColumnIndex: ptr(0), Paras: []string{""}}}, "salt) must not be empty"},
		{Config{Name: "dx_mask", Parameter: Params{ColumnIndex: ptr(0), Paras: []string{"0", "4", "**"}}}, "maskChar) must be one character"},
	}
	for _, c := range cases {
		_, err := Parse([]Config{c.c}, "transformer")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want %q", c.c, err, c.want)
		}
	}
	steps, _ := Parse([]Config{{Name: "dx_null", Parameter: Params{ColumnIndex: ptr(5)}}}, "job.content[0].transformer")
	_, err := Bind(steps, record.Schema{{Name: "a", Kind: record.Int}}, "job.content[0].transformer")
	if err == nil || !strings.Contains(err.Error(), "job.content[0].transformer[0].parameter.columnIndex: dx_null: column 5 does not exist; the reader has 1 columns (0 to 0)") {
		t.Errorf("got %v", err)
	}
}
