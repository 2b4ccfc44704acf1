package entra

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/tools"
)

func riskWorld() *fakeGraph {
	t0 := testNow.Add(-26 * time.Hour)
	g := &fakeGraph{}
	victim := "nolan.prescott@contoso.com"
	for i := 0; i < 6; i++ {
		upn := fmt.Sprintf("user%02d@contoso.com", i)
		code := int32(50126)
		if i == 3 {
			upn, code = victim, 0
		}
		g.signIns = append(g.signIns, source.SignIn{ID: fmt.Sprintf("spray-%d", i), CreatedDateTime: t0.Add(time.Duration(i) * 3 * time.Minute),
			UserPrincipalName: upn, AppDisplayName: "Office 365 Exchange Online", IPAddress: "192.0.2.45", ClientAppUsed: "IMAP4",
			CountryOrRegion: "NL", ErrorCode: code, RiskLevelDuringSignIn: "none", ConditionalAccessStatus: "notApplied"})
	}
	g.signIns = append(g.signIns,
		source.SignIn{ID: "takeover", CreatedDateTime: t0.Add(3 * time.Hour), UserPrincipalName: victim, AppDisplayName: "OfficeHome",
			IPAddress: "198.51.100.77", City: "Moscow", CountryOrRegion: "RU", ClientAppUsed: "Browser", OperatingSystem: "Linux",
			RiskLevelDuringSignIn: "medium", RiskEventTypes: []string{"unfamiliarFeatures"}, ConditionalAccessStatus: "success"},
		source.SignIn{ID: "home", CreatedDateTime: t0.Add(5 * time.Hour), UserPrincipalName: victim, AppDisplayName: "Microsoft Teams",
			IPAddress: "203.0.113.20", City: "Seattle", CountryOrRegion: "US", ClientAppUsed: "Browser", ErrorCode: 500121,
			RiskLevelDuringSignIn: "low", ConditionalAccessStatus: "failure"},
		source.SignIn{ID: "home2", CreatedDateTime: t0.Add(5*time.Hour + 10*time.Minute), UserPrincipalName: victim, AppDisplayName: "Microsoft Teams",
			IPAddress: "203.0.113.20", City: "Seattle", CountryOrRegion: "US", ClientAppUsed: "Browser", ErrorCode: 500121, ConditionalAccessStatus: "failure"},
	)
	g.detections = []source.RiskDetection{
		{ID: "det-spray", UserPrincipalName: victim, UserID: "u-n", RiskEventType: "passwordSpray", RiskLevel: "high", RiskState: "atRisk",
			IPAddress: "192.0.2.45", CountryOrRegion: "NL", RequestID: "spray-3", DetectedDateTime: t0.Add(2 * time.Hour)},
		{ID: "det-travel", UserPrincipalName: victim, UserID: "u-n", RiskEventType: "unlikelyTravel", RiskLevel: "medium", RiskState: "atRisk",
			IPAddress: "198.51.100.77", City: "Moscow", CountryOrRegion: "RU", RequestID: "takeover", DetectedDateTime: t0.Add(4 * time.Hour)},
		{ID: "det-leak", UserPrincipalName: "user01@contoso.com", UserID: "u-1", RiskEventType: "leakedCredentials", RiskLevel: "high", RiskState: "atRisk",
			DetectedDateTime: t0.Add(time.Hour)},
	}
	g.risky = []source.RiskyUser{
		{ID: "u-n", UserPrincipalName: victim, RiskLevel: "high", RiskState: "atRisk", RiskDetail: "none", RiskLastUpdated: t0.Add(4 * time.Hour)},
		{ID: "u-1", UserPrincipalName: "user01@contoso.com", RiskLevel: "high", RiskState: "confirmedCompromised", RiskLastUpdated: t0.Add(time.Hour)},
		{ID: "u-9", UserPrincipalName: "calm@contoso.com", RiskLevel: "none", RiskState: "remediated", RiskLastUpdated: t0},
	}
	return g
}

