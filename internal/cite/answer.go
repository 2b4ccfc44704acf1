package cite

import (
	"context"
	"slices"
	"strings"
)

// Answer accumulates the lines of a tool's answer as claims. Every line that
// states a fact cites the resources holding it; Finish checks the claims,
// drops the unsupported ones and renders the rest, so an answer never states
// an unsupported fact.
type Answer struct {
	claims []Claim
}

// Line adds a factual line: its facts are those Extract finds in text plus
// each non-empty value in values, stated verbatim (names, configured values).
func (a *Answer) Line(text string, values []string, cites ...string) {
	c := Auto(text, cites...)
	c.Facts = appendText(c.Facts, values)
	a.claims = append(a.claims, c)
}

// Derived adds a line stating figures the tool computed from cited data
// (counts, predictions): only values — the data it was computed from — are
// facts; the computed figures are in no resource and are not checked.
func (a *Answer) Derived(text string, values []string, cites ...string) {
	a.claims = append(a.claims, Claim{Text: text, Facts: appendText(nil, values), Citations: cites})
}

// Note adds guidance or connecting prose: no facts, no citation needed.
func (a *Answer) Note(text string) { a.claims = append(a.claims, Claim{Text: text}) }

// Heading adds a Markdown heading.
func (a *Answer) Heading(text string) { a.claims = append(a.claims, Claim{Text: "## " + text}) }

func appendText(facts []Fact, values []string) []Fact {
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		f := Fact{Kind: KindText, Value: v}
		if !slices.Contains(facts, f) {
			facts = append(facts, f)
		}
	}
	return facts
}

// Summary is the outcome of checking an answer's lines against the
// resources they cite. Lines that fail are removed from the answer and
// listed in Unsupported.
type Summary struct {
	Claims      int       `json:"claims"`
	Factual     int       `json:"factual"`
	Supported   int       `json:"supported"`
	Dropped     int       `json:"dropped"`
	Unsupported []Finding `json:"unsupported"`
}

// Finish checks the claims against fetch, drops unsupported ones and
// returns the kept claims, the summary and the Markdown text.
func (a *Answer) Finish(ctx context.Context, fetch Fetcher) ([]Claim, Summary, string, error) {
	rep, err := Check(ctx, a.claims, fetch)
	if err != nil {
		return nil, Summary{}, "", err
	}
	bad := map[string]bool{}
	for _, f := range rep.Unsupported {
		bad[f.Claim] = true
	}
	kept := make([]Claim, 0, len(a.claims))
	for _, c := range a.claims {
		if c.Factual() && bad[c.Text] {
			continue
		}
		kept = append(kept, c)
	}
	sum := Summary{Claims: rep.Claims, Factual: rep.Factual, Supported: rep.Supported,
		Dropped: len(a.claims) - len(kept), Unsupported: rep.Unsupported}
	return kept, sum, RenderMarkdown(kept), nil
}
