package entra

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/ca"
	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// ExplainCAParams name the sign-in to explain.
type ExplainCAParams struct {
	SignInID string `json:"signInId" maxLength:"128" jsonschema:"The sign-in's ID (from entra_list_signins)."`
}

// Validate rejects an empty ID.
func (p ExplainCAParams) Validate() error {
	if strings.TrimSpace(p.SignInID) == "" {
		return fmt.Errorf("signInId is required: pass a sign-in ID from entra_list_signins")
	}
	return nil
}

// Comparisons of an evaluated policy result with the recorded one.
const (
	CompareAgrees      = "agrees"
	CompareDisagrees   = "disagrees"
	CompareUndecidable = "undecidable"
	CompareNotRecorded = "notRecorded"
)

// CAPolicyVerdict is one policy's evaluation next to what the sign-in recorded.
type CAPolicyVerdict struct {
	ca.PolicyResult
	URI string `json:"uri"`
	// Recorded is the result in the sign-in's appliedConditionalAccessPolicies.
	Recorded              string   `json:"recorded,omitempty"`
	EnforcedGrantControls []string `json:"enforcedGrantControls,omitempty"`
	// Comparison is agrees, disagrees, undecidable or notRecorded.
	Comparison string `json:"comparison"`
	Note       string `json:"note,omitempty"`
}

// CAAgreement counts the comparisons.
type CAAgreement struct {
	Agree       int `json:"agree"`
	Disagree    int `json:"disagree"`
	Undecidable int `json:"undecidable"`
	NotRecorded int `json:"notRecorded"`
}

// ExplainCAResult explains a sign-in's Conditional Access outcome.
type ExplainCAResult struct {
	Tenant         string            `json:"tenant"`
	SignIn         SignInItem        `json:"signIn"`
	RecordedStatus string            `json:"recordedStatus"`
	ExpectedStatus string            `json:"expectedStatus"`
	StatusReason   string            `json:"statusReason"`
	Policies       []CAPolicyVerdict `json:"policies"`
	// RecordedOnly lists policies recorded on the sign-in that no longer exist.
	RecordedOnly []source.AppliedCAPolicy `json:"recordedOnly"`
	Agreement    CAAgreement              `json:"agreement"`
	// Missing names the sources that could not be read.
	Missing   []string        `json:"missing"`
	Claims    []cite.Claim    `json:"claims"`
	Citations cite.Report     `json:"citations"`
	Sources   []resources.Ref `json:"sources"`
}

// Text renders the claims as Markdown with footnoted citations.
func (r ExplainCAResult) Text() string {
	return cite.RenderMarkdown(r.Claims) + citationFooter(r.Citations)
}

func citationFooter(rep cite.Report) string {
	if rep.OK() {
		return fmt.Sprintf("\nCitation check: %s, all supported by their cited resources.\n", text.Count(int64(rep.Factual), "factual line"))
	}
	return "\nCitation check: " + rep.String() + "\n"
}

