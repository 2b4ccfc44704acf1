package ca

import (
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/source"
)

const (
	gFinance  = "038f477f-4937-4a5c-b13d-cd5f60e81cf4"
	gBreak    = "6bf4dfe4-0208-46ec-9d57-861dd0d43a62"
	rGA       = "62e90394-69f5-4237-9190-012177145e10"
	locHQ     = "4e672da9-7ec1-4b32-b792-ba6877b67ac1"
	locBranch = "11111111-1111-1111-1111-111111111111"
	locBad    = "7e2c59d3-93db-4402-b500-d58ce7361702"
	locUnk    = "22222222-2222-2222-2222-222222222222"
	appEXO    = "00000002-0000-0ff1-ce00-000000000000"
	appTeams  = "1fec8e78-bce4-4aaf-ab1b-5451cc387264"
)

var testLocs = []source.NamedLocation{
	{ID: locHQ, DisplayName: "HQ", Kind: "ip", IsTrusted: true, IPRanges: []string{"203.0.113.0/28"}},
	{ID: locBranch, DisplayName: "Branch", Kind: "ip", IPRanges: []string{"198.51.100.0/24", "2001:db8::/32"}},
	{ID: locBad, DisplayName: "Blocked countries", Kind: "country", Countries: []string{"KP", "RU"}},
	{ID: locUnk, DisplayName: "Unknown too", Kind: "country", Countries: []string{"IR"}, IncludeUnknownCountries: true},
}

// base is a compliant, MFA-satisfied member browser sign-in to Exchange from a non-trusted IP in the US.
func base() SignIn {
	return SignIn{
		ID:    "s1",
		User:  source.User{ID: "u1", UserPrincipalName: "ann@contoso.com", UserType: "Member", Groups: []string{gFinance}},
		AppID: appEXO, AppName: "Office 365 Exchange Online", ResourceID: appEXO,
		ClientAppUsed: "Browser", ClientAppType: "browser", Platform: "windows", PlatformKnown: true,
		IPAddress: "192.0.2.10", Country: "US", CountryKnown: true, SignInRisk: "none", UserRisk: "none",
		Device: Device{ID: "d1", DisplayName: "CT-LT-1", OperatingSystem: "Windows10", TrustType: "Azure AD joined", Compliant: Yes, Known: true},
		MFA:    Yes, Succeeded: Unknown,
	}
}

// pol is an enabled policy for All users and All apps requiring MFA.
func pol() source.CAPolicy {
	return source.CAPolicy{ID: "p1", DisplayName: "P1", State: StateEnabled, IncludeUsers: []string{"All"},
		IncludeApplications: []string{"All"}, ClientAppTypes: []string{"all"}, GrantOperator: "OR", BuiltInControls: []string{"mfa"}}
}

type caseT struct {
	name   string
	in     func(*SignIn)
	p      func(*source.CAPolicy)
	want   string // Graph result, or "" for undecidable
	reason string // substring of the reason or a condition detail
}

