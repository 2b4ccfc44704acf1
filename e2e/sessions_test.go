//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestHTTPSessionsAndLimits runs the built binary over HTTP with two
// principals (the demo keys, plus keyless callers on contoso) and tight
// limits, and measures what issue 10
// asks: every cross-session operation by the other principal is answered
// exactly as an unknown session and carries 0 bytes of the owner's events;
// over-size bodies, over-long session IDs, slow-header clients and session
// caps are refused with the limit named; no session ID reaches the log.
//
//	go test -tags e2e -run TestHTTPSessionsAndLimits -v ./e2e/
func TestHTTPSessionsAndLimits(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "server.log")
	mcpURL := startHTTP(t, binary(t, ""), "--log-level", "info", "--log-file", logFile,
		"--max-body-bytes", "65536", "--max-header-bytes", "16384", "--read-header-timeout", "1s",
		"--max-sessions", "4", "--max-sessions-per-principal", "3", "--max-inflight-per-tenant", "1",
		"--anonymous-tenants", "contoso")
	a := &rawClient{url: mcpURL, key: "demo-contoso"}
	b := &rawClient{url: mcpURL, key: "demo-fabrikam"}
	sid := a.open(t)

	t.Run("cross-session", func(t *testing.T) { crossSession(t, a, b, sid) })
	t.Run("body-limit", func(t *testing.T) {
		big := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"kql_validate","arguments":{"query":"` + strings.Repeat("x", 1<<20) + `"}}}`
		r := a.do(t, http.MethodPost, sid, big, nil, 10*time.Second)
		t.Logf("1 MiB body against --max-body-bytes 65536: %d %s", r.status, strings.TrimSpace(r.body))
		if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "the limit is 65536 bytes (--max-body-bytes)") {
			t.Errorf("over-size body: %d %q", r.status, r.body)
		}
	})
	t.Run("long-session-id", func(t *testing.T) {
		r := b.do(t, http.MethodGet, "secmcp-"+strings.Repeat("A", 8000), "", nil, 5*time.Second)
		t.Logf("8 KB session ID: %d %s", r.status, strings.TrimSpace(r.body))
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, "at most 128 bytes") {
			t.Errorf("over-long session ID: %d %q", r.status, r.body)
		}
	})
	t.Run("header-limit", func(t *testing.T) {
		r := b.do(t, http.MethodPost, "", initBody, map[string]string{"X-Pad": strings.Repeat("p", 20<<10)}, 5*time.Second)
		t.Logf("20 KiB header against --max-header-bytes 16384: %d %s", r.status, strings.TrimSpace(r.body))
		if r.status != http.StatusRequestHeaderFieldsTooLarge || !strings.Contains(r.body, "the limit is 16384 bytes (--max-header-bytes)") {
			t.Errorf("over-size header: %d %q", r.status, r.body)
		}
		r = b.do(t, http.MethodPost, "", initBody, map[string]string{"X-Pad": strings.Repeat("p", 1<<20)}, 5*time.Second)
		t.Logf("1 MiB header (the server stops reading at 2x): %d %s", r.status, strings.TrimSpace(r.body))
		if r.status != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("1 MiB header: %d %q", r.status, r.body)
		}
	})
	t.Run("slow-headers", func(t *testing.T) { slowHeaders(t, mcpURL) })
	t.Run("session-caps", func(t *testing.T) {
		// contoso and fabrikam hold 1 session each; the caps are 3 per
		// principal, 4 in all.
		a.open(t)
		a.open(t)
		ra := a.do(t, http.MethodPost, "", initBody, nil, 5*time.Second)
		rb := b.do(t, http.MethodPost, "", initBody, nil, 5*time.Second)
		t.Logf("contoso's 4th session: %d %s", ra.status, strings.TrimSpace(ra.body))
		t.Logf("fabrikam's 2nd session (5th in all): %d %s", rb.status, strings.TrimSpace(rb.body))
		if ra.status != http.StatusTooManyRequests || !strings.Contains(ra.body, "--max-sessions-per-principal") {
			t.Errorf("per-principal cap: %d %q", ra.status, ra.body)
		}
		if rb.status != http.StatusServiceUnavailable || !strings.Contains(rb.body, "--max-sessions)") {
			t.Errorf("total cap: %d %q", rb.status, rb.body)
		}
		if r := a.do(t, http.MethodDelete, sid, "", nil, 5*time.Second); r.status != http.StatusOK {
			t.Errorf("DELETE own session: %d %q", r.status, r.body)
		}
		b.open(t) // the freed slot is usable
	})
	logs, _ := os.ReadFile(logFile)
	if ids := regexp.MustCompile(`secmcp-[A-Za-z0-9_-]{16,}`).FindAllString(string(logs), -1); len(ids) > 0 || strings.Contains(string(logs), sid) {
		t.Errorf("%d session IDs reached the log", len(ids))
	}
	t.Logf("server log: %d bytes, %d lines name a session (as a keyed hash), 0 session IDs",
		len(logs), strings.Count(string(logs), `"session":"sid:`))
}

