package intune

import (
	"slices"
	"strings"

	"github.com/secmcp/secmcp/internal/lazyre"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/resources"
)

// CAImpact is a Conditional Access policy that requires a compliant device
// and applies to the device's user and platform.
type CAImpact struct {
	PolicyID string   `json:"policyId"`
	Name     string   `json:"name"`
	State    string   `json:"state"`
	Controls []string `json:"controls"`
	Operator string   `json:"operator,omitempty"`
	// Enforced is false for report-only policies: they log, they do not block.
	Enforced bool `json:"enforced"`
	// Conditions are the policy's other conditions, which decide whether a
	// given sign-in is blocked (apps, locations, client apps, risk).
	Conditions []string `json:"conditions"`
	// Alternatives are other grant controls that satisfy the policy instead
	// of compliance (OR policies).
	Alternatives []string `json:"alternatives,omitempty"`
	URI          string   `json:"uri"`
	Portal       string   `json:"portal"`
}

// caPlatform maps an Intune operatingSystem to a CA device platform.
func caPlatform(os string) string {
	switch strings.ToLower(os) {
	case "windows":
		return "windows"
	case "ios", "ipados":
		return "iOS"
	case "android":
		return "android"
	case "macos":
		return "macOS"
	case "linux":
		return "linux"
	}
	return ""
}

// requiringCompliance returns the non-disabled CA policies that require a
// compliant device and whose user, platform and device-filter conditions
// include this device and user. u may be nil when the device has no user
// (then only policies that include all users count).
func requiringCompliance(alias string, pols []source.CAPolicy, u *source.User, d source.ManagedDevice) []CAImpact {
	out := []CAImpact{}
	for _, p := range pols {
		if p.State == "disabled" || !slices.Contains(p.BuiltInControls, "compliantDevice") {
			continue
		}
		if !userInScope(p, u) || !platformInScope(p, caPlatform(d.OperatingSystem)) {
			continue
		}
		ok, note := filterInScope(p, d.DeviceName)
		if !ok {
			continue
		}
		im := CAImpact{PolicyID: p.ID, Name: p.DisplayName, State: p.State, Controls: slices.Clone(p.BuiltInControls),
			Operator: p.GrantOperator, Enforced: p.State == "enabled", Conditions: caConditions(p),
			URI: resources.URI(alias, resources.KindPolicy, p.ID), Portal: resources.PolicyPortal(p.ID)}
		if note != "" {
			im.Conditions = append(im.Conditions, note)
		}
		if !strings.EqualFold(p.GrantOperator, "AND") {
			for _, c := range p.BuiltInControls {
				if c != "compliantDevice" {
					im.Alternatives = append(im.Alternatives, c)
				}
			}
		}
		out = append(out, im)
	}
	return out
}

func anyIn(a, b []string) bool {
	for _, x := range a {
		if slices.ContainsFunc(b, func(y string) bool { return strings.EqualFold(x, y) }) {
			return true
		}
	}
	return false
}

func userInScope(p source.CAPolicy, u *source.User) bool {
	if u == nil {
		return slices.Contains(p.IncludeUsers, "All")
	}
	guest := strings.EqualFold(u.UserType, "Guest")
	in := slices.Contains(p.IncludeUsers, "All") || slices.Contains(p.IncludeUsers, u.ID) ||
		anyIn(p.IncludeGroups, u.Groups) || anyIn(p.IncludeRoles, u.Roles) ||
		(guest && p.IncludeGuestsOrExternalUsers != "")
	out := slices.Contains(p.ExcludeUsers, u.ID) || anyIn(p.ExcludeGroups, u.Groups) || anyIn(p.ExcludeRoles, u.Roles) ||
		(guest && p.ExcludeGuestsOrExternalUsers != "")
	return in && !out
}

func platformInScope(p source.CAPolicy, platform string) bool {
	if len(p.IncludePlatforms) == 0 {
		return true
	}
	if platform == "" {
		return false
	}
	in := anyIn(p.IncludePlatforms, []string{"all", platform})
	return in && !anyIn(p.ExcludePlatforms, []string{platform})
}

var filterRe = lazyre.New(`^\s*device\.displayName\s+-(startsWith|eq|contains|endsWith)\s+"([^"]*)"\s*$`)

// filterInScope evaluates the simple device filters on the display name
// (-startsWith, -eq, -contains, -endsWith); other rules are not evaluated
// and come back as a condition note.
func filterInScope(p source.CAPolicy, name string) (bool, string) {
	if p.DeviceFilterRule == "" {
		return true, ""
	}
	m := filterRe.FindStringSubmatch(p.DeviceFilterRule)
	if m == nil {
		return true, "device filter not evaluated: " + p.DeviceFilterRule
	}
	n, v := strings.ToLower(name), strings.ToLower(m[2])
	match := map[string]bool{"startsWith": strings.HasPrefix(n, v), "eq": n == v, "contains": strings.Contains(n, v),
		"endsWith": strings.HasSuffix(n, v)}[m[1]]
	if strings.EqualFold(p.DeviceFilterMode, "exclude") {
		return !match, ""
	}
	return match, ""
}

// caConditions lists the conditions that decide which sign-ins the policy
// covers, in plain words.
func caConditions(p source.CAPolicy) []string {
	var c []string
	if len(p.IncludeApplications) > 0 && !slices.Contains(p.IncludeApplications, "All") {
		c = append(c, "only for the applications "+strings.Join(p.IncludeApplications, ", "))
	}
	if len(p.IncludeLocations) > 0 {
		s := "from locations " + strings.Join(p.IncludeLocations, ", ")
		if len(p.ExcludeLocations) > 0 {
			s += " except " + strings.Join(p.ExcludeLocations, ", ")
		}
		c = append(c, s)
	}
	if len(p.ClientAppTypes) > 0 && !slices.Contains(p.ClientAppTypes, "all") {
		c = append(c, "for client apps "+strings.Join(p.ClientAppTypes, ", "))
	}
	if len(p.SignInRiskLevels) > 0 {
		c = append(c, "at sign-in risk "+strings.Join(p.SignInRiskLevels, ", "))
	}
	if len(p.UserRiskLevels) > 0 {
		c = append(c, "at user risk "+strings.Join(p.UserRiskLevels, ", "))
	}
	return c
}
