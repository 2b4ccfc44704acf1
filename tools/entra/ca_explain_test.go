package entra

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/tools"
)

const (
	pMFAAdmins = "aaaaaaaa-0000-0000-0000-000000000001"
	pLegacy    = "aaaaaaaa-0000-0000-0000-000000000002"
	pOutside   = "aaaaaaaa-0000-0000-0000-000000000003"
	pPilot     = "aaaaaaaa-0000-0000-0000-000000000004"
	gBreakTest = "bbbbbbbb-0000-0000-0000-000000000001"
	roleGA     = "62e90394-69f5-4237-9190-012177145e10"
	locHQTest  = "cccccccc-0000-0000-0000-000000000001"
	exoID      = "00000002-0000-0ff1-ce00-000000000000"
)

func caWorld() *fakeGraph {
	at := testNow.Add(-2 * time.Hour)
	all := func(p source.CAPolicy) source.CAPolicy {
		p.IncludeUsers, p.ExcludeGroups, p.IncludeApplications, p.ClientAppTypes, p.GrantOperator = []string{"All"}, []string{gBreakTest}, []string{"All"}, []string{"all"}, "OR"
		return p
	}
	admins := all(source.CAPolicy{ID: pMFAAdmins, DisplayName: "CT-CA01 Require MFA for administrators", State: "enabled", BuiltInControls: []string{"mfa"}})
	admins.IncludeUsers, admins.IncludeRoles = nil, []string{roleGA}
	legacy := all(source.CAPolicy{ID: pLegacy, DisplayName: "CT-CA02 Block legacy authentication", State: "enabled", BuiltInControls: []string{"block"}})
	legacy.ClientAppTypes = []string{"exchangeActiveSync", "other"}
	outside := all(source.CAPolicy{ID: pOutside, DisplayName: "CT-CA11 Require compliant device outside trusted locations", State: "enabled",
		BuiltInControls: []string{"compliantDevice", "domainJoinedDevice"}, IncludeLocations: []string{"All"}, ExcludeLocations: []string{"AllTrusted"},
		ModifiedDateTime: at.Add(time.Hour)})
	pilot := all(source.CAPolicy{ID: pPilot, DisplayName: "CT-CA08 Phishing-resistant MFA pilot", State: "enabledForReportingButNotEnforced", AuthenticationStrength: "Phishing-resistant MFA"})
	return &fakeGraph{
		policies:  []source.CAPolicy{admins, legacy, outside, pilot},
		locations: []source.NamedLocation{{ID: locHQTest, DisplayName: "Seattle office egress", Kind: "ip", IsTrusted: true, IPRanges: []string{"203.0.113.16/28"}}},
		users: []source.User{
			{ID: "u-1", UserPrincipalName: "alex.mercer@contoso.com", UserType: "Member", Groups: []string{"g-finance"}},
			{ID: "u-2", UserPrincipalName: "adm-pm@contoso.com", UserType: "Member", Roles: []string{roleGA}},
		},
		risky: []source.RiskyUser{{ID: "u-1", UserPrincipalName: "alex.mercer@contoso.com", RiskLevel: "low", RiskState: "atRisk", RiskLastUpdated: at.Add(-48 * time.Hour)}},
		signIns: []source.SignIn{
			{ID: "s-legacy", CreatedDateTime: at, UserPrincipalName: "alex.mercer@contoso.com", UserID: "u-1", AppDisplayName: "Office 365 Exchange Online", AppID: exoID,
				ResourceDisplayName: "Office 365 Exchange Online", IPAddress: "203.0.113.20", ClientAppUsed: "IMAP4", CountryOrRegion: "US", City: "Seattle",
				ErrorCode: 53003, RiskLevelDuringSignIn: "none", RiskLevelAggregated: "none", ConditionalAccessStatus: "failure",
				AdditionalDetails: "First factor requirement satisfied by claim in the token",
				AppliedCAPolicies: []source.AppliedCAPolicy{
					{ID: pMFAAdmins, DisplayName: "CT-CA01 Require MFA for administrators", Result: "notApplied"},
					{ID: pLegacy, DisplayName: "CT-CA02 Block legacy authentication", Result: "failure", EnforcedGrantControls: []string{"Block"}},
					{ID: pOutside, DisplayName: "CT-CA11 Require compliant device outside trusted locations", Result: "notApplied"},
					{ID: pPilot, DisplayName: "CT-CA08 Phishing-resistant MFA pilot", Result: "reportOnlyInterrupted"},
				}},
			{ID: "s-browser", CreatedDateTime: at, UserPrincipalName: "alex.mercer@contoso.com", UserID: "u-1", AppDisplayName: "Office 365 Exchange Online", AppID: exoID,
				ResourceDisplayName: "Office 365 Exchange Online", IPAddress: "198.18.21.36", ClientAppUsed: "Browser", OperatingSystem: "Windows10", CountryOrRegion: "US",
				ErrorCode: 53000, RiskLevelDuringSignIn: "none", RiskLevelAggregated: "none", ConditionalAccessStatus: "failure",
				AdditionalDetails: "First factor requirement satisfied by claim in the token",
				AppliedCAPolicies: []source.AppliedCAPolicy{
					{ID: pMFAAdmins, DisplayName: "CT-CA01 Require MFA for administrators", Result: "notApplied"},
					{ID: pLegacy, DisplayName: "CT-CA02 Block legacy authentication", Result: "notApplied"},
					{ID: pOutside, DisplayName: "CT-CA11 Require compliant device outside trusted locations", Result: "success"}, // planted disagreement
					{ID: pPilot, DisplayName: "CT-CA08 Phishing-resistant MFA pilot", Result: "reportOnlyInterrupted"},
					{ID: "dddddddd-0000-0000-0000-000000000009", DisplayName: "Old deleted policy", Result: "notApplied"},
				}},
		},
	}
}

