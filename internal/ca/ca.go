// Package ca evaluates Microsoft Entra Conditional Access policies against a
// sign-in and explains, per policy, which conditions matched, which grant and
// session controls applied and whether they were satisfied — yielding the
// result Graph records in a sign-in's appliedConditionalAccessPolicies
// (success, failure, notApplied, notEnabled, reportOnlySuccess,
// reportOnlyFailure, reportOnlyNotApplied, reportOnlyInterrupted).
//
// The semantics follow Microsoft's published Conditional Access documentation:
//
//   - every configured condition must match for a policy to apply; a condition
//     that is not configured matches everything;
//   - within a condition, exclusions beat inclusions (users, groups, roles,
//     guest types, applications, platforms, locations);
//   - "All" users includes guests and external users unless they are excluded
//     through excludeGuestsOrExternalUsers;
//   - legacy authentication is the exchangeActiveSync and other client types;
//   - a disabled policy is notEnabled; a report-only policy
//     (enabledForReportingButNotEnforced) is evaluated the same way but never
//     enforces, and its results carry the reportOnly prefix — Failure when it
//     would have blocked, Interrupted when it would have asked the user to do
//     something (MFA, terms of use, password change, an authentication strength);
//   - the block grant control fails whenever the policy applies; AND needs every
//     control, OR any one of them;
//   - Conditional Access runs after the first factor: when primary
//     authentication failed, no policy was evaluated.
//
// Facts the data does not carry are never guessed: a condition or control
// whose inputs are missing (a device-filter attribute the sign-in does not
// record, which methods satisfied an authentication strength, whether terms of
// use were accepted, a named location that does not exist) is Undecidable with
// the reason, and so is the policy's result when the undecided part could
// change it. Three-valued logic (Tri) carries the uncertainty through AND/OR.
//
// The package is pure (standard library plus internal/source types) and never
// panics on hostile input.
package ca

import (
	"time"

	"github.com/secmcp/secmcp/internal/source"
)

// Tri is a three-valued truth: yes, no or unknown.
type Tri string

// Tri values.
const (
	Yes     Tri = "yes"
	No      Tri = "no"
	Unknown Tri = "unknown"
)

// TriOf converts a bool.
func TriOf(b bool) Tri {
	if b {
		return Yes
	}
	return No
}

// and3 is Kleene AND.
func and3(a, b Tri) Tri {
	switch {
	case a == No || b == No:
		return No
	case a == Unknown || b == Unknown:
		return Unknown
	}
	return Yes
}

// or3 is Kleene OR.
func or3(a, b Tri) Tri {
	switch {
	case a == Yes || b == Yes:
		return Yes
	case a == Unknown || b == Unknown:
		return Unknown
	}
	return No
}

func not3(a Tri) Tri {
	switch a {
	case Yes:
		return No
	case No:
		return Yes
	}
	return Unknown
}

// Verdict is a condition's outcome for the sign-in.
type Verdict string

// Condition verdicts.
const (
	Match         Verdict = "match"         // the condition includes the sign-in (and does not exclude it)
	NoMatch       Verdict = "noMatch"       // the sign-in is not included, or is excluded
	Undecidable   Verdict = "undecidable"   // the data does not say
	NotConfigured Verdict = "notConfigured" // the policy does not set this condition: it matches everything
)

// Policy outcomes (the evaluator's own vocabulary, next to Graph's Result).
const (
	OutcomeApplied     = "applied"     // enabled policy whose conditions all matched
	OutcomeReportOnly  = "reportOnly"  // report-only policy whose conditions all matched
	OutcomeNotApplied  = "notApplied"  // some condition did not match (or CA was not evaluated)
	OutcomeNotEnabled  = "notEnabled"  // the policy is disabled
	OutcomeUndecidable = "undecidable" // the data does not decide the result
)

// Policy states as Graph spells them.
const (
	StateEnabled    = "enabled"
	StateDisabled   = "disabled"
	StateReportOnly = "enabledForReportingButNotEnforced"
)

// Device is what the sign-in says about the device.
type Device struct {
	// ID is the Entra device ID; empty for an unregistered device.
	ID              string `json:"deviceId,omitempty"`
	DisplayName     string `json:"displayName,omitempty"`
	OperatingSystem string `json:"operatingSystem,omitempty"`
	// TrustType as sign-in logs spell it: "Azure AD joined", "Hybrid Azure AD
	// joined", "Azure AD registered" (or the device-filter forms AzureAD,
	// ServerAD, Workplace).
	TrustType string `json:"trustType,omitempty"`
	Compliant Tri    `json:"compliant"`
	// Known is false when nothing is known about the device (a hypothetical
	// sign-in that did not describe it).
	Known bool `json:"known"`
}

// Registered reports whether the device is registered in Entra ID.
func (d Device) Registered() bool { return d.ID != "" || d.TrustType != "" }

