package mcpadapter

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

// modernHeaders are the headers a 2026-07-28 (stateless) request carries.
func modernHeaders(method, name string) map[string]string {
	h := map[string]string{mcp.HeaderProtocolVersion: mcp.ProtocolVersion20260728, mcp.HeaderMethod: method}
	if name != "" {
		h[mcp.HeaderName] = name
	}
	return h
}

const modernMeta = `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"gate-test","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}`

// TestStatelessCancelCannotReachAnotherPrincipal: on the stateless wire
// every request runs in a session with no ID, so mcp-go keys in-flight
// requests by the bare JSON-RPC id. A notifications/cancelled from bob
// naming the id of alice's running call must not end it.
func TestStatelessCancelCannotReachAnotherPrincipal(t *testing.T) {
	f := newGateFixture(t, Limits{})
	call := `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"gate_run_hold","arguments":{},` + modernMeta + `}}`
	done := make(chan reply, 1)
	go func() {
		done <- do(t, http.MethodPost, f.url, "Bearer key-alice", "", call, modernHeaders("tools/call", "gate_run_hold"), 20*time.Second)
	}()
	select {
	case <-f.held:
	case r := <-done:
		t.Fatalf("alice's call ended before it was held: %d %s", r.status, r.body)
	case <-time.After(10 * time.Second):
		t.Fatal("alice's call never started")
	}
	cancel := `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7,"reason":"hostile",` + modernMeta + `}}`
	if r := do(t, http.MethodPost, f.url, "Bearer key-bob", "", cancel, modernHeaders("notifications/cancelled", ""), 5*time.Second); r.status != http.StatusAccepted {
		t.Fatalf("bob's cancel: %d %s, want 202", r.status, r.body)
	}
	select {
	case r := <-done:
		t.Fatalf("bob's notifications/cancelled ended alice's call: %d %s", r.status, r.body)
	case <-time.After(500 * time.Millisecond):
	}
	close(f.release)
	r := <-done
	if r.status != http.StatusOK || !strings.Contains(r.body, `\"held\":true`) && !strings.Contains(r.body, `"held":true`) {
		t.Fatalf("alice's call after release: %d %s", r.status, r.body)
	}
}
