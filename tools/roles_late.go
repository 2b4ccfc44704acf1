package tools

import (
	"maps"
	"slices"
	"strings"
)

// Late toolsets (plugin MCP servers, late.go) are not in the catalogue a
// RolePolicy is built from: their tools are known only once the server has
// answered. A role grants one by naming the toolset (roles: {X: {toolsets:
// [github]}}) or with "all", and then may call whatever tools it lists.

// SplitLateGrants returns grants without the late toolsets (which
// NewRolePolicy would refuse as unknown) and, per role, the late toolsets
// it grants ("all" grants every one).
func SplitLateGrants(grants map[string]RoleGrant, late []string) (map[string]RoleGrant, map[string][]string) {
	if len(late) == 0 {
		return grants, nil
	}
	out, byRole := map[string]RoleGrant{}, map[string][]string{}
	for role, g := range grants {
		var keep []string
		for _, ts := range g.Toolsets {
			switch {
			case ts == "all":
				byRole[role] = slices.Clone(late)
				keep = append(keep, ts)
			case slices.Contains(late, ts):
				byRole[role] = append(byRole[role], ts)
			default:
				keep = append(keep, ts)
			}
		}
		out[role] = RoleGrant{Toolsets: keep, Tools: g.Tools}
	}
	return out, byRole
}

// SetLateGrants records the late toolsets each role may call (from
// SplitLateGrants).
func (p *RolePolicy) SetLateGrants(byRole map[string][]string) {
	p.late = maps.Clone(byRole)
}

// lateGrant reports whether role may call tool as a member of a late
// toolset it was granted.
func (p *RolePolicy) lateGrant(role, tool string) bool {
	for _, ts := range p.late[role] {
		if strings.HasPrefix(tool, ts+"_") {
			return true
		}
	}
	return false
}
