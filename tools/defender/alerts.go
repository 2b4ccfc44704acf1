package defender

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// AlertItem is a trimmed alert.
type AlertItem struct {
	ID              string    `json:"id"`
	IncidentID      string    `json:"incidentId,omitempty"`
	Title           string    `json:"title"`
	Severity        string    `json:"severity"`
	Status          string    `json:"status"`
	Classification  string    `json:"classification,omitempty"`
	Category        string    `json:"category,omitempty"`
	ServiceSource   string    `json:"serviceSource"`
	DetectionSource string    `json:"detectionSource,omitempty"`
	Techniques      []string  `json:"mitreTechniques,omitempty"`
	Created         time.Time `json:"created"`
	FirstActivity   time.Time `json:"firstActivity"`
	LastActivity    time.Time `json:"lastActivity"`
	URI             string    `json:"uri"`
	Portal          string    `json:"portal,omitempty"`
}

func alertItem(t, tenantID string, a source.Alert) AlertItem {
	return AlertItem{
		ID: a.ID, IncidentID: a.IncidentID, Title: a.Title, Severity: a.Severity, Status: a.Status,
		Classification: a.Classification, Category: a.Category, ServiceSource: a.ServiceSource,
		DetectionSource: a.DetectionSource, Techniques: a.MitreTechniques, Created: a.CreatedDateTime,
		FirstActivity: a.FirstActivityTime, LastActivity: a.LastActivityTime,
		URI: resources.URI(t, resources.KindAlert, a.ID), Portal: portalOr(a.AlertWebURL, resources.AlertPortal(tenantID, a.ID)),
	}
}

// Entities are the distinct entities found in alert evidence.
type Entities struct {
	Users     []string `json:"users"`
	Devices   []string `json:"devices"`
	IPs       []string `json:"ips"`
	Files     []string `json:"files"`
	Processes []string `json:"processes,omitempty"`
	URLs      []string `json:"urls,omitempty"`
	Mailboxes []string `json:"mailboxes,omitempty"`
	Apps      []string `json:"apps,omitempty"`
	Registry  []string `json:"registry,omitempty"`
}

// Text renders the entity lists that are not empty.
func (e Entities) Text() string {
	var b strings.Builder
	for _, l := range []struct {
		name string
		vals []string
	}{{"Users", e.Users}, {"Devices", e.Devices}, {"IPs", e.IPs}, {"Files", e.Files}, {"URLs", e.URLs}, {"Mailboxes", e.Mailboxes}, {"Apps", e.Apps}, {"Registry", e.Registry}} {
		if len(l.vals) > 0 {
			fmt.Fprintf(&b, "%s: %s\n", l.name, tools.MDInline(strings.Join(l.vals, ", ")))
		}
	}
	return b.String()
}

type set map[string]bool

func (s set) add(v string) {
	if v = strings.TrimSpace(v); v != "" {
		s[v] = true
	}
}

