package purview

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/internal/lazyre"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// InvestigateToolName is the name of the DLP investigation summary tool.
const InvestigateToolName = "purview_summarize_investigation"

// maxDLPAlerts bounds the DLP alerts one investigation reads; maxScan the
// alerts it pages through to find them.
const (
	maxDLPAlerts = 500
	maxScan      = 10000
)

// nextSkip returns the skip of the next page from a listing's Next ("" when
// there is none; otherwise the next offset).
func nextSkip(next string, skip, n int) (int, bool) {
	if next == "" {
		return 0, false
	}
	if v, err := strconv.Atoi(next); err == nil && v > skip {
		return v, true
	}
	if n == 0 {
		return 0, false
	}
	return skip + n, true
}

func investigateTool() tools.Spec {
	return tools.New(tools.ToolsetPurview, InvestigateToolName,
		"Summarize a data-loss investigation for a user (UPN) or a case (incident ID): the user's DLP alerts; file, device, network, mail and cloud-app activity from Advanced Hunting and Sentinel; sensitivity labels; exfiltration paths (personal cloud, removable media, external sharing, external or personal mail, forwarding rules); a timed narrative and open questions. Lines cite their alert, user or device and name the query run; failed sources are listed in missingSources. Each query is charged like defender_run_hunting_query or sentinel_run_query.",
		SummarizeInvestigation, tools.OpenWorld(), tools.WithCost(5), tools.WithTimeout(120*time.Second),
		tools.WithTitle("Summarize a DLP investigation"))
}

// InvestigateParams name the user or the case and the window.
type InvestigateParams struct {
	User   string `json:"user,omitempty" maxLength:"256" jsonschema:"The user's UPN, e.g. jane@contoso.com."`
	CaseID string `json:"caseId,omitempty" maxLength:"64" jsonschema:"Incident ID grouping the case's DLP alerts; user and window default from it."`
	Since  string `json:"since,omitempty" maxLength:"40" jsonschema:"Window start: 24h, 7d or RFC 3339; default 30d or the case's activity."`
	Until  string `json:"until,omitempty" maxLength:"40" jsonschema:"Window end; default now."`
}

var upnRe = lazyre.New(`^[A-Za-z0-9._%+\-#']{1,128}@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}[A-Za-z0-9])?)+$`)

// Validate requires a user or a case and a well-formed UPN.
func (p *InvestigateParams) Validate() error {
	p.User, p.CaseID = strings.TrimSpace(p.User), strings.TrimSpace(p.CaseID)
	if p.User == "" && p.CaseID == "" {
		return errors.New("pass user (a UPN such as jane@contoso.com) or caseId (the incident ID of the case)")
	}
	if p.User != "" && !upnRe.MatchString(p.User) {
		return fmt.Errorf("user %q is not a user principal name such as jane@contoso.com", p.User)
	}
	return nil
}

// Investigation is the result of purview_summarize_investigation.
type Investigation struct {
	Tenant  string    `json:"tenant"`
	User    string    `json:"user"`
	UserURI string    `json:"userUri"`
	CaseID  string    `json:"caseId,omitempty"`
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	// DLPAlerts are the user's DLP alerts in the window, oldest first.
	DLPAlerts []AlertRef `json:"dlpAlerts"`
	// Labels are the sensitivity labels seen on the data involved.
	Labels []LabelSeen `json:"labels"`
	// Paths are the exfiltration paths the data shows.
	Paths []ExfilPath `json:"exfiltrationPaths"`
	// Narrative is every event in time order.
	Narrative     []Event  `json:"narrative"`
	OpenQuestions []string `json:"openQuestions"`
	// Queries are the queries run, with their KQL and row counts.
	Queries        []QueryRun      `json:"queries"`
	QueryNote      string          `json:"queryNote"`
	MissingSources []MissingSource `json:"missingSources"`
	Untrusted      []string        `json:"untrustedFields"`
	Citations      CitationCheck   `json:"citations"`
	Sources        []resources.Ref `json:"sources"`

	claims   []cite.Claim
	markdown string
}

// Claims returns the checked claims behind the summary's lines.
func (v Investigation) Claims() []cite.Claim { return v.claims }

// Text returns the Markdown summary with its citations.
func (v Investigation) Text() string { return v.markdown }

