package kqlcheck

import (
	"sort"
	"strconv"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/analyze"
	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// maxFixPasses bounds how often Validate re-checks a query with its fixes
// applied; each pass can only reveal names hidden behind a previous fix.
const maxFixPasses = 4

// hiddenDiagnostics finds the schema problems a first check cannot see: the
// analyzer does not know the columns of a misspelled table, so a misspelled
// column after it is reported only once the table's name is fixed. It
// re-checks src with the fixes of diags applied, pass after pass, and
// returns the new diagnostics mapped back to offsets in src, so that every
// did-you-mean fix is reported (and applied in FixedQuery) in one call.
func (c *Checker) hiddenDiagnostics(src string, diags []syntax.Diagnostic) []syntax.Diagnostic {
	if c.schema == nil {
		return nil
	}
	var found []syntax.Diagnostic
	seen := map[string]bool{}
	for _, d := range diags {
		seen[diagKey(d)] = true
	}
	all := append([]syntax.Diagnostic(nil), diags...)
	for pass := 0; pass < maxFixPasses; pass++ {
		fixes := usableFixes(src, all)
		if len(fixes) == 0 {
			break
		}
		_, res := analyze.Check(applyEdits(src, fixes), analyze.Options{Schema: c.schema})
		added := 0
		for _, d := range res.Diagnostics {
			if d.Kind != KindSchema {
				continue
			}
			m, ok := mapBack(fixes, d)
			if !ok || seen[diagKey(m)] {
				continue
			}
			seen[diagKey(m)] = true
			found, all = append(found, m), append(all, m)
			added++
		}
		if added == 0 {
			break
		}
	}
	return found
}

func diagKey(d syntax.Diagnostic) string {
	return d.Kind + "\x00" + d.Message + "\x00" + strconv.Itoa(d.Start)
}

// mapBack moves a diagnostic of the fixed text (and its fix) to offsets of
// the original text; false when it lies inside a replaced span.
func mapBack(fixes []syntax.Fix, d syntax.Diagnostic) (syntax.Diagnostic, bool) {
	start, ok := originalOffset(fixes, d.Start, d.Length)
	if !ok {
		return d, false
	}
	d.Start = start
	if d.Fix != nil {
		f := *d.Fix
		if f.Start, ok = originalOffset(fixes, f.Start, f.Length); !ok {
			return d, false
		}
		d.Fix = &f
	}
	return d, true
}

// originalOffset maps the span [p, p+n) of the text produced by applying
// fixes (sorted, non-overlapping) back to the original text.
func originalOffset(fixes []syntax.Fix, p, n int) (int, bool) {
	delta := 0
	for _, f := range fixes {
		newStart := f.Start + delta
		newEnd := newStart + len(f.Replacement)
		if p+n <= newStart {
			break
		}
		if p < newEnd {
			return 0, false
		}
		delta += len(f.Replacement) - f.Length
	}
	return p - delta, true
}

// usableFixes are the fixes of ds that fit in src, sorted by position, with
// any fix that overlaps an earlier one left out.
func usableFixes(src string, ds []syntax.Diagnostic) []syntax.Fix {
	var fixes []syntax.Fix
	for _, d := range ds {
		if d.Fix != nil && d.Fix.Start >= 0 && d.Fix.Length >= 0 && d.Fix.Start+d.Fix.Length <= len(src) {
			fixes = append(fixes, *d.Fix)
		}
	}
	sort.SliceStable(fixes, func(i, j int) bool { return fixes[i].Start < fixes[j].Start })
	out := fixes[:0]
	at := 0
	for _, f := range fixes {
		if f.Start < at {
			continue
		}
		out = append(out, f)
		at = f.Start + f.Length
	}
	return out
}

// applyEdits applies sorted, non-overlapping fixes to src.
func applyEdits(src string, fixes []syntax.Fix) string {
	var b strings.Builder
	at := 0
	for _, f := range fixes {
		b.WriteString(src[at:f.Start])
		b.WriteString(f.Replacement)
		at = f.Start + f.Length
	}
	b.WriteString(src[at:])
	return b.String()
}
