package synth

import (
	"fmt"
	"strings"
)

// riskOf returns a user's risk level and state and the item holding them.
func riskOf(set *Set, upn string) (level, state string, risky int, rf *RiskFacet, item *Item) {
	for _, it := range set.OfKind(KindUser) {
		if !strings.EqualFold(it.Description, "user "+upn) {
			continue
		}
		item = it
		if f, ok := it.Facet("signInRisk").(RiskFacet); ok {
			rf = &f
			level, state, risky = f.UserRiskLevel, f.UserRiskState, f.RiskySignInCount
		}
		if f, ok := it.Facet("riskyUser").(RiskyUserFacet); ok && level == "" {
			level, state = f.RiskLevel, f.RiskState
		}
	}
	return level, state, risky, rf, item
}

// searchOf returns the alert search item of an entity, if it was read.
func searchOf(set *Set, name string) (*Item, RankingFacet) {
	for _, it := range set.OfKind(KindSearch) {
		if f, ok := it.Facet("search").(RankingFacet); ok && strings.EqualFold(f.Purpose, "alerts naming "+name) {
			return it, f
		}
	}
	return nil, RankingFacet{}
}

// unreadFor names the failed or timed-out calls about an entity.
func unreadFor(traces []Trace, name string) []string {
	var out []string
	for _, t := range traces {
		if (t.Status == "failed" || t.Status == "timeout") && strings.Contains(strings.ToLower(t.Source), strings.ToLower(name)) {
			out = append(out, t.Source+" ("+t.Tool+")")
		}
	}
	return out
}

// judge applies the verdict rules (see Verdict) to one entity. delegated
// means Defender was read with the signed-in caller's own rights (see
// delegated.go): the Defender evidence may be trimmed to their role.
func judge(set *Set, traces []Trace, kind, name string, delegated bool) Verdict {
	name = strings.ToLower(name)
	v := Verdict{Entity: name, Kind: kind, Unread: unreadFor(traces, name), Because: []string{}}
	if v.Unread == nil {
		v.Unread = []string{}
	}
	search, sf := searchOf(set, name)
	if kind == "device" && search == nil {
		search, sf = searchOf(set, shortName(name))
	}
	if search != nil {
		v.Since, v.Until = sf.Since, sf.Until
		v.WindowDays, _ = sf.Totals["windowDays"].(int)
		v.Because = append(v.Because, fmt.Sprintf("Defender lists %d alerts naming %s from %s to %s %s.", sf.Candidates, name, rfc(sf.Since), rfc(sf.Until), cites(search)))
	}
	e := evidenceOf{searched: search != nil, unread: len(v.Unread) > 0}
	if kind == "user" {
		var rf *RiskFacet
		var riskItem *Item
		e.level, e.state, e.risky, rf, riskItem = riskOf(set, name)
		e.riskRead = riskItem != nil
		if riskItem != nil && e.level != "" {
			line := fmt.Sprintf("Entra ID Protection rates the risk of %s %s (%s)", name, e.level, e.state)
			if rf != nil {
				line += fmt.Sprintf(" and recorded %d risky sign-ins from %s to %s", e.risky, rfc(rf.Since), rfc(rf.Until))
			}
			v.Because = append(v.Because, line+" "+cites(riskItem)+".")
		}
	}
	for _, s := range entitySignals(set, kind, name) {
		switch {
		case s.incident && s.class == "truePositive" && ((kind == "user" && compromiseDeterminations[s.determination]) || (kind == "device" && deviceDeterminations[s.determination])):
			e.confirmed = append(e.confirmed, s)
		case !open(s.status, s.class):
		case s.severity == "high":
			e.high = append(e.high, s)
		case s.severity == "medium":
			e.medium = append(e.medium, s)
		default:
			e.weak = append(e.weak, s)
		}
	}
	for _, group := range [][]signal{e.confirmed, e.high, e.medium, e.weak} {
		for i, s := range group {
			if i == 3 {
				break
			}
			v.Because = append(v.Because, signalLine(s, kind))
		}
	}
	if delegated && (search != nil || len(e.confirmed)+len(e.high)+len(e.medium)+len(e.weak) > 0) {
		e.limited = true
		v.LimitedView = limitedViewText
	}
	v.Rule = e.rule(kind)
	v.Verdict, v.Confidence = ruleVerdict[v.Rule][0], ruleVerdict[v.Rule][1]
	return v
}

// evidenceOf is what the rules look at for one entity.
type evidenceOf struct {
	level, state                  string
	risky                         int
	riskRead, searched, unread    bool
	limited                       bool // Defender read with the caller's own, possibly scoped, rights
	confirmed, high, medium, weak []signal
}

// ruleVerdict is each rule's verdict and confidence.
var ruleVerdict = map[string][2]string{
	"C1": {VerdictCompromised, "high"}, "L1": {VerdictLikely, "high"}, "L2": {VerdictLikely, "medium"},
	"D1": {VerdictLikely, "medium"}, "D2": {VerdictUndetermined, "low"}, "U1": {VerdictUndetermined, "low"},
	"U2": {VerdictUndetermined, "low"}, "U3": {VerdictUndetermined, "low"}, "N1": {VerdictNoEvidence, "medium"},
}

// rule picks the first rule (see Verdict) the evidence meets.
func (e evidenceOf) rule(kind string) string {
	atRisk := e.state == "atRisk" || e.state == "confirmedCompromised"
	switch {
	case e.state == "confirmedCompromised" || len(e.confirmed) > 0:
		return "C1"
	case kind == "user" && e.level == "high" && atRisk && len(e.high) > 0:
		return "L1"
	case kind == "user" && ((e.level == "high" && atRisk) || (len(e.high) > 0 && atRisk && e.level == "medium")):
		return "L2"
	case kind == "device" && len(e.high) > 0:
		return "D1"
	case kind == "device" && len(e.medium) > 0:
		return "D2"
	case (atRisk && e.level != "none" && e.level != "") || e.risky > 0 || len(e.high)+len(e.medium)+len(e.weak) > 0:
		return "U1"
	case !e.searched || (kind == "user" && !e.riskRead) || e.unread:
		return "U2"
	case e.limited:
		// N1's confidence rests on Defender's alert list being complete for
		// the entity; a delegated read may silently leave out the alerts of
		// device groups and data sources outside the caller's role, and no
		// API says which, so "nothing found" is as open as with an unread
		// source (U2). Positive verdicts above stand: what was seen is real.
		return "U3"
	}
	return "N1"
}

func signalLine(s signal, kind string) string {
	what := "alert " + q(s.title)
	if s.incident {
		what = "incident " + s.id + " " + q(s.title)
	}
	cls := ""
	if s.class != "" && s.class != "unknown" {
		cls = ", classified " + s.class
		if s.determination != "" && s.determination != "unknown" {
			cls += " (" + s.determination + ")"
		}
	}
	return fmt.Sprintf("Names the %s: %s, %s severity, status %s%s %s.", kind, what, s.severity, s.status, cls, cites(s.item))
}

// headline is the verdict as the answer's first words.
func (v Verdict) headline() string {
	switch v.Rule {
	case "C1":
		return "Compromised: yes (confirmed)"
	case "L1", "L2", "D1":
		return "Likely compromised: yes"
	case "N1":
		if v.WindowDays > 0 {
			return fmt.Sprintf("No evidence of compromise in the last %d days", v.WindowDays)
		}
		return "No evidence of compromise"
	}
	return "Undetermined"
}
