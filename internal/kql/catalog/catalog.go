// Package catalog is the server's one table catalogue: every built-in
// Defender XDR Advanced Hunting and Sentinel / Log Analytics table, the
// product that carries it (one or both), its real time column in each
// product (Timestamp in Advanced Hunting, TimeGenerated in Log Analytics,
// none for the DeviceTvm* snapshots and the Exposure graph in Advanced
// Hunting), the reference page it was checked against, and its columns with
// their types in each product.
//
// The KQL generator (internal/nl2kql), the analyzer behind kql_validate and
// the guard (through internal/kqlcheck), kql_list_tables and the demo
// tenants all read it. Schema(Defender) and Schema(Sentinel) are the
// single-product schemas a query is checked against when its target is
// known; Schema("") is the union the demo data carries.
package catalog

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/secmcp/secmcp/internal/kql/schema"
)

// Product is where a table can be queried.
type Product string

// The products.
const (
	// Defender is Microsoft Defender XDR Advanced Hunting.
	Defender Product = "defender"
	// Sentinel is a Microsoft Sentinel / Log Analytics workspace.
	Sentinel Product = "sentinel"
)

// Form is a table as one product has it.
type Form struct {
	Product Product
	// Doc is the table's reference page for this product.
	Doc string
	// TimeColumn is the event-time column, "" when the table has none here.
	TimeColumn string
	Columns    []schema.Column
}

// Table is one catalogue entry.
type Table struct {
	Name string
	// About says in one sentence what a row is.
	About string
	// Defender and Sentinel are the table's forms; nil where the product
	// does not have the table.
	Defender, Sentinel *Form
	// Union is every column of both forms (on a type conflict the union's
	// type, see columns_part*.go); the demo data carries these.
	Union []schema.Column
	// Deprecated is set when Microsoft replaced the table by another.
	Deprecated *Deprecation
}

// Deprecation says when a table was replaced and by which one.
type Deprecation struct {
	// Since is the documented replacement date (YYYY-MM-DD).
	Since string
	// ReplacedBy is the table to use instead.
	ReplacedBy string
	// Doc is the page announcing the replacement.
	Doc string
}

// Message is one sentence for people: the table, the date, the replacement
// and the page.
func (d *Deprecation) Message(table string) string {
	return fmt.Sprintf("%s is deprecated: Microsoft replaced it by %s on %s; read %s instead (%s)",
		table, d.ReplacedBy, d.Since, d.ReplacedBy, d.Doc)
}

// Current returns the name to use for table: its replacement when the
// table is deprecated and the replacement is catalogued, else table.
func Current(table string) string {
	if t, ok := Lookup(table); ok && t.Deprecated != nil {
		if _, ok := Lookup(t.Deprecated.ReplacedBy); ok {
			return t.Deprecated.ReplacedBy
		}
	}
	return table
}

// In reports whether product p has the table.
func (t *Table) In(p Product) bool { return t.Form(p) != nil }

// Form returns the table's form in p (nil when p lacks it). An empty p
// returns the native form: Advanced Hunting's when it has the table.
func (t *Table) Form(p Product) *Form {
	switch p {
	case Defender:
		return t.Defender
	case Sentinel:
		return t.Sentinel
	case "":
		if t.Defender != nil {
			return t.Defender
		}
		return t.Sentinel
	}
	return nil
}

// Native is the product the table belongs to first: Defender when Advanced
// Hunting has it (the Sentinel form of such a table is the Defender XDR
// connector's copy), else Sentinel.
func (t *Table) Native() Product { return t.Form("").Product }

// Products lists the products that have the table.
func (t *Table) Products() []Product {
	var out []Product
	for _, p := range []Product{Defender, Sentinel} {
		if t.In(p) {
			out = append(out, p)
		}
	}
	return out
}

// Docs lists the table's reference pages, Advanced Hunting's first.
func (t *Table) Docs() []string {
	var out []string
	for _, p := range t.Products() {
		out = append(out, t.Form(p).Doc)
	}
	return out
}

// ProductName names a product for people.
func ProductName(p Product) string {
	switch p {
	case Defender:
		return "Defender XDR Advanced Hunting"
	case Sentinel:
		return "Sentinel / Log Analytics"
	}
	return "Defender XDR Advanced Hunting and Sentinel / Log Analytics"
}

// ParseProduct reads "defender" or "sentinel" ("" stays "": either).
func ParseProduct(s string) (Product, error) {
	switch p := Product(strings.ToLower(strings.TrimSpace(s))); p {
	case "", Defender, Sentinel:
		return p, nil
	}
	return "", fmt.Errorf("catalog: unknown product %q (use defender or sentinel)", s)
}

var (
	loadOnce sync.Once
	tables   map[string]*Table
	schemas  map[Product]*schema.Schema
	loadErr  error
)

// Replacements maps each deprecated table to the table that replaced it.
// Unlike Lookup it does not load the catalogue (the map is static; load
// checks that both tables of every entry exist), so package initialisers
// can call it without building every table at start-up (issue 16).
func Replacements() map[string]string {
	out := make(map[string]string, len(deprecations))
	for name, d := range deprecations {
		out[name] = d.ReplacedBy
	}
	return out
}

// Lookup returns the catalogue entry of a table (exact name).
func Lookup(name string) (*Table, bool) {
	loadOnce.Do(load)
	t, ok := tables[name]
	return t, ok
}

// Names returns every table name, sorted.
func Names() []string {
	loadOnce.Do(load)
	out := make([]string, 0, len(tables))
	for n := range tables {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Schema returns the tables product p has, with p's columns and time
// columns; "" returns the union of both products, each table with its
// native time column. The schemas are built once and shared: callers must
// not add tables to them.
func Schema(p Product) *schema.Schema {
	loadOnce.Do(load)
	return schemas[p]
}

// Err reports a broken catalogue (nil unless its data is inconsistent; the
// tests keep it nil).
func Err() error {
	loadOnce.Do(load)
	return loadErr
}

// docURL is a table's reference page in product p.
func docURL(p Product, table string) string {
	if p == Defender {
		return "https://learn.microsoft.com/en-us/defender-xdr/advanced-hunting-" + strings.ToLower(table) + "-table"
	}
	return "https://learn.microsoft.com/en-us/azure/azure-monitor/reference/tables/" + strings.ToLower(table)
}
