package httppolicy

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/source"
)

// fakeClock advances only when the policy sleeps, so tests never wait.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newClock() *fakeClock { return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return ctx.Err()
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// script serves the listed statuses in order (then 200s) and records bodies.
type script struct {
	mu       sync.Mutex
	statuses []int
	headers  []map[string]string
	calls    int
	bodies   []string
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	i := s.calls
	s.calls++
	s.bodies = append(s.bodies, string(b))
	s.mu.Unlock()
	if i < len(s.statuses) {
		if i < len(s.headers) {
			for k, v := range s.headers[i] {
				w.Header().Set(k, v)
			}
		}
		w.WriteHeader(s.statuses[i])
		_, _ = io.WriteString(w, `{"error":{"code":"x"}}`)
		return
	}
	_, _ = io.WriteString(w, `{"ok":true}`)
}

func (s *script) Calls() int { s.mu.Lock(); defer s.mu.Unlock(); return s.calls }

func client(clk *fakeClock, o Options) *http.Client {
	o.Now, o.Sleep = clk.Now, clk.Sleep
	return &http.Client{Transport: New(nil, o)}
}

func TestRetryAfterHonouredAndBodyReplayed(t *testing.T) {
	s := &script{statuses: []int{429}, headers: []map[string]string{{"Retry-After": "2"}}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	clk := newClock()
	c := client(clk, Options{})
	// POST with a body the transport must replay; strings.Reader sets GetBody,
	// so wrap it to force the buffering path.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1.0/security/runHuntingQuery", io.NopCloser(strings.NewReader(`{"Query":"T"}`)))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || s.Calls() != 2 {
		t.Fatalf("status %d after %d calls, want 200 after 2", resp.StatusCode, s.Calls())
	}
	if got := clk.Sleeps(); len(got) != 1 || got[0] != 2*time.Second {
		t.Fatalf("sleeps = %v, want [2s]", got)
	}
	if s.bodies[0] != s.bodies[1] || s.bodies[1] != `{"Query":"T"}` {
		t.Fatalf("bodies not replayed: %q", s.bodies)
	}
}

func TestPersistent503BecomesThrottledError(t *testing.T) {
	s := &script{statuses: []int{503, 503, 503, 503, 503}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	clk := newClock()
	c := client(clk, Options{BaseDelay: 100 * time.Millisecond, Service: "graph"})
	_, err := c.Get(srv.URL + "/v1.0/users")
	var te *source.ThrottledError
	if !errors.As(err, &te) || !errors.Is(err, source.ErrThrottled) {
		t.Fatalf("err = %v, want *source.ThrottledError", err)
	}
	if te.Service != "graph" {
		t.Errorf("service = %q", te.Service)
	}
	if s.Calls() != 4 {
		t.Errorf("calls = %d, want 1 + 3 retries", s.Calls())
	}
	sl := clk.Sleeps()
	for i, d := range sl {
		hi := 100 * time.Millisecond << i
		if d < hi/2 || d > hi {
			t.Errorf("sleep %d = %v, want within [%v, %v]", i, d, hi/2, hi)
		}
	}
}

func TestIdempotency(t *testing.T) {
	cases := []struct {
		name, method, path string
		status, wantCalls  int
	}{
		{"get 504 retried", http.MethodGet, "/v1.0/users", 504, 4},
		{"plain post 504 not retried", http.MethodPost, "/v1.0/something", 504, 1},
		{"hunting post 504 retried", http.MethodPost, "/v1.0/security/runHuntingQuery", 504, 4},
		{"plain post 429 retried", http.MethodPost, "/v1.0/something", 429, 4},
		{"400 never retried", http.MethodGet, "/v1.0/users", 400, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &script{statuses: []int{tc.status, tc.status, tc.status, tc.status}}
			srv := httptest.NewServer(s)
			defer srv.Close()
			c := client(newClock(), Options{})
			req, _ := http.NewRequest(tc.method, srv.URL+tc.path, bytes.NewReader([]byte("{}")))
			resp, err := c.Do(req)
			if err == nil {
				_ = resp.Body.Close()
			}
			if s.Calls() != tc.wantCalls {
				t.Fatalf("calls = %d, want %d (err %v)", s.Calls(), tc.wantCalls, err)
			}
		})
	}
}

