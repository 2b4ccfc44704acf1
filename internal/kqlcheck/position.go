package kqlcheck

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/secmcp/secmcp/internal/kql/schema"
	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// LineColumn converts a byte offset of src into a 1-based line and a 1-based
// column counted in characters. Offsets outside src are clamped.
func LineColumn(src string, offset int) (line, column int) {
	offset = max(0, min(offset, len(src)))
	before := src[:offset]
	line = strings.Count(before, "\n") + 1
	lineStart := strings.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCountInString(before[lineStart:]) + 1
}

func locate(src string, d syntax.Diagnostic) Diagnostic {
	line, col := LineColumn(src, d.Start)
	out := Diagnostic{Message: d.Message, Start: d.Start, Length: d.Length, Line: line, Column: col,
		Severity: d.Severity, Kind: d.Kind}
	if d.Fix != nil {
		f := *d.Fix
		out.Fix = &f
	}
	return out
}

// applyFixes returns src with every diagnostic's fix applied, skipping fixes
// that overlap an earlier one or fall outside src; "" when there is none.
func applyFixes(src string, ds []syntax.Diagnostic) string {
	fixes := usableFixes(src, ds)
	if len(fixes) == 0 {
		return ""
	}
	return applyEdits(src, fixes)
}

// timeFilterAdvice suggests a time filter for each table read whose event-time
// column the query never mentions: hunting tables are large, and both
// Advanced Hunting and Log Analytics answer faster and cheaper with one.
func timeFilterAdvice(script *syntax.Script, tables []string, s *schema.Schema) []string {
	if s == nil || len(tables) == 0 {
		return nil
	}
	type want struct{ table, col string }
	var wants []want
	for _, name := range tables {
		if t, ok := s.Table(name); ok && t.TimeColumn() != "" {
			wants = append(wants, want{name, t.TimeColumn()})
		}
	}
	if len(wants) == 0 {
		return nil
	}
	mentioned := make([]bool, len(wants))
	syntax.Inspect(script, func(n syntax.Node) bool {
		if id, ok := n.(*syntax.Ident); ok {
			for i, w := range wants {
				if w.col == id.Name {
					mentioned[i] = true
				}
			}
		}
		return true
	})
	var out []string
	for i, w := range wants {
		if !mentioned[i] {
			out = append(out, fmt.Sprintf("%s is read without a time filter; add `| where %s > ago(7d)` right after the table name so less data is scanned", w.table, w.col))
		}
	}
	return out
}
