package mcpadapter

import (
	"context"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

func TestTenantCompletion(t *testing.T) {
	reg, err := tenant.NewRegistry(
		tenant.New("contoso", "", "demo", true, ratelimit.New(ratelimit.Default), nil),
		tenant.New("fabrikam", "", "demo", true, ratelimit.New(ratelimit.Default), nil))
	if err != nil {
		t.Fatal(err)
	}
	c := tenantCompletions{resources.NewServer(reg)}
	ctx := WithCaller(context.Background(), tools.Caller{Principal: "k", Tenants: []string{"contoso"}})
	for in, want := range map[string]int{"": 1, "c": 1, "f": 0} {
		got, err := c.CompleteResourceArgument(ctx, "secmcp://{tenant}/incidents/{id}", mcp.CompleteArgument{Name: "tenant", Value: in}, mcp.CompleteContext{})
		if err != nil || len(got.Values) != want {
			t.Errorf("complete %q = %v, %v; want %d values", in, got, err, want)
		}
	}
	if got, _ := c.CompleteResourceArgument(context.Background(), "", mcp.CompleteArgument{Name: "tenant"}, mcp.CompleteContext{}); len(got.Values) != 0 {
		t.Error("no caller, no completions")
	}
}
