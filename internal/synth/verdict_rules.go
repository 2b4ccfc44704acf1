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

// judge applies the verdict rules (see Verdict) to one entity.
func judge(set *Set, traces []Trace, kind, name string) Verdict {
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
	var level, state string
	risky := 0
	var riskItem *Item
	if kind == "user" {
		var rf *RiskFacet
		level, state, risky, rf, riskItem = riskOf(set, name)
		if riskItem != nil && level != "" {
			line := fmt.Sprintf("Entra ID Protection rates the risk of %s %s (%s)", name, level, state)
			if rf != nil {
				line += fmt.Sprintf(" and recorded %d risky sign-ins from %s to %s", risky, rfc(rf.Since), rfc(rf.Until))
			}
			v.Because = append(v.Because, line+" "+cites(riskItem)+".")
		}
	}
	sigs := entitySignals(set, kind, name)
	var confirmed, high, medium, weak []signal
	for _, s := range sigs {
		switch {
		case s.incident && s.class == "truePositive" && ((kind == "user" && compromiseDeterminations[s.determination]) || (kind == "device" && deviceDeterminations[s.determination])):
			confirmed = append(confirmed, s)
		case !open(s.status, s.class):
		case s.severity == "high":
			high = append(high, s)
		case s.severity == "medium":
			medium = append(medium, s)
		default:
			weak = append(weak, s)
		}
	}
	for _, group := range [][]signal{confirmed, high, medium, weak} {
		for i, s := range group {
			if i == 3 {
				break
			}
			v.Because = append(v.Because, signalLine(s, kind))
		}
	}
	atRisk := state == "atRisk" || state == "confirmedCompromised"
	switch {
	case state == "confirmedCompromised" || len(confirmed) > 0:
		v.Verdict, v.Confidence, v.Rule = VerdictCompromised, "high", "C1"
	case kind == "user" && level == "high" && atRisk && len(high) > 0:
		v.Verdict, v.Confidence, v.Rule = VerdictLikely, "high", "L1"
	case kind == "user" && ((level == "high" && atRisk) || (len(high) > 0 && atRisk && level == "medium")):
		v.Verdict, v.Confidence, v.Rule = VerdictLikely, "medium", "L2"
	case kind == "device" && len(high) > 0:
		v.Verdict, v.Confidence, v.Rule = VerdictLikely, "medium", "D1"
	case kind == "device" && len(medium) > 0:
		v.Verdict, v.Confidence, v.Rule = VerdictLikely, "low", "D2"
	case (atRisk && level != "none" && level != "") || risky > 0 || len(high)+len(medium)+len(weak) > 0:
		v.Verdict, v.Confidence, v.Rule = VerdictUndetermined, "low", "U1"
	case search == nil || (kind == "user" && riskItem == nil) || len(v.Unread) > 0:
		v.Verdict, v.Confidence, v.Rule = VerdictUndetermined, "low", "U2"
	default:
		v.Verdict, v.Confidence, v.Rule = VerdictNoEvidence, "medium", "N1"
	}
	return v
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
	case "L1", "L2", "D1", "D2":
		return "Likely compromised: yes"
	case "N1":
		if v.WindowDays > 0 {
			return fmt.Sprintf("No evidence of compromise in the last %d days", v.WindowDays)
		}
		return "No evidence of compromise"
	}
	return "Undetermined"
}
