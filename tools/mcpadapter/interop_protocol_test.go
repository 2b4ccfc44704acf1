package mcpadapter

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// mcp-go's own client against the adapter's HTTP handler in both protocol
// versions mcp-go v1.2.1 serves: 2026-07-28 (stateless, the client's
// default) and 2025-11-25 (initialize handshake and Mcp-Session-Id, what the
// TypeScript SDK and the conformance suite speak).

// wireLog records the protocol headers of every request the server saw.
type wireLog struct {
	mu   sync.Mutex
	seen []http.Header
}

func (w *wireLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		w.seen = append(w.seen, r.Header.Clone())
		w.mu.Unlock()
		next.ServeHTTP(rw, r)
	})
}

// versions returns the Mcp-Protocol-Version headers seen and whether any
// request carried an Mcp-Session-Id.
func (w *wireLog) versions() (map[string]int, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[string]int{}
	session := false
	for _, h := range w.seen {
		out[h.Get("Mcp-Protocol-Version")]++
		session = session || h.Get("Mcp-Session-Id") != ""
	}
	return out, session
}

func connectGoClient(t *testing.T, url, version string, headers map[string]string) (*client.Client, error) {
	t.Helper()
	tr, err := transport.NewStreamableHTTP(url, transport.WithHTTPHeaders(headers))
	if err != nil {
		t.Fatal(err)
	}
	var opts []client.ClientOption
	if version != "" {
		opts = append(opts, client.WithProtocolVersion(version))
	}
	c := client.NewClient(tr, opts...)
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		return nil, err
	}
	req := mcp.InitializeRequest{}
	req.Params.ClientInfo = mcp.Implementation{Name: "secmcp-interop", Version: "1"}
	if _, err := c.Initialize(ctx, req); err != nil {
		return nil, err
	}
	return c, nil
}

func TestGoClientBothProtocolVersions(t *testing.T) {
	cases := []struct {
		name, pin, want string
		session         bool
	}{
		{"default", "", mcp.ProtocolVersion20260728, false},
		{"stateless-2026-07-28", mcp.ProtocolVersion20260728, mcp.ProtocolVersion20260728, false},
		{"session-2025-11-25", mcp.ProtocolVersion20251125, mcp.ProtocolVersion20251125, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var wire wireLog
			h := newInteropServer(t).HTTPHandler(HTTPOptions{Authenticate: keyOnlyAuth})
			ts := httptest.NewServer(wire.wrap(h))
			t.Cleanup(ts.Close)
			c, err := connectGoClient(t, ts.URL+"/mcp", tc.pin, map[string]string{"Authorization": "Bearer " + interopKey})
			if err != nil {
				t.Fatalf("connect: %v", err)
			}
			if got := c.ProtocolVersion(); got != tc.want {
				t.Errorf("negotiated %q, want %q", got, tc.want)
			}
			listAndCall(t, c)
			seen, session := wire.versions()
			if seen[tc.want] == 0 || session != tc.session {
				t.Errorf("server saw Mcp-Protocol-Version %v, Mcp-Session-Id %v; want %s and session %v", seen, session, tc.want, tc.session)
			}
			t.Logf("negotiated %s; server saw versions %v, session header %v", c.ProtocolVersion(), seen, session)
		})
	}
}

func listAndCall(t *testing.T, c *client.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	list, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		t.Fatalf("tools/list: %v", err)
	}
	names := map[string]bool{}
	for _, tool := range list.Tools {
		names[tool.Name] = true
	}
	if !names["interop_get_echo"] || len(names) < 5 {
		t.Fatalf("tools/list: %d tools, echo present %v", len(names), names["interop_get_echo"])
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = "interop_get_echo"
	req.Params.Arguments = map[string]any{"text": "hello"}
	res, err := c.CallTool(ctx, req)
	if err != nil {
		t.Fatalf("tools/call: %v", err)
	}
	if res.IsError || len(res.Content) == 0 {
		t.Fatalf("tools/call: error result %+v", res)
	}
	if tc, ok := res.Content[0].(mcp.TextContent); !ok || tc.Text != "echo: hello" {
		t.Errorf("tools/call text: %+v", res.Content[0])
	}
	raw, _ := json.Marshal(res.StructuredContent)
	var got echoResult
	if err := json.Unmarshal(raw, &got); err != nil || got != (echoResult{Echo: "hello", Tenant: interopTenant}) {
		t.Errorf("tools/call structured: %s (%v)", raw, err)
	}
}

func TestHTTPGuardRefusals(t *testing.T) {
	url := serveInterop(t, newInteropServer(t), keyOnlyAuth)
	const initBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}`
	cases := []struct {
		name, auth, origin string
		want               int
	}{
		{"no key", "", "", http.StatusUnauthorized},
		{"wrong key", "Bearer not-the-key", "", http.StatusUnauthorized},
		{"not bearer", "Basic " + interopKey, "", http.StatusUnauthorized},
		{"foreign origin", "Bearer " + interopKey, "https://evil.example.com", http.StatusForbidden},
		{"foreign origin without key", "", "http://evil.example.com", http.StatusForbidden},
		{"loopback origin", "Bearer " + interopKey, "http://localhost:6274", http.StatusOK},
		{"good key", "Bearer " + interopKey, "", http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(initBody))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
			challenge := resp.Header.Get("WWW-Authenticate")
			if tc.want == http.StatusUnauthorized && !strings.HasPrefix(challenge, "Bearer ") {
				t.Errorf("401 without a Bearer WWW-Authenticate challenge: %q", challenge)
			}
		})
	}
	// mcp-go's client sees the refusal as an error in both versions.
	for _, v := range []string{mcp.ProtocolVersion20260728, mcp.ProtocolVersion20251125} {
		if _, err := connectGoClient(t, url, v, map[string]string{"Authorization": "Bearer wrong"}); err == nil {
			t.Errorf("%s: a wrong key connected", v)
		}
	}
}
