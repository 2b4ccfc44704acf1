//go:build e2e

package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

// TestPluginMCPServerIsolation runs the binary with a plugin MCP server
// (tools/mcpadapter/upstream/testdata/plugsrv) configured for contoso only,
// plus one that never answers, and measures another tool's latency on the
// same tenant while the plugin is idle, hangs, floods and crashes; it
// checks fabrikam never sees the plugin and every plugin call has its
// audit line. Figures are logged (go test -tags e2e -run
// TestPluginMCPServerIsolation -v ./e2e/).
func TestPluginMCPServerIsolation(t *testing.T) {
	bin := binary(t, "")
	dir := t.TempDir()
	plugsrv := filepath.Join(dir, "plugsrv")
	build := exec.Command("go", "build", "-o", plugsrv, "./tools/mcpadapter/upstream/testdata/plugsrv")
	build.Dir = repoRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build plugsrv: %v\n%s", err, out)
	}
	cfg := filepath.Join(dir, "mcp.yaml")
	yaml := fmt.Sprintf(`mcpServers:
  - {name: p1, command: %q, tenants: [contoso], callTimeout: 2s, maxResultBytes: 65536}
  - {name: dead, command: %q, args: [-mode, hang-init], tenants: ["*"]}
  - {name: raw, command: %q, args: [-mode, raw], tenants: [contoso], callTimeout: 5s}
`, plugsrv, plugsrv, plugsrv)
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "secmcp.log")
	start := time.Now()
	url, dump := startHTTPDumpable(t, bin, "--mcp-servers", cfg, "--demo-budget", "1000000", "--log-level", "info", "--log-file", logPath)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("goroutines of the server:\n%s", dump())
		}
	})
	t.Logf("start-up with a plugin that never answers: healthz after %s", time.Since(start).Round(time.Millisecond))
	contoso, fabrikam := openHTTP(t, url, "demo-contoso"), openHTTP(t, url, "demo-fabrikam")
	defer contoso.close()
	defer fabrikam.close()

	var pluginCalls atomic.Int64
	checkPluginTenants(t, contoso, fabrikam, &pluginCalls)
	checkHostileProtocol(t, contoso)
	runPluginPhases(t, contoso, &pluginCalls)
	waitListed(t, contoso, "p1__echo")
	eventually(t, "p1 answers after the crash loop", func() bool {
		r, err := contoso.call("p1__echo", map[string]any{"msg": "back"})
		pluginCalls.Add(1)
		return err == nil && !r.IsError
	})
	// The plugin that never answers has been given up on at least once
	// (connect timeout 10 s) while the rest kept answering.
	var audit, restarts map[string]int
	eventually(t, "the dead plugin's first restart", func() bool {
		audit, restarts = pluginLog(t, logPath)
		return restarts["dead"] >= 1
	})
	t.Logf("plugin calls made %d, audit lines for p1__* %d (outcomes %v), restarts (unavailable log lines) %v",
		pluginCalls.Load(), audit["total"], audit, restarts)
	// +1: fabrikam's refused call is audited too.
	if audit["total"] != int(pluginCalls.Load())+1 {
		t.Errorf("audit lines %d, plugin calls %d + 1 refused", audit["total"], pluginCalls.Load())
	}
	if restarts["p1"] < 2 || restarts["dead"] < 1 {
		t.Errorf("restarts: %v", restarts)
	}
}

// loop starts n goroutines calling tool until stop.
func loop(n int, s *session, calls *atomic.Int64, tool string, args map[string]any) func(<-chan struct{}, *sync.WaitGroup) {
	return func(stop <-chan struct{}, wg *sync.WaitGroup) {
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					_, _ = s.call(tool, args)
					calls.Add(1)
				}
			}()
		}
	}
}

// measure calls another tool at least n times and for at least d.
func measure(s *session, n int, d time.Duration) ([]time.Duration, int) {
	var lat []time.Duration
	failed := 0
	for begin := time.Now(); len(lat) < n || time.Since(begin) < d; {
		start := time.Now()
		r, err := s.call("defender_list_incidents", map[string]any{"top": 5})
		lat = append(lat, time.Since(start))
		if err != nil || r.IsError {
			failed++
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return lat, failed
}

func pct(sorted []time.Duration, p int) time.Duration {
	i := min(len(sorted)-1, (len(sorted)*p+99)/100-1)
	return sorted[max(i, 0)].Round(10 * time.Microsecond)
}

func listNames(t *testing.T, s *session) []string {
	t.Helper()
	res, err := s.c.ListTools(t.Context(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tl := range res.Tools {
		out = append(out, tl.Name)
	}
	return out
}

func waitListed(t *testing.T, s *session, name string) {
	t.Helper()
	eventually(t, name+" listed", func() bool { return slices.Contains(listNames(t, s), name) })
}

func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if f() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("never: %s", what)
}

// pluginLog counts the audit lines of p1's tools by outcome, and the
// "unavailable" lines per plugin server.
func pluginLog(t *testing.T, path string) (map[string]int, map[string]int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	audit, restarts := map[string]int{}, map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) != nil {
			continue
		}
		if tool, _ := m["tool"].(string); m["msg"] == "call" && strings.HasPrefix(tool, "p1__") {
			audit["total"]++
			audit[fmt.Sprint(m["outcome"])]++
			units, _ := m["units"].(float64)
			audit["units"] += int(units)
		}
		if m["msg"] == "plugin MCP server unavailable" {
			restarts[fmt.Sprint(m["mcp_server"])]++
		}
	}
	if err := sc.Err(); err != nil {
		t.Errorf("read %s: %v", path, err)
	}
	return audit, restarts
}

// startHTTPDumpable is startHTTP with a way to dump the server's goroutines
// (SIGQUIT) when the test fails.
func startHTTPDumpable(t *testing.T, bin string, extra ...string) (string, func() string) {
	t.Helper()
	addr := freeAddr(t)
	p := startServer(t, "server", addr, bin, append([]string{"--http", addr, "--demo-clock", demoClock}, extra...)...)
	dump := func() string {
		_ = p.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-p.exited:
		case <-time.After(5 * time.Second):
		}
		return p.stderr.String()
	}
	return "http://" + addr + "/mcp", dump
}

