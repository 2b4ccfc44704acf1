package nl2kql

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/schema"
	"github.com/secmcp/secmcp/internal/lazyre"
)

// IntentAbsent is a question about the entities of an inventory that have
// no event of a kind: "devices without an antivirus scan this week", "users
// who never signed in with MFA". The answer is the inventory (DeviceInfo,
// IdentityInfo) left-anti-joined with the entities the event table has:
// the event table alone can only list the entities that have the event.
// https://learn.microsoft.com/kusto/query/join-leftanti
const IntentAbsent = "absent"

// reAbsent is an inventory subject followed by a negation of having.
var reAbsent = lazyre.New(`\b(devices?|machines?|computers?|endpoints?|hosts?|servers?|workstations?|users?|accounts?|people|employees?)\s+(?:that\s+|which\s+|who\s+)?(?:(?:have|has|had|did|do|does|are|is|were|was)\s+)?(?:without|with\s+no|no|not|never|\w+n't|missing|lacking)\b`)

// reSilentFor is a dormancy phrasing ("not sent any events for over an
// hour", "haven't signed in for a period of time", "in 30 days"): the
// entity's own last event, not an inventory's entities without one.
var reSilentFor = lazyre.New(`\bfor\s+(?:over\s+|more\s+than\s+|at\s+least\s+|a\s+|an\s+)?(?:\w+\s+)?(?:period|while|hours?|days?|weeks?|months?|\d+)\b|\bin\s+\d+\s+(?:days?|weeks?|months?)\b`)

// inventories are the tables listing every entity of a kind, per role,
// with their key column (Defender's spelling first).
var inventories = map[string]struct{ table, keys string }{
	roleDevice: {"DeviceInfo", "DeviceName"},
	roleUser:   {"IdentityInfo", "AccountUpn AccountUPN"},
}

// readAbsent recognises an absence question. New keys and rankings come
// first; a dormancy reading gives way unless the question says for how
// long the entity has been silent ("for 30 days"): "users who never
// signed in with MFA in the last 30 days" are the inventory's users with
// no such sign-in, including those never seen at all.
func readAbsent(in *Intent, nt string) {
	if in.Kind == IntentNew || in.Kind == IntentOutlier {
		return
	}
	m := reAbsent.FindStringSubmatch(nt)
	if m == nil || reSilentFor.MatchString(nt) {
		return
	}
	if role := roleWords[stem(m[1])]; role == roleDevice || role == roleUser {
		in.Kind, in.By = IntentAbsent, []string{stem(m[1])} // Inactive kept for absentOrDormant
	}
}

// selfInventories are event tables whose rows are themselves the
// inventory (every reporting agent sends heartbeats): absence there is an
// entity's last row being old.
var selfInventories = map[string]bool{"Heartbeat": true}

// absentOrDormant writes the absence shape, or, when it does not apply and
// the question also reads as dormancy, the dormant shape over its lookback.
func (g *Templates) absentOrDormant(p *Plan, t *schema.Table) Draft {
	if d := g.absent(p, t); d.Query != "" || p.Intent.Inactive == "" {
		return d
	}
	q := *p
	q.Window = Window{Start: "ago(" + p.Intent.Lookback + ")", Span: spanHours(p.Intent.Lookback)}
	d := g.dormant(&q, t)
	if d.Query != "" {
		d.Assumptions = append(d.Assumptions, fmt.Sprintf("searched the last %s and kept those last seen more than %s ago", p.Intent.Lookback, p.Intent.Inactive))
	}
	return d
}

// absent writes the inventory's entities that the event table t (with the
// question's window and filters) does not have. It returns no query when t
// is the inventory itself, or either table lacks the entity's column.
func (g *Templates) absent(p *Plan, t *schema.Table) Draft {
	if len(p.Intent.By) == 0 {
		return Draft{}
	}
	role := roleWords[p.Intent.By[0]]
	spec := inventories[role]
	inv, ok := g.schemaFor(p).Table(spec.table)
	if !ok || inv.Name == t.Name || selfInventories[t.Name] {
		return Draft{}
	}
	var ik Col
	for _, k := range strings.Fields(spec.keys) {
		if _, ok := inv.Column(k); ok {
			ik = Col{Name: k}
			break
		}
	}
	ek, eok := roleCol(t, role)
	itc := timeColumn(inv, p.product())
	if ik.Name == "" || !eok || itc == "" {
		return Draft{}
	}
	var d Draft
	var ev strings.Builder
	ev.WriteString(t.Name)
	writeWindow(&ev, p.Tables[0].TimeColumn, p.Window)
	_, notes := writeFilters(&ev, t, p, nil)
	d.Assumptions = append(d.Assumptions, notes...)
	if !ek.Plain() {
		fmt.Fprintf(&ev, "\n| extend %s = %s", ek.Name, ek.Expr)
	}
	fmt.Fprintf(&ev, "\n| distinct %s", ek.Name)
	on := ik.Name
	if ek.Name != ik.Name {
		on = fmt.Sprintf("$left.%s == $right.%s", ik.Name, ek.Name)
	}
	// The inventory is read over at least 14 days: IdentityInfo and
	// DeviceInfo are refreshed periodically, not with every event.
	span := "14d"
	if p.Window.Span > 14*24 && strings.HasPrefix(p.Window.Start, "ago(") && p.Window.End == "" {
		span = strings.TrimSuffix(strings.TrimPrefix(p.Window.Start, "ago("), ")")
	}
	d.Query = fmt.Sprintf("%s\n| where %s > ago(%s)\n| where isnotempty(%s)\n| distinct %s\n| join kind=leftanti (\n    %s\n) on %s",
		inv.Name, itc, span, ik.Name, ik.Name, strings.ReplaceAll(ev.String(), "\n", "\n    "), on)
	d.Assumptions = append(d.Assumptions, fmt.Sprintf("every %s in %s (last %s) without a matching row in %s", ik.Name, inv.Name, span, t.Name))
	return d
}
