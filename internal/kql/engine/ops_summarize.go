package engine

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// groupKeys evaluates summarize/make-series by-items into key vecs and names.
func (r *runner) groupKeys(items []syntax.Expr, t *Table, sc *scope) ([]string, []*vec, error) {
	names := make([]string, 0, len(items))
	keys := make([]*vec, 0, len(items))
	used := map[string]bool{}
	for _, it := range items {
		expr, name := it, ""
		if ne, ok := it.(*syntax.NamedExpr); ok {
			expr, name = ne.Value, ne.Names[0].Name
		}
		v, err := r.eval(expr, &env{t: t, sc: sc})
		if err != nil {
			return nil, nil, err
		}
		if name == "" {
			name = keyName(expr)
		}
		if name == "" {
			name = autoName(used, "Column", 1)
		}
		used[name] = true
		names = append(names, name)
		keys = append(keys, resize(v, t.n))
	}
	return names, keys, nil
}

// keyName names a by-expression: a function call such as bin(X, 1h) or
// format_datetime(X, f) is named after its first argument's column.
func keyName(e syntax.Expr) string {
	if n := exprName(e); n != "" {
		return n
	}
	if c, ok := e.(*syntax.Call); ok && len(c.Args) > 0 {
		return keyName(c.Args[0])
	}
	return ""
}

// isAggCall reports whether c calls a built-in aggregation (not shadowed by a let).
func isAggCall(c *syntax.Call, sc *scope) bool {
	if c.Recv != nil {
		return false
	}
	if b := sc.lookup(c.Name.Name); b != nil {
		return false
	}
	_, ok := aggSpecs()[strings.ToLower(c.Name.Name)]
	return ok
}

// collectAggs lists the aggregation calls inside e (not nested in each other).
func collectAggs(e syntax.Expr, sc *scope, out *[]*syntax.Call) {
	switch x := e.(type) {
	case *syntax.Call:
		if isAggCall(x, sc) {
			*out = append(*out, x)
			return
		}
		for _, a := range x.Args {
			collectAggs(a, sc, out)
		}
	case *syntax.Binary:
		collectAggs(x.Left, sc, out)
		collectAggs(x.Right, sc, out)
	case *syntax.Unary:
		collectAggs(x.X, sc, out)
	case *syntax.Paren:
		collectAggs(x.X, sc, out)
	case *syntax.Member:
		collectAggs(x.X, sc, out)
	case *syntax.Index:
		collectAggs(x.X, sc, out)
		collectAggs(x.Index, sc, out)
	case *syntax.InExpr:
		collectAggs(x.X, sc, out)
		for _, l := range x.List {
			collectAggs(l, sc, out)
		}
	case *syntax.BetweenExpr:
		collectAggs(x.X, sc, out)
		collectAggs(x.Low, sc, out)
		collectAggs(x.High, sc, out)
	}
}

// aggOut is one computed aggregate: its output columns with default names.
type aggOut struct {
	names []string
	data  []*vec
}

