package tools

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/ratelimit"
)

// TestLateTools: a late toolset's tools arrive after start, obey the
// selection, replace each other, and tell listeners what was removed.
func TestLateTools(t *testing.T) {
	sel := Selection{ReadOnly: true, Late: []string{"gh"}, Exclude: []string{"gh__secret"}}
	r, err := NewRegistry([]Spec{echoTool()}, sel)
	if err != nil {
		t.Fatal(err)
	}
	var removed []string
	r.OnLateChange(func(ts string, rm []string, _ []Spec) { removed = rm })
	names, err := r.SetLate("gh", []Spec{dyn(t, "gh", "gh__search", true), dyn(t, "gh", "gh__write", false), dyn(t, "gh", "gh__secret", true)})
	if err != nil || strings.Join(names, ",") != "gh__search" {
		t.Fatalf("SetLate: %v %v", names, err)
	}
	if _, ok := r.Lookup("gh__search"); !ok {
		t.Error("gh__search not found")
	}
	if p, ok := r.Price("gh__write"); !ok || p != 2 {
		t.Errorf("a hidden late tool still has its price: %d %v", p, ok)
	}
	if n := len(r.Specs()); n != 2 {
		t.Errorf("Specs: %d tools, want 2", n)
	}
	if _, err := r.SetLate("gh", []Spec{dyn(t, "gh", "gh__other", true)}); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Lookup("gh__search"); ok || strings.Join(removed, ",") != "gh__search" {
		t.Errorf("replaced tool still there, or removed = %v", removed)
	}
	if _, err := r.SetLate("other", nil); err == nil {
		t.Error("SetLate accepted an undeclared toolset")
	}
	if _, err := r.SetLate("gh", []Spec{dyn(t, "ghx", "ghx__a", true)}); err == nil {
		t.Error("SetLate accepted another toolset's tool")
	}
	if _, err := NewRegistry(nil, Selection{Late: []string{"gh"}, Tools: []string{"gh__anything"}, Toolsets: []string{"gh"}}); err != nil {
		t.Errorf("--tools and --toolsets naming late tools: %v", err)
	}
	if _, err := NewRegistry(nil, Selection{Late: []string{"kql"}}); err == nil {
		t.Error("a late toolset took a built-in name")
	}
}

// TestToolForTenants: a tool for one tenant is invisible to callers of
// another, in lists, calls and did-you-mean suggestions.
func TestToolForTenants(t *testing.T) {
	inv := newTestInvoker(t, ratelimit.Config{UnitsPerMinute: 6000, Burst: 100})
	s := dyn(t, "gh", "gh__search", true)
	s.Tenants = []string{"alpha"}
	r, err := NewRegistry(nil, Selection{ReadOnly: true, Late: []string{"gh"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.SetLate("gh", []Spec{s}); err != nil {
		t.Fatal(err)
	}
	inv.Tools = r
	beta := Caller{Principal: "b", Tenants: []string{"beta"}}
	spec, _ := r.Lookup("gh__search")
	if inv.VisibleTo(beta, spec) || !inv.VisibleTo(Caller{Principal: "a", Tenants: []string{"*"}}, spec) {
		t.Error("visibility")
	}
	_, err = inv.Invoke(context.Background(), beta, "gh__searc", nil, nil)
	if err == nil || strings.Contains(err.Error(), "gh__search") {
		t.Errorf("a beta caller is offered the alpha tool: %v", err)
	}
	out, err := inv.Invoke(context.Background(), Caller{Principal: "ab", Tenants: []string{"beta", "alpha"}}, "gh__search", json.RawMessage(`{}`), nil)
	if err != nil || !strings.Contains(string(out.Structured), `"tenant":"alpha"`) {
		t.Errorf("default tenant for a one-tenant tool: %v %v", out, err)
	}
}

// TestRolesGrantLateToolsets: a role names a late toolset, or "all", and
// may call its tools whatever they turn out to be; other roles may not.
func TestRolesGrantLateToolsets(t *testing.T) {
	grants, late := SplitLateGrants(map[string]RoleGrant{
		"Plug":          {Toolsets: []string{"gh"}},
		"SecMCP.Reader": {Toolsets: []string{"demo"}},
		"All":           {Toolsets: []string{"all"}},
	}, []string{"gh"})
	p, err := NewRolePolicy(grants, []Spec{echoTool()})
	if err != nil {
		t.Fatal(err)
	}
	p.SetLateGrants(late)
	for role, want := range map[string]bool{"Plug": true, "All": true, "SecMCP.Reader": false} {
		c := Caller{Principal: "u", Roles: []string{role}}
		if got := p.Permits(c, "gh__search"); got != want {
			t.Errorf("%s may call gh__search: %v, want %v", role, got, want)
		}
	}
	err = p.Check(Caller{Principal: "u", Roles: []string{"SecMCP.Reader"}}, "gh__search")
	if err == nil || !strings.Contains(err.Error(), "needs the app role") {
		t.Errorf("refusal: %v", err)
	}
}
