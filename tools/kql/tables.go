package kql

import (
	"context"
	"fmt"
	"github.com/secmcp/secmcp/internal/kql/catalog"
	"sort"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/schema"
	"github.com/secmcp/secmcp/internal/kqlcheck"
	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// ListTablesParams searches the table catalogue.
type ListTablesParams struct {
	Search string `json:"search,omitempty" maxLength:"200" jsonschema:"Words to find in table and column names and descriptions, e.g. 'sign-ins', 'process creation'. Omit to list every table."`
	Top    int    `json:"top,omitempty" minimum:"1" maximum:"100" jsonschema:"Most tables to return (default 10 with search, 100 without)."`
	Target string `json:"target,omitempty" enum:"defender,sentinel" jsonschema:"Only the tables this product has, with its columns and time column: defender (Advanced Hunting) or sentinel (Log Analytics)."`
}

// TableSummary is one table with a trimmed column list.
type TableSummary struct {
	Name           string            `json:"name"`
	About          string            `json:"about,omitempty"`
	Platform       string            `json:"platform,omitempty" enum:"defender,sentinel" jsonschema:"where the table lives natively: defender (Advanced Hunting) or sentinel (Log Analytics)"`
	Products       []string          `json:"products,omitempty" jsonschema:"the products that have the table: defender (Advanced Hunting), sentinel (Log Analytics)"`
	TimeColumn     string            `json:"timeColumn,omitempty" jsonschema:"the event-time column to filter on (none for snapshot tables such as DeviceTvm* in Advanced Hunting)"`
	TimeColumns    map[string]string `json:"timeColumns,omitempty" jsonschema:"the time column in each product that has the table (empty: none)"`
	Docs           []string          `json:"docs,omitempty" jsonschema:"Microsoft's reference page of the table in each product"`
	ColumnCount    int               `json:"columnCount"`
	Columns        []kqlcheck.Column `json:"columns" jsonschema:"matching columns first, then the others, trimmed; the schema resource has them all"`
	MatchedColumns []string          `json:"matchedColumns,omitempty"`
	Schema         string            `json:"schema" jsonschema:"resource URI of the table's full schema"`
}

// ListTablesResult is the matching tables, best first.
type ListTablesResult struct {
	Search  string          `json:"search,omitempty"`
	Total   int             `json:"total" jsonschema:"tables that match (before top)"`
	Tables  []TableSummary  `json:"tables"`
	Note    string          `json:"note,omitempty"`
	Sources []resources.Ref `json:"sources"`
}

// Text lists the tables.
func (r ListTablesResult) Text() string {
	var b strings.Builder
	if r.Search != "" {
		fmt.Fprintf(&b, "%s %s %s", text.Count(int64(r.Total), "table"), text.Verb(int64(r.Total), "matches", "match"), text.Quote(r.Search))
	} else {
		fmt.Fprintf(&b, "%s", text.Count(int64(r.Total), "table"))
	}
	if len(r.Tables) < r.Total {
		fmt.Fprintf(&b, "; the best %d", len(r.Tables))
	}
	b.WriteString(":\n")
	for _, t := range r.Tables {
		fmt.Fprintf(&b, "- %s (%s, %d columns", t.Name, orDash(strings.Join(t.Products, "+")), t.ColumnCount)
		if t.TimeColumn != "" {
			fmt.Fprintf(&b, ", time column %s", t.TimeColumn)
		} else if len(t.Products) > 0 {
			b.WriteString(", no time column")
		}
		b.WriteString(")")
		if t.About != "" {
			b.WriteString(": " + t.About)
		}
		names := make([]string, len(t.Columns))
		for i, c := range t.Columns {
			names[i] = c.Name
		}
		fmt.Fprintf(&b, "\n  columns: %s", strings.Join(names, ", "))
		if len(t.Columns) < t.ColumnCount {
			fmt.Fprintf(&b, ", … (all in %s)", t.Schema)
		}
		b.WriteByte('\n')
	}
	if r.Note != "" {
		b.WriteString(r.Note + "\n")
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Column budgets per table: enough to write a query, small enough that a
// listing of every table stays a few KiB per table.
const (
	columnsWithSearch    = 30
	columnsWithoutSearch = 12
)

func (ts *toolset) listTablesTool() tools.Spec {
	return tools.New(tools.ToolsetKQL, "kql_list_tables",
		"Find Advanced Hunting and Sentinel tables by table name, column name or meaning ('sign-ins', 'process creation'): each table's purpose, products, time column (none for snapshots such as DeviceTvm*), columns (trimmed), reference pages and schema resource URI; target lists one product's tables as it has them.",
		func(_ context.Context, _ tools.Call, p ListTablesParams) (ListTablesResult, error) {
			chk, err := ts.targetChecker(p.Target)
			if err != nil {
				return ListTablesResult{}, err
			}
			s := chk.Schema()
			if s == nil {
				s = kqlcheck.BuiltinSchema()
			}
			return withPluginTables(listTables(s, p), ts.d.PluginTables, p), nil
		}, tools.NoTenant(), tools.WithTitle("List KQL tables"))
}

func listTables(s *schema.Schema, p ListTablesParams) ListTablesResult {
	q := newSearch(p.Search)
	top := p.Top
	if top == 0 {
		top = 100 // the whole catalogue (55 tables)
		if !q.empty() {
			top = 10
		}
	}
	type hit struct {
		t       *schema.Table
		score   int
		matched []string
	}
	var hits []hit
	for _, name := range s.TableNames() {
		t, _ := s.Table(name)
		score, matched := q.score(t, infoOf(name))
		if q.empty() || score > 0 {
			hits = append(hits, hit{t, score, matched})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].score != hits[j].score {
			return hits[i].score > hits[j].score
		}
		return len(hits[i].t.Name) < len(hits[j].t.Name)
	})
	res := ListTablesResult{Search: p.Search, Total: len(hits), Tables: []TableSummary{}}
	budget := columnsWithoutSearch
	if !q.empty() {
		budget = columnsWithSearch
	}
	// When the tables asked for do not fit the reply with the column
	// budget, fewer columns per table are shown (each table still names
	// its column count and schema resource) before tables are left out.
	n := 0
	for ; ; budget /= 2 {
		res.Tables = res.Tables[:0]
		for _, h := range hits[:min(top, len(hits))] {
			res.Tables = append(res.Tables, summarize(h.t, h.matched, q.exact, budget))
		}
		if n = tools.FitBytes(res.Tables, tools.MaxBytes); n == len(res.Tables) || budget <= 3 {
			break
		}
	}
	res.Tables = res.Tables[:n]
	switch {
	case res.Total == 0:
		res.Note = "no table matches; try a shorter word (e.g. 'logon', 'file', 'alert') or omit search to list every table"
	case len(res.Tables) < res.Total:
		more := int64(res.Total - len(res.Tables))
		res.Note = fmt.Sprintf("%s %s; raise top or narrow the search", text.Count(more, "more table"), text.Verb(more, "matches", "match"))
	}
	names := make([]string, len(res.Tables))
	for i, t := range res.Tables {
		names[i] = t.Name
	}
	res.Sources = append([]resources.Ref{{URI: resources.Scheme + "://schemas/tables"}}, schemaRefs(names)...)
	return res
}

func summarize(t *schema.Table, matched []string, exactColumn map[string]bool, budget int) TableSummary {
	info := infoOf(t.Name)
	out := TableSummary{Name: t.Name, About: info.about, Platform: info.platform, TimeColumn: t.TimeColumn(),
		ColumnCount: len(t.Columns), Columns: []kqlcheck.Column{}, MatchedColumns: matched, Schema: schemaURI(t.Name)}
	if ct, ok := catalog.Lookup(t.Name); ok {
		out.Docs, out.TimeColumns = ct.Docs(), map[string]string{}
		for _, p := range ct.Products() {
			out.Products = append(out.Products, string(p))
			out.TimeColumns[string(p)] = ct.Form(p).TimeColumn
		}
	}
	seen := map[string]bool{}
	add := func(name string) {
		if c, ok := t.Column(name); ok && !seen[name] && len(out.Columns) < budget {
			seen[name] = true
			out.Columns = append(out.Columns, kqlcheck.Column{Name: c.Name, Type: c.Type})
		}
	}
	// Columns named exactly by the search come first; partial matches (a
	// word inside a longer name) only in MatchedColumns, so a search by
	// meaning keeps the table's leading columns in view.
	for _, m := range matched {
		if exactColumn[strings.ToLower(m)] {
			add(m)
		}
	}
	for _, c := range t.Columns {
		add(c.Name)
	}
	return out
}
