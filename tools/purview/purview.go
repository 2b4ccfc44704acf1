// Package purview holds the Purview tools. DLP alerts are Graph alerts_v2
// with serviceSource dataLossPrevention, so the listing shares the
// Defender alert code and only fixes the product filter.
package purview

import (
	"context"

	"github.com/secmcp/secmcp/tools"
	"github.com/secmcp/secmcp/tools/defender"
)

// Deps are the toolset's dependencies.
type Deps struct{}

// DLPParams filter DLP alerts.
type DLPParams struct {
	Severity string `json:"severity,omitempty" enum:"informational,low,medium,high" jsonschema:"Only alerts of this severity."`
	Status   string `json:"status,omitempty" enum:"new,inProgress,resolved" jsonschema:"Only alerts in this status."`
	User     string `json:"user,omitempty" maxLength:"256" jsonschema:"Only alerts whose evidence names this user (UPN)."`
	tools.TimeWindow
	tools.Paging
}

// Tools returns the toolset.
func Tools(Deps) []tools.Spec {
	return []tools.Spec{explainTool(), investigateTool(), tools.New(tools.ToolsetPurview, "purview_list_dlp_alerts",
		"List Microsoft Purview data loss prevention alerts in a time window (default the last 30 days), filtered by severity, status or user.",
		func(ctx context.Context, call tools.Call, p DLPParams) (defender.ListAlertsResult, error) {
			return defender.ListAlerts(ctx, call, "purview_list_dlp_alerts", defender.ListAlertsParams{
				Severity: p.Severity, Status: p.Status, User: p.User, TimeWindow: p.TimeWindow, Paging: p.Paging,
				ServiceSource: "dataLossPrevention",
			})
		}, tools.OpenWorld(), tools.WithTitle("List DLP alerts"))}
}
