package engine

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// opFind implements find [withsource=C] [in (Tables)] where Pred [project Cols].
// A column the predicate or projection names but a table lacks is null in
// that table. Without project, the output holds the source column, the
// columns every table shares, and pack_ with each row's other non-empty cells.
func (r *runner) opFind(x *syntax.FindOp, input *Table, sc *scope) (*Table, error) {
	tables, names, err := r.sourceTables(input, x.Tables, sc)
	if err != nil {
		return nil, err
	}
	source := "source_"
	for _, p := range x.Params {
		if strings.EqualFold(p.Name, "withsource") {
			source = paramText(p)
		}
	}
	kinds := map[string]kind{}
	for _, t := range tables {
		for j, c := range t.cols {
			if _, ok := kinds[c]; !ok {
				kinds[c] = t.data[j].k
			}
		}
	}
	var projected []string
	for _, p := range x.Project {
		id, ok := p.(*syntax.Ident)
		if !ok {
			return nil, notSupported("find project of an expression")
		}
		projected = append(projected, id.Name)
	}
	var parts []*Table
	for _, t := range tables {
		t = withMissing(t, referenced(x.Pred, projected), kinds)
		keep, err := r.opWhere(x.Pred, t, sc)
		if err != nil {
			return nil, fmt.Errorf("find: %w", err)
		}
		parts = append(parts, keep)
	}
	var shaped []*Table
	for i, t := range parts {
		if len(projected) > 0 {
			out := newTable(names[i], nil, nil, t.n)
			for _, c := range projected {
				out = out.withColumn(c, t.col(c))
			}
			shaped = append(shaped, out)
			continue
		}
		shaped = append(shaped, packRest(t, commonColumns(parts)))
	}
	return r.unionTables(shaped, names, source)
}

// referenced lists the identifiers used in e plus extra names.
func referenced(e syntax.Expr, extra []string) []string {
	out := append([]string(nil), extra...)
	var walk func(syntax.Expr)
	walk = func(e syntax.Expr) {
		switch x := e.(type) {
		case *syntax.Ident:
			out = append(out, x.Name)
		case *syntax.Binary:
			walk(x.Left)
			walk(x.Right)
		case *syntax.Unary:
			walk(x.X)
		case *syntax.Paren:
			walk(x.X)
		case *syntax.Call:
			for _, a := range x.Args {
				walk(a)
			}
		case *syntax.InExpr:
			walk(x.X)
		case *syntax.BetweenExpr:
			walk(x.X)
		case *syntax.Member:
			walk(x.X)
		case *syntax.Index:
			walk(x.X)
		}
	}
	walk(e)
	return out
}

// withMissing adds null columns for names t lacks but another table has.
func withMissing(t *Table, names []string, kinds map[string]kind) *Table {
	for _, n := range names {
		if k, ok := kinds[n]; ok && t.colIndex(n) < 0 {
			t = t.withColumn(n, nullVec(k, t.n).materialize())
		}
	}
	return t
}

func commonColumns(ts []*Table) map[string]bool {
	count := map[string]int{}
	for _, t := range ts {
		for _, c := range t.cols {
			count[c]++
		}
	}
	out := map[string]bool{}
	for c, n := range count {
		out[c] = n == len(ts)
	}
	return out
}

func packRest(t *Table, common map[string]bool) *Table {
	out := newTable(t.name, nil, nil, t.n)
	b := newBuilder(kDynamic, t.n)
	for i := 0; i < t.n; i++ {
		m := map[string]any{}
		for j, c := range t.cols {
			if common[c] {
				continue
			}
			if v := t.data[j].get(i); !isEmptyValue(v) {
				m[c] = toDyn(v)
			}
		}
		b.add(dynV(m))
	}
	for j, c := range t.cols {
		if common[c] {
			out = out.withColumn(c, t.data[j])
		}
	}
	return out.withColumn("pack_", b.build())
}
