package ca

import (
	"fmt"
	"slices"
	"strings"

	"github.com/secmcp/secmcp/internal/source"
)

// conditions evaluates every condition of p, in a fixed order.
func conditions(in SignIn, p source.CAPolicy, locs []source.NamedLocation) []Condition {
	return []Condition{
		usersCondition(in.User, !in.MembershipUnknown, p),
		appsCondition(in, p),
		clientAppsCondition(in, p),
		platformsCondition(in, p),
		locationsCondition(in, p, locs),
		riskCondition("signInRisk", "sign-in risk", in.SignInRisk, "", p.SignInRiskLevels),
		riskCondition("userRisk", "user risk", in.UserRisk, in.UserRiskSource, p.UserRiskLevels),
		deviceCondition(in, p),
	}
}

// hasFold reports whether list contains s, case-insensitively.
func hasFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}

// intersectFold returns the members of list that are in set.
func intersectFold(list, set []string) []string {
	var out []string
	for _, x := range list {
		if hasFold(set, x) {
			out = append(out, x)
		}
	}
	return out
}

// guestKinds are the guestOrExternalUserTypes a user belongs to, or nil for
// an internal member; ok is false when the user type is unknown.
func guestKinds(u source.User) (kinds []string, ok bool) {
	external := strings.Contains(strings.ToUpper(u.UserPrincipalName), "#EXT#")
	switch {
	case strings.EqualFold(u.UserType, "Guest") && external:
		return []string{"b2bCollaborationGuest"}, true
	case strings.EqualFold(u.UserType, "Guest"):
		return []string{"internalGuest"}, true
	case strings.EqualFold(u.UserType, "Member") && external:
		return []string{"b2bCollaborationMember"}, true
	case strings.EqualFold(u.UserType, "Member"):
		return nil, true
	}
	return nil, false
}

// userMatch says whether the user is in one side (include or exclude) of the
// users condition, and how.
func userMatch(u source.User, known bool, users, groups, roles []string, guestTypes string) (Tri, string) {
	if hasFold(users, "All") {
		return Yes, "All users"
	}
	if u.ID != "" && hasFold(users, u.ID) {
		return Yes, "user " + u.ID + " (" + u.UserPrincipalName + ") listed directly"
	}
	if !known && (len(groups) > 0 || len(roles) > 0 || guestTypes != "" || hasFold(users, "GuestsOrExternalUsers")) {
		return Unknown, "groups, roles or guest types (the user's memberships could not be read)"
	}
	if g := intersectFold(u.Groups, groups); len(g) > 0 {
		return Yes, "group " + strings.Join(g, ", ")
	}
	if r := intersectFold(u.Roles, roles); len(r) > 0 {
		return Yes, "directory role " + roleNames(r)
	}
	wantGuests := guestTypes != "" || hasFold(users, "GuestsOrExternalUsers")
	if !wantGuests {
		return No, ""
	}
	kinds, ok := guestKinds(u)
	if !ok {
		return Unknown, "guest or external users (the user's userType is not known)"
	}
	types := strings.Split(guestTypes, ",")
	for _, k := range kinds {
		if hasFold(users, "GuestsOrExternalUsers") || hasFold(types, k) {
			return Yes, fmt.Sprintf("guest or external user type %s (userType %s)", k, u.UserType)
		}
	}
	return No, ""
}

func usersCondition(u source.User, known bool, p source.CAPolicy) Condition {
	c := Condition{Name: "users"}
	if hasFold(p.IncludeUsers, "None") && len(p.IncludeGroups)+len(p.IncludeRoles) == 0 && p.IncludeGuestsOrExternalUsers == "" {
		c.Verdict, c.Detail = NoMatch, "the policy includes no users (None)"
		return c
	}
	inc, how := userMatch(u, known, p.IncludeUsers, p.IncludeGroups, p.IncludeRoles, p.IncludeGuestsOrExternalUsers)
	exc, whyEx := userMatch(u, known, p.ExcludeUsers, p.ExcludeGroups, p.ExcludeRoles, p.ExcludeGuestsOrExternalUsers)
	who := u.UserPrincipalName
	switch {
	case exc == Yes:
		c.Verdict, c.Detail = NoMatch, fmt.Sprintf("%s is excluded via %s (exclusions beat inclusions)", who, whyEx)
	case inc == No:
		c.Verdict, c.Detail = NoMatch, fmt.Sprintf("%s is not included (not in the policy's users, groups, roles or guest types)", who)
	case inc == Unknown || exc == Unknown:
		c.Verdict, c.Detail = Undecidable, fmt.Sprintf("%s: cannot tell whether the user is in the policy's %s", who, strings.TrimPrefix(how+whyEx, " "))
	default:
		c.Verdict, c.Detail = Match, fmt.Sprintf("%s is included via %s; not excluded", who, how)
	}
	return c
}

