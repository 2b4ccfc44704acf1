package integration

import (
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/source"
)

// Conversions from the demo tenants' Graph v1.0 JSON to source types, used by
// the corpus-wide CA agreement test to avoid 10,000 SDK round trips. They
// read the same Graph properties internal/graph reads through the SDK.

func jstr(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func jmap(m map[string]any, k string) map[string]any {
	v, _ := m[k].(map[string]any)
	return v
}

func jstrs(m map[string]any, k string) []string {
	arr, _ := m[k].([]any)
	var out []string
	for _, v := range arr {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func jbool(m map[string]any, k string) bool {
	b, _ := m[k].(bool)
	return b
}

func jtime(m map[string]any, k string) time.Time {
	t, _ := time.Parse(time.RFC3339, jstr(m, k))
	return t
}

func convPolicy(m map[string]any) source.CAPolicy {
	p := source.CAPolicy{ID: jstr(m, "id"), DisplayName: jstr(m, "displayName"), State: jstr(m, "state")}
	cs := jmap(m, "conditions")
	if u := jmap(cs, "users"); u != nil {
		p.IncludeUsers, p.ExcludeUsers = jstrs(u, "includeUsers"), jstrs(u, "excludeUsers")
		p.IncludeGroups, p.ExcludeGroups = jstrs(u, "includeGroups"), jstrs(u, "excludeGroups")
		p.IncludeRoles, p.ExcludeRoles = jstrs(u, "includeRoles"), jstrs(u, "excludeRoles")
		p.IncludeGuestsOrExternalUsers = jstr(jmap(u, "includeGuestsOrExternalUsers"), "guestOrExternalUserTypes")
		p.ExcludeGuestsOrExternalUsers = jstr(jmap(u, "excludeGuestsOrExternalUsers"), "guestOrExternalUserTypes")
	}
	if a := jmap(cs, "applications"); a != nil {
		p.IncludeApplications, p.ExcludeApplications = jstrs(a, "includeApplications"), jstrs(a, "excludeApplications")
		p.IncludeUserActions = jstrs(a, "includeUserActions")
	}
	p.ClientAppTypes = jstrs(cs, "clientAppTypes")
	if pl := jmap(cs, "platforms"); pl != nil {
		p.IncludePlatforms, p.ExcludePlatforms = jstrs(pl, "includePlatforms"), jstrs(pl, "excludePlatforms")
	}
	if l := jmap(cs, "locations"); l != nil {
		p.IncludeLocations, p.ExcludeLocations = jstrs(l, "includeLocations"), jstrs(l, "excludeLocations")
	}
	p.SignInRiskLevels, p.UserRiskLevels = jstrs(cs, "signInRiskLevels"), jstrs(cs, "userRiskLevels")
	if f := jmap(jmap(cs, "devices"), "deviceFilter"); f != nil {
		p.DeviceFilterMode, p.DeviceFilterRule = jstr(f, "mode"), jstr(f, "rule")
	}
	if g := jmap(m, "grantControls"); g != nil {
		p.GrantOperator, p.BuiltInControls, p.TermsOfUse = jstr(g, "operator"), jstrs(g, "builtInControls"), jstrs(g, "termsOfUse")
		if as := jmap(g, "authenticationStrength"); as != nil {
			p.AuthenticationStrength = jstr(as, "displayName")
		}
	}
	if s := jmap(m, "sessionControls"); s != nil {
		for _, k := range []string{"applicationEnforcedRestrictions", "cloudAppSecurity", "persistentBrowser", "signInFrequency"} {
			if jbool(jmap(s, k), "isEnabled") {
				p.SessionControls = append(p.SessionControls, k)
			}
		}
	}
	return p
}

func convLocation(m map[string]any) source.NamedLocation {
	l := source.NamedLocation{ID: jstr(m, "id"), DisplayName: jstr(m, "displayName")}
	switch jstr(m, "@odata.type") {
	case "#microsoft.graph.ipNamedLocation":
		l.Kind, l.IsTrusted = "ip", jbool(m, "isTrusted")
		arr, _ := m["ipRanges"].([]any)
		for _, r := range arr {
			if rm, ok := r.(map[string]any); ok {
				l.IPRanges = append(l.IPRanges, jstr(rm, "cidrAddress"))
			}
		}
	case "#microsoft.graph.countryNamedLocation":
		l.Kind, l.Countries = "country", jstrs(m, "countriesAndRegions")
		l.IncludeUnknownCountries = jbool(m, "includeUnknownCountriesAndRegions")
	}
	return l
}

func convUser(m map[string]any) source.User {
	u := source.User{ID: jstr(m, "id"), UserPrincipalName: jstr(m, "userPrincipalName"), DisplayName: jstr(m, "displayName"),
		UserType: jstr(m, "userType"), AccountEnabled: jbool(m, "accountEnabled")}
	arr, _ := m["memberOf"].([]any)
	for _, x := range arr {
		mm, _ := x.(map[string]any)
		switch jstr(mm, "@odata.type") {
		case "#microsoft.graph.group":
			u.Groups = append(u.Groups, jstr(mm, "id"))
		case "#microsoft.graph.directoryRole":
			u.Roles = append(u.Roles, jstr(mm, "roleTemplateId"))
		}
	}
	return u
}

func convRiskyUser(m map[string]any) source.RiskyUser {
	return source.RiskyUser{ID: jstr(m, "id"), UserPrincipalName: jstr(m, "userPrincipalName"), RiskLevel: jstr(m, "riskLevel"),
		RiskState: jstr(m, "riskState"), RiskDetail: jstr(m, "riskDetail"), RiskLastUpdated: jtime(m, "riskLastUpdatedDateTime")}
}

func convSignIn(m map[string]any) source.SignIn {
	s := source.SignIn{ID: jstr(m, "id"), CreatedDateTime: jtime(m, "createdDateTime"), UserPrincipalName: jstr(m, "userPrincipalName"),
		UserID: jstr(m, "userId"), AppDisplayName: jstr(m, "appDisplayName"), AppID: jstr(m, "appId"),
		ResourceDisplayName: jstr(m, "resourceDisplayName"), IPAddress: jstr(m, "ipAddress"), ClientAppUsed: jstr(m, "clientAppUsed"),
		IsInteractive: jbool(m, "isInteractive"), RiskLevelDuringSignIn: jstr(m, "riskLevelDuringSignIn"),
		RiskLevelAggregated: jstr(m, "riskLevelAggregated"), RiskState: jstr(m, "riskState"), RiskEventTypes: jstrs(m, "riskEventTypes_v2"),
		ConditionalAccessStatus: jstr(m, "conditionalAccessStatus")}
	loc := jmap(m, "location")
	s.City, s.CountryOrRegion = jstr(loc, "city"), jstr(loc, "countryOrRegion")
	d := jmap(m, "deviceDetail")
	s.DeviceID, s.DeviceName, s.OperatingSystem = jstr(d, "deviceId"), jstr(d, "displayName"), jstr(d, "operatingSystem")
	s.IsCompliant, s.IsManaged, s.TrustType = jbool(d, "isCompliant"), jbool(d, "isManaged"), jstr(d, "trustType")
	st := jmap(m, "status")
	switch code := st["errorCode"].(type) {
	case float64:
		s.ErrorCode = int32(code)
	case int:
		s.ErrorCode = int32(code)
	case int32:
		s.ErrorCode = code
	case int64:
		s.ErrorCode = int32(code)
	}
	s.FailureReason = jstr(st, "failureReason")
	// v1.0 fields only, as internal/graph reads them: the demo data's beta
	// authenticationRequirement is not in a v1.0 response (issue 12 finding 1).
	s.AdditionalDetails = jstr(st, "additionalDetails")
	d2 := strings.ToLower(s.AdditionalDetails)
	s.MFASatisfied = strings.Contains(d2, "mfa") && (strings.Contains(d2, "satisfied") || strings.Contains(d2, "completed"))
	arr, _ := m["appliedConditionalAccessPolicies"].([]any)
	for _, x := range arr {
		pm, _ := x.(map[string]any)
		s.AppliedCAPolicies = append(s.AppliedCAPolicies, source.AppliedCAPolicy{ID: jstr(pm, "id"), DisplayName: jstr(pm, "displayName"),
			Result: jstr(pm, "result"), EnforcedGrantControls: jstrs(pm, "enforcedGrantControls"), EnforcedSessionControls: jstrs(pm, "enforcedSessionControls")})
	}
	return s
}
