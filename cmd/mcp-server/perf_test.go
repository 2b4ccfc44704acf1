package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/cputime"
	"github.com/secmcp/secmcp/internal/ratelimit"
)

// TestDemoBudgetFlag: --demo-budget is refused when negative or with
// --config, and gives each demo tenant the budget asked for (a burst of a
// fifth of it), where the default leaves ratelimit.Default.
func TestDemoBudgetFlag(t *testing.T) {
	env := func(string) string { return "" }
	for _, bad := range [][]string{{"--demo-budget", "-5"}, {"--demo-budget", "NaN"}, {"--demo-budget", "100", "--config", "x.yaml"}} {
		if _, err := parseFlags(bad, env, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "--demo-budget") {
			t.Errorf("%v: want an error naming --demo-budget, got %v", bad, err)
		}
	}
	for _, units := range []float64{0, 60000} {
		opts, err := parseFlags([]string{"--demo-clock", "2026-11-20T12:00:00Z"}, env, &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		opts.demoBudget = units
		a, err := build(t.Context(), opts, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		want := ratelimit.Default
		if units > 0 {
			want = ratelimit.Config{UnitsPerMinute: 60000, Burst: 12000}
		}
		for _, tn := range a.demoEnv.Registry.Permitted([]string{"*"}) {
			if got := tn.Budget.Config(); got != want {
				t.Errorf("--demo-budget %v: tenant %s has budget %+v, want %+v", units, tn.Alias, got, want)
			}
		}
		a.Close()
	}
}

// TestCPUProfileFlag: --cpu-profile writes a non-empty pprof file when the
// server stops, and an unwritable path is refused naming the flag.
func TestCPUProfileFlag(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpu.pprof")
	frames := []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`,
	}
	stdioAnswers(t, []string{"--demo-clock", "2026-11-20T12:00:00Z", "--log-level", "error", "--cpu-profile", path}, frames, 1)
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		t.Fatalf("--cpu-profile wrote nothing: %d bytes, %v", len(b), err)
	}
	bad := filepath.Join(t.TempDir(), "no", "such", "dir", "p")
	err = run(t.Context(), []string{"--cpu-profile", bad}, func(string) string { return "" }, strings.NewReader(""), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--cpu-profile") {
		t.Errorf("unwritable profile path: want an error naming --cpu-profile, got %v", err)
	}
}

// BenchmarkHTTPToolCall is one kql_validate call through the whole HTTP
// path in process — gate, mcp-go, invoker, argument decoding, render, the
// audit line (info level, to io.Discard) — on a warm session. Its allocs/op
// is the per-call allocation figure of issue 16:
//
//	go test -run '^$' -bench HTTPToolCall -benchmem ./cmd/mcp-server/
func BenchmarkHTTPToolCall(b *testing.B) {
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
	h, err := a.httpHandler(opts, logger)
	if err != nil {
		b.Fatal(err)
	}
	post := func(body, sid string) *httptest.ResponseRecorder { return mcpPost(h, "demo-contoso", body, sid) }
	sid := mcpOpen(b, h, "demo-contoso", "bench")
	call := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"kql_validate","arguments":{"query":"DeviceProcessEvents | where Timestamp > ago(1h) | count"}}}`
	if w := post(call, sid); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"valid":true`) {
		b.Fatalf("tools/call: %d %s", w.Code, w.Body)
	}
	b.ReportAllocs()
	cpu := cputime.Used()
	for b.Loop() {
		if w := post(call, sid); w.Code != http.StatusOK {
			b.Fatalf("tools/call: %d %s", w.Code, w.Body)
		}
	}
	// The process's CPU time per call (the collector's included) varies far
	// less than ns/op when other work shares the machine.
	b.ReportMetric(float64(cputime.Used()-cpu)/float64(b.N), "cpu-ns/op")
}
