package fileformat_test

import (
	"strconv"
	"strings"
	"testing"

	"datax/fileformat"
	"datax/record"
)

func TestParseType(t *testing.T) {
	cases := map[string]string{
		"bigint":             "BIGINT int 64 0,0",
		"BIGINT UNSIGNED":    "BIGINT UNSIGNED uint 64 0,0",
		"int unsigned":       "INT UNSIGNED uint 32 0,0",
		"Integer":            "INT int 32 0,0",
		"long":               "BIGINT int 64 0,0",
		"tinyint":            "TINYINT int 8 0,0",
		"decimal( 38 , 10 )": "DECIMAL(38,10) decimal 0 38,10",
		"DECIMAL":            "DECIMAL(10,0) decimal 0 10,0",
		"numeric(5)":         "DECIMAL(5,0) decimal 0 5,0",
		"varchar(20)":        "VARCHAR(20) string 0 0,0",
		"string":             "STRING string 0 0,0",
		"double":             "DOUBLE float 64 0,0",
		"float":              "FLOAT float 32 0,0",
		"boolean":            "BOOLEAN bool 0 0,0",
		"bool":               "BOOLEAN bool 0 0,0",
		"date":               "DATE date 0 0,0",
		"timestamp":          "TIMESTAMP timestamp 0 0,0",
		"binary":             "BINARY bytes 0 0,0",
		"bytes":              "BINARY bytes 0 0,0",
	}
	for in, want := range cases {
		c, err := fileformat.ParseType(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		got := c.Type + " " + c.Kind.String() + " " + itoa(c.Bits) + " " + itoa(c.Precision) + "," + itoa(c.Scale)
		if got != want {
			t.Errorf("%q = %s, want %s", in, got, want)
		}
	}
	bad := map[string]string{
		"":                "expected one of",
		"varchar2":        "expected one of",
		"decimal(39,2)":   "1 ≤ p ≤ 38",
		"decimal(5,6)":    "0 ≤ s ≤ p",
		"double unsigned": "only integer types can be UNSIGNED",
		"bigint(20)":      "takes no (...) arguments",
		"decimal(1,2,3)":  "expected one of",
		"map<string,int>": "expected one of",
	}
	for in, want := range bad {
		if _, err := fileformat.ParseType(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", in, err, want)
		}
	}
}

func TestFromSource(t *testing.T) {
	c, err := fileformat.FromSource(record.Column{Name: "d", Kind: record.Decimal, Precision: 20, Scale: 4})
	if err != nil || c.Type != "DECIMAL(20,4)" || c.Scale != 4 {
		t.Errorf("decimal: %+v, %v", c, err)
	}
	if _, err := fileformat.FromSource(record.Column{Name: "d", Kind: record.Decimal}); err == nil || !strings.Contains(err.Error(), "declare its type") {
		t.Errorf("decimal without precision: %v", err)
	}
	if c, _ := fileformat.FromSource(record.Column{Name: "t", Kind: record.Time}); c.Kind != record.String {
		t.Errorf("time: %+v", c)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
