package main

import (
	"fmt"
	"slices"

	"github.com/secmcp/secmcp/internal/config"
	"github.com/secmcp/secmcp/tools"
)

// rolePolicy builds the app-role mapping: the built-in one with the
// configuration's roles laid over it, checked against the whole catalogue
// (a role may name a tool this start does not expose), and every role a key
// principal is given must exist in it.
//
// late are the late toolsets (plugin MCP servers): a role may name them,
// and "all" includes them.
func rolePolicy(cfg *config.Config, all []tools.Spec, late ...string) (*tools.RolePolicy, error) {
	configured := map[string]tools.RoleGrant{}
	if cfg != nil {
		for name, g := range cfg.Roles {
			configured[name] = tools.RoleGrant{Toolsets: g.Toolsets, Tools: g.Tools}
		}
	}
	grants, lateGrants := tools.SplitLateGrants(tools.MergeRoles(configured), late)
	p, err := tools.NewRolePolicy(grants, all)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	p.SetLateGrants(lateGrants)
	if cfg == nil {
		return p, nil
	}
	known := p.Roles()
	for _, pr := range cfg.Principals {
		for _, r := range pr.Roles {
			if !slices.Contains(known, r) {
				return nil, fmt.Errorf("config: principal %q: role %q is not defined; defined roles: %v (add it under roles:)", pr.Name, r, known)
			}
		}
	}
	return p, nil
}