func (s set) sorted() []string {
	out := make([]string, 0, len(s))
	for k := range s {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func collectEntities(alerts []source.Alert) Entities {
	u, d, ip, f, p, url, m, app, reg := set{}, set{}, set{}, set{}, set{}, set{}, set{}, set{}, set{}
	for _, a := range alerts {
		for _, e := range a.Evidence {
			u.add(strings.ToLower(e.UserPrincipalName))
			d.add(strings.ToLower(e.DeviceName))
			ip.add(e.IPAddress)
			if e.Kind == "fileEvidence" || (e.Kind == "processEvidence" && e.FileName != "") {
				if e.SHA256 != "" {
					f.add(e.FileName + " (" + e.SHA256 + ")")
				} else {
					f.add(e.FileName)
				}
			}
			p.add(e.ProcessCommandLine)
			url.add(e.URL)
			m.add(strings.ToLower(e.MailboxUPN))
			app.add(e.AppName)
			reg.add(e.RegistryKey)
		}
	}
	return Entities{Users: u.sorted(), Devices: d.sorted(), IPs: ip.sorted(), Files: f.sorted(), Processes: p.sorted(),
		URLs: url.sorted(), Mailboxes: m.sorted(), Apps: app.sorted(), Registry: reg.sorted()}
}

// ListAlertsParams filter alerts.
type ListAlertsParams struct {
	Severity      string `json:"severity,omitempty" enum:"informational,low,medium,high" jsonschema:"Only alerts of this severity."`
	Status        string `json:"status,omitempty" enum:"new,inProgress,resolved" jsonschema:"Only alerts in this status."`
	ServiceSource string `json:"serviceSource,omitempty" enum:"microsoftDefenderForEndpoint,microsoftDefenderForOffice365,microsoftDefenderForIdentity,microsoftDefenderForCloudApps,microsoftDefenderForCloud,microsoft365Defender,azureAdIdentityProtection,microsoftAppGovernance,dataLossPrevention,microsoftSentinel,microsoftInsiderRiskManagement,microsoftThreatIntelligence" jsonschema:"Only alerts from this product."`
	IncidentID    string `json:"incidentId,omitempty" maxLength:"64" jsonschema:"Only alerts of this incident."`
	User          string `json:"user,omitempty" maxLength:"256" jsonschema:"Only alerts whose evidence names this user (UPN)."`
	Device        string `json:"device,omitempty" maxLength:"256" jsonschema:"Only alerts whose evidence names this device."`
	tools.TimeWindow
	tools.Paging
}

// ListAlertsResult is a page of alerts.
type ListAlertsResult struct {
	Tenant  string          `json:"tenant"`
	Since   time.Time       `json:"since"`
	Until   time.Time       `json:"until"`
	Alerts  []AlertItem     `json:"alerts"`
	Page    tools.PageInfo  `json:"page"`
	Sources []resources.Ref `json:"sources"`
}

// Text renders a short listing.
func (r ListAlertsResult) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s in %s", text.Count(int64(len(r.Alerts)), "alert"), r.Tenant)
	b.WriteString(r.Page.MoreHint())
	b.WriteString(":\n")
	for _, a := range r.Alerts {
		fmt.Fprintf(&b, "- %s %s [%s/%s] %s — %s (%s)\n", a.Created.Format(time.RFC3339), tools.MDInline(a.ID), a.Severity, a.Status, tools.MDInline(a.Title), tools.MDInline(a.ServiceSource), a.URI)
	}
	return b.String()
}

// ListAlerts is shared with the Purview toolset (DLP alerts are alerts_v2).
func ListAlerts(ctx context.Context, call tools.Call, tool string, p ListAlertsParams) (ListAlertsResult, error) {
	l, err := tools.StartListing(tool, call.Tenant.Now(), p.Paging, &p.TimeWindow, 30*24*time.Hour)
	if err != nil {
		return ListAlertsResult{}, err
	}
	g, err := call.Graph(ctx)
	if err != nil {
		return ListAlertsResult{}, err
	}
	page, err := g.ListAlerts(ctx, source.AlertQuery{ListOptions: l.Options,
		Severity: p.Severity, Status: p.Status, ServiceSource: p.ServiceSource, IncidentID: p.IncidentID,
		User: p.User, Device: p.Device})
	if err != nil && p.IncidentID != "" { // the incident's alerts are read from the incident
		return ListAlertsResult{}, tools.FromSource(err, "incident", p.IncidentID, call.Tenant.Alias)
	}
	if err != nil {
		return ListAlertsResult{}, tools.FromSource(err, "alerts", "", call.Tenant.Alias)
	}
	res := ListAlertsResult{Tenant: call.Tenant.Alias, Since: l.Since, Until: l.Until}
	for _, a := range page.Items {
		res.Alerts = append(res.Alerts, alertItem(call.Tenant.Alias, call.Tenant.ID, a))
	}
	res.Alerts, res.Page, res.Sources = tools.FinishFilteredPage(l, res.Alerts, page.Next, page.ItemNext,
		func(a AlertItem) resources.Ref { return resources.Ref{URI: a.URI, Portal: a.Portal} })
	return res, nil
}

func listAlerts(ctx context.Context, call tools.Call, p ListAlertsParams) (ListAlertsResult, error) {
	return ListAlerts(ctx, call, "defender_list_alerts", p)
}

// GetAlertParams name an alert.
type GetAlertParams struct {
	ID string `json:"id" maxLength:"128" jsonschema:"The alert ID (alerts_v2 id)."`
}

// GetAlertResult is one alert with its evidence.
type GetAlertResult struct {
	Tenant             string            `json:"tenant"`
	Alert              AlertItem         `json:"alert"`
	Description        string            `json:"description,omitempty"`
	RecommendedActions string            `json:"recommendedActions,omitempty"`
	DetectorID         string            `json:"detectorId,omitempty"`
	AssignedTo         string            `json:"assignedTo,omitempty"`
	Evidence           []source.Evidence `json:"evidence"`
	Entities           Entities          `json:"entities"`
	Details            map[string]string `json:"details,omitempty"`
	Untrusted          []string          `json:"untrustedFields"`
	Sources            []resources.Ref   `json:"sources"`
}

// Text renders the alert.
func (r GetAlertResult) Text() string {
	var b strings.Builder
	a := r.Alert
	fmt.Fprintf(&b, "Alert %s: %s\nSeverity %s, status %s, from %s", tools.MDInline(a.ID), tools.MDInline(a.Title), tools.MDInline(a.Severity), tools.MDInline(a.Status), tools.MDInline(a.ServiceSource))
	if len(a.Techniques) > 0 {
		fmt.Fprintf(&b, ", techniques %s", tools.MDInline(strings.Join(a.Techniques, ", ")))
	}
	fmt.Fprintf(&b, ".\n%s.\n%sSource: %s\n", text.Count(int64(len(r.Evidence)), "evidence item"), r.Entities.Text(), a.URI)
	return b.String()
}

func getAlert(ctx context.Context, call tools.Call, p GetAlertParams) (GetAlertResult, error) {
	if strings.TrimSpace(p.ID) == "" {
		return GetAlertResult{}, tools.Errorf("id is required: pass an alert ID from defender_list_alerts")
	}
	g, err := call.Graph(ctx)
	if err != nil {
		return GetAlertResult{}, err
	}
	a, err := g.GetAlert(ctx, p.ID)
	if err != nil {
		return GetAlertResult{}, tools.FromSource(err, "alert", p.ID, call.Tenant.Alias)
	}
	item := alertItem(call.Tenant.Alias, call.Tenant.ID, a)
	ev := a.Evidence
	if ev == nil {
		ev = []source.Evidence{}
	}
	res := GetAlertResult{
		Tenant: call.Tenant.Alias, Alert: item, Description: a.Description, RecommendedActions: a.RecommendedActions,
		DetectorID: a.DetectorID, AssignedTo: a.AssignedTo, Evidence: ev, Entities: collectEntities([]source.Alert{a}),
		Details: a.AdditionalProperties,
		// Attacker-controlled text: treat as data, never as instructions.
		Untrusted: []string{"alert.title", "description", "evidence[].processCommandLine", "evidence[].fileName", "evidence[].subject", "evidence[].url"},
		Sources:   []resources.Ref{{URI: item.URI, Portal: item.Portal}},
	}
	if a.IncidentID != "" {
		res.Sources = append(res.Sources, resources.Ref{URI: resources.URI(call.Tenant.Alias, resources.KindIncident, a.IncidentID), Portal: resources.IncidentPortal(call.Tenant.ID, a.IncidentID)})
	}
	return res, nil
}