func explainCAOutcome(ctx context.Context, call tools.Call, p ExplainCAParams) (ExplainCAResult, error) {
	g, err := call.Graph(ctx)
	if err != nil {
		return ExplainCAResult{}, err
	}
	s, err := g.GetSignIn(ctx, p.SignInID)
	if err != nil {
		return ExplainCAResult{}, tools.FromSource(err, "sign-in", p.SignInID, call.Tenant.Alias)
	}
	key := s.UserPrincipalName
	if key == "" {
		key = s.UserID
	}
	c, err := loadCA(ctx, call, g, key)
	if err != nil {
		return ExplainCAResult{}, err
	}
	signURI := c.signInURI(s.ID)
	c.objects[signURI] = s
	in := ca.FromSignIn(s, c.user, c.risk)
	in.MembershipUnknown = !c.userOK
	ev := ca.Evaluate(in, c.policies, c.locs)
	res := ExplainCAResult{Tenant: c.alias, SignIn: SignInItemOf(c.alias, s), RecordedStatus: s.ConditionalAccessStatus,
		ExpectedStatus: ev.Status, StatusReason: ev.StatusReason, Policies: []CAPolicyVerdict{},
		RecordedOnly: []source.AppliedCAPolicy{}, Missing: append([]string{}, c.missing...)}
	recorded := map[string]source.AppliedCAPolicy{}
	for _, a := range s.AppliedCAPolicies {
		recorded[strings.ToLower(a.ID)] = a
	}
	for i, r := range ev.Policies {
		v := compareVerdict(c, r, recorded, c.policies[i], s.CreatedDateTime)
		delete(recorded, strings.ToLower(r.PolicyID))
		res.Policies = append(res.Policies, v)
		res.Agreement.add(v.Comparison)
	}
	for _, a := range s.AppliedCAPolicies {
		if _, left := recorded[strings.ToLower(a.ID)]; left {
			res.RecordedOnly = append(res.RecordedOnly, a)
		}
	}
	res.Claims = explainClaims(c, s, in, res)
	res.Citations = checkClaims(ctx, res.Claims, c.objects)
	res.Sources = c.refs(resources.Ref{URI: signURI})
	return res, nil
}

func (a *CAAgreement) add(cmp string) {
	switch cmp {
	case CompareAgrees:
		a.Agree++
	case CompareDisagrees:
		a.Disagree++
	case CompareUndecidable:
		a.Undecidable++
	default:
		a.NotRecorded++
	}
}

func compareVerdict(c *caContext, r ca.PolicyResult, recorded map[string]source.AppliedCAPolicy, p source.CAPolicy, at time.Time) CAPolicyVerdict {
	v := CAPolicyVerdict{PolicyResult: r, URI: c.policyURI(r.PolicyID)}
	if !p.ModifiedDateTime.IsZero() && p.ModifiedDateTime.After(at) {
		v.Note = fmt.Sprintf("the policy was modified at %s, after the sign-in; it is evaluated with its current definition", p.ModifiedDateTime.UTC().Format(time.RFC3339))
	}
	a, ok := recorded[strings.ToLower(r.PolicyID)]
	if !ok {
		v.Comparison = CompareNotRecorded
		return v
	}
	v.Recorded, v.EnforcedGrantControls = a.Result, a.EnforcedGrantControls
	switch {
	case r.Undecidable():
		v.Comparison = CompareUndecidable
		inside := false
		for _, cand := range r.Candidates {
			inside = inside || cand == a.Result
		}
		if !inside {
			v.Comparison = CompareDisagrees
			v.Note = strings.TrimPrefix(v.Note+"; the recorded result is none of the results the data allows", "; ")
		}
	case r.Result == a.Result:
		v.Comparison = CompareAgrees
	default:
		v.Comparison = CompareDisagrees
	}
	return v
}

func explainClaims(c *caContext, s source.SignIn, in ca.SignIn, res ExplainCAResult) []cite.Claim {
	signURI := c.signInURI(s.ID)
	userURI := ""
	if c.userOK {
		userURI = c.userURI(c.user.UserPrincipalName)
	}
	it := res.SignIn
	cl := []cite.Claim{
		claim(fmt.Sprintf("# Conditional Access for sign-in %s", s.ID), signURI),
		claim(fmt.Sprintf("Sign-in by %s to %s from %s (%s) at %s with %s on %s: error %d, conditionalAccessStatus %s.",
			s.UserPrincipalName, s.AppDisplayName, s.IPAddress, orNone(it.Location), s.CreatedDateTime.UTC().Format(time.RFC3339),
			orNone(s.ClientAppUsed), orNone(s.OperatingSystem), s.ErrorCode, s.ConditionalAccessStatus), signURI),
		claim(fmt.Sprintf("MFA: %s; sign-in risk %s; user risk %s (%s).", in.MFAEvidence, orNone(in.SignInRisk), orNone(in.UserRisk), in.UserRiskSource), signURI, userURI),
	}
	cl = append(cl, statusClaims(c, s, res)...)
	for i, v := range res.Policies {
		cl = append(cl, policyClaims(c, v.PolicyResult, c.policies[i], verdictLine(v), v.Note, signURI, userURI)...)
	}
	for _, a := range res.RecordedOnly {
		cl = append(cl, claim(fmt.Sprintf("- Recorded policy %s (%s) with result %s no longer exists among the tenant's policies.", a.DisplayName, a.ID, a.Result), signURI))
	}
	for _, m := range res.Missing {
		cl = append(cl, cite.Claim{Text: "Missing source: " + m})
	}
	return cl
}

