package entra

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// RiskSummaryParams scope the summary: one user, one IP, or the tenant.
type RiskSummaryParams struct {
	User      string `json:"user,omitempty" maxLength:"256" jsonschema:"Only this user (UPN)."`
	IPAddress string `json:"ipAddress,omitempty" maxLength:"64" jsonschema:"Only activity from this IP address."`
	Since     string `json:"since,omitempty" maxLength:"40" jsonschema:"Window start: 24h, 7d or RFC 3339; default 30d."`
	Until     string `json:"until,omitempty" maxLength:"40" jsonschema:"Window end; default now."`
}

// Validate checks the IP.
func (p RiskSummaryParams) Validate() error {
	if p.IPAddress != "" {
		if _, err := netip.ParseAddr(p.IPAddress); err != nil {
			return fmt.Errorf("ipAddress %q is not an IP address", p.IPAddress)
		}
	}
	if p.User != "" && p.IPAddress != "" {
		return fmt.Errorf("give user or ipAddress, not both (or neither for the whole tenant)")
	}
	return nil
}

// RiskyUserSummary is a risky user with its detections.
type RiskyUserSummary struct {
	source.RiskyUser
	Detections int    `json:"detections"`
	URI        string `json:"uri"`
}

// DetectionRef is one detection in a type group.
type DetectionRef struct {
	ID        string    `json:"id"`
	User      string    `json:"user"`
	IPAddress string    `json:"ipAddress,omitempty"`
	Location  string    `json:"location,omitempty"`
	Time      time.Time `json:"time"`
	Level     string    `json:"riskLevel"`
	State     string    `json:"riskState"`
	URI       string    `json:"uri"`
	SignInURI string    `json:"signInUri,omitempty"`
}

// DetectionType groups detections of one riskEventType.
type DetectionType struct {
	Type       string         `json:"type"`
	Meaning    string         `json:"meaning"`
	Count      int            `json:"count"`
	Users      []string       `json:"users"`
	Detections []DetectionRef `json:"detections"`
}

// Pattern is a pattern across sign-ins.
type Pattern struct {
	Kind      string    `json:"kind"` // spray, manyUsersOneIP, manyCountries, failureBurst, mfaFailures
	Summary   string    `json:"summary"`
	Users     []string  `json:"users"`
	IPs       []string  `json:"ips"`
	Countries []string  `json:"countries,omitempty"`
	Count     int       `json:"count"`
	First     time.Time `json:"first"`
	Last      time.Time `json:"last"`
	SignInIDs []string  `json:"signInIds"`
}

// Action is a recommended remediation and the exact Graph request it takes.
// It is never run by this tool.
type Action struct {
	Action string `json:"action"`
	Why    string `json:"why"`
	Target string `json:"target"`
	Method string `json:"method"`
	URL    string `json:"url"`
	Body   string `json:"body,omitempty"`
	Run    bool   `json:"run"`
}

// RiskSummaryResult is the summary.
type RiskSummaryResult struct {
	Tenant         string             `json:"tenant"`
	Scope          string             `json:"scope"`
	Since          time.Time          `json:"since"`
	Until          time.Time          `json:"until"`
	RiskyUsers     []RiskyUserSummary `json:"riskyUsers"`
	DetectionTypes []DetectionType    `json:"detectionTypes"`
	RiskySignIns   []SignInItem       `json:"riskySignIns"`
	Patterns       []Pattern          `json:"patterns"`
	Actions        []Action           `json:"actions"`
	// Missing names sources that could not be read; the summary is partial.
	Missing   []string        `json:"missing"`
	Truncated []string        `json:"truncated"`
	Claims    []cite.Claim    `json:"claims"`
	Citations cite.Report     `json:"citations"`
	Sources   []resources.Ref `json:"sources"`
}

// Text renders the claims as Markdown.
func (r RiskSummaryResult) Text() string {
	return cite.RenderMarkdown(r.Claims) + citationFooter(r.Citations)
}

// maxRows bounds each collection the summary reads.
const maxRows = 2000

// riskData is what the summary read.
type riskData struct {
	risky      []source.RiskyUser
	detections []source.RiskDetection
	signIns    map[string]source.SignIn // by ID: failures, risky sign-ins, sign-ins detections reference
	missing    []string
	truncated  []string
}

