package entra

import (
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/resources"
)

const graphV1 = "https://graph.microsoft.com/v1.0"

// maxActionUsers bounds the users the summary writes actions for.
const maxActionUsers = 10

// recommend proposes remediations with the exact Graph requests (never run).
func recommend(res RiskSummaryResult, d riskData) []Action {
	out := []Action{}
	n := 0
	for _, u := range res.RiskyUsers {
		state := strings.ToLower(u.RiskState)
		if n >= maxActionUsers || (state != "atrisk" && state != "confirmedcompromised") || levelRank(u.RiskLevel) < 2 {
			continue
		}
		n++
		why := fmt.Sprintf("%s is at %s risk (%s)", u.UserPrincipalName, u.RiskLevel, u.RiskState)
		id := url.PathEscape(u.ID)
		if state == "atrisk" {
			out = append(out, Action{Action: "Confirm the user compromised (raises user risk to high so risk policies act)", Why: why, Target: u.UserPrincipalName,
				Method: "POST", URL: graphV1 + "/identityProtection/riskyUsers/confirmCompromised", Body: fmt.Sprintf(`{"userIds":[%q]}`, u.ID)})
		}
		out = append(out,
			Action{Action: "Reset the password at next sign-in", Why: why, Target: u.UserPrincipalName, Method: "PATCH", URL: graphV1 + "/users/" + id,
				Body: `{"passwordProfile":{"forceChangePasswordNextSignIn":true}}`},
			Action{Action: "Revoke all refresh tokens and sessions", Why: why, Target: u.UserPrincipalName, Method: "POST", URL: graphV1 + "/users/" + id + "/revokeSignInSessions"},
			Action{Action: "Require MFA re-registration: list the methods, then DELETE each non-password method at its own URL", Why: why, Target: u.UserPrincipalName,
				Method: "GET", URL: graphV1 + "/users/" + id + "/authentication/methods"})
	}
	var ips []string
	for _, p := range res.Patterns {
		if p.Kind == "spray" {
			ips = append(ips, p.IPs...)
		}
	}
	for _, t := range res.DetectionTypes {
		if slices.Contains([]string{"anonymizedipaddress", "maliciousipaddress", "attackerinthemiddle", "passwordspray"}, strings.ToLower(t.Type)) {
			for _, x := range t.Detections {
				ips = append(ips, x.IPAddress)
			}
		}
	}
	for _, ip := range dedupe(ips) {
		addr, err := netip.ParseAddr(ip)
		if err != nil {
			continue
		}
		cidr, typ := addr.String()+"/32", "#microsoft.graph.iPv4CidrRange"
		if addr.Is6() && !addr.Is4In6() {
			cidr, typ = addr.String()+"/128", "#microsoft.graph.iPv6CidrRange"
		}
		out = append(out, Action{Action: "Block the IP: create an untrusted named location, then include it in a Conditional Access policy that blocks access",
			Why: "attack traffic from " + ip, Target: ip, Method: "POST", URL: graphV1 + "/identity/conditionalAccess/namedLocations",
			Body: fmt.Sprintf(`{"@odata.type":"#microsoft.graph.ipNamedLocation","displayName":"Blocked - %s","isTrusted":false,"ipRanges":[{"@odata.type":%q,"cidrAddress":%q}]}`, ip, typ, cidr)})
	}
	return out
}

