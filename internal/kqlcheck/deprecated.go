package kqlcheck

import (
	"github.com/secmcp/secmcp/internal/kql/catalog"
	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// deprecatedTables returns one warning per deprecated catalogue table the
// query reads (tables, as the analyzer found them), at the table's first
// mention as an identifier in script (the parsed query, so strings and
// comments do not count). A deprecated table is still valid —
// Microsoft kept it queryable next to its replacement — so this is a
// warning naming the replacement, its date and its page; no fix is offered
// because the replacement's columns differ (AadDeviceId became
// EntraIdDeviceId, for one).
func deprecatedTables(script *syntax.Script, tables []string) []syntax.Diagnostic {
	var out []syntax.Diagnostic
	for _, name := range tables {
		t, ok := catalog.Lookup(name)
		if !ok || t.Deprecated == nil {
			continue
		}
		at, ok := firstIdent(script, name)
		if !ok {
			continue
		}
		out = append(out, syntax.Diagnostic{Message: t.Deprecated.Message(name), Start: at.Start, Length: at.End - at.Start,
			Severity: SeverityWarning, Kind: KindSchema})
	}
	return out
}

// firstIdent is the span of the first identifier called name in script.
func firstIdent(script *syntax.Script, name string) (syntax.Span, bool) {
	var at syntax.Span
	found := false
	syntax.Inspect(script, func(n syntax.Node) bool {
		if id, ok := n.(*syntax.Ident); ok && id.Name == name && (!found || id.Start < at.Start) {
			at, found = id.Span, true
		}
		return true
	})
	return at, found
}
