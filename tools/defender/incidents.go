// Package defender holds the Defender XDR tools: incidents, alerts and
// Advanced Hunting. Results are trimmed summaries that cite the resource URI
// (and portal link) of every incident and alert they mention.
package defender

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// Deps are the Defender toolset's dependencies, built once in cmd.
type Deps struct {
	// PrepareKQL checks a hunting query before it is sent and returns the
	// query to send with the caps applied; nil sends it unchecked.
	PrepareKQL func(query string) (string, []string, error)
}

// Tools returns the toolset's tools.
func Tools(d Deps) []tools.Spec {
	return []tools.Spec{
		tools.New(tools.ToolsetDefender, "defender_list_incidents",
			"List Defender XDR incidents created in a time window (default the last 30 days), filtered by severity, status or assignee, newest first.",
			listIncidents, tools.OpenWorld(), tools.WithTitle("List Defender incidents")),
		tools.New(tools.ToolsetDefender, "defender_get_incident",
			"Get one Defender XDR incident with its alerts, affected entities and links.",
			getIncident, tools.OpenWorld(), tools.WithTitle("Get a Defender incident")),
		tools.New(tools.ToolsetDefender, "defender_list_alerts",
			"List alerts_v2 alerts (Defender XDR, Entra ID Protection, Purview DLP) in a time window (default 30 days), filtered by severity, status, service, incident, user or device.",
			listAlerts, tools.OpenWorld(), tools.WithTitle("List security alerts")),
		tools.New(tools.ToolsetDefender, "defender_get_alert",
			"Get one security alert with its evidence (users, devices, processes, files, IPs, URLs, mailboxes).",
			getAlert, tools.OpenWorld(), tools.WithTitle("Get a security alert")),
		huntingTool(d),
		explainAlertTool(), suggestHuntingTool(d),
		summarizeTool(),
	}
}

// ListIncidentsParams filter incidents.
type ListIncidentsParams struct {
	Severity   string `json:"severity,omitempty" enum:"informational,low,medium,high" jsonschema:"Only incidents of this severity."`
	Status     string `json:"status,omitempty" enum:"active,inProgress,resolved,redirected" jsonschema:"Only incidents in this status."`
	AssignedTo string `json:"assignedTo,omitempty" maxLength:"256" jsonschema:"Only incidents assigned to this analyst (UPN)."`
	tools.TimeWindow
	tools.Paging
}

// IncidentItem is a trimmed incident.
type IncidentItem struct {
	ID             string    `json:"id"`
	Title          string    `json:"title"`
	Severity       string    `json:"severity"`
	Status         string    `json:"status"`
	Classification string    `json:"classification,omitempty"`
	Determination  string    `json:"determination,omitempty"`
	AssignedTo     string    `json:"assignedTo,omitempty"`
	Created        time.Time `json:"created"`
	LastUpdated    time.Time `json:"lastUpdated"`
	Tags           []string  `json:"tags,omitempty"`
	URI            string    `json:"uri"`
	Portal         string    `json:"portal,omitempty"`
}

// ListIncidentsResult is a page of incidents.
type ListIncidentsResult struct {
	Tenant    string          `json:"tenant"`
	Since     time.Time       `json:"since"`
	Until     time.Time       `json:"until"`
	Incidents []IncidentItem  `json:"incidents"`
	Page      tools.PageInfo  `json:"page"`
	Sources   []resources.Ref `json:"sources"`
}

// Text renders a short listing.
func (r ListIncidentsResult) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s in %s between %s and %s", text.Count(int64(len(r.Incidents)), "incident"), r.Tenant, r.Since.Format(time.RFC3339), r.Until.Format(time.RFC3339))
	b.WriteString(r.Page.MoreHint())
	b.WriteString(":\n")
	for _, i := range r.Incidents {
		tools.MDLine(&b, "- %s [%s/%s] %s (%s)", i.ID, i.Severity, i.Status, i.Title, i.URI)
	}
	return b.String()
}

func incidentItem(t string, tenantID string, in source.Incident) IncidentItem {
	return IncidentItem{
		ID: in.ID, Title: in.DisplayName, Severity: in.Severity, Status: in.Status,
		Classification: in.Classification, Determination: in.Determination, AssignedTo: in.AssignedTo,
		Created: in.CreatedDateTime, LastUpdated: in.LastUpdateDateTime, Tags: in.Tags,
		URI: resources.URI(t, resources.KindIncident, in.ID), Portal: portalOr(in.IncidentWebURL, resources.IncidentPortal(tenantID, in.ID)),
	}
}

