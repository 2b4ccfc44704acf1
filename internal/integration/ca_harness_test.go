package integration

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/tools"
	"github.com/secmcp/secmcp/tools/entra"
)

// citeFetcher reads citations through resources/read as a caller allowed
// only tenant (named locations and risk detections included).
func citeFetcher(x *harness, alias string) cite.Fetcher {
	return func(ctx context.Context, uri string) (string, error) {
		_, text, err := x.rs.Read(ctx, []string{alias}, uri)
		return text, err
	}
}

// checkClaimsLive re-checks a tool's claims (the lines of its answer, with
// the facts it states; computed counts are not among them) against the real
// resources rather than the JSON the tool read.
func checkClaimsLive(t *testing.T, x *harness, alias string, claims []cite.Claim) cite.Report {
	t.Helper()
	rep, err := cite.Check(context.Background(), claims, citeFetcher(x, alias))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Errorf("citations of %s answer: %s", alias, rep.String())
	}
	return rep
}

// TestCAExplainHarnessSample explains a sample of sign-ins of both tenants
// through the real SDK and emulator: the story's attacker sign-ins plus the
// newest page of sign-ins, each of which must agree with its recorded results.
func TestCAExplainHarnessSample(t *testing.T) {
	x := h(t)
	for _, alias := range []string{"contoso", "fabrikam"} {
		ids := map[string]bool{}
		for _, st := range fixtures.Stories(alias) {
			if st.Kind == "identity-compromise" {
				for _, id := range st.SignInIDs[max(0, len(st.SignInIDs)-6):] {
					ids[id] = true
				}
			}
		}
		var listed entra.ListSignInsResult
		x.mustCall(t, alias, "entra_list_signins", map[string]any{"top": 12, "since": "30d"}, &listed)
		for _, s := range listed.SignIns {
			ids[s.ID] = true
		}
		var tally entra.CAAgreement
		for id := range ids {
			var res entra.ExplainCAResult
			text := x.mustCall(t, alias, "entra_explain_ca_outcome", map[string]any{"signInId": id}, &res)
			tally.Agree += res.Agreement.Agree
			tally.Disagree += res.Agreement.Disagree
			tally.Undecidable += res.Agreement.Undecidable
			if res.Agreement.Disagree > 0 || (res.ExpectedStatus != "undecidable" && res.ExpectedStatus != res.RecordedStatus) {
				t.Errorf("%s %s: %+v, status %s vs %s\n%s", alias, id, res.Agreement, res.ExpectedStatus, res.RecordedStatus, text)
			}
			if !res.Citations.OK() || len(res.Missing) > 0 {
				t.Errorf("%s %s: in-tool citations %s, missing %v", alias, id, res.Citations.String(), res.Missing)
			}
			checkClaimsLive(t, x, alias, res.Claims)
		}
		t.Logf("%s: %d sign-ins explained through the harness: %d agree, %d disagree, %d undecidable", alias, len(ids), tally.Agree, tally.Disagree, tally.Undecidable)
	}
}

func TestCAExplainBadInput(t *testing.T) {
	x := h(t)
	var other entra.ListSignInsResult
	x.mustCall(t, "fabrikam", "entra_list_signins", map[string]any{"top": 1, "since": "30d"}, &other)
	if len(other.SignIns) == 0 {
		t.Fatal("no fabrikam sign-ins")
	}
	for _, id := range []string{"00000000-0000-0000-0000-00000000dead", other.SignIns[0].ID} {
		_, _, err := x.call(t, "contoso", "entra_explain_ca_outcome", map[string]any{"signInId": id})
		var te *tools.ToolError
		if !errors.As(err, &te) || te.Kind != "not_found" || strings.Contains(te.Msg, "fabrikam") {
			t.Errorf("sign-in %s in contoso: want a not_found tool error that does not name fabrikam, got %v", id, err)
		}
	}
	_, _, err := x.call(t, "contoso", "entra_what_if", map[string]any{"user": "nobody.here@contoso.com", "clientApp": "browser"})
	var te *tools.ToolError
	if !errors.As(err, &te) || te.Kind != "not_found" || !strings.Contains(te.Msg, "nobody.here@contoso.com") {
		t.Errorf("what-if for an unknown user: %v", err)
	}
	if _, _, err := x.call(t, "contoso", "entra_what_if", map[string]any{"user": "x@contoso.com", "ipAddress": "not-an-ip"}); err == nil {
		t.Error("bad IP accepted")
	}
}

func TestCAWhatIfStoryVictim(t *testing.T) {
	x := h(t)
	for _, alias := range []string{"contoso", "fabrikam"} {
		var victim string
		for _, st := range fixtures.Stories(alias) {
			if st.Kind == "identity-compromise" {
				victim = st.Users[0]
			}
		}
		var res entra.WhatIfResult
		text := x.mustCall(t, alias, "entra_what_if", map[string]any{"user": victim, "app": "Office 365 Exchange Online",
			"clientApp": "exchangeActiveSync", "platform": "iOS", "ipAddress": "192.0.2.99", "country": "NL", "signInRisk": "none",
			"mfaDone": false, "deviceJoinType": "unregistered"}, &res)
		if res.ExpectedStatus != "failure" || !strings.Contains(text, "legacy authentication client") {
			t.Errorf("%s: legacy what-if for %s: status %s\n%s", alias, victim, res.ExpectedStatus, text)
		}
		if !res.Citations.OK() {
			t.Errorf("%s: %s", alias, res.Citations.String())
		}
	}
}

// TestEntraResourceKinds reads a named location and a risk detection through
// resources/read, and refuses them for another tenant's caller.
func TestEntraResourceKinds(t *testing.T) {
	x := h(t)
	var pol entra.CAPoliciesResult
	x.mustCall(t, "contoso", "entra_list_ca_policies", map[string]any{}, &pol)
	var det entra.RiskDetectionsResult
	x.mustCall(t, "contoso", "entra_list_risk_detections", map[string]any{"top": 1, "since": "30d"}, &det)
	if len(det.Detections) == 0 {
		t.Fatal("no detections")
	}
	var locID string
	for _, p := range pol.Policies {
		for _, id := range p.IncludeLocations {
			if id != "All" && id != "AllTrusted" {
				locID = id
			}
		}
	}
	for _, uri := range []string{"secmcp://contoso/namedlocations/" + locID, "secmcp://contoso/riskdetections/" + det.Detections[0].ID} {
		text, err := x.read(t, "contoso", uri)
		if err != nil || !strings.Contains(text, `"id"`) {
			t.Errorf("read %s: %v %.80s", uri, err, text)
		}
		if _, err := x.read(t, "fabrikam", uri); err == nil {
			t.Errorf("fabrikam caller read %s", uri)
		}
	}
	if _, err := x.read(t, "contoso", "secmcp://contoso/namedlocations/nope"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("unknown named location: %v", err)
	}
}
