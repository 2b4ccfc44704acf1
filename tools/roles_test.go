package tools

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func roleSpecs() []Spec {
	mk := func(toolset, name string) Spec {
		return New(toolset, name, "d", func(context.Context, Call, struct{}) (struct{}, error) { return struct{}{}, nil })
	}
	return []Spec{mk("defender", "defender_list_incidents"), mk("defender", "defender_run_hunting_query"), mk("kql", "kql_explain")}
}

func TestRolePolicyRefusesUnknownNames(t *testing.T) {
	for _, g := range []map[string]RoleGrant{
		{"R": {Toolsets: []string{"defendr"}}},
		{"R": {Tools: []string{"defender_run_huntng_query"}}},
		{"two words": {Toolsets: []string{"all"}}},
	} {
		if _, err := NewRolePolicy(g, roleSpecs()); err == nil {
			t.Errorf("%v: accepted", g)
		} else {
			t.Log(err)
		}
	}
	_, err := NewRolePolicy(map[string]RoleGrant{"R": {Toolsets: []string{"defendr"}}}, roleSpecs())
	if !strings.Contains(err.Error(), `did you mean "defender"`) {
		t.Errorf("no suggestion: %v", err)
	}
}

func TestRolePolicyCheck(t *testing.T) {
	p, err := NewRolePolicy(map[string]RoleGrant{
		"Reader": {Tools: []string{"defender_list_incidents"}},
		"Hunter": {Toolsets: []string{"defender"}},
		"All":    {Toolsets: []string{"all"}},
	}, roleSpecs())
	if err != nil {
		t.Fatal(err)
	}
	user := NewUser("t", "o", "ann@contoso.com", "secret-token")
	reader := Caller{Principal: "ann", Roles: []string{"Reader"}, User: user}
	if err := p.Check(reader, "defender_list_incidents"); err != nil {
		t.Fatal(err)
	}
	err = p.Check(reader, "defender_run_hunting_query")
	var te *ToolError
	if !errors.As(err, &te) || te.Kind != "refused" || !strings.Contains(te.Msg, "needs the app role Hunter (or All)") || !strings.Contains(te.Msg, "ann@contoso.com") {
		t.Fatalf("refusal = %v", err)
	}
	if strings.Contains(te.Msg, "secret-token") {
		t.Fatal("refusal shows the token")
	}
	if !p.Permits(Caller{Principal: "key"}, "defender_run_hunting_query") {
		t.Error("a key without roles keeps every tool")
	}
	if p.Permits(Caller{Principal: "key", Roles: []string{}}, "kql_explain") {
		t.Error("a key with an empty roles list is role-bound and may call nothing")
	}
	if p.Permits(Caller{Principal: "x", User: user}, "kql_explain") {
		t.Error("a token without roles may call nothing")
	}
	if got := p.Roles(); got[0] != "Reader" || got[2] != "All" {
		t.Errorf("order %v, want least privileged first", got)
	}
}

func TestMergeRolesReplacesAndAdds(t *testing.T) {
	m := MergeRoles(map[string]RoleGrant{RoleReader: {Tools: []string{"kql_explain"}}, "Custom": {Toolsets: []string{"kql"}}})
	if len(m[RoleReader].Toolsets) != 0 || len(m[RoleReader].Tools) != 1 || m["Custom"].Toolsets[0] != "kql" || len(m[RoleHunter].Toolsets) == 0 {
		t.Errorf("merge = %v", m)
	}
}