func summarizeSignInRisk(ctx context.Context, call tools.Call, p RiskSummaryParams) (RiskSummaryResult, error) {
	since, until, err := tools.Window(p.Since, p.Until, call.Tenant.Now(), 30*24*time.Hour)
	if err != nil {
		return RiskSummaryResult{}, err
	}
	g, err := call.Graph(ctx)
	if err != nil {
		return RiskSummaryResult{}, err
	}
	win := source.ListOptions{Since: since, Until: until}
	d := readRisk(ctx, call, g, p, win)
	if len(d.missing) == 3 {
		return RiskSummaryResult{}, &tools.ToolError{Kind: "upstream", Msg: "summarize sign-in risk: every source failed, retry later: " + strings.Join(d.missing, "; ")}
	}
	res := buildRiskSummary(call.Tenant.Alias, p, since, until, d)
	fitRiskSummary(ctx, &res, d)
	return res, nil
}

// fitRiskSummary writes the claims and checks their citations, keeping the
// result within the output budget (tools.TextBudgetBytes and
// tools.StructuredBudgetBytes, with a tenth spare for sanitising): while it
// does not fit, the lists of risky users, risky sign-ins, detections per
// type and pattern sign-ins are halved (highest risk and newest kept), and
// Truncated says what was cut and how to see the rest. Counts stay complete.
func fitRiskSummary(ctx context.Context, res *RiskSummaryResult, d riskData) {
	base := append([]string{}, res.Truncated...)
	users, signIns := len(res.RiskyUsers), len(res.RiskySignIns)
	for {
		res.Sources = riskSources(*res)
		res.Claims = riskClaims(*res)
		res.Citations = checkClaims(ctx, res.Claims, riskObjects(res.Tenant, d))
		b, err := json.Marshal(res)
		fits := err == nil && len(b) <= tools.StructuredBudgetBytes*9/10 && len(res.Text()) <= tools.TextBudgetBytes*9/10
		if fits || len(res.RiskyUsers) <= 5 && len(res.RiskySignIns) <= 5 {
			return
		}
		res.RiskyUsers = res.RiskyUsers[:max(min(len(res.RiskyUsers), 5), len(res.RiskyUsers)/2)]
		res.RiskySignIns = res.RiskySignIns[:max(min(len(res.RiskySignIns), 5), len(res.RiskySignIns)/2)]
		perType := 0
		for i := range res.DetectionTypes {
			t := &res.DetectionTypes[i]
			t.Detections = t.Detections[:max(min(len(t.Detections), 3), len(t.Detections)/2)]
			perType = max(perType, len(t.Detections))
		}
		for i := range res.Patterns {
			p := &res.Patterns[i]
			// Keep the last sign-in: the pattern's time range is cited from
			// its first and last sign-ins.
			if n := max(min(len(p.SignInIDs), 5), len(p.SignInIDs)/2); n < len(p.SignInIDs) {
				p.SignInIDs = append(p.SignInIDs[:n-1:n-1], p.SignInIDs[len(p.SignInIDs)-1])
			}
		}
		res.Truncated = append(append([]string{}, base...),
			fmt.Sprintf("risky users: the %d highest-risk of %d are listed to keep this result within its size budget; pass user or ipAddress to focus, or page through entra_list_risky_users", len(res.RiskyUsers), users),
			fmt.Sprintf("risky sign-ins: the %d newest of %d are listed; entra_list_signins with riskLevel pages through them", len(res.RiskySignIns), signIns),
			fmt.Sprintf("detections: at most %d listed per type (the counts per type are complete); entra_list_risk_detections pages through them", perType))
	}
}

// collect pages through a listing up to maxRows.
func collect[T any](ctx context.Context, fetch func(ctx context.Context, o source.ListOptions) (source.Page[T], error), o source.ListOptions) ([]T, bool, error) {
	var out []T
	o.Top = 200
	for {
		page, err := fetch(ctx, o)
		if err != nil {
			return out, false, err
		}
		out = append(out, page.Items...)
		if page.Next == "" || len(page.Items) == 0 {
			return out, false, nil
		}
		if len(out) >= maxRows {
			return out, true, nil
		}
		tools.Advance(&o, page.Next)
	}
}

