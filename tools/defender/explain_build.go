package defender

import (
	"fmt"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/attack"
	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// exClaims accumulates the explanation's lines.
type exClaims struct{ list []cite.Claim }

// head adds a heading (not a claim that needs support).
func (c *exClaims) head(text string) { c.list = append(c.list, cite.Claim{Text: text}) }

// fact adds a line with explicit facts.
func (c *exClaims) fact(text string, facts []cite.Fact, uris ...string) {
	var kept []cite.Fact
	for _, f := range facts {
		if strings.TrimSpace(f.Value) != "" {
			kept = append(kept, f)
		}
	}
	c.list = append(c.list, cite.Claim{Text: text, Facts: kept, Citations: uris})
}

// auto adds a line whose facts are extracted from its text (our own prose
// from the knowledge base, never attacker-controlled text).
func (c *exClaims) auto(text string, uris ...string) {
	c.list = append(c.list, cite.Auto(text, uris...))
}

func fID(v string) cite.Fact   { return cite.Fact{Kind: cite.KindID, Value: v} }
func fText(v string) cite.Fact { return cite.Fact{Kind: cite.KindText, Value: v} }
func fTime(t time.Time) cite.Fact {
	return cite.Fact{Kind: cite.KindTime, Value: t.UTC().Format(time.RFC3339)}
}

// exTime renders a time at minute precision (what the checker compares).
func exTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// exClean makes attacker-controlled text safe to show in one Markdown line:
// invisible and bidi characters go, whitespace collapses, brackets and
// backticks cannot forge citations or code spans, and long text is cut at
// a space (never inside a token, so no half-IP or half-hash is shown).
func exClean(s string, max int) string {
	s = strings.Join(strings.Fields(tools.SanitizeText(s)), " ")
	s = strings.NewReplacer("[", "(", "]", ")", "`", "'").Replace(s)
	if len(s) <= max {
		return s
	}
	cut := strings.LastIndexByte(s[:max], ' ')
	if cut <= 0 {
		return fmt.Sprintf("(%d characters; read the alert resource)", len(s))
	}
	return s[:cut] + " …"
}

// exPrefix returns the start of a source value as a text fact: it is a
// prefix of the stored value, so the checker can confirm the quote.
func exPrefix(s string) cite.Fact {
	s = strings.TrimSpace(s)
	if len(s) > 48 {
		cut := 48
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return fText(s)
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

var serviceProducts = map[string]string{
	"microsoftDefenderForEndpoint": "Microsoft Defender for Endpoint", "microsoftDefenderForOffice365": "Microsoft Defender for Office 365",
	"microsoftDefenderForIdentity": "Microsoft Defender for Identity", "microsoftDefenderForCloudApps": "Microsoft Defender for Cloud Apps",
	"microsoftDefenderForCloud": "Microsoft Defender for Cloud", "azureAdIdentityProtection": "Microsoft Entra ID Protection",
	"microsoftDataLossPrevention": "Microsoft Purview Data Loss Prevention", "dataLossPrevention": "Microsoft Purview Data Loss Prevention", "microsoftSentinel": "Microsoft Sentinel",
	"microsoftInsiderRiskManagement": "Microsoft Purview Insider Risk Management", "microsoft365Defender": "Microsoft Defender XDR",
	"microsoftDefenderXDR": "Microsoft Defender XDR",
}

func (d *explainData) alertURI(id string) string {
	return resources.URI(d.alias, resources.KindAlert, id)
}

// build assembles the result and its claims (the citation check runs after).
func (d *explainData) build() ExplainAlertResult {
	a := d.alert
	item := alertItem(d.alias, d.tenantID, a)
	res := ExplainAlertResult{Tenant: d.alias, Alert: item, Benign: []string{}, Mapping: []ExplainTechnique{},
		Untrusted: []string{"alert.title", "trigger.description", "trigger.evidence[].summary", "severity.relatedAlerts[].title"}}
	c := &exClaims{}
	c.head("# Alert " + a.ID + ": " + exClean(a.Title, 160))
	res.Trigger = d.trigger(c)
	res.Meaning, res.Mapping, res.Benign = d.meaning(c)
	res.Severity = d.severity(c)
	res.Response = d.response(c, res.Mapping)
	if len(d.notes) > 0 {
		c.head("## Context that could not be read")
		for _, n := range d.notes {
			c.fact("- "+n+".", nil)
		}
	}
	res.Claims = c.list
	res.markdown = cite.RenderMarkdown(c.list)
	res.Sources = d.refs(c.list)
	return res
}

func (d *explainData) trigger(c *exClaims) ExplainTrigger {
	a, u := d.alert, d.alertURI(d.alert.ID)
	t := ExplainTrigger{ServiceSource: a.ServiceSource, Product: serviceProducts[a.ServiceSource], DetectionSource: a.DetectionSource,
		DetectorID: a.DetectorID, Description: exClean(a.Description, 600), Evidence: []ExplainEvidence{}}
	c.head("## What triggered it")
	product := t.Product
	if product == "" {
		product = "The service"
	}
	facts := []cite.Fact{fID(a.ID), fText(a.ServiceSource), fText(a.Severity), fText(a.Status)}
	var src []string
	if a.ServiceSource != "" {
		src = append(src, "service source "+a.ServiceSource)
	}
	if a.DetectionSource != "" {
		src = append(src, "detection source "+a.DetectionSource)
		facts = append(facts, fText(a.DetectionSource))
		if p := serviceProducts[a.DetectionSource]; p != "" && product == "The service" {
			product = p
		}
	}
	line := "- " + product
	if len(src) > 0 {
		line += " (" + strings.Join(src, ", ") + ")"
	}
	line += fmt.Sprintf(" raised alert %s with severity %s; its status is %s.", a.ID, a.Severity, a.Status)
	c.fact(line, facts, u)
	if !a.FirstActivityTime.IsZero() {
		c.fact(fmt.Sprintf("- The activity ran from %s to %s.", exTime(a.FirstActivityTime), exTime(a.LastActivityTime)),
			[]cite.Fact{fTime(a.FirstActivityTime), fTime(a.LastActivityTime)}, u)
	}
	if a.DetectorID != "" {
		c.fact("- Detector (rule) ID: "+exClean(a.DetectorID, 80)+".", []cite.Fact{exPrefix(a.DetectorID)}, u)
	}
	if strings.TrimSpace(a.Description) != "" {
		c.fact("- The alert's description (untrusted text): “"+exClean(a.Description, 400)+"”", []cite.Fact{exPrefix(a.Description)}, u)
	}
	if len(a.Evidence) == 0 {
		t.EvidenceMissing = true
		c.fact("- Alert "+a.ID+" carries no evidence items: the entities and activity behind it are not known, so the explanation below is generic to its category and techniques. Open the alert in the portal or run defender_get_alert later before acting.",
			[]cite.Fact{fID(a.ID)}, u)
		return t
	}
	c.head("### Evidence")
	for i, e := range a.Evidence {
		if i == 15 {
			c.fact(fmt.Sprintf("- … and more evidence items on alert %s.", a.ID), []cite.Fact{fID(a.ID)}, u)
			break
		}
		summary, facts := evidenceSummary(e)
		t.Evidence = append(t.Evidence, ExplainEvidence{Kind: e.Kind, Summary: summary, Verdict: e.Verdict})
		line := "- " + e.Kind + ": " + summary
		if e.Verdict != "" {
			line += " (verdict " + e.Verdict + ")"
			facts = append(facts, fText(e.Verdict))
		}
		c.fact(line, append(facts, fText(e.Kind)), u)
	}
	return t
}

// evidenceSummary describes one evidence item and lists the facts it states.
func evidenceSummary(e source.Evidence) (string, []cite.Fact) {
	var parts []string
	var facts []cite.Fact
	add := func(label, v string, f cite.Fact) {
		if strings.TrimSpace(v) == "" {
			return
		}
		parts = append(parts, label+" "+exClean(v, 200))
		facts = append(facts, f)
	}
	add("user", e.UserPrincipalName, cite.Fact{Kind: cite.KindUPN, Value: e.UserPrincipalName})
	if e.UserPrincipalName == "" {
		add("account", e.AccountName, fText(e.AccountName))
	}
	add("device", e.DeviceName, cite.Fact{Kind: cite.KindHost, Value: e.DeviceName})
	add("OS", e.OSPlatform, fText(e.OSPlatform))
	add("file", e.FileName, fText(e.FileName))
	add("in", e.FilePath, exPrefix(e.FilePath))
	add("SHA256", e.SHA256, cite.Fact{Kind: cite.KindHash, Value: e.SHA256})
	add("command line", e.ProcessCommandLine, exPrefix(e.ProcessCommandLine))
	add("IP", e.IPAddress, cite.Fact{Kind: cite.KindIP, Value: e.IPAddress})
	add("country", e.CountryCode, fText(e.CountryCode))
	add("URL", e.URL, exPrefix(e.URL))
	add("mailbox", e.MailboxUPN, cite.Fact{Kind: cite.KindUPN, Value: e.MailboxUPN})
	add("subject", e.Subject, exPrefix(e.Subject))
	add("app", e.AppName, fText(e.AppName))
	add("registry key", e.RegistryKey, exPrefix(e.RegistryKey))
	add("value", e.RegistryValue, exPrefix(e.RegistryValue))
	if len(parts) == 0 {
		return "no details recorded", nil
	}
	return strings.Join(parts, "; "), facts
}

// refs lists every URI the claims cite, entity URIs with portal links.
func (d *explainData) refs(claims []cite.Claim) []resources.Ref {
	seen := map[string]bool{}
	out := []resources.Ref{}
	for _, c := range claims {
		for _, u := range c.Citations {
			if seen[u] {
				continue
			}
			seen[u] = true
			ref := resources.Ref{URI: u}
			if p, err := resources.Parse(u); err == nil {
				switch p.Kind {
				case resources.KindAlert:
					ref.Portal = resources.AlertPortal(d.tenantID, p.ID)
				case resources.KindIncident:
					ref.Portal = resources.IncidentPortal(d.tenantID, p.ID)
				}
			}
			out = append(out, ref)
		}
	}
	return out
}

// techniques resolves the alert's techniques against the knowledge base,
// in kill-chain order.
func (d *explainData) techniques() []ExplainTechnique {
	ids := append([]string(nil), d.alert.MitreTechniques...)
	attack.SortByKillChain(ids)
	out := []ExplainTechnique{}
	seen := map[string]bool{}
	for _, id := range ids {
		id = attack.NormalizeID(id)
		if seen[id] || !attack.ValidID(id) {
			continue
		}
		seen[id] = true
		t, ok := attack.Resolve(id)
		if !ok {
			out = append(out, ExplainTechnique{ID: id, Tactics: []string{}})
			continue
		}
		out = append(out, ExplainTechnique{ID: id, Name: t.FullName(), Tactics: t.TacticNames(), Description: t.Description,
			LookFor: t.LookFor, Benign: t.Benign, Known: true, URI: attack.URI(t.ID)})
	}
	return out
}
