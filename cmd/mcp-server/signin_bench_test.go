package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkSignInOverhead measures what an Entra ID token costs per call
// against a static API key, in the same run: one kql_validate tools/call
// through the whole in-process HTTP path (gate, sign-in, mcp-go, invoker),
// alternating a demo key and a demo-authority token (RS256 verify, claims,
// cached JWKS) call by call. It reports each path's p50 and p99 and the
// differences. Run: go test -run '^$' -bench SignInOverhead ./cmd/mcp-server/
func BenchmarkSignInOverhead(b *testing.B) {
	opts, err := parseFlags([]string{"--demo-clock", "2026-11-20T12:00:00Z", "--demo-budget", "1e9"}, func(string) string { return "" }, &bytes.Buffer{})
	if err != nil {
		b.Fatal(err)
	}
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	a, err := build(b.Context(), opts, logger)
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	if err := a.demoSignIn("http://127.0.0.1:1/mcp", logger); err != nil {
		b.Fatal(err)
	}
	h, err := a.httpHandler(opts, logger)
	if err != nil {
		b.Fatal(err)
	}
	user, err := a.demoAuthority.DemoUserByUPN("contoso", "")
	if err != nil {
		b.Fatal(err)
	}
	token, err := a.demoAuthority.IssueUserToken("contoso", user.UPN, []string{"SecMCP.Reader"})
	if err != nil {
		b.Fatal(err)
	}
	post := func(bearer, body, sid string) *httptest.ResponseRecorder { return mcpPost(h, bearer, body, sid) }
	call := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"kql_validate","arguments":{"query":"DeviceProcessEvents | where Timestamp > ago(1h) | count"}}}`
	open := func(bearer string) string {
		sid := mcpOpen(b, h, bearer, "bench")
		if w := post(bearer, call, sid); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"valid":true`) {
			b.Fatalf("tools/call: %d %s", w.Code, w.Body)
		}
		return sid
	}
	keySID, tokSID := open("demo-contoso"), open(token)
	var keyD, tokD []time.Duration
	timed := func(bearer, sid string, into *[]time.Duration) {
		start := time.Now()
		if w := post(bearer, call, sid); w.Code != http.StatusOK {
			b.Fatalf("tools/call: %d %s", w.Code, w.Body)
		}
		*into = append(*into, time.Since(start))
	}
	for b.Loop() {
		timed("demo-contoso", keySID, &keyD)
		timed(token, tokSID, &tokD)
	}
	kp50, kp99 := percentiles(keyD)
	tp50, tp99 := percentiles(tokD)
	b.ReportMetric(float64(kp50.Microseconds()), "key-p50-µs")
	b.ReportMetric(float64(kp99.Microseconds()), "key-p99-µs")
	b.ReportMetric(float64(tp50.Microseconds()), "token-p50-µs")
	b.ReportMetric(float64(tp99.Microseconds()), "token-p99-µs")
	b.ReportMetric(float64((tp50 - kp50).Microseconds()), "Δp50-µs")
	b.ReportMetric(float64((tp99 - kp99).Microseconds()), "Δp99-µs")
}

// BenchmarkAuthenticate is the sign-in step alone: a key (SHA-256 and a
// constant-time compare per principal) against a token (parse, RS256
// verify with a cached key, claims).
func BenchmarkAuthenticate(b *testing.B) {
	opts, err := parseFlags([]string{"--demo-clock", "2026-11-20T12:00:00Z"}, func(string) string { return "" }, &bytes.Buffer{})
	if err != nil {
		b.Fatal(err)
	}
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	a, err := build(b.Context(), opts, logger)
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	if err := a.demoSignIn("http://127.0.0.1:1/mcp", logger); err != nil {
		b.Fatal(err)
	}
	user, _ := a.demoAuthority.DemoUserByUPN("contoso", "")
	token, err := a.demoAuthority.IssueUserToken("contoso", user.UPN, nil)
	if err != nil {
		b.Fatal(err)
	}
	si := &signIn{keys: a.principals, tokens: a.tokens, log: logger}
	for name, bearer := range map[string]string{"key": "demo-contoso", "token": token} {
		b.Run(name, func(b *testing.B) {
			r := httptest.NewRequest(http.MethodPost, "/mcp", nil)
			r.Header.Set("Authorization", "Bearer "+bearer)
			if _, ok := si.authenticate(r); !ok { // warm: the JWKS fetch
				b.Fatal("refused")
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := si.authenticate(r); !ok {
					b.Fatal("refused")
				}
			}
		})
	}
}

func percentiles(ds []time.Duration) (p50, p99 time.Duration) {
	if len(ds) == 0 {
		return 0, 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)*50/100], s[min(len(s)-1, len(s)*99/100)]
}
