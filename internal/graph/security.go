package graph

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/models/security"
	secreq "github.com/microsoftgraph/msgraph-sdk-go/security"

	"github.com/secmcp/secmcp/internal/source"
)

// ListIncidents lists Defender XDR incidents, newest first.
func (c *Client) ListIncidents(ctx context.Context, q source.IncidentQuery) (page source.Page[source.Incident], err error) {
	const op = "list incidents"
	defer recoverTo(&err, op)
	var f filter
	f.eq("severity", q.Severity)
	f.eq("status", q.Status)
	f.eq("assignedTo", q.AssignedTo)
	f.window("createdDateTime", q.ListOptions)
	top, skip := paging(q.ListOptions, 50, 50)
	resp, err := c.sdk.Security().Incidents().Get(ctx, &secreq.IncidentsRequestBuilderGetRequestConfiguration{
		QueryParameters: &secreq.IncidentsRequestBuilderGetQueryParameters{
			Filter: f.ptr(), Top: top, Skip: skip, Orderby: []string{"createdDateTime desc"},
		}})
	if err != nil {
		return page, c.mapErr(op, "", err)
	}
	for _, it := range resp.GetValue() {
		if it != nil {
			page.Items = append(page.Items, incident(it))
		}
	}
	page.Next = nextOffset(resp.GetOdataNextLink(), q.Skip, len(resp.GetValue()))
	return page, nil
}

// GetIncident returns the incident with its alerts ($expand=alerts).
func (c *Client) GetIncident(ctx context.Context, id string) (inc source.Incident, err error) {
	const op = "get incident"
	defer recoverTo(&err, op)
	if strings.TrimSpace(id) == "" {
		return inc, fmt.Errorf("graph: %s: empty id", op)
	}
	it, err := c.sdk.Security().Incidents().ByIncidentId(id).Get(ctx, &secreq.IncidentsIncidentItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &secreq.IncidentsIncidentItemRequestBuilderGetQueryParameters{Expand: []string{"alerts"}}})
	if err != nil {
		return inc, c.mapErr(op, id, err)
	}
	if it == nil {
		return inc, c.mapErr(op, id, fmt.Errorf("empty response"))
	}
	inc = incident(it)
	for _, a := range it.GetAlerts() {
		if a != nil {
			inc.Alerts = append(inc.Alerts, alert(a))
		}
	}
	return inc, nil
}

// ListAlerts lists alerts_v2, newest first. User and Device filter on the
// converted evidence, after Graph's page is fetched (Graph cannot filter
// alerts_v2 by evidence), so a filtered listing keeps reading Graph's pages
// until it has Top matches or the alerts run out, within
// maxFilteredScan alerts; Next then resumes right after the last alert
// returned, and ItemNext[i] right after Items[i].
func (c *Client) ListAlerts(ctx context.Context, q source.AlertQuery) (page source.Page[source.Alert], err error) {
	const op = "list alerts"
	defer recoverTo(&err, op)
	var f filter
	f.eq("severity", q.Severity)
	f.eq("status", q.Status)
	f.eq("serviceSource", q.ServiceSource)
	f.eq("incidentId", q.IncidentID)
	f.window("createdDateTime", q.ListOptions)
	filtered := q.User != "" || q.Device != ""
	want := q.Top
	if want <= 0 {
		want = 100
	}
	opts := q.ListOptions
	if filtered {
		opts.Top = 200 // read Graph in large pages; matches are trimmed to want below
	}
	for scanned := 0; ; {
		top, skip := paging(opts, 100, 2000)
		resp, err := c.sdk.Security().Alerts_v2().Get(ctx, &secreq.Alerts_v2RequestBuilderGetRequestConfiguration{
			QueryParameters: &secreq.Alerts_v2RequestBuilderGetQueryParameters{
				Filter: f.ptr(), Top: top, Skip: skip, Orderby: []string{"createdDateTime desc"},
			}})
		if err != nil {
			return page, c.mapErr(op, "", err)
		}
		values := resp.GetValue()
		next := nextOffset(resp.GetOdataNextLink(), opts.Skip, len(values))
		for i, it := range values {
			if it == nil {
				continue
			}
			a := alert(it)
			if !evidenceMatches(a.Evidence, q.User, q.Device) {
				continue
			}
			page.Items = append(page.Items, a)
			page.ItemNext = append(page.ItemNext, strconv.Itoa(opts.Skip+i+1))
			if filtered && len(page.Items) == want {
				if i+1 < len(values) || next != "" {
					page.Next = strconv.Itoa(opts.Skip + i + 1)
				}
				return page, nil
			}
		}
		scanned += len(values)
		if !filtered || next == "" || scanned >= maxFilteredScan {
			page.Next = next
			return page, nil
		}
		if opts.Skip, err = strconv.Atoi(next); err != nil {
			return page, fmt.Errorf("graph: %s: unexpected next page %q", op, next)
		}
	}
}

