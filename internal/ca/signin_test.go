package ca

import (
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/source"
)

func TestFromSignIn(t *testing.T) {
	at := time.Date(2029, 12, 29, 12, 0, 0, 0, time.UTC)
	s := source.SignIn{ID: "s", CreatedDateTime: at, UserPrincipalName: "a@c.com", AppID: "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
		ResourceDisplayName: "Windows Azure Service Management API", ClientAppUsed: "IMAP4", OperatingSystem: "Ios",
		IPAddress: "203.0.113.7", CountryOrRegion: "gb", RiskLevelDuringSignIn: "hidden", ErrorCode: 53003,
		AdditionalDetails: "The sign-in was blocked by Conditional Access."}
	risky := &source.RiskyUser{RiskLevel: "high", RiskState: "atRisk", RiskLastUpdated: at.Add(-time.Hour)}
	in := FromSignIn(s, source.User{ID: "u"}, RiskContext{Listed: true, User: risky})
	checks := map[string][2]string{
		"resource":  {in.ResourceID, azureMgmtID},
		"client":    {in.ClientAppType, "other"},
		"platform":  {in.Platform, "iOS"},
		"country":   {in.Country, "GB"},
		"risk":      {in.SignInRisk, ""},
		"userRisk":  {in.UserRisk, "high"},
		"mfa":       {string(in.MFA), string(Unknown)},
		"succeeded": {string(in.Succeeded), string(No)},
		"upn":       {in.User.UserPrincipalName, "a@c.com"},
		"compliant": {string(in.Device.Compliant), string(No)},
	}
	for k, v := range checks {
		if v[0] != v[1] {
			t.Errorf("%s = %q, want %q", k, v[0], v[1])
		}
	}
	// risk raised after the sign-in: unknown; aggregated level wins when recorded.
	risky.RiskLastUpdated = at.Add(time.Hour)
	if in := FromSignIn(s, source.User{}, RiskContext{Listed: true, User: risky}); in.UserRisk != "" {
		t.Errorf("user risk after change = %q, want unknown", in.UserRisk)
	}
	s.RiskLevelAggregated = "medium"
	if in := FromSignIn(s, source.User{}, RiskContext{Listed: true, User: risky}); in.UserRisk != "medium" {
		t.Errorf("aggregated user risk = %q", in.UserRisk)
	}
	s.RiskLevelAggregated = ""
	if in := FromSignIn(s, source.User{}, RiskContext{Listed: true}); in.UserRisk != "none" {
		t.Errorf("user absent from riskyUsers = %q, want none", in.UserRisk)
	}
	s.ErrorCode = 50126
	if in := FromSignIn(s, source.User{}, RiskContext{}); !in.PrimaryAuthFailed {
		t.Error("50126 is a primary authentication failure")
	}
	s.ErrorCode = 500121
	if in := FromSignIn(s, source.User{}, RiskContext{}); in.MFA != No {
		t.Errorf("500121 MFA = %q, want no", in.MFA)
	}
	s.ErrorCode, s.AdditionalDetails = 0, "First factor requirement satisfied by claim in the token"
	if in := FromSignIn(s, source.User{}, RiskContext{}); in.MFA != No || in.Succeeded != Yes {
		t.Errorf("single-factor success MFA = %q succeeded %q", in.MFA, in.Succeeded)
	}
	// v1.0 has no authenticationRequirement: a success that records no MFA
	// outcome is unknown, not "no MFA" (issue 12 finding 1).
	s.AdditionalDetails = ""
	if in := FromSignIn(s, source.User{}, RiskContext{}); in.MFA != Unknown || !strings.Contains(in.MFAEvidence, "unknown from v1.0") {
		t.Errorf("success without v1.0 MFA record: MFA = %q (%s), want unknown from v1.0", in.MFA, in.MFAEvidence)
	}
	s.AdditionalDetails = "MFA completed in Azure AD"
	s.MFASatisfied = true
	if in := FromSignIn(s, source.User{}, RiskContext{}); in.MFA != Yes {
		t.Errorf("MFA completed in Azure AD: MFA = %q", in.MFA)
	}
}

func TestClientAppAndPlatform(t *testing.T) {
	for raw, want := range map[string]string{"Browser": "browser", "Mobile Apps and Desktop clients": "mobileAppsAndDesktopClients",
		"Exchange ActiveSync": "exchangeActiveSync", "IMAP4": "other", "Authenticated SMTP": "other", "Other clients": "other", "": "", "Quantum": ""} {
		if got := ClientAppType(raw); got != want {
			t.Errorf("ClientAppType(%q) = %q, want %q", raw, got, want)
		}
	}
	for raw, want := range map[string]string{"Windows10": "windows", "Windows 11": "windows", "Ios": "iOS", "Android": "android",
		"MacOs": "macOS", "Linux": "linux", "Windows Phone": "windowsPhone", "ChromeOS": "", "": ""} {
		if got := PlatformOf(raw); got != want {
			t.Errorf("PlatformOf(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestEvaluateOverallStatus(t *testing.T) {
	mfa, block := pol(), pol()
	block.ID, block.DisplayName, block.BuiltInControls, block.ClientAppTypes = "p2", "Block legacy", []string{"block"}, []string{"exchangeActiveSync", "other"}
	ro := pol()
	ro.ID, ro.State, ro.BuiltInControls = "p3", StateReportOnly, []string{"block"}
	in := base()
	if ev := Evaluate(in, []source.CAPolicy{mfa, block, ro}, nil); ev.Status != "success" || !strings.Contains(ev.StatusReason, "P1") {
		t.Errorf("status %s (%s), want success via P1 (report-only never enforces)", ev.Status, ev.StatusReason)
	}
	in.ClientAppUsed, in.ClientAppType = "POP3", "other"
	if ev := Evaluate(in, []source.CAPolicy{mfa, block, ro}, nil); ev.Status != "failure" || !strings.Contains(ev.StatusReason, "Block legacy") {
		t.Errorf("status %s (%s), want failure via Block legacy", ev.Status, ev.StatusReason)
	}
	in = base()
	in.MFA = Unknown
	if ev := Evaluate(in, []source.CAPolicy{mfa}, nil); ev.Status != "undecidable" {
		t.Errorf("status %s, want undecidable", ev.Status)
	}
	in.PrimaryAuthFailed = true
	if ev := Evaluate(in, []source.CAPolicy{mfa}, nil); ev.Status != "notApplied" {
		t.Errorf("status %s, want notApplied", ev.Status)
	}
	if ev := Evaluate(base(), nil, nil); ev.Status != "notApplied" {
		t.Errorf("no policies: %s", ev.Status)
	}
}

func TestDeviceFilterHostile(t *testing.T) {
	d := Device{ID: "x", DisplayName: "A", Known: true}
	for _, rule := range []string{strings.Repeat("(", 5000), strings.Repeat("(", 100) + `device.displayName -eq "A"` + strings.Repeat(")", 100),
		`device.displayName -eq`, `device.displayName -frob "a"`, `displayName -eq "a"`, `"unterminated`, `device.displayName -in ["a"`, "-not -not -not"} {
		if got, why := MatchDeviceFilter(rule, d); got != Unknown || why == "" {
			t.Errorf("rule %.40q = %s (%s), want unknown with a reason", rule, got, why)
		}
	}
	if got, _ := MatchDeviceFilter(`-not (device.displayName -eq "B")`, d); got != Yes {
		t.Errorf("-not rule = %s", got)
	}
}
