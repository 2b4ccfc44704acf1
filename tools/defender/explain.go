package defender

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/attack"
	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/internal/hunting"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// ExplainAlertToolName is the name of the alert explanation tool.
const ExplainAlertToolName = "defender_explain_alert"

// ExplainAlertParams name the alert to explain.
type ExplainAlertParams struct {
	ID string `json:"id" maxLength:"128" jsonschema:"The alert ID (alerts_v2 id) from defender_list_alerts or defender_get_incident."`
}

// ExplainTrigger says what raised the alert.
type ExplainTrigger struct {
	ServiceSource   string            `json:"serviceSource"`
	Product         string            `json:"product,omitempty"`
	DetectionSource string            `json:"detectionSource,omitempty"`
	DetectorID      string            `json:"detectorId,omitempty"`
	Description     string            `json:"description,omitempty" jsonschema:"the alert's own description (untrusted text)"`
	Evidence        []ExplainEvidence `json:"evidence"`
	// EvidenceMissing is true when the alert carries no evidence items.
	EvidenceMissing bool `json:"evidenceMissing"`
}

// ExplainEvidence is one evidence item in a line.
type ExplainEvidence struct {
	Kind    string `json:"kind"`
	Summary string `json:"summary"`
	Verdict string `json:"verdict,omitempty"`
}

// ExplainTechnique is one ATT&CK technique of the alert with our guidance.
type ExplainTechnique struct {
	ID          string   `json:"id"`
	Name        string   `json:"name,omitempty"`
	Tactics     []string `json:"tactics"`
	Description string   `json:"description,omitempty"`
	LookFor     []string `json:"lookFor,omitempty"`
	Benign      []string `json:"benign,omitempty"`
	// Known is false when the knowledge base has neither the technique nor its parent.
	Known bool   `json:"known"`
	URI   string `json:"uri,omitempty"`
}

// ExplainSeverity is the alert's severity in the tenant's context.
type ExplainSeverity struct {
	AlertSeverity string `json:"alertSeverity"`
	// Assessed is low, medium, high or critical.
	Assessed string   `json:"assessed"`
	Factors  []string `json:"factors"`
	// RelatedAlerts are other alerts (in the incident or on the same
	// entities in the window) with their URIs.
	RelatedAlerts []AlertItem `json:"relatedAlerts"`
}

// ExplainResponse is the recommended response.
type ExplainResponse struct {
	Contain     []string `json:"contain"`
	Investigate []string `json:"investigate"`
	Remediate   []string `json:"remediate"`
}

// ExplainCitations is the outcome of the citation check the tool runs on
// its own answer.
type ExplainCitations struct {
	Claims      int            `json:"claims"`
	Factual     int            `json:"factual"`
	Supported   int            `json:"supported"`
	Unsupported int            `json:"unsupported"`
	Findings    []cite.Finding `json:"findings"`
}

// ExplainAlertResult explains one alert.
type ExplainAlertResult struct {
	Tenant   string             `json:"tenant"`
	Alert    AlertItem          `json:"alert"`
	Trigger  ExplainTrigger     `json:"trigger"`
	Meaning  string             `json:"meaning"`
	Benign   []string           `json:"benignToRuleOut"`
	Mapping  []ExplainTechnique `json:"attack"`
	Severity ExplainSeverity    `json:"severity"`
	Response ExplainResponse    `json:"response"`
	// Claims are the answer's lines with their facts and citations.
	Claims    []cite.Claim     `json:"claims"`
	Citations ExplainCitations `json:"citations"`
	// Unsupported counts factual lines the citation checker could not verify (0 expected).
	Unsupported int             `json:"unsupported"`
	Untrusted   []string        `json:"untrustedFields"`
	Sources     []resources.Ref `json:"sources"`
	markdown    string
}

// Text is the Markdown answer with [n] citations.
func (r ExplainAlertResult) Text() string { return r.markdown }

func explainAlertTool() tools.Spec {
	return tools.New(tools.ToolsetDefender, ExplainAlertToolName,
		"Explain one security alert: what triggered it (detection source, detector, evidence), what it most likely means and the benign explanations to rule out, its ATT&CK mapping, its severity in this tenant (admin users, servers, related alerts) and contain / investigate / remediate steps. Every factual line cites a resource and is checked against it.",
		explainAlert, tools.OpenWorld(), tools.WithCost(3), tools.WithTitle("Explain a security alert"))
}

// explainData is everything the explanation is built from.
type explainData struct {
	alias, tenantID string
	now             time.Time
	alert           source.Alert
	incident        *source.Incident
	users           map[string]exUser      // by lower-case UPN
	devices         []source.ManagedDevice // Intune records of the evidence devices
	related         []source.Alert         // alerts outside the incident on the same entities
	notes           []string               // sources that could not be read
}

