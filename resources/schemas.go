package resources

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"sync"
)

// SchemaColumn is one column of a table schema.
type SchemaColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// AddTableSchemas serves the KQL table schemas: secmcp://schemas/tables
// lists the tables with their column counts, and
// secmcp://schemas/tables/{name} gives one table's columns and types.
func (s *Server) AddTableSchemas(tables map[string][]SchemaColumn) {
	s.AddTableSchemasLazy(func() map[string][]SchemaColumn { return tables })
}

// AddTableSchemasLazy is AddTableSchemas with the schemas built by load on
// the first read of either resource (once, safely under concurrency), so
// start-up does not pay for tables a session may never read (issue 16).
func (s *Server) AddTableSchemasLazy(load func() map[string][]SchemaColumn) {
	get := sync.OnceValues(func() (map[string][]SchemaColumn, []string) {
		tables := load()
		names := make([]string, 0, len(tables))
		for n := range tables {
			names = append(names, n)
		}
		sort.Strings(names)
		return tables, names
	})
	s.AddStatic(Static{
		URI: Scheme + "://schemas/tables", Name: "KQL table schemas", MIMEType: "application/json",
		Description: "The Advanced Hunting and Sentinel tables this server knows, with their column counts.",
		Read: func(context.Context) (string, error) {
			type entry struct {
				Name    string `json:"name"`
				Columns int    `json:"columns"`
				URI     string `json:"uri"`
			}
			tables, names := get()
			out := make([]entry, 0, len(names))
			for _, n := range names {
				out = append(out, entry{n, len(tables[n]), Scheme + "://schemas/tables/" + EscapeID(n)})
			}
			b, err := json.MarshalIndent(out, "", "  ")
			return string(b), err
		},
	})
	s.AddStaticTemplate(StaticTemplate{
		URITemplate: Scheme + "://schemas/tables/{name}", Prefix: Scheme + "://schemas/tables/",
		Name: "KQL table schema", MIMEType: "application/json",
		Description: "One table's columns and KQL types.",
		Read: func(_ context.Context, rest string) (string, error) {
			name, err := url.PathUnescape(rest)
			if err != nil {
				return "", fmt.Errorf("bad table name %q: %v", rest, err)
			}
			tables, _ := get()
			cols, ok := tables[name]
			if !ok {
				return "", fmt.Errorf("no table %q; read %s://schemas/tables for the list", name, Scheme)
			}
			b, err := json.MarshalIndent(map[string]any{"table": name, "columns": cols}, "", "  ")
			return string(b), err
		},
	})
}