func dedupe(xs []string) []string {
	var out []string
	for _, x := range xs {
		if x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// riskObjects maps every URI the summary cites to the JSON it was built from.
func riskObjects(alias string, d riskData) map[string]any {
	m := map[string]any{}
	for _, r := range d.risky {
		m[resources.URI(alias, resources.KindUser, r.UserPrincipalName)] = userResource{User: source.User{ID: r.ID, UserPrincipalName: r.UserPrincipalName, DisplayName: r.UserDisplayName}, Risk: &r}
	}
	for _, x := range d.detections {
		m[resources.URI(alias, resources.KindRisk, x.ID)] = x
	}
	for id, s := range d.signIns {
		m[resources.URI(alias, resources.KindSignIn, id)] = s
	}
	return m
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func riskClaims(res RiskSummaryResult) []cite.Claim {
	cl := []cite.Claim{{Text: fmt.Sprintf("# Sign-in risk summary: %s, %s to %s", res.Scope, ts(res.Since), ts(res.Until))}}
	for _, m := range res.Missing {
		cl = append(cl, cite.Claim{Text: "Missing source (the summary is partial): " + m})
	}
	for _, t := range res.Truncated {
		cl = append(cl, cite.Claim{Text: "Truncated: " + t})
	}
	cl = append(cl, cite.Claim{Text: fmt.Sprintf("## Risky users (%d)", len(res.RiskyUsers))})
	for _, u := range res.RiskyUsers {
		cl = append(cl, derivedClaim(fmt.Sprintf("- %s: risk %s, state %s (%s), last updated %s; %s in the window",
			u.UserPrincipalName, u.RiskLevel, u.RiskState, orNone(u.RiskDetail), ts(u.RiskLastUpdated), text.Count(int64(u.Detections), "detection")), []string{strconv.Itoa(u.Detections)}, u.URI))
	}
	cl = append(cl, cite.Claim{Text: "## Risk detections by type"})
	for _, t := range res.DetectionTypes {
		cites := []string{}
		for _, x := range t.Detections {
			cites = append(cites, x.URI)
		}
		// Name only the users the listed (cited) detections show; when the
		// list was cut to fit the budget the others are counted, not named.
		listed := []string{}
		for _, u := range t.Users {
			if slices.ContainsFunc(t.Detections, func(x DetectionRef) bool { return strings.EqualFold(x.User, u) }) {
				listed = append(listed, u)
			}
		}
		users := strings.Join(listed, ", ")
		if more := len(t.Users) - len(listed); more > 0 {
			users += fmt.Sprintf(" and %d more", more)
		}
		cl = append(cl, derivedClaim(fmt.Sprintf("- %s — %s: %s, users %s", t.Type, t.Meaning, text.Count(int64(t.Count), "detection"), users),
			[]string{strconv.Itoa(t.Count), strconv.Itoa(len(t.Users) - len(listed))}, cites...))
		for _, x := range t.Detections[:min(len(t.Detections), 5)] {
			where := ""
			if x.IPAddress != "" || x.Location != "" {
				where = fmt.Sprintf(" from %s (%s)", orNone(x.IPAddress), orNone(x.Location))
			}
			cl = append(cl, claim(fmt.Sprintf("  - %s %s%s, level %s, state %s", ts(x.Time), x.User, where, x.Level, x.State), x.URI, x.SignInURI))
		}
	}
	cl = append(cl, cite.Claim{Text: fmt.Sprintf("## Risky sign-ins (%d)", len(res.RiskySignIns))})
	for _, s := range res.RiskySignIns {
		cl = append(cl, claim(fmt.Sprintf("- %s %s → %s from %s (%s), %s, device %s/%s, error %d, risk %s %s, CA %s",
			ts(s.Time), s.User, s.App, s.IPAddress, orNone(s.Location), orNone(s.ClientApp), orNone(s.Device), orNone(s.OS),
			s.ErrorCode, orNone(s.RiskLevel), strings.Join(s.RiskEvents, ","), s.CAStatus), s.URI))
	}
	cl = append(cl, cite.Claim{Text: "## Patterns"})
	for _, p := range res.Patterns {
		cl = append(cl, patternClaim(res.Tenant, p))
	}
	cl = append(cl, cite.Claim{Text: "## Recommended actions (not run: each shows the Graph request it would take)"})
	for _, a := range res.Actions {
		text := fmt.Sprintf("- %s — %s: `%s %s`", a.Action, a.Target, a.Method, a.URL)
		if a.Body != "" {
			text += " body `" + a.Body + "`"
		}
		c := claim(text+" — "+a.Why, targetCitations(res, a.Target)...)
		c.Facts = slices.DeleteFunc(c.Facts, func(f cite.Fact) bool { return f.Kind != cite.KindUPN && f.Kind != cite.KindIP })
		cl = append(cl, c)
	}
	return cl
}

func patternClaim(alias string, p Pattern) cite.Claim {
	cites := make([]string, 0, len(p.SignInIDs))
	for _, id := range p.SignInIDs {
		cites = append(cites, resources.URI(alias, resources.KindSignIn, id))
	}
	users := p.Users[:min(len(p.Users), 5)]
	more := ""
	if len(p.Users) > len(users) {
		more = fmt.Sprintf(" and %d more", len(p.Users)-len(users))
	}
	text := fmt.Sprintf("- %s (%s to %s; IPs %s; countries %s; users %s%s)", p.Summary, ts(p.First), ts(p.Last),
		strings.Join(p.IPs[:min(len(p.IPs), 5)], ", "), orNone(strings.Join(p.Countries, ", ")), strings.Join(users, ", "), more)
	c := derivedClaim(text, []string{strconv.Itoa(p.Count), strconv.Itoa(len(p.Users)), strconv.Itoa(len(p.Users) - len(users)), "12"}, cites...)
	// Only the users, IPs and times of the cited sign-ins are checkable.
	c.Facts = slices.DeleteFunc(c.Facts, func(f cite.Fact) bool { return f.Kind == cite.KindNumber })
	return c
}

func targetCitations(res RiskSummaryResult, target string) []string {
	for _, u := range res.RiskyUsers {
		if strings.EqualFold(u.UserPrincipalName, target) {
			return []string{u.URI}
		}
	}
	var out []string
	for _, p := range res.Patterns {
		if slices.Contains(p.IPs, target) && len(p.SignInIDs) > 0 {
			out = append(out, resources.URI(res.Tenant, resources.KindSignIn, p.SignInIDs[0]))
		}
	}
	for _, t := range res.DetectionTypes {
		for _, x := range t.Detections {
			if x.IPAddress == target {
				out = append(out, x.URI)
			}
		}
	}
	return dedupe(out)
}
