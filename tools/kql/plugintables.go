package kql

import (
	"sort"
	"strings"

	"github.com/secmcp/secmcp/internal/kqlcheck"
)

// withPluginTables adds to a kql_list_tables result the custom tables the
// loaded plugins read (custom logs, workspace functions such as ASIM
// parsers): the built-in schema does not know their columns, but a model
// looking for a plugin's data should learn they exist and which tools read
// them. They match a search by name or by the reading tools' names.
func withPluginTables(res ListTablesResult, tables map[string][]string, p ListTablesParams) ListTablesResult {
	if len(tables) == 0 {
		return res
	}
	names := make([]string, 0, len(tables))
	for name := range tables {
		names = append(names, name)
	}
	sort.Strings(names)
	words := strings.Fields(strings.ToLower(p.Search))
	top := p.Top
	if top == 0 {
		top = 50
	}
	for _, name := range names {
		readers := tables[name]
		hay := strings.ToLower(name + " " + strings.Join(readers, " "))
		if !matchesAll(hay, words) {
			continue
		}
		res.Total++
		if len(res.Tables) >= top {
			continue
		}
		res.Tables = append(res.Tables, TableSummary{Name: name, Columns: []kqlcheck.Column{},
			About: "custom table or function read by plugin tools " + strings.Join(readers, ", ") + "; its columns are the workspace's own (not in the built-in schema)"})
	}
	if res.Note != "" && len(res.Tables) > 0 && strings.HasPrefix(res.Note, "no table matches") {
		res.Note = ""
	}
	return res
}

func matchesAll(hay string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}
