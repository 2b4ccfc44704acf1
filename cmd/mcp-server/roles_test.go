package main

import (
	"strings"
	"testing"

	"github.com/secmcp/secmcp/auth"
	"github.com/secmcp/secmcp/internal/config"
	"github.com/secmcp/secmcp/tools"
	"github.com/secmcp/secmcp/tools/catalog"
)

// TestRolePolicyFromConfig: configured roles replace and add grants; an
// unknown toolset, tool or principal role stops the start with words naming it.
func TestRolePolicyFromConfig(t *testing.T) {
	all := catalog.All(catalog.Deps{})
	cfg := &config.Config{
		Roles:      map[string]config.RoleGrant{"SecMCP.Triage": {Tools: []string{"defender_list_incidents"}}, tools.RoleReader: {Toolsets: []string{"entra"}}},
		Principals: []auth.Principal{{Name: "bot", Roles: []string{"SecMCP.Triage"}}},
	}
	p, err := rolePolicy(cfg, all)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Permits(tools.Caller{Principal: "bot", Roles: []string{"SecMCP.Triage"}}, "defender_list_incidents") ||
		p.Permits(tools.Caller{Principal: "r", Roles: []string{tools.RoleReader}}, "defender_list_incidents") {
		t.Error("configured grants not applied")
	}
	for want, bad := range map[string]*config.Config{
		`unknown toolset "defendr"`:          {Roles: map[string]config.RoleGrant{"X": {Toolsets: []string{"defendr"}}}},
		`unknown tool "entra_list_signin"`:   {Roles: map[string]config.RoleGrant{"X": {Tools: []string{"entra_list_signin"}}}},
		`role "SecMCP.Huntr" is not defined`: {Principals: []auth.Principal{{Name: "bot", Roles: []string{"SecMCP.Huntr"}}}},
	} {
		if _, err := rolePolicy(bad, all); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q, got %v", want, err)
		}
	}
}
