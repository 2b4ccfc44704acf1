//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The MCP conformance suite (@modelcontextprotocol/conformance 0.1.16 on
// Node 22, from $SECMCP_NODE_MODULES) against the built binary over
// streamable HTTP. The suite cannot send keys, so the server runs with
// --anonymous-tenants contoso on loopback.
//
//	go test -tags e2e -run TestConformance ./e2e/
//	CONFORMANCE_RUNS=10 go test -tags e2e -run TestConformance -timeout 30m ./e2e/
//
// The -tags conformance build (fixture tools, resources and prompts from
// tools/mcpadapter/conformance*.go) must pass every active scenario; the
// normal build must pass the scenarios that need no fixtures and fail the
// others (it must not carry fixture names).

// suiteNoFixture are the active scenarios that need nothing but a correct server.
var suiteNoFixture = []string{
	"server-initialize", "logging-set-level", "ping", "completion-complete", "tools-list",
	"server-sse-multiple-streams", "resources-list", "resources-subscribe", "resources-unsubscribe",
	"prompts-list", "dns-rebinding-protection",
}

// suiteActive is the number of active server scenarios in 0.1.16.
const suiteActive = 30

// suiteScenario is one scenario's checks in one run.
type suiteScenario struct {
	passed, failed, warnings int
	failures                 []string
}

func (s suiteScenario) ok() bool { return s.failed == 0 && s.passed > 0 }

var suiteDirRE = regexp.MustCompile(`^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$`)

// runSuite runs the active server suite once against url.
func runSuite(t *testing.T, url string) map[string]suiteScenario {
	t.Helper()
	out := t.TempDir()
	cli := filepath.Join(nodeModules(t), "@modelcontextprotocol", "conformance", "dist", "index.js")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node22(t), cli, "server", "--url", url, "-o", out)
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(node22(t))+string(os.PathListSeparator)+os.Getenv("PATH"))
	log, runErr := cmd.CombinedOutput()
	res, err := readSuiteResults(out)
	if err != nil || len(res) == 0 {
		t.Fatalf("conformance suite produced no results (exit %v, parse %v):\n%s", runErr, err, log)
	}
	return res
}

func readSuiteResults(dir string) (map[string]suiteScenario, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	res := map[string]suiteScenario{}
	for _, e := range entries {
		m := suiteDirRE.FindStringSubmatch(e.Name())
		if m == nil || !e.IsDir() {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, e.Name(), "checks.json"))
		if err != nil {
			return nil, err
		}
		var checks []struct{ Name, Status, ErrorMessage string }
		if err := json.Unmarshal(raw, &checks); err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		var s suiteScenario
		for _, c := range checks {
			switch c.Status {
			case "SUCCESS":
				s.passed++
			case "FAILURE":
				s.failed++
				s.failures = append(s.failures, c.Name+": "+c.ErrorMessage)
			case "WARNING":
				s.warnings++
			}
		}
		res[m[1]] = s
	}
	return res, nil
}

func suiteRuns(t *testing.T) int {
	v := os.Getenv("CONFORMANCE_RUNS")
	if v == "" {
		return 1
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("CONFORMANCE_RUNS=%q: want a positive integer", v)
	}
	return n
}

func TestConformance(t *testing.T) {
	if _, err := os.Stat(node22(t)); err != nil {
		t.Fatalf("Node 22 not found (%v); install the npm packages (script/test) or set SECMCP_NODE_MODULES", err)
	}
	for _, tc := range []struct{ name, tags string }{{"normal", ""}, {"fixtures", "conformance"}} {
		t.Run(tc.name, func(t *testing.T) {
			// The suite never DELETEs its sessions, and CONFORMANCE_RUNS
			// repeats it against one server: lift the per-principal cap
			// (every anonymous caller is one principal).
			url := startHTTP(t, binary(t, tc.tags), "--anonymous-tenants", "contoso", "--max-sessions-per-principal", "1000")
			runs, green := suiteRuns(t), 0
			for i := 1; i <= runs; i++ {
				res := runSuite(t, url)
				if judgeSuite(t, i, res, tc.tags != "") {
					green++
				}
			}
			t.Logf("%s build: %d/%d runs fully green", tc.name, green, runs)
		})
	}
}

// judgeSuite logs one run's counts and reports whether it was fully green.
func judgeSuite(t *testing.T, run int, res map[string]suiteScenario, fixtures bool) bool {
	t.Helper()
	want := suiteNoFixture
	if fixtures {
		if len(res) != suiteActive {
			t.Errorf("run %d: %d scenarios ran, want %d", run, len(res), suiteActive)
		}
		want = slices.Sorted(func(yield func(string) bool) {
			for k := range res {
				if !yield(k) {
					return
				}
			}
		})
	}
	var passed []string
	for name, s := range res {
		if s.ok() {
			passed = append(passed, name)
		}
	}
	sort.Strings(passed)
	green := true
	for _, name := range want {
		if s, ok := res[name]; !ok || !s.ok() {
			green = false
			t.Errorf("run %d: scenario %s failed: %s", run, name, strings.Join(s.failures, "; "))
		}
	}
	if !fixtures {
		for _, name := range passed {
			if !slices.Contains(suiteNoFixture, name) {
				green = false
				t.Errorf("run %d: fixture scenario %s passed on the normal build", run, name)
			}
		}
	}
	t.Logf("run %d: %d/%d scenarios passed, %d required passed of %d; passed: %s",
		run, len(passed), len(res), countIn(passed, want), len(want), strings.Join(passed, ", "))
	return green
}

func countIn(have, want []string) int {
	n := 0
	for _, w := range want {
		if slices.Contains(have, w) {
			n++
		}
	}
	return n
}
