package mcpadapter

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// rawSession is a hand-written 2025-11-25 streamable HTTP client that sees
// which stream every message travels on and when it arrives — what a real
// client such as the TypeScript SDK experiences, without its buffering. It
// opens the standalone GET stream right after initialization, as the
// TypeScript client does.
type rawSession struct {
	url, sid string
	hc       *http.Client
	cancel   context.CancelFunc
	// grace is how long after the response a call waits for the GET
	// stream's notifications before counting the missing ones lost
	// (100 ms when zero).
	grace time.Duration

	mu  sync.Mutex
	get []sseArrival // messages that arrived on the GET stream
}

// sseArrival is one SSE message and the moment it was read.
type sseArrival struct {
	at  time.Time
	msg map[string]any
}

func newRawSession(t *testing.T, url string) *rawSession {
	t.Helper()
	s := &rawSession{url: url, hc: &http.Client{}}
	resp, err := s.post(context.Background(), `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"interop-raw","version":"1"}}}`)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	s.sid = resp.Header.Get("Mcp-Session-Id")
	if s.sid == "" {
		t.Fatal("initialize: no Mcp-Session-Id header")
	}
	if resp, err = s.post(context.Background(), `{"jsonrpc":"2.0","method":"notifications/initialized"}`); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp, err = s.post(context.Background(), `{"jsonrpc":"2.0","id":1,"method":"logging/setLevel","params":{"level":"debug"}}`); err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	s.headers(req)
	req.Header.Set("Accept", "text/event-stream")
	get, err := s.hc.Do(req)
	if err != nil || get.StatusCode != http.StatusOK {
		t.Fatalf("GET stream: %v %v", err, get)
	}
	go func() {
		defer get.Body.Close()
		_ = readSSE(get.Body, func(a sseArrival) bool {
			s.mu.Lock()
			s.get = append(s.get, a)
			s.mu.Unlock()
			return true
		})
	}()
	return s
}

func (s *rawSession) headers(r *http.Request) {
	r.Header.Set("Mcp-Protocol-Version", "2025-11-25")
	if s.sid != "" {
		r.Header.Set("Mcp-Session-Id", s.sid)
	}
}

func (s *rawSession) post(ctx context.Context, body string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	s.headers(req)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := s.hc.Do(req)
	if err == nil && resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return nil, fmt.Errorf("POST: %s: %s", resp.Status, b)
	}
	return resp, err
}

// callOutcome says where a call's notifications went relative to its response.
type callOutcome struct {
	onPost    int // on the request's own stream, before the response
	getBefore int // on the GET stream, read before the response was read
	getAfter  int // on the GET stream, read after the response: a client drops these
	lost      int // never arrived
}

// call runs tools/call name with args (a JSON object) and a progress token
// "tok-<id>", and classifies the notifications match selects. GET arrivals
// of earlier calls are forgotten first, so match may ignore the call ID.
func (s *rawSession) call(t *testing.T, id int, name, args string, match func(map[string]any) bool, want int) callOutcome {
	t.Helper()
	s.mu.Lock()
	s.get = nil
	s.mu.Unlock()
	body := fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":%q,"arguments":%s,"_meta":{"progressToken":"tok-%d"}}}`, id, name, args, id)
	resp, err := s.post(context.Background(), body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out callOutcome
	var respAt time.Time
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		_ = readSSE(resp.Body, func(a sseArrival) bool {
			if a.msg["id"] != nil {
				respAt = a.at
				return false
			}
			if match(a.msg) {
				out.onPost++
			}
			return true
		})
	} else {
		_, _ = io.Copy(io.Discard, resp.Body)
		respAt = time.Now()
	}
	if respAt.IsZero() {
		t.Fatalf("call %d: no response on the POST stream", id)
	}
	// Late GET arrivals are what this counts; give them the grace to land.
	grace := s.grace
	if grace == 0 {
		grace = 100 * time.Millisecond
	}
	for deadline := time.Now().Add(grace); ; time.Sleep(2 * time.Millisecond) {
		out.getBefore, out.getAfter = s.onGet(match, respAt)
		if out.onPost+out.getBefore+out.getAfter >= want || time.Now().After(deadline) {
			break
		}
	}
	out.lost = want - out.onPost - out.getBefore - out.getAfter
	return out
}

// onGet counts the GET-stream notifications match selects, read before and
// after the moment respAt.
func (s *rawSession) onGet(match func(map[string]any) bool, respAt time.Time) (before, after int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.get {
		if !match(a.msg) {
			continue
		}
		if a.at.After(respAt) {
			after++
		} else {
			before++
		}
	}
	return before, after
}

func (o *callOutcome) add(p callOutcome) {
	o.onPost += p.onPost
	o.getBefore += p.getBefore
	o.getAfter += p.getAfter
	o.lost += p.lost
}

// progressOf selects the progress notifications of call id.
func progressOf(id int) func(map[string]any) bool {
	token := fmt.Sprintf("tok-%d", id)
	return func(msg map[string]any) bool {
		p, _ := msg["params"].(map[string]any)
		return msg["method"] == "notifications/progress" && p != nil && p["progressToken"] == token
	}
}

// isLog selects log notifications.
func isLog(msg map[string]any) bool { return msg["method"] == "notifications/message" }

// readSSE calls fn for each message event until fn returns false or r ends.
func readSSE(r io.Reader, fn func(sseArrival) bool) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 4<<20)
	var data bytes.Buffer
	for sc.Scan() {
		line := sc.Text()
		if d, ok := strings.CutPrefix(line, "data:"); ok {
			data.WriteString(strings.TrimPrefix(d, " "))
			continue
		}
		if line != "" || data.Len() == 0 {
			continue
		}
		var msg map[string]any
		if json.Unmarshal(data.Bytes(), &msg) == nil && !fn(sseArrival{at: time.Now(), msg: msg}) {
			return nil
		}
		data.Reset()
	}
	return sc.Err()
}