func TestGateFailsFastPerTenantOnly(t *testing.T) {
	s := &script{statuses: []int{429}, headers: []map[string]string{{"Retry-After": "120"}}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	clk := newClock()
	contoso := client(clk, Options{Tenant: "contoso", Gate: NewGate()})
	fabrikam := client(clk, Options{Tenant: "fabrikam", Gate: NewGate()})

	_, err := contoso.Get(srv.URL + "/a")
	var te *source.ThrottledError
	if !errors.As(err, &te) || te.RetryAfter != 120*time.Second {
		t.Fatalf("first call: err = %v, want ThrottledError 120s", err)
	}
	// Same tenant: fails fast without reaching the server.
	_, err = contoso.Get(srv.URL + "/b")
	if !errors.As(err, &te) || s.Calls() != 1 {
		t.Fatalf("second call: err = %v calls = %d, want fail-fast", err, s.Calls())
	}
	// Other tenant: unaffected.
	resp, err := fabrikam.Get(srv.URL + "/c")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("fabrikam slowed by contoso's 429: %v", err)
	}
	_ = resp.Body.Close()
	if len(clk.Sleeps()) != 0 {
		t.Errorf("unexpected sleeps %v", clk.Sleeps())
	}
}

func TestGateWaitsForShortRetryAfter(t *testing.T) {
	s := &script{statuses: []int{429}, headers: []map[string]string{{"Retry-After": "3"}}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	clk := newClock()
	gate := NewGate()
	noRetry := client(clk, Options{MaxRetries: -1, Gate: gate})
	if _, err := noRetry.Get(srv.URL + "/a"); err == nil {
		t.Fatal("want ThrottledError with retries disabled")
	}
	resp, err := noRetry.Get(srv.URL + "/b")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if got := clk.Sleeps(); len(got) != 1 || got[0] != 3*time.Second {
		t.Fatalf("gate sleeps = %v, want [3s]", got)
	}
}

func TestTransientNetworkErrorRetried(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close() // reset mid-request
			}
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	defer srv.Close()
	c := client(newClock(), Options{})
	resp, err := c.Get(srv.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if calls != 2 {
		t.Fatalf("calls = %d, want 2", calls)
	}
}

func TestTimeoutBoundsTheCall(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer srv.Close()
	c := &http.Client{Transport: New(nil, Options{Timeout: 50 * time.Millisecond})}
	start := time.Now()
	_, err := c.Get(srv.URL)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("call took %v", el)
	}
}

func TestNeverLogsAuthorization(t *testing.T) {
	s := &script{statuses: []int{503}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	var buf bytes.Buffer
	lg := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := client(newClock(), Options{Logger: lg})
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1.0/users", nil)
	req.Header.Set("Authorization", "Bearer eyJsecret-token")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if !strings.Contains(buf.String(), "retrying") {
		t.Fatalf("expected a retry log line, got %q", buf.String())
	}
	if strings.Contains(buf.String(), "eyJsecret") || strings.Contains(buf.String(), "Bearer") {
		t.Fatalf("log leaked credentials: %q", buf.String())
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		h      map[string]string
		want   time.Duration
		wantOK bool
	}{
		{map[string]string{"Retry-After": "7"}, 7 * time.Second, true},
		{map[string]string{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)}, 90 * time.Second, true},
		{map[string]string{"Retry-After": now.Add(-time.Hour).Format(http.TimeFormat)}, 0, true},
		{map[string]string{"Retry-After": "soon"}, 0, false},
		{map[string]string{"Retry-After": "-3"}, 0, false},
		{map[string]string{"Retry-After": "99999999999999999"}, 24 * time.Hour, true},
		{map[string]string{"retry-after-ms": "250", "Retry-After": "9"}, 250 * time.Millisecond, true},
		{map[string]string{}, 0, false},
	}
	for _, tc := range cases {
		h := http.Header{}
		for k, v := range tc.h {
			h.Set(k, v)
		}
		got, ok := RetryAfter(h, now)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("RetryAfter(%v) = %v, %v; want %v, %v", tc.h, got, ok, tc.want, tc.wantOK)
		}
	}
}