// AlertRef is a DLP alert in the investigation.
type AlertRef struct {
	ID         string    `json:"id"`
	Time       time.Time `json:"time"`
	Title      string    `json:"title"`
	Policy     string    `json:"policy"`
	Location   string    `json:"location"`
	Action     string    `json:"action"`
	Overridden bool      `json:"overridden"`
	Item       string    `json:"item,omitempty"`
	Target     string    `json:"target,omitempty"`
	URI        string    `json:"uri"`
}

// LabelSeen is a sensitivity label on data the user moved or changed.
type LabelSeen struct {
	Label  string    `json:"label"`
	Time   time.Time `json:"time"`
	Source string    `json:"source"`
	URI    string    `json:"uri,omitempty"`
}

// MissingSource names a source that could not be read; what depends on it
// is absent from the summary, not guessed.
type MissingSource struct {
	Source  string `json:"source"`
	Error   string `json:"error"`
	Affects string `json:"affects"`
}

const queryNote = "Rows of hunting and Sentinel tables are query results, not resources: lines built from them cite the user, device and alert resources they relate to and name the query (Q1…) that returned them; the queries are listed with their KQL so they can be re-run."

// SummarizeInvestigation is the tool body; it is exported for tests and reports.
func SummarizeInvestigation(ctx context.Context, call tools.Call, p InvestigateParams) (Investigation, error) {
	if err := p.Validate(); err != nil {
		return Investigation{}, tools.Errorf("%v", err)
	}
	g, err := call.Graph(ctx)
	if err != nil {
		return Investigation{}, err
	}
	st := &invState{call: call, g: g, alias: call.Tenant.Alias, docs: map[string]any{}}
	st.res = Investigation{Tenant: st.alias, CaseID: p.CaseID, DLPAlerts: []AlertRef{}, Labels: []LabelSeen{}, Paths: []ExfilPath{},
		Narrative: []Event{}, OpenQuestions: []string{}, Queries: []QueryRun{}, QueryNote: queryNote,
		MissingSources: []MissingSource{}, Sources: []resources.Ref{},
		Untrusted: []string{"dlpAlerts.title", "dlpAlerts.item", "narrative.what", "exfiltrationPaths.destination"}}
	if err := st.scope(ctx, p); err != nil {
		return Investigation{}, err
	}
	st.readAlerts(ctx)
	st.readDevices(ctx)
	st.runHunting(ctx)
	st.assemble()
	var a answer
	investigationLines(&st.res, &a)
	kept, chk, md, err := a.Finish(ctx, cite.JSONFetcher(st.docs))
	if err != nil {
		return Investigation{}, err
	}
	st.res.claims, st.res.Citations, st.res.markdown = kept, chk, md
	return st.res, nil
}

// invState carries one investigation while it is built.
type invState struct {
	call    tools.Call
	g       source.Graph
	alias   string
	docs    map[string]any
	res     Investigation
	user    source.User
	upn     string
	alerts  []source.Alert // DLP alerts of the user and case
	other   []source.Alert // the case's other alerts
	devices map[string]source.ManagedDevice
	events  []*Event
	paths   map[string]*ExfilPath
	pathed  map[string]bool
	tables  map[string]*source.Table
}

func (st *invState) missing(src string, err error, affects string) {
	st.res.MissingSources = append(st.res.MissingSources, MissingSource{Source: src, Error: shortErr(err), Affects: affects})
}

// scope resolves the case, the user and the window.
func (st *invState) scope(ctx context.Context, p InvestigateParams) error {
	now := st.call.Tenant.Now()
	st.upn = p.User
	var caseFrom, caseTo time.Time
	if p.CaseID != "" {
		inc, err := st.g.GetIncident(ctx, p.CaseID)
		if err != nil {
			return tools.FromSource(err, "incident", p.CaseID, st.alias)
		}
		st.docs[resources.URI(st.alias, resources.KindIncident, inc.ID)] = inc
		st.res.Sources = append(st.res.Sources, resources.Ref{URI: resources.URI(st.alias, resources.KindIncident, inc.ID),
			Portal: inc.IncidentWebURL})
		for _, a := range inc.Alerts {
			st.docs[resources.URI(st.alias, resources.KindAlert, a.ID)] = a
			if isDLP(a) {
				st.alerts = append(st.alerts, a)
				if st.upn == "" {
					st.upn = parseDLP(a).User
				}
			} else {
				st.other = append(st.other, a)
			}
			caseFrom, caseTo = widen(caseFrom, caseTo, a.FirstActivityTime, a.LastActivityTime)
		}
		if st.upn == "" {
			return tools.Errorf("incident %s has no DLP alert that names a user; pass user as well", p.CaseID)
		}
	}
	from, to, err := tools.Window(p.Since, p.Until, now, 30*24*time.Hour)
	if err != nil {
		return err
	}
	if p.CaseID != "" && p.Since == "" && !caseFrom.IsZero() {
		from = caseFrom.Add(-24 * time.Hour)
		if p.Until == "" && caseTo.Add(24*time.Hour).Before(now) {
			to = caseTo.Add(24 * time.Hour)
		}
	}
	st.res.From, st.res.To = from, to
	return st.resolveUser(ctx)
}

