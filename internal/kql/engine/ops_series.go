package engine

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// opMakeSeries implements make-series: per group, one array per aggregate
// with a cell per step of the axis, plus the axis itself.
func (r *runner) opMakeSeries(x *syntax.MakeSeriesOp, t *Table, sc *scope) (*Table, error) {
	ev := &env{t: t, sc: sc}
	axis, err := r.eval(x.On, ev)
	if err != nil {
		return nil, err
	}
	if x.Step == nil {
		return nil, fmt.Errorf("engine: make-series needs a step")
	}
	step, err := r.constValue(x.Step, sc)
	if err != nil {
		return nil, err
	}
	from, to, err := r.seriesBounds(x, step, axis, t.n, sc)
	if err != nil {
		return nil, err
	}
	if from.null || to.null {
		return newTable("", nil, nil, 0), nil
	}
	span, err := arith("-", to, from)
	if err != nil {
		return nil, fmt.Errorf("engine: make-series: %w", err)
	}
	nb64, ok := stepsIn(span, step)
	if !ok || nb64 <= 0 || nb64 > 100000 {
		return nil, fmt.Errorf("engine: make-series: the range holds %d steps (1 to 100000 allowed)", nb64)
	}
	nb := int(nb64)
	keyNames, keys, err := r.groupKeys(x.By, t, sc)
	if err != nil {
		return nil, err
	}
	// keep in-range rows, with their bin
	var rows []int32
	var bins []int32
	for i := 0; i < t.n; i++ {
		if i&0x3fff == 0 {
			if err := r.tick(min(0x4000, t.n-i)); err != nil {
				return nil, err
			}
		}
		a := axis.get(i)
		if a.null {
			continue
		}
		d, err := arith("-", a, from)
		if err != nil || d.null {
			continue
		}
		b, ok := stepsFloor(d, step)
		if ok && b >= 0 && b < int64(nb) {
			rows, bins = append(rows, int32(i)), append(bins, int32(b))
		}
	}
	sub := t.take(rows)
	subKeys := make([]*vec, len(keys))
	for j, k := range keys {
		subKeys[j] = k.take(rows)
	}
	var ggids []int32
	var first []int32
	if len(keys) == 0 {
		ggids, first = make([]int32, len(rows)), []int32{0}
	} else {
		g := newGrouper(subKeys)
		if ggids, err = r.assignWithin(g, len(rows), "make-series by "+strings.Join(keyNames, ", ")); err != nil {
			return nil, err
		}
		first = g.first
	}
	ng := len(first)
	// every group gets an array of nb elements per aggregate, plus the axis
	op := fmt.Sprintf("make-series (%d groups × %d bins)", ng, nb)
	if err := r.m.reserve(op, int64(ng)*int64(nb)*int64(len(x.Aggs)+1), 32); err != nil {
		return nil, err
	}
	gids := make([]int32, len(rows))
	for i := range gids {
		gids[i] = ggids[i]*int32(nb) + bins[i]
	}
	out := newTable("", nil, nil, ng)
	for j, n := range keyNames {
		out = out.withColumn(n, subKeys[j].take(first))
	}
	for ai, it := range x.Aggs {
		if err := r.seriesAgg(out, it, defaultAt(x.Defaults, ai), sub, sc, gids, ng, nb, keyNames); err != nil {
			return nil, err
		}
	}
	axisName := exprName(x.On)
	if axisName == "" {
		axisName = "Column1"
	}
	arr := make([]any, nb)
	cur := from
	for b := range arr {
		arr[b] = toDyn(cur)
		cur, _ = arith("+", cur, step)
	}
	return out.withColumn(axisName, constVec(dynV(arr), ng).materialize()), nil
}

func defaultAt(ds []syntax.Expr, i int) syntax.Expr {
	if i < len(ds) {
		return ds[i]
	}
	return nil
}

