package upstream

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/secmcp/secmcp/internal/config"
	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/tools"
)

var roomy = ratelimit.Config{UnitsPerMinute: 60000, Burst: 1000}

// TestPluginTools: a well-behaved plugin's tools are re-exported
// namespaced, through the invoker's chain; hostile metadata is cleaned or
// refused; writes obey read-only; another tenant sees nothing.
func TestPluginTools(t *testing.T) {
	r := newRig(t, roomy, tools.Selection{ReadOnly: true}, stdioServer(t, "p1"))
	r.waitTool("p1__echo")
	got, err := r.call(alpha, "p1__echo", `{"msg":"hi"}`)
	if err != nil || got != "echo: hi" {
		t.Fatalf("echo: %q %v", got, err)
	}
	if _, ok := r.reg.Lookup("p1__write_note"); ok {
		t.Error("a tool without readOnlyHint is exposed under --read-only")
	}
	for _, n := range []string{"p1__has_tenant", "p1__bad name!"} {
		if _, ok := r.reg.Lookup(n); ok {
			t.Errorf("%s should have been refused", n)
		}
	}
	s, ok := r.reg.Lookup("p1__sneaky")
	if !ok {
		t.Fatal("p1__sneaky missing")
	}
	if len(s.Description) > MaxDescription || !strings.HasSuffix(s.Description, "[cut]") {
		t.Errorf("description not cut: %d bytes", len(s.Description))
	}
	for _, c := range s.Description + string(s.InputSchema) {
		if c == '\u202e' || c == '\u200b' || c == 0x07 || c == 0x1b || unicode.Is(unicode.Cf, c) {
			t.Errorf("hidden character %U survived in %q", c, s.Name)
		}
	}
	// Tenant isolation: beta neither sees nor calls the tool, and the
	// refusal is worded as for a tool that does not exist.
	beta := tools.Caller{Principal: "analyst-b", Tenants: []string{"beta"}}
	if r.inv.VisibleTo(beta, s) {
		t.Error("beta sees p1__sneaky")
	}
	_, err = r.call(beta, "p1__echo", `{"msg":"hi"}`)
	if err == nil || !strings.Contains(err.Error(), `unknown tool "p1__echo"`) {
		t.Errorf("beta call: %v", err)
	}
	both := tools.Caller{Principal: "both", Tenants: []string{"beta", "alpha"}}
	if got, err := r.call(both, "p1__echo", `{"msg":"x"}`); err != nil || got != "echo: x" {
		t.Errorf("a caller of beta and alpha defaults to alpha: %q %v", got, err)
	}
	if _, err := r.call(both, "p1__echo", `{"msg":"x","tenant":"beta"}`); err == nil || !strings.Contains(err.Error(), "unknown tool") {
		t.Errorf("explicit tenant beta: %v", err)
	}
	if n := r.audit.lines("p1__echo", "ok"); n != 2 {
		t.Errorf("audit ok lines for p1__echo = %d, want 2", n)
	}
	if n := r.audit.lines("p1__echo", "invalid_argument"); n != 2 {
		t.Errorf("audit refused lines for p1__echo = %d, want 2", n)
	}
	got, err = r.call(alpha, "p1__fail", `{}`)
	if err == nil || !strings.Contains(err.Error(), "p1__fail failed: the thing went wrong") {
		t.Errorf("tool error: %q %v", got, err)
	}
}

