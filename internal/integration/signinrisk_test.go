package integration

import (
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/tools/entra"
)

func identityStory(t *testing.T, alias string) fixtures.Story {
	t.Helper()
	for _, st := range fixtures.Stories(alias) {
		if st.Kind == "identity-compromise" {
			return st
		}
	}
	t.Fatalf("%s has no identity story", alias)
	return fixtures.Story{}
}

func storySince(st fixtures.Story) string {
	return Clock.Add(-st.StartAgo - 72*time.Hour).Format(time.RFC3339)
}

// TestSignInRiskSummaryStories summarises each tenant's identity story
// tenant-wide, for the victim and for the spray IP: the story's users, IPs
// and detection types appear, and every factual line is supported by the
// resources it cites.
func TestSignInRiskSummaryStories(t *testing.T) {
	x := h(t)
	for _, alias := range []string{"contoso", "fabrikam"} {
		st := identityStory(t, alias)
		victim, sprayIP := st.Users[0], st.IPs[0]
		var res entra.RiskSummaryResult
		text := x.mustCall(t, alias, "entra_summarize_signin_risk", map[string]any{"since": storySince(st)}, &res)
		for _, want := range append(append([]string{victim}, st.IPs...), st.RiskEventTypes...) {
			if !strings.Contains(text, want) {
				t.Errorf("%s tenant summary lacks %q", alias, want)
			}
		}
		types := map[string]entra.DetectionType{}
		for _, d := range res.DetectionTypes {
			types[d.Type] = d
		}
		for _, rt := range st.RiskEventTypes {
			d, ok := types[rt]
			if !ok || d.Count < 1 || strings.Contains(d.Meaning, "does not describe") {
				t.Errorf("%s: detection type %s: %+v", alias, rt, d)
			}
		}
		spray := false
		for _, p := range res.Patterns {
			spray = spray || (p.Kind == "spray" && len(p.IPs) == 1 && p.IPs[0] == sprayIP && len(p.Users) >= 5)
		}
		if !spray {
			t.Errorf("%s: no spray pattern from %s: %+v", alias, sprayIP, res.Patterns)
		}
		victimRisky, actions := false, 0
		for _, u := range res.RiskyUsers {
			victimRisky = victimRisky || strings.EqualFold(u.UserPrincipalName, victim)
		}
		for _, a := range res.Actions {
			if strings.EqualFold(a.Target, victim) || a.Target == sprayIP {
				actions++
			}
			if a.Run || !strings.HasPrefix(a.URL, "https://graph.microsoft.com/v1.0/") {
				t.Errorf("%s: action %+v", alias, a)
			}
		}
		if !victimRisky || actions < 3 {
			t.Errorf("%s: victim %s risky=%v, %d actions for victim/spray IP", alias, victim, victimRisky, actions)
		}
		if !res.Citations.OK() || len(res.Missing) > 0 {
			t.Errorf("%s: in-tool citations %s, missing %v", alias, res.Citations.String(), res.Missing)
		}
		live := checkClaimsLive(t, x, alias, res.Claims)
		t.Logf("%s: %d risky users, %d detection types, %d risky sign-ins, %d patterns, %d actions; %d factual lines, all supported: %v",
			alias, len(res.RiskyUsers), len(res.DetectionTypes), len(res.RiskySignIns), len(res.Patterns), len(res.Actions), live.Factual, live.OK())

		var byUser entra.RiskSummaryResult
		x.mustCall(t, alias, "entra_summarize_signin_risk", map[string]any{"user": victim, "since": storySince(st)}, &byUser)
		if len(byUser.RiskyUsers) != 1 || !strings.EqualFold(byUser.RiskyUsers[0].UserPrincipalName, victim) || len(byUser.DetectionTypes) == 0 {
			t.Errorf("%s: user scope: %+v", alias, byUser.RiskyUsers)
		}
		var byIP entra.RiskSummaryResult
		x.mustCall(t, alias, "entra_summarize_signin_risk", map[string]any{"ipAddress": sprayIP, "since": storySince(st)}, &byIP)
		if len(byIP.Patterns) == 0 || byIP.Patterns[0].Kind != "spray" {
			t.Errorf("%s: IP scope patterns %+v", alias, byIP.Patterns)
		}
		checkClaimsLive(t, x, alias, byIP.Claims)
	}
}

// TestSignInRiskSummaryFault names a failing source as missing and still
// summarises the rest.
func TestSignInRiskSummaryFault(t *testing.T) {
	x := newHarness(t)
	defer x.env.Close()
	emu := x.emulator(t)
	emu.InjectFault(fixtures.Fault{Route: "identityProtection/riskDetections", Tenant: "contoso", Status: 500})
	defer emu.ClearFaults()
	st := identityStory(t, "contoso")
	var res entra.RiskSummaryResult
	text := x.mustCall(t, "contoso", "entra_summarize_signin_risk", map[string]any{"since": storySince(st)}, &res)
	if len(res.Missing) != 1 || !strings.Contains(res.Missing[0], "risk detections") || !strings.Contains(text, "Missing source") {
		t.Errorf("missing %v", res.Missing)
	}
	if len(res.DetectionTypes) != 0 || len(res.Patterns) == 0 || !res.Citations.OK() {
		t.Errorf("partial summary: %d detection types, %d patterns, citations %s", len(res.DetectionTypes), len(res.Patterns), res.Citations.String())
	}
}