func TestSummarizeSignInRiskTenant(t *testing.T) {
	res, err := summarizeSignInRisk(context.Background(), newCall(riskWorld()), RiskSummaryParams{})
	if err != nil {
		t.Fatal(err)
	}
	text := res.Text()
	for _, want := range []string{"password-spray signature", "192.0.2.45", "nolan.prescott@contoso.com", "passwordSpray —", "too far apart",
		"leaked", "repeated MFA failures", "countries within 12 hours", "/identityProtection/riskyUsers/confirmCompromised", "/revokeSignInSessions",
		"forceChangePasswordNextSignIn", "/identity/conditionalAccess/namedLocations", `"cidrAddress":"192.0.2.45/32"`, "not run"} {
		if !strings.Contains(text, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	if len(res.RiskyUsers) != 2 || res.RiskyUsers[0].RiskLevel != "high" {
		t.Errorf("risky users %+v (remediated none-level users without detections are left out)", res.RiskyUsers)
	}
	for _, a := range res.Actions {
		if a.Run {
			t.Errorf("action %s marked as run", a.Action)
		}
		if a.Target == "user01@contoso.com" && strings.Contains(a.URL, "confirmCompromised") {
			t.Error("already confirmed compromised user gets a confirm action")
		}
	}
	if !res.Citations.OK() || res.Citations.Factual < 10 {
		t.Errorf("citations: %s\n%s", res.Citations.String(), text)
	}
}

func TestSummarizeSignInRiskScopes(t *testing.T) {
	res, err := summarizeSignInRisk(context.Background(), newCall(riskWorld()), RiskSummaryParams{IPAddress: "198.51.100.77"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.RiskySignIns) != 1 || len(res.DetectionTypes) != 1 || res.DetectionTypes[0].Type != "unlikelyTravel" || len(res.RiskyUsers) != 1 {
		t.Errorf("IP scope: %d sign-ins, detections %+v, users %d", len(res.RiskySignIns), res.DetectionTypes, len(res.RiskyUsers))
	}
	res, err = summarizeSignInRisk(context.Background(), newCall(riskWorld()), RiskSummaryParams{User: "user01@contoso.com"})
	if err != nil || len(res.RiskyUsers) != 1 || res.DetectionTypes[0].Type != "leakedCredentials" {
		t.Fatalf("user scope: %v %+v", err, res.DetectionTypes)
	}
	if (RiskSummaryParams{User: "a@b.c", IPAddress: "1.2.3.4"}).Validate() == nil || (RiskSummaryParams{IPAddress: "nope"}).Validate() == nil {
		t.Error("bad params accepted")
	}
}

func TestSummarizeSignInRiskMissingSource(t *testing.T) {
	g := riskWorld()
	g.fail = map[string]error{"ListRiskDetections": &source.ThrottledError{RetryAfter: 2 * time.Second, Service: "graph"}}
	res, err := summarizeSignInRisk(context.Background(), newCall(g), RiskSummaryParams{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Missing) != 1 || !strings.Contains(res.Missing[0], "risk detections") || !strings.Contains(res.Text(), "Missing source") {
		t.Errorf("missing %v", res.Missing)
	}
	if len(res.Patterns) == 0 || !res.Citations.OK() {
		t.Errorf("the rest must still be summarised and cited: %d patterns, %s", len(res.Patterns), res.Citations.String())
	}
	g.fail["ListRiskyUsers"], g.fail["ListSignIns"] = fmt.Errorf("down"), fmt.Errorf("down")
	if _, err := summarizeSignInRisk(context.Background(), newCall(g), RiskSummaryParams{}); err == nil {
		t.Error("all sources failing must be an error")
	}
}

func TestGuestUPNFacts(t *testing.T) {
	upn := "hannes.ouellet_adatum-partners.example#EXT#@fabrikam.onmicrosoft.com"
	c := claim("- "+upn+": risk low, from 192.0.2.1", "secmcp://fabrikam/users/x")
	if len(c.Facts) != 2 || c.Facts[1].Value != upn {
		t.Errorf("facts %v", c.Facts)
	}
}

// TestRiskSummaryFitsTheBudget: a tenant with hundreds of risky users and
// risky sign-ins is summarised within the output budget, highest risk
// first, and Truncated says what was cut and where the rest is.
func TestRiskSummaryFitsTheBudget(t *testing.T) {
	var d riskData
	d.signIns = map[string]source.SignIn{}
	for i := range 400 {
		upn := fmt.Sprintf("user%03d@contoso.com", i)
		level := "low"
		if i%50 == 0 {
			level = "high"
		}
		d.risky = append(d.risky, source.RiskyUser{ID: fmt.Sprintf("u-%d", i), UserPrincipalName: upn, RiskLevel: level, RiskState: "atRisk",
			RiskLastUpdated: testNow.Add(-time.Duration(i) * time.Minute)})
		d.detections = append(d.detections, source.RiskDetection{ID: fmt.Sprintf("det-%d", i), UserPrincipalName: upn, RiskEventType: "unfamiliarFeatures",
			RiskLevel: level, RiskState: "atRisk", IPAddress: "198.51.100.7", RequestID: fmt.Sprintf("si-%d", i), DetectedDateTime: testNow.Add(-time.Hour)})
		d.signIns[fmt.Sprintf("si-%d", i)] = source.SignIn{ID: fmt.Sprintf("si-%d", i), UserPrincipalName: upn, CreatedDateTime: testNow.Add(-time.Duration(i) * time.Minute),
			IPAddress: "198.51.100.7", AppDisplayName: "OfficeHome", RiskLevelDuringSignIn: level, RiskEventTypes: []string{"unfamiliarFeatures"}}
	}
	res := buildRiskSummary("contoso", RiskSummaryParams{}, testNow.Add(-30*24*time.Hour), testNow, d)
	fitRiskSummary(context.Background(), &res, d)
	b, _ := json.Marshal(res)
	if len(b) > tools.StructuredBudgetBytes || len(res.Text()) > tools.TextBudgetBytes {
		t.Fatalf("over budget: %d bytes structured, %d text", len(b), len(res.Text()))
	}
	if len(res.RiskyUsers) == 0 || res.RiskyUsers[0].RiskLevel != "high" {
		t.Fatalf("highest risk not kept first: %+v", res.RiskyUsers[:1])
	}
	if !strings.Contains(strings.Join(res.Truncated, "\n"), "entra_list_risky_users") || !strings.Contains(res.Text(), "Truncated") {
		t.Fatalf("truncation not said: %v", res.Truncated)
	}
	if res.DetectionTypes[0].Count != 400 {
		t.Errorf("count per type = %d, want the complete 400", res.DetectionTypes[0].Count)
	}
}
