package nl2kql

import (
	"strings"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// reLiteral is a string literal of a predicate.
var reLiteral = lazyre.New(`"([^"]*)"`)

// disjoint reports whether two value predicates share no value (a value of
// one starting with a startswith prefix of the other counts as shared).
func disjoint(a, b string) bool {
	la, lb := reLiteral.FindAllStringSubmatch(a, -1), reLiteral.FindAllStringSubmatch(b, -1)
	if len(la) == 0 || len(lb) == 0 {
		return false
	}
	for _, x := range la {
		for _, y := range lb {
			if strings.EqualFold(x[1], y[1]) || strings.Contains(a, "startswith") && strings.HasPrefix(y[1], x[1]) ||
				strings.Contains(b, "startswith") && strings.HasPrefix(x[1], y[1]) {
				return false
			}
		}
	}
	return true
}

// reValuePred is a predicate that pins a column to values: a row has one
// value, so two of them on the same column are alternatives.
var reValuePred = lazyre.New(`^(\w+)\s*(?:==|=~|in~?|startswith)\s`)

// mergeAlternatives adds pred to preds, or-ing it with an earlier predicate
// that pins the same column to other values ("scheduled tasks … USB drive
// mounted" in DeviceEvents: ActionType is one or the other, never both).
// Overlapping values stay and-ed: "failed outbound connections" is their
// intersection.
func mergeAlternatives(preds []string, pred string) []string {
	m := reValuePred.FindStringSubmatch(pred)
	if m == nil {
		return append(preds, pred)
	}
	for i, q := range preds {
		if n := reValuePred.FindStringSubmatch(strings.TrimPrefix(q, "(")); n != nil && n[1] == m[1] && disjoint(q, pred) {
			if !strings.HasPrefix(q, "(") {
				q = "(" + q + ")"
			}
			preds[i] = q + " or (" + pred + ")"
			return preds
		}
	}
	return append(preds, pred)
}