func appsCondition(in SignIn, p source.CAPolicy) Condition {
	c := Condition{Name: "applications"}
	if len(p.IncludeApplications) == 0 && len(p.IncludeUserActions) > 0 {
		c.Verdict, c.Detail = NoMatch, "the policy targets user actions ("+strings.Join(p.IncludeUserActions, ", ")+"), not sign-ins to applications"
		return c
	}
	if len(p.IncludeApplications) == 0 {
		c.Verdict, c.Detail = NoMatch, "the policy includes no applications"
		return c
	}
	targets := appTargets(in)
	inc, how := appMatch(targets, p.IncludeApplications)
	exc, whyEx := appMatch(targets, p.ExcludeApplications)
	desc := describeTargets(in)
	switch {
	case exc == Yes:
		c.Verdict, c.Detail = NoMatch, fmt.Sprintf("%s is excluded via %s (exclusions beat inclusions)", desc, whyEx)
	case inc == No:
		c.Verdict, c.Detail = NoMatch, fmt.Sprintf("%s is not among the included applications (%s)", desc, strings.Join(p.IncludeApplications, ", "))
	case inc == Unknown || exc == Unknown:
		c.Verdict, c.Detail = Undecidable, fmt.Sprintf("the sign-in's application is not known, and the policy targets %s", strings.Join(append(slices.Clone(p.IncludeApplications), p.ExcludeApplications...), ", "))
	default:
		c.Verdict, c.Detail = Match, fmt.Sprintf("%s is included via %s; not excluded", desc, how)
	}
	return c
}

// appTarget is an application the sign-in is for and how to name it: the
// client app by its ID (recorded on the sign-in), the resource by its name
// (sign-ins record the resource's name; its ID comes from the well-known list).
type appTarget struct{ id, label string }

// appTargets are the applications the sign-in is for (resource and client).
func appTargets(in SignIn) []appTarget {
	var out []appTarget
	if in.ResourceID != "" {
		out = append(out, appTarget{in.ResourceID, "resource " + orDash(appName(in.ResourceName, in.ResourceID))})
	}
	if in.AppID != "" && !strings.EqualFold(in.AppID, in.ResourceID) {
		out = append(out, appTarget{in.AppID, "app " + in.AppID})
	}
	return out
}

func describeTargets(in SignIn) string {
	var parts []string
	if in.AppID != "" || in.AppName != "" {
		parts = append(parts, fmt.Sprintf("app %s (%s)", orDash(appName(in.AppName, in.AppID)), orDash(in.AppID)))
	}
	if (in.ResourceID != "" || in.ResourceName != "") && !strings.EqualFold(in.ResourceID, in.AppID) {
		// The resource's ID is not on the sign-in record (only its name), so
		// it is named, not cited by ID.
		parts = append(parts, "resource "+orDash(appName(in.ResourceName, in.ResourceID)))
	}
	if len(parts) == 0 {
		return "the application"
	}
	return strings.Join(parts, " for ")
}

