package ca

import (
	"fmt"
	"slices"
	"strings"

	"github.com/secmcp/secmcp/internal/source"
)

// RiskContext is what riskyUsers says about the sign-in's user: Listed is
// true when the riskyUsers listing was read (so a nil User means the user has
// never been risky).
type RiskContext struct {
	Listed bool
	User   *source.RiskyUser
}

// primaryAuthFailures are sign-in error codes raised by the first factor
// (bad password, locked, disabled, unknown user, expired password), before
// Conditional Access runs.
var primaryAuthFailures = []int32{50034, 50053, 50055, 50056, 50057, 50064, 50126, 50144}

// mfaNotCompleted are error codes that mean the MFA challenge was not passed.
var mfaNotCompleted = []int32{50074, 50076, 50079, 50158, 500121}

// FromSignIn builds the evaluator's view of a recorded sign-in. u is the
// user (with groups and role template IDs); risk is the riskyUsers context.
func FromSignIn(s source.SignIn, u source.User, risk RiskContext) SignIn {
	in := SignIn{
		ID: s.ID, Time: s.CreatedDateTime, User: u,
		AppID: s.AppID, AppName: s.AppDisplayName, ResourceName: s.ResourceDisplayName,
		ClientAppUsed: s.ClientAppUsed, ClientAppType: ClientAppType(s.ClientAppUsed),
		Platform: PlatformOf(s.OperatingSystem), PlatformKnown: true,
		IPAddress: s.IPAddress, Country: strings.ToUpper(s.CountryOrRegion), CountryKnown: true,
		SignInRisk: riskLevel(s.RiskLevelDuringSignIn),
		ErrorCode:  s.ErrorCode, Succeeded: TriOf(s.ErrorCode == 0),
		PrimaryAuthFailed: slices.Contains(primaryAuthFailures, s.ErrorCode),
	}
	if in.User.UserPrincipalName == "" {
		in.User.UserPrincipalName = s.UserPrincipalName
	}
	if in.User.ID == "" {
		in.User.ID = s.UserID
	}
	if a, ok := LookupApp(s.ResourceDisplayName); ok {
		in.ResourceID = a.ID
	}
	in.Device = Device{ID: s.DeviceID, DisplayName: s.DeviceName, OperatingSystem: s.OperatingSystem,
		TrustType: s.TrustType, Known: true}
	in.Device.Compliant = TriOf(in.Device.Registered() && s.IsCompliant)
	in.MFA, in.MFAEvidence = mfaOf(s)
	in.UserRisk, in.UserRiskSource = userRiskOf(s, risk)
	return in
}

// mfaOf reads whether MFA was completed from v1.0 fields only: the beta
// authenticationRequirement / mfaDetail / authenticationDetails are not in
// v1.0 sign-ins (contract: signIn), so where status.additionalDetails and the
// error code do not say, the answer is Unknown ("unknown from v1.0").
func mfaOf(s source.SignIn) (Tri, string) {
	d := strings.ToLower(s.AdditionalDetails)
	switch {
	case s.MFASatisfied:
		return Yes, fmt.Sprintf("the sign-in's additionalDetails record MFA as completed (%q)", s.AdditionalDetails)
	case slices.Contains(mfaNotCompleted, s.ErrorCode):
		return No, fmt.Sprintf("error %d: the MFA challenge was not completed", s.ErrorCode)
	case strings.HasPrefix(d, "first factor requirement satisfied"):
		return No, fmt.Sprintf("the sign-in's additionalDetails record only the first factor (%q)", s.AdditionalDetails)
	}
	return Unknown, fmt.Sprintf("unknown from v1.0: the sign-in (error %d) records no MFA outcome in its additionalDetails (%s)", s.ErrorCode, orDash(s.AdditionalDetails))
}

func riskLevel(s string) string {
	switch l := strings.ToLower(s); l {
	case "none", "low", "medium", "high":
		return l
	}
	return ""
}

// userRiskOf is the user risk level at sign-in time: the aggregated risk
// level recorded on the sign-in when present, else the riskyUsers state when
// it has not changed since the sign-in.
func userRiskOf(s source.SignIn, risk RiskContext) (string, string) {
	if l := riskLevel(s.RiskLevelAggregated); l != "" {
		return l, "riskLevelAggregated recorded on the sign-in"
	}
	if !risk.Listed {
		return "", "neither the sign-in nor riskyUsers records the user's risk"
	}
	if risk.User == nil {
		return "none", "the user is not in riskyUsers"
	}
	if risk.User.RiskLastUpdated.After(s.CreatedDateTime) {
		return "", fmt.Sprintf("riskyUsers changed after the sign-in (%s), so the level at sign-in time is not known", risk.User.RiskLastUpdated.UTC().Format("2006-01-02T15:04:05Z"))
	}
	return CurrentUserRisk(*risk.User)
}

// CurrentUserRisk is a risky user's current risk level: none once the risk
// was remediated, dismissed or confirmed safe.
func CurrentUserRisk(r source.RiskyUser) (string, string) {
	switch strings.ToLower(r.RiskState) {
	case "remediated", "dismissed", "confirmedsafe":
		return "none", fmt.Sprintf("riskyUsers: risk state %s", r.RiskState)
	}
	if l := riskLevel(r.RiskLevel); l != "" {
		return l, fmt.Sprintf("riskyUsers: risk level %s, state %s", r.RiskLevel, r.RiskState)
	}
	return "", fmt.Sprintf("riskyUsers: risk level %q is not known", r.RiskLevel)
}

// ClientAppType maps a sign-in's clientAppUsed to the Conditional Access
// client app type: browser, mobileAppsAndDesktopClients, exchangeActiveSync,
// or other (every other legacy protocol); "" when unknown.
func ClientAppType(clientAppUsed string) string {
	v := strings.ToLower(strings.TrimSpace(clientAppUsed))
	switch v {
	case "browser":
		return "browser"
	case "mobile apps and desktop clients", "mobileappsanddesktopclients":
		return "mobileAppsAndDesktopClients"
	case "exchange activesync", "exchangeactivesync", "eassupported":
		return "exchangeActiveSync"
	case "", "unknown":
		return ""
	}
	legacy := []string{"other clients", "other", "imap4", "imap", "pop3", "pop", "smtp", "authenticated smtp",
		"mapi over http", "exchange web services", "autodiscover", "offline address book",
		"outlook anywhere (rpc over http)", "exchange online powershell", "reporting web services",
		"universal outlook", "outlook service", "exchange remote powershell"}
	if slices.Contains(legacy, v) {
		return "other"
	}
	return ""
}

// PlatformOf maps an operatingSystem string to the Conditional Access device
// platform; "" is an unknown or unsupported platform.
func PlatformOf(os string) string {
	v := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(os), " ", ""))
	switch {
	case v == "":
		return ""
	case strings.HasPrefix(v, "windowsphone") || strings.HasPrefix(v, "windowsmobile"):
		return "windowsPhone"
	case strings.HasPrefix(v, "windows"):
		return "windows"
	case v == "ios" || v == "ipados" || strings.HasPrefix(v, "iphone") || strings.HasPrefix(v, "ipad"):
		return "iOS"
	case strings.HasPrefix(v, "android"):
		return "android"
	case strings.HasPrefix(v, "macos") || strings.HasPrefix(v, "macosx") || v == "mac" || v == "osx":
		return "macOS"
	case strings.HasPrefix(v, "linux") || v == "ubuntu":
		return "linux"
	}
	return ""
}