// maxFilteredScan bounds how many alerts one filtered listing call reads
// from Graph before it returns what it found with a cursor.
const maxFilteredScan = 5000

// GetAlert returns one alerts_v2 alert.
func (c *Client) GetAlert(ctx context.Context, id string) (a source.Alert, err error) {
	const op = "get alert"
	defer recoverTo(&err, op)
	if strings.TrimSpace(id) == "" {
		return a, fmt.Errorf("graph: %s: empty id", op)
	}
	it, err := c.sdk.Security().Alerts_v2().ByAlertId(id).Get(ctx, nil)
	if err != nil {
		return a, c.mapErr(op, id, err)
	}
	if it == nil {
		return a, c.mapErr(op, id, fmt.Errorf("empty response"))
	}
	return alert(it), nil
}

func evidenceMatches(ev []source.Evidence, user, device string) bool {
	if user == "" && device == "" {
		return true
	}
	var userOK, devOK = user == "", device == ""
	for _, e := range ev {
		if user != "" && (strings.EqualFold(e.UserPrincipalName, user) || strings.EqualFold(e.AccountName, user) ||
			strings.EqualFold(e.UserObjectID, user) || strings.EqualFold(e.MailboxUPN, user)) {
			userOK = true
		}
		if device != "" && (strings.EqualFold(e.DeviceName, device) || strings.EqualFold(e.DeviceID, device) ||
			strings.EqualFold(e.AzureADDeviceID, device) ||
			strings.HasPrefix(strings.ToLower(e.DeviceName), strings.ToLower(device)+".")) {
			devOK = true
		}
	}
	return userOK && devOK
}

func incident(it security.Incidentable) source.Incident {
	inc := source.Incident{
		ID: str(it.GetId()), DisplayName: str(it.GetDisplayName()), Severity: enum(it.GetSeverity()),
		Status: enum(it.GetStatus()), Classification: enum(it.GetClassification()),
		Determination: enum(it.GetDetermination()), AssignedTo: str(it.GetAssignedTo()),
		CreatedDateTime: tm(it.GetCreatedDateTime()), LastUpdateDateTime: tm(it.GetLastUpdateDateTime()),
		IncidentWebURL: str(it.GetIncidentWebUrl()), Tags: concat(it.GetCustomTags(), it.GetSystemTags()),
		Summary: str(it.GetSummary()),
	}
	for _, cm := range it.GetComments() {
		if cm != nil && cm.GetComment() != nil {
			inc.Comments = append(inc.Comments, *cm.GetComment())
		}
	}
	return inc
}

func alert(it security.Alertable) source.Alert {
	a := source.Alert{
		ID: str(it.GetId()), ProviderAlertID: str(it.GetProviderAlertId()), IncidentID: str(it.GetIncidentId()),
		Title: str(it.GetTitle()), Description: str(it.GetDescription()), Severity: enum(it.GetSeverity()),
		Status: enum(it.GetStatus()), Classification: enum(it.GetClassification()),
		Determination: enum(it.GetDetermination()), Category: str(it.GetCategory()),
		ServiceSource: enum(it.GetServiceSource()), DetectionSource: enum(it.GetDetectionSource()),
		DetectorID: str(it.GetDetectorId()), AssignedTo: str(it.GetAssignedTo()),
		MitreTechniques: it.GetMitreTechniques(), RecommendedActions: str(it.GetRecommendedActions()),
		CreatedDateTime: tm(it.GetCreatedDateTime()), FirstActivityTime: tm(it.GetFirstActivityDateTime()),
		LastActivityTime: tm(it.GetLastActivityDateTime()), AlertWebURL: str(it.GetAlertWebUrl()),
	}
	if d := it.GetAdditionalDataProperty(); d != nil {
		for k, v := range d.GetAdditionalData() {
			if a.AdditionalProperties == nil {
				a.AdditionalProperties = map[string]string{}
			}
			a.AdditionalProperties[k] = fmt.Sprint(deref(v))
		}
	}
	for _, ev := range it.GetEvidence() {
		if ev != nil {
			a.Evidence = append(a.Evidence, evidence(ev))
		}
	}
	return a
}

// concat joins two SDK slices into a new one (never appending into the SDK's backing array).
func concat(a, b []string) []string {
	if len(a)+len(b) == 0 {
		return nil
	}
	return append(append(make([]string, 0, len(a)+len(b)), a...), b...)
}
