package mcpadapter

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
	"github.com/secmcp/secmcp/tools/catalog"
)

// The interop tests serve the adapter the way cmd/mcp-server does — the
// full tool catalogue, a tenant registry, the resource server — but without
// the emulator, so they depend on this package and its inputs only. The
// catalogue tools need tenant data and are only listed here; calls go to
// interop_get_echo, which needs nothing but a resolved tenant.

const (
	interopTenant = "contoso"
	interopKey    = "interop-secret-key"
)

type echoParams struct {
	Text string `json:"text" jsonschema:"Text to echo back."`
}

type echoResult struct {
	Echo   string `json:"echo"`
	Tenant string `json:"tenant"`
}

// Text is the human-readable summary the adapter sends as text content.
func (r echoResult) Text() string { return "echo: " + r.Echo }

func echoSpec() tools.Spec {
	return tools.New("interop", "interop_get_echo", "Echo the text back with the tenant that served the call.",
		func(_ context.Context, c tools.Call, p echoParams) (echoResult, error) {
			return echoResult{Echo: p.Text, Tenant: c.Tenant.Alias}, nil
		})
}

type stepsParams struct {
	Tag string `json:"tag,omitempty" jsonschema:"Free text, ignored."`
}

type stepsResult struct {
	Steps int `json:"steps"`
}

// stepsSpec reports progress 1/3, 2/3, 3/3 and returns at once, the pattern
// that makes mcp-go deliver the last notification after the response.
func stepsSpec() tools.Spec {
	return tools.New("interop", "interop_run_steps", "Report three progress steps and return.",
		func(_ context.Context, c tools.Call, _ stepsParams) (stepsResult, error) {
			for i := 1; i <= 3; i++ {
				c.Report(float64(i), 3, "")
			}
			return stepsResult{Steps: 3}, nil
		})
}

// newInteropServer builds the adapter with the catalogue plus the echo and
// steps tools.
func newInteropServer(t testing.TB) *Server {
	t.Helper()
	ten := tenant.New(interopTenant, "00000000-0000-4000-8000-00000000c0de", "demo", true, ratelimit.New(ratelimit.Default), nil)
	reg, err := tenant.NewRegistry(ten)
	if err != nil {
		t.Fatal(err)
	}
	all := append(catalog.All(catalog.Deps{}), echoSpec(), stepsSpec())
	toolReg, err := tools.NewRegistry(all, tools.Selection{})
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	inv := &tools.Invoker{Tools: toolReg, Tenants: reg, Log: quiet}
	return NewServer(Config{
		Name: "secmcp", Version: "interop", Invoker: inv, Resources: resources.NewServer(reg), Log: quiet,
	})
}

// interopAuth accepts the interop key and, like --anonymous-tenants, a
// request without any Authorization header; a wrong key is refused.
func interopAuth(r *http.Request) (tools.Caller, bool) {
	h := r.Header.Get("Authorization")
	switch {
	case h == "":
		return tools.Caller{Principal: "anonymous", Tenants: []string{interopTenant}}, true
	case h == "Bearer "+interopKey:
		return tools.Caller{Principal: "interop", Tenants: []string{interopTenant}}, true
	}
	return tools.Caller{}, false
}

// keyOnlyAuth accepts only the interop key.
func keyOnlyAuth(r *http.Request) (tools.Caller, bool) {
	if r.Header.Get("Authorization") == "Bearer "+interopKey {
		return tools.Caller{Principal: "interop", Tenants: []string{interopTenant}}, true
	}
	return tools.Caller{}, false
}

// serveInterop serves s on a loopback httptest server; the URL ends in /mcp.
func serveInterop(t testing.TB, s *Server, auth func(*http.Request) (tools.Caller, bool)) string {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ts := httptest.NewServer(s.HTTPHandler(HTTPOptions{Authenticate: auth, Log: quiet}))
	t.Cleanup(ts.Close)
	return ts.URL + "/mcp"
}

// repoRoot walks up from the working directory to the directory of go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// nodeModules is $SECMCP_NODE_MODULES or <repo>/.cache/node/node_modules.
func nodeModules(t testing.TB) string {
	if d := strings.TrimSpace(os.Getenv("SECMCP_NODE_MODULES")); d != "" {
		return d
	}
	return filepath.Join(repoRoot(t), ".cache", "node", "node_modules")
}
