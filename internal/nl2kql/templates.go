package nl2kql

import (
	"context"
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/schema"
)

// Templates is the deterministic Generator: it composes a query from the
// plan's best table, time window, entity and concept filters and intent.
type Templates struct {
	Schema *schema.Schema
}

var _ Generator = (*Templates)(nil)

// schemaFor is the schema a plan is written against: its target product's
// tables and columns when the service set one, else the templates' own.
func (g *Templates) schemaFor(p *Plan) *schema.Schema {
	if p.schema != nil {
		return p.schema
	}
	return g.Schema
}

// Generate implements Generator.
func (g *Templates) Generate(_ context.Context, p *Plan) (Draft, error) {
	if len(p.Tables) == 0 {
		return Draft{}, ErrNoTable
	}
	t, ok := g.schemaFor(p).Table(p.Tables[0].Name)
	if !ok {
		return Draft{}, fmt.Errorf("templates: unknown table %s", p.Tables[0].Name)
	}
	var d Draft
	if f := g.pivotFollow(p); f != nil {
		if d, ok := g.pivot(p, f); ok {
			return d, nil
		}
	}
	if d, ok := g.alertEntities(p); ok {
		return d, nil
	}
	if d, ok := g.followUp(p); ok {
		return d, nil
	}
	if d := g.watchlist(p, t); d.Query != "" {
		return d, nil
	}
	switch p.Intent.Kind {
	case IntentNew:
		if d := g.newSince(p, t); d.Query != "" {
			return d, nil
		}
	case IntentDormant:
		if d := g.dormant(p, t); d.Query != "" {
			return d, nil
		}
	case IntentAbsent:
		if d := g.absentOrDormant(p, t); d.Query != "" {
			return d, nil
		}
	}
	if r, key, ok := g.joinPartner(p, t); ok && p.Intent.Kind != IntentOutlier {
		return g.join(p, t, r, key), nil
	}
	var b strings.Builder
	b.WriteString(t.Name)
	tc := p.Tables[0].TimeColumn
	writeWindow(&b, tc, p.Window)
	if t.Name == "SecurityAlert" && p.AlertProduct != "" {
		fmt.Fprintf(&b, "\n| where ProductName == %s", quote(p.AlertProduct))
	}
	let, notes := writeEnrichment(&b, t, p)
	d.Assumptions = append(d.Assumptions, notes...)
	filtered, notes := writeFilters(&b, t, p, nil)
	d.Assumptions = append(d.Assumptions, notes...)
	d.Assumptions = append(d.Assumptions, writeSnapshot(&b, t, tc, p)...)
	keys, knotes := keyCols(t, p, filtered)
	d.Assumptions = append(d.Assumptions, knotes...)
	if n := measureNote(t, p); n != "" {
		d.Assumptions = append(d.Assumptions, n)
	}
	if p.Intent.Kind == IntentOutlier && len(keys) > 0 {
		q, notes := outlierQuery(t, tc, strings.TrimPrefix(b.String(), t.Name), p, keys)
		d.Query = let + q
		d.Assumptions = append(d.Assumptions, notes...)
		return d, nil
	}
	if p.Intent.Percent && len(conceptPreds(t, p)) == 0 {
		// The share of all rows needs the filtered rows twice.
		body := strings.TrimPrefix(b.String(), t.Name)
		var rb strings.Builder
		rb.WriteString("Rows")
		writeShape(&rb, t, tc, p, keys, filtered)
		d.Query = let + "let Rows = " + t.Name + body + ";\n" + rb.String()
		return d, nil
	}
	writeShape(&b, t, tc, p, keys, filtered)
	d.Query = let + b.String()
	return d, nil
}

func writeWindow(b *strings.Builder, tc string, w Window) {
	if tc == "" {
		return
	}
	fmt.Fprintf(b, "\n| where %s > %s", tc, w.Start)
	if w.End != "" {
		fmt.Fprintf(b, " and %s < %s", tc, w.End)
	}
}

