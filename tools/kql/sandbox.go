package kql

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/kql/engine"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// SandboxParams is a query to run offline.
type SandboxParams struct {
	Query string `json:"query" maxLength:"20000" jsonschema:"KQL over the Advanced Hunting and Sentinel tables (DeviceProcessEvents, SigninLogs, EmailEvents, ...)."`
	Top   int    `json:"top,omitempty" minimum:"1" maximum:"500" jsonschema:"Most rows to return, 1-500 (default 100)."`
}

// SandboxResult is the query's result on demo data.
type SandboxResult struct {
	Tenant  string `json:"tenant" jsonschema:"the tenant the call named"`
	Dataset string `json:"dataset" jsonschema:"the demo data the query ran on"`
	Query   string `json:"query" jsonschema:"the query as it ran, after the guard's caps"`
	tools.QueryResult
	Caps        []string        `json:"caps" jsonschema:"each cap the guard applied, in plain words"`
	EngineNotes []string        `json:"engineNotes" jsonschema:"how the offline engine and this run differ from the real service"`
	Sources     []resources.Ref `json:"sources"`
}

// Text renders the result as a table with its notes.
func (r SandboxResult) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s from the sandbox on %s", text.Count(int64(r.TotalRows), "row"), r.Dataset)
	if r.Truncated {
		fmt.Fprintf(&b, " (%d shown; %s)", len(r.Rows), r.Note)
	}
	b.WriteString(".\n")
	for _, c := range r.Caps {
		fmt.Fprintf(&b, "Cap: %s.\n", strings.TrimRight(c, "."))
	}
	for _, n := range r.EngineNotes {
		fmt.Fprintf(&b, "Note: %s.\n", strings.TrimRight(n, "."))
	}
	b.WriteString(r.Markdown(20))
	return b.String()
}

func (ts *toolset) sandboxTool() tools.Spec {
	return tools.New(tools.ToolsetKQL, "kql_run_sandbox",
		"Run a KQL query offline with the built-in engine to test its logic: on a demo tenant's own data, or for a real tenant on the contoso demo data (never the tenant; the result says so). The read-only guard applies first; unsupported KQL features are reported as errors.",
		func(ctx context.Context, call tools.Call, p SandboxParams) (SandboxResult, error) {
			if err := requireQuery(p.Query); err != nil {
				return SandboxResult{}, err
			}
			c := ts.check()
			rep := c.Validate(p.Query)
			if !rep.Valid || !rep.Safe {
				return SandboxResult{}, &tools.ToolError{Msg: fmt.Sprintf("the query was not run: %v", c.Gate(p.Query)), Kind: "invalid_argument"}
			}
			res := SandboxResult{Query: rep.Guarded, Caps: rep.Caps, EngineNotes: []string{}, Sources: schemaRefs(rep.Tables)}
			alias := sandboxDefault
			if call.Tenant != nil {
				res.Tenant = call.Tenant.Alias
				if call.Tenant.Demo {
					alias = call.Tenant.Alias
				} else {
					res.EngineNotes = append(res.EngineNotes, fmt.Sprintf("tenant %s is not a demo tenant, and the sandbox never queries real tenants: this ran on the %s demo data; run it on %s with defender_run_hunting_query or sentinel_run_query", call.Tenant.Alias, sandboxDefault, call.Tenant.Alias))
				}
			}
			demo, err := ts.demoTenant(alias)
			if err != nil {
				return SandboxResult{}, fmt.Errorf("kql_run_sandbox: load demo data %s: %w", alias, err)
			}
			res.Dataset = alias + " (demo data)"
			t, err := ts.run().Run(ctx, demo, demo.WorkspaceID, rep.Guarded)
			if err != nil {
				return SandboxResult{}, sandboxError(err)
			}
			st := &source.Table{Columns: make([]source.Column, len(t.Columns)), Rows: t.Rows}
			for i, col := range t.Columns {
				st.Columns[i] = source.Column{Name: col.Name, Type: col.Type}
			}
			top := p.Top
			if top == 0 {
				top = 100
			}
			res.QueryResult = tools.NewQueryResult(st, top)
			res.EngineNotes = append(res.EngineNotes, engineNotes(demo.Clock, rep.Guarded)...)
			return res, nil
		}, tools.WithCost(2), tools.WithTimeout(30*time.Second), tools.WithTitle("Run a KQL query on demo data"))
}

// sandboxError turns an engine failure into a tool error the caller can act
// on. Runners may flatten error chains to text, so the engine's documented
// message prefixes are matched as well as its sentinel errors.
func sandboxError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return err
	}
	msg := strings.TrimPrefix(err.Error(), "engine: ")
	switch {
	case strings.Contains(msg, "does not fit its schema"):
		return fmt.Errorf("kql_run_sandbox: %w", err)
	case errors.Is(err, engine.ErrNotSupported) || strings.Contains(msg, "not supported:"):
		return tools.Errorf("the sandbox engine cannot run this query: %s; rewrite that part, or run the query on a tenant with defender_run_hunting_query or sentinel_run_query", msg)
	case errors.Is(err, engine.ErrUnknownTable) || strings.Contains(msg, "unknown table"):
		// Say it once: not "no such table: table "X": unknown table".
		what := strings.TrimSuffix(msg, ": "+engine.ErrUnknownTable.Error())
		if name, ok := strings.CutPrefix(what, "table "); ok {
			return tools.Errorf("the sandbox has no table %s; find table names with kql_list_tables", name)
		}
		return tools.Errorf("the sandbox has no such table (%s); find table names with kql_list_tables", what)
	case strings.HasPrefix(msg, "too large:") || strings.HasPrefix(msg, "too slow:"):
		// the engine's budget refusal names the limit and what to change
		return tools.Errorf("the sandbox stopped the query: %s", msg)
	case errors.Is(err, engine.ErrLimit) || strings.Contains(msg, engine.ErrLimit.Error()):
		return tools.Errorf("the query exceeded the sandbox's limits: %s; add filters, a time window or take", msg)
	}
	return tools.Errorf("the query failed in the sandbox: %s", msg)
}
