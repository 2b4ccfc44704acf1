package nl2kql

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// More kinds of intent.
const (
	IntentNew     = "new"     // values of the recent period absent from a baseline
	IntentDormant = "dormant" // keys with no rows for a while
)

var (
	// reNewSince is "not seen before", "never … from", "previous timeframe".
	reNewSince = lazyre.New(`\b(?:not|never|n't)\s+(?:been\s+)?(?:\w+\s+){0,4}?(?:before|previously)\b|\b(?:not|never|n't)\s+(?:\w+\s+){0,5}?(?:from|in the previous|during the previous|in the prior)\b|\bnot seen\b|\bnever seen\b|\bunseen\b|\bpreviously unknown\b|\bprevious timeframe\b|\bfor the firstseen\b|\bfirstseen ever\b|\bfirst-time\b|\bnew (?:\w+\s+){0,2}(?:not|never)\b`)
	// reDormant is "have not signed in for 30 days", "inactive", "stale".
	reDormant = lazyre.New(`\b(?:not|\w+n't|never|no|without)\s+(?:\w+\s+){0,4}?(?:signin|logon|active|activity|activities|activated|used|hits?|triggered|sent|logged|completed|heartbeat|queried)\b(?:\s+[\w']+){0,6}?\s+(?:for|in|within|over|since)\s+(?:the\s+)?(?:last\s+|past\s+)?(\d+|a|one|two|three|six|thirty|ninety)\s*(days?|weeks?|months?|years?|d)\b|\b(?:inactive|stale|dormant|unused)\b`)
	// reThreshold is "more than 5", "3 or more", "at least 10".
	reThreshold = lazyre.New(`\b(more than|greater than|over|above|exceeds?|exceeding|at least|minimum of)\s+(\d{1,6})\b(\s+\w+)?|\b(\d{1,6})\s*(?:\+|or more|and more|times or more)(\s+\w+)?`)
	rePercent   = lazyre.New(`\b(?:percent|percentage|percentages|ratio|proportion|share of)\b`)
	reDistinctW = lazyre.New(`\b(?:unique|distinct|different)\b`)
)

var timeUnitWords = lazyre.New(`^\s*(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|the|seconds?)$`)

// refineIntent reads the intents parseIntent does not: new since a
// baseline, dormant keys, thresholds and percentages.
func refineIntent(in *Intent, nt string, w Window) {
	switch {
	case reNewSince.MatchString(nt):
		in.Kind, in.Recent, in.Baseline = IntentNew, "1d", "30d"
		if w.Span > 0 && w.Span <= 24 {
			in.Recent = strings.TrimSuffix(strings.TrimPrefix(w.Start, "ago("), ")")
		}
	case reDormant.MatchString(nt):
		in.Kind, in.Inactive, in.Lookback = IntentDormant, "30d", "90d"
		if m := reDormant.FindStringSubmatch(nt); m[1] != "" {
			n, err := strconv.Atoi(m[1])
			if err != nil {
				n = max(numberWords[m[1]], 1)
			}
			in.Inactive, _ = span(n, m[2])
			if h := spanHours(in.Inactive); h > 45*24 {
				in.Lookback = fmt.Sprintf("%dd", int(h/24)*2)
			}
		}
	}
	for _, m := range reThreshold.FindAllStringSubmatch(nt, -1) {
		num, next, op := m[2], m[3], ">"
		if num == "" {
			num, next, op = m[4], m[5], ">="
		} else if m[1] == "at least" || m[1] == "minimum of" {
			op = ">="
		}
		if timeUnitWords.MatchString(next) {
			continue // "over 30 days" is a window
		}
		n, err := strconv.Atoi(num)
		if err != nil || n == 0 {
			continue
		}
		in.Threshold, in.ThresholdOp = n, op
		if in.Kind == IntentList || in.Kind == IntentDistinct {
			in.Kind = IntentCount
			if reDistinctW.MatchString(nt) {
				in.Kind = IntentDCount
			}
		}
		if in.Kind == IntentDCount {
			in.By = distinctFirst(nt, in.By)
		}
		break
	}
	if rePercent.MatchString(nt) && in.Kind != IntentNew && in.Kind != IntentDormant {
		in.Percent = true
		if in.Kind == IntentList || in.Kind == IntentDistinct {
			in.Kind = IntentCount
		}
	}
}

// reDistinctNoun is the noun counted distinctly: "3 or more unique devices".
var reDistinctNoun = lazyre.New(`\b(?:unique|distinct|different)\s+([a-z0-9_]+)`)

// distinctFirst puts the word counted distinctly first in by (dcount's
// target), leaving the others as the grouping keys.
func distinctFirst(nt string, by []string) []string {
	m := reDistinctNoun.FindStringSubmatch(nt)
	if m == nil {
		return by
	}
	target := stem(m[1])
	out := []string{target}
	for _, w := range by {
		if w != target {
			out = append(out, w)
		}
	}
	return out
}
