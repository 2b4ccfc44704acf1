//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures"
)

// TestOAuthSignInTypeScriptClient: the official TypeScript SDK client
// completes MCP authorization against the demo server — 401 →
// protected-resource metadata → the demo Entra authority's OpenID
// configuration → authorization code with PKCE → token — and calls tools
// as the signed-in demo user, whose default app role (SecMCP.Reader)
// decides the tools it sees. A token from demo-token with SecMCP.Hunter
// sees the hunting tools too.
func TestOAuthSignInTypeScriptClient(t *testing.T) {
	bin := binary(t, "")
	url := startHTTP(t, bin)
	base := strings.TrimSuffix(url, "/mcp")
	caFile := filepath.Join(t.TempDir(), "emulator-ca.pem")
	resp, err := http.Get(base + "/demo/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	pem, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err := os.WriteFile(caFile, pem, 0o600); err != nil {
		t.Fatal(err)
	}
	clock, _ := time.Parse(time.RFC3339, demoClock)
	contoso, err := fixtures.Load("contoso", clock)
	if err != nil {
		t.Fatal(err)
	}
	// The senior demo analyst (the same data, so the same user, as the
	// server's emulator picks).
	emu, err := fixtures.NewEmulator(fixtures.EmulatorOptions{Tenants: fixtures.StaticTenants(contoso)})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	analysts, err := emu.Analysts("contoso")
	if err != nil {
		t.Fatal(err)
	}
	upn := analysts.Senior.UPN

	ops, _ := json.Marshal([]map[string]any{{"list": "tools"}, {"call": "defender_list_incidents", "args": map[string]any{}}})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", nodeScript(t, filepath.Join(repoRoot(t), "e2e", "oauth-client.mjs")),
		"--url", url, "--client-id", fixtures.DemoMCPClientID, "--login-hint", upn, "--ops", string(ops))
	cmd.Env = append(os.Environ(), "NODE_PATH="+nodeModules(t), "NODE_EXTRA_CA_CERTS="+caFile)
	cmd.Dir = filepath.Join(repoRoot(t), ".cache", "node")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	res := map[int]json.RawMessage{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var r struct {
			Op int `json:"op"`
		}
		if json.Unmarshal(sc.Bytes(), &r) == nil {
			res[r.Op] = append(json.RawMessage(nil), sc.Bytes()...)
		}
	}
	var conn opResult
	if json.Unmarshal(res[-1], &conn) != nil || !conn.OK {
		t.Fatalf("the TypeScript client did not complete sign-in: %v\nstdout: %s\nstderr: %s", err, out, stderr.String())
	}
	var fetched struct {
		Fetched []string `json:"fetched"`
	}
	_ = json.Unmarshal(res[-2], &fetched)
	tid, _, _, _ := fixtures.DemoIdentity("contoso")
	for _, want := range []string{
		"GET " + base + "/.well-known/oauth-protected-resource/mcp",
		"/" + tid + "/v2.0/.well-known/openid-configuration",
		"/" + tid + "/oauth2/v2.0/authorize",
		"POST https://127.0.0.1:",
	} {
		if !slices.ContainsFunc(fetched.Fetched, func(f string) bool { return strings.Contains(f, want) }) {
			t.Errorf("the client never fetched %q; it fetched:\n%s", want, strings.Join(fetched.Fetched, "\n"))
		}
	}
	var list, call opResult
	_ = json.Unmarshal(res[0], &list)
	_ = json.Unmarshal(res[1], &call)
	names := toolNames(t, list)
	if !slices.Contains(names, "defender_list_incidents") || slices.Contains(names, "defender_run_hunting_query") {
		t.Errorf("a SecMCP.Reader sees %v", names)
	}
	if r := decodeCall(t, call); r.IsError || !strings.Contains(r.text(), "secmcp://contoso/") {
		t.Errorf("defender_list_incidents as %s: %+v", upn, r)
	}

	// demo-token with another role: the same server accepts it as a bearer.
	tokOut, err := exec.Command(bin, "demo-token", "--url", url, "--tenant", "contoso", "--user", upn, "--roles", "SecMCP.Hunter").Output()
	if err != nil {
		t.Fatalf("demo-token: %v", err)
	}
	hunter := runClient(t, []map[string]any{{"list": "tools"}}, "--url", url, "--key", strings.TrimSpace(string(tokOut)))
	if names := toolNames(t, hunter[0]); !slices.Contains(names, "defender_run_hunting_query") {
		t.Errorf("a SecMCP.Hunter token sees %v", names)
	}
}

func toolNames(t *testing.T, r opResult) []string {
	t.Helper()
	var tools []struct {
		Name string `json:"name"`
	}
	if !r.OK || json.Unmarshal(r.Result, &tools) != nil {
		t.Fatalf("tools/list: %+v", r)
	}
	var names []string
	for _, tl := range tools {
		names = append(names, tl.Name)
	}
	return names
}
