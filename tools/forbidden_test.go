package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/tenant"
)

// TestUpstreamRefusalIsToolError: a 403 from a source becomes a tool error
// naming the signed-in user and what grants the read (the delegated
// permission and a role) on an on-behalf-of tenant, the app permission
// elsewhere; the user reaches the handler's context; an exchange failure
// says consent or sign-in.
func TestUpstreamRefusalIsToolError(t *testing.T) {
	var seen []string
	spec := New("entra", "entra_list_signins", "d", func(ctx context.Context, c Call, _ struct{}) (struct{}, error) {
		u, _ := source.UserFrom(ctx)
		seen = append(seen, fmt.Sprint(u != nil, c.User != nil))
		if c.Tenant.Alias == "exch" {
			return struct{}{}, fmt.Errorf("graph: list sign-ins: %w", &source.ForbiddenError{Service: "entra", What: "on-behalf-of exchange", Exchange: true,
				Code: "invalid_grant", Message: "AADSTS65001: The user or administrator has not consented."})
		}
		return struct{}{}, fmt.Errorf("graph: list sign-ins: %w", &source.ForbiddenError{Service: "graph", What: "list sign-ins", Endpoint: "signIns.list",
			Code: "Authorization_RequestDenied", Message: "Insufficient privileges to complete the operation."})
	})
	obo := tenant.New("obo", "11111111-1111-4111-8111-111111111111", "demo", true, ratelimit.New(ratelimit.Default), nil)
	obo.OnBehalfOf = true
	exch := tenant.New("exch", "33333333-3333-4333-8333-333333333333", "demo", true, ratelimit.New(ratelimit.Default), nil)
	exch.OnBehalfOf = true
	app := tenant.New("app", "22222222-2222-4222-8222-222222222222", "demo", true, ratelimit.New(ratelimit.Default), nil)
	reg, _ := tenant.NewRegistry(obo, exch, app)
	tr, err := NewRegistry([]Spec{spec}, Selection{})
	if err != nil {
		t.Fatal(err)
	}
	inv := &Invoker{Tools: tr, Tenants: reg}
	user := Caller{Principal: "ann", Tenants: []string{"*"}, Roles: []string{RoleReader}, User: NewUser("t", "o", "ann@contoso.com", "tok")}
	key := Caller{Principal: "bot", Tenants: []string{"*"}}
	for _, tc := range []struct {
		caller       Caller
		tenant, want string
	}{
		{user, "obo", "your account (ann@contoso.com) lacks the delegated permission AuditLog.Read.All and Directory.Read.All (admin consent) and one of the roles Reports Reader, Security Reader, Security Operator, Security Administrator, Global Reader to list sign-ins in tenant \"obo\" (Microsoft Graph answered Authorization_RequestDenied"},
		{key, "obo", "this server's app registration (app-only access) lacks the application permission AuditLog.Read.All to list sign-ins"},
		{user, "app", "this server's app registration (app-only access) lacks the application permission AuditLog.Read.All"},
		{user, "exch", "tenant \"exch\" reads with your own rights (on-behalf-of), and exchanging your sign-in for a token of Microsoft Entra ID failed (invalid_grant: AADSTS65001"},
	} {
		raw, _ := json.Marshal(map[string]string{"tenant": tc.tenant})
		_, err := inv.Invoke(context.Background(), tc.caller, "entra_list_signins", raw, nil)
		var te *ToolError
		if !errors.As(err, &te) || te.Kind != "forbidden" || !strings.Contains(te.Msg, tc.want) {
			t.Errorf("%s on %s: %v\nwant %q", tc.caller.Principal, tc.tenant, err, tc.want)
		}
	}
	if seen[0] != "true true" || seen[1] != "false false" {
		t.Errorf("user on ctx and call: %v", seen)
	}
}
