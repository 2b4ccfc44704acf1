package graph

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models/security"
	secreq "github.com/microsoftgraph/msgraph-sdk-go/security"

	"github.com/secmcp/secmcp/internal/source"
)

// ListIncidents lists Defender XDR incidents. The service returns the most
// recent first; the list documents no $orderby (contract incidents.list).
func (c *Client) ListIncidents(ctx context.Context, q source.IncidentQuery) (page source.Page[source.Incident], err error) {
	const op = "list incidents"
	defer recoverTo(&err, op)
	var f filter
	f.eq("severity", q.Severity)
	f.eq("status", q.Status)
	f.eq("assignedTo", q.AssignedTo)
	f.window("createdDateTime", q.ListOptions)
	top, skip := paging(q.ListOptions, 50, 50)
	b := c.sdk.Security().Incidents()
	resp, err := fetch(c, q.Continuation, "security/incidents", func() (security.IncidentCollectionResponseable, error) {
		return b.Get(ctx, &secreq.IncidentsRequestBuilderGetRequestConfiguration{
			QueryParameters: &secreq.IncidentsRequestBuilderGetQueryParameters{Filter: f.ptr(), Top: top, Skip: skip}})
	}, func(link string) (security.IncidentCollectionResponseable, error) {
		return b.WithUrl(link).Get(ctx, nil)
	})
	if err != nil {
		return page, c.mapErr(op, "", err)
	}
	for _, it := range resp.GetValue() {
		if it != nil {
			page.Items = append(page.Items, incident(it))
		}
	}
	page.Next = nextLink(resp.GetOdataNextLink())
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

// ListAlerts lists alerts_v2, newest first within each page (the list
// documents no $orderby). User and Device filter on the converted evidence,
// after Graph's page is fetched (Graph cannot filter alerts_v2 by
// evidence), so a filtered listing keeps reading Graph's pages, following
// each @odata.nextLink as given, until it has Top matches or the alerts run
// out, within maxFilteredScan alerts; Next then resumes right after the last
// alert returned and ItemNext[i] right after Items[i], as $skip offsets
// (alerts_v2 documents $skip) when the page's position is known. IncidentID
// is not a documented alerts_v2 filter: the incident's alerts are read with
// $expand=alerts instead.
func (c *Client) ListAlerts(ctx context.Context, q source.AlertQuery) (page source.Page[source.Alert], err error) {
	const op = "list alerts"
	defer recoverTo(&err, op)
	if q.IncidentID != "" {
		return c.incidentAlerts(ctx, q)
	}
	var f filter
	f.eq("severity", q.Severity)
	f.eq("status", q.Status)
	f.eq("serviceSource", q.ServiceSource)
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
	b := c.sdk.Security().Alerts_v2()
	cont, start := q.Continuation, opts.Skip
	if cont != "" {
		start = skipOf(cont)
	}
	for scanned := 0; ; {
		top, skip := paging(opts, 100, 2000)
		resp, err := fetch(c, cont, "security/alerts_v2", func() (security.AlertCollectionResponseable, error) {
			return b.Get(ctx, &secreq.Alerts_v2RequestBuilderGetRequestConfiguration{
				QueryParameters: &secreq.Alerts_v2RequestBuilderGetQueryParameters{Filter: f.ptr(), Top: top, Skip: skip}})
		}, func(link string) (security.AlertCollectionResponseable, error) { return b.WithUrl(link).Get(ctx, nil) })
		if err != nil {
			return page, c.mapErr(op, "", err)
		}
		values := resp.GetValue()
		link := nextLink(resp.GetOdataNextLink())
		for i, it := range values {
			if it == nil {
				continue
			}
			a := alert(it)
			if !evidenceMatches(a.Evidence, q.User, q.Device) {
				continue
			}
			page.Items = append(page.Items, a)
			page.ItemNext = append(page.ItemNext, after(start, i, link))
			if filtered && len(page.Items) == want {
				if i+1 < len(values) || link != "" {
					page.Next = after(start, i, link)
				}
				return page, nil
			}
		}
		scanned += len(values)
		if !filtered || link == "" || scanned >= maxFilteredScan {
			page.Next = link
			return page, nil
		}
		cont, start = link, skipOf(link)
	}
}

// skipOf is the $skip offset a nextLink continues at, or -1 when the link
// continues by token (its position is then unknown).
func skipOf(link string) int {
	u, err := url.Parse(link)
	if err != nil {
		return -1
	}
	n, err := strconv.Atoi(u.Query().Get("$skip"))
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// after is the Next that resumes right after item i of a page starting at
// offset start: that $skip offset, or — when the page continued by token —
// the page's own nextLink (the rest of the page is then not revisited).
func after(start, i int, link string) string {
	if start < 0 {
		return link
	}
	return strconv.Itoa(start + i + 1)
}

// maxFilteredScan bounds how many alerts one filtered listing call reads
// from Graph before it returns what it found with a cursor.
const maxFilteredScan = 5000

// incidentAlerts answers ListAlerts for one incident from GET
// incidents/{id}?$expand=alerts, applying the other filters locally.
func (c *Client) incidentAlerts(ctx context.Context, q source.AlertQuery) (page source.Page[source.Alert], err error) {
	inc, err := c.GetIncident(ctx, q.IncidentID)
	if err != nil {
		return page, err
	}
	for _, a := range inc.Alerts {
		if (q.Severity == "" || strings.EqualFold(a.Severity, q.Severity)) && (q.Status == "" || strings.EqualFold(a.Status, q.Status)) &&
			(q.ServiceSource == "" || strings.EqualFold(a.ServiceSource, q.ServiceSource)) &&
			(q.Since.IsZero() || !a.CreatedDateTime.Before(q.Since)) && (q.Until.IsZero() || !a.CreatedDateTime.After(q.Until)) &&
			evidenceMatches(a.Evidence, q.User, q.Device) {
			page.Items = append(page.Items, a)
		}
	}
	sortNewestFirst(page.Items, func(a source.Alert) time.Time { return a.CreatedDateTime })
	if q.Skip > 0 {
		page.Items = page.Items[min(q.Skip, len(page.Items)):]
	}
	if q.Top > 0 && len(page.Items) > q.Top {
		page.Items, page.Next = page.Items[:q.Top], strconv.Itoa(q.Skip+q.Top)
	}
	return page, nil
}

// sortNewestFirst orders a page by the time key, newest first (stable).
func sortNewestFirst[T any](xs []T, key func(T) time.Time) {
	sort.SliceStable(xs, func(i, j int) bool { return key(xs[i]).After(key(xs[j])) })
}

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