func verdictLine(v CAPolicyVerdict) string {
	eval := v.Result
	if v.Undecidable() {
		eval = "undecidable (one of " + strings.Join(v.Candidates, ", ") + ")"
	}
	switch v.Comparison {
	case CompareNotRecorded:
		return fmt.Sprintf("evaluated %s; not recorded on the sign-in", eval)
	case CompareDisagrees:
		return fmt.Sprintf("evaluated %s, recorded %s → DISAGREES", eval, v.Recorded)
	}
	return fmt.Sprintf("evaluated %s, recorded %s → %s", eval, v.Recorded, v.Comparison)
}

func statusClaims(c *caContext, s source.SignIn, res ExplainCAResult) []cite.Claim {
	signURI := c.signInURI(s.ID)
	agree := "agrees with"
	if res.ExpectedStatus != res.RecordedStatus {
		agree = "differs from"
	}
	if res.ExpectedStatus == "undecidable" {
		agree = "cannot be checked against"
	}
	cites := append([]string{signURI}, c.allPolicyURIs()...)
	var blockers []string
	for _, a := range s.AppliedCAPolicies {
		if a.Result == "failure" {
			blockers = append(blockers, fmt.Sprintf("%s (required %s)", a.DisplayName, strings.Join(a.EnforcedGrantControls, " + ")))
		}
	}
	out := []cite.Claim{claim(fmt.Sprintf("Expected status %s (%s); it %s the recorded status %s.", res.ExpectedStatus, res.StatusReason, agree, res.RecordedStatus), cites...)}
	if len(blockers) > 0 {
		out = append(out, claim("Failed enforced policies recorded on the sign-in: "+strings.Join(blockers, "; ")+".", cites...))
	}
	a := res.Agreement
	nums := []string{strconv.Itoa(a.Agree), strconv.Itoa(a.Disagree), strconv.Itoa(a.Undecidable), strconv.Itoa(len(res.Policies))}
	out = append(out, derivedClaim(fmt.Sprintf("Per-policy agreement with the recorded results: %d of %d agree, %d disagree, %d undecidable.",
		a.Agree, len(res.Policies), a.Disagree, a.Undecidable), nums))
	return out
}

// policyClaims renders one policy's evaluation: its headline, reason, the
// configured conditions and the grant.
func policyClaims(c *caContext, r ca.PolicyResult, p source.CAPolicy, verdict, note string, subject ...string) []cite.Claim {
	cites := c.policyCitations(p, subject...)
	out := []cite.Claim{
		claim(fmt.Sprintf("## %s [%s]: %s", r.DisplayName, r.State, verdict), cites...),
		claim("- "+r.Reason, cites...),
	}
	if note != "" {
		out = append(out, claim("- note: "+note, cites...))
	}
	for _, cond := range r.Conditions {
		if cond.Verdict == ca.NotConfigured {
			continue
		}
		out = append(out, claim(fmt.Sprintf("- %s (%s): %s", cond.Name, cond.Verdict, cond.Detail), cites...))
	}
	if r.Grant != nil && len(r.Grant.Controls) > 0 && !strings.Contains(r.Reason, r.Grant.Detail) {
		out = append(out, claim("- "+r.Grant.Detail, cites...))
	}
	return out
}
