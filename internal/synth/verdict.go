package synth

import (
	"strings"
	"time"
)

// Verdict is the answer to "has this user (device) been compromised?",
// derived by fixed rules from the evidence the fan-out gathered. The rules,
// first match wins:
//
// Users:
//   - C1 compromised: yes (confirmed), confidence high — Entra ID
//     Protection holds the user confirmedCompromised, or an incident naming
//     the user is classified truePositive with determination
//     compromisedAccount, multiStagedAttack or apt (maliciousUserActivity
//     is an insider, not a compromised account: it counts as an open signal).
//   - L1 likely compromised: yes, confidence high — user risk high and
//     atRisk, and an open high-severity alert or incident names the user.
//   - L2 likely compromised: yes, confidence medium — user risk high and
//     atRisk without corroboration, or an open high-severity alert or
//     incident names the user while their risk is medium or high and atRisk.
//   - U1 undetermined, confidence low — weaker signals only: user risk low
//     or medium and atRisk, risky sign-ins, or open alerts naming the user.
//   - U2 undetermined — no signal in what was read, but the risk or the
//     alert source could not be read.
//   - U3 undetermined, confidence low — no signal in what was read, but
//     Defender XDR was read with the signed-in analyst's own rights
//     (on-behalf-of), which Defender scopes silently to the device groups
//     and data sources of their role: absent alerts are not evidence of
//     absence. (N1 is kept for app-only reads, which see every device.)
//   - N1 no evidence of compromise in the window, confidence medium — risk
//     and alerts were read and hold no signal.
//
// Devices: C1 as for users with determination malware, multiStagedAttack,
// apt or compromisedAccount; D1 likely compromised, confidence medium — an
// open high-severity alert or incident names the device; D2 undetermined —
// an open medium-severity one; then U1, U2, U3 and N1 as for users.
//
// Every verdict whose Defender evidence was read on-behalf-of carries
// LimitedView, written into its first line, whatever the rule.
//
// "Open" means not resolved, or resolved as truePositive; alerts and
// incidents classified falsePositive or informationalExpectedActivity never count.
type Verdict struct {
	Entity     string `json:"entity"`
	Kind       string `json:"kind"`
	Verdict    string `json:"verdict" jsonschema:"compromised, likely compromised, undetermined or no evidence of compromise"`
	Confidence string `json:"confidence"`
	// Rule is the rule that produced the verdict (C1, L1, L2, D1, D2, U1,
	// U2, U3, N1).
	Rule string `json:"rule"`
	// Because are the evidence-backed reasons, each citing its items.
	Because []string `json:"because"`
	// Unread names the sources that hold evidence about the entity but
	// could not be read.
	Unread []string `json:"unreadSources"`
	// LimitedView says the Defender evidence was read with the caller's own
	// rights and may leave out what their role does not cover; empty for
	// app-only reads.
	LimitedView string    `json:"limitedView,omitempty"`
	Since       time.Time `json:"since,omitzero"`
	Until       time.Time `json:"until,omitzero"`
	// WindowDays is the window of the alert and risk sources, in days.
	WindowDays int `json:"windowDays,omitempty"`
}

// Verdict values.
const (
	VerdictCompromised  = "compromised"
	VerdictLikely       = "likely compromised"
	VerdictUndetermined = "undetermined"
	VerdictNoEvidence   = "no evidence of compromise"
)

var ruleText = map[string]string{
	"C1": "confirmed by Entra ID Protection or by a true-positive incident",
	"L1": "high user risk corroborated by an open high-severity alert or incident",
	"L2": "high user risk, or an open high-severity alert or incident with elevated user risk",
	"D1": "an open high-severity alert or incident names the device",
	"D2": "an open medium-severity alert or incident names the device, not enough for a verdict",
	"U1": "weaker signals only, not enough for a verdict",
	"U2": "no signal in what was read, but a source holding evidence could not be read",
	"U3": "no signal in what was read, but Defender was read with the caller's own, possibly scoped, rights",
	"N1": "risk and alerts were read and hold no sign of compromise",
}

var compromiseDeterminations = map[string]bool{"compromisedAccount": true, "multiStagedAttack": true, "apt": true}
var deviceDeterminations = map[string]bool{"malware": true, "multiStagedAttack": true, "apt": true, "compromisedAccount": true}

// benign reports a classification that rules an alert or incident out.
func benign(classification string) bool {
	return classification == "falsePositive" || classification == "informationalExpectedActivity"
}

// open reports an alert or incident that still counts as a signal.
func open(status, classification string) bool {
	if benign(classification) {
		return false
	}
	return status != "resolved" || classification == "truePositive"
}

// signal is one piece of evidence about an entity.
type signal struct {
	item          *Item
	severity      string
	status, class string
	determination string
	incident      bool
	title, id     string
}

// entitySignals collects the alerts and incidents naming an entity.
func entitySignals(set *Set, kind, name string) []signal {
	name = strings.ToLower(name)
	var out []signal
	for _, it := range set.OfKind(KindIncident) {
		f, ok := it.Facet("incident").(IncidentFacet)
		if ok && names(f, kind, name) {
			out = append(out, signal{item: it, severity: f.Severity, status: f.Status, class: f.Classification,
				determination: f.Determination, incident: true, title: f.Title, id: f.ID})
		}
	}
	for _, it := range set.OfKind(KindAlert) {
		a, ok := it.Facet("alert").(AlertFacet)
		if !ok || !alertNames(it, kind, name) {
			continue
		}
		out = append(out, signal{item: it, severity: a.Severity, status: a.Status, class: a.Classification, title: a.Title, id: a.ID})
	}
	return out
}

func names(f IncidentFacet, kind, name string) bool {
	list := f.Users
	if kind == "device" {
		list = f.Devices
	}
	for _, v := range list {
		if strings.EqualFold(v, name) || (kind == "device" && strings.EqualFold(shortName(v), shortName(name))) {
			return true
		}
	}
	return false
}

func alertNames(it *Item, kind, name string) bool {
	if _, ok := it.Facet("names:" + name).(NamedFacet); ok {
		return true
	}
	if _, ok := it.Facet("names:" + shortName(name)).(NamedFacet); ok && kind == "device" {
		return true
	}
	e, ok := it.Facet("entities").(AlertEntitiesFacet)
	if !ok {
		return false
	}
	list := e.Users
	if kind == "device" {
		list = e.Devices
	}
	for _, v := range list {
		if strings.EqualFold(v, name) || (kind == "device" && strings.EqualFold(shortName(v), shortName(name))) {
			return true
		}
	}
	return false
}