func widen(from, to, a, b time.Time) (time.Time, time.Time) {
	if !a.IsZero() && (from.IsZero() || a.Before(from)) {
		from = a
	}
	if b.After(to) {
		to = b
	}
	return from, to
}

func (st *invState) resolveUser(ctx context.Context) error {
	u, err := st.g.GetUser(ctx, st.upn)
	switch {
	case errors.Is(err, source.ErrNotFound):
		return tools.NotFound("user", st.upn, st.alias)
	case err != nil:
		st.missing("Entra ID users (users)", err, "the user's object ID is unknown, so cloud app activity (CloudAppEvents) was not queried")
		st.user = source.User{UserPrincipalName: st.upn}
	default:
		st.user = u
		st.upn = u.UserPrincipalName
	}
	st.res.User = st.upn
	st.res.UserURI = resources.URI(st.alias, resources.KindUser, st.upn)
	if err == nil {
		st.docs[st.res.UserURI] = u
		st.res.Sources = append(st.res.Sources, resources.Ref{URI: st.res.UserURI, Portal: resources.UserPortal(u.ID)})
	}
	return nil
}

// readAlerts reads the user's DLP alerts in the window.
func (st *invState) readAlerts(ctx context.Context) {
	seen := map[string]bool{}
	for _, a := range st.alerts {
		seen[a.ID] = true
	}
	// No serviceSource filter: Graph spells it dataLossPrevention, older
	// data microsoftDataLossPrevention; isDLP accepts both.
	for skip, scanned := 0, 0; scanned < maxScan && len(st.alerts) < maxDLPAlerts; {
		page, err := st.g.ListAlerts(ctx, source.AlertQuery{User: st.upn,
			ListOptions: source.ListOptions{Top: 500, Skip: skip, Since: st.res.From, Until: st.res.To}})
		if err != nil {
			st.missing("Graph security alerts (security/alerts_v2)", err, "the user's DLP alerts outside the case are not listed")
			break
		}
		for _, a := range page.Items {
			if !seen[a.ID] && isDLP(a) {
				seen[a.ID] = true
				st.alerts = append(st.alerts, a)
			}
		}
		next, ok := nextSkip(page.Next, skip, len(page.Items))
		if !ok {
			break
		}
		scanned += next - skip
		skip = next
	}
	sort.SliceStable(st.alerts, func(i, j int) bool { return alertTime(st.alerts[i]).Before(alertTime(st.alerts[j])) })
	for _, a := range st.alerts {
		uri := resources.URI(st.alias, resources.KindAlert, a.ID)
		st.docs[uri] = a
		st.res.Sources = append(st.res.Sources, resources.Ref{URI: uri, Portal: a.AlertWebURL})
	}
}

func alertTime(a source.Alert) time.Time {
	if !a.FirstActivityTime.IsZero() {
		return a.FirstActivityTime
	}
	return a.CreatedDateTime
}

// readDevices reads the user's managed devices (for device citations and
// the hunting device filter).
func (st *invState) readDevices(ctx context.Context) {
	st.devices = map[string]source.ManagedDevice{}
	page, err := st.g.ListManagedDevices(ctx, source.DeviceQuery{User: st.upn, ListOptions: source.ListOptions{Top: 100}})
	if err != nil {
		st.missing("Intune managed devices (deviceManagement/managedDevices)", err,
			"device activity is matched by the user's account only, and lines about devices cite the user instead of the device")
		return
	}
	for _, d := range page.Items {
		st.devices[strings.ToLower(d.DeviceName)] = d
		st.docs[resources.URI(st.alias, resources.KindDevice, d.ID)] = d
	}
}