// writeFilters adds the entity and concept predicates that table t can
// hold and returns the roles they filter on. skip lists entities already
// placed elsewhere (in a join); placed ones are added to it.
func writeFilters(b *strings.Builder, t *schema.Table, p *Plan, placed map[int]bool) (map[string]bool, []string) {
	filtered := map[string]bool{}
	var notes []string
	for i, e := range p.Entities {
		if placed != nil && placed[i] {
			continue
		}
		pred, role, ok := entityPredicate(t, e, p)
		if !ok {
			if placed == nil {
				notes = append(notes, fmt.Sprintf("%s has no column for the %s %q, so it is not filtered on", t.Name, e.Kind, e.Value))
			}
			continue
		}
		if placed != nil {
			placed[i] = true
		}
		filtered[role] = true
		fmt.Fprintf(b, "\n| where %s", pred)
	}
	if !p.Intent.Percent {
		for _, pred := range conceptPreds(t, p) {
			fmt.Fprintf(b, "\n| where %s", pred)
		}
	}
	return filtered, notes
}

// conceptPreds are the predicates of the question's concepts in table t.
func conceptPreds(t *schema.Table, p *Plan) []string {
	var out []string
	for _, cp := range p.concepts {
		if pred, ok := cp.pred[t.Name]; ok && !conflicting(p, cp.id) {
			out = mergeAlternatives(out, pred)
		}
	}
	return out
}

// conflicting drops "success" when "failed" is also present ("failed then
// successful" is a sequence the templates cannot express; failures are the
// more specific ask).
func conflicting(p *Plan, id string) bool {
	if id != "success" {
		return false
	}
	for _, c := range p.Concepts {
		if c == "failed" || c == "passwordspray" || c == "locked" {
			return true
		}
	}
	return false
}

// keyCols resolves the grouping words of the question to columns of t.
func keyCols(t *schema.Table, p *Plan, filtered map[string]bool) ([]Col, []string) {
	var out []Col
	var notes []string
	seen := map[string]bool{}
	add := func(c Col, note string) {
		if !seen[c.Name] {
			seen[c.Name] = true
			out = append(out, c)
			if note != "" {
				notes = append(notes, note)
			}
		}
	}
	for _, w := range p.Intent.By {
		if role, ok := roleWords[w]; ok {
			if c, note, ok := groupCol(t, role); ok {
				add(c, note)
				continue
			}
		}
		if c, ok := columnByWord(t, w, p.normalized); ok {
			add(Col{Name: c}, "")
		}
	}
	needKey := p.Intent.Kind == IntentTop || p.Intent.Kind == IntentOutlier || p.Intent.Kind == IntentDistinct || p.Intent.Kind == IntentDCount ||
		(p.Intent.Kind == IntentFirstLast && len(p.Entities) == 0) || p.Intent.Threshold > 0 || p.Intent.Percent
	if listsTotals(t, p.Intent.Kind) {
		needKey = true
	}
	if len(out) == 0 && needKey {
		if c, ok := shapeKey(t); ok {
			return []Col{c}, []string{fmt.Sprintf("no grouping key named: grouped by %s, what each %s row is per", c.Name, t.Name)}
		}
		for _, r := range []string{roleUser, roleDevice, roleIP, roleTitle, roleApp, roleProcess, roleSender, roleAction} {
			if filtered[r] {
				continue
			}
			if c, note, ok := groupCol(t, r); ok {
				add(c, note)
				notes = append(notes, fmt.Sprintf("no grouping key named: grouped by %s", c.Name))
				break
			}
		}
	}
	return out, notes
}

// columnByWord finds the column of t with w as one of its name parts:
// the one whose other name parts the question says most of (nt,
// normalised; "data types" → DataType, "remote IPs" → RemoteIP), then the
// shortest name. Log Analytics' standard Type column is never one: it holds
// the table's own name
// (https://learn.microsoft.com/azure/azure-monitor/logs/log-standard-columns#type).
func columnByWord(t *schema.Table, w, nt string) (string, bool) {
	best, bestShare := "", -1.0
	if nt != "" {
		nt = spaced(nt)
	}
	for _, c := range t.Columns {
		if strings.HasPrefix(c.Name, "_") || c.Type == "dynamic" || c.Name == "Type" {
			continue
		}
		parts := camelWords(c.Name)
		hit, said := false, 0
		for _, part := range parts {
			switch {
			case part == w || stem(part) == w:
				hit = true
			case nt != "" && (hasWord(nt, part) || hasWord(nt, part+"s")):
				said++
			}
		}
		share := 0.0
		if len(parts) > 1 {
			share = float64(said) / float64(len(parts)-1)
		}
		if hit && (share > bestShare || share == bestShare && len(c.Name) < len(best)) {
			best, bestShare = c.Name, share
		}
	}
	return best, best != ""
}

