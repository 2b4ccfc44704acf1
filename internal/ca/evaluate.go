package ca

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/source"
)

// Evaluate evaluates every policy against the sign-in, in the order given.
func Evaluate(in SignIn, policies []source.CAPolicy, locations []source.NamedLocation) Evaluation {
	ev := Evaluation{Policies: make([]PolicyResult, 0, len(policies))}
	for _, p := range policies {
		ev.Policies = append(ev.Policies, EvaluatePolicy(in, p, locations))
	}
	ev.Status, ev.StatusReason = overall(in, ev.Policies)
	return ev
}

// EvaluatePolicy evaluates one policy against the sign-in.
func EvaluatePolicy(in SignIn, p source.CAPolicy, locations []source.NamedLocation) PolicyResult {
	r := PolicyResult{PolicyID: p.ID, DisplayName: p.DisplayName, State: p.State, Conditions: []Condition{}, Session: p.SessionControls}
	reportOnly := p.State == StateReportOnly
	switch p.State {
	case StateDisabled:
		r.Outcome, r.Result, r.Reason = OutcomeNotEnabled, "notEnabled", "the policy is disabled (state disabled), so it was not evaluated"
		return r
	case StateEnabled, StateReportOnly:
	default:
		r.Outcome, r.Candidates = OutcomeUndecidable, []string{"notEnabled", "notApplied"}
		r.Reason = fmt.Sprintf("unknown policy state %q", p.State)
		return r
	}
	if in.PrimaryAuthFailed {
		r.Outcome, r.Result = OutcomeNotApplied, resultName(reportOnly, "notApplied")
		r.Reason = fmt.Sprintf("primary authentication failed (error %d), so Conditional Access was not evaluated", in.ErrorCode)
		return r
	}
	r.Conditions = conditions(in, p, locations)
	applies := Yes
	var no, unknown []string
	for _, c := range r.Conditions {
		switch c.Verdict {
		case NoMatch:
			applies = No
			no = append(no, c.Name)
		case Undecidable:
			if applies == Yes {
				applies = Unknown
			}
			unknown = append(unknown, c.Name)
		}
	}
	switch applies {
	case No:
		r.Outcome, r.Result = OutcomeNotApplied, resultName(reportOnly, "notApplied")
		r.Reason = "not applied: " + strings.Join(no, ", ") + " did not match"
		return r
	case Unknown:
		r.Outcome = OutcomeUndecidable
		r.Reason = "undecidable: the data does not decide " + strings.Join(unknown, ", ")
	}
	g := evaluateGrant(in, p, reportOnly)
	r.Grant = &g
	result, cands := decideResult(applies, g, reportOnly)
	if applies == Unknown {
		r.Candidates = cands
		return r
	}
	if result == "" {
		r.Outcome, r.Candidates = OutcomeUndecidable, cands
		r.Reason = "the conditions matched but the grant controls are undecidable: " + g.Detail
		return r
	}
	r.Result = result
	r.Outcome = OutcomeApplied
	if reportOnly {
		r.Outcome = OutcomeReportOnly
	}
	r.Reason = applyReason(reportOnly, result, g, p)
	return r
}

func applyReason(reportOnly bool, result string, g Grant, p source.CAPolicy) string {
	var b strings.Builder
	if reportOnly {
		b.WriteString("report-only: all conditions matched; the policy is evaluated but never enforced; ")
	} else {
		b.WriteString("applied: all conditions matched; ")
	}
	b.WriteString(g.Detail)
	if len(p.SessionControls) > 0 {
		b.WriteString("; session controls " + strings.Join(p.SessionControls, ", "))
	}
	b.WriteString(" → " + result)
	return b.String()
}

// decideResult maps the condition match and the grant to a Graph result; it
// returns "" and the candidate results when undecidable.
func decideResult(applies Tri, g Grant, reportOnly bool) (string, []string) {
	success := resultName(reportOnly, "success")
	fail := failureResult(g, reportOnly)
	var cands []string
	if applies != Yes {
		cands = append(cands, resultName(reportOnly, "notApplied"))
	}
	switch g.Satisfied {
	case Yes:
		cands = append(cands, success)
	case No:
		cands = append(cands, fail)
	default:
		cands = append(cands, success, fail)
	}
	if applies == Yes && len(cands) == 1 {
		return cands[0], nil
	}
	return "", cands
}

// failureResult is failure for enforced policies; for report-only ones it is
// reportOnlyInterrupted when the user could have satisfied the policy by
// interacting (every failing path has an interactive control) and
// reportOnlyFailure when it would have blocked.
func failureResult(g Grant, reportOnly bool) string {
	if !reportOnly {
		return "failure"
	}
	if interruptible(g) {
		return "reportOnlyInterrupted"
	}
	return "reportOnlyFailure"
}

func interruptible(g Grant) bool {
	if strings.EqualFold(g.Operator, "AND") {
		any := false
		for _, c := range g.Controls {
			if c.Satisfied != Yes && !c.Interactive {
				return false
			}
			any = any || (c.Satisfied != Yes && c.Interactive)
		}
		return any
	}
	for _, c := range g.Controls {
		if c.Interactive {
			return true
		}
	}
	return false
}

func resultName(reportOnly bool, base string) string {
	if !reportOnly {
		return base
	}
	return "reportOnly" + strings.ToUpper(base[:1]) + base[1:]
}

// overall derives the expected conditionalAccessStatus from the enforced policies.
func overall(in SignIn, rs []PolicyResult) (string, string) {
	if in.PrimaryAuthFailed {
		return "notApplied", fmt.Sprintf("primary authentication failed (error %d): no policy was evaluated", in.ErrorCode)
	}
	var failed, succeeded, undecided []string
	for _, r := range rs {
		if r.State != StateEnabled {
			continue
		}
		switch {
		case r.Result == "failure":
			failed = append(failed, r.DisplayName)
		case r.Result == "success":
			succeeded = append(succeeded, r.DisplayName)
		case r.Undecidable():
			undecided = append(undecided, r.DisplayName)
		}
	}
	switch {
	case len(failed) > 0:
		return "failure", "failed: " + strings.Join(failed, "; ")
	case len(undecided) > 0:
		return "undecidable", "undecidable: " + strings.Join(undecided, "; ")
	case len(succeeded) > 0:
		return "success", "satisfied: " + strings.Join(succeeded, "; ")
	}
	return "notApplied", "no enforced policy applied"
}
