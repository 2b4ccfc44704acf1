package tools

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// App role names secmcp defines. An Entra ID app registration declares them
// (appRoles[].value) and an administrator assigns them to users and groups;
// the access token then carries them in its roles claim
// (https://learn.microsoft.com/entra/identity-platform/howto-add-app-roles-in-apps).
const (
	// RoleReader reads incidents, alerts, sign-ins, risk, devices, DLP
	// alerts and reports, and analyses scripts and KQL without running it.
	RoleReader = "SecMCP.Reader"
	// RoleHunter is RoleReader plus free-form queries: Advanced Hunting,
	// Sentinel, the KQL toolset and the investigate synthesizer.
	RoleHunter = "SecMCP.Hunter"
	// RoleResponder may call every exposed tool, including tools that
	// change tenant state when writes are enabled.
	RoleResponder = "SecMCP.Responder"
)

// RoleGrant is what one app role may call: whole toolsets ("all" for every
// toolset) and single tools.
type RoleGrant struct {
	Toolsets []string
	Tools    []string
}

// readerTools are the defender tools a reader may call: every one except
// those that run KQL (defender_run_hunting_query, and
// defender_suggest_hunting_queries, whose run=true runs each query).
var readerTools = []string{
	"defender_get_alert", "defender_get_incident", "defender_list_alerts", "defender_list_incidents",
	"defender_explain_alert", "defender_summarize_incident",
	"kql_explain", "kql_validate", "kql_list_tables",
}

// DefaultRoles is the built-in mapping; the configuration's roles section
// replaces a role's grant or adds roles.
func DefaultRoles() map[string]RoleGrant {
	readerSets := []string{ToolsetEntra, ToolsetIntune, ToolsetPurview, ToolsetReports, ToolsetScripts}
	return map[string]RoleGrant{
		RoleReader:    {Toolsets: readerSets, Tools: slices.Clone(readerTools)},
		RoleHunter:    {Toolsets: append(slices.Clone(readerSets), ToolsetDefender, ToolsetSentinel, ToolsetKQL, ToolsetInvestigate)},
		RoleResponder: {Toolsets: []string{"all"}},
	}
}

// RolePolicy decides which tools a role-bound caller may call: a caller
// that signed in with an Entra ID token (Caller.User set), or a key
// principal the configuration gives roles. Other callers (keys without
// roles, stdio) keep the tools the configuration exposes to everyone.
type RolePolicy struct {
	// grants maps a role to the set of tool names it may call.
	grants map[string]map[string]bool
	// order lists the roles, least privileged (fewest tools) first.
	order []string
	// late maps a role to the late toolsets it may call (roles_late.go).
	late map[string][]string
}

// NewRolePolicy resolves grants against the tool catalogue. An unknown
// toolset or tool name is an error naming the role and the valid names, so
// a typo in the configuration stops the server instead of silently
// granting nothing.
func NewRolePolicy(grants map[string]RoleGrant, catalogue []Spec) (*RolePolicy, error) {
	return newRolePolicy(grants, catalogue, true)
}

// newRolePolicy is NewRolePolicy; not strict, it skips names the catalogue
// lacks (the built-in mapping over a partial registry).
func newRolePolicy(grants map[string]RoleGrant, catalogue []Spec, strict bool) (*RolePolicy, error) {
	toolsets := map[string][]string{ToolsetInvestigate: {ToolsetInvestigate}}
	names := map[string]bool{ToolsetInvestigate: true}
	for _, s := range catalogue {
		toolsets[s.Toolset] = append(toolsets[s.Toolset], s.Name)
		names[s.Name] = true
	}
	p := &RolePolicy{grants: map[string]map[string]bool{}}
	for _, role := range slices.Sorted(maps.Keys(grants)) {
		if strings.TrimSpace(role) == "" || strings.ContainsAny(role, " \t,") {
			return nil, fmt.Errorf("roles: role name %q must be one word without spaces or commas (the app role's value)", role)
		}
		g := grants[role]
		set := map[string]bool{}
		for _, ts := range g.Toolsets {
			if ts == "all" {
				for n := range names {
					set[n] = true
				}
				continue
			}
			members, ok := toolsets[ts]
			if !ok && !strict {
				continue
			}
			if !ok {
				return nil, fmt.Errorf("roles: role %q: unknown toolset %q%s; valid: all, %s", role, ts,
					didYouMean(ts, slices.Sorted(maps.Keys(toolsets))), strings.Join(slices.Sorted(maps.Keys(toolsets)), ", "))
			}
			for _, n := range members {
				set[n] = true
			}
		}
		for _, n := range g.Tools {
			if !names[n] && !strict {
				continue
			}
			if !names[n] {
				return nil, fmt.Errorf("roles: role %q: unknown tool %q%s; mcp-server --list-tools prints them all", role, n, didYouMean(n, slices.Sorted(maps.Keys(names))))
			}
			set[n] = true
		}
		p.grants[role] = set
		p.order = append(p.order, role)
	}
	sort.SliceStable(p.order, func(i, j int) bool { return len(p.grants[p.order[i]]) < len(p.grants[p.order[j]]) })
	return p, nil
}

// MergeRoles returns DefaultRoles with the configured grants laid over it: a
// configured role replaces the default grant of the same name (an empty
// grant takes a default role away), other configured roles are added.
func MergeRoles(configured map[string]RoleGrant) map[string]RoleGrant {
	out := DefaultRoles()
	maps.Copy(out, configured)
	return out
}

// Roles returns the role names, least privileged first.
func (p *RolePolicy) Roles() []string { return slices.Clone(p.order) }

// Grants reports the tools role may call, sorted.
func (p *RolePolicy) Grants(role string) []string { return slices.Sorted(maps.Keys(p.grants[role])) }

// RoleBound reports whether the caller's tools are decided by roles: it
// signed in with a token, or is a key principal configured with roles.
func (c Caller) RoleBound() bool { return c.User != nil || c.Roles != nil }

// Permits reports whether the caller may call tool. Callers that are not
// role-bound may call every exposed tool.
func (p *RolePolicy) Permits(c Caller, tool string) bool {
	if !c.RoleBound() {
		return true
	}
	for _, r := range c.Roles {
		if p.grants[r][tool] || p.lateGrant(r, tool) {
			return true
		}
	}
	return false
}

// Check returns nil when the caller may call tool, else a refusal naming
// the roles that would allow it.
func (p *RolePolicy) Check(c Caller, tool string) error {
	if p.Permits(c, tool) {
		return nil
	}
	var need []string
	for _, r := range p.order {
		if p.grants[r][tool] || p.lateGrant(r, tool) {
			need = append(need, r)
		}
	}
	have := "no secmcp app role"
	if len(c.Roles) > 0 {
		have = "the roles " + strings.Join(c.Roles, ", ")
	}
	who := "your account"
	if c.User != nil {
		who = "your account (" + c.User.String() + ")"
	}
	if len(need) == 0 {
		return &ToolError{Kind: "refused", Msg: fmt.Sprintf("%s may not call %s: no app role grants it in this server's configuration (roles section); you have %s", who, tool, have)}
	}
	alt := ""
	if len(need) > 1 {
		alt = " (or " + strings.Join(need[1:], ", ") + ")"
	}
	how := "an administrator assigns app roles in Entra ID (Enterprise applications → this server's app → Users and groups); sign in again afterwards so the token carries it"
	if c.User == nil {
		how = "the roles of this key are set in the configuration's principals section"
	}
	return &ToolError{Kind: "refused", Msg: fmt.Sprintf("%s needs the app role %s%s; %s has %s — %s", tool, need[0], alt, who, have, how)}
}
