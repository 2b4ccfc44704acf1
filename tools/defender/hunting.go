package defender

import (
	"context"
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/contract"
	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// HuntingParams is an Advanced Hunting query.
type HuntingParams struct {
	Query string `json:"query" maxLength:"20000" jsonschema:"KQL over Advanced Hunting tables (DeviceProcessEvents, EmailEvents, ...)."`
	Top   int    `json:"top,omitempty" minimum:"1" maximum:"500" jsonschema:"Most rows to return, 1-500 (default 100)."`
}

// HuntingResult is the query's result.
type HuntingResult struct {
	Tenant string `json:"tenant"`
	Query  string `json:"query"`
	// Sent is the query as sent, after the guard's caps.
	Sent string   `json:"sent"`
	Caps []string `json:"caps" jsonschema:"caps the guard applied by rewriting the query (result rows, time window)"`
	// Timespan is the window sent with the query (ISO 8601 duration); the
	// service sees no older rows, whatever the query says.
	Timespan string `json:"timespan" jsonschema:"time window sent to Advanced Hunting as Timespan (ISO 8601 duration); rows older than it are not searched"`
	// TimespanReason says where the window came from.
	TimespanReason string `json:"timespanReason"`
	tools.QueryResult
	Sources []resources.Ref `json:"sources"`
}

// Text renders the result as a table.
func (r HuntingResult) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s from Advanced Hunting in %s (window %s: %s)", text.Count(int64(r.TotalRows), "row"), r.Tenant, r.Timespan, r.TimespanReason)
	if r.Truncated {
		fmt.Fprintf(&b, " (%d shown; %s)", len(r.Rows), r.Note)
	}
	b.WriteString(".\n")
	b.WriteString(r.Markdown(20))
	return b.String()
}

func huntingTool(d Deps) tools.Spec {
	return tools.New(tools.ToolsetDefender, RunHuntingToolName,
		"Run a read-only KQL query with Defender XDR Advanced Hunting. Validated (syntax, schema, read-only guard) before it is sent; results capped by rows and size.",
		func(ctx context.Context, call tools.Call, p HuntingParams) (HuntingResult, error) {
			q := strings.TrimSpace(p.Query)
			if q == "" {
				return HuntingResult{}, tools.Errorf("query is required: pass a KQL query such as DeviceProcessEvents | where Timestamp > ago(1d) | take 10")
			}
			send, caps := q, []string{}
			if d.PrepareKQL != nil {
				var err error
				if send, caps, err = d.PrepareKQL(q); err != nil {
					return HuntingResult{}, tools.Errorf("the query was not sent: %v", err)
				}
			}
			g, err := call.Graph(ctx)
			if err != nil {
				return HuntingResult{}, err
			}
			t, err := g.RunHuntingQuery(ctx, send)
			if err != nil {
				return HuntingResult{}, tools.FromSource(err, "hunting query", "", call.Tenant.Alias)
			}
			top := p.Top
			if top == 0 {
				top = 100
			}
			span, _, why := contract.HuntingTimespan(send)
			return HuntingResult{Tenant: call.Tenant.Alias, Query: q, Sent: send, Caps: orEmptyCaps(caps), Timespan: span, TimespanReason: why,
				QueryResult: tools.NewQueryResult(t, top), Sources: []resources.Ref{}}, nil
		}, tools.OpenWorld(), tools.WithCost(5), tools.WithTitle("Run an Advanced Hunting query"))
}

func orEmptyCaps(c []string) []string {
	if c == nil {
		return []string{}
	}
	return c
}
