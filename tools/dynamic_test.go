package tools

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/ratelimit"
)

func dyn(t *testing.T, toolset, name string, readOnly bool) Spec {
	t.Helper()
	s, err := NewDynamic(DynamicSpec{
		Toolset: toolset, Name: name, Description: "A plugin tool.", ReadOnly: readOnly, Cost: 2,
		InputSchema: json.RawMessage(`{"type":"object","properties":{"ip":{"type":"string"}},"additionalProperties":false}`),
		Handler: func(ctx context.Context, c Call, args json.RawMessage) (any, error) {
			return map[string]any{"tenant": c.Tenant.Alias, "args": args}, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNewDynamicRefusals(t *testing.T) {
	h := func(context.Context, Call, json.RawMessage) (any, error) { return nil, nil }
	cases := map[string]DynamicSpec{
		"built-in toolset":       {Toolset: "kql", Name: "kql_run_mine", Description: "d", Handler: h},
		"must start with its":    {Toolset: "plugin_a", Name: "plugin_b_x", Description: "d", Handler: h},
		"1-128 characters":       {Toolset: "srv", Name: "srv__a b", Description: "d", Handler: h},
		"toolset \"Bad\"":        {Toolset: "Bad", Name: "Bad_x", Description: "d", Handler: h},
		"description and":        {Toolset: "srv", Name: "srv__x", Handler: h},
		`declare "tenant"`:       {Toolset: "srv", Name: "srv__x", Description: "d", Handler: h, InputSchema: json.RawMessage(`{"type":"object","properties":{"tenant":{}}}`)},
		"must not use top-level": {Toolset: "srv", Name: "srv__x", Description: "d", Handler: h, InputSchema: json.RawMessage(`{"type":"object","anyOf":[]}`)},
	}
	for want, d := range cases {
		if _, err := NewDynamic(d); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: err = %v, want %q", d.Name, err, want)
		}
	}
}

// TestDynamicToolsInRegistry: dynamic tools obey --toolsets, --tools,
// --exclude-tools and --read-only like compiled-in ones, cannot take a
// compiled-in tool's name, and run through the invoker (tenant, budget).
func TestDynamicToolsInRegistry(t *testing.T) {
	all := []Spec{echoTool(), dyn(t, "plugin_okta", "plugin_okta_get_users", true),
		dyn(t, "plugin_okta", "plugin_okta_reset_user", false), dyn(t, "github", "github__search", true)}
	names := func(sel Selection) string {
		r, err := NewRegistry(all, sel)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range r.Specs() {
			out = append(out, s.Name)
		}
		return strings.Join(out, ",")
	}
	if got := names(Selection{ReadOnly: true}); got != "demo_get_echo,github__search,plugin_okta_get_users" {
		t.Errorf("read-only: %s", got)
	}
	if got := names(Selection{Toolsets: []string{"plugin_okta"}}); got != "plugin_okta_get_users,plugin_okta_reset_user" {
		t.Errorf("toolset plugin_okta: %s", got)
	}
	if got := names(Selection{Toolsets: []string{"demo"}, Tools: []string{"github__search"}, Exclude: []string{"demo_get_echo"}}); got != "github__search" {
		t.Errorf("tools/exclude: %s", got)
	}
	clash := dyn(t, "demo", "demo_get_echo", true)
	if _, err := NewRegistry(append(all, clash), Selection{}); err == nil || !strings.Contains(err.Error(), "registered twice") {
		t.Errorf("name clash with a compiled-in tool: %v", err)
	}
	bad := all[1]
	bad.Name = "plugin_other_x"
	if _, err := NewRegistry([]Spec{bad}, Selection{}); err == nil {
		t.Error("registry accepted a dynamic tool outside its toolset")
	}

	inv := newTestInvoker(t, ratelimit.Config{UnitsPerMinute: 6000, Burst: 100})
	r, err := NewRegistry(all, Selection{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	inv.Tools = r
	out, err := inv.Invoke(context.Background(), Caller{Principal: "k", Tenants: []string{"beta"}}, "plugin_okta_get_users", json.RawMessage(`{"ip":"1.2.3.4","tenant":"beta"}`), nil)
	if err != nil || string(out.Structured) != `{"args":{"ip":"1.2.3.4"},"tenant":"beta"}` {
		t.Fatalf("invoke: %v %s", err, out)
	}
	if p, _ := r.Price("plugin_okta_get_users"); p != 2 {
		t.Errorf("price = %d, want 2", p)
	}
}
