// Package entra holds the Entra ID tools: sign-ins, risky users, risk
// detections and Conditional Access policies.
package entra

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

// Deps are the toolset's dependencies.
type Deps struct{}

// Tools returns the toolset.
func Tools(Deps) []tools.Spec {
	return []tools.Spec{
		tools.New(tools.ToolsetEntra, "entra_list_signins",
			"List Entra ID sign-ins in a time window (default 7 days) by user, IP, app, risk level or outcome, with location, device, risk and Conditional Access result.",
			listSignIns, tools.OpenWorld(), tools.WithTitle("List sign-ins")),
		tools.New(tools.ToolsetEntra, "entra_list_risky_users",
			"List users Entra ID Protection considers risky, with risk level, state and detail.",
			listRiskyUsers, tools.OpenWorld(), tools.WithTitle("List risky users")),
		tools.New(tools.ToolsetEntra, "entra_list_risk_detections",
			"List Entra ID Protection risk detections (unlikely travel, password spray, leaked credentials, anonymous IP, ...) in a time window (default 30 days).",
			listRiskDetections, tools.OpenWorld(), tools.WithTitle("List risk detections")),
		tools.New(tools.ToolsetEntra, "entra_list_ca_policies",
			"List the tenant's Conditional Access policies with their state, conditions and grant controls.",
			listCAPolicies, tools.OpenWorld(), tools.WithTitle("List Conditional Access policies")),
		tools.New(tools.ToolsetEntra, "entra_explain_ca_outcome",
			"Explain a sign-in's Conditional Access outcome: every policy evaluated against the sign-in (conditions, grant and session controls) with the values compared, and each verdict checked against the result recorded on the sign-in.",
			explainCAOutcome, tools.OpenWorld(), tools.WithCost(3), tools.WithTitle("Explain Conditional Access outcome")),
		tools.New(tools.ToolsetEntra, "entra_what_if",
			"Evaluate Conditional Access for a hypothetical sign-in (user, app, client app, platform, IP, country, risk, device, MFA); inputs left out make dependent policies undecidable.",
			whatIf, tools.OpenWorld(), tools.WithCost(3), tools.WithTitle("Conditional Access what-if")),
		tools.New(tools.ToolsetEntra, "entra_summarize_signin_risk",
			"Summarize sign-in risk for a user, an IP or the tenant: risky users, detections by type and what they mean, risky sign-ins, patterns (spray, failure bursts, MFA failures, many countries) and recommended actions with their Graph requests (not run).",
			summarizeSignInRisk, tools.OpenWorld(), tools.WithCost(5), tools.WithTitle("Summarize sign-in risk")),
	}
}

// ListSignInsParams filter sign-ins.
type ListSignInsParams struct {
	User      string `json:"user,omitempty" maxLength:"256" jsonschema:"Only this user's sign-ins (UPN)."`
	IPAddress string `json:"ipAddress,omitempty" maxLength:"64" jsonschema:"Only sign-ins from this IP address."`
	App       string `json:"app,omitempty" maxLength:"256" jsonschema:"Only sign-ins to this application (display name)."`
	RiskLevel string `json:"riskLevel,omitempty" enum:"low,medium,high" jsonschema:"Only sign-ins with this risk level during sign-in."`
	Outcome   string `json:"outcome,omitempty" enum:"success,failure" jsonschema:"Only successful or only failed sign-ins."`
	tools.TimeWindow
	tools.Paging
}

// SignInItem is a trimmed sign-in.
type SignInItem struct {
	ID            string    `json:"id"`
	Time          time.Time `json:"time"`
	User          string    `json:"user"`
	App           string    `json:"app"`
	IPAddress     string    `json:"ipAddress"`
	Location      string    `json:"location,omitempty"`
	ClientApp     string    `json:"clientApp,omitempty"`
	Device        string    `json:"device,omitempty"`
	OS            string    `json:"os,omitempty"`
	Compliant     bool      `json:"compliant"`
	ErrorCode     int32     `json:"errorCode"`
	Failure       string    `json:"failureReason,omitempty"`
	RiskLevel     string    `json:"riskLevel,omitempty"`
	RiskEvents    []string  `json:"riskEventTypes,omitempty"`
	CAStatus      string    `json:"conditionalAccessStatus"`
	CAPoliciesHit []string  `json:"caPoliciesApplied,omitempty"`
	URI           string    `json:"uri"`
}

