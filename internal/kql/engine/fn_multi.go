package engine

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// multiCall returns the built-in function of several columns that e calls
// (nil for any other expression, or a user function of that name).
func (r *runner) multiCall(e syntax.Expr, sc *scope) (*scalarFn, *syntax.Call) {
	c, ok := e.(*syntax.Call)
	if !ok || c.Recv != nil {
		return nil, nil
	}
	if b := sc.lookup(c.Name.Name); b != nil && b.fn != nil {
		return nil, nil
	}
	fn := scalarFns()[strings.ToLower(c.Name.Name)]
	if fn == nil || fn.outs == nil {
		return nil, nil
	}
	return fn, c
}

// evalMulti runs a function of several columns and names them: the names
// given, in order, name the first outputs (`x = f(y)` names only the first,
// like `(x) = f(y)`); the outputs no name covers are
// <function>_<first argument>_<output>, and print keeps only the named ones.
// The extend operator documents the tuple assignment and generated names
// (https://learn.microsoft.com/kusto/query/extend-operator); Microsoft's
// language service gives a single name the first value ("single name
// assigned from multi-value tuple just assigns the first value", Binder's
// CreateProjectionColumns in
// https://github.com/microsoft/Kusto-Query-Language/blob/master/src/Kusto.Language/Binder/Binder_Projection.cs),
// which is why `extend outliers = series_decompose_anomalies(n)` followed
// by `where outliers == 1` filters on the anomaly flag.
func (r *runner) evalMulti(fn *scalarFn, x *syntax.Call, ev *env, names []string, print bool) ([]string, []*vec, error) {
	lname := strings.ToLower(x.Name.Name)
	if len(names) > len(fn.outs) {
		return nil, nil, fmt.Errorf("engine: %s() returns %d columns (%s), but %d names are assigned", lname, len(fn.outs), strings.Join(fn.outs, ", "), len(names))
	}
	v, err := r.applyFn(fn, x, ev)
	if err != nil {
		return nil, nil, err
	}
	v = resize(v, ev.n())
	prefix := lname
	if len(x.Args) > 0 && exprName(x.Args[0]) != "" {
		prefix += "_" + exprName(x.Args[0])
	}
	outs := fn.outs
	if print && len(names) > 0 {
		outs = outs[:len(names)]
	}
	outNames := make([]string, len(outs))
	cols := make([]*vec, len(outs))
	for j, o := range outs {
		outNames[j] = prefix + "_" + o
		if j < len(names) {
			outNames[j] = names[j]
		}
		b := newBuilder(kDynamic, ev.n())
		for i := 0; i < ev.n(); i++ {
			parts, _ := asArray(v.get(i))
			if j < len(parts) {
				b.add(dynToValue(parts[j]))
			} else {
				b.add(nullOf(kDynamic))
			}
		}
		cols[j] = b.build()
	}
	return outNames, cols, nil
}
