package defender

import (
	"fmt"
	"github.com/secmcp/secmcp/internal/text"
	"net/netip"
	"strings"

	"github.com/secmcp/secmcp/internal/attack"
	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/resources"
)

func exDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// response writes contain / investigate / remediate steps: entity-specific
// steps from the evidence first, then the category's and the techniques'
// guidance from the knowledge base.
func (d *explainData) response(c *exClaims, techs []ExplainTechnique) ExplainResponse {
	a, u := d.alert, d.alertURI(d.alert.ID)
	r := ExplainResponse{Contain: []string{}, Investigate: []string{}, Remediate: []string{}}
	cat, hasCat := attack.LookupCategory(a.Category)
	catURI := attack.CategoryURI(cat.Name)
	seen := map[string]bool{}
	step := func(list *[]string, text string, facts []cite.Fact, uris ...string) {
		if seen[text] {
			return
		}
		seen[text] = true
		*list = append(*list, text)
		if facts == nil {
			c.auto("- "+text, uris...)
			return
		}
		c.fact("- "+text, facts, uris...)
	}
	c.head("## Recommended response")
	c.head("### Contain")
	for _, e := range a.Evidence {
		switch {
		case e.Kind == "deviceEvidence" && e.DeviceName != "":
			step(&r.Contain, "Isolate "+e.DeviceName+" (Defender for Endpoint device isolation) once the evidence is confirmed.",
				[]cite.Fact{{Kind: cite.KindHost, Value: e.DeviceName}}, u)
		case e.Kind == "userEvidence" && e.UserPrincipalName != "":
			step(&r.Contain, "Revoke the sessions of "+e.UserPrincipalName+" and reset the password if the account is confirmed compromised.",
				[]cite.Fact{{Kind: cite.KindUPN, Value: e.UserPrincipalName}}, u)
		case e.Kind == "ipEvidence" && publicIP(e.IPAddress):
			step(&r.Contain, "Block "+e.IPAddress+" at the edge and in Conditional Access named locations.",
				[]cite.Fact{{Kind: cite.KindIP, Value: e.IPAddress}}, u)
		case e.SHA256 != "" && (e.Verdict == "malicious" || e.Verdict == "suspicious"):
			step(&r.Contain, "Add a block indicator for SHA256 "+e.SHA256+".", []cite.Fact{{Kind: cite.KindHash, Value: e.SHA256}}, u)
		}
	}
	if hasCat {
		for _, s := range cat.Contain {
			step(&r.Contain, s+".", nil, catURI)
		}
	}
	c.head("### Investigate")
	if hasCat {
		for _, s := range cat.Investigate {
			step(&r.Investigate, s+".", nil, catURI)
		}
	}
	for _, t := range techs {
		for _, s := range t.LookFor {
			step(&r.Investigate, "Look for: "+s+".", nil, t.URI)
		}
	}
	if a.IncidentID != "" {
		step(&r.Investigate, "Run defender_suggest_hunting_queries with incidentId "+a.IncidentID+" to hunt these techniques across the tenant.",
			[]cite.Fact{fID(a.IncidentID)}, resources.URI(d.alias, resources.KindIncident, a.IncidentID))
	} else {
		step(&r.Investigate, "Run defender_suggest_hunting_queries with this alert's entities and techniques to hunt across the tenant.", nil)
	}
	c.head("### Remediate")
	if hasCat {
		for _, s := range cat.Remediate {
			step(&r.Remediate, s+".", nil, catURI)
		}
	}
	for _, t := range techs {
		if tk, ok := attack.Resolve(t.ID); ok {
			for _, s := range tk.Response {
				step(&r.Remediate, s+".", nil, t.URI)
			}
		}
	}
	if len(r.Contain)+len(r.Investigate)+len(r.Remediate) == 0 {
		c.fact(fmt.Sprintf("- No specific guidance for category %s; review the evidence with the alert's owner.", text.Quote(exClean(a.Category, 60))), nil)
	}
	return r
}

func publicIP(s string) bool {
	ip, err := netip.ParseAddr(strings.TrimSpace(s))
	return err == nil && !ip.IsPrivate() && !ip.IsLoopback() && !ip.IsLinkLocalUnicast() && !ip.IsUnspecified()
}
