package mcpadapter

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/tools"
)

// The gate tests serve the adapter with a few tools of their own — echo, a
// call that blocks until released, and one that asks the client's model —
// to two principals, "alice" and "bob", who may use the same tenant: what
// separates their sessions is the principal, not the tenant.

type askParams struct {
	Q string `json:"q" jsonschema:"The question for the client's model."`
}

type askResult struct {
	Answer string `json:"answer"`
}

type holdParams struct {
	Tag string `json:"tag,omitempty" jsonschema:"Free text, ignored."`
}

type holdResult struct {
	Held bool `json:"held"`
}

// gateFixture is a served adapter and its log.
type gateFixture struct {
	url     string
	release chan struct{} // closing it ends every gate_run_hold call
	held    chan struct{} // one value per gate_run_hold call started
	mu      sync.Mutex
	logs    bytes.Buffer
}

func (f *gateFixture) log() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logs.String()
}

type lockedWriter struct{ f *gateFixture }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.f.mu.Lock()
	defer w.f.mu.Unlock()
	return w.f.logs.Write(p)
}

var gateKeys = map[string]tools.Caller{
	"Bearer key-alice": {Principal: "alice", Tenants: []string{"contoso"}},
	"Bearer key-bob":   {Principal: "bob", Tenants: []string{"contoso"}},
}

func newGateFixture(t *testing.T, lim Limits) *gateFixture {
	t.Helper()
	f := &gateFixture{release: make(chan struct{}), held: make(chan struct{}, 64)}
	ask := tools.New("gate", "gate_get_answer", "Ask the client's model.",
		func(ctx context.Context, c tools.Call, p askParams) (askResult, error) {
			if c.Sample == nil {
				return askResult{Answer: "no sampling"}, nil
			}
			a, err := c.Sample(ctx, tools.SampleRequest{Prompt: p.Q})
			return askResult{Answer: a}, err
		})
	hold := tools.New("gate", "gate_run_hold", "Block until the test releases it.",
		func(ctx context.Context, c tools.Call, _ holdParams) (holdResult, error) {
			f.held <- struct{}{}
			select {
			case <-f.release:
			case <-ctx.Done():
			}
			return holdResult{Held: true}, nil
		})
	ten := tenant.New("contoso", "00000000-0000-4000-8000-00000000c0de", "demo", true, ratelimit.New(ratelimit.Config{UnitsPerMinute: 60000, Burst: 1000}), nil)
	reg, _ := tenant.NewRegistry(ten)
	tr, err := tools.NewRegistry([]tools.Spec{echoSpec(), ask, hold}, tools.Selection{})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewJSONHandler(lockedWriter{f}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := NewServer(Config{Name: "secmcp", Version: "gate", Invoker: &tools.Invoker{Tools: tr, Tenants: reg, Log: logger}, Log: logger})
	ts := httptest.NewServer(s.HTTPHandler(HTTPOptions{
		Authenticate: func(r *http.Request) (tools.Caller, bool) {
			c, ok := gateKeys[r.Header.Get("Authorization")]
			return c, ok
		},
		Limits: lim, Log: logger,
	}))
	t.Cleanup(func() {
		select {
		case <-f.release:
		default:
			close(f.release)
		}
		ts.Close()
	})
	f.url = ts.URL + "/mcp"
	return f
}

// reply is one HTTP answer, whole.
type reply struct {
	status int
	header http.Header
	body   string
}

// same reports whether two replies are the same to the byte (status,
// content headers, body).
func (a reply) same(b reply) bool {
	return a.status == b.status && a.body == b.body &&
		a.header.Get("Content-Type") == b.header.Get("Content-Type") &&
		a.header.Get("X-Content-Type-Options") == b.header.Get("X-Content-Type-Options") &&
		a.header.Get("Mcp-Session-Id") == b.header.Get("Mcp-Session-Id")
}

// do sends one request as key (empty: no Authorization) on session sid and
// reads the answer, for at most wait (an open SSE stream is cut there).
func do(t *testing.T, method, url, key, sid, body string, hdr map[string]string, wait time.Duration) reply {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", key)
	}
	if sid != "" {
		req.Header.Set("Mcp-Session-Id", sid)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
	} else {
		req.Header.Set("Accept", "text/event-stream")
	}
	req.Header.Set("MCP-Protocol-Version", "2025-11-25")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body) // a timeout cuts an open stream; keep what came
	return reply{resp.StatusCode, resp.Header, string(b)}
}

const initBody = `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"sampling":{}},"clientInfo":{"name":"gate-test","version":"1"}}}`

// open initializes a session as key and returns its ID.
func open(t *testing.T, url, key string) string {
	t.Helper()
	r := do(t, http.MethodPost, url, key, "", initBody, nil, 5*time.Second)
	sid := r.header.Get("Mcp-Session-Id")
	if r.status != http.StatusOK || sid == "" {
		t.Fatalf("initialize as %s: %d %q", key, r.status, r.body)
	}
	if r := do(t, http.MethodPost, url, key, sid, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, nil, 5*time.Second); r.status != http.StatusAccepted {
		t.Fatalf("initialized: %d %s", r.status, r.body)
	}
	return sid
}

// sseEvent is one event of a stream: its id and JSON message.
type sseEvent struct {
	id  string
	msg map[string]any
}

// readEvents parses events from r onto ch until r ends.
func readEvents(r io.Reader, ch chan<- sseEvent) {
	defer close(ch)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 8<<20)
	var ev sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "id: "):
			ev.id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "data: "):
			_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev.msg)
		case line == "":
			if ev.msg != nil {
				ch <- ev
			}
			ev = sseEvent{}
		}
	}
}
