package plugins

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/tools"
)

// getItemSkill is the test document's GetItem operation (a path, two
// query and a header parameter) as BuildGroup makes it, without a server.
func getItemSkill(tb testing.TB) *APISkill {
	tb.Helper()
	doc, err := parseOpenAPI([]byte(fmt.Sprintf(testOpenAPI, "http://127.0.0.1:1")))
	if err != nil {
		tb.Fatal(err)
	}
	for _, op := range doc.Ops {
		if op.ID == "GetItem" {
			base, _ := url.Parse("http://127.0.0.1:1/api")
			sk := &APISkill{Plugin: "test_api", PluginName: "Test API", Tool: "plugin_test_api_getitem", Op: op,
				Base: base, Auth: apiAuth{Kind: "none"}, ReadOnly: true, Timeout: time.Second}
			if _, err := sk.spec(&Env{}); err != nil {
				tb.Fatal(err)
			}
			return sk
		}
	}
	tb.Fatal("no GetItem operation")
	return nil
}

// BenchmarkAPISkillRequest is an API skill's per-call work before the
// request is sent: checking the arguments and building the request.
func BenchmarkAPISkillRequest(b *testing.B) {
	sk := getItemSkill(b)
	env, call := &Env{}, tools.Call{Tenant: &tenant.Tenant{Alias: "contoso"}, Principal: "test"}
	raw := json.RawMessage(`{"id":"a/b","verbose":true,"tags":["x","y"]}`)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		args, err := sk.decodeArgs(raw)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, _, err := sk.request(ctx, env, call, args); err != nil {
			b.Fatal(err)
		}
	}
}

// TestAPISkillCallAllocations: a call checks its arguments against what
// buildArgs made at load; it does not build the parameter list, the
// argument names or each parameter's bounded schema again. Checking and
// building GetItem's request took 133 allocations when every call rebuilt
// them and 96 since (Go 1.26); the bound sits between the two.
func TestAPISkillCallAllocations(t *testing.T) {
	sk := getItemSkill(t)
	env, call := &Env{}, tools.Call{Tenant: &tenant.Tenant{Alias: "contoso"}, Principal: "test"}
	raw := json.RawMessage(`{"id":"a/b","verbose":true,"tags":["x","y"]}`)
	ctx := context.Background()
	n := testing.AllocsPerRun(50, func() {
		args, err := sk.decodeArgs(raw)
		if err == nil {
			_, _, _, err = sk.request(ctx, env, call, args)
		}
		if err != nil {
			t.Fatal(err)
		}
	})
	if n > 110 {
		t.Errorf("a call allocates %.0f times; at most 110 (is per-call work back that belongs at load?)", n)
	}
}