// checkPluginTenants: contoso's plugin is listed and cites its calls for
// contoso; fabrikam neither lists, calls nor reads it.
func checkPluginTenants(t *testing.T, contoso, fabrikam *session, calls *atomic.Int64) {
	t.Helper()
	waitListed(t, contoso, "p1__echo")
	if names := listNames(t, fabrikam); slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, "p1__") }) {
		t.Errorf("fabrikam lists contoso's plugin tools: %v", names)
	}
	if r, err := fabrikam.call("p1__echo", map[string]any{"msg": "x"}); err != nil || !r.IsError || !strings.Contains(textOf(r), "unknown tool") {
		t.Errorf("fabrikam calls contoso's plugin: %v %v", textOf(r), err)
	}

	// The answer cites the call; the citation opens for contoso only.
	r, err := contoso.call("p1__echo", map[string]any{"msg": "cite me"})
	calls.Add(1)
	if err != nil || r.IsError {
		t.Fatalf("p1__echo: %v %s", err, textOf(r))
	}
	uri := ""
	if _, after, ok := strings.Cut(textOf(r), "Source: "); ok {
		uri = strings.TrimSpace(after)
	}
	if doc, err := contoso.read(uri); !strings.HasPrefix(uri, "secmcp://contoso/plugins/p1/echo/") || err != nil || !strings.Contains(doc, "echo: cite me") {
		t.Errorf("citation %q: %v %.200s", uri, err, doc)
	}
	if _, err := fabrikam.read(uri); err == nil {
		t.Errorf("fabrikam opened contoso's plugin citation %s", uri)
	}
}

// checkHostileProtocol calls the plugin server that breaks JSON-RPC
// (plugsrv -mode raw): its well-formed tool is listed once and answers,
// and every request it sent secmcp mid-call was refused with an error that
// carries nothing of the caller's.
func checkHostileProtocol(t *testing.T, contoso *session) {
	t.Helper()
	waitListed(t, contoso, "raw__ask")
	n := 0
	for _, name := range listNames(t, contoso) {
		if strings.HasPrefix(name, "raw__") {
			n++
		}
	}
	r, err := contoso.call("raw__ask", map[string]any{"q": "SECRET-ARGUMENT-4711"})
	text := textOf(r)
	if n != 1 || err != nil || r.IsError || strings.Count(text, `\"error\"`) != 4 || strings.Contains(text, `\"result\"`) ||
		strings.Contains(text, "SECRET-ARGUMENT-4711") || strings.Contains(text, "demo-contoso") {
		t.Errorf("hostile plugin: %d raw__ tools listed (want 1); call: %v %.600s", n, err, text)
	}
}

// runPluginPhases measures another tool on contoso while the plugin is
// idle, hangs, floods and crashes.
func runPluginPhases(t *testing.T, contoso *session, calls *atomic.Int64) {
	t.Helper()
	phases := []struct {
		name string
		load func(stop <-chan struct{}, wg *sync.WaitGroup)
	}{
		{"idle", nil},
		{"hang (8 calls at once that never answer, 2s timeout)", loop(8, contoso, calls, "p1__sleep", map[string]any{"ms": 600000})},
		{"flood (20k notifications + 3 MB answers)", func(stop <-chan struct{}, wg *sync.WaitGroup) {
			loop(2, contoso, calls, "p1__flood", map[string]any{"n": 20000})(stop, wg)
			loop(1, contoso, calls, "p1__big", map[string]any{"bytes": 3 << 20})(stop, wg)
		}},
		{"crash loop", loop(1, contoso, calls, "p1__crash", map[string]any{})},
		// raw's calls are not p1's: counted apart from the audit check.
		{"raw: hostile protocol (garbage, forged answers, sampling/elicitation/roots requests)", loop(2, contoso, &atomic.Int64{}, "raw__ask", map[string]any{"q": "x"})},
	}
	for _, ph := range phases {
		// Each phase starts with the plugin up (a flood or a hang ends
		// in a restart).
		eventually(t, "p1 answers before "+ph.name, func() bool {
			r, err := contoso.call("p1__echo", map[string]any{"msg": "up?"})
			calls.Add(1)
			return err == nil && !r.IsError
		})
		stop, wg := make(chan struct{}), &sync.WaitGroup{}
		if ph.load != nil {
			ph.load(stop, wg)
			time.Sleep(300 * time.Millisecond)
		}
		lat, failed := measure(contoso, 100, 3*time.Second)
		close(stop)
		wg.Wait()
		t.Logf("defender_list_incidents on contoso while plugin %s: %d calls, p50 %s p99 %s, %d failed", ph.name, len(lat), pct(lat, 50), pct(lat, 99), failed)
		if failed > 0 {
			t.Errorf("%s: %d calls of another tool failed", ph.name, failed)
		}
	}
}