// writeShape adds the operators that give the answer its shape.
func writeShape(b *strings.Builder, t *schema.Table, tc string, p *Plan, keys []Col, filtered map[string]bool) {
	for _, k := range keys {
		if !k.Plain() {
			fmt.Fprintf(b, "\n| extend %s = %s", k.Name, k.Expr)
		}
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.Name
	}
	by := ""
	if len(names) > 0 {
		by = " by " + strings.Join(names, ", ")
	}
	in := p.Intent
	if in.Percent && (in.Kind == IntentCount || in.Kind == IntentTop) {
		percentShape(b, p, t, by, conceptPreds(t, p))
		if in.Kind == IntentTop {
			fmt.Fprintf(b, "\n| take %d", in.N)
		}
		return
	}
	agg, aggExpr := aggregate(t, p)
	kind := in.Kind
	if listsTotals(t, kind) && by != "" {
		kind = IntentCount
	}
	switch kind {
	case IntentCount:
		fmt.Fprintf(b, "\n| summarize %s = %s%s%s", agg, aggExpr, by, thresholdClause(in, agg))
		if by != "" {
			fmt.Fprintf(b, "\n| sort by %s desc", agg)
		}
	case IntentTop:
		fmt.Fprintf(b, "\n| summarize %s = %s%s%s\n| top %d by %s desc", agg, aggExpr, by, thresholdClause(in, agg), in.N, agg)
	case IntentDistinct:
		if by == "" {
			writeList(b, t, tc, p, filtered)
			return
		}
		fmt.Fprintf(b, "\n| distinct %s", strings.Join(names, ", "))
	case IntentDCount:
		if len(names) == 0 {
			b.WriteString("\n| summarize Count = count()")
			break
		}
		rest := ""
		if len(names) > 1 {
			rest = " by " + strings.Join(names[1:], ", ")
		} else if in.Threshold > 0 {
			// "more than N distinct X" counts them per entity.
			for _, r := range []string{roleUser, roleDevice, roleIP} {
				if c, ok := roleCol(t, r); ok && c.Plain() && c.Name != names[0] {
					rest = " by " + c.Name
					break
				}
			}
		}
		fmt.Fprintf(b, "\n| summarize Distinct%s = dcount(%s)%s%s", names[0], names[0], rest, thresholdClause(in, "Distinct"+names[0]))
	case IntentSeries:
		if tc == "" {
			fmt.Fprintf(b, "\n| summarize %s = %s%s", agg, aggExpr, by)
			break
		}
		extra := ""
		if len(names) > 0 {
			extra = ", " + names[0]
		}
		fmt.Fprintf(b, "\n| summarize %s = %s by bin(%s, %s)%s", agg, aggExpr, tc, in.Bin, extra)
	case IntentFirstLast:
		if tc == "" {
			writeList(b, t, tc, p, filtered)
			return
		}
		fmt.Fprintf(b, "\n| summarize FirstSeen = min(%s), LastSeen = max(%s), Count = count()%s", tc, tc, by)
	default:
		writeList(b, t, tc, p, filtered)
		return
	}
	if in.Render != "" {
		fmt.Fprintf(b, "\n| render %s", in.Render)
	}
}

// writeList projects the time and the columns an analyst reads first,
// newest first.
func writeList(b *strings.Builder, t *schema.Table, tc string, p *Plan, filtered map[string]bool) {
	cols := listCols(t, p)
	var items []string
	if tc != "" {
		items = append(items, tc)
	}
	for _, c := range cols {
		if c.Plain() {
			items = append(items, c.Name)
		} else {
			items = append(items, c.Name+" = "+c.Expr)
		}
	}
	if len(items) > 0 {
		fmt.Fprintf(b, "\n| project %s", strings.Join(items, ", "))
	}
	if tc != "" {
		fmt.Fprintf(b, "\n| sort by %s desc", tc)
	}
}

// listCols are the columns a listing shows: those the question names, then
// the table's role columns, at most eight.
func listCols(t *schema.Table, p *Plan) []Col {
	var out []Col
	seen := map[string]bool{p.Tables[0].TimeColumn: true}
	add := func(c Col) {
		if len(out) < 8 && !seen[c.Name] {
			seen[c.Name] = true
			out = append(out, c)
		}
	}
	if p.Tables[0].Name == t.Name {
		for _, name := range p.Tables[0].Columns {
			add(Col{Name: name})
		}
	}
	for _, r := range listRoles {
		if c, ok := roleCol(t, r); ok {
			add(c)
		}
	}
	return out
}
