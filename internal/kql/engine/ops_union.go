package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

func (r *runner) opUnion(x *syntax.UnionOp, input *Table, sc *scope) (*Table, error) {
	var tables []*Table
	var names []string
	if input != nil {
		tables, names = append(tables, input), append(names, input.name)
	}
	withSource, kindInner, fuzzy := "", false, false
	for _, p := range x.Params {
		v := paramText(p)
		switch strings.ToLower(p.Name) {
		case "withsource":
			withSource = v
		case "kind":
			kindInner = strings.EqualFold(v, "inner")
		case "isfuzzy":
			fuzzy = strings.EqualFold(v, "true")
		}
	}
	ts, ns, err := r.tableArgs(x.Tables, sc, fuzzy, func(i int, _ *Table) string { return fmt.Sprintf("union_arg%d", i) })
	if err != nil {
		return nil, err
	}
	tables, names = append(tables, ts...), append(names, ns...)
	if len(tables) == 0 {
		return nil, fmt.Errorf("engine: union has no tables: %w", ErrUnknownTable)
	}
	if kindInner {
		tables = innerColumns(tables)
	}
	return r.unionTables(tables, names, withSource)
}

func paramText(p *syntax.OpParam) string {
	switch v := p.Value.(type) {
	case *syntax.Ident:
		return v.Name
	case *syntax.Literal:
		return fmt.Sprint(v.Value)
	}
	return ""
}

// innerColumns restricts every table to the columns all of them share.
func innerColumns(ts []*Table) []*Table {
	count := map[string]int{}
	for _, t := range ts {
		for _, c := range t.cols {
			count[c]++
		}
	}
	out := make([]*Table, len(ts))
	for i, t := range ts {
		var cols []string
		var data []*vec
		for j, c := range t.cols {
			if count[c] == len(ts) {
				cols, data = append(cols, c), append(data, t.data[j])
			}
		}
		out[i] = newTable(t.name, cols, data, t.n)
	}
	return out
}

// unionTables concatenates tables by column name; a name with different
// types in different tables becomes one column per type (name_type).
func unionTables(ts []*Table, names []string, withSource string) (*Table, error) {
	kindsOf := map[string][]kind{}
	var order []string
	for _, t := range ts {
		for j, c := range t.cols {
			ks, seen := kindsOf[c]
			if !seen {
				order = append(order, c)
			}
			k := t.data[j].k
			if !containsKind(ks, k) {
				kindsOf[c] = append(ks, k)
			}
		}
	}
	total := 0
	for _, t := range ts {
		total += t.n
	}
	var outCols []string
	var outData []*vec
	if withSource != "" {
		b := newBuilder(kString, total)
		for i, t := range ts {
			for j := 0; j < t.n; j++ {
				b.add(strV(names[i]))
			}
		}
		outCols, outData = append(outCols, withSource), append(outData, b.build())
	}
	for _, c := range order {
		for _, k := range kindsOf[c] {
			name := c
			if len(kindsOf[c]) > 1 {
				name = c + "_" + k.String()
			}
			parts := make([]*vec, len(ts))
			for i, t := range ts {
				if j := t.colIndex(c); j >= 0 && t.data[j].k == k {
					parts[i] = t.data[j]
				} else {
					parts[i] = nullVec(k, t.n)
				}
			}
			outCols, outData = append(outCols, name), append(outData, concatVecs(k, parts))
		}
	}
	out := newTable("", outCols, outData, total)
	if len(ts) == 1 {
		out.name = ts[0].name
	}
	return out, nil
}

func containsKind(ks []kind, k kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// tableArgs resolves the table list of union, search and find: wildcards
// match catalog tables, other expressions are evaluated. A table named by
// an identifier keeps that name; anon names the others (by list position).
// With fuzzy, unknown tables are skipped.
func (r *runner) tableArgs(exprs []syntax.Expr, sc *scope, fuzzy bool, anon func(int, *Table) string) ([]*Table, []string, error) {
	var tables []*Table
	var names []string
	for i, e := range exprs {
		id, isID := e.(*syntax.Ident)
		if isID && strings.Contains(id.Name, "*") {
			ts, ns := r.matchTables(id.Name)
			tables, names = append(tables, ts...), append(names, ns...)
			continue
		}
		t, err := r.evalTabular(e, sc)
		if err != nil {
			if fuzzy && errors.Is(err, ErrUnknownTable) {
				continue
			}
			return nil, nil, err
		}
		name := anon(i, t)
		if isID {
			name = id.Name
		}
		tables, names = append(tables, t), append(names, name)
	}
	return tables, names, nil
}

// sourceTables is what search and find look in: the piped table, else the
// listed tables, else every catalog table.
func (r *runner) sourceTables(input *Table, exprs []syntax.Expr, sc *scope) ([]*Table, []string, error) {
	if input != nil {
		return []*Table{input}, []string{input.name}, nil
	}
	if len(exprs) > 0 {
		return r.tableArgs(exprs, sc, false, func(_ int, t *Table) string { return t.name })
	}
	var tables []*Table
	var names []string
	for _, n := range r.cat.TableNames() {
		if t, ok := r.cat.Table(n); ok {
			tables, names = append(tables, t), append(names, n)
		}
	}
	return tables, names, nil
}

// unionTables is unionTables refused before it allocates a result the
// query's budget cannot hold (a union of many copies of a large table).
func (r *runner) unionTables(ts []*Table, names []string, withSource string) (*Table, error) {
	rows, cols := int64(0), map[string]bool{}
	for _, t := range ts {
		rows += int64(t.n)
		for _, c := range t.cols {
			cols[c] = true
		}
	}
	if err := r.m.needRows("union", rows, int64(len(cols)+1), 8); err != nil {
		return nil, err
	}
	return unionTables(ts, names, withSource)
}