func appName(name, id string) string {
	if name != "" {
		return name
	}
	if a, ok := LookupApp(id); ok {
		return a.Name
	}
	return ""
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// appMatch says whether any target is in the application list.
func appMatch(targets []appTarget, list []string) (Tri, string) {
	if len(list) == 0 {
		return No, ""
	}
	if hasFold(list, "All") {
		return Yes, "All cloud apps"
	}
	if hasFold(list, "None") && len(list) == 1 {
		return No, ""
	}
	if len(targets) == 0 {
		return Unknown, ""
	}
	for _, t := range targets {
		if hasFold(list, t.id) {
			return Yes, "application ID " + t.id
		}
		for _, grp := range appGroupsOf(t.id) {
			if hasFold(list, grp) {
				return Yes, "app group " + grp + " (contains " + t.label + ")"
			}
		}
	}
	return No, ""
}

func clientAppsCondition(in SignIn, p source.CAPolicy) Condition {
	c := Condition{Name: "clientApps"}
	if len(p.ClientAppTypes) == 0 || hasFold(p.ClientAppTypes, "all") {
		c.Verdict, c.Detail = NotConfigured, "all client app types"
		return c
	}
	types := strings.Join(p.ClientAppTypes, ", ")
	t := in.ClientAppType
	if t == "" {
		c.Verdict, c.Detail = Undecidable, fmt.Sprintf("client app %q has no known client app type; the policy targets %s", in.ClientAppUsed, types)
		return c
	}
	legacy := ""
	if t == "exchangeActiveSync" || t == "other" {
		legacy = " (a legacy authentication client)"
	}
	if hasFold(p.ClientAppTypes, t) || (t == "exchangeActiveSync" && hasFold(p.ClientAppTypes, "easSupported")) {
		c.Verdict, c.Detail = Match, fmt.Sprintf("client app %q is %s%s, included (%s)", in.ClientAppUsed, t, legacy, types)
		return c
	}
	c.Verdict, c.Detail = NoMatch, fmt.Sprintf("client app %q is %s%s, not among %s", in.ClientAppUsed, t, legacy, types)
	return c
}

func platformsCondition(in SignIn, p source.CAPolicy) Condition {
	c := Condition{Name: "platforms"}
	if len(p.IncludePlatforms) == 0 {
		c.Verdict, c.Detail = NotConfigured, "any device platform"
		return c
	}
	if !in.PlatformKnown {
		c.Verdict, c.Detail = Undecidable, "the device platform is not known; the policy includes "+strings.Join(p.IncludePlatforms, ", ")
		return c
	}
	pl := in.Platform
	name := pl
	if pl == "" {
		name = "unknown/unsupported platform"
	}
	if in.Device.OperatingSystem != "" {
		name += fmt.Sprintf(" (operatingSystem %q)", in.Device.OperatingSystem)
	}
	included := hasFold(p.IncludePlatforms, "all") || (pl != "" && hasFold(p.IncludePlatforms, pl))
	excluded := pl != "" && hasFold(p.ExcludePlatforms, pl)
	switch {
	case excluded:
		c.Verdict, c.Detail = NoMatch, fmt.Sprintf("%s is excluded (excluded platforms %s)", name, strings.Join(p.ExcludePlatforms, ", "))
	case !included:
		c.Verdict, c.Detail = NoMatch, fmt.Sprintf("%s is not among the included platforms %s", name, strings.Join(p.IncludePlatforms, ", "))
	default:
		c.Verdict, c.Detail = Match, fmt.Sprintf("%s is included (%s); not excluded", name, strings.Join(p.IncludePlatforms, ", "))
	}
	return c
}

func riskCondition(name, label, level, source string, levels []string) Condition {
	c := Condition{Name: name}
	if len(levels) == 0 {
		c.Verdict, c.Detail = NotConfigured, "any "+label
		return c
	}
	from := ""
	if source != "" {
		from = " (" + source + ")"
	}
	want := strings.Join(levels, ", ")
	if level == "" || strings.EqualFold(level, "hidden") || strings.EqualFold(level, "unknownFutureValue") {
		c.Verdict, c.Detail = Undecidable, fmt.Sprintf("%s is not known%s; the policy targets %s", label, from, want)
		return c
	}
	if hasFold(levels, level) {
		c.Verdict, c.Detail = Match, fmt.Sprintf("%s %s%s is one of the policy's levels %s", label, level, from, want)
		return c
	}
	c.Verdict, c.Detail = NoMatch, fmt.Sprintf("%s %s%s is not one of the policy's levels %s", label, level, from, want)
	return c
}

func deviceCondition(in SignIn, p source.CAPolicy) Condition {
	c := Condition{Name: "devices"}
	if p.DeviceFilterRule == "" {
		c.Verdict, c.Detail = NotConfigured, "no device filter"
		return c
	}
	mode := strings.ToLower(p.DeviceFilterMode)
	if mode != "include" && mode != "exclude" {
		c.Verdict, c.Detail = Undecidable, fmt.Sprintf("device filter mode %q is not include or exclude", p.DeviceFilterMode)
		return c
	}
	if !in.Device.Known {
		c.Verdict, c.Detail = Undecidable, fmt.Sprintf("nothing is known about the device; the policy has a device filter (%s: %s)", mode, p.DeviceFilterRule)
		return c
	}
	hit, why := MatchDeviceFilter(p.DeviceFilterRule, in.Device)
	desc := fmt.Sprintf("device filter (%s mode) %s: %s", mode, p.DeviceFilterRule, why)
	switch {
	case hit == Unknown:
		c.Verdict, c.Detail = Undecidable, desc
	case (hit == Yes) == (mode == "include"):
		c.Verdict, c.Detail = Match, desc+" → in scope"
	default:
		c.Verdict, c.Detail = NoMatch, desc+" → out of scope"
	}
	return c
}
