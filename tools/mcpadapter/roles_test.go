package mcpadapter

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
	"github.com/secmcp/secmcp/tools/catalog"
)

// roleAuth gives each bearer value a caller: "reader" and "hunter" are
// token callers (User set) with that app role, "norole" a token caller
// without roles, and the interop key a key caller without roles.
func roleAuth(r *http.Request) (tools.Caller, bool) {
	ten := []string{interopTenant}
	switch strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") {
	case "reader":
		return tools.Caller{Principal: "ann", Tenants: ten, Roles: []string{tools.RoleReader}, User: tools.NewUser("t", "o1", "ann@contoso.com", "tok")}, true
	case "hunter":
		return tools.Caller{Principal: "bob", Tenants: ten, Roles: []string{tools.RoleHunter}, User: tools.NewUser("t", "o2", "bob@contoso.com", "tok")}, true
	case "norole":
		return tools.Caller{Principal: "cy", Tenants: ten, User: tools.NewUser("t", "o3", "cy@contoso.com", "tok")}, true
	case interopKey:
		return tools.Caller{Principal: "interop", Tenants: ten}, true
	}
	return tools.Caller{}, false
}

// TestToolsListFollowsRoles: over HTTP (both protocol versions) a reader
// is listed no hunting tool and its call of one is refused with the role
// it needs, as a tool error; a hunter sees and may call it; a key without
// roles sees everything; a token without roles sees nothing.
func TestToolsListFollowsRoles(t *testing.T) {
	url := serveInterop(t, newInteropServer(t), roleAuth)
	for _, version := range []string{mcp.ProtocolVersion20260728, mcp.ProtocolVersion20251125} {
		counts := map[string]int{}
		for _, who := range []string{"reader", "hunter", "norole", interopKey} {
			c, err := connectGoClient(t, url, version, map[string]string{"Authorization": "Bearer " + who})
			if err != nil {
				t.Fatalf("%s %s: connect: %v", version, who, err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			list, err := c.ListTools(ctx, mcp.ListToolsRequest{})
			if err != nil {
				cancel()
				t.Fatalf("%s %s: tools/list: %v", version, who, err)
			}
			listed := map[string]bool{}
			for _, tool := range list.Tools {
				listed[tool.Name] = true
			}
			counts[who] = len(list.Tools)
			hunting := listed["defender_run_hunting_query"]
			if want := who == "hunter" || who == interopKey; hunting != want {
				t.Errorf("%s %s: defender_run_hunting_query listed %v, want %v", version, who, hunting, want)
			}
			req := mcp.CallToolRequest{}
			req.Params.Name = "defender_run_hunting_query"
			req.Params.Arguments = map[string]any{"query": "DeviceEvents | take 1"}
			res, err := c.CallTool(ctx, req)
			cancel()
			if who == "reader" {
				if err != nil || !res.IsError || !strings.Contains(textOf(res), "needs the app role "+tools.RoleHunter) || !strings.Contains(textOf(res), "ann@contoso.com") {
					t.Errorf("%s reader call: %v %v; want a tool error naming %s and the user", version, err, res, tools.RoleHunter)
				}
			}
			if who == "hunter" && err == nil && res.IsError && strings.Contains(textOf(res), "app role") {
				t.Errorf("%s hunter refused: %s", version, textOf(res))
			}
		}
		if counts["norole"] != 0 || counts["reader"] == 0 || counts["reader"] >= counts["hunter"] || counts["hunter"] > counts[interopKey] {
			t.Errorf("%s: tools listed %v; want norole 0 < reader < hunter <= key", version, counts)
		}
		t.Logf("%s: tools listed per caller %v", version, counts)
	}
}

func textOf(r *mcp.CallToolResult) string {
	if r == nil {
		return ""
	}
	var b strings.Builder
	for _, c := range r.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// TestResourceReadsFollowRolesAndUser: a tenant resource that stands for a
// tool needs that tool's role (a reader is refused the hunting kind, in
// words naming the role), and the read runs with the signed-in user on its
// context (so an on-behalf-of tenant reads with the user's rights), on the
// read-ahead path mcp-go's handlers take.
func TestResourceReadsFollowRolesAndUser(t *testing.T) {
	ten := tenant.New(interopTenant, "00000000-0000-4000-8000-00000000c0de", "demo", true, ratelimit.New(ratelimit.Default), nil)
	reg, err := tenant.NewRegistry(ten)
	if err != nil {
		t.Fatal(err)
	}
	toolReg, err := tools.NewRegistry(catalog.All(catalog.Deps{}), tools.Selection{})
	if err != nil {
		t.Fatal(err)
	}
	inv := &tools.Invoker{Tools: toolReg, Tenants: reg}
	rs := resources.NewServer(reg)
	for kind, tool := range map[string]string{"whoami": "defender_get_incident", "huntprobe": "defender_run_hunting_query"} {
		rs.AddTemplate(resources.Template{Kind: kind, Name: kind, Description: kind, Needs: tool,
			Read: func(ctx context.Context, _ *tenant.Tenant, _ string) (any, error) {
				u, _ := source.UserFrom(ctx)
				if u == nil {
					return map[string]string{"user": ""}, nil
				}
				return map[string]string{"user": u.String()}, nil
			}})
	}
	rs.Allow = func(ctx context.Context, tool string) error {
		c, _ := CallerFrom(ctx)
		return inv.CheckTool(c, tool)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	url := serveInterop(t, NewServer(Config{Name: "secmcp", Version: "t", Invoker: inv, Resources: rs, Log: quiet}), roleAuth)
	c, err := connectGoClient(t, url, mcp.ProtocolVersion20251125, map[string]string{"Authorization": "Bearer reader"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := mcp.ReadResourceRequest{}
	req.Params.URI = "secmcp://" + interopTenant + "/whoami/1"
	res, err := c.ReadResource(ctx, req)
	if err != nil || len(res.Contents) != 1 || !strings.Contains(res.Contents[0].(mcp.TextResourceContents).Text, `"user": "ann@contoso.com"`) {
		t.Errorf("reader whoami: %v %+v", err, res)
	}
	req.Params.URI = "secmcp://" + interopTenant + "/huntprobe/1"
	if _, err := c.ReadResource(ctx, req); err == nil || !strings.Contains(err.Error(), "needs the app role "+tools.RoleHunter) {
		t.Errorf("reader reading a hunter's resource: %v", err)
	}
}
