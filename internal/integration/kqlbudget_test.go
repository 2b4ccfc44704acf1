package integration

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/tools"
)

// TestKQLBudgetReachesTheCaller: a query whose intermediate result grows as
// a product of its inputs is stopped by the in-process engine's budget in
// every tool that runs it on demo data (the sandbox directly, hunting and
// Sentinel through the emulator), and the caller gets a tool error naming
// the limit — not a protocol error, a panic or an out-of-memory crash (the
// MCP adapter renders every error the invoker returns as an isError result).
func TestKQLBudgetReachesTheCaller(t *testing.T) {
	x := h(t)
	cross := "range x from 1 to 100000 step 1 | extend k = 1 | join kind=inner (range y from 1 to 100000 step 1 | extend k = 1) on k | count"
	for _, tool := range []string{"kql_run_sandbox", "defender_run_hunting_query", "sentinel_run_query"} {
		start := time.Now()
		_, _, err := x.call(t, "contoso", tool, map[string]any{"query": cross})
		if err == nil {
			t.Errorf("%s: the query ran; want a budget error", tool)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "too large: the join's output would exceed the query's budget") || !strings.Contains(msg, "(limit); narrow") {
			t.Errorf("%s: %q does not say too large and name the limit", tool, msg)
		}
		var te *tools.ToolError
		if tool == "kql_run_sandbox" && !errors.As(err, &te) {
			t.Errorf("%s: got %T, want a *tools.ToolError", tool, err)
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("%s took %v", tool, d)
		}
		t.Logf("%s: %s (%v)", tool, msg, time.Since(start).Round(time.Millisecond))
	}
}
