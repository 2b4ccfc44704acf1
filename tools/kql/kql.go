// Package kql holds the KQL toolset: kql_validate, kql_explain,
// kql_list_tables and kql_run_sandbox. The first three are pure analysis of
// the query text against the built-in table schemas and touch no tenant data;
// the sandbox runs a query offline, with the in-memory engine, on demo data.
//
// Validation is internal/kqlcheck, the same checker that gates
// defender_run_hunting_query and sentinel_run_query, so "kql_validate says
// valid and safe" and "the run tools accept it" never disagree.
//
// The sandbox never touches a real tenant: for a demo tenant it runs on that
// tenant's data, and for any other tenant it runs on the contoso demo data
// and says so in the result. Refusing would leave a model with no offline
// way to test a query's logic; running on a real tenant would make a
// "sandbox" spend that tenant's API budget.
package kql

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/kqlcheck"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// Deps are the toolset's dependencies. Every field is optional.
type Deps struct {
	// Checker returns the validator, called once on first use; nil means
	// kqlcheck.Default.
	Checker func() *kqlcheck.Checker
	// Clock is the instant default demo tenants are generated from when Demo
	// is nil; nil means time.Now (read once, on first sandbox use).
	Clock func() time.Time
	// Demo returns a demo tenant's data; nil means fixtures.Load with Clock,
	// cached per alias. Pass the emulator's loader so both share one copy.
	Demo func(alias string) (*fixtures.Tenant, error)
	// Runner executes sandbox queries; nil means a fixtures.EngineRunner owned
	// by the toolset. Pass the emulator's runner so converted tables are shared.
	Runner fixtures.KQLRunner
	// Complete is an operator-configured model endpoint (the synthesizer's
	// OpenAI-compatible one) kql_generate may use when the client offers no
	// sampling; nil means none.
	Complete func(ctx context.Context, system, prompt string) (string, error)
	// PluginTables are the tables (or workspace functions) loaded plugin
	// skills read that the built-in schema does not know, each with the
	// tools that read it; kql_list_tables lists them too.
	PluginTables map[string][]string
}

// sandboxDefault is the demo tenant the sandbox uses for a real tenant.
const sandboxDefault = "contoso"

// toolset resolves Deps' defaults lazily, so building the tool list (at
// start-up, for snapshots) costs nothing.
type toolset struct {
	d Deps

	checkerOnce sync.Once
	checker     *kqlcheck.Checker

	demoMu sync.Mutex
	demo   map[string]*demoEntry

	runnerOnce sync.Once
	runner     fixtures.KQLRunner
}

type demoEntry struct {
	once sync.Once
	t    *fixtures.Tenant
	err  error
}

// Tools returns the toolset.
func Tools(d Deps) []tools.Spec {
	ts := &toolset{d: d}
	return []tools.Spec{ts.validateTool(), ts.explainTool(), ts.listTablesTool(), ts.sandboxTool(), ts.generateTool()}
}

func (ts *toolset) check() *kqlcheck.Checker {
	ts.checkerOnce.Do(func() {
		if ts.d.Checker != nil {
			ts.checker = ts.d.Checker()
		}
		if ts.checker == nil {
			ts.checker = kqlcheck.Default()
		}
	})
	return ts.checker
}

func (ts *toolset) demoTenant(alias string) (*fixtures.Tenant, error) {
	if ts.d.Demo != nil {
		return ts.d.Demo(alias)
	}
	ts.demoMu.Lock()
	if ts.demo == nil {
		ts.demo = map[string]*demoEntry{}
	}
	e := ts.demo[alias]
	if e == nil {
		e = &demoEntry{}
		ts.demo[alias] = e
	}
	ts.demoMu.Unlock()
	e.once.Do(func() {
		clock := time.Now
		if ts.d.Clock != nil {
			clock = ts.d.Clock
		}
		e.t, e.err = fixtures.Load(alias, clock().UTC().Truncate(time.Second))
	})
	return e.t, e.err
}

func (ts *toolset) run() fixtures.KQLRunner {
	ts.runnerOnce.Do(func() {
		ts.runner = ts.d.Runner
		if ts.runner == nil {
			ts.runner = &fixtures.EngineRunner{}
		}
	})
	return ts.runner
}

// schemaURI is the resource URI of a table's schema.
func schemaURI(table string) string {
	return resources.Scheme + "://schemas/tables/" + resources.EscapeID(table)
}

// schemaRefs cites the schema resources of tables.
func schemaRefs(tables []string) []resources.Ref {
	out := make([]resources.Ref, 0, len(tables))
	for _, t := range tables {
		out = append(out, resources.Ref{URI: schemaURI(t)})
	}
	return out
}

// requireQuery refuses a blank query. The query is not trimmed, so that
// diagnostic positions refer to the text the caller sent.
func requireQuery(q string) error {
	if strings.TrimSpace(q) == "" {
		return tools.Errorf("query is required: pass a KQL query such as DeviceProcessEvents | where Timestamp > ago(1d) | take 10")
	}
	return nil
}
