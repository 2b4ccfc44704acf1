package kqlcheck

import (
	"fmt"
	"sort"

	"github.com/secmcp/secmcp/internal/kql/catalog"
)

// ValidateTarget is Validate for a query that will run on target
// ("defender" or "sentinel"; "" is plain Validate): on top of c's report,
// every table and column the target product does not have, by the table
// catalogue, is an error — a Sentinel-only table on Advanced Hunting,
// MachineGroup or TimeGenerated where Advanced Hunting lacks them — each
// naming the table's products and reference page.
func (c *Checker) ValidateTarget(query, target string) (Report, error) {
	rep := c.Validate(query)
	if target == "" {
		return rep, nil
	}
	tc, err := ForTarget(target)
	if err != nil {
		return rep, err
	}
	type key struct {
		start, length int
		msg           string
	}
	seen := map[key]bool{}
	for _, d := range rep.Diagnostics {
		seen[key{d.Start, d.Length, d.Message}] = true
	}
	p := catalog.Product(target)
	var extra []Diagnostic
	for _, d := range tc.Validate(query).Diagnostics {
		if d.Severity != SeverityError || d.Kind != KindSchema || seen[key{d.Start, d.Length, d.Message}] {
			continue
		}
		if d.Start >= 0 && d.Start+d.Length <= len(query) {
			if t, ok := catalog.Lookup(query[d.Start : d.Start+d.Length]); ok && !t.In(p) {
				other := t.Native()
				d.Message = fmt.Sprintf("%s is not a table of %s: it is a %s table (%s)", t.Name,
					catalog.ProductName(p), catalog.ProductName(other), t.Form(other).Doc)
				d.Fix = nil
			}
		}
		extra = append(extra, d)
	}
	if len(extra) == 0 {
		return rep, nil
	}
	rep.Diagnostics = append(rep.Diagnostics, extra...)
	rep.Errors += len(extra)
	sort.SliceStable(rep.Diagnostics, func(i, j int) bool {
		a, b := rep.Diagnostics[i], rep.Diagnostics[j]
		if ea, eb := a.Severity == SeverityError, b.Severity == SeverityError; ea != eb {
			return ea
		}
		return a.Start < b.Start
	})
	return rep, nil
}