func (r *runner) seriesAgg(out *Table, it, def syntax.Expr, sub *Table, sc *scope, gids []int32, ng, nb int, keyNames []string) error {
	expr, name := it, ""
	if ne, ok := it.(*syntax.NamedExpr); ok {
		expr, name = ne.Value, ne.Names[0].Name
	}
	c, ok := expr.(*syntax.Call)
	if !ok || !isAggCall(c, sc) {
		return notSupported("make-series item that is not a single aggregation")
	}
	res, err := r.runAgg(c, sub, sc, gids, ng*nb, keyNames)
	if err != nil {
		return err
	}
	dv := longV(0)
	if def != nil {
		if dv, err = r.constValue(def, sc); err != nil {
			return err
		}
	}
	if name == "" {
		name = res.names[0]
	}
	cells := res.data[0]
	b := newBuilder(kDynamic, ng)
	for g := 0; g < ng; g++ {
		arr := make([]any, nb)
		for k := range arr {
			arr[k] = toDyn(dv)
		}
		b.add(dynV(arr))
	}
	col := b.build()
	seen := make([]bool, ng*nb)
	for _, gid := range gids {
		seen[gid] = true
	}
	for gid, hit := range seen {
		if hit {
			v := cells.get(gid)
			if !v.null {
				col.d[gid/nb].([]any)[gid%nb] = toDyn(v)
			}
		}
	}
	*out = *out.withColumn(name, col)
	return nil
}

func (r *runner) constValue(e syntax.Expr, sc *scope) (value, error) {
	v, err := r.eval(e, emptyEnv(sc))
	if err != nil {
		return value{}, err
	}
	return unwrapDyn(v.get(0)), nil
}

// seriesBounds is the make-series range: from and to as given, else from
// the axis values, with step the evaluated step.
func (r *runner) seriesBounds(x *syntax.MakeSeriesOp, step value, axis *vec, n int, sc *scope) (value, value, error) {
	var from, to value
	var err error
	if x.From != nil {
		if from, err = r.constValue(x.From, sc); err != nil {
			return from, to, err
		}
	}
	if x.To != nil {
		if to, err = r.constValue(x.To, sc); err != nil {
			return from, to, err
		}
	}
	if x.From == nil || x.To == nil {
		lo, hi := nullValue, nullValue
		for i := 0; i < n; i++ {
			v := axis.get(i)
			if v.null {
				continue
			}
			if c, ok := compare(v, lo); lo.null || ok && c < 0 {
				lo = v
			}
			if c, ok := compare(v, hi); hi.null || ok && c > 0 {
				hi = v
			}
		}
		if x.From == nil {
			// "the first bin, or step, that has data"
			// (https://learn.microsoft.com/kusto/query/make-series-operator):
			// the lowest value rounded down to the step, as bin() does
			from = lo
			if !lo.null {
				if b, err := binValue(lo, step, 0); err == nil && !b.null {
					from = b
				}
			}
		}
		if x.To == nil && !hi.null {
			if to, err = lastBinEnd(from, hi, step); err != nil {
				return from, to, err
			}
		}
	}
	return from, to, nil
}

// lastBinEnd is the high bound of the bin (from + k×step) holding hi: the
// end make-series uses when none is given, "the high bound of the last
// bin that has data" (https://learn.microsoft.com/kusto/query/make-series-operator).
func lastBinEnd(from, hi, step value) (value, error) {
	d, err := arith("-", hi, from)
	if err != nil || d.null {
		return arith("+", hi, step)
	}
	k, ok := stepsFloor(d, step)
	if !ok {
		return arith("+", hi, step)
	}
	w, err := arith("*", step, longV(k+1))
	if err != nil {
		return value{}, err
	}
	return arith("+", from, w)
}

// stepsIn is ceil(span/step) for timespans or numbers.
func stepsIn(span, step value) (int64, bool) {
	n, ok := stepsFloor(span, step)
	if !ok {
		return 0, false
	}
	back, err := arith("*", step, longV(n))
	if err == nil {
		if c, ok := compare(back, span); ok && c < 0 {
			n++
		}
	}
	return n, true
}

func stepsFloor(d, step value) (int64, bool) {
	if d.k == kTimespan && step.k == kTimespan {
		if step.i <= 0 {
			return 0, false
		}
		return floorDiv(d.i, step.i), true
	}
	x, ok1 := d.asFloat()
	s, ok2 := step.asFloat()
	if !ok1 || !ok2 || s <= 0 {
		return 0, false
	}
	q := x / s
	f := int64(q)
	if float64(f) > q {
		f--
	}
	return f, true
}
