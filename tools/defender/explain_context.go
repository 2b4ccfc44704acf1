package defender

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/resources"
)

// exUser is what the user resource serves: the user and its risk state.
type exUser struct {
	source.User
	Risk *source.RiskyUser `json:"risk,omitempty"`
}

// gatherUsers reads the users named in the evidence (at most three) with
// their Entra ID Protection risk.
func (d *explainData) gatherUsers(ctx context.Context, g source.Graph, upns []string) {
	for i, upn := range upns {
		if i == 3 {
			break
		}
		u, err := g.GetUser(ctx, upn)
		if err != nil {
			d.notes = append(d.notes, "user "+upn+" could not be read")
			continue
		}
		eu := exUser{User: u}
		if r, err := g.ListRiskyUsers(ctx, source.RiskQuery{User: u.UserPrincipalName, ListOptions: source.ListOptions{Top: 1}}); err == nil && len(r.Items) > 0 {
			eu.Risk = &r.Items[0]
		}
		d.users[strings.ToLower(upn)] = eu
	}
}

// gatherDevices looks the evidence devices up in Intune (at most two) for
// their compliance state.
func (d *explainData) gatherDevices(ctx context.Context, g source.Graph, names []string) {
	for i, n := range names {
		if i == 2 {
			break
		}
		short := strings.SplitN(n, ".", 2)[0]
		page, err := g.ListManagedDevices(ctx, source.DeviceQuery{DeviceName: short, ListOptions: source.ListOptions{Top: 1}})
		if err != nil {
			d.notes = append(d.notes, "Intune record of "+short+" could not be read")
			continue
		}
		if len(page.Items) > 0 {
			d.devices = append(d.devices, page.Items[0])
		}
	}
}

// contextLines writes the risk and compliance factors and returns how much
// they raise the assessed severity.
func (d *explainData) contextLines(c *exClaims, s *ExplainSeverity) int {
	raise := 0
	for _, upn := range sortedKeys(d.users) {
		u := d.users[upn]
		if u.Risk == nil || u.Risk.RiskLevel == "" || u.Risk.RiskLevel == "none" || u.Risk.RiskState == "remediated" || u.Risk.RiskState == "dismissed" {
			continue
		}
		f := fmt.Sprintf("%s is a risky user in Entra ID Protection: risk level %s, state %s.", u.UserPrincipalName, u.Risk.RiskLevel, u.Risk.RiskState)
		s.Factors = append(s.Factors, f)
		c.fact("- "+f, []cite.Fact{{Kind: cite.KindUPN, Value: u.UserPrincipalName}, fText(u.Risk.RiskLevel), fText(u.Risk.RiskState)},
			resources.URI(d.alias, resources.KindUser, upn))
		if u.Risk.RiskLevel == "high" {
			raise = 1
		}
	}
	for _, m := range d.devices {
		if strings.EqualFold(m.ComplianceState, "compliant") || m.ComplianceState == "" {
			continue
		}
		f := fmt.Sprintf("%s is %s in Intune (last sync %s).", m.DeviceName, m.ComplianceState, exTime(m.LastSyncDateTime))
		s.Factors = append(s.Factors, f)
		c.fact("- "+f, []cite.Fact{{Kind: cite.KindHost, Value: m.DeviceName}, fText(m.ComplianceState), fTime(m.LastSyncDateTime)},
			resources.URI(d.alias, resources.KindDevice, m.ID))
		if strings.EqualFold(m.ComplianceState, "noncompliant") {
			raise = 1
		}
	}
	return raise
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
