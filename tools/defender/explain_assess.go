package defender

import (
	"fmt"
	"sort"
	"strings"

	"github.com/secmcp/secmcp/internal/attack"
	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/resources"
)

// meaning writes what the alert most likely means, its ATT&CK mapping and
// the benign explanations to rule out.
func (d *explainData) meaning(c *exClaims) (string, []ExplainTechnique, []string) {
	a, u := d.alert, d.alertURI(d.alert.ID)
	techs := d.techniques()
	c.head("## What it most likely means")
	meaning := ""
	if cat, ok := attack.LookupCategory(a.Category); ok {
		meaning = cat.Meaning
		name := cat.Name // the tactic's name reads better: "an Initial Access alert"
		if ta, ok := attack.LookupTactic(cat.Name); ok {
			name = ta.Name
		}
		c.fact(fmt.Sprintf("- As %s alert: %s", text.WithArticle(name), cat.Meaning), []cite.Fact{fText(a.Category)}, u, attack.CategoryURI(cat.Name))
	} else if a.Category != "" {
		c.fact("- The alert's category is "+exClean(a.Category, 60)+"; secmcp has no guidance for it, so the techniques below carry the meaning.",
			[]cite.Fact{fText(a.Category)}, u)
	}
	for _, t := range techs {
		if t.Known {
			c.auto(fmt.Sprintf("- %s: %s", t.Name, t.Description), t.URI)
			if meaning == "" {
				meaning = t.Description
			}
		}
	}
	if meaning == "" {
		meaning = "No category or technique guidance applies; judge the alert from its evidence."
		c.fact("- "+meaning, nil)
	}
	c.head("## ATT&CK mapping")
	if len(techs) == 0 {
		c.fact("- Alert "+a.ID+" lists no MITRE ATT&CK techniques.", []cite.Fact{fID(a.ID)}, u)
	}
	for _, t := range techs {
		if !t.Known {
			c.fact("- "+t.ID+" (listed by the alert; not in secmcp's knowledge base).", []cite.Fact{{Kind: cite.KindTechnique, Value: t.ID}}, u)
			continue
		}
		c.fact(fmt.Sprintf("- %s %s — tactic %s.", t.ID, t.Name, strings.Join(t.Tactics, ", ")),
			append([]cite.Fact{{Kind: cite.KindTechnique, Value: t.ID}}, tacticFacts(t.Tactics)...), u, t.URI)
	}
	var benign []string
	seen := map[string]bool{}
	c.head("## Benign explanations to rule out")
	for _, t := range techs {
		for _, b := range t.Benign {
			if !seen[b] {
				seen[b] = true
				benign = append(benign, b)
				c.auto("- "+b+".", t.URI)
			}
		}
	}
	if len(benign) == 0 {
		c.fact("- None known for this alert's techniques; look for an approved change or test that explains the evidence.", nil)
	}
	return meaning, techs, append([]string{}, benign...)
}

func tacticFacts(names []string) []cite.Fact {
	out := make([]cite.Fact, 0, len(names))
	for _, n := range names {
		out = append(out, fText(n))
	}
	return out
}

var severityRank = map[string]int{"informational": 0, "low": 1, "medium": 2, "high": 3}

// adminRoleNames are Entra built-in administrator role template IDs.
var adminRoleNames = map[string]string{
	"62e90394-69f5-4237-9190-012177145e10": "Global Administrator", "194ae4cb-b126-40b2-bd5b-6091b380977d": "Security Administrator",
	"e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator", "fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
	"29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator", "f28a1f50-f6e7-4571-818b-6a12f2af6b6c": "SharePoint Administrator",
	"729827e3-9c14-49f7-bb1b-9608f156bbb8": "Helpdesk Administrator", "3a2c62db-5318-420d-8d74-23affee5d9d5": "Intune Administrator",
	"b1be1c3e-b65d-4f19-8427-f6fa0d97feb9": "Conditional Access Administrator", "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": "Application Administrator",
	"158c047a-c907-4556-b7ef-446551a6b5f7": "Cloud Application Administrator", "c4e39bd9-1100-46d3-8c65-fb160da0071f": "Authentication Administrator",
}

// isServer reports whether a device evidence item is a server, by OS or by name.
func isServer(e source.Evidence) bool {
	if strings.Contains(strings.ToLower(e.OSPlatform), "server") {
		return true
	}
	n := "-" + strings.ToUpper(strings.SplitN(e.DeviceName, ".", 2)[0]) + "-"
	for _, k := range []string{"-SRV", "-DC-", "-FS-", "-SQL-", "-EXCH", "-APP-", "-WEB-"} {
		if strings.Contains(n, k) {
			return true
		}
	}
	return false
}