// TestPluginBudget: plugin calls spend the tenant's budget like any tool.
func TestPluginBudget(t *testing.T) {
	srv := stdioServer(t, "p1")
	cost := 2
	srv.Cost = &cost
	r := newRig(t, ratelimit.Config{UnitsPerMinute: 1, Burst: 5}, tools.Selection{ReadOnly: true}, srv)
	r.waitTool("p1__echo")
	for i := 0; i < 2; i++ {
		if _, err := r.call(alpha, "p1__echo", `{"msg":"a"}`); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	_, err := r.call(alpha, "p1__echo", `{"msg":"a"}`)
	var te *tools.ToolError
	if !errors.As(err, &te) || te.Kind != "rate_limited" {
		t.Fatalf("third call at cost 2 with burst 5: %v", err)
	}
	if n := r.audit.lines("p1__echo", "rate_limited"); n != 1 {
		t.Errorf("rate_limited audit lines = %d", n)
	}
}

// TestPluginEnv: the child gets the mapped secret and none of secmcp's
// own environment.
func TestPluginEnv(t *testing.T) {
	t.Setenv("SECMCP_AUDIT_KEY", "very-secret-audit-key")
	t.Setenv("MY_PLUG_TOKEN", "tok-123")
	srv := stdioServer(t, "p1")
	srv.Env = map[string]string{"PLUG_TOKEN": "MY_PLUG_TOKEN"}
	r := newRig(t, roomy, tools.Selection{ReadOnly: true}, srv)
	r.waitTool("p1__env")
	got, err := r.call(alpha, "p1__env", `{}`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "PLUG_TOKEN=tok-123") || strings.Contains(got, "SECMCP_AUDIT_KEY") || strings.Contains(got, "MY_PLUG_TOKEN") {
		t.Errorf("child environment: %s", got)
	}
	srv.Env = map[string]string{"PLUG_TOKEN": "UNSET_VARIABLE_X"}
	if _, err := New(Options{Servers: []config.MCPServer{srv}, Getenv: func(string) string { return "" }}); err == nil ||
		!strings.Contains(err.Error(), "UNSET_VARIABLE_X") {
		t.Errorf("missing variable: %v", err)
	}
}

// TestPluginDeadAtStart: a server that never answers or exits at once
// does not delay Start, and its state says why.
//
// The servers' configurations are made before the clock starts: the first
// stdioServer builds the test server with go build, which took seconds when
// this test ran alone. Start must not wait for the hung server's
// initialize (connectTimeout); the bound is well under it, with room for
// a loaded machine's scheduling.
func TestPluginDeadAtStart(t *testing.T) {
	hang, gone := stdioServer(t, "hang", "-mode", "hang-init"), stdioServer(t, "gone", "-mode", "exit")
	start := time.Now()
	r := newRig(t, roomy, tools.Selection{ReadOnly: true}, hang, gone)
	if d := time.Since(start); d > connectTimeout/2 {
		t.Errorf("start took %s; it must not wait for the %s initialize timeout", d, connectTimeout)
	}
	eventually(t, "both servers reported down with a reason", func() bool {
		st := r.mgr.Status()
		return strings.Contains(st[0].Reason, "did not answer initialize within") && st[0].Restarts >= 1 &&
			strings.Contains(st[1].Reason, "exit") && st[1].Restarts >= 1
	})
}

// TestPluginCitation: a successful call is kept through Cite, with the
// tenant, the sanitized arguments and answer, and cites the URI it gets.
func TestPluginCitation(t *testing.T) {
	type kept struct {
		tenant, server, tool, sent string
		answer                     Result
	}
	var got []kept
	srv := stdioServer(t, "p1")
	m, err := New(Options{Servers: []config.MCPServer{srv}, Getenv: func(string) string { return "" },
		Cite: func(tenant, server, tool string, sent json.RawMessage, answer Result) (string, bool) {
			got = append(got, kept{tenant, server, tool, string(sent), answer})
			return "secmcp://" + tenant + "/plugins/" + server + "/" + tool + "/r1", true
		}})
	if err != nil {
		t.Fatal(err)
	}
	specs := make(chan []tools.Spec, 4)
	m.Start(context.Background(), func(_ string, s []tools.Spec) { specs <- s })
	defer m.Close()
	var echo tools.Spec
	for _, s := range <-specs {
		if s.Name == "p1__echo" {
			echo = s
		}
	}
	ten := tenant.New("alpha", "11111111-1111-4111-8111-111111111111", "demo", true, nil, nil)
	res, err := echo.Handler(context.Background(), tools.Call{Tenant: ten}, json.RawMessage(`{"msg":"hi\u200b"}`))
	if err != nil {
		t.Fatal(err)
	}
	r := res.(Result)
	if len(r.Sources) != 1 || r.Sources[0].URI != "secmcp://alpha/plugins/p1/echo/r1" || !strings.Contains(r.Text(), "Source: secmcp://alpha/plugins/p1/echo/r1") {
		t.Errorf("sources: %+v %q", r.Sources, r.Text())
	}
	if len(got) != 1 || got[0].tenant != "alpha" || got[0].sent != `{"msg":"hi"}` || got[0].answer.Content != "echo: hi" {
		t.Errorf("kept: %+v", got)
	}
}

// TestCleanSchemaDropsMCPExtensions: x-mcp-* keys never reach our list.
func TestCleanSchemaDropsMCPExtensions(t *testing.T) {
	out, err := cleanSchema(json.RawMessage(`{"type":"object","properties":{"q":{"type":"string","x-mcp-header":"X-Q"}}}`))
	if err != nil || strings.Contains(string(out), "x-mcp") {
		t.Errorf("%s %v", out, err)
	}
}
