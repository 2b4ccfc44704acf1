package engine

import (
	"fmt"
	"sort"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

func (r *runner) opEvaluate(x *syntax.EvaluateOp, t *Table, sc *scope) (*Table, error) {
	name := strings.ToLower(x.Plugin.Name.Name)
	if t == nil {
		return nil, notSupported("evaluate %s as a data source", name)
	}
	switch name {
	case "bag_unpack":
		return r.bagUnpack(x.Plugin.Args, t, sc)
	case "pivot":
		return r.pivot(x.Plugin.Args, t, sc)
	}
	return nil, notSupported("evaluate %s", name)
}

// bagUnpack turns the keys of a dynamic bag column into columns.
func (r *runner) bagUnpack(args []syntax.Expr, t *Table, sc *scope) (*Table, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("engine: bag_unpack needs a column")
	}
	colName := exprName(args[0])
	src, err := r.eval(args[0], &env{t: t, sc: sc})
	if err != nil {
		return nil, err
	}
	prefix := ""
	if len(args) > 1 {
		p, err := r.eval(args[1], emptyEnv(sc))
		if err != nil {
			return nil, err
		}
		prefix = toStringValue(p.get(0))
	}
	keySet := map[string]bool{}
	bags := make([]map[string]any, t.n)
	for i := 0; i < t.n; i++ {
		if m, ok := asBag(src.get(i)); ok {
			bags[i] = m
			for k := range m {
				keySet[k] = true
			}
		}
	}
	keys := make([]string, 0, len(keySet))
	for k := range keySet {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if err := r.m.needRows(fmt.Sprintf("bag_unpack (%d columns)", len(keys)), int64(t.n), int64(len(keys)), 16); err != nil {
		return nil, err
	}
	out := t
	if colName != "" && t.colIndex(colName) >= 0 {
		var err error
		if out, err = opProjectAway([]syntax.Expr{&syntax.Ident{Name: colName}}, t, false); err != nil {
			return nil, err
		}
	}
	for _, k := range keys {
		kd := slotKind(bags, k)
		b := newBuilder(kd, t.n)
		for i := 0; i < t.n; i++ {
			var x any
			if bags[i] != nil {
				x = bags[i][k]
			}
			b.add(slotValue(kd, x))
		}
		out = out.withColumn(prefix+k, b.build())
	}
	return out, nil
}

// slotKind is a bag_unpack column's type: the slot's type when all its
// values have the same one, dynamic when they differ (or are bags/arrays).
// https://learn.microsoft.com/kusto/query/bag-unpack-plugin
func slotKind(bags []map[string]any, key string) kind {
	k := kNull
	for _, m := range bags {
		x, ok := m[key]
		if !ok || x == nil {
			continue
		}
		var xk kind
		switch x.(type) {
		case string:
			xk = kString
		case int64, int:
			xk = kLong
		case float64:
			xk = kReal
		case bool:
			xk = kBool
		default:
			return kDynamic
		}
		if k != kNull && k != xk {
			return kDynamic
		}
		k = xk
	}
	if k == kNull {
		return kDynamic
	}
	return k
}

// slotValue is a bag value as a cell of a slotKind column.
func slotValue(k kind, x any) value {
	if x == nil {
		return nullOf(k)
	}
	switch k {
	case kString:
		return strV(x.(string))
	case kLong:
		return longV(asInt64(x))
	case kReal:
		return realV(x.(float64))
	case kBool:
		return boolV(x.(bool))
	}
	return dynV(x)
}

// pivot rotates the distinct values of one column into columns, aggregating
// with count() or the given aggregation, grouped by the remaining columns.
func (r *runner) pivot(args []syntax.Expr, t *Table, sc *scope) (*Table, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("engine: pivot needs a column")
	}
	pivotName := exprName(args[0])
	pv := t.col(pivotName)
	if pv == nil {
		return nil, fmt.Errorf("engine: pivot: unknown column %q", pivotName)
	}
	var aggCall *syntax.Call
	var groupCols []string
	if len(args) > 1 {
		c, ok := args[1].(*syntax.Call)
		if !ok || !isAggCall(c, sc) {
			return nil, fmt.Errorf("engine: pivot: second argument must be an aggregation")
		}
		aggCall = c
		for _, a := range args[2:] {
			groupCols = append(groupCols, exprName(a))
		}
	} else {
		aggCall = &syntax.Call{Name: &syntax.Ident{Name: "count"}}
	}
	if len(args) <= 2 {
		for _, c := range t.cols {
			if c != pivotName && !mentions(aggCall, c) {
				groupCols = append(groupCols, c)
			}
		}
	}
	keys := make([]*vec, 0, len(groupCols)+1)
	for _, c := range groupCols {
		v := t.col(c)
		if v == nil {
			return nil, fmt.Errorf("engine: pivot: unknown column %q", c)
		}
		keys = append(keys, v)
	}
	gg := newGrouper(keys)
	var ggids []int32
	if len(keys) == 0 {
		ggids, gg.first = make([]int32, t.n), []int32{0}
	} else {
		var err error
		if ggids, err = r.assignWithin(gg, t.n, "pivot"); err != nil {
			return nil, err
		}
	}
	pg := newGrouper([]*vec{pv})
	pgids, err := r.assignWithin(pg, t.n, "pivot")
	if err != nil {
		return nil, err
	}
	np, ng := len(pg.first), len(gg.first)
	// one cell per group and pivoted value, before the ids can overflow
	if err := r.m.reserve(fmt.Sprintf("pivot (%d rows × %d columns)", ng, np), int64(ng)*int64(np), 16); err != nil {
		return nil, err
	}
	combined := make([]int32, t.n)
	for i := range combined {
		combined[i] = ggids[i]*int32(np) + pgids[i]
	}
	res, err := r.runAgg(aggCall, t, sc, combined, ng*np, nil)
	if err != nil {
		return nil, err
	}
	out := newTable("", nil, nil, ng)
	for j, c := range groupCols {
		out = out.withColumn(c, keys[j].take(gg.first))
	}
	cells := res.data[0]
	order := make([]int, np)
	for p := range order {
		order[p] = p
	}
	sort.Slice(order, func(a, b int) bool {
		return toStringValue(pv.get(int(pg.first[order[a]]))) < toStringValue(pv.get(int(pg.first[order[b]])))
	})
	for _, p := range order {
		idx := make([]int32, ng)
		for g := range idx {
			idx[g] = int32(g*np + p)
		}
		out = out.withColumn(toStringValue(pv.get(int(pg.first[p]))), cells.take(idx))
	}
	return out, nil
}

