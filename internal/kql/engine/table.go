package engine

import (
	"fmt"
	"sort"
	"strings"
)

// Column describes a table column: its name and KQL type name ("string",
// "long", "datetime", ...). It has the same fields as fixtures.Column, so a
// fixtures column converts with engine.Column(c).
type Column struct {
	Name string
	Type string
}

// Table is an immutable in-memory columnar table.
type Table struct {
	name string
	cols []string
	data []*vec
	n    int
	// Render is the chart kind of a trailing `render` operator ("" if none);
	// the engine does not draw, it passes the data through.
	render string
}

// FromRows builds a columnar table from rows of Go cells. Cells use the
// fixtures' Go types: string, time.Time, int64/int, float64, bool,
// time.Duration, map[string]any / []any (dynamic), nil (null). Guids are
// strings. A cell whose Go type does not fit its column is an error.
func FromRows(name string, cols []Column, rows [][]any) (*Table, error) {
	kinds := make([]kind, len(cols))
	names := make([]string, len(cols))
	builders := make([]*builder, len(cols))
	for j, c := range cols {
		k, ok := parseKind(c.Type)
		if !ok {
			return nil, fmt.Errorf("engine: table %s column %s: unknown type %q", name, c.Name, c.Type)
		}
		kinds[j], names[j] = k, c.Name
		builders[j] = newBuilder(k, len(rows))
	}
	for r, row := range rows {
		if len(row) != len(cols) {
			return nil, fmt.Errorf("engine: table %s row %d: %d cells for %d columns", name, r, len(row), len(cols))
		}
		for j, cell := range row {
			v, ok := fromGo(cell, kinds[j])
			if !ok {
				return nil, fmt.Errorf("engine: table %s row %d column %s: cannot store %T as %s", name, r, names[j], cell, kinds[j])
			}
			builders[j].add(v)
		}
	}
	t := &Table{name: name, cols: names, n: len(rows), data: make([]*vec, len(cols))}
	for j, b := range builders {
		v := b.build()
		if v.k != kinds[j] { // a column of only nulls keeps its declared type
			v = nullVec(kinds[j], len(rows)).materialize()
		}
		t.data[j] = v
	}
	return t, nil
}

// Name is the table's name ("" for a computed result).
func (t *Table) Name() string { return t.name }

// NumRows is the number of rows.
func (t *Table) NumRows() int { return t.n }

// Columns returns the table's schema.
func (t *Table) Columns() []Column {
	out := make([]Column, len(t.cols))
	for j, c := range t.cols {
		out[j] = Column{Name: c, Type: t.data[j].k.String()}
	}
	return out
}

// RenderKind is the visualization a trailing `render` asked for ("" if none).
func (t *Table) RenderKind() string { return t.render }

// Rows returns the table's cells as Go values (the types FromRows accepts;
// guids as strings, int and long as int64).
func (t *Table) Rows() [][]any {
	rows := make([][]any, t.n)
	for i := range rows {
		row := make([]any, len(t.data))
		for j, v := range t.data {
			row[j] = toGo(v.get(i))
		}
		rows[i] = row
	}
	return rows
}

// colIndex finds a column by exact name, then case-insensitively if unique.
func (t *Table) colIndex(name string) int {
	for j, c := range t.cols {
		if c == name {
			return j
		}
	}
	return -1
}

// col returns the named column with any lazy gather performed.
func (t *Table) col(name string) *vec {
	if j := t.colIndex(name); j >= 0 {
		return t.data[j].force()
	}
	return nil
}

// newTable assembles a table; constant vecs are kept (they broadcast).
func newTable(name string, cols []string, data []*vec, n int) *Table {
	return &Table{name: name, cols: cols, data: data, n: n}
}

// take gathers rows idx into a new table.
func (t *Table) take(idx []int32) *Table {
	data := make([]*vec, len(t.data))
	for j, v := range t.data {
		data[j] = v.take(idx)
	}
	return &Table{name: t.name, cols: t.cols, data: data, n: len(idx)}
}

// slice returns rows [lo, hi).
func (t *Table) slice(lo, hi int) *Table {
	if lo == 0 && hi == t.n {
		return t
	}
	idx := make([]int32, hi-lo)
	for i := range idx {
		idx[i] = int32(lo + i)
	}
	return t.take(idx)
}

// withColumn returns a copy of t with column name set (replaced in place or appended).
func (t *Table) withColumn(name string, v *vec) *Table {
	cols := append([]string(nil), t.cols...)
	data := append([]*vec(nil), t.data...)
	if j := t.colIndex(name); j >= 0 {
		data[j] = v
	} else {
		cols = append(cols, name)
		data = append(data, v)
	}
	return &Table{name: t.name, cols: cols, data: data, n: t.n}
}

// Catalog resolves table names for a query.
type Catalog interface {
	// Table returns the named table, or ok false.
	Table(name string) (*Table, bool)
	// TableNames lists the tables (for union wildcards and search).
	TableNames() []string
}

// MapCatalog is a Catalog backed by a map from table name to table.
type MapCatalog map[string]*Table

// Table implements Catalog.
func (m MapCatalog) Table(name string) (*Table, bool) {
	t, ok := m[name]
	return t, ok
}

// TableNames implements Catalog, sorted.
func (m MapCatalog) TableNames() []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// String renders a small table as text (for tests and debugging).
func (t *Table) String() string {
	var b strings.Builder
	b.WriteString(strings.Join(t.cols, " | "))
	for i := 0; i < t.n; i++ {
		b.WriteByte('\n')
		for j, v := range t.data {
			if j > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(toStringValue(v.get(i)))
		}
	}
	return b.String()
}
