package intune

import (
	"encoding/json"
	"fmt"

	"github.com/secmcp/secmcp/internal/text"
)

// maxNames is how many device names a line of the text lists.
const maxNames = 5

func suggestLines(res *Suggestions, a *answer) {
	a.Heading("Proposed compliance changes (not applied)")
	a.Note(notApplied)
	a.Derived(fmt.Sprintf("Compared %s against the baseline using the recorded values of %s; each effect is computed for that change alone.",
		text.Count(int64(len(res.Proposals)), "proposal"), text.Count(int64(res.DevicesRead), "device")), nil)
	for _, p := range res.NoPolicy {
		a.Note("No compliance policy targets " + p + " devices: create one from the baseline's " + p + " rules.")
	}
	for i, p := range res.Proposals {
		proposalLines(i+1, p, a)
	}
	if len(res.Proposals) == 0 {
		a.Note("Every baseline setting is already met by the tenant's policies.")
	}
	if len(res.Observed) > 0 {
		a.Heading("Failing now (observed)")
		for i, r := range res.Observed {
			if i == 10 {
				break
			}
			names, facts, uris := nameList(r.Examples, maxExamples)
			a.Derived(fmt.Sprintf("- %s %s (%s): %s, e.g. %s.", r.Platform, r.Title, r.Setting, text.Count(int64(r.Devices), "device"), names),
				append(facts, r.Setting), uris...)
		}
	}
}

func proposalLines(n int, p Proposal, a *answer) {
	a.Heading(fmt.Sprintf("%d. %s: %s (%s)", n, p.Policy, p.Title, p.Setting))
	if p.Current == nil {
		a.Line(fmt.Sprintf("Policy %s (%s) does not configure %s.", text.Quote(p.Policy), p.PolicyID, p.Setting), []string{p.Policy}, p.PolicyURI)
	} else {
		a.Line(fmt.Sprintf("Policy %s (%s) sets %s = %s.", text.Quote(p.Policy), p.PolicyID, p.Setting, fmtValue(p.Current)),
			[]string{p.Policy, p.Setting, fmtValue(p.Current)}, p.PolicyURI)
	}
	a.Line(fmt.Sprintf("Baseline: %s = %s (%s). %s", p.Setting, fmtValue(p.Proposed), requirement(p.Setting, p.Proposed), p.Reason),
		[]string{p.Setting, p.Reason}, BaselineURI)
	e := p.Effect
	a.Derived(fmt.Sprintf("Expected effect on the %s this policy applies to: %d would become non-compliant, %d would become compliant, %d stay non-compliant, %d stay compliant, %d cannot be evaluated.",
		text.Count(int64(e.Evaluated), "device"), len(e.BecomeNoncompliant), len(e.BecomeCompliant), len(e.StayNoncompliant), e.Unchanged, len(e.Unknown)), nil)
	for _, g := range []struct {
		label string
		refs  []DeviceRef
	}{{"Would become non-compliant", e.BecomeNoncompliant}, {"Would become compliant", e.BecomeCompliant},
		{"Cannot be evaluated (no recorded value)", e.Unknown}} {
		if len(g.refs) == 0 {
			continue
		}
		names, facts, uris := nameList(g.refs, maxNames)
		a.Derived("- "+g.label+": "+names+".", facts, uris...)
	}
	if p.FailingNow > 0 {
		a.Derived(fmt.Sprintf("- %s %s this setting under this policy today.", text.Count(int64(p.FailingNow), "device"), text.Verb(int64(p.FailingNow), "fails", "fail")), nil)
	}
	body, _ := json.Marshal(p.Request.Body)
	a.Note("Request (not sent):")
	a.Note("```http")
	a.Note(p.Request.Method + " " + p.Request.URL)
	a.Note(string(body))
	a.Note("```")
}
