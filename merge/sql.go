package merge

import (
	"fmt"
	"slices"
	"strings"

	"datax/record"
)

// Dialects of EmitSQL.
const (
	Hive  = "hive"
	Spark = "spark"
)

// SQLTables name the tables of an emitted merge.
type SQLTables struct {
	// Target is the snapshot table, partitioned by Partition; the merge
	// reads partition Previous and overwrites partition Day.
	Target, Partition, Previous, Day string
	// Delta is the table of change records (or the window extraction);
	// DeltaWhere, when set, selects the day's rows (e.g. "dt='20261122'").
	Delta, DeltaWhere string
	// KeyScan, when set, is a table of the source's current keys.
	KeyScan string
}

// EmitSQL returns the merge as one INSERT OVERWRITE … FULL OUTER JOIN
// statement of the dialect (hive or spark; Spark's is preceded by a SET that
// lets it overwrite one partition of a Hive table while reading another),
// for a snapshot table that is a Hive table (external, stored as Parquet): the delta rules (per key the
// last change by ROW_NUMBER over time and position, the delete mode), the
// version rule, the delete treatment (flag or remove) and the key scan, the
// same as the native merge. deltaSchema is the schema of the delta table
// (with its bookkeeping columns); isDelete comes from the rules. The key
// scan's guard cannot be expressed in SQL; the statement says so.
func EmitSQL(dialect string, p *Plan, deltaSchema record.Schema, dr DeltaRules, t SQLTables) (string, error) {
	if dialect != Hive && dialect != Spark {
		return "", fmt.Errorf("--emit-sql %q: expected hive or spark", dialect)
	}
	for _, c := range []struct{ what, v string }{{"target table", t.Target}, {"delta table", t.Delta}, {"partition column", t.Partition}, {"day", t.Day}} {
		if c.v == "" {
			return "", fmt.Errorf("emitting SQL needs the %s", c.what)
		}
	}
	q := quoteIdent
	key := p.rules.Key
	var b strings.Builder
	fmt.Fprintf(&b, "-- datax merge as %s SQL: %s partition %s=%s from %s=%s and the delta %s\n", dialect, t.Target, t.Partition, t.Day, t.Partition, t.Previous, t.Delta)
	fmt.Fprintf(&b, "-- delta: one row per key (%s), the last by %s; delete mode %s; deletes %s",
		strings.Join(key, ", "), orderText(dr), dr.Mode, p.rules.Deletes)
	if p.rules.Version != "" {
		fmt.Fprintf(&b, "; version column %s", p.rules.Version)
	}
	b.WriteString("\n")
	if t.KeyScan != "" {
		fmt.Fprintf(&b, "-- key scan: %s; its guard (keyScan.minShare %.2f: at most %.2f%% of the live rows deleted) is not checked by SQL: count the live rows of %s=%s missing from %s before running this.\n",
			t.KeyScan, p.rules.MinScanShare, 100*(1-p.rules.MinScanShare), t.Partition, t.Previous, t.KeyScan)
	}
	if dialect == Spark {
		// Spark refuses to overwrite a table it also reads (another
		// partition of it, here) when it converts the Hive table to its own
		// Parquet source; with Hive's SerDe path it writes the partition the
		// way Hive does.
		b.WriteString("SET spark.sql.hive.convertMetastoreParquet=false;\n")
	}
	part := partitionBy(key, "")
	// The decisions per key, as in merger.key.
	dPresent, sPresent := "d.dx_d IS NOT NULL", "s.dx_s IS NOT NULL"
	older := "false"
	if p.rules.Version != "" && p.sVer >= 0 {
		// Null is the smallest version, except on a delete: a delete whose
		// version is null is applied.
		v := q(p.rules.Version)
		older = fmt.Sprintf("(%s AND %s AND ((d.%s IS NULL AND s.%s IS NOT NULL AND NOT d.dx_isdel) OR COALESCE(d.%s < s.%s, false)))", dPresent, sPresent, v, v, v, v)
	}
	sFlagged := "false"
	if p.sFlag >= 0 {
		sFlagged = "COALESCE(s." + q(p.snap[p.sFlag].Name) + ", false)"
	}
	scanDel, back := "false", "false"
	if t.KeyScan != "" {
		scanDel = fmt.Sprintf("(NOT (%s) AND %s AND NOT %s AND k.dx_k IS NULL)", dPresent, sPresent, sFlagged)
		// A flagged key the source has again is live (unflagged), unless
		// its soft-delete column says it is still there deleted.
		back = fmt.Sprintf("(NOT (%s) AND %s AND %s AND k.dx_k IS NOT NULL)", dPresent, sPresent, sFlagged)
		if p.sSoft != nil {
			back = fmt.Sprintf("(%s AND NOT %s)", back, softExpr("s", p.rules.SoftDelete, p.rules.SoftDeleteValues))
		}
	}
	useD := fmt.Sprintf("(%s AND NOT %s AND NOT d.dx_isdel)", dPresent, older)
	del := fmt.Sprintf("((%s AND NOT %s AND d.dx_isdel) OR %s)", dPresent, older, scanDel)

	fmt.Fprintf(&b, "INSERT OVERWRITE TABLE %s PARTITION (%s='%s')\n", qualified(t.Target), q(t.Partition), sqlString(t.Day))
	b.WriteString("SELECT\n")
	for j, c := range p.out {
		var expr string
		dc, sc := "NULL", "NULL"
		if p.dProj.src[j] >= 0 {
			dc = "d." + q(c.Name)
		}
		if p.sBody != nil && p.sBody.src[j] >= 0 {
			sc = "s." + q(c.Name)
		}
		switch j {
		case p.flag:
			expr = fmt.Sprintf("CASE WHEN %s THEN true WHEN %s OR %s THEN false ELSE %s END", del, useD, back, sFlagged)
		case p.flagDt:
			sDay := "NULL"
			if p.sFlagD >= 0 {
				sDay = "s." + q(p.snap[p.sFlagD].Name)
			}
			expr = fmt.Sprintf("CASE WHEN %s THEN (CASE WHEN %s AND %s IS NOT NULL THEN %s ELSE DATE '%s' END) WHEN %s OR %s THEN NULL WHEN %s THEN %s ELSE NULL END",
				del, sFlagged, sDay, sDay, record.AppendDate(nil, p.rules.Day), useD, back, sFlagged, sDay)
		default:
			expr = fmt.Sprintf("CASE WHEN %s THEN %s WHEN %s THEN COALESCE(%s, %s) ELSE %s END", useD, dc, del, dc, sc, sc)
		}
		sep := ","
		if j == len(p.out)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "  %s AS %s%s\n", expr, q(c.Name), sep)
	}
	// d: the delta, ranked per key from the last change backwards.
	isDel := deleteExpr(dr, deltaSchema)
	var order []string
	for _, c := range []string{dr.Time, dr.Position} {
		if c != "" {
			order = append(order, q(c)+" DESC NULLS LAST")
		}
	}
	for _, c := range deltaSchema {
		if !slices.Contains(key, c.Name) && c.Name != dr.Time && c.Name != dr.Position {
			order = append(order, q(c.Name)+" DESC NULLS LAST") // the native tie-break
		}
	}
	b.WriteString("FROM (\n")
	fmt.Fprintf(&b, "  SELECT * FROM (\n    SELECT r.*, 1 AS dx_d, MAX(CASE WHEN r.dx_rn = 1 AND r.dx_isdel THEN 1 ELSE 0 END) OVER (PARTITION BY %s) AS dx_lastdel\n", partitionBy(key, "r."))
	fmt.Fprintf(&b, "    FROM (\n      SELECT l.*, %s AS dx_isdel, ROW_NUMBER() OVER (PARTITION BY %s ORDER BY %s) AS dx_rn\n", isDel, part, strings.Join(order, ", "))
	fmt.Fprintf(&b, "      FROM %s l", qualified(t.Delta))
	if t.DeltaWhere != "" {
		fmt.Fprintf(&b, " WHERE %s", t.DeltaWhere)
	}
	b.WriteString("\n    ) r\n  ) x\n")
	switch dr.Mode {
	case DropLastDelete:
		b.WriteString("  WHERE (dx_rn = 1 AND dx_lastdel = 0) OR (dx_rn = 2 AND dx_lastdel = 1)\n")
	case DropDeleteAndBefore:
		b.WriteString("  WHERE dx_rn = 1 AND NOT dx_isdel\n")
	default:
		b.WriteString("  WHERE dx_rn = 1\n")
	}
	b.WriteString(") d\n")
	fmt.Fprintf(&b, "FULL OUTER JOIN (SELECT t.*, 1 AS dx_s FROM %s t WHERE t.%s = '%s') s\n  ON %s\n",
		qualified(t.Target), q(t.Partition), sqlString(t.Previous), joinOn(key, "d", "s"))
	if t.KeyScan != "" {
		fmt.Fprintf(&b, "LEFT JOIN (SELECT DISTINCT %s, 1 AS dx_k FROM %s) k\n  ON %s\n", part, qualified(t.KeyScan), joinOn(key, "s", "k"))
	}
	if p.rules.Deletes == Remove {
		fmt.Fprintf(&b, "WHERE NOT %s\n", del)
	}
	return strings.TrimRight(b.String(), "\n") + ";\n", nil
}

