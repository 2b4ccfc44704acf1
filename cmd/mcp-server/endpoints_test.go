package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures"
)

// startPlainEmulator serves the demo tenants over plain HTTP on a loopback port.
func startPlainEmulator(t *testing.T) *fixtures.Emulator {
	t.Helper()
	clock := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	specs, err := fixtures.DemoTenants(clock)
	if err != nil {
		t.Fatal(err)
	}
	runner := &fixtures.EngineRunner{}
	emu, err := fixtures.NewEmulator(fixtures.EmulatorOptions{Tenants: specs, QueryRunner: runner, PlainHTTP: true,
		KustoHandler: func(resolve func(*http.Request) (*fixtures.Tenant, error)) http.Handler {
			return fixtures.NewKustoHandler(resolve, runner)
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	return emu
}

// endpointsConfig writes a configuration for the demo tenant contoso whose
// three endpoints all point at base.
func endpointsConfig(t *testing.T, base string) string {
	t.Helper()
	tid, _, _, err := fixtures.DemoIdentity("contoso")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SECMCP_TEST_CONTOSO_SECRET", fixtures.DemoClientSecret("contoso"))
	cfg := `tenants:
  - alias: contoso
    tenantId: ` + tid + `
    credential: {kind: clientSecret, clientId: ` + fixtures.DemoClientID("contoso") + `, clientSecretEnv: SECMCP_TEST_CONTOSO_SECRET}
    sentinel: {subscriptionId: 22222222-2222-2222-2222-222222222222, resourceGroup: soc-rg, workspaceName: contoso}
    endpoints:
      authority: ` + base + `
      graph: ` + base + `
      logAnalytics: ` + base + `
`
	path := filepath.Join(t.TempDir(), "secmcp.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestEndpointOverridesEndToEnd points all three endpoints of a configured
// tenant at an emulator on a plain-http loopback port and runs real tools
// through the real SDK clients: azidentity/MSAL gets its token from the
// overridden authority, msgraph-sdk-go reads incidents from the overridden
// Graph root and azkustodata queries the overridden Log Analytics proxy.
func TestEndpointOverridesEndToEnd(t *testing.T) {
	emu := startPlainEmulator(t)
	cfg := endpointsConfig(t, emu.PlainURL())
	frames := []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"defender_list_incidents","arguments":{"tenant":"contoso","top":3}}}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"sentinel_run_query","arguments":{"tenant":"contoso","query":"SigninLogs | take 2"}}}`,
	}
	answers := stdioAnswers(t, []string{"--config", cfg, "--log-level", "error"}, frames, 3)
	for _, id := range []float64{2, 3} {
		b, _ := json.Marshal(answers[id])
		if answers[id]["result"] == nil || strings.Contains(string(b), `"isError":true`) {
			t.Fatalf("call %v through the overridden endpoints failed: %.600s", id, b)
		}
	}
	seen := map[string]bool{}
	for _, r := range emu.Requests() {
		switch {
		case strings.HasSuffix(r.Path, "/oauth2/v2.0/token") && r.Status == 200:
			seen["token"] = true
		case r.Path == "/v1.0/security/incidents" && r.Tenant == "contoso" && r.Status == 200:
			seen["graph"] = true
		case strings.HasSuffix(r.Path, "/workspaces/contoso/v2/rest/query") && r.Tenant == "contoso" && r.Status == 200:
			seen["logAnalytics"] = true
		}
	}
	for _, k := range []string{"token", "graph", "logAnalytics"} {
		if !seen[k] {
			t.Errorf("the emulator on %s served no successful %s request; got %+v", emu.PlainURL(), k, emu.Requests())
		}
	}
}

// TestEndpointOverrideRefusesPlainHTTPOffLoopback: a non-loopback http
// endpoint is a configuration error naming the key, before anything is sent.
func TestEndpointOverrideRefusesPlainHTTPOffLoopback(t *testing.T) {
	cfg := endpointsConfig(t, "http://graph.example.com/")
	_, stderr, err := runArgs(t, nil, "--config", cfg, "--list-tools")
	_ = stderr
	if err != nil {
		t.Fatalf("--list-tools reads no config: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = run(ctx, []string{"--config", cfg}, func(string) string { return "" }, strings.NewReader(""), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `endpoints.authority: "http://graph.example.com/" uses plain http to a host that is not loopback`) {
		t.Fatalf("want a config error naming endpoints.authority, got %v", err)
	}
}

// stdioAnswers runs the server over stdio with frames and returns the first
// n answers by id.
func stdioAnswers(t *testing.T, args, frames []string, n int) map[float64]map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	// A configured server keeps an audit key; keep this one out of $HOME.
	args = append(args, "--audit-key-file", filepath.Join(t.TempDir(), "audit.key"))
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		r := io.MultiReader(strings.NewReader(strings.Join(frames, "\n")+"\n"), &blockUntil{ctx: ctx})
		done <- run(ctx, args, func(string) string { return "" }, r, pw, io.Discard)
		_ = pw.Close()
	}()
	answers := map[float64]map[string]any{}
	sc := bufio.NewScanner(pr)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for len(answers) < n && sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("stdout carried a non-JSON line: %q", sc.Text())
		}
		if id, ok := m["id"].(float64); ok {
			answers[id] = m
		}
	}
	cancel()
	if err := <-done; err != nil && len(answers) < n {
		t.Fatalf("server: %v", err)
	}
	return answers
}
