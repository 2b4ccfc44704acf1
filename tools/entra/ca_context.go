package entra

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/secmcp/secmcp/internal/ca"
	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/internal/lazyre"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// caContext is what a Conditional Access evaluation reads from the tenant,
// with the JSON of every object it read keyed by the resource URI that cites
// it (the same shapes resources/read returns), for the citation check.
type caContext struct {
	alias    string
	policies []source.CAPolicy
	locs     []source.NamedLocation
	user     source.User
	userOK   bool
	risk     ca.RiskContext
	missing  []string
	objects  map[string]any
}

// userResource is the JSON resources/read serves for a user URI.
type userResource struct {
	source.User
	Risk *source.RiskyUser `json:"risk,omitempty"`
}

// loadCA reads the policies (required), the named locations and the user with
// risk (optional: a failure is named in missing and the evaluation treats
// what they would have decided as undecidable).
func loadCA(ctx context.Context, call tools.Call, g source.Graph, upn string) (*caContext, error) {
	c := &caContext{alias: call.Tenant.Alias, objects: map[string]any{}}
	ps, err := g.ListCAPolicies(ctx)
	if err != nil {
		return nil, tools.FromSource(err, "Conditional Access policies", "", c.alias)
	}
	c.policies = ps
	for _, p := range ps {
		c.objects[c.policyURI(p.ID)] = p
	}
	if locs, err := g.ListNamedLocations(ctx); err != nil {
		c.miss("named locations", err)
	} else {
		c.locs = locs
		for _, l := range locs {
			c.objects[c.locationURI(l.ID)] = l
		}
	}
	if upn == "" {
		return c, nil
	}
	if u, err := g.GetUser(ctx, upn); err != nil {
		if errors.Is(err, source.ErrNotFound) {
			c.missing = append(c.missing, fmt.Sprintf("user %s: not found in tenant %s (groups, roles and user type unknown)", upn, c.alias))
		} else {
			c.miss("user "+upn, err)
		}
	} else {
		c.user, c.userOK = u, true
	}
	page, err := g.ListRiskyUsers(ctx, source.RiskQuery{User: upn, ListOptions: source.ListOptions{Top: 5}})
	if err != nil {
		c.miss("risky users", err)
	} else {
		c.risk.Listed = true
		for i := range page.Items {
			if strings.EqualFold(page.Items[i].UserPrincipalName, upn) {
				c.risk.User = &page.Items[i]
			}
		}
	}
	if c.userOK {
		c.objects[c.userURI(c.user.UserPrincipalName)] = userResource{User: c.user, Risk: c.risk.User}
	}
	return c, nil
}

func (c *caContext) miss(what string, err error) {
	c.missing = append(c.missing, fmt.Sprintf("%s: unavailable (%v)", what, tools.FromSource(err, what, "", c.alias)))
}

func (c *caContext) policyURI(id string) string {
	return resources.URI(c.alias, resources.KindPolicy, id)
}
func (c *caContext) userURI(upn string) string {
	return resources.URI(c.alias, resources.KindUser, upn)
}
func (c *caContext) signInURI(id string) string {
	return resources.URI(c.alias, resources.KindSignIn, id)
}
func (c *caContext) locationURI(id string) string {
	return resources.URI(c.alias, resources.KindLocation, id)
}

// policyCitations are the URIs a policy's explanation lines cite: the
// policy, the sign-in (or user, for what-if) and the named locations the
// policy references.
func (c *caContext) policyCitations(p source.CAPolicy, subject ...string) []string {
	out := []string{c.policyURI(p.ID)}
	for _, s := range subject {
		if s != "" {
			out = append(out, s)
		}
	}
	for _, id := range append(slices.Clone(p.IncludeLocations), p.ExcludeLocations...) {
		for _, l := range c.locs {
			if strings.EqualFold(l.ID, id) || (strings.EqualFold(id, "AllTrusted") && l.IsTrusted) {
				if u := c.locationURI(l.ID); !slices.Contains(out, u) {
					out = append(out, u)
				}
			}
		}
	}
	return out
}

func (c *caContext) allPolicyURIs() []string {
	out := make([]string, 0, len(c.policies))
	for _, p := range c.policies {
		out = append(out, c.policyURI(p.ID))
	}
	return out
}

// refs lists the sources the result drew from.
func (c *caContext) refs(extra ...resources.Ref) []resources.Ref {
	out := append([]resources.Ref{}, extra...)
	if c.userOK {
		out = append(out, resources.Ref{URI: c.userURI(c.user.UserPrincipalName), Portal: resources.UserPortal(c.user.ID)})
	}
	for _, p := range c.policies {
		out = append(out, resources.Ref{URI: c.policyURI(p.ID), Portal: resources.PolicyPortal(p.ID)})
	}
	for _, l := range c.locs {
		out = append(out, resources.Ref{URI: c.locationURI(l.ID)})
	}
	return out
}

// claim is a line whose facts are extracted from its text.
func claim(text string, uris ...string) cite.Claim {
	return extUPNs(cite.Auto(text, nonEmpty(uris)...))
}

// extRe finds B2B guest UPNs (local_domain#EXT#@tenant), which the fact
// extractor splits into host names.
var extRe = lazyre.New(`(?i)[A-Za-z0-9._%+\-]+#EXT#@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+`)

// extUPNs replaces the pieces of guest UPNs with the whole UPN as one fact.
func extUPNs(c cite.Claim) cite.Claim {
	for _, upn := range extRe.FindAllString(c.Text, -1) {
		low := strings.ToLower(upn)
		c.Facts = slices.DeleteFunc(c.Facts, func(f cite.Fact) bool { return strings.Contains(low, strings.ToLower(f.Value)) })
		c.Facts = append(c.Facts, cite.Fact{Kind: cite.KindUPN, Value: upn})
	}
	return c
}

func nonEmpty(uris []string) []string {
	return slices.DeleteFunc(slices.Clone(uris), func(u string) bool { return u == "" })
}

// derivedClaim is a line that also states values the tool computed (counts,
// rates): those are dropped from its checkable facts, the rest are checked.
func derivedClaim(text string, derived []string, uris ...string) cite.Claim {
	c := extUPNs(cite.Auto(text, nonEmpty(uris)...))
	c.Facts = slices.DeleteFunc(c.Facts, func(f cite.Fact) bool { return slices.Contains(derived, f.Value) })
	return c
}

// checkClaims runs the citation checker over the claims against the JSON of
// the objects the tool read.
func checkClaims(ctx context.Context, claims []cite.Claim, objects map[string]any) cite.Report {
	rep, err := cite.Check(ctx, claims, cite.JSONFetcher(objects))
	if err != nil {
		return cite.Report{Claims: len(claims), Unsupported: []cite.Finding{{Claim: "citation check interrupted", Problem: cite.Unreadable, Errors: []string{err.Error()}}}}
	}
	return rep
}
