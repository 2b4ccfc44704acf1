// Package sentinel holds the Microsoft Sentinel tools: KQL over the tenant's
// Log Analytics workspace (through the ADX-compatible endpoint azkustodata
// speaks) or its Azure Data Explorer cluster.
package sentinel

import (
	"context"
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// Deps are the toolset's dependencies.
type Deps struct {
	// PrepareKQL checks a query before it is sent and returns the query to
	// send with the caps applied; nil sends it unchecked.
	PrepareKQL func(query string) (string, []string, error)
}

// RunQueryParams is a Sentinel query.
type RunQueryParams struct {
	Query  string `json:"query" maxLength:"20000" jsonschema:"KQL over Sentinel tables (SigninLogs, SecurityAlert, AuditLogs, OfficeActivity, ...)."`
	Target string `json:"target,omitempty" enum:"sentinel,adx" jsonschema:"Sentinel workspace (default) or the tenant's ADX cluster."`
	Top    int    `json:"top,omitempty" minimum:"1" maximum:"500" jsonschema:"Most rows to return, 1-500 (default 100)."`
}

// RunQueryResult is the query's result.
type RunQueryResult struct {
	Tenant   string `json:"tenant"`
	Target   string `json:"target"`
	Database string `json:"database"`
	Query    string `json:"query"`
	// Sent is the query as sent, after the guard's caps.
	Sent string   `json:"sent"`
	Caps []string `json:"caps" jsonschema:"caps the guard applied by rewriting the query (result rows, time window)"`
	tools.QueryResult
	Sources []resources.Ref `json:"sources"`
}

// Text renders the result.
func (r RunQueryResult) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s from %s (%s) in %s", text.Count(int64(r.TotalRows), "row"), r.Target, r.Database, r.Tenant)
	if r.Truncated {
		fmt.Fprintf(&b, " (%d shown; %s)", len(r.Rows), r.Note)
	}
	b.WriteString(".\n")
	b.WriteString(r.Markdown(20))
	return b.String()
}

// Tools returns the toolset.
func Tools(d Deps) []tools.Spec {
	return []tools.Spec{tools.New(tools.ToolsetSentinel, "sentinel_run_query",
		"Run a read-only KQL query on the tenant's Sentinel workspace (or ADX cluster). Validated before sending; results capped by rows and size.",
		func(ctx context.Context, call tools.Call, p RunQueryParams) (RunQueryResult, error) {
			q := strings.TrimSpace(p.Query)
			if q == "" {
				return RunQueryResult{}, tools.Errorf("query is required: pass a KQL query such as SigninLogs | where TimeGenerated > ago(1d) | take 10")
			}
			send, caps := q, []string{}
			if d.PrepareKQL != nil {
				var err error
				if send, caps, err = d.PrepareKQL(q); err != nil {
					return RunQueryResult{}, tools.Errorf("the query was not sent: %v", err)
				}
				if caps == nil {
					caps = []string{}
				}
			}
			src, err := call.Tenant.Sources(ctx)
			if err != nil {
				return RunQueryResult{}, err
			}
			target := p.Target
			if target == "" {
				target = "sentinel"
			}
			k, db := src.Sentinel, src.SentinelDB
			if target == "adx" {
				k, db = src.ADX, src.ADXDB
			}
			if k == nil {
				return RunQueryResult{}, &tools.ToolError{Msg: fmt.Sprintf("tenant %s has no %s configured; ask the operator to add it to the tenant's configuration", call.Tenant.Alias, target), Kind: "refused"}
			}
			t, err := k.Query(ctx, db, send)
			if err != nil {
				return RunQueryResult{}, tools.FromSource(err, "query", "", call.Tenant.Alias)
			}
			top := p.Top
			if top == 0 {
				top = 100
			}
			return RunQueryResult{Tenant: call.Tenant.Alias, Target: target, Database: db, Query: q, Sent: send, Caps: caps,
				QueryResult: tools.NewQueryResult(t, top), Sources: []resources.Ref{}}, nil
		}, tools.OpenWorld(), tools.WithCost(5), tools.WithTitle("Run a Sentinel query"))}
}
