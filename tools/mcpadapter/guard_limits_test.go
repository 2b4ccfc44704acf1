package mcpadapter

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/tools"
)

// TestSessionCaps: a principal over its cap gets 429 naming the flag and
// what to do; the server over its total cap 503; DELETE frees a slot.
func TestSessionCaps(t *testing.T) {
	f := newGateFixture(t, Limits{MaxSessions: 3, MaxSessionsPerPrincipal: 2})
	const alice, bob = "Bearer key-alice", "Bearer key-bob"
	a1 := open(t, f.url, alice)
	open(t, f.url, alice)
	r := do(t, http.MethodPost, f.url, alice, "", initBody, nil, 5*time.Second)
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "--max-sessions-per-principal") || !strings.Contains(r.body, "DELETE") || r.header.Get("Mcp-Session-Id") != "" {
		t.Errorf("alice's third session: %d %q", r.status, r.body)
	}
	open(t, f.url, bob)
	r = do(t, http.MethodPost, f.url, bob, "", initBody, nil, 5*time.Second)
	if r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "--max-sessions)") {
		t.Errorf("fourth session on the server: %d %q", r.status, r.body)
	}
	t.Logf("caps 2/principal, 3 total: alice's 3rd session -> %d, bob's 2nd (4th in all) -> %d: %s", http.StatusTooManyRequests, r.status, strings.TrimSpace(r.body))
	if r := do(t, http.MethodDelete, f.url, alice, a1, "", nil, 5*time.Second); r.status != http.StatusOK {
		t.Fatalf("DELETE: %d %s", r.status, r.body)
	}
	open(t, f.url, alice)
}

// TestSessionIdleExpiry: an idle session is gone (unknown) and frees its slot.
func TestSessionIdleExpiry(t *testing.T) {
	tab := newSessionTable(Limits{MaxSessions: 2, MaxSessionsPerPrincipal: 2, SessionIdleTimeout: time.Minute})
	now := time.Unix(1_000_000, 0)
	tab.now = func() time.Time { return now }
	c := tools.Caller{Principal: "alice", Tenants: []string{"contoso"}}
	id, _ := tab.reserve(c)
	tab.issue(id)
	if _, err := tab.reserve(c); err != nil {
		t.Fatal(err)
	}
	if _, err := tab.reserve(c); err == nil {
		t.Fatal("third session accepted over a cap of 2")
	}
	now = now.Add(30 * time.Second)
	if !tab.use(id, c) {
		t.Fatal("a session used within its idle timeout must live")
	}
	if tab.use(id, tools.Caller{Principal: "alice", Tenants: []string{"contoso", "fabrikam"}}) {
		t.Fatal("the same name with another tenant set is another owner")
	}
	now = now.Add(61 * time.Second)
	if tab.use(id, c) {
		t.Fatal("a session idle past its timeout must be unknown")
	}
	if _, err := tab.reserve(c); err != nil {
		t.Fatalf("expired sessions must free their slots: %v", err)
	}
	if total, mine := tab.counts("alice"); total != 1 || mine != 1 {
		t.Fatalf("counts %d %d, want 1 1", total, mine)
	}
}

