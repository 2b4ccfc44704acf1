package defender

import (
	"context"
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/attack"
	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/resources"
)

// render turns the summary's sections into Markdown claims and text and
// estimates the size; it does not check citations (check does, once).
func (b *summaryBuilder) render(s *IncidentSummary) {
	s.claims = b.lines(s)
	s.markdown = cite.RenderMarkdown(s.claims)
	s.Sources = b.refs(s.claims)
	s.Size.BudgetTokens = b.budget
	s.Size.EstimatedTokens = estimateTokens(*s)
	s.Size.EstimatedTokens = estimateTokens(*s) // again, with the estimate's own digits
}

// check verifies every factual line against the resources it cites
// (served from what the summary already read, so the check costs no
// upstream call), drops the lines that fail, and re-renders.
func (b *summaryBuilder) check(ctx context.Context, s *IncidentSummary) error {
	fetch := cite.Chain(cite.JSONFetcher(b.contents()), attack.Fetcher())
	s.fetch = fetch
	rep, err := cite.Check(ctx, s.claims, fetch)
	if err != nil {
		return fmt.Errorf("summarize incident: %w", err)
	}
	dropped := 0
	if len(rep.Unsupported) > 0 {
		bad := map[string]bool{}
		for _, f := range rep.Unsupported {
			bad[f.Claim] = true
		}
		var kept []cite.Claim
		for _, c := range s.claims {
			if c.Factual() && bad[c.Text] {
				dropped++
				continue
			}
			kept = append(kept, c)
		}
		if rep, err = cite.Check(ctx, kept, fetch); err != nil {
			return fmt.Errorf("summarize incident: %w", err)
		}
		s.claims = kept
		s.Size.Trimmed = append(s.Size.Trimmed, fmt.Sprintf("%s dropped because the cited resource did not contain their facts", text.Count(int64(dropped), "line")))
	}
	s.Citations = CitationSummary{Claims: rep.Claims, Factual: rep.Factual, Supported: rep.Supported,
		Unsupported: rep.Unsupported, Dropped: dropped, Fetched: len(rep.Fetched)}
	s.markdown = cite.RenderMarkdown(s.claims)
	s.Sources = b.refs(s.claims)
	s.Size.EstimatedTokens = estimateTokens(*s)
	s.Size.EstimatedTokens = estimateTokens(*s)
	return nil
}

// contents maps every resource URI the summary may cite to the object the
// resource server would serve for it (or a subset of it).
func (b *summaryBuilder) contents() map[string]any {
	m := map[string]any{b.incidentURI(): b.in}
	for _, a := range b.alerts {
		m[b.alertURI(a.ID)] = a
	}
	if b.linked == nil {
		return m
	}
	for _, a := range b.linked.dlp {
		if _, ok := m[b.alertURI(a.ID)]; !ok {
			m[b.alertURI(a.ID)] = a
		}
	}
	for _, list := range b.linked.signIns {
		for _, si := range list {
			m[resources.URI(b.alias, resources.KindSignIn, si.ID)] = si
		}
	}
	for _, list := range b.linked.detections {
		for _, d := range list {
			m[resources.URI(b.alias, resources.KindRisk, d.ID)] = d
		}
	}
	for uri, v := range b.linked.devStates {
		m[uri] = v
	}
	for upn, r := range b.linked.riskyUsers {
		m[resources.URI(b.alias, resources.KindUser, upn)] = struct {
			UserPrincipalName string            `json:"userPrincipalName"`
			Risk              *source.RiskyUser `json:"risk"`
		}{upn, &r}
	}
	return m
}

// refs lists the cited resources in order of first citation, with portal links.
func (b *summaryBuilder) refs(claims []cite.Claim) []resources.Ref {
	portal := map[string]string{b.incidentURI(): portalOr(b.in.IncidentWebURL, resources.IncidentPortal(b.tenantID, b.in.ID))}
	for _, a := range b.alerts {
		portal[b.alertURI(a.ID)] = portalOr(a.AlertWebURL, resources.AlertPortal(b.tenantID, a.ID))
	}
	if b.linked != nil {
		for _, a := range b.linked.dlp {
			portal[b.alertURI(a.ID)] = portalOr(a.AlertWebURL, resources.AlertPortal(b.tenantID, a.ID))
		}
		for _, dc := range b.linked.devices {
			portal[dc.URI] = dc.Portal
		}
	}
	out := []resources.Ref{}
	seen := map[string]bool{}
	for _, c := range claims {
		for _, u := range c.Citations {
			if seen[u] {
				continue
			}
			seen[u] = true
			ref := resources.Ref{URI: u, Portal: portal[u]}
			if strings.HasPrefix(u, attack.URIPrefix) {
				ref.Portal = "https://attack.mitre.org/techniques/" + strings.ReplaceAll(strings.TrimPrefix(u, attack.URIPrefix), ".", "/") + "/"
			}
			out = append(out, ref)
		}
	}
	return out
}
