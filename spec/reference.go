package spec

import (
	"fmt"
	"io"
	"strings"
)

// WriteReference writes the parameters as a Markdown table: name, type,
// required or default, and the documentation (with allowed values).
func (s *Spec) WriteReference(w io.Writer) error {
	var b strings.Builder
	b.WriteString("| Parameter | Type | Required / default | Description |\n")
	b.WriteString("|---|---|---|---|\n")
	writeRows(&b, "", s.Params)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeRows(b *strings.Builder, prefix string, params []Param) {
	for _, p := range params {
		req := ""
		switch {
		case p.Required:
			req = "required"
		case p.HasDefault && p.Default != "":
			req = "default `" + escapeCell(p.Default) + "`"
		default:
			req = "optional"
		}
		doc := p.Doc
		if (len(p.Enum) > 0 || p.Example != "") && doc != "" && !strings.HasSuffix(doc, ".") {
			doc += "."
		}
		if len(p.Enum) > 0 {
			doc += " One of: `" + strings.Join(p.Enum, "`, `") + "`."
		}
		if p.Example != "" {
			doc += " Example: `" + escapeCell(p.Example) + "`."
		}
		fmt.Fprintf(b, "| `%s%s` | %s | %s | %s |\n", prefix, p.Name, p.Type, req, escapeCell(doc))
		if len(p.Fields) > 0 {
			sub := prefix + p.Name
			if strings.HasPrefix(p.Type, "list") {
				sub += "[]"
			}
			writeRows(b, sub+".", p.Fields)
		}
	}
}

func escapeCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}
