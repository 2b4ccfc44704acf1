package analyze

import (
	"sync"

	"github.com/secmcp/secmcp/internal/kql/schema"
)

// tableColumns caches each schema table's columns as analyzer Columns, so a
// table reference (once per kql_validate call) shares one slice instead of
// copying every column. Tables are immutable once added to a schema.
var tableColumns sync.Map // *schema.Table → []Column

// tableRow returns the row type of table t: it shares the cached columns
// (shared set), so set and remove copy them before changing anything, and
// the slice's capacity is its length, so an append always copies too.
func tableRow(t *schema.Table) *RowType {
	cols, ok := tableColumns.Load(t)
	if !ok {
		cs := make([]Column, len(t.Columns))
		for i, c := range t.Columns {
			cs[i] = Column{Name: c.Name, Type: c.Type}
		}
		cols, _ = tableColumns.LoadOrStore(t, cs)
	}
	cs := cols.([]Column)
	return &RowType{Columns: cs[:len(cs):len(cs)], shared: true}
}

// own gives r its own copy of the columns before an in-place change.
func (r *RowType) own() {
	if r.shared {
		r.Columns = append([]Column(nil), r.Columns...)
		r.shared = false
	}
}