func explainAlert(ctx context.Context, call tools.Call, p ExplainAlertParams) (ExplainAlertResult, error) {
	id := strings.TrimSpace(p.ID)
	if id == "" {
		return ExplainAlertResult{}, tools.Errorf("id is required: pass an alert ID from defender_list_alerts or defender_get_incident")
	}
	g, err := call.Graph(ctx)
	if err != nil {
		return ExplainAlertResult{}, err
	}
	a, err := g.GetAlert(ctx, id)
	if err != nil {
		return ExplainAlertResult{}, tools.FromSource(err, "alert", id, call.Tenant.Alias)
	}
	d := &explainData{alias: call.Tenant.Alias, tenantID: call.Tenant.ID, now: call.Tenant.Now(), alert: a, users: map[string]exUser{}}
	call.Report(1, 4, "alert read")
	d.gather(ctx, g, call)
	res := d.build()
	fetch := cite.Chain(cite.JSONFetcher(d.contents()), attack.Fetcher(), hunting.Fetcher())
	rep, err := cite.Check(ctx, res.Claims, fetch)
	if err != nil {
		return ExplainAlertResult{}, fmt.Errorf("explain alert: %w", err)
	}
	res.Citations = ExplainCitations{Claims: rep.Claims, Factual: rep.Factual, Supported: rep.Supported,
		Unsupported: len(rep.Unsupported), Findings: rep.Unsupported}
	res.Unsupported = len(rep.Unsupported)
	call.Report(4, 4, "explanation checked")
	return res, nil
}

// gather reads the tenant context: the incident, the users named in the
// evidence and other alerts on the same entities. Failures are noted, not
// fatal: the explanation says which context is missing.
func (d *explainData) gather(ctx context.Context, g source.Graph, call tools.Call) {
	a := d.alert
	if a.IncidentID != "" {
		if in, err := g.GetIncident(ctx, a.IncidentID); err == nil {
			d.incident = &in
		} else {
			d.notes = append(d.notes, "incident "+a.IncidentID+" could not be read")
		}
	}
	call.Report(2, 4, "incident read")
	users, devices := alertEntities(a)
	d.gatherUsers(ctx, g, users)
	d.gatherDevices(ctx, g, devices)
	call.Report(3, 4, "users read")
	inIncident := map[string]bool{a.ID: true}
	if d.incident != nil {
		for _, x := range d.incident.Alerts {
			inIncident[x.ID] = true
		}
	}
	since, until := explainWindow(a, d.now)
	seen := map[string]bool{}
	queries := []source.AlertQuery{}
	for i, dev := range devices {
		if i < 2 {
			queries = append(queries, source.AlertQuery{Device: dev})
		}
	}
	for i, upn := range users {
		if i < 2 {
			queries = append(queries, source.AlertQuery{User: upn})
		}
	}
	for _, q := range queries {
		q.ListOptions = source.ListOptions{Top: 50, Since: since, Until: until}
		page, err := g.ListAlerts(ctx, q)
		if err != nil {
			d.notes = append(d.notes, "other alerts on "+q.Device+q.User+" could not be listed")
			continue
		}
		for _, x := range page.Items {
			if !inIncident[x.ID] && !seen[x.ID] && len(d.related) < 10 {
				seen[x.ID] = true
				d.related = append(d.related, x)
			}
		}
	}
}

// explainWindow is seven days either side of the alert's activity, capped at now.
func explainWindow(a source.Alert, now time.Time) (time.Time, time.Time) {
	first, last := a.FirstActivityTime, a.LastActivityTime
	if first.IsZero() {
		first = a.CreatedDateTime
	}
	if last.IsZero() || last.Before(first) {
		last = first
	}
	until := last.Add(7 * 24 * time.Hour)
	if !now.IsZero() && until.After(now) {
		until = now
	}
	return first.Add(-7 * 24 * time.Hour), until
}

// alertEntities returns the UPNs and device names in the alert's evidence.
func alertEntities(a source.Alert) (users, devices []string) {
	us, ds := map[string]bool{}, map[string]bool{}
	for _, e := range a.Evidence {
		if u := strings.ToLower(strings.TrimSpace(e.UserPrincipalName)); u != "" && !us[u] {
			us[u] = true
			users = append(users, u)
		}
		if n := strings.ToLower(strings.TrimSpace(e.DeviceName)); n != "" && !ds[n] {
			ds[n] = true
			devices = append(devices, n)
		}
	}
	return users, devices
}

// contents maps every URI the explanation may cite to what the resource
// server would serve for it, so the citation check costs no upstream call.
func (d *explainData) contents() map[string]any {
	m := map[string]any{resources.URI(d.alias, resources.KindAlert, d.alert.ID): d.alert}
	if d.incident != nil {
		m[resources.URI(d.alias, resources.KindIncident, d.incident.ID)] = d.incident
		for _, x := range d.incident.Alerts {
			if u := resources.URI(d.alias, resources.KindAlert, x.ID); m[u] == nil {
				m[u] = x
			}
		}
	}
	for upn, u := range d.users {
		m[resources.URI(d.alias, resources.KindUser, upn)] = u
	}
	for _, dev := range d.devices {
		m[resources.URI(d.alias, resources.KindDevice, dev.ID)] = dev
	}
	for _, x := range d.related {
		m[resources.URI(d.alias, resources.KindAlert, x.ID)] = x
	}
	return m
}
