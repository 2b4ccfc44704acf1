package integration

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/synth"
	"github.com/secmcp/secmcp/tools"
	"github.com/secmcp/secmcp/tools/investigate"
)

// TestAskNamesSourcesItCouldNotRead: the tier-1 demo analyst (on-behalf-of;
// no Entra ID Protection, Intune or sign-in log rights, Defender cut to the
// Workstations device group and Defender for Endpoint data) asks an entity
// question and a tenant-wide one. The entity answer's verdict names every
// source it could not read and the answer lists them under "Sources that
// did not answer"; the ranking of users at risk does not claim there are
// none — it says Entra ID Protection's risky users could not be read.
// Both answers say that Defender was read with the analyst's own rights
// and is limited to the device groups and data sources their role can see
// (the verdict in its first line, every answer in its notes); the same
// entity question from a key caller (app-only) carries no such caveat.
//
// The investigation's deadline is not the subject: a source that has not
// answered by then is reported missing, which changes the verdict and the
// notes checked here, so on a loaded machine (the first question also pays
// for generating the demo tenant) the test gives it the longest deadline
// investigate accepts, and on failure logs each source call's status and
// timing.
func TestAskNamesSourcesItCouldNotRead(t *testing.T) {
	x := sh(t)
	a, err := x.emulator(t).Analysts("contoso")
	if err != nil {
		t.Fatal(err)
	}
	tier1 := analyst(t, x, a.Tier1, tools.RoleHunter)
	askAs := func(c tools.Caller, q string) synth.Result {
		t.Helper()
		out, err := invokeAs(t, x, c, "investigate", map[string]any{"question": q, "timeoutSeconds": 120})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		var res synth.Result
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { logCallsOnFailure(t, q, res) })
		if res.Unsupported != 0 {
			t.Errorf("%q: %d unsupported sentences: %+v", q, res.Unsupported, res.Verification.Removed)
		}
		return res
	}
	ask := func(q string) synth.Result { t.Helper(); return askAs(tier1, q) }
	const scoped = "limited to the device groups and data sources"
	limited := func(res synth.Result) bool { return strings.Contains(strings.Join(res.Notes, "\n"), scoped) }
	res := ask("Has nolan.prescott@contoso.com been compromised?")
	if len(res.Verdicts) != 1 {
		t.Fatalf("verdicts %+v", res.Verdicts)
	}
	v := res.Verdicts[0]
	unread := strings.Join(v.Unread, "; ")
	section := ""
	if i := strings.Index(res.Answer, "### Sources that did not answer"); i >= 0 {
		section = res.Answer[i:]
	}
	for _, tool := range []string{"entra_summarize_signin_risk", "intune_list_devices"} {
		if !strings.Contains(unread, tool) {
			t.Errorf("verdict's unread sources %q lack %s", unread, tool)
		}
		if !strings.Contains(section, tool) {
			t.Errorf("answer does not list %s under Sources that did not answer:\n%s", tool, res.Answer)
		}
	}
	if v.Verdict == synth.VerdictNoEvidence || !strings.Contains(firstLine(res.Answer), "could not be read") {
		t.Errorf("verdict %q, first line %q: a verdict resting on part of the sources must say so", v.Verdict, firstLine(res.Answer))
	}
	if v.LimitedView == "" || !strings.Contains(firstLine(res.Answer), scoped) || !limited(res) {
		t.Errorf("limitedView %q, notes %q, first line %q: Defender read on-behalf-of must say its view is limited", v.LimitedView, res.Notes, firstLine(res.Answer))
	}
	app := askAs(tools.Caller{Principal: "key", Tenants: []string{"contoso"}}, "Has nolan.prescott@contoso.com been compromised?")
	if len(app.Verdicts) != 1 || app.Verdicts[0].LimitedView != "" || strings.Contains(app.Answer, scoped) || limited(app) {
		t.Errorf("an app-only read carries the on-behalf-of caveat: verdicts %+v\n%s", app.Verdicts, app.Answer)
	}
	res = ask("Find the top three users that are at risk and explain why they're at risk.")
	first := firstLine(res.Answer)
	if strings.HasPrefix(first, "No users at risk") && !strings.Contains(first, "not read: Entra ID Protection risky users") {
		t.Errorf("an empty ranking with Entra ID Protection unread must say so: %q", first)
	}
	if !limited(res) {
		t.Errorf("the tenant-wide answer does not say Defender's view is limited: notes %q", res.Notes)
	}
	if !strings.Contains(res.Answer, "entra_list_risky_users") {
		t.Errorf("the risky-users source that did not answer is not named:\n%s", res.Answer)
	}
}

// logCallsOnFailure logs, when t failed, how each source call of an
// investigation ended and how long it took, so a failure says whether a
// source failed, timed out or answered.
func logCallsOnFailure(t *testing.T, q string, res synth.Result) {
	if !t.Failed() {
		return
	}
	t.Logf("%q (%s): timing %+v", q, res.Tenant, res.Timing)
	for _, c := range res.Calls {
		t.Logf("  %s %s: %s after %d ms (started at %d ms) %s", c.Tool, c.Source, c.Status, c.DurationMs, c.StartMs, c.Error)
	}
}

// TestRiskyUsersFromIdentityInfoAlone: when Entra ID Protection's risky
// users cannot be read (a Defender-only view of the tenant), "top users at
// risk" still ranks, from Advanced Hunting's IdentityInfo risk columns, and
// says which signal source it could not read.
func TestRiskyUsersFromIdentityInfoAlone(t *testing.T) {
	x := newSynthHarness(t, investigate.ModeBuiltin)
	t.Cleanup(x.env.Close)
	em := x.emulator(t)
	em.InjectFault(fixtures.Fault{Tenant: "contoso", Route: "identityProtection/riskyUsers", Status: 503})
	defer em.ClearFaults()
	var res synth.Result
	x.mustCall(t, "contoso", "investigate", map[string]any{"question": "Find the top three users that are at risk and explain why they're at risk.", "timeoutSeconds": 30}, &res)
	want := loadDemo(t, "contoso").riskiest()
	if why := rankOneIn(want, "Entra ID Protection's risk states and levels")(res); why != "" {
		t.Errorf("%s\n%s", why, res.Answer)
	}
	if !strings.Contains(res.Answer, "IdentityInfo RiskLevel high") || !strings.Contains(res.Answer, "not read: Entra ID Protection risky users") ||
		!strings.Contains(res.Answer, "https://learn.microsoft.com/defender-xdr/advanced-hunting-identityinfo-table") || res.Unsupported != 0 {
		t.Errorf("unsupported %d, answer:\n%s", res.Unsupported, res.Answer)
	}
}