func orderText(dr DeltaRules) string {
	var o []string
	for _, c := range []string{dr.Time, dr.Position} {
		if c != "" {
			o = append(o, c)
		}
	}
	if len(o) == 0 {
		return "(the remaining columns)"
	}
	return "(" + strings.Join(o, ", ") + ")"
}

// deleteExpr is the SQL of DeltaRules' delete test for a row l.
func deleteExpr(dr DeltaRules, schema record.Schema) string {
	var or []string
	if dr.Op != "" {
		or = append(or, fmt.Sprintf("l.%s IN (%s)", quoteIdent(dr.Op), sqlList(dr.Delete)))
	}
	if dr.SoftDelete != "" {
		or = append(or, softExpr("l", dr.SoftDelete, dr.SoftDeleteValues))
	}
	if dr.DeletedFlag != "" {
		if j := schema.Index(dr.DeletedFlag); j >= 0 && schema[j].Kind == record.Bool {
			or = append(or, fmt.Sprintf("COALESCE(l.%s, false)", quoteIdent(dr.DeletedFlag)))
		}
	}
	if len(or) == 0 {
		return "false"
	}
	return "(" + strings.Join(or, " OR ") + ")"
}

// softExpr is the SQL of a soft-delete test of row alias.
func softExpr(alias, column string, values []string) string {
	return fmt.Sprintf("COALESCE(CAST(%s.%s AS STRING) IN (%s), false)", alias, quoteIdent(column), sqlList(values))
}

func sqlList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = "'" + sqlString(v) + "'"
	}
	return strings.Join(q, ", ")
}

func partitionBy(key []string, prefix string) string {
	q := make([]string, len(key))
	for i, k := range key {
		q[i] = prefix + quoteIdent(k)
	}
	return strings.Join(q, ", ")
}

func joinOn(key []string, a, b string) string {
	on := make([]string, len(key))
	for i, k := range key {
		on[i] = fmt.Sprintf("%s.%s = %s.%s", a, quoteIdent(k), b, quoteIdent(k))
	}
	return strings.Join(on, " AND ")
}

func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

func qualified(name string) string {
	parts := strings.Split(name, ".")
	for i, p := range parts {
		parts[i] = quoteIdent(p)
	}
	return strings.Join(parts, ".")
}

func sqlString(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`)
}
