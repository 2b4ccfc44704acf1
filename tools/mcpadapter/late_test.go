package mcpadapter

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/tools"
)

// TestLateToolsPerTenant: tools that arrive while serving (a plugin MCP
// server's) reach tools/list with a list_changed notification; a tool for
// one tenant is listed and callable only for that tenant's callers.
func TestLateToolsPerTenant(t *testing.T) {
	budget := ratelimit.Config{UnitsPerMinute: 6000, Burst: 100}
	treg, err := tenant.NewRegistry(
		tenant.New("contoso", "11111111-1111-4111-8111-111111111111", "demo", true, ratelimit.New(budget), nil),
		tenant.New("fabrikam", "22222222-2222-4222-8222-222222222222", "demo", true, ratelimit.New(budget), nil))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := tools.NewRegistry(nil, tools.Selection{ReadOnly: true, Late: []string{"gh"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(Config{Name: "t", Version: "1", Invoker: &tools.Invoker{Tools: reg, Tenants: treg}})
	keys := map[string]tools.Caller{
		"Bearer a": {Principal: "a", Tenants: []string{"contoso"}},
		"Bearer b": {Principal: "b", Tenants: []string{"fabrikam"}},
	}
	ts := httptest.NewServer(srv.HTTPHandler(HTTPOptions{Authenticate: func(r *http.Request) (tools.Caller, bool) {
		c, ok := keys[r.Header.Get("Authorization")]
		return c, ok
	}}))
	t.Cleanup(ts.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	open := func(key string, changed *atomic.Int32) *client.Client {
		tr, err := transport.NewStreamableHTTP(ts.URL+"/mcp", transport.WithContinuousListening(),
			transport.WithHTTPHeaders(map[string]string{"Authorization": key}))
		if err != nil {
			t.Fatal(err)
		}
		c := client.NewClient(tr, client.WithProtocolVersion(mcp.ProtocolVersion20251125))
		t.Cleanup(func() { _ = c.Close() })
		c.OnNotification(func(n mcp.JSONRPCNotification) {
			if n.Method == mcp.MethodNotificationToolsListChanged {
				changed.Add(1)
			}
		})
		if err := c.Start(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Initialize(ctx, mcp.InitializeRequest{}); err != nil {
			t.Fatal(err)
		}
		return c
	}
	var changedA, changedB atomic.Int32
	a, b := open("Bearer a", &changedA), open("Bearer b", &changedB)
	time.Sleep(200 * time.Millisecond) // let the GET streams open

	spec, err := tools.NewDynamic(tools.DynamicSpec{Toolset: "gh", Name: "gh__search", Description: "Search.",
		ReadOnly: true, Tenants: []string{"contoso"},
		Handler: func(_ context.Context, c tools.Call, _ json.RawMessage) (any, error) {
			return map[string]string{"tenant": c.Tenant.Alias}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.SetLate("gh", []tools.Spec{spec}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for changedA.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if changedA.Load() == 0 {
		t.Error("no notifications/tools/list_changed after a late tool arrived")
	}
	names := func(c *client.Client) []string {
		res, err := c.ListTools(ctx, mcp.ListToolsRequest{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tl := range res.Tools {
			out = append(out, tl.Name)
		}
		return out
	}
	if got := names(a); !slices.Contains(got, "gh__search") {
		t.Errorf("contoso's tools/list: %v", got)
	}
	if got := names(b); slices.Contains(got, "gh__search") {
		t.Errorf("fabrikam's tools/list shows contoso's plugin tool: %v", got)
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = "gh__search"
	res, err := b.CallTool(ctx, req)
	if err != nil || !res.IsError || !strings.Contains(res.Content[0].(mcp.TextContent).Text, `unknown tool "gh__search"`) {
		t.Errorf("fabrikam calls contoso's plugin tool: %+v %v", res, err)
	}
	if res, err := a.CallTool(ctx, req); err != nil || res.IsError {
		t.Errorf("contoso's call: %+v %v", res, err)
	}
	// Removing the tool takes it off the list.
	if _, err := reg.SetLate("gh", nil); err != nil {
		t.Fatal(err)
	}
	if got := names(a); slices.Contains(got, "gh__search") {
		t.Errorf("removed tool still listed: %v", got)
	}
}

// TestLateToolBadHeaderAnnotation: a late tool mcp-go would refuse (and
// panic on) is left out instead of taking the server down.
func TestLateToolBadHeaderAnnotation(t *testing.T) {
	reg, err := tools.NewRegistry(nil, tools.Selection{ReadOnly: true, Late: []string{"gh"}})
	if err != nil {
		t.Fatal(err)
	}
	treg, _ := tenant.NewRegistry(tenant.New("contoso", "11111111-1111-4111-8111-111111111111", "demo", true, nil, nil))
	srv := NewServer(Config{Name: "t", Version: "1", Invoker: &tools.Invoker{Tools: reg, Tenants: treg}})
	h := func(context.Context, tools.Call, json.RawMessage) (any, error) { return "x", nil }
	bad, err := tools.NewDynamic(tools.DynamicSpec{Toolset: "gh", Name: "gh__bad", Description: "d", ReadOnly: true, Handler: h,
		InputSchema: json.RawMessage(`{"type":"object","properties":{"q":{"type":"object","x-mcp-header":"Bad Header!"}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	good, _ := tools.NewDynamic(tools.DynamicSpec{Toolset: "gh", Name: "gh__good", Description: "d", ReadOnly: true, Handler: h})
	if _, err := reg.SetLate("gh", []tools.Spec{bad, good}); err != nil {
		t.Fatal(err)
	}
	if srv.mcp.GetTool("gh__bad") != nil || srv.mcp.GetTool("gh__good") == nil {
		t.Error("the bad tool was added, or the good one was not")
	}
}