func TestExplainCAOutcomeLegacyBlock(t *testing.T) {
	g := caWorld()
	res, err := explainCAOutcome(context.Background(), newCall(g), ExplainCAParams{SignInID: "s-legacy"})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExpectedStatus != "failure" || res.RecordedStatus != "failure" {
		t.Fatalf("status expected %s recorded %s", res.ExpectedStatus, res.RecordedStatus)
	}
	if res.Agreement.Agree != 4 || res.Agreement.Disagree != 0 {
		t.Fatalf("agreement %+v\n%s", res.Agreement, res.Text())
	}
	text := res.Text()
	for _, want := range []string{"CT-CA02 Block legacy authentication", "is other (a legacy authentication client)", "203.0.113.20 is in the trusted named location 'Seattle office egress'",
		"excludes (exclusions beat inclusions)", "not included", "reportOnlyInterrupted", "modified at", "Citation check"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if !res.Citations.OK() || res.Citations.Factual < 10 {
		t.Errorf("citations: %s", res.Citations.String())
	}
}

func TestExplainCAOutcomeFlagsDisagreement(t *testing.T) {
	res, err := explainCAOutcome(context.Background(), newCall(caWorld()), ExplainCAParams{SignInID: "s-browser"})
	if err != nil {
		t.Fatal(err)
	}
	var v CAPolicyVerdict
	for _, p := range res.Policies {
		if p.PolicyID == pOutside {
			v = p
		}
	}
	if v.Comparison != CompareDisagrees || v.Result != "failure" || v.Recorded != "success" {
		t.Fatalf("verdict %+v", v)
	}
	if len(res.RecordedOnly) != 1 || !strings.Contains(res.Text(), "DISAGREES") || !strings.Contains(res.Text(), "no longer exists") {
		t.Errorf("recorded-only %v\n%s", res.RecordedOnly, res.Text())
	}
	if !res.Citations.OK() {
		t.Errorf("citations: %s", res.Citations.String())
	}
}

func TestExplainCAOutcomeErrors(t *testing.T) {
	g := caWorld()
	_, err := explainCAOutcome(context.Background(), newCall(g), ExplainCAParams{SignInID: "nope"})
	var te *tools.ToolError
	if !errors.As(err, &te) || te.Kind != "not_found" || !strings.Contains(te.Msg, "nope") {
		t.Fatalf("unknown sign-in: %v", err)
	}
	if err := (ExplainCAParams{}).Validate(); err == nil {
		t.Error("empty ID accepted")
	}
	g.fail = map[string]error{"ListCAPolicies": fmt.Errorf("boom")}
	if _, err := explainCAOutcome(context.Background(), newCall(g), ExplainCAParams{SignInID: "s-legacy"}); err == nil {
		t.Error("policy read failure must fail the tool")
	}
}

func TestExplainCAOutcomeMissingSources(t *testing.T) {
	g := caWorld()
	g.fail = map[string]error{"ListNamedLocations": &source.ThrottledError{RetryAfter: time.Second, Service: "graph"}, "GetUser": fmt.Errorf("user: %w", source.ErrNotFound)}
	res, err := explainCAOutcome(context.Background(), newCall(g), ExplainCAParams{SignInID: "s-legacy"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Missing) != 2 || !strings.Contains(strings.Join(res.Missing, ";"), "named locations") {
		t.Fatalf("missing %v", res.Missing)
	}
	for _, p := range res.Policies {
		if p.PolicyID == pMFAAdmins && !p.Undecidable() {
			t.Errorf("role policy with unreadable user must be undecidable: %+v", p.PolicyResult)
		}
		if p.PolicyID == pLegacy && p.Result != "" {
			t.Errorf("All users excluding a group with unreadable memberships must be undecidable, got %s", p.Result)
		}
	}
	if !strings.Contains(res.Text(), "Missing source") {
		t.Error(res.Text())
	}
}