func readRisk(ctx context.Context, call tools.Call, g source.Graph, p RiskSummaryParams, win source.ListOptions) riskData {
	d := riskData{signIns: map[string]source.SignIn{}}
	miss := func(what string, err error) {
		d.missing = append(d.missing, fmt.Sprintf("%s: %v", what, tools.FromSource(err, what, "", call.Tenant.Alias)))
	}
	risky, more, err := collect(ctx, func(ctx context.Context, o source.ListOptions) (source.Page[source.RiskyUser], error) {
		return g.ListRiskyUsers(ctx, source.RiskQuery{ListOptions: o, User: p.User})
	}, win)
	d.note("risky users", more, err, miss)
	d.risky = risky
	dets, more, err := collect(ctx, func(ctx context.Context, o source.ListOptions) (source.Page[source.RiskDetection], error) {
		return g.ListRiskDetections(ctx, source.RiskQuery{ListOptions: o, User: p.User})
	}, win)
	d.note("risk detections", more, err, miss)
	if p.IPAddress != "" {
		dets = slices.DeleteFunc(dets, func(x source.RiskDetection) bool { return !sameIP(x.IPAddress, p.IPAddress) })
	}
	d.detections = dets
	failed := true
	queries := []source.SignInQuery{{User: p.User, IPAddress: p.IPAddress, Failed: &failed}}
	for _, lvl := range []string{"low", "medium", "high"} {
		queries = append(queries, source.SignInQuery{User: p.User, IPAddress: p.IPAddress, RiskLevel: lvl})
	}
	var sErr error
	for _, q := range queries {
		rows, more, err := collect(ctx, func(ctx context.Context, o source.ListOptions) (source.Page[source.SignIn], error) {
			q.ListOptions = o
			return g.ListSignIns(ctx, q)
		}, win)
		if err != nil && sErr == nil {
			sErr = err
		}
		if more {
			d.truncated = append(d.truncated, fmt.Sprintf("sign-ins (%s): first %d read", signInQueryName(q), len(rows)))
		}
		for _, s := range rows {
			d.signIns[s.ID] = s
		}
	}
	if sErr != nil {
		miss("sign-ins", sErr)
	}
	if sErr == nil {
		d.fetchReferenced(ctx, g)
	}
	if p.IPAddress != "" {
		d.risky = slices.DeleteFunc(d.risky, func(r source.RiskyUser) bool { return !d.seenUser(r.UserPrincipalName) })
	}
	return d
}

func (d *riskData) note(what string, more bool, err error, miss func(string, error)) {
	if err != nil {
		miss(what, err)
	}
	if more {
		d.truncated = append(d.truncated, fmt.Sprintf("%s: first %d read", what, maxRows))
	}
}

// fetchReferenced reads the sign-ins detections point at (requestId) that the
// listings did not return, up to 50.
func (d *riskData) fetchReferenced(ctx context.Context, g source.Graph) {
	n := 0
	for _, x := range d.detections {
		if x.RequestID == "" || n >= 50 {
			continue
		}
		if _, ok := d.signIns[x.RequestID]; ok {
			continue
		}
		n++
		if s, err := g.GetSignIn(ctx, x.RequestID); err == nil {
			d.signIns[s.ID] = s
		}
	}
}

func (d *riskData) seenUser(upn string) bool {
	for _, s := range d.signIns {
		if strings.EqualFold(s.UserPrincipalName, upn) {
			return true
		}
	}
	for _, x := range d.detections {
		if strings.EqualFold(x.UserPrincipalName, upn) {
			return true
		}
	}
	return false
}

func signInQueryName(q source.SignInQuery) string {
	if q.Failed != nil {
		return "failures"
	}
	return "risk " + q.RiskLevel
}

func sameIP(a, b string) bool {
	x, err1 := netip.ParseAddr(a)
	y, err2 := netip.ParseAddr(b)
	return err1 == nil && err2 == nil && x.Unmap() == y.Unmap()
}

// sortedSignIns returns the read sign-ins newest first.
func (d *riskData) sortedSignIns() []source.SignIn {
	out := make([]source.SignIn, 0, len(d.signIns))
	for _, s := range d.signIns {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedDateTime.Equal(out[j].CreatedDateTime) {
			return out[i].CreatedDateTime.After(out[j].CreatedDateTime)
		}
		return out[i].ID < out[j].ID
	})
	return out
}
