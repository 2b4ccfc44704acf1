package mcpadapter

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSessionBelongsToItsPrincipal: bob, holding alice's session ID, gets
// for every operation — request, GET stream, Last-Event-ID replay, a
// sampling answer, DELETE — exactly what an unknown session ID gets, and
// none of alice's events; alice's session is unharmed, answers her own
// sampling request, and replays to her.
func TestSessionBelongsToItsPrincipal(t *testing.T) {
	f := newGateFixture(t, Limits{})
	const alice, bob = "Bearer key-alice", "Bearer key-bob"
	const secret = "alice-secret-question-7f3a"
	sid := open(t, f.url, alice)

	// alice listens on her GET stream, where mcp-go sends sampling
	// requests, and calls a tool that asks her model twice: the first
	// request she answers at once, the second (carrying a secret) stays
	// pending while bob tries her session.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.url, nil)
	for k, v := range map[string]string{"Authorization": alice, "Mcp-Session-Id": sid, "Accept": "text/event-stream", "MCP-Protocol-Version": "2025-11-25"} {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("alice's GET stream: %v %v", resp, err)
	}
	defer resp.Body.Close()
	events := make(chan sseEvent, 16)
	go readEvents(resp.Body, events)
	call := func(id int, q string) <-chan reply {
		ch := make(chan reply, 1)
		go func() {
			ch <- do(t, http.MethodPost, f.url, alice, sid, fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"gate_get_answer","arguments":{"q":%q}}}`, id, q), nil, 20*time.Second)
		}()
		return ch
	}
	next := func(want string) sseEvent {
		t.Helper()
		select {
		case ev := <-events:
			if ev.msg["method"] != "sampling/createMessage" || ev.id == "" || !strings.Contains(fmt.Sprint(ev.msg), want) {
				t.Fatalf("want a sampling request about %q with an event ID, got %+v", want, ev)
			}
			return ev
		case <-ctx.Done():
			t.Fatal("no sampling request on alice's stream")
		}
		return sseEvent{}
	}
	answer := func(ev sseEvent, text string) string {
		return `{"jsonrpc":"2.0","id":` + fmt.Sprint(ev.msg["id"]) + `,"result":{"role":"assistant","content":{"type":"text","text":"` + text + `"},"model":"m","stopReason":"endTurn"}}`
	}
	first := call(5, "warm-up")
	ev1 := next("warm-up")
	if r := do(t, http.MethodPost, f.url, alice, sid, answer(ev1, "fine"), nil, 5*time.Second); r.status != http.StatusAccepted {
		t.Fatalf("alice's first answer: %d %s", r.status, r.body)
	}
	if r := <-first; !strings.Contains(r.body, "fine") {
		t.Fatalf("first call: %d %s", r.status, r.body)
	}
	second := call(7, secret)
	ev := next(secret)

	unknown := newSessionID()
	ops := []struct {
		name, method, body string
		hdr                map[string]string
	}{
		{"request", http.MethodPost, `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, nil},
		{"GET stream", http.MethodGet, "", nil},
		{"replay with Last-Event-ID", http.MethodGet, "", map[string]string{"Last-Event-ID": ev1.id}},
		{"sampling response", http.MethodPost, answer(ev, "bob wrote this"), nil},
		{"DELETE", http.MethodDelete, "", nil},
	}
	var bobBytes, leaked, refused int
	for _, op := range ops {
		got := do(t, op.method, f.url, bob, sid, op.body, op.hdr, 3*time.Second)
		want := do(t, op.method, f.url, bob, unknown, op.body, op.hdr, 3*time.Second)
		bobBytes += len(got.body)
		if strings.Contains(got.body, secret) || strings.Contains(got.body, "sampling/createMessage") || strings.Contains(got.body, "data:") {
			leaked += len(got.body)
		}
		if got.same(want) && got.status == http.StatusNotFound {
			refused++
		} else {
			t.Errorf("%s with alice's session: %d %q %v; unknown session: %d %q %v", op.name,
				got.status, got.body, got.header, want.status, want.body, want.header)
		}
	}
	// No key at all: 401, the same whether the session exists or not.
	for _, op := range ops {
		got := do(t, op.method, f.url, "", sid, op.body, op.hdr, 3*time.Second)
		want := do(t, op.method, f.url, "", unknown, op.body, op.hdr, 3*time.Second)
		if !got.same(want) || got.status != http.StatusUnauthorized {
			t.Errorf("%s without a key on alice's session: %d %q; on an unknown one: %d %q", op.name, got.status, got.body, want.status, want.body)
		}
	}
	t.Logf("bob's cross-session operations: %d/%d answered exactly as an unknown session (404 %q); %d bytes received, %d bytes of alice's events",
		refused, len(ops), "Invalid session ID", bobBytes, leaked)
	if leaked != 0 {
		t.Fatalf("bob received %d bytes of alice's events", leaked)
	}

	// alice's session is intact: her answer (not bob's) completes her call.
	if r := do(t, http.MethodPost, f.url, alice, sid, answer(ev, "alice's model says hi"), nil, 5*time.Second); r.status != http.StatusAccepted {
		t.Fatalf("alice's sampling answer: %d %s", r.status, r.body)
	}
	if r := <-second; !strings.Contains(r.body, "alice's model says hi") || strings.Contains(r.body, "bob") {
		t.Fatalf("alice's tool result: %d %s", r.status, r.body)
	}
	// Her own replay from the first event returns the second: what bob's
	// replay would have leaked.
	if r := do(t, http.MethodGet, f.url, alice, sid, "", map[string]string{"Last-Event-ID": ev1.id}, 2*time.Second); r.status != http.StatusOK || !strings.Contains(r.body, secret) {
		t.Fatalf("alice's own replay: %d %q", r.status, r.body)
	}
	if r := do(t, http.MethodDelete, f.url, alice, sid, "", nil, 5*time.Second); r.status != http.StatusOK {
		t.Fatalf("alice's DELETE: %d %s", r.status, r.body)
	}
	// Ended is the same as unknown, to alice too.
	got := do(t, http.MethodPost, f.url, alice, sid, `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`, nil, 3*time.Second)
	want := do(t, http.MethodPost, f.url, alice, unknown, `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`, nil, 3*time.Second)
	if !got.same(want) {
		t.Errorf("ended session: %d %q, unknown: %d %q", got.status, got.body, want.status, want.body)
	}
	if strings.Contains(f.log(), sid) || strings.Contains(f.log(), sessionIDPrefix) {
		t.Errorf("a session ID reached the log:\n%s", f.log())
	}
	if !strings.Contains(f.log(), `"session":"sid:`) {
		t.Errorf("the refusals should be logged with a keyed hash of the session ID:\n%.2000s", f.log())
	}
}