// severity assesses the alert in the tenant's context and writes the factors.
func (d *explainData) severity(c *exClaims) ExplainSeverity {
	a, u := d.alert, d.alertURI(d.alert.ID)
	s := ExplainSeverity{AlertSeverity: a.Severity, Factors: []string{}, RelatedAlerts: []AlertItem{}}
	score := severityRank[strings.ToLower(a.Severity)]
	c.head("## Severity in this tenant")
	var lines []func()
	admin := false
	for _, upn := range sortedKeys(d.users) {
		usr := d.users[upn]
		for _, r := range usr.Roles {
			name, ok := adminRoleNames[r]
			if !ok {
				continue
			}
			admin = true
			f := fmt.Sprintf("%s holds the %s role (%s).", usr.UserPrincipalName, name, r)
			s.Factors = append(s.Factors, f)
			uri := resources.URI(d.alias, resources.KindUser, upn)
			lines = append(lines, func() {
				c.fact("- "+f, []cite.Fact{{Kind: cite.KindUPN, Value: usr.UserPrincipalName}, fID(r)}, uri)
			})
			break
		}
	}
	server := false
	for _, e := range a.Evidence {
		if e.Kind == "deviceEvidence" && isServer(e) && !server {
			server = true
			f := fmt.Sprintf("%s is a server (OS %s): compromise affects everyone who depends on it.", e.DeviceName, exDash(e.OSPlatform))
			s.Factors = append(s.Factors, f)
			e := e
			lines = append(lines, func() { c.fact("- "+f, []cite.Fact{{Kind: cite.KindHost, Value: e.DeviceName}}, u) })
		}
	}
	if admin {
		score++
	}
	if server {
		score++
	}
	ctxLines := &exClaims{}
	score += d.contextLines(ctxLines, &s)
	lines = append(lines, func() { c.list = append(c.list, ctxLines.list...) })
	tactics := d.incidentTactics()
	if len(tactics) >= 3 {
		score++
		s.Factors = append(s.Factors, "the incident spans the tactics "+strings.Join(tactics, " → "))
	}
	if len(d.related) > 0 {
		score++
		s.Factors = append(s.Factors, "other alerts outside the incident name the same users or devices")
	}
	s.Assessed = []string{"low", "low", "medium", "high", "critical", "critical", "critical", "critical"}[min(score, 7)]
	c.fact(fmt.Sprintf("- Assessed **%s** in this tenant (the alert itself says %s).", s.Assessed, a.Severity), []cite.Fact{fText(a.Severity)}, u)
	for _, l := range lines {
		l()
	}
	d.incidentLines(c, tactics, &s)
	d.relatedLines(c, &s)
	if len(s.Factors) == 0 {
		c.fact("- No aggravating context found: no admin roles, no servers, no other alerts on the same entities.", nil)
	}
	return s
}

// incidentTactics are the incident's alert categories that are tactics, in kill-chain order.
func (d *explainData) incidentTactics() []string {
	if d.incident == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, x := range d.incident.Alerts {
		if t, ok := attack.LookupTactic(x.Category); ok && !seen[t.Category] && x.Category != "" {
			seen[t.Category] = true
			out = append(out, t.Category)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return attack.KillChainOrder(out[i]) < attack.KillChainOrder(out[j]) })
	return out
}

func (d *explainData) incidentLines(c *exClaims, tactics []string, s *ExplainSeverity) {
	if d.incident == nil {
		return
	}
	in := d.incident
	iu := resources.URI(d.alias, resources.KindIncident, in.ID)
	facts := []cite.Fact{fID(in.ID)}
	line := fmt.Sprintf("- It belongs to incident %s (severity %s, status %s)", in.ID, in.Severity, in.Status)
	facts = append(facts, fText(in.Severity), fText(in.Status))
	if len(tactics) > 0 {
		line += "; the incident's alerts span " + strings.Join(tactics, " → ")
		for _, t := range tactics {
			facts = append(facts, fText(t))
		}
	}
	c.fact(line+".", facts, iu)
	n := 0
	for _, x := range in.Alerts {
		if x.ID == d.alert.ID {
			continue
		}
		s.RelatedAlerts = append(s.RelatedAlerts, alertItem(d.alias, d.tenantID, x))
		if n++; n > 12 {
			continue
		}
		c.fact(fmt.Sprintf("- Same incident: %s %s — %s (%s, %s).", exTime(x.CreatedDateTime), x.ID, exClean(x.Title, 120), exDash(x.Category), x.Severity),
			[]cite.Fact{fID(x.ID), fTime(x.CreatedDateTime), fText(x.Severity)}, iu, d.alertURI(x.ID))
	}
	if n > 12 {
		c.fact(fmt.Sprintf("- … and further alerts in incident %s.", in.ID), []cite.Fact{fID(in.ID)}, iu)
	}
}

func (d *explainData) relatedLines(c *exClaims, s *ExplainSeverity) {
	users, devices := alertEntities(d.alert)
	for _, x := range d.related {
		s.RelatedAlerts = append(s.RelatedAlerts, alertItem(d.alias, d.tenantID, x))
		xu, xd := alertEntities(x)
		var shared []string
		var facts []cite.Fact
		for _, v := range intersect(users, xu) {
			shared = append(shared, v)
			facts = append(facts, cite.Fact{Kind: cite.KindUPN, Value: v})
		}
		for _, v := range intersect(devices, xd) {
			shared = append(shared, v)
			facts = append(facts, cite.Fact{Kind: cite.KindHost, Value: v})
		}
		line := fmt.Sprintf("- Outside the incident: %s %s — %s (%s)", exTime(x.CreatedDateTime), x.ID, exClean(x.Title, 120), x.Severity)
		if len(shared) > 0 {
			line += " also names " + strings.Join(shared, ", ")
		}
		c.fact(line+".", append(facts, fID(x.ID), fTime(x.CreatedDateTime)), d.alertURI(x.ID))
	}
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		for _, y := range b {
			if strings.EqualFold(x, y) {
				out = append(out, x)
				break
			}
		}
	}
	return out
}
