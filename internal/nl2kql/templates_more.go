package nl2kql

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/schema"
	"github.com/secmcp/secmcp/internal/lazyre"
)

// snapshotTables hold periodic snapshots of an entity (a row per user or
// device per refresh), so a listing keeps the latest row of each.
var snapshotTables = map[string]string{"IdentityInfo": roleUser, "DeviceInfo": roleDevice, "IntuneDevices": roleDevice}

// privilegedLet is the set of users holding a directory role, read from
// IdentityInfo.AssignedRoles over the last 14 days (its refresh span).
func privilegedLet(target string) string {
	col, tc := "AccountUPN", "TimeGenerated"
	if target == PlatformDefender {
		col, tc = "AccountUpn", "Timestamp"
	}
	return fmt.Sprintf("let PrivilegedUsers = IdentityInfo\n| where %s > ago(14d)\n| summarize arg_max(%s, *) by %s\n| where array_length(AssignedRoles) > 0\n| distinct %s;\n", tc, tc, col, col)
}

// writeEnrichment restricts the rows to privileged users when the question
// asks about them and returns the let statement it needs ("" if none).
func writeEnrichment(b *strings.Builder, t *schema.Table, p *Plan) (string, []string) {
	if !p.privileged {
		return "", nil
	}
	if t.Name == "IdentityInfo" {
		return "", nil // the dedupe and filter follow in writeSnapshot
	}
	c, ok := roleCol(t, roleUser)
	if _, has := t.Column("CompromisedEntity"); !ok && has {
		// An alert names the user it is about in CompromisedEntity
		// (https://learn.microsoft.com/en-us/azure/azure-monitor/reference/tables/securityalert).
		c, ok = Col{Name: "CompromisedEntity"}, true
	}
	if !ok {
		return "", []string{t.Name + " has no user column, so the privileged-user restriction is not applied"}
	}
	fmt.Fprintf(b, "\n| where %s in~ (PrivilegedUsers)", c.Ref())
	return privilegedLet(p.product()), []string{"privileged users are those with an assigned role in IdentityInfo.AssignedRoles (latest row in 14 days)"}
}

// writeSnapshot keeps the latest row per entity of a snapshot table.
func writeSnapshot(b *strings.Builder, t *schema.Table, tc string, p *Plan) []string {
	role, ok := snapshotTables[t.Name]
	if !ok || tc == "" {
		return nil
	}
	switch p.Intent.Kind {
	case IntentSeries, IntentFirstLast, IntentNew, IntentDormant:
		return nil
	}
	c, ok := roleCol(t, role)
	if t.Name == "IdentityInfo" {
		if p.product() != PlatformDefender {
			c, ok = Col{Name: "AccountUPN"}, true
		}
	}
	if !ok || !c.Plain() {
		return nil
	}
	fmt.Fprintf(b, "\n| summarize arg_max(%s, *) by %s", tc, c.Name)
	if p.privileged && t.Name == "IdentityInfo" {
		b.WriteString("\n| where array_length(AssignedRoles) > 0")
	}
	return []string{fmt.Sprintf("%s holds periodic snapshots: kept the latest row per %s", t.Name, c.Name)}
}

// thresholdClause is the where clause of a threshold on column col.
func thresholdClause(in Intent, col string) string {
	if in.Threshold == 0 {
		return ""
	}
	return fmt.Sprintf("\n| where %s %s %d", col, in.ThresholdOp, in.Threshold)
}

// reNewNoun is the noun phrase of "new X": the key compared with the baseline.
var reNewNoun = lazyre.New(`\b(?:new|first-time|unseen|novel)\s+([a-z0-9_]+)(?:\s+([a-z0-9_]+))?`)