// TestBodyLimit: a body over the limit is refused with 413 naming it, with
// or without Content-Length, and is not parsed.
func TestBodyLimit(t *testing.T) {
	f := newGateFixture(t, Limits{MaxBodyBytes: 8 << 10})
	const alice = "Bearer key-alice"
	sid := open(t, f.url, alice)
	big := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"interop_get_echo","arguments":{"text":"` + strings.Repeat("x", 64<<10) + `"}}}`
	r := do(t, http.MethodPost, f.url, alice, sid, big, nil, 5*time.Second)
	if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "the limit is 8192 bytes (--max-body-bytes)") {
		t.Errorf("over-size body: %d %q", r.status, r.body)
	}
	// Chunked: no Content-Length, so the limit trips while reading.
	req, _ := http.NewRequest(http.MethodPost, f.url, io.MultiReader(strings.NewReader(big)))
	req.Header.Set("Authorization", alice)
	req.Header.Set("Mcp-Session-Id", sid)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "--max-body-bytes") {
		t.Errorf("chunked over-size body: %d %q", resp.StatusCode, b)
	}
	t.Logf("66 KiB body against an 8 KiB limit: %d %s", r.status, strings.TrimSpace(r.body))
	small := `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"interop_get_echo","arguments":{"text":"ok"}}}`
	if r := do(t, http.MethodPost, f.url, alice, sid, small, nil, 5*time.Second); r.status != http.StatusOK || !strings.Contains(r.body, `echo: ok`) {
		t.Errorf("a small call after the refusal: %d %q", r.status, r.body)
	}
}

// TestSlowBodyCutStreamKept: a client that sends headers but trickles its
// body is answered 408 at the read timeout, while an idle GET stream
// outlives that timeout.
func TestSlowBodyCutStreamKept(t *testing.T) {
	f := newGateFixture(t, Limits{ReadTimeout: time.Second})
	const alice = "Bearer key-alice"
	sid := open(t, f.url, alice)
	u, _ := url.Parse(f.url)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	fmt.Fprintf(conn, "POST /mcp HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\nMcp-Session-Id: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"jsonrpc\"", u.Host, alice, sid)
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("slow body: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	took := time.Since(start)
	if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(b), "--read-timeout") || took > 5*time.Second {
		t.Errorf("slow body: %d %q after %s", resp.StatusCode, b, took)
	}
	t.Logf("body trickled against a 1s read timeout: %d after %s", resp.StatusCode, took.Round(10*time.Millisecond))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.url, nil)
	req.Header.Set("Authorization", alice)
	req.Header.Set("Mcp-Session-Id", sid)
	req.Header.Set("Accept", "text/event-stream")
	get, err := http.DefaultClient.Do(req)
	if err != nil || get.StatusCode != http.StatusOK {
		t.Fatalf("GET stream: %v %v", get, err)
	}
	ended := make(chan error, 1)
	go func() { _, err := io.Copy(io.Discard, get.Body); ended <- err }()
	select {
	case err := <-ended:
		t.Fatalf("the GET stream ended after less than 2.5s (read timeout 1s): %v", err)
	case <-time.After(2500 * time.Millisecond):
	}
}

// TestInflightPerPrincipal: a principal at its concurrency limit gets 429
// naming the flag; another principal is not affected.
func TestInflightPerPrincipal(t *testing.T) {
	f := newGateFixture(t, Limits{MaxInflightPerPrincipal: 2})
	const alice, bob = "Bearer key-alice", "Bearer key-bob"
	sid := open(t, f.url, alice)
	hold := `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"gate_run_hold","arguments":{}}}`
	done := make(chan reply, 2)
	for i := 0; i < 2; i++ {
		go func() { done <- do(t, http.MethodPost, f.url, alice, sid, hold, nil, 20*time.Second) }()
	}
	<-f.held
	<-f.held
	r := do(t, http.MethodPost, f.url, alice, sid, `{"jsonrpc":"2.0","id":4,"method":"tools/list"}`, nil, 5*time.Second)
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "--max-inflight-per-principal") || r.header.Get("Retry-After") == "" {
		t.Errorf("third concurrent request: %d %q", r.status, r.body)
	}
	t.Logf("limit 2, third concurrent request: %d %s", r.status, strings.TrimSpace(r.body))
	bsid := open(t, f.url, bob)
	if r := do(t, http.MethodPost, f.url, bob, bsid, `{"jsonrpc":"2.0","id":4,"method":"tools/list"}`, nil, 5*time.Second); r.status != http.StatusOK {
		t.Errorf("bob refused while alice is at her limit: %d %q", r.status, r.body)
	}
	close(f.release)
	for i := 0; i < 2; i++ {
		if r := <-done; r.status != http.StatusOK {
			t.Errorf("held call: %d %q", r.status, r.body)
		}
	}
}

// TestLogScrub: session IDs never reach the log, whatever the attribute
// key or where in a message they sit; one ID maps to one stable tag.
func TestLogScrub(t *testing.T) {
	var buf bytes.Buffer
	l := scrubLogger(slog.New(slog.NewJSONHandler(&buf, nil)))
	id := newSessionID()
	l.Info("Delivered sampling response", "session", id, "request", 3)
	l.Warn("failed to terminate session during CloseSessions", "sessionID", id)
	l.Error("Failed to handle sampling response", "err", errors.New("no active session found for session "+id))
	l.With("sessionId", id).WithGroup("g").Info("message with "+id, "nested", slog.GroupValue(slog.String("session", id)))
	out := buf.String()
	if strings.Contains(out, id) || strings.Contains(out, id[len(sessionIDPrefix):]) {
		t.Fatalf("session ID in the log:\n%s", out)
	}
	m := sessionIDPattern.FindAllString(out, -1)
	tags := strings.Count(out, l.Handler().(*scrubHandler).tag(id))
	if len(m) != 0 || tags != 6 {
		t.Fatalf("want the same tag 6 times, got %d:\n%s", tags, out)
	}
}

// TestHeaderLimit: headers over the limit get 431 naming it, before
// authentication.
func TestHeaderLimit(t *testing.T) {
	f := newGateFixture(t, Limits{MaxHeaderBytes: 8 << 10})
	r := do(t, http.MethodPost, f.url, "", "", initBody, map[string]string{"X-Pad": strings.Repeat("p", 10<<10)}, 5*time.Second)
	if r.status != http.StatusRequestHeaderFieldsTooLarge || !strings.Contains(r.body, "the limit is 8192 bytes (--max-header-bytes)") {
		t.Errorf("10 KiB header: %d %q", r.status, r.body)
	}
	if r := do(t, http.MethodPost, f.url, "Bearer key-alice", "", initBody, map[string]string{"X-Pad": strings.Repeat("p", 6<<10)}, 5*time.Second); r.status != http.StatusOK {
		t.Errorf("6 KiB header under an 8 KiB limit: %d %q", r.status, r.body)
	}
}

// TestResolverSecondLine: the SessionIdManager mcp-go resolves per request
// refuses another caller's session on its own, should a request reach the
// SDK without the gate's check.
func TestResolverSecondLine(t *testing.T) {
	tab := newSessionTable(DefaultLimits())
	alice := tools.Caller{Principal: "alice", Tenants: []string{"contoso"}}
	bob := tools.Caller{Principal: "bob", Tenants: []string{"contoso"}}
	id, _ := tab.reserve(alice)
	reqAs := func(c tools.Caller, reserved string) *http.Request {
		ctx := WithCaller(context.Background(), c)
		if reserved != "" {
			ctx = context.WithValue(ctx, reservedKey{}, reserved)
		}
		r, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1/mcp", nil)
		return r
	}
	rv := resolver{tab}
	if got := rv.ResolveSessionIdManager(reqAs(alice, id)).Generate(); got != id {
		t.Fatalf("Generate returned %q, not the reserved ID", got)
	}
	if _, err := rv.ResolveSessionIdManager(reqAs(alice, "")).Validate(id); err != nil {
		t.Fatalf("owner's Validate: %v", err)
	}
	if _, err := rv.ResolveSessionIdManager(reqAs(bob, "")).Validate(id); err == nil {
		t.Fatal("bob's Validate of alice's session passed")
	}
	if notAllowed, _ := rv.ResolveSessionIdManager(reqAs(bob, "")).Terminate(id); !notAllowed || !tab.owns(id, alice) {
		t.Fatal("bob's Terminate of alice's session was allowed")
	}
	stray := rv.ResolveSessionIdManager(reqAs(bob, "")).Generate()
	if _, err := rv.ResolveSessionIdManager(reqAs(bob, "")).Validate(stray); err == nil || !strings.HasPrefix(stray, sessionIDPrefix) {
		t.Fatalf("an ID minted without a reservation must be unusable: %q %v", stray, err)
	}
	if _, err := rv.ResolveSessionIdManager(nil).Terminate(id); err != nil || tab.owns(id, alice) {
		t.Fatal("the sweeper's Terminate must end the session")
	}
}
