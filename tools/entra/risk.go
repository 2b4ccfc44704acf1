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

// RiskParams filter risky users and detections.
type RiskParams struct {
	User      string `json:"user,omitempty" maxLength:"256" jsonschema:"Only this user (UPN)."`
	RiskLevel string `json:"riskLevel,omitempty" enum:"low,medium,high" jsonschema:"Only this risk level."`
	RiskState string `json:"riskState,omitempty" enum:"atRisk,confirmedCompromised,remediated,dismissed,confirmedSafe" jsonschema:"Only this risk state."`
	tools.TimeWindow
	tools.Paging
}

func (p RiskParams) query(call tools.Call, tool string) (source.RiskQuery, tools.Listing, error) {
	l, err := tools.StartListing(tool, call.Tenant.Now(), p.Paging, &p.TimeWindow, 30*24*time.Hour)
	if err != nil {
		return source.RiskQuery{}, l, err
	}
	return source.RiskQuery{ListOptions: l.Options, User: p.User, RiskLevel: p.RiskLevel, RiskState: p.RiskState}, l, nil
}

// RiskyUserItem is a trimmed risky user.
type RiskyUserItem struct {
	source.RiskyUser
	URI string `json:"uri"`
}

// RiskyUsersResult is a page of risky users.
type RiskyUsersResult struct {
	Tenant  string          `json:"tenant"`
	Users   []RiskyUserItem `json:"users"`
	Page    tools.PageInfo  `json:"page"`
	Sources []resources.Ref `json:"sources"`
}

// Text renders the list.
func (r RiskyUsersResult) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s in %s%s:\n", text.Count(int64(len(r.Users)), "risky user"), r.Tenant, r.Page.MoreHint())
	for _, u := range r.Users {
		tools.MDLine(&b, "- %s: risk %s, %s (%s), updated %s (%s)", u.UserPrincipalName, u.RiskLevel, u.RiskState, u.RiskDetail, u.RiskLastUpdated.Format(time.RFC3339), u.URI)
	}
	return b.String()
}

func listRiskyUsers(ctx context.Context, call tools.Call, p RiskParams) (RiskyUsersResult, error) {
	q, l, err := p.query(call, "entra_list_risky_users")
	if err != nil {
		return RiskyUsersResult{}, err
	}
	g, err := call.Graph(ctx)
	if err != nil {
		return RiskyUsersResult{}, err
	}
	page, err := g.ListRiskyUsers(ctx, q)
	if err != nil {
		return RiskyUsersResult{}, tools.FromSource(err, "risky users", "", call.Tenant.Alias)
	}
	res := RiskyUsersResult{Tenant: call.Tenant.Alias}
	for _, u := range page.Items {
		res.Users = append(res.Users, RiskyUserItem{RiskyUser: u, URI: resources.URI(call.Tenant.Alias, resources.KindUser, u.UserPrincipalName)})
	}
	res.Users, res.Page, res.Sources = tools.FinishPage(l, res.Users, page.Next,
		func(u RiskyUserItem) resources.Ref {
			return resources.Ref{URI: u.URI, Portal: resources.UserPortal(u.ID)}
		})
	return res, nil
}

// RiskDetectionItem is a risk detection with its citations.
type RiskDetectionItem struct {
	source.RiskDetection
	URI       string `json:"uri"`
	UserURI   string `json:"userUri"`
	SignInURI string `json:"signInUri,omitempty"`
}

// RiskDetectionsResult is a page of detections.
type RiskDetectionsResult struct {
	Tenant     string              `json:"tenant"`
	Detections []RiskDetectionItem `json:"detections"`
	Page       tools.PageInfo      `json:"page"`
	Sources    []resources.Ref     `json:"sources"`
}