func mentions(e syntax.Expr, col string) bool {
	found := false
	var walk func(syntax.Expr)
	walk = func(e syntax.Expr) {
		switch x := e.(type) {
		case *syntax.Ident:
			found = found || x.Name == col
		case *syntax.Call:
			for _, a := range x.Args {
				walk(a)
			}
		case *syntax.Binary:
			walk(x.Left)
			walk(x.Right)
		case *syntax.Paren:
			walk(x.X)
		}
	}
	walk(e)
	return found
}

// opSearch implements search over the piped table or catalog tables: a bare
// string term matches when any column has the term.
func (r *runner) opSearch(x *syntax.SearchOp, input *Table, sc *scope) (*Table, error) {
	tables, names, err := r.sourceTables(input, x.Tables, sc)
	if err != nil {
		return nil, err
	}
	var parts []*Table
	var partNames []string
	for i, t := range tables {
		pred, err := r.searchPred(x.Pred, t, sc)
		if err != nil {
			return nil, err
		}
		var idx []int32
		for row := 0; row < t.n; row++ {
			if asBoolValue(pred.get(row)).truthy() {
				idx = append(idx, int32(row))
			}
		}
		parts, partNames = append(parts, t.take(idx)), append(partNames, names[i])
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("engine: search has no tables: %w", ErrUnknownTable)
	}
	return r.unionTables(parts, partNames, "$table")
}

// searchPred evaluates a search predicate; string literals in boolean
// position match any column (has semantics, * wildcards use contains).
func (r *runner) searchPred(e syntax.Expr, t *Table, sc *scope) (*vec, error) {
	switch x := e.(type) {
	case *syntax.Ident:
		if x.Name == "*" {
			return constVec(boolV(true), t.n), nil
		}
	case *syntax.Literal:
		if x.Kind == syntax.LitString {
			term, _ := x.Value.(string)
			return anyColumnHas(t, term), nil
		}
	case *syntax.Paren:
		return r.searchPred(x.X, t, sc)
	case *syntax.Binary:
		op := strings.ToLower(x.Op)
		if op == "and" || op == "or" {
			l, err := r.searchPred(x.Left, t, sc)
			if err != nil {
				return nil, err
			}
			rv, err := r.searchPred(x.Right, t, sc)
			if err != nil {
				return nil, err
			}
			return r.mapRows(t.n, []*vec{l, rv}, kBool, func(a []value) (value, error) {
				if op == "and" {
					return logicAnd(asBoolValue(a[0]), asBoolValue(a[1])), nil
				}
				return logicOr(asBoolValue(a[0]), asBoolValue(a[1])), nil
			})
		}
	}
	return r.eval(e, &env{t: t, sc: sc})
}

func anyColumnHas(t *Table, term string) *vec {
	op := "has"
	if strings.Contains(term, "*") {
		op, term = "contains", strings.ReplaceAll(term, "*", "")
	}
	m := newStrMatcher(op, false, term)
	out := make([]int64, t.n)
	for i := 0; i < t.n; i++ {
		for _, v := range t.data {
			if m.match(toStringValue(v.get(i))) {
				out[i] = 1
				break
			}
		}
	}
	return &vec{k: kBool, n: t.n, i: out}
}