// runAgg evaluates one aggregation call over t grouped by gids.
func (r *runner) runAgg(c *syntax.Call, t *Table, sc *scope, gids []int32, ng int, keyNames []string) (*aggOut, error) {
	name := strings.ToLower(c.Name.Name)
	spec := aggSpecs()[name]
	if len(c.Args) < spec.min || len(c.Args) > spec.max {
		return nil, fmt.Errorf("engine: %s() takes %d to %d arguments, got %d", c.Name.Name, spec.min, spec.max, len(c.Args))
	}
	if name == "arg_max" || name == "arg_min" || name == "argmax" || name == "argmin" {
		return r.runArgAgg(c, spec, t, sc, gids, ng, keyNames)
	}
	ev := &env{t: t, sc: sc}
	args := make([]*vec, len(c.Args))
	kinds := make([]kind, len(c.Args))
	consts := make([]value, len(c.Args))
	for i, a := range c.Args {
		if id, ok := a.(*syntax.Ident); ok && id.Name == "*" {
			args[i] = constVec(boolV(true), t.n)
		} else {
			v, err := r.eval(a, ev)
			if err != nil {
				return nil, err
			}
			args[i] = resize(v, t.n)
		}
		kinds[i] = args[i].k
		if args[i].cst {
			consts[i] = args[i].get(0)
		}
	}
	if name == "count" && len(args) == 1 && isStar(c.Args[0]) {
		args = nil
	}
	if spec.predArg >= 0 && kinds[spec.predArg] != kBool && kinds[spec.predArg] != kDynamic && kinds[spec.predArg] != kNull {
		return nil, fmt.Errorf("engine: %s(): the predicate must be a bool", c.Name.Name)
	}
	if len(kinds) == 0 {
		kinds = []kind{kNull}
	}
	agg := spec.make(kinds, consts)
	if err := r.tick(len(gids)); err != nil {
		return nil, err
	}
	if err := r.reserveAgg(name, ng, len(gids)); err != nil {
		return nil, err
	}
	if err := agg.update(gids, ng, args); err != nil {
		return nil, err
	}
	base := aggDefaultName(c)
	if p, ok := agg.(*pctAgg); ok && !p.asArray {
		out := &aggOut{data: p.results(ng)}
		for _, pv := range p.ps {
			out.names = append(out.names, base+"_"+strings.ReplaceAll(strconv.FormatFloat(pv, 'f', -1, 64), ".", "_"))
		}
		return out, nil
	}
	return &aggOut{names: []string{base}, data: []*vec{agg.result(ng)}}, nil
}

// reserveAgg charges an aggregation's state before it is built: a few
// words per group, and for the functions that keep values (make_list,
// make_set, dcount, percentiles ...) a slot per input row as well.
func (r *runner) reserveAgg(name string, groups, rows int) error {
	op := fmt.Sprintf("%s() over %d groups", name, groups)
	perGroup, perRow := int64(16), int64(0)
	for _, p := range []string{"make_", "dcount", "count_distinct", "percentile", "tdigest", "hll", "buildschema"} {
		if strings.HasPrefix(name, p) {
			perGroup, perRow = 64, 32
		}
	}
	if err := r.m.reserve(op, int64(groups), perGroup); err != nil || perRow == 0 {
		return err
	}
	return r.m.reserve(op, int64(rows), perRow)
}

func isStar(e syntax.Expr) bool {
	id, ok := e.(*syntax.Ident)
	return ok && id.Name == "*"
}

// runArgAgg implements arg_max/arg_min: the extreme row's requested columns.
func (r *runner) runArgAgg(c *syntax.Call, spec *aggSpec, t *Table, sc *scope, gids []int32, ng int, keyNames []string) (*aggOut, error) {
	ev := &env{t: t, sc: sc}
	x, err := r.eval(c.Args[0], ev)
	if err != nil {
		return nil, err
	}
	agg := spec.make(nil, nil).(*argAgg)
	if err := agg.update(gids, ng, []*vec{resize(x, t.n)}); err != nil {
		return nil, err
	}
	rows := agg.result(ng).i
	idx := make([]int32, ng)
	for g := range idx {
		idx[g] = int32(rows[g])
	}
	firstName := exprName(c.Args[0])
	if firstName == "" {
		firstName = spec.prefix + "_"
	}
	out := &aggOut{names: []string{firstName}, data: []*vec{resize(x, t.n).takeOuter(idx)}}
	skip := map[string]bool{firstName: true}
	for _, k := range keyNames {
		skip[k] = true
	}
	for _, a := range c.Args[1:] {
		if isStar(a) {
			for j, col := range t.cols {
				if !skip[col] {
					skip[col] = true
					out.names = append(out.names, col)
					out.data = append(out.data, t.data[j].takeOuter(idx))
				}
			}
			continue
		}
		expr, name := a, ""
		if ne, ok := a.(*syntax.NamedExpr); ok {
			expr, name = ne.Value, ne.Names[0].Name
		}
		v, err := r.eval(expr, ev)
		if err != nil {
			return nil, err
		}
		if name == "" {
			name = exprName(expr)
		}
		if name == "" {
			name = spec.prefix + "_" + strconv.Itoa(len(out.names))
		}
		skip[name] = true
		out.names = append(out.names, name)
		out.data = append(out.data, resize(v, t.n).takeOuter(idx))
	}
	return out, nil
}