func TestEvaluatePolicy(t *testing.T) {
	cases := []caseT{
		// users
		{"all users included", nil, nil, "success", "included via All users"},
		{"excluded user beats All", nil, func(p *source.CAPolicy) { p.ExcludeUsers = []string{"u1"} }, "notApplied", "excluded via user u1"},
		{"excluded group beats included group", nil, func(p *source.CAPolicy) {
			p.IncludeUsers, p.IncludeGroups, p.ExcludeGroups = nil, []string{gFinance}, []string{gFinance}
		}, "notApplied", "exclusions beat inclusions"},
		{"included via group", nil, func(p *source.CAPolicy) { p.IncludeUsers, p.IncludeGroups = nil, []string{gFinance} }, "success", "included via group " + gFinance},
		{"not in included group", nil, func(p *source.CAPolicy) { p.IncludeUsers, p.IncludeGroups = nil, []string{gBreak} }, "notApplied", "is not included"},
		{"emergency access group excluded", func(s *SignIn) { s.User.Groups = append(s.User.Groups, gBreak) },
			func(p *source.CAPolicy) { p.ExcludeGroups = []string{gBreak} }, "notApplied", "excluded via group " + gBreak},
		{"directory role included", func(s *SignIn) { s.User.Roles = []string{rGA} },
			func(p *source.CAPolicy) { p.IncludeUsers, p.IncludeRoles = nil, []string{rGA} }, "success", "Global Administrator"},
		{"role holder excluded by role", func(s *SignIn) { s.User.Roles = []string{rGA} },
			func(p *source.CAPolicy) { p.ExcludeRoles = []string{rGA} }, "notApplied", "excluded via directory role"},
		{"non-admin not in role policy", nil, func(p *source.CAPolicy) { p.IncludeUsers, p.IncludeRoles = nil, []string{rGA} }, "notApplied", "not included"},
		{"all users includes guests", func(s *SignIn) {
			s.User.UserType, s.User.UserPrincipalName = "Guest", "x_fab.example#EXT#@contoso.onmicrosoft.com"
		},
			nil, "success", "All users"},
		{"all users except guests: guest excluded", func(s *SignIn) {
			s.User.UserType, s.User.UserPrincipalName = "Guest", "x_fab.example#EXT#@contoso.onmicrosoft.com"
		},
			func(p *source.CAPolicy) { p.ExcludeGuestsOrExternalUsers = "internalGuest,b2bCollaborationGuest" }, "notApplied", "b2bCollaborationGuest"},
		{"all users except guests: member included", nil,
			func(p *source.CAPolicy) { p.ExcludeGuestsOrExternalUsers = "internalGuest,b2bCollaborationGuest" }, "success", "not excluded"},
		{"guest policy includes b2b guest", func(s *SignIn) { s.User.UserType, s.User.UserPrincipalName = "Guest", "x#EXT#@contoso.onmicrosoft.com" },
			func(p *source.CAPolicy) {
				p.IncludeUsers, p.IncludeGuestsOrExternalUsers = nil, "b2bCollaborationGuest"
			}, "success", "guest or external user type"},
		{"guest policy skips member", nil,
			func(p *source.CAPolicy) {
				p.IncludeUsers, p.IncludeGuestsOrExternalUsers = nil, "b2bCollaborationGuest"
			}, "notApplied", "not included"},
		{"guest type unknown is undecidable", func(s *SignIn) { s.User.UserType = "" },
			func(p *source.CAPolicy) { p.IncludeUsers, p.IncludeGuestsOrExternalUsers = nil, "internalGuest" }, "", "userType is not known"},
		{"memberships unknown: group policy undecidable", func(s *SignIn) { s.MembershipUnknown = true },
			func(p *source.CAPolicy) { p.IncludeUsers, p.IncludeGroups = nil, []string{gFinance} }, "", "memberships could not be read"},
		{"memberships unknown: All users still decides", func(s *SignIn) { s.MembershipUnknown = true }, nil, "success", "All users"},
		// applications
		{"app excluded beats All", nil, func(p *source.CAPolicy) { p.ExcludeApplications = []string{appEXO} }, "notApplied", "excluded via application ID"},
		{"Office365 app group includes Teams client", func(s *SignIn) { s.AppID, s.ResourceID = appTeams, "" },
			func(p *source.CAPolicy) { p.IncludeApplications = []string{"Office365"} }, "success", "app group Office365"},
		{"Azure management via Azure Portal", func(s *SignIn) { s.AppID, s.ResourceID = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "" },
			func(p *source.CAPolicy) { p.IncludeApplications = []string{azureMgmtID} }, "success", "contains app c44b4083"},
		{"specific app not matched", nil, func(p *source.CAPolicy) { p.IncludeApplications = []string{azureMgmtID} }, "notApplied", "not among the included applications"},
		{"unknown app with specific include is undecidable", func(s *SignIn) { s.AppID, s.ResourceID = "", "" },
			func(p *source.CAPolicy) { p.IncludeApplications = []string{azureMgmtID} }, "", "application is not known"},
		// client apps
		{"legacy EAS included", func(s *SignIn) { s.ClientAppUsed, s.ClientAppType = "Exchange ActiveSync", "exchangeActiveSync" },
			func(p *source.CAPolicy) {
				p.ClientAppTypes, p.BuiltInControls = []string{"exchangeActiveSync", "other"}, []string{"block"}
			}, "failure", "legacy authentication client"},
		{"legacy IMAP is other", func(s *SignIn) { s.ClientAppUsed, s.ClientAppType = "IMAP4", ClientAppType("IMAP4") },
			func(p *source.CAPolicy) {
				p.ClientAppTypes, p.BuiltInControls = []string{"exchangeActiveSync", "other"}, []string{"block"}
			}, "failure", "is other"},
		{"modern browser not legacy", nil,
			func(p *source.CAPolicy) {
				p.ClientAppTypes, p.BuiltInControls = []string{"exchangeActiveSync", "other"}, []string{"block"}
			}, "notApplied", "not among exchangeActiveSync, other"},
		// platforms
		{"platform excluded beats all", nil, func(p *source.CAPolicy) {
			p.IncludePlatforms, p.ExcludePlatforms = []string{"all"}, []string{"windows"}
		}, "notApplied", "excluded"},
		{"unknown platform included by all", func(s *SignIn) { s.Platform = "" },
			func(p *source.CAPolicy) {
				p.IncludePlatforms, p.ExcludePlatforms, p.BuiltInControls = []string{"all"}, []string{"android", "iOS", "windows", "macOS"}, []string{"block"}
			}, "failure", "unknown/unsupported platform"},
		{"linux not in windows/macOS", func(s *SignIn) { s.Platform = "linux" },
			func(p *source.CAPolicy) { p.IncludePlatforms = []string{"windows", "macOS"} }, "notApplied", "not among the included platforms"},
		{"platform not given is undecidable", func(s *SignIn) { s.PlatformKnown = false },
			func(p *source.CAPolicy) { p.IncludePlatforms = []string{"iOS"} }, "", "platform is not known"},
		// locations
		{"trusted location excluded", func(s *SignIn) { s.IPAddress = "203.0.113.7" },
			func(p *source.CAPolicy) {
				p.IncludeLocations, p.ExcludeLocations = []string{"All"}, []string{"AllTrusted"}
			}, "notApplied", "203.0.113.7 is in the trusted named location 'HQ'"},
		{"outside trusted locations applies", nil,
			func(p *source.CAPolicy) {
				p.IncludeLocations, p.ExcludeLocations = []string{"All"}, []string{"AllTrusted"}
			}, "success", "none of the trusted named locations"},
		{"named IP location excluded by ID (IPv6)", func(s *SignIn) { s.IPAddress = "2001:db8::5" },
			func(p *source.CAPolicy) {
				p.IncludeLocations, p.ExcludeLocations = []string{"All"}, []string{locBranch}
			}, "notApplied", "'Branch'"},
		{"blocked country included", func(s *SignIn) { s.Country = "RU" },
			func(p *source.CAPolicy) { p.IncludeLocations, p.BuiltInControls = []string{locBad}, []string{"block"} }, "failure", "country RU is in the named location 'Blocked countries'"},
		{"country not in list", nil,
			func(p *source.CAPolicy) { p.IncludeLocations, p.BuiltInControls = []string{locBad}, []string{"block"} }, "notApplied", "country US is not in"},
		{"unknown country included when the location says so", func(s *SignIn) { s.Country = "" },
			func(p *source.CAPolicy) { p.IncludeLocations, p.BuiltInControls = []string{locUnk}, []string{"block"} }, "failure", "includes unknown countries"},
		{"unknown country not included otherwise", func(s *SignIn) { s.Country = "" },
			func(p *source.CAPolicy) { p.IncludeLocations, p.BuiltInControls = []string{locBad}, []string{"block"} }, "notApplied", "does not include unknown"},
		{"missing named location is undecidable", nil,
			func(p *source.CAPolicy) { p.IncludeLocations = []string{"33333333-3333-3333-3333-333333333333"} }, "", "not among the named locations read"},
		// risk
		{"high sign-in risk blocked", func(s *SignIn) { s.SignInRisk = "high" },
			func(p *source.CAPolicy) { p.SignInRiskLevels, p.BuiltInControls = []string{"high"}, []string{"block"} }, "failure", "sign-in risk high"},
		{"medium risk not in high-only policy", func(s *SignIn) { s.SignInRisk = "medium" },
			func(p *source.CAPolicy) { p.SignInRiskLevels = []string{"high"} }, "notApplied", "not one of the policy's levels"},
		{"hidden risk undecidable", func(s *SignIn) { s.SignInRisk = "" },
			func(p *source.CAPolicy) { p.SignInRiskLevels = []string{"high"} }, "", "sign-in risk is not known"},
		{"high user risk: mfa AND password change unknown", func(s *SignIn) { s.UserRisk = "high" },
			func(p *source.CAPolicy) {
				p.UserRiskLevels, p.GrantOperator, p.BuiltInControls = []string{"high"}, "AND", []string{"mfa", "passwordChange"}
			}, "", "password change"},
		{"high user risk: recorded success decides password change", func(s *SignIn) { s.UserRisk, s.Succeeded = "high", Yes },
			func(p *source.CAPolicy) {
				p.UserRiskLevels, p.GrantOperator, p.BuiltInControls = []string{"high"}, "AND", []string{"mfa", "passwordChange"}
			}, "success", "sign-in succeeded"},
		{"user risk none not in policy", nil, func(p *source.CAPolicy) { p.UserRiskLevels = []string{"high"} }, "notApplied", "user risk none"},
		// device filters
		{"device filter include matches kiosk", func(s *SignIn) { s.Device.DisplayName = "CT-KIOSK-07" },
			func(p *source.CAPolicy) {
				p.DeviceFilterMode, p.DeviceFilterRule, p.BuiltInControls = "include", `device.displayName -startsWith "CT-KIOSK"`, []string{"block"}
			}, "failure", "in scope"},
		{"device filter include misses laptop", nil,
			func(p *source.CAPolicy) {
				p.DeviceFilterMode, p.DeviceFilterRule = "include", `device.displayName -startsWith "CT-KIOSK"`
			}, "notApplied", "out of scope"},
		{"device filter exclude removes kiosk", func(s *SignIn) { s.Device.DisplayName = "ct-kiosk-01" },
			func(p *source.CAPolicy) {
				p.DeviceFilterMode, p.DeviceFilterRule = "exclude", `device.displayName -startsWith "CT-KIOSK"`
			}, "notApplied", "out of scope"},
		{"device filter exclude keeps unregistered device", func(s *SignIn) { s.Device = Device{Known: true, Compliant: No} },
			func(p *source.CAPolicy) {
				p.DeviceFilterMode, p.DeviceFilterRule = "exclude", `device.displayName -startsWith "CT-KIOSK"`
			}, "success", "null (unregistered device)"},
		{"device filter include with negative operator on unregistered", func(s *SignIn) { s.Device = Device{Known: true, Compliant: No} },
			func(p *source.CAPolicy) {
				p.DeviceFilterMode, p.DeviceFilterRule = "include", `device.trustType -ne "ServerAD"`
			}, "success", "in scope"},
		{"device filter on unrecorded attribute", nil,
			func(p *source.CAPolicy) {
				p.DeviceFilterMode, p.DeviceFilterRule = "include", `device.extensionAttribute1 -eq "SAW"`
			}, "", "not recorded on the sign-in"},
		{"device filter and/or with trustType", nil,
			func(p *source.CAPolicy) {
				p.DeviceFilterMode, p.DeviceFilterRule = "include", `(device.trustType -eq "ServerAD" -or device.trustType -eq "AzureAD") -and device.isCompliant -eq True`
			}, "success", "in scope"},
		{"device filter unknown attribute short-circuited by or", nil,
			func(p *source.CAPolicy) {
				p.DeviceFilterMode, p.DeviceFilterRule = "include", `device.displayName -in ["CT-LT-1","X"] -or device.model -eq "Kiosk"`
			}, "success", "in scope"},
		{"device filter that does not parse", nil,
			func(p *source.CAPolicy) {
				p.DeviceFilterMode, p.DeviceFilterRule = "include", `device.displayName -startsWith (`
			}, "", "does not parse"},
		// grant controls
		{"mfa not done fails", func(s *SignIn) { s.MFA = No }, nil, "failure", "mfa not satisfied"},
		{"mfa unknown undecidable", func(s *SignIn) { s.MFA = Unknown }, nil, "", "mfa undecidable"},
		{"OR: compliant satisfies compliant-or-hybrid", nil,
			func(p *source.CAPolicy) { p.BuiltInControls = []string{"compliantDevice", "domainJoinedDevice"} }, "success", "any one of"},
		{"OR: neither compliant nor hybrid fails", func(s *SignIn) { s.Device.Compliant = No },
			func(p *source.CAPolicy) { p.BuiltInControls = []string{"compliantDevice", "domainJoinedDevice"} }, "failure", "not hybrid joined"},
		{"OR: hybrid joined satisfies", func(s *SignIn) { s.Device.Compliant, s.Device.TrustType = No, "Hybrid Azure AD joined" },
			func(p *source.CAPolicy) { p.BuiltInControls = []string{"compliantDevice", "domainJoinedDevice"} }, "success", "Hybrid Azure AD joined"},
		{"AND: mfa and compliant, device fails", func(s *SignIn) { s.Device.Compliant = No },
			func(p *source.CAPolicy) {
				p.GrantOperator, p.BuiltInControls = "AND", []string{"mfa", "compliantDevice"}
			}, "failure", "all of"},
		{"AND: mfa and compliant both satisfied", nil,
			func(p *source.CAPolicy) {
				p.GrantOperator, p.BuiltInControls = "AND", []string{"mfa", "compliantDevice"}
			}, "success", "all of"},
		{"unregistered device is not compliant", func(s *SignIn) { s.Device = Device{Known: true, Compliant: No} },
			func(p *source.CAPolicy) { p.BuiltInControls = []string{"compliantDevice"} }, "failure", "not registered"},
		{"block always fails", nil, func(p *source.CAPolicy) { p.BuiltInControls = []string{"block"} }, "failure", "blocks whenever it applies"},
		{"session-only policy succeeds", nil, func(p *source.CAPolicy) {
			p.BuiltInControls, p.SessionControls = nil, []string{"signInFrequency"}
		}, "success", "session controls signInFrequency"},
		{"MFA strength satisfied by MFA", nil, func(p *source.CAPolicy) {
			p.BuiltInControls, p.AuthenticationStrength = nil, "Multifactor authentication"
		}, "success", "any MFA"},
		{"phishing-resistant strength with MFA is undecidable", nil,
			func(p *source.CAPolicy) { p.BuiltInControls, p.AuthenticationStrength = nil, "Phishing-resistant MFA" }, "", "which methods"},
		{"phishing-resistant strength without MFA fails", func(s *SignIn) { s.MFA = No },
			func(p *source.CAPolicy) { p.BuiltInControls, p.AuthenticationStrength = nil, "Phishing-resistant MFA" }, "failure", "not satisfied"},
		{"terms of use undecidable", nil, func(p *source.CAPolicy) { p.BuiltInControls, p.TermsOfUse = nil, []string{"tou-1"} }, "", "terms of use"},
		{"approved client app on iOS Teams", func(s *SignIn) {
			s.AppID, s.Platform, s.ClientAppType, s.ClientAppUsed = appTeams, "iOS", "mobileAppsAndDesktopClients", "Mobile Apps and Desktop clients"
		}, func(p *source.CAPolicy) { p.BuiltInControls = []string{"approvedApplication", "compliantApplication"} }, "success", "approved client app"},
		{"approved client app fails on EAS", func(s *SignIn) {
			s.AppID, s.Platform, s.ClientAppType, s.ClientAppUsed = appTeams, "iOS", "exchangeActiveSync", "Exchange ActiveSync"
		}, func(p *source.CAPolicy) { p.BuiltInControls = []string{"approvedApplication", "compliantApplication"} }, "failure", "legacy authentication"},
		// states
		{"disabled policy is notEnabled", nil, func(p *source.CAPolicy) { p.State = StateDisabled }, "notEnabled", "disabled"},
		{"report-only success", nil, func(p *source.CAPolicy) { p.State = StateReportOnly }, "reportOnlySuccess", "never enforced"},
		{"report-only block is failure", nil, func(p *source.CAPolicy) { p.State, p.BuiltInControls = StateReportOnly, []string{"block"} }, "reportOnlyFailure", "report-only"},
		{"report-only missing MFA is interrupted", func(s *SignIn) { s.MFA = No }, func(p *source.CAPolicy) { p.State = StateReportOnly }, "reportOnlyInterrupted", "report-only"},
		{"report-only non-compliant device is failure", func(s *SignIn) { s.Device.Compliant = No },
			func(p *source.CAPolicy) { p.State, p.BuiltInControls = StateReportOnly, []string{"compliantDevice"} }, "reportOnlyFailure", "not compliant"},
		{"report-only not applied", nil, func(p *source.CAPolicy) { p.State, p.ExcludeUsers = StateReportOnly, []string{"u1"} }, "reportOnlyNotApplied", "excluded"},
		{"report-only success never inferred from sign-in outcome", func(s *SignIn) { s.Succeeded = Yes },
			func(p *source.CAPolicy) {
				p.State, p.BuiltInControls, p.TermsOfUse = StateReportOnly, nil, []string{"tou"}
			}, "", "terms of use"},
		{"primary auth failure: not evaluated", func(s *SignIn) { s.PrimaryAuthFailed, s.ErrorCode = true, 50126 }, nil, "notApplied", "primary authentication failed"},
		{"primary auth failure: report-only not applied", func(s *SignIn) { s.PrimaryAuthFailed, s.ErrorCode = true, 50126 },
			func(p *source.CAPolicy) { p.State = StateReportOnly }, "reportOnlyNotApplied", "not evaluated"},
		{"a non-matching condition beats an undecidable one", func(s *SignIn) { s.SignInRisk = "" },
			func(p *source.CAPolicy) { p.SignInRiskLevels, p.ExcludeUsers = []string{"high"}, []string{"u1"} }, "notApplied", "excluded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in, p := base(), pol()
			if tc.in != nil {
				tc.in(&in)
			}
			if tc.p != nil {
				tc.p(&p)
			}
			r := EvaluatePolicy(in, p, testLocs)
			if r.Result != tc.want {
				t.Fatalf("result %q, want %q\n%s", r.Result, tc.want, dump(r))
			}
			if !strings.Contains(dump(r), tc.reason) {
				t.Fatalf("explanation lacks %q:\n%s", tc.reason, dump(r))
			}
			if r.Undecidable() && (len(r.Candidates) < 2 || r.Outcome != OutcomeUndecidable) {
				t.Fatalf("undecidable result needs ≥2 candidates and outcome undecidable: %+v", r)
			}
		})
	}
}

func dump(r PolicyResult) string {
	var b strings.Builder
	b.WriteString(r.Outcome + " " + r.Result + ": " + r.Reason + "\n")
	for _, c := range r.Conditions {
		b.WriteString("  " + c.Name + " " + string(c.Verdict) + ": " + c.Detail + "\n")
	}
	if r.Grant != nil {
		b.WriteString("  grant: " + r.Grant.Detail + "\n")
	}
	return b.String()
}