// baselineKeys are the keys a new-since-baseline or dormant question
// compares: its grouping words, the noun after "new", else the user (and
// the entity-like role words the question names).
func baselineKeys(t *schema.Table, p *Plan) []Col {
	var out []Col
	seen := map[string]bool{}
	add := func(c Col) {
		if c.Plain() && !seen[c.Name] && len(out) < 2 {
			seen[c.Name] = true
			out = append(out, c)
		}
	}
	words := append([]string{}, p.Intent.By...)
	for _, m := range reNewNoun.FindAllStringSubmatch(p.normalized, -1) {
		words = append(words, stem(m[1]), stem(m[2]))
	}
	for _, w := range words {
		if r, ok := roleWords[w]; ok {
			if c, ok := roleCol(t, r); ok {
				add(c)
			}
		} else if c, ok := columnByWord(t, w, p.normalized); ok && w != "" {
			add(Col{Name: c})
		}
	}
	if len(out) == 0 {
		for _, r := range []string{roleUser, roleDevice, roleApp} {
			if c, ok := roleCol(t, r); ok && c.Plain() {
				add(c)
				break
			}
		}
		for _, w := range strings.Fields(p.normalized) {
			if r, ok := roleWords[stem(w)]; ok && r != roleUser && r != roleTitle && r != roleAction {
				if c, ok := roleCol(t, r); ok {
					add(c)
				}
			}
		}
	}
	return out
}

// newSince writes the rows of the recent period whose keys the baseline
// period does not have.
func (g *Templates) newSince(p *Plan, t *schema.Table) Draft {
	var d Draft
	tc := p.Tables[0].TimeColumn
	in := p.Intent
	keys := baselineKeys(t, p)
	if len(keys) == 0 || tc == "" {
		return Draft{}
	}
	names := colNames(keys)
	var lets, filt strings.Builder
	let, notes := writeEnrichment(&filt, t, p)
	d.Assumptions = append(d.Assumptions, notes...)
	_, notes = writeFilters(&filt, t, p, nil)
	d.Assumptions = append(d.Assumptions, notes...)
	lets.WriteString(let)
	fmt.Fprintf(&lets, "let Baseline = %s\n| where %s between (ago(%s) .. ago(%s))%s\n| distinct %s;\n", t.Name, tc, in.Baseline, in.Recent, filt.String(), strings.Join(names, ", "))
	var b strings.Builder
	fmt.Fprintf(&b, "%s%s\n| where %s > ago(%s)%s", lets.String(), t.Name, tc, in.Recent, filt.String())
	fmt.Fprintf(&b, "\n| join kind=leftanti Baseline on %s", strings.Join(names, ", "))
	fmt.Fprintf(&b, "\n| summarize FirstSeen = min(%s), LastSeen = max(%s), Count = count() by %s", tc, tc, strings.Join(names, ", "))
	d.Assumptions = append(d.Assumptions, "new means not present in the baseline for the same "+strings.Join(names, " and "))
	d.Query = b.String()
	return d
}

// dormant writes the keys whose last row is older than the silence asked.
func (g *Templates) dormant(p *Plan, t *schema.Table) Draft {
	var d Draft
	tc := p.Tables[0].TimeColumn
	keys := baselineKeys(t, p)
	if len(keys) == 0 || tc == "" {
		return Draft{}
	}
	var b strings.Builder
	b.WriteString(t.Name)
	writeWindow(&b, tc, p.Window)
	let, notes := writeEnrichment(&b, t, p)
	d.Assumptions = append(d.Assumptions, notes...)
	_, notes = writeFilters(&b, t, p, nil)
	d.Assumptions = append(d.Assumptions, notes...)
	fmt.Fprintf(&b, "\n| summarize LastSeen = max(%s), Count = count() by %s\n| where LastSeen < ago(%s)\n| sort by LastSeen asc",
		tc, strings.Join(colNames(keys), ", "), p.Intent.Inactive)
	d.Query = let + b.String()
	return d
}

func colNames(cs []Col) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

// percentShape writes each group's share: of the rows matching the
// question's conditions when it has some, else of all rows.
func percentShape(b *strings.Builder, p *Plan, t *schema.Table, by string, preds []string) {
	if len(preds) > 0 {
		fmt.Fprintf(b, "\n| summarize Total = count(), Matching = countif(%s)%s\n| extend Percent = round(100.0 * Matching / Total, 2)\n| sort by Percent desc", strings.Join(preds, " and "), by)
		return
	}
	// Generate binds the filtered rows to Rows for this shape.
	fmt.Fprintf(b, "\n| summarize Count = count()%s\n| extend Percent = round(100.0 * Count / toscalar(Rows | count), 2)\n| sort by Count desc", by)
}