// ListSignInsResult is a page of sign-ins.
type ListSignInsResult struct {
	Tenant  string          `json:"tenant"`
	Since   time.Time       `json:"since"`
	Until   time.Time       `json:"until"`
	SignIns []SignInItem    `json:"signIns"`
	Page    tools.PageInfo  `json:"page"`
	Sources []resources.Ref `json:"sources"`
}

// Text renders a short listing.
func (r ListSignInsResult) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s in %s", text.Count(int64(len(r.SignIns)), "sign-in"), r.Tenant)
	b.WriteString(r.Page.MoreHint())
	b.WriteString(":\n")
	for _, s := range r.SignIns {
		outcome := "success"
		if s.ErrorCode != 0 {
			outcome = fmt.Sprintf("failure %d", s.ErrorCode)
		}
		tools.MDLine(&b, "- %s %s → %s from %s (%s), %s, risk %s, CA %s (%s)", s.Time.Format(time.RFC3339), s.User, s.App, s.IPAddress, s.Location, outcome, orNone(s.RiskLevel), s.CAStatus, s.URI)
	}
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// SignInItemOf trims a sign-in.
func SignInItemOf(alias string, s source.SignIn) SignInItem {
	loc := strings.Trim(strings.Join([]string{s.City, s.CountryOrRegion}, ", "), ", ")
	it := SignInItem{
		ID: s.ID, Time: s.CreatedDateTime, User: s.UserPrincipalName, App: s.AppDisplayName, IPAddress: s.IPAddress,
		Location: loc, ClientApp: s.ClientAppUsed, Device: s.DeviceName, OS: s.OperatingSystem, Compliant: s.IsCompliant,
		ErrorCode: s.ErrorCode, Failure: s.FailureReason, RiskLevel: s.RiskLevelDuringSignIn, RiskEvents: s.RiskEventTypes,
		CAStatus: s.ConditionalAccessStatus, URI: resources.URI(alias, resources.KindSignIn, s.ID),
	}
	if it.RiskLevel == "none" {
		it.RiskLevel = ""
	}
	for _, p := range s.AppliedCAPolicies {
		if p.Result == "success" || p.Result == "failure" {
			it.CAPoliciesHit = append(it.CAPoliciesHit, p.DisplayName+": "+p.Result)
		}
	}
	return it
}

func listSignIns(ctx context.Context, call tools.Call, p ListSignInsParams) (ListSignInsResult, error) {
	l, err := tools.StartListing("entra_list_signins", call.Tenant.Now(), p.Paging, &p.TimeWindow, 7*24*time.Hour)
	if err != nil {
		return ListSignInsResult{}, err
	}
	g, err := call.Graph(ctx)
	if err != nil {
		return ListSignInsResult{}, err
	}
	q := source.SignInQuery{ListOptions: l.Options,
		User: p.User, IPAddress: p.IPAddress, AppName: p.App, RiskLevel: p.RiskLevel}
	if p.Outcome != "" {
		failed := p.Outcome == "failure"
		q.Failed = &failed
	}
	page, err := g.ListSignIns(ctx, q)
	if err != nil {
		return ListSignInsResult{}, tools.FromSource(err, "sign-ins", "", call.Tenant.Alias)
	}
	res := ListSignInsResult{Tenant: call.Tenant.Alias, Since: l.Since, Until: l.Until}
	for _, s := range page.Items {
		res.SignIns = append(res.SignIns, SignInItemOf(call.Tenant.Alias, s))
	}
	res.SignIns, res.Page, res.Sources = tools.FinishPage(l, res.SignIns, page.Next,
		func(s SignInItem) resources.Ref { return resources.Ref{URI: s.URI} })
	return res, nil
}