func portalOr(given, built string) string {
	if strings.HasPrefix(given, "https://") {
		return given
	}
	return built
}

func listIncidents(ctx context.Context, call tools.Call, p ListIncidentsParams) (ListIncidentsResult, error) {
	l, err := tools.StartListing("defender_list_incidents", call.Tenant.Now(), p.Paging, &p.TimeWindow, 30*24*time.Hour)
	if err != nil {
		return ListIncidentsResult{}, err
	}
	g, err := call.Graph(ctx)
	if err != nil {
		return ListIncidentsResult{}, err
	}
	page, err := g.ListIncidents(ctx, source.IncidentQuery{ListOptions: l.Options,
		Severity: p.Severity, Status: p.Status, AssignedTo: p.AssignedTo})
	if err != nil {
		return ListIncidentsResult{}, tools.FromSource(err, "incidents", "", call.Tenant.Alias)
	}
	res := ListIncidentsResult{Tenant: call.Tenant.Alias, Since: l.Since, Until: l.Until}
	for _, in := range page.Items {
		res.Incidents = append(res.Incidents, incidentItem(call.Tenant.Alias, call.Tenant.ID, in))
	}
	res.Incidents, res.Page, res.Sources = tools.FinishPage(l, res.Incidents, page.Next,
		func(i IncidentItem) resources.Ref { return resources.Ref{URI: i.URI, Portal: i.Portal} })
	return res, nil
}

// GetIncidentParams name an incident.
type GetIncidentParams struct {
	ID string `json:"id" maxLength:"64" jsonschema:"The incident ID, e.g. 1001."`
}

// GetIncidentResult is one incident with its alerts and entities.
type GetIncidentResult struct {
	Tenant   string          `json:"tenant"`
	Incident IncidentItem    `json:"incident"`
	Summary  string          `json:"summary,omitempty"`
	Comments []string        `json:"comments,omitempty"`
	Alerts   []AlertItem     `json:"alerts"`
	Entities Entities        `json:"entities"`
	Sources  []resources.Ref `json:"sources"`
}

// Text renders the incident.
func (r GetIncidentResult) Text() string {
	var b strings.Builder
	i := r.Incident
	fmt.Fprintf(&b, "Incident %s: %s\nSeverity %s, status %s", tools.MDInline(i.ID), tools.MDInline(i.Title), tools.MDInline(i.Severity), tools.MDInline(i.Status))
	if i.AssignedTo != "" {
		fmt.Fprintf(&b, ", assigned to %s", tools.MDInline(i.AssignedTo))
	}
	fmt.Fprintf(&b, ". %s.\n", text.Count(int64(len(r.Alerts)), "alert"))
	for _, a := range r.Alerts {
		fmt.Fprintf(&b, "- %s [%s] %s (%s)\n", a.Created.Format(time.RFC3339), tools.MDInline(a.Severity), tools.MDInline(a.Title), a.URI)
	}
	b.WriteString(r.Entities.Text())
	fmt.Fprintf(&b, "Source: %s\n", i.URI)
	return b.String()
}

func getIncident(ctx context.Context, call tools.Call, p GetIncidentParams) (GetIncidentResult, error) {
	if strings.TrimSpace(p.ID) == "" {
		return GetIncidentResult{}, tools.Errorf("id is required: pass an incident ID from defender_list_incidents")
	}
	g, err := call.Graph(ctx)
	if err != nil {
		return GetIncidentResult{}, err
	}
	in, err := g.GetIncident(ctx, p.ID)
	if err != nil {
		return GetIncidentResult{}, tools.FromSource(err, "incident", p.ID, call.Tenant.Alias)
	}
	item := incidentItem(call.Tenant.Alias, call.Tenant.ID, in)
	res := GetIncidentResult{Tenant: call.Tenant.Alias, Incident: item, Summary: in.Summary, Comments: in.Comments, Alerts: []AlertItem{}}
	res.Sources = []resources.Ref{{URI: item.URI, Portal: item.Portal}}
	for _, a := range in.Alerts {
		ai := alertItem(call.Tenant.Alias, call.Tenant.ID, a)
		res.Alerts = append(res.Alerts, ai)
		res.Sources = append(res.Sources, resources.Ref{URI: ai.URI, Portal: ai.Portal})
	}
	res.Entities = collectEntities(in.Alerts)
	return res, nil
}
