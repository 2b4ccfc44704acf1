package nl2kql

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/schema"
	"github.com/secmcp/secmcp/internal/kqlcheck"
	"github.com/secmcp/secmcp/internal/lazyre"
)

// Refined is the outcome of the query refiner.
type Refined struct {
	Query   string
	Report  kqlcheck.Report
	Repairs []string
}

var reUnknown = lazyre.New(`^unknown (table|column|column or variable|join column|function) '([^']+)'`)

// Refine validates query and repairs it until it validates (no syntax or
// schema errors) or no repair applies, at most rounds times. Repairs, in
// order of preference: the analyzer's own fixes (did-you-mean for tables,
// columns and functions, syntax fixes); an unknown table → the plan's best
// table or the table whose name shares most words with it; an unknown
// column → the column of the query's tables that shares most name parts
// with it. plan may be nil.
func Refine(c *kqlcheck.Checker, query string, plan *Plan, rounds int) Refined {
	return refine(context.Background(), c, query, plan, rounds)
}

// refine is Refine that stops repairing once ctx ends (the last report is
// kept; the caller reports the deadline).
func refine(ctx context.Context, c *kqlcheck.Checker, query string, plan *Plan, rounds int) Refined {
	r := Refined{Query: query, Repairs: []string{}}
	for i := 0; ; i++ {
		r.Report = c.Validate(r.Query)
		if (r.Report.Valid && r.Report.Errors == 0) || i >= rounds || ctx.Err() != nil {
			return r
		}
		next, what := repairOnce(c, r.Query, r.Report, plan)
		if next == "" || next == r.Query {
			return r
		}
		r.Query = next
		r.Repairs = append(r.Repairs, what...)
	}
}

// repairOnce applies every repair it can find to one round's diagnostics.
func repairOnce(c *kqlcheck.Checker, q string, rep kqlcheck.Report, plan *Plan) (string, []string) {
	var edits []edit
	var what []string
	s := c.Schema()
	for _, d := range rep.Diagnostics {
		if d.Severity != kqlcheck.SeverityError {
			continue
		}
		if d.Fix != nil {
			edits = append(edits, edit{d.Fix.Start, d.Fix.Length, d.Fix.Replacement})
			what = append(what, fmt.Sprintf("%s (%s)", d.Fix.Title, strings.TrimRight(d.Message, ".")))
			continue
		}
		m := reUnknown.FindStringSubmatch(d.Message)
		if m == nil || s == nil {
			continue
		}
		var repl string
		switch m[1] {
		case "table":
			repl = replacementTable(s, m[2], plan)
		case "column", "column or variable", "join column":
			repl = nearestColumn(s, rep.Tables, m[2])
		}
		if repl != "" && repl != m[2] && d.Length == len(m[2]) {
			edits = append(edits, edit{d.Start, d.Length, repl})
			what = append(what, fmt.Sprintf("replaced unknown %s %s with %s", m[1], m[2], repl))
		}
	}
	if len(edits) == 0 {
		return "", nil
	}
	return applyEdits(q, edits), what
}

type edit struct {
	start, length int
	text          string
}

// applyEdits applies non-overlapping edits, last first so offsets hold.
func applyEdits(q string, edits []edit) string {
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	end := len(q) + 1
	for _, e := range edits {
		if e.start < 0 || e.start+e.length > len(q) || e.start+e.length > end {
			continue
		}
		q = q[:e.start] + e.text + q[e.start+e.length:]
		end = e.start
	}
	return q
}

// replacementTable picks the table to use for an unknown one: the table
// sharing most name words with it, else the plan's best table.
func replacementTable(s *schema.Schema, name string, plan *Plan) string {
	want := map[string]bool{}
	for _, w := range camelWords(name) {
		want[stem(w)] = true
	}
	best, bestScore := "", 0
	for _, n := range s.TableNames() {
		score := 0
		for _, w := range camelWords(n) {
			if want[stem(w)] {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = n, score
		}
	}
	if best == "" && plan != nil && len(plan.Tables) > 0 {
		best = plan.Tables[0].Name
	}
	return best
}

// nearestColumn finds the column of the given tables sharing most name
// parts with name (ties: the shorter name).
func nearestColumn(s *schema.Schema, tables []string, name string) string {
	want := camelWords(name)
	best, bestScore := "", 0.0
	for _, tn := range tables {
		t, ok := s.Table(tn)
		if !ok {
			continue
		}
		for _, col := range t.Columns {
			parts := camelWords(col.Name)
			common := 0
			for _, w := range want {
				for _, p := range parts {
					if stem(w) == stem(p) {
						common++
						break
					}
				}
			}
			if common == 0 {
				continue
			}
			score := float64(common) / float64(len(want)+len(parts)-common)
			if score > bestScore || (score == bestScore && len(col.Name) < len(best)) {
				best, bestScore = col.Name, score
			}
		}
	}
	if bestScore < 0.34 {
		return ""
	}
	return best
}
