//go:build e2e

package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/fixtures/emulator"
)

// faultRate is the share of upstream requests the soak fails.
const faultRate = 0.30

// faultProxy forwards to the emulator and, for faultRate of the API
// requests (sign-in does not pass through it), first injects one of the emulator's
// faults for that route: throttling with Retry-After, 503, 500, latency, a
// malformed or a truncated body.
func faultProxy(t *testing.T, emu *fixtures.Emulator) (string, *atomic.Int64, *atomic.Int64) {
	t.Helper()
	target, err := url.Parse(emu.PlainURL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ErrorLog = log.New(io.Discard, "", 0) // truncated bodies are the point
	kinds := []emulator.Fault{
		{Status: http.StatusTooManyRequests, RetryAfter: time.Second}, {Status: http.StatusServiceUnavailable},
		{Status: http.StatusInternalServerError}, {Latency: 2 * time.Second}, {MalformedBody: true}, {TruncateBody: true},
	}
	var total, faulted atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		{
			if n := total.Add(1); n%10 < int64(faultRate*10) { // exactly 3 of every 10
				faulted.Add(1)
				f := kinds[rand.IntN(len(kinds))]
				f.Route, f.Method, f.Count = strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/"), "v1.0/"), r.Method, 1
				emu.InjectFault(f)
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &total, &faulted
}

// soakConfig writes a configuration with both demo tenants' APIs behind
// base (sign-in goes straight to authority: the emulator's token issuer
// names its own address) and one principal per tenant; it returns the path
// and the principals' keys.
func soakConfig(t *testing.T, authority, base string) (string, map[string]string) {
	t.Helper()
	var cfg strings.Builder
	cfg.WriteString("tenants:\n")
	keys := map[string]string{}
	for _, alias := range []string{"contoso", "fabrikam"} {
		tid, _, _, err := fixtures.DemoIdentity(alias)
		if err != nil {
			t.Fatal(err)
		}
		env := "SOAK_" + strings.ToUpper(alias) + "_SECRET"
		t.Setenv(env, fixtures.DemoClientSecret(alias))
		fmt.Fprintf(&cfg, "  - alias: %s\n    tenantId: %s\n    credential: {kind: clientSecret, clientId: %s, clientSecretEnv: %s}\n"+
			"    sentinel: {subscriptionId: 22222222-2222-2222-2222-222222222222, resourceGroup: soc-rg, workspaceName: %s}\n"+
			"    endpoints: {authority: %s, graph: %s, logAnalytics: %s}\n", alias, tid, fixtures.DemoClientID(alias), env, alias, authority, base, base)
		keys[alias] = "soak-key-" + alias + "-" + strconv.Itoa(rand.IntN(1<<30))
	}
	// Budgets ten times the default, so most valid calls get through and
	// the hostile ones reach the engines; refusals still happen and count
	// as clear errors.
	cfg.WriteString("budgets:\n  default: {unitsPerMinute: 6000, burst: 600}\nprincipals:\n")
	for alias, key := range keys {
		sum := sha256.Sum256([]byte(key))
		fmt.Fprintf(&cfg, "  - name: soak-%s\n    keySha256: %s\n    tenants: [%s]\n", alias, hex.EncodeToString(sum[:]), alias)
	}
	path := filepath.Join(t.TempDir(), "soak.yaml")
	if err := os.WriteFile(path, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, keys
}

// soakTally counts how the soak's calls ended.
type soakTally struct {
	mu                                            sync.Mutex
	calls, results, toolErrors, rpcErrors, fiveXX int
	unclear, late, transport, rateLimited         int
	examples                                      []string
	errorKinds                                    map[string]int
	slowest                                       time.Duration
}

func (s *soakTally) bad(kind *int, format string, args ...any) {
	*kind++
	if len(s.examples) < 8 {
		s.examples = append(s.examples, fmt.Sprintf(format, args...))
	}
}

// TestSoak sends mixed valid, invalid and hostile traffic from two tenants
// for SOAK_MINUTES (default 1) to the binary under the memory ceiling, with
// 30% of upstream requests failed by the emulator, and asserts 0 crashes,
// 0 HTTP 5xx, a flat RSS and every call ending with a result or a clear
// error before its deadline.
//
//	go test -tags e2e -run TestSoak -v ./e2e/                  # 1 minute
//	SOAK_MINUTES=30 go test -tags e2e -run TestSoak -timeout 40m -v ./e2e/
func TestSoak(t *testing.T) {
	dur := time.Minute
	if m, err := strconv.ParseFloat(os.Getenv("SOAK_MINUTES"), 64); err == nil && m > 0 {
		dur = time.Duration(m * float64(time.Minute))
	}
	emu := startPlainEmulatorE2E(t)
	base, upstream, faulted := faultProxy(t, emu)
	cfg, keys := soakConfig(t, emu.PlainURL(), base)
	s := startLimited(t, nil, "--config", cfg, "--log-level", "error")
	warmUp(t, s.url, keys)
	rss0, _ := s.memory(t)
	var tally soakTally
	var samples []int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for alias, key := range keys {
		other := "fabrikam"
		if alias == "fabrikam" {
			other = "contoso"
		}
		for w := 0; w < 3; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				soakWorker(t, s.url, key, alias, other, stop, &tally)
			}()
		}
	}
	start := time.Now()
	for time.Since(start) < dur && s.alive() {
		time.Sleep(2 * time.Second)
		rss, _ := s.memory(t)
		samples = append(samples, rss)
	}
	close(stop)
	wg.Wait()
	rssEnd, peak := s.memory(t)
	half := samples[:max(1, len(samples)/2)]
	early := int64(0)
	for _, v := range half {
		early = max(early, v)
	}
	t.Logf("soak %s, two tenants, 6 workers: %d calls — %d results, %d tool errors (%d budget or throttling), %d JSON-RPC errors; %d HTTP 5xx, %d unclear, %d late, %d transport failures; slowest %s",
		dur, tally.calls, tally.results, tally.toolErrors, tally.rateLimited, tally.rpcErrors, tally.fiveXX, tally.unclear, tally.late, tally.transport, tally.slowest.Round(time.Millisecond))
	t.Logf("upstream: %d API requests, %d faulted (%.0f%%)", upstream.Load(), faulted.Load(), 100*float64(faulted.Load())/float64(max(1, upstream.Load())))
	t.Logf("RSS: start %d MiB, first-half max %d MiB, peak (VmHWM) %d MiB, end %d MiB; ceiling %d MiB", rss0>>20, early>>20, peak>>20, rssEnd>>20, rssCeiling>>20)
	for _, k := range topKinds(tally.errorKinds, 12) {
		t.Logf("  tool error %s", k)
	}
	for _, e := range tally.examples {
		t.Logf("  e.g. %s", e)
	}
	if !s.alive() {
		t.Fatalf("the server crashed: %s", tail(s.stderr.String(), 2000))
	}
	if tally.fiveXX+tally.unclear+tally.late+tally.transport > 0 {
		t.Errorf("%d 5xx, %d unclear errors, %d late, %d transport failures", tally.fiveXX, tally.unclear, tally.late, tally.transport)
	}
	if float64(tally.calls) < dur.Seconds() || faulted.Load() == 0 { // at least one call a second
		t.Errorf("too little traffic to judge: %d calls, %d upstream faults", tally.calls, faulted.Load())
	}
	if peak > rssCeiling {
		t.Errorf("peak RSS %d MiB over the %d MiB ceiling", peak>>20, rssCeiling>>20)
	}
	if rssEnd > early+64<<20 {
		t.Errorf("RSS grew from %d MiB (first half's max) to %d MiB at the end", early>>20, rssEnd>>20)
	}
}

// warmUp runs each hostile operation once per tenant before the clock
// starts, so "RSS flat" compares working sets, not a cold start with the
// first heavy query.
func warmUp(t *testing.T, url string, keys map[string]string) {
	t.Helper()
	for alias, key := range keys {
		c, err := dial(context.Background(), url, key)
		if err != nil {
			t.Fatal(err)
		}
		for _, op := range soakOps(alias, "") {
			if op.hostile && op.tool != "defender_suggest_hunting_queries" { // the hunts only wait on upstream
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				_, _, _ = c.call(ctx, op.tool, op.args)
				cancel()
			}
		}
	}
}

// startPlainEmulatorE2E serves the demo tenants over plain HTTP on loopback.
func startPlainEmulatorE2E(t *testing.T) *fixtures.Emulator {
	t.Helper()
	specs, err := fixtures.DemoTenants(time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	runner := &fixtures.EngineRunner{}
	emu, err := fixtures.NewEmulator(fixtures.EmulatorOptions{Tenants: specs, QueryRunner: runner, PlainHTTP: true,
		KustoHandler: func(resolve func(*http.Request) (*fixtures.Tenant, error)) http.Handler {
			return fixtures.NewKustoHandler(resolve, runner)
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	return emu
}

// soakOp is one request of the mix: a tool call or a resource read.
type soakOp struct {
	tool    string
	args    map[string]any
	read    string
	hostile bool
}

// incidentOf is a demo tenant's first incident.
var incidentOf = map[string]string{"contoso": "1000", "fabrikam": "5000"}

func soakOps(alias, other string) []soakOp {
	inc := incidentOf[alias]
	return []soakOp{
		// valid
		{tool: "defender_list_incidents", args: map[string]any{"top": 5}},
		{tool: "defender_get_incident", args: map[string]any{"id": inc}},
		{tool: "entra_list_signins", args: map[string]any{"top": 5}},
		{tool: "defender_run_hunting_query", args: map[string]any{"query": "DeviceProcessEvents | take 5"}},
		{tool: "sentinel_run_query", args: map[string]any{"query": "SigninLogs | take 5"}},
		{tool: "intune_list_devices", args: map[string]any{"top": 5}},
		{tool: "kql_validate", args: map[string]any{"query": "SigninLogs | summarize count() by UserPrincipalName"}},
		{read: "secmcp://" + alias + "/incidents/" + inc},
		// invalid
		{tool: "defender_list_incidents", args: map[string]any{"top": "five"}},
		{tool: "defender_get_incident", args: map[string]any{"id": "no-such-incident"}},
		{tool: "defender_list_incidents", args: map[string]any{"tenant": other}},
		{tool: "no_such_tool", args: map[string]any{}},
		{read: "secmcp://" + other + "/incidents/" + incidentOf[other]},
		// hostile
		{tool: "kql_run_sandbox", hostile: true, args: map[string]any{"query": "range a from 1 to 300000 step 1 | extend k = 1 | join kind=inner (range b from 1 to 300000 step 1 | extend k = 1) on k | count"}},
		{tool: "kql_run_sandbox", hostile: true, args: map[string]any{"query": "range x from 1 to 100000 step 1 | extend arr = range(1, 100000, 1) | mv-expand arr | count"}},
		{tool: "scripts_analyze", hostile: true, args: map[string]any{"script": "$a = 'x' * 1000000; 1..40 | % { $a += $a }; iex $a"}},
		{tool: "defender_run_hunting_query", hostile: true, args: map[string]any{"query": "DeviceProcessEvents | evaluate python(typeof(*), 'result = df')"}},
		{tool: "defender_run_hunting_query", hostile: true, args: map[string]any{"query": "DeviceProcessEvents | join kind=inner (DeviceProcessEvents) on DeviceId | count"}},
		{tool: "defender_suggest_hunting_queries", hostile: true, args: map[string]any{"incidentId": inc, "run": true, "max": 50}},
	}
}

// soakWorker sends random operations until stop, each with a deadline of
// the longest tool timeout plus a margin.
func soakWorker(t *testing.T, url, key, alias, other string, stop <-chan struct{}, tally *soakTally) {
	ctx := context.Background()
	c, err := dial(ctx, url, key)
	if err != nil {
		tally.mu.Lock()
		tally.bad(&tally.transport, "dial: %v", err)
		tally.mu.Unlock()
		return
	}
	ops := soakOps(alias, other)
	const deadline = 130 * time.Second
	for {
		select {
		case <-stop:
			return
		case <-time.After(time.Duration(20+rand.IntN(80)) * time.Millisecond):
		}
		op := ops[rand.IntN(len(ops))]
		cctx, cancel := context.WithTimeout(ctx, deadline+10*time.Second)
		start := time.Now()
		var tr toolResult
		var r rpcReply
		if op.read != "" {
			r, err = c.rpc(cctx, "resources/read", map[string]any{"uri": op.read})
		} else {
			tr, r, err = c.call(cctx, op.tool, op.args)
		}
		cancel()
		d := time.Since(start)
		tally.mu.Lock()
		tally.calls++
		tally.slowest = max(tally.slowest, d)
		what := op.tool + op.read
		switch {
		case err != nil:
			tally.bad(&tally.transport, "%s: %v", what, err)
		case r.status >= 500:
			tally.bad(&tally.fiveXX, "%s: HTTP %d %.200s", what, r.status, r.body)
		case d > deadline:
			tally.bad(&tally.late, "%s took %s", what, d)
		case r.err != nil && strings.TrimSpace(r.err.Message) == "":
			tally.bad(&tally.unclear, "%s: JSON-RPC error %d without a message", what, r.err.Code)
		case r.err != nil:
			tally.rpcErrors++
		case r.result == nil:
			tally.bad(&tally.unclear, "%s: HTTP %d without an answer: %.200s", what, r.status, r.body)
		case tr.IsError && strings.TrimSpace(tr.text()) == "":
			tally.bad(&tally.unclear, "%s: an error result without text", what)
		case tr.IsError:
			tally.toolErrors++
			if tally.errorKinds == nil {
				tally.errorKinds = map[string]int{}
			}
			tally.errorKinds[op.tool+": "+firstLineOf(tr.text(), 70)]++
			if strings.Contains(tr.text(), "capacity budget") || strings.Contains(tr.text(), "throttling") {
				tally.rateLimited++
			}
		default:
			tally.results++
		}
		tally.mu.Unlock()
	}
}

// topKinds lists the most frequent tool errors, most frequent first.
func topKinds(m map[string]int, n int) []string {
	type kv struct {
		k string
		v int
	}
	var all []kv
	for k, v := range m {
		all = append(all, kv{k, v})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v > all[j].v })
	var out []string
	for i := 0; i < len(all) && i < n; i++ {
		out = append(out, fmt.Sprintf("%d× %s", all[i].v, all[i].k))
	}
	return out
}