// Text renders the list.
func (r RiskDetectionsResult) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s in %s%s:\n", text.Count(int64(len(r.Detections)), "risk detection"), r.Tenant, r.Page.MoreHint())
	for _, d := range r.Detections {
		tools.MDLine(&b, "- %s %s for %s from %s (%s, %s): risk %s, %s (%s)", d.DetectedDateTime.Format(time.RFC3339), d.RiskEventType, d.UserPrincipalName, d.IPAddress, d.City, d.CountryOrRegion, d.RiskLevel, d.RiskState, d.URI)
	}
	return b.String()
}

func listRiskDetections(ctx context.Context, call tools.Call, p RiskParams) (RiskDetectionsResult, error) {
	q, l, err := p.query(call, "entra_list_risk_detections")
	if err != nil {
		return RiskDetectionsResult{}, err
	}
	g, err := call.Graph(ctx)
	if err != nil {
		return RiskDetectionsResult{}, err
	}
	page, err := g.ListRiskDetections(ctx, q)
	if err != nil {
		return RiskDetectionsResult{}, tools.FromSource(err, "risk detections", "", call.Tenant.Alias)
	}
	res := RiskDetectionsResult{Tenant: call.Tenant.Alias, Detections: []RiskDetectionItem{}, Sources: []resources.Ref{}}
	for _, d := range page.Items {
		it := RiskDetectionItem{RiskDetection: d, URI: resources.URI(call.Tenant.Alias, resources.KindRisk, d.ID),
			UserURI: resources.URI(call.Tenant.Alias, resources.KindUser, d.UserPrincipalName)}
		if d.RequestID != "" {
			it.SignInURI = resources.URI(call.Tenant.Alias, resources.KindSignIn, d.RequestID)
		}
		res.Detections = append(res.Detections, it)
	}
	res.Detections, res.Page = tools.PageOf(l, res.Detections, page.Next)
	for _, d := range res.Detections {
		res.Sources = append(res.Sources, resources.Ref{URI: d.URI}, resources.Ref{URI: d.UserURI})
		if d.SignInURI != "" {
			res.Sources = append(res.Sources, resources.Ref{URI: d.SignInURI})
		}
	}
	return res, nil
}

// CAPoliciesParams has no filters besides state.
type CAPoliciesParams struct {
	State string `json:"state,omitempty" enum:"enabled,disabled,enabledForReportingButNotEnforced" jsonschema:"Only policies in this state."`
}

// CAPolicyItem is a policy with its citation.
type CAPolicyItem struct {
	source.CAPolicy
	URI string `json:"uri"`
}

// CAPoliciesResult lists policies.
type CAPoliciesResult struct {
	Tenant   string          `json:"tenant"`
	Policies []CAPolicyItem  `json:"policies"`
	Sources  []resources.Ref `json:"sources"`
}

// Text renders the list.
func (r CAPoliciesResult) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d Conditional Access polic(ies) in %s:\n", len(r.Policies), r.Tenant)
	for _, p := range r.Policies {
		tools.MDLine(&b, "- %s [%s]: grant %s %s (%s)", p.DisplayName, p.State, p.GrantOperator, strings.Join(p.BuiltInControls, ", "), p.URI)
	}
	return b.String()
}

func listCAPolicies(ctx context.Context, call tools.Call, p CAPoliciesParams) (CAPoliciesResult, error) {
	g, err := call.Graph(ctx)
	if err != nil {
		return CAPoliciesResult{}, err
	}
	ps, err := g.ListCAPolicies(ctx)
	if err != nil {
		return CAPoliciesResult{}, tools.FromSource(err, "policies", "", call.Tenant.Alias)
	}
	res := CAPoliciesResult{Tenant: call.Tenant.Alias, Policies: []CAPolicyItem{}, Sources: []resources.Ref{}}
	for _, pol := range ps {
		if p.State != "" && pol.State != p.State {
			continue
		}
		it := CAPolicyItem{CAPolicy: pol, URI: resources.URI(call.Tenant.Alias, resources.KindPolicy, pol.ID)}
		res.Policies = append(res.Policies, it)
		res.Sources = append(res.Sources, resources.Ref{URI: it.URI, Portal: resources.PolicyPortal(pol.ID)})
	}
	return res, nil
}