// crossSession: b uses a's session for every operation while a has a
// sampling request pending; each answer must equal the unknown-session one.
func crossSession(t *testing.T, a, b *rawClient, sid string) {
	const secret = "zq-secret-7f3a"
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	events := a.stream(t, ctx, sid)
	// kql_generate asks the client's model (sampling) on a's GET stream.
	call := func(id int, q string) <-chan reply {
		ch := make(chan reply, 1)
		body := fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"kql_generate","arguments":{"question":%q}}}`, id, q)
		go func() { ch <- a.do(t, http.MethodPost, sid, body, nil, 80*time.Second) }()
		return ch
	}
	answer := func(ev sseEvent, text string) string {
		return `{"jsonrpc":"2.0","id":` + fmt.Sprint(ev.msg["id"]) + `,"result":{"role":"assistant","content":{"type":"text","text":` + jsonString(text) + `},"model":"m","stopReason":"endTurn"}}`
	}
	const query = "DeviceProcessEvents | where Timestamp > ago(1d) | where FileName =~ \"powershell.exe\" | take 10"
	// finish answers every sampling request until the call returns.
	finish := func(done <-chan reply) reply {
		for {
			select {
			case r := <-done:
				return r
			case ev := <-events:
				if ev.msg["method"] == "sampling/createMessage" {
					a.do(t, http.MethodPost, sid, answer(ev, query), nil, 10*time.Second)
				}
			case <-ctx.Done():
				t.Fatal("kql_generate did not finish")
			}
		}
	}
	first := call(5, "devices that ran powershell.exe in the last day")
	ev1 := nextSampling(t, ctx, events, "powershell")
	a.do(t, http.MethodPost, sid, answer(ev1, query), nil, 10*time.Second)
	if r := finish(first); !strings.Contains(r.body, "powershell") {
		t.Fatalf("first kql_generate: %d %.300s", r.status, r.body)
	}
	second := call(7, "devices that ran "+secret+".exe in the last day")
	ev := nextSampling(t, ctx, events, secret)

	// contoso's pending kql_generate holds its one in-flight slot
	// (--max-inflight-per-tenant 1): another contoso call is refused with
	// a tool error naming the limit; fabrikam's calls are not affected.
	list := `{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"defender_list_incidents","arguments":{"top":1}}}`
	ra := a.do(t, http.MethodPost, sid, list, nil, 10*time.Second)
	rb := b.do(t, http.MethodPost, b.open(t), list, nil, 10*time.Second)
	t.Logf("contoso call while its slot is held: %.300s", ra.body)
	if !strings.Contains(ra.body, `"isError":true`) || !strings.Contains(ra.body, "--max-inflight-per-tenant") {
		t.Errorf("second contoso call in flight: %d %.300s", ra.status, ra.body)
	}
	if rb.status != http.StatusOK || strings.Contains(rb.body, `"isError":true`) {
		t.Errorf("fabrikam's call while contoso is at its cap: %d %.300s", rb.status, rb.body)
	}

	unknown := "secmcp-" + randomID()
	ops := []struct {
		name, method, body string
		hdr                map[string]string
	}{
		{"POST request", http.MethodPost, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"defender_list_incidents","arguments":{"top":1}}}`, nil},
		{"GET stream", http.MethodGet, "", nil},
		{"GET replay Last-Event-ID", http.MethodGet, "", map[string]string{"Last-Event-ID": ev1.id}},
		{"sampling response", http.MethodPost, answer(ev, "SecurityEvent | take 1 // "+b.key), nil},
		{"DELETE", http.MethodDelete, "", nil},
	}
	var received, leaked, refused int
	for _, op := range ops {
		got := b.do(t, op.method, sid, op.body, op.hdr, 3*time.Second)
		want := b.do(t, op.method, unknown, op.body, op.hdr, 3*time.Second)
		received += len(got.body)
		if strings.Contains(got.body, secret) || strings.Contains(got.body, "data:") || strings.Contains(got.body, "jsonrpc") {
			leaked += len(got.body)
		}
		if got.same(want) && got.status == http.StatusNotFound {
			refused++
		} else {
			t.Errorf("%s on contoso's session: %d %q; on an unknown session: %d %q", op.name, got.status, got.body, want.status, want.body)
		}
		t.Logf("fabrikam %-26s on contoso's session: %d %q (unknown session: %d %q)", op.name, got.status, strings.TrimSpace(got.body), want.status, strings.TrimSpace(want.body))
	}
	// A caller without a key (--anonymous-tenants contoso: the same tenant)
	// is its own principal: the same refusals.
	anon := &rawClient{url: a.url}
	for _, op := range ops {
		got := anon.do(t, op.method, sid, op.body, op.hdr, 3*time.Second)
		want := anon.do(t, op.method, unknown, op.body, op.hdr, 3*time.Second)
		received += len(got.body)
		if strings.Contains(got.body, secret) || strings.Contains(got.body, "data:") || strings.Contains(got.body, "jsonrpc") {
			leaked += len(got.body)
		}
		if !got.same(want) || got.status != http.StatusNotFound {
			t.Errorf("anonymous %s on contoso's session: %d %q; unknown: %d %q", op.name, got.status, got.body, want.status, want.body)
		} else {
			refused++
		}
	}
	t.Logf("cross-session: %d/%d operations (fabrikam's key and no key) refused exactly as an unknown session; the other callers received %d bytes, %d bytes of contoso's events",
		refused, 2*len(ops), received, leaked)
	if leaked != 0 {
		t.Fatalf("other callers received %d bytes of contoso's events", leaked)
	}
	// contoso's session is unharmed: its own answer completes the call, and
	// its own replay from the first event returns the second (what a
	// successful replay by fabrikam would have leaked).
	a.do(t, http.MethodPost, sid, answer(ev, query), nil, 10*time.Second)
	if r := finish(second); r.status != http.StatusOK || strings.Contains(r.body, b.key) {
		t.Fatalf("contoso's call after the attempts: %d %.300s", r.status, r.body)
	}
	if r := a.do(t, http.MethodGet, sid, "", map[string]string{"Last-Event-ID": ev1.id}, 2*time.Second); r.status != http.StatusOK || !strings.Contains(r.body, secret) {
		t.Errorf("contoso's own replay: %d %.300s", r.status, r.body)
	}
}

