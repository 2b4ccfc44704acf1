package kqlcheck

import (
	"github.com/secmcp/secmcp/internal/kql/catalog"
	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// deprecatedTables returns one warning per deprecated catalogue table the
// query reads (tables, as the analyzer found them), at the table's first
// mention outside strings and comments. A deprecated table is still valid —
// Microsoft kept it queryable next to its replacement — so this is a
// warning naming the replacement, its date and its page; no fix is offered
// because the replacement's columns differ (AadDeviceId became
// EntraIdDeviceId, for one).
func deprecatedTables(src string, tables []string) []syntax.Diagnostic {
	var out []syntax.Diagnostic
	for _, name := range tables {
		t, ok := catalog.Lookup(name)
		if !ok || t.Deprecated == nil {
			continue
		}
		start := identOffset(src, name)
		if start < 0 {
			continue
		}
		out = append(out, syntax.Diagnostic{Message: t.Deprecated.Message(name), Start: start, Length: len(name),
			Severity: SeverityWarning, Kind: KindSchema})
	}
	return out
}

// identOffset is the byte offset of the first occurrence of name as a whole
// identifier outside string literals and // comments, or -1.
func identOffset(src, name string) int {
	isIdent := func(b byte) bool {
		return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
	}
	for i := 0; i < len(src); i++ {
		switch c := src[i]; {
		case c == '"' || c == '\'':
			for i++; i < len(src) && src[i] != c; i++ {
				if src[i] == '\\' {
					i++
				}
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case isIdent(c) && (i == 0 || !isIdent(src[i-1])):
			j := i
			for j < len(src) && isIdent(src[j]) {
				j++
			}
			if src[i:j] == name {
				return i
			}
			i = j - 1
		}
	}
	return -1
}