// SignIn is the sign-in as Conditional Access sees it. Build one from a
// recorded sign-in with FromSignIn, or fill it for a what-if evaluation.
type SignIn struct {
	ID   string    `json:"id,omitempty"`
	Time time.Time `json:"time,omitempty"`
	// User carries the user's ID, UPN, userType, group IDs and directory role
	// template IDs. MembershipUnknown marks a user whose groups, roles and
	// userType could not be read (only the ID and UPN are known).
	User              source.User `json:"user"`
	MembershipUnknown bool        `json:"membershipUnknown,omitempty"`
	// AppID is the client application; ResourceID the resource (cloud app) the
	// token was for. Either may be empty; both are matched against the
	// policy's applications.
	AppID        string `json:"appId,omitempty"`
	AppName      string `json:"appName,omitempty"`
	ResourceID   string `json:"resourceId,omitempty"`
	ResourceName string `json:"resourceName,omitempty"`
	// ClientAppUsed is the raw value; ClientAppType its CA client app type
	// (browser, mobileAppsAndDesktopClients, exchangeActiveSync, other; "" unknown).
	ClientAppUsed string `json:"clientAppUsed,omitempty"`
	ClientAppType string `json:"clientAppType,omitempty"`
	// Platform is the CA device platform (android, iOS, windows, windowsPhone,
	// macOS, linux); "" is an unknown platform, PlatformKnown false means the
	// platform was not given at all.
	Platform      string `json:"platform,omitempty"`
	PlatformKnown bool   `json:"platformKnown"`
	IPAddress     string `json:"ipAddress,omitempty"`
	// Country is the two-letter country of the sign-in; "" with CountryKnown
	// is a sign-in that could not be located (an "unknown country/region").
	Country      string `json:"country,omitempty"`
	CountryKnown bool   `json:"countryKnown"`
	// SignInRisk and UserRisk are none, low, medium or high; "" is unknown.
	SignInRisk     string `json:"signInRisk,omitempty"`
	UserRisk       string `json:"userRisk,omitempty"`
	UserRiskSource string `json:"userRiskSource,omitempty"`
	Device         Device `json:"device"`
	// MFA says whether multifactor authentication was satisfied; MFAEvidence why.
	MFA         Tri    `json:"mfa"`
	MFAEvidence string `json:"mfaEvidence,omitempty"`
	// PrimaryAuthFailed marks a sign-in that failed its first factor, so
	// Conditional Access was never evaluated; ErrorCode is the recorded code.
	PrimaryAuthFailed bool  `json:"primaryAuthFailed,omitempty"`
	ErrorCode         int32 `json:"errorCode,omitempty"`
	// Succeeded is Yes when the sign-in was recorded as successful: every
	// enforced policy that applied was then satisfied, which decides
	// controls the log does not detail (terms of use, password change,
	// app protection, authentication strength methods). Unknown for what-if.
	Succeeded Tri `json:"succeeded"`
}

// Condition is one condition's verdict with the values compared.
type Condition struct {
	Name    string  `json:"name"`
	Verdict Verdict `json:"verdict"`
	Detail  string  `json:"detail"`
}

// Control is one grant control's check.
type Control struct {
	// Name is the Graph builtInControls value (mfa, compliantDevice, ...),
	// "authenticationStrength" or "termsOfUse".
	Name      string `json:"name"`
	Satisfied Tri    `json:"satisfied"`
	Detail    string `json:"detail"`
	// Interactive controls are ones the user can satisfy by doing something
	// (MFA, terms of use, password change): a report-only policy that misses
	// one records reportOnlyInterrupted instead of reportOnlyFailure.
	Interactive bool `json:"interactive"`
}

// Grant is the evaluation of a policy's grant controls.
type Grant struct {
	Operator  string    `json:"operator,omitempty"`
	Controls  []Control `json:"controls"`
	Satisfied Tri       `json:"satisfied"`
	Detail    string    `json:"detail"`
}

// PolicyResult is one policy's evaluation.
type PolicyResult struct {
	PolicyID    string `json:"policyId"`
	DisplayName string `json:"displayName"`
	State       string `json:"state"`
	// Outcome is applied, reportOnly, notApplied, notEnabled or undecidable.
	Outcome string `json:"outcome"`
	// Result is the Graph appliedConditionalAccessPolicy result, or "" when
	// Undecidable; Candidates then lists the results the data allows.
	Result     string      `json:"result,omitempty"`
	Candidates []string    `json:"candidates,omitempty"`
	Reason     string      `json:"reason"`
	Conditions []Condition `json:"conditions"`
	Grant      *Grant      `json:"grant,omitempty"`
	// Session lists the session controls the policy sets (applied when the
	// policy applies; they never make a sign-in fail).
	Session []string `json:"sessionControls,omitempty"`
}

// Undecidable reports whether the data does not decide the result.
func (r PolicyResult) Undecidable() bool { return r.Result == "" }

// Evaluation is every policy's result and the overall status.
type Evaluation struct {
	Policies []PolicyResult `json:"policies"`
	// Status is the expected conditionalAccessStatus: success, failure,
	// notApplied, or "undecidable".
	Status string `json:"status"`
	// StatusReason names the policies that decided Status.
	StatusReason string `json:"statusReason"`
}