func nextSampling(t *testing.T, ctx context.Context, events <-chan sseEvent, want string) sseEvent {
	t.Helper()
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatal("the GET stream ended")
			}
			if ev.msg["method"] == "sampling/createMessage" && ev.id != "" && strings.Contains(fmt.Sprint(ev.msg), want) {
				return ev
			}
		case <-ctx.Done():
			t.Fatalf("no sampling request about %q", want)
		}
	}
}

// slowHeaders: a client that sends half a request line and stops is
// disconnected at --read-header-timeout (1s).
func slowHeaders(t *testing.T, mcpURL string) {
	u, _ := url.Parse(mcpURL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	_, _ = io.WriteString(conn, "POST /mcp HTTP/1.1\r\nHost: "+u.Host+"\r\nX-Slow: ")
	_ = conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	n, err := io.Copy(io.Discard, conn) // returns when the server closes
	took := time.Since(start)
	t.Logf("slow-header client (--read-header-timeout 1s): disconnected after %s (%d bytes answered, %v)", took.Round(10*time.Millisecond), n, err)
	if err != nil || took > 5*time.Second {
		t.Errorf("slow-header client held the connection %s (err %v)", took, err)
	}
}

// rawClient is a minimal 2025-11-25 streamable HTTP client.
type rawClient struct{ url, key string }

type reply struct {
	status int
	header http.Header
	body   string
}

func (a reply) same(b reply) bool {
	return a.status == b.status && a.body == b.body &&
		a.header.Get("Content-Type") == b.header.Get("Content-Type") &&
		a.header.Get("Mcp-Session-Id") == b.header.Get("Mcp-Session-Id")
}

const initBody = `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"sampling":{}},"clientInfo":{"name":"e2e-sessions","version":"1"}}}`

func (c *rawClient) request(ctx context.Context, method, sid, body string, hdr map[string]string) *http.Request {
	req, _ := http.NewRequestWithContext(ctx, method, c.url, strings.NewReader(body))
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	req.Header.Set("MCP-Protocol-Version", "2025-11-25")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	if sid != "" {
		req.Header.Set("Mcp-Session-Id", sid)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return req
}

// do sends one request and reads its answer for at most wait.
func (c *rawClient) do(t *testing.T, method, sid, body string, hdr map[string]string, wait time.Duration) reply {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	resp, err := http.DefaultClient.Do(c.request(ctx, method, sid, body, hdr))
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, string(b)}
}

func (c *rawClient) open(t *testing.T) string {
	t.Helper()
	r := c.do(t, http.MethodPost, "", initBody, nil, 10*time.Second)
	sid := r.header.Get("Mcp-Session-Id")
	if r.status != http.StatusOK || sid == "" {
		t.Fatalf("initialize with %s: %d %q", c.key, r.status, r.body)
	}
	c.do(t, http.MethodPost, sid, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, nil, 5*time.Second)
	return sid
}

type sseEvent struct {
	id  string
	msg map[string]any
}

// stream opens the session's GET stream and delivers its events.
func (c *rawClient) stream(t *testing.T, ctx context.Context, sid string) <-chan sseEvent {
	t.Helper()
	resp, err := http.DefaultClient.Do(c.request(ctx, http.MethodGet, sid, "", nil))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET stream: %v %v", resp, err)
	}
	ch := make(chan sseEvent, 32)
	go func() {
		defer close(ch)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				ev.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "data: "):
				_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev.msg)
			case line == "" && ev.msg != nil:
				ch <- ev
				ev = sseEvent{}
			}
		}
	}()
	return ch
}

func randomID() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
