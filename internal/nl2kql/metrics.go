package nl2kql

import (
	"github.com/secmcp/secmcp/internal/kql/schema"
	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// FilterColumns returns the columns of the given tables that a query's
// where clauses mention (the "filter columns" of the evaluation): every
// identifier inside a where predicate that names a column of one of
// tables. Nil when the query does not parse.
func FilterColumns(s *schema.Schema, query string, tables []string) map[string]bool {
	script, diags := syntax.Parse(query)
	if syntax.HasErrors(diags) {
		return nil
	}
	known := map[string]bool{}
	for _, tn := range tables {
		if t, ok := s.Table(tn); ok {
			for _, c := range t.Columns {
				known[c.Name] = true
			}
		}
	}
	out := map[string]bool{}
	syntax.Inspect(script, func(n syntax.Node) bool {
		w, ok := n.(*syntax.WhereOp)
		if !ok {
			return true
		}
		syntax.Inspect(w, func(m syntax.Node) bool {
			if id, ok := m.(*syntax.Ident); ok && known[id.Name] {
				out[id.Name] = true
			}
			return true
		})
		return true
	})
	return out
}

// Jaccard is |a∩b| / |a∪b|, 1 when both are empty.
func Jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	inter := 0
	for k := range a {
		if b[k] {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}
