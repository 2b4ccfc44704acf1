package nl2kql

import (
	"strings"

	"github.com/secmcp/secmcp/internal/kql/catalog"
	"github.com/secmcp/secmcp/internal/lazyre"
)

// Two kinds of evidence: a question can relate two kinds of event without
// a connective the follow-up cue knows ("MFA details changed from an IP the
// user never signed in from", "devices with antivirus detections and
// logons by local admins"). It does when the two best tables are each
// chosen for something of their own — a word or concept the other table
// does not share — and the second is a real contender; two tables chosen
// for the same words are alternatives (SigninLogs and its Advanced Hunting
// mirror), not two subjects.

// twoKindsRatio is how close the second table must score to the first.
const twoKindsRatio = 0.5

// reClauseLink joins a second clause to the first: a relative pronoun or a
// coordinating "and".
var reClauseLink = lazyre.New(`\b(?:who|whom|whose|that|which|where|and)\b`)

// twoKinds reports whether the plan's two best tables are two distinct
// kinds of evidence.
func twoKinds(p *Plan) bool {
	if len(p.Tables) < 2 {
		return false
	}
	a, b := p.Tables[0], p.Tables[1]
	if b.Score < 3 || b.Score < twoKindsRatio*a.Score || catalog.Current(a.Name) == catalog.Current(b.Name) {
		return false
	}
	ra, rb := strongReasons(a), strongReasons(b)
	if len(ra) == 0 || len(rb) == 0 {
		return false
	}
	for r := range ra {
		if rb[r] {
			return false
		}
	}
	// A word that names what a row is in both tables makes them
	// alternatives.
	for r := range rb {
		if w, ok := strings.CutPrefix(r, "word "); ok && tableWords()[a.Name][0][w] {
			return false
		}
	}
	for r := range ra {
		if w, ok := strings.CutPrefix(r, "word "); ok && tableWords()[b.Name][0][w] {
			return false
		}
	}
	// The second kind must be joined to the first by a clause, between
	// where the question points at each.
	i, j := reasonAt(p, ra), reasonAt(p, rb)
	if i > j {
		i, j = j, i
	}
	return j < len(p.normalized) && reClauseLink.MatchString(p.normalized[i:j])
}

// reasonAt is where the question first says one of a table's strong
// reasons: a table word, or the text a concept that voted for it matched
// (len(question) when none is found).
func reasonAt(p *Plan, reasons map[string]bool) int {
	nt := p.normalized
	best := len(nt)
	for r := range reasons {
		if w, ok := strings.CutPrefix(r, "word "); ok {
			if i := wordIndex(nt, w); i >= 0 && i < best {
				best = i
			}
			continue
		}
		id, ok := strings.CutPrefix(r, "concept ")
		if !ok {
			continue
		}
		for _, cp := range p.concepts {
			if loc := cp.re.FindStringIndex(nt); cp.id == id && loc != nil && loc[0] < best {
				best = loc[0]
			}
		}
	}
	return best
}

// strongReasons are the specific reasons a table was chosen (table words,
// concepts, its name).
func strongReasons(tc TableChoice) map[string]bool {
	out := map[string]bool{}
	for _, w := range tc.Why {
		if strings.HasPrefix(w, "word ") || strings.HasPrefix(w, "concept ") || w == "named in the question" {
			out[w] = true
		}
	}
	return out
}