// TestSessionIDShapeAndUnknownGet: over-long and repeated session IDs are
// refused before any lookup; a GET with an unknown ID, or none, creates
// nothing.
func TestSessionIDShapeAndUnknownGet(t *testing.T) {
	f := newGateFixture(t, Limits{})
	const bob = "Bearer key-bob"
	long := sessionIDPrefix + strings.Repeat("A", 4000)
	r := do(t, http.MethodGet, f.url, bob, long, "", nil, 3*time.Second)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "at most 128 bytes") {
		t.Errorf("over-long session ID: %d %q", r.status, r.body)
	}
	req, _ := http.NewRequest(http.MethodGet, f.url, nil)
	req.Header.Set("Authorization", bob)
	req.Header.Add("Mcp-Session-Id", newSessionID())
	req.Header.Add("Mcp-Session-Id", newSessionID())
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("two session headers: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	for i := 0; i < 20; i++ {
		if r := do(t, http.MethodGet, f.url, bob, newSessionID(), "", nil, 3*time.Second); r.status != http.StatusNotFound {
			t.Fatalf("GET with an invented session ID: %d %q", r.status, r.body)
		}
	}
	if r := do(t, http.MethodGet, f.url, bob, "", "", nil, 3*time.Second); r.status != http.StatusBadRequest || !strings.Contains(r.body, "needs the Mcp-Session-Id") {
		t.Errorf("GET without a session: %d %q", r.status, r.body)
	}
	// A session-protocol request without its session: 400 (the spec's
	// answer), not the 404 that would mean "your session expired".
	if r := do(t, http.MethodPost, f.url, bob, "", `{"jsonrpc":"2.0","id":7,"method":"tools/list"}`, nil, 3*time.Second); r.status != http.StatusBadRequest || !strings.Contains(r.body, "needs the Mcp-Session-Id") {
		t.Errorf("POST without a session: %d %q", r.status, r.body)
	}
	// Nothing was created: bob can still open his full quota.
	for i := 0; i < DefaultLimits().MaxSessionsPerPrincipal; i++ {
		open(t, f.url, bob)
	}
}

// TestSessionIDsAreUnguessable: 256 random bits, no repeats, bounded length.
func TestSessionIDsAreUnguessable(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := newSessionID()
		if seen[id] || len(id) != len(sessionIDPrefix)+43 || len(id) > maxSessionIDLen {
			t.Fatalf("id %q (len %d) repeated or malformed", id, len(id))
		}
		seen[id] = true
	}
}
