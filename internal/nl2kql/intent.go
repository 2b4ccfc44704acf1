package nl2kql

import (
	"strconv"
	"strings"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// Kinds of intent: the shape of the answer the question wants.
const (
	IntentList      = "list"      // matching rows, newest first
	IntentCount     = "count"     // how many, optionally per key
	IntentTop       = "top"       // the N keys with the most rows
	IntentDistinct  = "distinct"  // the distinct values of a key
	IntentDCount    = "dcount"    // how many distinct values
	IntentSeries    = "series"    // counts per time bin
	IntentFirstLast = "firstlast" // first and last time each key was seen
)

// Intent is the parsed shape of a question.
type Intent struct {
	Kind string `json:"kind"`
	// N is the row count of a top-N question.
	N int `json:"n,omitempty"`
	// By are the grouping keys as words of the question ("user", "country").
	By []string `json:"by,omitempty"`
	// Bin is the time-series bin size (a KQL timespan).
	Bin string `json:"bin,omitempty"`
	// Render is the chart to draw ("timechart", "barchart", "piechart") or "".
	Render string `json:"render,omitempty"`
	// Join is set when the question relates two kinds of event.
	Join bool `json:"join,omitempty"`
	// Threshold keeps the groups whose count passes it ("more than 5");
	// ThresholdOp is ">" or ">=".
	Threshold   int    `json:"threshold,omitempty"`
	ThresholdOp string `json:"thresholdOp,omitempty"`
	// Percent asks for each group's share ("percentage of", "ratio").
	Percent bool `json:"percent,omitempty"`
	// Recent and Baseline are the periods of a "new"/"not seen before"
	// question (KQL timespans).
	Recent   string `json:"recent,omitempty"`
	Baseline string `json:"baseline,omitempty"`
	// Inactive and Lookback are the silence and the search span of a
	// "not signed in for 30 days" question.
	Inactive string `json:"inactive,omitempty"`
	Lookback string `json:"lookback,omitempty"`
	// Outlier is how an outlier question ranks (IntentOutlier): "rank"
	// (per-entity counts, most first) or "baseline" (recent count against
	// the entity's own average).
	Outlier string `json:"outlier,omitempty"`
	// DistinctOf is the word an outlier question counts distinct values
	// of ("from an unusual number of distinct devices").
	DistinctOf string `json:"distinctOf,omitempty"`
}

var (
	reTopN     = lazyre.New(`\btop\s+(\d{1,4})\b|\b(\d{1,4})\s+most\b|\btop\s+(ten|five|twenty|three)\b`)
	reByKey    = lazyre.New(`\b(?:by|per|for each|for every|each|across|grouped by|group by|broken down by|breakdown by|split by)\s+(?:the\s+|their\s+|its\s+|a\s+)?([a-z0-9_]+)(?:\s+([a-z0-9_]+))?`)
	reNounKey  = lazyre.New(`\b(?:top\s+(?:\d+\s+|three\s+|five\s+|ten\s+|twenty\s+)?|which\s+|distinct\s+|unique\s+|different\s+|most common\s+|list\s+(?:of\s+)?(?:all\s+)?(?:the\s+)?)([a-z0-9_]+)(?:\s+([a-z0-9_]+))?`)
	reMostKey  = lazyre.New(`\b([a-z0-9_]+)\s+(?:with|having|that have|that had|who have|who had)\s+(?:the\s+)?most\b`)
	reVisual   = lazyre.New(`\b(visuali[sz]e|visuali[sz]es|chart|graph|plot|render|dashboard)\b`)
	reJoinWord = lazyre.New(`\b(join|joined|correlat\w*|followed by|then|after|afterwards|and also|together with|along with|combined with|match(ed|ing)? (with|against)|same|who also|that also|associated with|related|contained|containing|with their|and their|including)\b`)
)

var numberNames = map[string]int{"three": 3, "five": 5, "ten": 10, "twenty": 20}

// parseIntent reads the answer shape from the normalised question.
func parseIntent(nt string, w Window) Intent {
	in := Intent{Kind: IntentList}
	if m := reTopN.FindStringSubmatch(nt); m != nil {
		in.Kind = IntentTop
		if n, err := strconv.Atoi(firstNonEmpty(m[1], m[2])); err == nil {
			in.N = n
		} else {
			in.N = numberNames[m[3]]
		}
	}
	visual := reVisual.MatchString(nt)
	switch {
	case in.Kind == IntentTop:
	case hasAny(nt, "firstseen", "lastseen") || strings.Contains(nt, "first and last"):
		in.Kind = IntentFirstLast
	case hasAny(nt, "overtime", "hourly", "daily", "weekly", "monthly", "timechart", "timeline") || reBinPer.MatchString(nt) || (visual && reBin.MatchString(nt)):
		in.Kind = IntentSeries
	case hasAny(nt, "most", "highest", "largest", "biggest", "busiest", "noisiest") || reMostKey.MatchString(nt):
		in.Kind = IntentTop
	case hasWord(nt, "howmany") && hasAny(nt, "distinct", "unique", "different"):
		in.Kind = IntentDCount
	case hasAny(nt, "distinct", "unique", "different") || reWhichKey.MatchString(nt):
		in.Kind = IntentDistinct
	case hasAny(nt, "howmany", "count", "counts", "total", "totals", "volume", "summarize", "summarise", "summary", "statistics", "stats", "breakdown", "distribution", "tally", "percentage", "ratio"):
		in.Kind = IntentCount
	case visual:
		in.Kind = IntentCount
	}
	if in.Kind == IntentTop && in.N == 0 {
		in.N = 10
	}
	if in.Kind == IntentSeries {
		in.Bin = binFor(nt, w)
	}
	in.By = groupWords(nt)
	if in.Kind == IntentList && hasKeyPhrase(nt) {
		// "sign-ins by country" wants a count per country.
		in.Kind = IntentCount
	}
	switch {
	case !visual:
	case in.Kind == IntentSeries:
		in.Render = "timechart"
	case hasAny(nt, "pie", "piechart"):
		in.Render = "piechart"
	case in.Kind == IntentCount || in.Kind == IntentTop:
		in.Render = "barchart"
	}
	in.Join = reJoinWord.MatchString(nt)
	return in
}

// reWhichKey is "which users", "which devices", ...
var reWhichKey = lazyre.New(`\bwhich\s+(users?|devices?|ip|accounts?|hosts?|machines?|computers?|countries|country|apps?|applications?|senders?|domains?|urls?|process(es)?|files?)\b`)

// reBinPer is a named time bin ("per day", "each hour").
var reBinPer = lazyre.New(`\b(?:per|by|each|every)\s+(minute|hour|day|week|month)\b`)

// timeUnits are never grouping keys (they name the bin).
var timeUnits = map[string]bool{"minute": true, "hour": true, "day": true, "week": true, "month": true, "year": true,
	"time": true, "date": true, "hourly": true, "daily": true, "weekly": true, "monthly": true, "default": true}

// groupWords returns the words the question groups or ranks by, in order.
func groupWords(nt string) []string {
	var out []string
	add := func(ws ...string) {
		for _, w := range ws {
			w = stem(w)
			if w == "" || timeUnits[w] || stopWords[w] {
				continue
			}
			for _, o := range out {
				if o == w {
					return
				}
			}
			out = append(out, w)
			return
		}
	}
	for _, m := range reByKey.FindAllStringSubmatch(nt, -1) {
		if isByAgent(nt, m[0]) {
			continue
		}
		add(m[1], m[2])
	}
	for _, m := range reNounKey.FindAllStringSubmatch(nt, -1) {
		add(m[1], m[2])
	}
	for _, m := range reMostKey.FindAllStringSubmatch(nt, -1) {
		add(m[1])
	}
	return out
}

// hasKeyPhrase reports whether the question groups by something ("by
// user", "per device") rather than naming an agent ("launched by").
func hasKeyPhrase(nt string) bool {
	for _, m := range reByKey.FindAllStringSubmatch(nt, -1) {
		if !isByAgent(nt, m[0]) && !timeUnits[stem(m[1])] && !stopWords[m[1]] {
			return true
		}
	}
	return false
}

// isByAgent tells "processes launched by X" (an agent, not a key) from
// "count by user".
func isByAgent(nt, match string) bool {
	i := strings.Index(nt, match)
	if i < 0 || !strings.HasPrefix(match, "by ") {
		return false
	}
	before := lastWords(nt[:i], 1)
	return hasAny(before, "launched", "launch", "spawned", "started", "created", "initiated", "executed", "run", "ran",
		"sent", "blocked", "made", "opened", "triggered", "raised", "detected", "flagged", "performed", "done", "invoked",
		"downloaded", "uploaded", "accessed", "modified", "deleted", "signed", "added", "removed", "changed", "granted")
}
