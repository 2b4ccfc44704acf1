package engine

import (
	"sort"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// opTopNested implements top-nested: at each level the top N values of a
// column by an aggregation, computed within the rows of the level above.
// Output has, per level, the value column and aggregated_<name>.
func (r *runner) opTopNested(x *syntax.TopNestedOp, t *Table, sc *scope) (*Table, error) {
	for _, c := range x.Clauses {
		if c.Others != nil {
			return nil, notSupported("top-nested with others")
		}
		if c.By == nil {
			return nil, notSupported("top-nested clause without by")
		}
	}
	return r.topNestedLevel(x.Clauses, t, sc)
}

func (r *runner) topNestedLevel(clauses []*syntax.TopNestedClause, t *Table, sc *scope) (*Table, error) {
	c := clauses[0]
	ofExpr, name := c.Of, ""
	if ne, ok := ofExpr.(*syntax.NamedExpr); ok {
		ofExpr, name = ne.Value, ne.Names[0].Name
	}
	if name == "" {
		name = exprName(ofExpr)
	}
	if name == "" {
		name = "Column1"
	}
	keys, err := r.eval(ofExpr, &env{t: t, sc: sc})
	if err != nil {
		return nil, err
	}
	keys = resize(keys, t.n).materialize()
	g := newGrouper([]*vec{keys})
	gids, err := r.assignWithin(g, t.n, "top-nested")
	if err != nil {
		return nil, err
	}
	ng := len(g.first)
	aggs, _, err := r.summarizeItem(c.By.X, t, sc, gids, ng, nil, nil, nil)
	if err != nil {
		return nil, err
	}
	agg := aggs[0]
	order := make([]int, ng)
	for i := range order {
		order[i] = i
	}
	desc := !strings.EqualFold(c.By.Order, "asc")
	sort.SliceStable(order, func(a, b int) bool {
		x, y := agg.get(order[a]), agg.get(order[b])
		if x.null != y.null {
			return y.null
		}
		cmp, _ := compare(x, y)
		if desc {
			return cmp > 0
		}
		return cmp < 0
	})
	if c.Count != nil {
		n, err := r.constInt(c.Count, sc, "top-nested")
		if err != nil {
			return nil, err
		}
		order = order[:min(n, len(order))]
	}
	members := make([][]int32, ng)
	for i, gid := range gids {
		members[gid] = append(members[gid], int32(i))
	}
	aggName := "aggregated_" + name
	var parts []*Table
	for _, gi := range order {
		row := newTable("", []string{name, aggName},
			[]*vec{constVec(keys.get(int(g.first[gi])), 1), constVec(agg.get(gi), 1)}, 1)
		if len(clauses) == 1 {
			parts = append(parts, row.materialized())
			continue
		}
		child, err := r.topNestedLevel(clauses[1:], t.take(members[gi]), sc)
		if err != nil {
			return nil, err
		}
		out := newTable("", nil, nil, child.n)
		out = out.withColumn(name, constVec(keys.get(int(g.first[gi])), child.n).materialize())
		out = out.withColumn(aggName, constVec(agg.get(gi), child.n).materialize())
		for j, col := range child.cols {
			out = out.withColumn(col, child.data[j])
		}
		parts = append(parts, out)
	}
	if len(parts) == 0 {
		return newTable("", []string{name, aggName}, []*vec{nullVec(keys.k, 0).materialize(), nullVec(agg.k, 0).materialize()}, 0), nil
	}
	return r.unionTables(parts, make([]string, len(parts)), "")
}
