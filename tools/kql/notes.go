package kql

import (
	"fmt"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// Functions whose results differ from Kusto's in the offline engine: Kusto
// estimates distinct counts with HyperLogLog and percentiles with T-Digest
// (https://learn.microsoft.com/kusto/query/dcount-aggregation-function,
// https://learn.microsoft.com/kusto/query/percentiles-aggregation-function),
// while the engine computes them exactly.
var (
	distinctFuncs   = []string{"dcount", "dcountif", "dcount_hll", "hll", "hll_merge", "hll_if"}
	percentileFuncs = []string{"percentile", "percentiles", "percentiles_array", "percentilew", "percentilesw", "percentilesw_array", "percentile_tdigest", "percentile_array_tdigest", "tdigest", "tdigest_merge"}
	clockFuncs      = []string{"now", "ago"}
)

// engineNotes are the differences from Kusto a reader of this query's result
// should know: each note is given only when the query calls a function it is
// about, so a query without dcount() is not told how dcount() differs.
func engineNotes(clock time.Time, query string) []string {
	called := calledFunctions(query)
	uses := func(names []string) bool {
		for _, n := range names {
			if called[n] {
				return true
			}
		}
		return false
	}
	var notes []string
	if !clock.IsZero() && uses(clockFuncs) {
		notes = append(notes, fmt.Sprintf("now() and ago() are relative to the demo data's clock, %s", clock.UTC().Format(time.RFC3339)))
	}
	switch dc, pc := uses(distinctFuncs), uses(percentileFuncs); {
	case dc && pc:
		notes = append(notes, "dcount() is exact and percentiles use nearest rank here; Kusto estimates both, so its numbers can differ slightly")
	case dc:
		notes = append(notes, "dcount() is exact here; Kusto estimates distinct counts, so its numbers can differ slightly")
	case pc:
		notes = append(notes, "percentiles use nearest rank here; Kusto estimates them, so its numbers can differ slightly")
	}
	return notes
}

// calledFunctions returns the lower-cased names of the functions query calls
// (a query that does not parse calls none).
func calledFunctions(query string) map[string]bool {
	out := map[string]bool{}
	script, _ := syntax.Parse(query)
	if script == nil {
		return out
	}
	syntax.Inspect(script, func(n syntax.Node) bool {
		if c, ok := n.(*syntax.Call); ok && c.Name != nil && c.Recv == nil {
			out[strings.ToLower(c.Name.Name)] = true
		}
		return true
	})
	return out
}
