package nl2kql

import (
	"fmt"
	"strings"
)

// readCues applies the phrasing cues (cues.go) to the question text left
// after the entities were taken, sets p.normalized and returns the text
// the few-shot selector and the squashed table-name match read.
func (s *Service) readCues(p *Plan, rest string) string {
	if stripped := stripPreamble(rest); stripped != rest {
		p.Cues = append(p.Cues, "detection description")
		rest = stripped
	}
	cue, rest := readAlertCue(rest)
	if cue.found {
		p.alertPivot, p.AlertProduct = true, cue.product
		p.Cues = append(p.Cues, "alert pivot")
	}
	p.normalized = normalize(rest)
	if priv, nt := privHolder(p.normalized); priv {
		p.privileged, p.normalized = true, nt
		p.Cues = append(p.Cues, "privileged users")
	}
	return rest
}

// supersedes lists concepts that make another one wrong: registering MFA
// details is a directory change, not an MFA sign-in.
var supersedes = map[string][]string{
	"mfaregister": {"mfa", "success", "failed"},
	"sspr":        {"passwordreset"},
	"cafail":      {"capolicy", "failed"},
}

// matchConcepts records the concepts whose pattern matches the question.
func (p *Plan) matchConcepts() {
	var found []concept
	drop := map[string]bool{}
	for _, cp := range conceptList() {
		if cp.re.MatchString(p.normalized) {
			found = append(found, cp)
			for _, d := range supersedes[cp.id] {
				drop[d] = true
			}
		}
	}
	for _, cp := range found {
		if !drop[cp.id] {
			p.concepts = append(p.concepts, cp)
			p.Concepts = append(p.Concepts, cp.id)
		}
	}
}

// defaultWindow picks the window for the intent when the question names
// none (baselines need a longer lookback) and returns the assumption to
// state ("" when there is nothing to say).
func (p *Plan) defaultWindow(parsed string) string {
	in := &p.Intent
	switch in.Kind {
	case IntentNew:
		if p.windowGiven {
			in.Baseline = strings.TrimSuffix(strings.TrimPrefix(p.Window.Start, "ago("), ")")
			if !strings.HasPrefix(p.Window.Start, "ago(") {
				in.Baseline = "30d"
			}
		}
		return fmt.Sprintf("compared the last %s with the %s before it: values of the recent period absent from the baseline are new", in.Recent, in.Baseline)
	case IntentDormant:
		p.Window = Window{Start: "ago(" + in.Lookback + ")", Span: spanHours(in.Lookback)}
		return fmt.Sprintf("searched the last %s and kept those last seen more than %s ago", in.Lookback, in.Inactive)
	case IntentOutlier:
		if a := p.outlierWindow(); a != "" {
			return a
		}
	case IntentSeries:
		if !p.windowGiven {
			p.Window = Window{Start: "ago(30d)", Span: 30 * 24}
			in.Bin = binFor(p.normalized, p.Window)
			return noRangeNote + ": charted the last 30 days"
		}
	}
	return parsed
}

// spanHours reads a "30d"/"12h" timespan as hours (0 when unreadable).
func spanHours(ts string) float64 {
	var n float64
	var unit string
	if _, err := fmt.Sscanf(ts, "%g%s", &n, &unit); err != nil {
		return 0
	}
	h, _ := unitHours(unit)
	return n * h
}
