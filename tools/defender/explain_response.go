package defender

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/secmcp/secmcp/internal/attack"
	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/text"
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
	contained := map[string]bool{}
	for _, e := range a.Evidence {
		for _, v := range []string{e.DeviceName, e.UserPrincipalName, e.IPAddress} {
			if v != "" {
				contained[strings.ToLower(v)] = true
			}
		}
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
		}
	}
	// The category's generic steps are not repeated here: what this alert's
	// evidence calls for is (Recommend), naming its entities.
	recs := Recommend(d.alias, source.Incident{Alerts: []source.Alert{a}})
	phase := func(list *[]string, p string) {
		for _, rc := range recs {
			if rc.Phase == p && !(p == PhaseContain && contained[strings.ToLower(rc.Entity)]) {
				step(list, rc.Text+".", nil, u)
			}
		}
	}
	phase(&r.Contain, PhaseContain)
	c.head("### Investigate")
	if hasCat {
		for _, s := range cat.Investigate {
			step(&r.Investigate, s+".", nil, catURI)
		}
	}
	phase(&r.Investigate, PhaseInvestigate)
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
	phase(&r.Remediate, PhaseRemediate)
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
