package nl2kql

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// reAlertTitle is an alert named by its kind: "users with a password spray
// alert", "devices that triggered a Mimikatz alert".
var reAlertTitle = lazyre.New(`\b(?:with|had|have|has|got|get|triggered|trigger|raised|hit by|flagged by|named in|in|by)\s+(?:an?\s+|the\s+|any\s+)?((?:[a-z0-9'-]+\s+){0,3}?[a-z0-9'-]+)\s+alerts?\b`)

// alertTitleNoise are words of that phrase that do not name a title.
var alertTitleNoise = map[string]bool{"a": true, "an": true, "the": true, "any": true, "security": true, "defender": true,
	"new": true, "open": true, "active": true, "high": true, "medium": true, "low": true, "severity": true, "recent": true,
	"more": true, "multiple": true, "several": true, "same": true, "one": true, "two": true, "three": true, "many": true,
	"most": true, "critical": true, "an'": true, "sentinel": true, "xdr": true, "unresolved": true, "resolved": true}

// alertTitle returns the title words an alert question names ("" when it
// names none): the quoted text next to "alert", or the words before it.
func alertTitle(p *Plan) string {
	q := strings.ToLower(p.Question)
	if !strings.Contains(q, "alert") {
		return ""
	}
	for _, e := range p.Entities {
		if e.Kind == EntityText {
			return e.Value
		}
	}
	m := reAlertTitle.FindStringSubmatch(q)
	if m == nil {
		return ""
	}
	var words []string
	for _, w := range strings.Fields(m[1]) {
		if !alertTitleNoise[w] && !stopWords[w] {
			words = append(words, w)
		}
	}
	return strings.Join(words, " ")
}

// alertSubject is the entity kind a question about alerts lists, as a
// role: the first kind of entity it names.
func alertSubject(p *Plan) string {
	m := reSubject.FindStringSubmatch(strings.ToLower(p.Question))
	if m == nil {
		return ""
	}
	switch roleWords[stem(strings.Fields(m[1])[0])] {
	case roleUser, roleAccount:
		return roleUser
	case roleDevice:
		return roleDevice
	case roleIP:
		return roleIP
	}
	return ""
}

// evidenceEntities are AlertEvidence's entity types and columns per role
// (https://learn.microsoft.com/en-us/defender-xdr/advanced-hunting-alertevidence-table).
var evidenceEntities = map[string][2]string{
	roleUser:   {"User", "AccountUpn"},
	roleDevice: {"Machine", "DeviceName"},
	roleIP:     {"Ip", "RemoteIP"},
	roleSHA256: {"File", "SHA256"},
	roleURL:    {"Url", "RemoteUrl"},
}

// alertEntities answers "which users had a <title> alert": the entities of
// the alerts whose title has the words, with how many such alerts each
// has, through AlertInfo and AlertEvidence in Advanced Hunting or
// SecurityAlert's Entities in Sentinel. ok is false when the question is
// not of that kind or the schema lacks the tables.
func (g *Templates) alertEntities(p *Plan) (Draft, bool) {
	title, role := alertTitle(p), alertSubject(p)
	if title == "" || role == "" {
		return Draft{}, false
	}
	s := g.schemaFor(p)
	_, hasAH := s.Table("AlertEvidence")
	_, hasInfo := s.Table("AlertInfo")
	_, hasSA := s.Table("SecurityAlert")
	var b strings.Builder
	note := fmt.Sprintf("alerts whose title has %q; each %s with how many such alerts name it", title, role)
	switch {
	case p.product() != PlatformSentinel && hasAH && hasInfo:
		ev := evidenceEntities[role]
		fmt.Fprintf(&b, "AlertInfo\n| where Timestamp > %s\n| where Title has %s", p.Window.Start, quote(title))
		fmt.Fprintf(&b, "\n| join kind=inner (AlertEvidence\n    | where Timestamp > %s\n    | where EntityType == %s\n    | where isnotempty(%s)\n    | project AlertId, %s\n    ) on AlertId",
			p.Window.Start, quote(ev[0]), ev[1], ev[1])
		fmt.Fprintf(&b, "\n| summarize Alerts = dcount(AlertId), Titles = make_set(Title, 5), LastAlert = max(Timestamp) by %s\n| sort by Alerts desc", ev[1])
	case hasSA:
		pe, ok := pivotEntities[role]
		if !ok {
			return Draft{}, false
		}
		fmt.Fprintf(&b, "SecurityAlert\n| where TimeGenerated > %s\n| where AlertName has %s", p.Window.Start, quote(title))
		col := map[string]string{roleUser: "Account", roleDevice: "Device", roleIP: "IPAddress"}[role]
		fmt.Fprintf(&b, "\n| mv-expand Entity = todynamic(Entities)\n| where tostring(Entity.Type) == %s\n| extend %s = %s\n| where isnotempty(%s)", quote(pe.typ), col, pe.expr, col)
		fmt.Fprintf(&b, "\n| summarize Alerts = dcount(SystemAlertId), Titles = make_set(AlertName, 5), LastAlert = max(TimeGenerated) by %s\n| sort by Alerts desc", col)
	default:
		return Draft{}, false
	}
	return Draft{Query: b.String(), Assumptions: []string{note}}, true
}
