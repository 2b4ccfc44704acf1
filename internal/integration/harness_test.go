package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/kqlcheck"
	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/sources"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
	"github.com/secmcp/secmcp/tools/catalog"
	"github.com/secmcp/secmcp/tools/kql"
)

// Clock is the fixed demo clock of every integration test.
var Clock = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// harness is one demo environment shared by the package's tests.
type harness struct {
	env *sources.DemoEnv
	inv *tools.Invoker
	rs  *resources.Server
}

var (
	shared     *harness
	sharedOnce sync.Once
)

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		// Every request the tools' client code sent to the emulator (the
		// last 10,000 it recorded) must follow the contract
		// (internal/contract): 0 violations.
		if e, err := shared.env.Emulator(); err == nil {
			n, vs := e.ContractViolations()
			fmt.Fprintf(os.Stderr, "contract: %d client requests checked, %d violations\n", n, len(vs))
			for _, v := range vs {
				fmt.Fprintf(os.Stderr, "contract violation: %s\n", v)
			}
			if len(vs) > 0 && code == 0 {
				code = 1
			}
		}
		shared.env.Close()
	}
	os.Exit(code)
}

// h returns the shared harness (demo tenants, every tool, read-only).
func h(t testing.TB) *harness {
	t.Helper()
	sharedOnce.Do(func() { shared = newHarness(t) })
	if shared == nil {
		t.Fatal("harness failed to start")
	}
	return shared
}

func newHarness(t testing.TB) *harness {
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	env, err := sources.NewDemo(Clock, logger)
	if err != nil {
		t.Fatal(err)
	}
	// The package's tests share tenants; budgets are tested on their own
	// (tools and e2e/loadtest), so here they must never be the bottleneck.
	for _, tn := range env.Registry.All() {
		tn.Budget = ratelimit.New(ratelimit.Config{UnitsPerMinute: 1e6, Burst: 1 << 20})
	}
	deps := catalog.Deps{
		PrepareKQL: func(q string) (string, []string, error) { return kqlcheck.Default().Prepare(q) },
		KQL:        kql.Deps{Checker: kqlcheck.Default, Demo: env.Load, Runner: env.Runner},
	}
	reg, err := tools.NewRegistry(catalog.All(deps), tools.Selection{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	rs := resources.NewServer(env.Registry)
	rs.Price = reg.Price
	catalog.RegisterResources(rs, deps)
	return &harness{env: env, inv: &tools.Invoker{Tools: reg, Tenants: env.Registry}, rs: rs}
}

// emulator returns the running emulator (for fault injection and request logs).
func (x *harness) emulator(t testing.TB) *fixtures.Emulator {
	t.Helper()
	e, err := x.env.Emulator()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// call invokes a tool as a caller allowed only tenant; it returns the
// structured JSON and text, or the tool/internal error.
func (x *harness) call(t testing.TB, tenant, tool string, args map[string]any) (json.RawMessage, string, error) {
	t.Helper()
	raw, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := x.inv.Invoke(ctx, tools.Caller{Principal: "test", Tenants: []string{tenant}}, tool, raw, nil)
	if err != nil {
		return nil, "", err
	}
	return out.Structured, out.Text, nil
}

// mustCall is call that fails the test on any error and decodes into v.
func (x *harness) mustCall(t testing.TB, tenant, tool string, args map[string]any, v any) string {
	t.Helper()
	js, text, err := x.call(t, tenant, tool, args)
	if err != nil {
		t.Fatalf("%s %v: %v", tool, args, err)
	}
	if v != nil {
		if err := json.Unmarshal(js, v); err != nil {
			t.Fatalf("%s: decode: %v", tool, err)
		}
	}
	return text
}

// read reads a resource as a caller allowed only tenant.
func (x *harness) read(t testing.TB, tenant, uri string) (string, error) {
	t.Helper()
	_, text, err := x.rs.Read(context.Background(), []string{tenant}, uri)
	return text, err
}