func (r *runner) opSummarize(x *syntax.SummarizeOp, t *Table, sc *scope) (*Table, error) {
	keyNames, keys, err := r.groupKeys(x.By, t, sc)
	if err != nil {
		return nil, err
	}
	var gids []int32
	var first []int32
	if len(keys) == 0 {
		gids = make([]int32, t.n)
		first = []int32{0}
	} else {
		g := newGrouper(keys)
		var err error
		if gids, err = r.assignWithin(g, t.n, "summarize by "+strings.Join(keyNames, ", ")); err != nil {
			return nil, err
		}
		first = g.first
	}
	ng := len(first)
	names := append([]string(nil), keyNames...)
	data := make([]*vec, 0, len(keys)+len(x.Aggs))
	for _, k := range keys {
		data = append(data, k.take(first))
	}
	used := map[string]bool{}
	for _, n := range names {
		used[n] = true
	}
	for _, it := range x.Aggs {
		cols, outNames, err := r.summarizeItem(it, t, sc, gids, ng, keyNames, names, data)
		if err != nil {
			return nil, err
		}
		for i, v := range cols {
			n := outNames[i]
			if used[n] {
				n = autoName(used, n, 1)
			}
			used[n] = true
			names = append(names, n)
			data = append(data, v)
		}
	}
	return newTable("", names, data, ng), nil
}

// summarizeItem computes one summarize aggregate item: a direct aggregation
// (possibly multi-column) or an expression over aggregations.
func (r *runner) summarizeItem(it syntax.Expr, t *Table, sc *scope, gids []int32, ng int, keyNames, names []string, data []*vec) ([]*vec, []string, error) {
	expr := it
	var assigned []string
	if ne, ok := it.(*syntax.NamedExpr); ok {
		expr = ne.Value
		for _, n := range ne.Names {
			assigned = append(assigned, n.Name)
		}
	}
	if p, ok := expr.(*syntax.Paren); ok {
		expr = p.X
	}
	if c, ok := expr.(*syntax.Call); ok && isAggCall(c, sc) {
		out, err := r.runAgg(c, t, sc, gids, ng, keyNames)
		if err != nil {
			return nil, nil, err
		}
		for i := range assigned {
			if i < len(out.names) {
				out.names[i] = assigned[i]
			}
		}
		return out.data, out.names, nil
	}
	var calls []*syntax.Call
	collectAggs(expr, sc, &calls)
	if len(calls) == 0 {
		return nil, nil, fmt.Errorf("engine: summarize item is not an aggregation")
	}
	grouped := newTable("", append([]string(nil), names...), append([]*vec(nil), data...), ng)
	subst := map[syntax.Expr]string{}
	for i, c := range calls {
		out, err := r.runAgg(c, t, sc, gids, ng, keyNames)
		if err != nil {
			return nil, nil, err
		}
		hidden := "\x00agg" + strconv.Itoa(i)
		grouped = grouped.withColumn(hidden, out.data[0])
		subst[c] = hidden
	}
	v, err := r.eval(expr, &env{t: grouped, sc: sc, aggs: subst})
	if err != nil {
		return nil, nil, err
	}
	name := "Column1"
	if len(assigned) > 0 {
		name = assigned[0]
	} else if len(calls) == 1 && isConversionOf(expr, calls[0]) {
		name = aggDefaultName(calls[0])
	}
	return []*vec{resize(v, ng).materialize()}, []string{name}, nil
}

// isConversionOf reports whether e is tostring(agg)-like: a conversion
// function applied directly to the aggregation call c.
func isConversionOf(e syntax.Expr, c *syntax.Call) bool {
	call, ok := e.(*syntax.Call)
	if !ok || len(call.Args) != 1 || call.Args[0] != syntax.Expr(c) {
		return false
	}
	switch strings.ToLower(call.Name.Name) {
	case "tostring", "toint", "tolong", "toreal", "todouble", "tobool", "todynamic", "todatetime", "totimespan":
		return true
	}
	return false
}

// aggDefaultName is the column name summarize gives an aggregation call.
func aggDefaultName(c *syntax.Call) string {
	spec := aggSpecs()[strings.ToLower(c.Name.Name)]
	base := spec.prefix + "_"
	if spec.predArg != 0 && len(c.Args) > 0 {
		base += exprName(c.Args[0])
	}
	return base
}
