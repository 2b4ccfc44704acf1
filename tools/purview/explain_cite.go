package purview

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/secmcp/secmcp/internal/cite"
)

// answer accumulates the lines of a tool's answer as citation claims. Every
// line that states a fact cites the resources holding it; the tool checks
// the claims with internal/cite before returning them (see finish).
type answer struct {
	claims []cite.Claim
}

// versionRe finds dotted versions (10.0.19045.0, 16.7.8). The cite
// extractor reads them as two numbers that appear nowhere as such, so they
// become text facts (substring match) instead.
var versionRe = regexp.MustCompile(`\b\d+(?:\.\d+){2,}\b`)

// line adds a factual line: its facts are those cite.Extract finds in text
// plus each non-empty value in values, stated verbatim (policy and setting
// names, configured values).
func (a *answer) line(text string, values []string, cites ...string) {
	c := cite.Auto(text, cites...)
	c.Facts = fixVersions(text, c.Facts)
	c.Facts = appendText(c.Facts, values)
	a.claims = append(a.claims, c)
}

// derived adds a line that states figures this tool computed from cited
// data (counts, predictions): only values — the data it was computed from —
// are facts; the computed figures are not in any resource and are not
// checked.
func (a *answer) derived(text string, values []string, cites ...string) {
	a.claims = append(a.claims, cite.Claim{Text: text, Facts: appendText(nil, values), Citations: cites})
}

// note adds guidance or connecting prose: no facts, no citation needed.
func (a *answer) note(text string) { a.claims = append(a.claims, cite.Claim{Text: text}) }

// heading adds a Markdown heading.
func (a *answer) heading(text string) { a.claims = append(a.claims, cite.Claim{Text: "## " + text}) }

func appendText(facts []cite.Fact, values []string) []cite.Fact {
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		f := cite.Fact{Kind: cite.KindText, Value: v}
		if !slices.Contains(facts, f) {
			facts = append(facts, f)
		}
	}
	return facts
}

func fixVersions(text string, facts []cite.Fact) []cite.Fact {
	vs := versionRe.FindAllString(text, -1)
	if len(vs) == 0 {
		return facts
	}
	drop := map[cite.Fact]bool{}
	for _, v := range vs {
		for _, f := range cite.Extract(v) {
			drop[f] = true
		}
	}
	out := facts[:0:0]
	for _, f := range facts {
		if !drop[f] {
			out = append(out, f)
		}
	}
	return appendText(out, vs)
}

// CitationCheck is the outcome of checking the answer's lines against the
// resources they cite (internal/cite). Lines that fail are removed from the
// answer and listed in Unsupported, so the text never states an unsupported
// fact.
type CitationCheck struct {
	Claims      int            `json:"claims"`
	Factual     int            `json:"factual"`
	Supported   int            `json:"supported"`
	Dropped     int            `json:"dropped"`
	Unsupported []cite.Finding `json:"unsupported"`
}

// finish checks the claims against fetch, drops unsupported ones and
// returns the kept claims, the check summary and the Markdown text.
func (a *answer) finish(ctx context.Context, fetch cite.Fetcher) ([]cite.Claim, CitationCheck, string, error) {
	rep, err := cite.Check(ctx, a.claims, fetch)
	if err != nil {
		return nil, CitationCheck{}, "", err
	}
	bad := map[string]bool{}
	for _, f := range rep.Unsupported {
		bad[f.Claim] = true
	}
	kept := make([]cite.Claim, 0, len(a.claims))
	for _, c := range a.claims {
		if c.Factual() && bad[c.Text] {
			continue
		}
		kept = append(kept, c)
	}
	chk := CitationCheck{Claims: rep.Claims, Factual: rep.Factual, Supported: rep.Supported,
		Dropped: len(a.claims) - len(kept), Unsupported: rep.Unsupported}
	return kept, chk, cite.RenderMarkdown(kept), nil
}
