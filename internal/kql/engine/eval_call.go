package engine

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

func (r *runner) evalCall(x *syntax.Call, ev *env) (*vec, error) {
	if x.Recv != nil {
		return nil, notSupported("method-style call %s()", x.Name.Name)
	}
	name := x.Name.Name
	if b := r.lookupFn(name, ev.sc); b != nil && b.fn != nil {
		return r.callUser(b, x.Args, ev)
	}
	lname := strings.ToLower(name)
	if out, handled, err := r.evalSpecialCall(lname, x, ev); handled {
		return out, err
	}
	fn, ok := scalarFns()[lname]
	if !ok {
		if _, isAgg := aggSpecs()[lname]; isAgg {
			return nil, fmt.Errorf("engine: aggregation function %s() can only be used in summarize, make-series or top-nested", name)
		}
		return nil, notSupported("function %s()", name)
	}
	if fn.outs != nil {
		return nil, fmt.Errorf("engine: %s() returns %d columns (%s): use it alone in extend or project, e.g. extend (%s) = %s(...)",
			name, len(fn.outs), strings.Join(fn.outs, ", "), strings.Join(fn.outs, ", "), lname)
	}
	return r.applyFn(fn, x, ev)
}

// applyFn evaluates x's arguments and calls fn on each row.
func (r *runner) applyFn(fn *scalarFn, x *syntax.Call, ev *env) (*vec, error) {
	name := x.Name.Name
	if len(x.Args) < fn.min || (fn.max >= 0 && len(x.Args) > fn.max) {
		return nil, fmt.Errorf("engine: %s() takes %s arguments, got %d", name, arity(fn), len(x.Args))
	}
	args := make([]*vec, len(x.Args))
	kinds := make([]kind, len(x.Args))
	for i, a := range x.Args {
		if _, named := a.(*syntax.NamedExpr); named {
			return nil, notSupported("named arguments to %s()", name)
		}
		v, err := r.eval(a, ev)
		if err != nil {
			return nil, err
		}
		args[i], kinds[i] = v, v.k
	}
	k := fn.ret(kinds)
	call := func(a []value) (value, error) {
		out, err := fn.call(r.cc, a)
		if err != nil {
			return value{}, fmt.Errorf("%s(): %w", name, err)
		}
		return out, nil
	}
	if fn.volatile {
		args = append(args, constVec(nullValue, ev.n()).materialize())
	}
	return r.mapRows(ev.n(), args, k, func(a []value) (value, error) {
		if fn.volatile {
			a = a[:len(a)-1]
		}
		return call(a)
	})
}

func arity(fn *scalarFn) string {
	switch {
	case fn.max < 0:
		return fmt.Sprintf("at least %d", fn.min)
	case fn.min == fn.max:
		return fmt.Sprint(fn.min)
	}
	return fmt.Sprintf("%d to %d", fn.min, fn.max)
}

// evalSpecialCall handles functions that need the syntax tree, the current
// table or the scope rather than just argument values.
func (r *runner) evalSpecialCall(name string, x *syntax.Call, ev *env) (*vec, bool, error) {
	n := ev.n()
	switch name {
	case "toscalar":
		if len(x.Args) != 1 {
			return nil, true, fmt.Errorf("engine: toscalar() takes one argument")
		}
		v, err := r.toScalar(x.Args[0], ev)
		if err != nil {
			return nil, true, err
		}
		return constVec(v, n), true, nil
	case "typeof":
		if len(x.Args) != 1 {
			return nil, true, fmt.Errorf("engine: typeof() takes one type name")
		}
		id, ok := x.Args[0].(*syntax.Ident)
		k, known := kNull, false
		if ok {
			k, known = parseKind(id.Name)
		}
		if !known {
			return nil, true, fmt.Errorf("engine: typeof(): unknown type")
		}
		return constVec(nullOf(k), n), true, nil
	case "column_ifexists":
		if len(x.Args) != 2 {
			return nil, true, fmt.Errorf("engine: column_ifexists() takes a column name and a default")
		}
		v, err := r.eval(x.Args[0], emptyEnv(ev.sc))
		if err != nil {
			return nil, true, err
		}
		if c := ev.t.col(toStringValue(v.get(0))); c != nil {
			return c, true, nil
		}
		out, err := r.eval(x.Args[1], ev)
		return out, true, err
	case "pack_all", "bag_pack_columns":
		return r.packAll(x, ev), true, nil
	case "row_number":
		return rowNumber(n), true, nil
	case "prev", "next":
		out, err := r.shiftCall(name, x, ev)
		return out, true, err
	case "row_cumsum":
		out, err := r.cumSum(x, ev)
		return out, true, err
	case "materialize", "view", "table":
		return nil, true, fmt.Errorf("engine: %s() returns a table, not a scalar", name)
	case "ingestion_time", "cursor_after", "cursor_before_or_at", "extent_id":
		return nil, true, notSupported("%s()", name)
	}
	return nil, false, nil
}

// toScalar evaluates a tabular (or scalar) expression to one value: the
// first column of the first row, null when there are no rows.
func (r *runner) toScalar(e syntax.Expr, ev *env) (value, error) {
	if !r.isTabular(e, ev.sc) {
		v, err := r.eval(e, emptyEnv(ev.sc))
		if err != nil {
			return value{}, err
		}
		return v.get(0), nil
	}
	t, err := r.evalTabular(e, ev.sc)
	if err != nil {
		return value{}, err
	}
	if len(t.data) == 0 {
		return nullValue, nil
	}
	if t.n == 0 {
		return nullOf(t.data[0].k), nil
	}
	return t.data[0].get(0), nil
}

func (r *runner) packAll(x *syntax.Call, ev *env) *vec {
	ignoreNulls := false
	if len(x.Args) == 1 {
		if v, err := r.eval(x.Args[0], emptyEnv(ev.sc)); err == nil {
			ignoreNulls = v.get(0).truthy()
		}
	}
	b := newBuilder(kDynamic, ev.n())
	for i := 0; i < ev.n(); i++ {
		m := make(map[string]any, len(ev.t.cols))
		for j, c := range ev.t.cols {
			v := ev.t.data[j].get(i)
			if ignoreNulls && (v.null || isEmptyValue(v)) {
				continue
			}
			m[c] = toDyn(v)
		}
		b.add(dynV(m))
	}
	return b.build()
}

func rowNumber(n int) *vec {
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(i + 1)
	}
	return &vec{k: kLong, n: n, i: out}
}

// shiftCall implements prev(col[, offset[, default]]) and next(...).
func (r *runner) shiftCall(name string, x *syntax.Call, ev *env) (*vec, error) {
	if len(x.Args) < 1 || len(x.Args) > 3 {
		return nil, fmt.Errorf("engine: %s() takes 1 to 3 arguments", name)
	}
	col, err := r.eval(x.Args[0], ev)
	if err != nil {
		return nil, err
	}
	off := int64(1)
	if len(x.Args) > 1 {
		o, err := r.eval(x.Args[1], emptyEnv(ev.sc))
		if err != nil {
			return nil, err
		}
		if v, ok := iArg(o.get(0)); ok {
			off = v
		}
	}
	def := nullOf(col.k)
	if len(x.Args) > 2 {
		d, err := r.eval(x.Args[2], emptyEnv(ev.sc))
		if err != nil {
			return nil, err
		}
		def = d.get(0)
		if def.k != col.k && col.k != kNull {
			def = convertTo(def, col.k)
		}
	}
	if name == "next" {
		off = -off
	}
	b := newBuilder(col.k, ev.n())
	for i := 0; i < ev.n(); i++ {
		j := int64(i) - off
		if j < 0 || j >= int64(ev.n()) {
			b.add(def)
		} else {
			b.add(col.get(int(j)))
		}
	}
	return b.build(), nil
}

func (r *runner) cumSum(x *syntax.Call, ev *env) (*vec, error) {
	if len(x.Args) < 1 {
		return nil, fmt.Errorf("engine: row_cumsum() needs a column")
	}
	col, err := r.eval(x.Args[0], ev)
	if err != nil {
		return nil, err
	}
	var restart *vec
	if len(x.Args) > 1 {
		if restart, err = r.eval(x.Args[1], ev); err != nil {
			return nil, err
		}
	}
	b := newBuilder(col.k, ev.n())
	acc := zeroOf(col.k)
	for i := 0; i < ev.n(); i++ {
		if restart != nil && restart.get(i).truthy() {
			acc = zeroOf(col.k)
		}
		if v := col.get(i); !v.null {
			if acc, err = arith("+", acc, v); err != nil {
				return nil, err
			}
		}
		b.add(acc)
	}
	return b.build(), nil
}

// bindParams binds a user function's parameters in a new scope. Arguments
// are positional, then name=value; a stored function's are type-checked.
func (r *runner) bindParams(b *binding, args []syntax.Expr, ev *env, input *Table) (*scope, error) {
	sc := b.fnScope.child()
	params := b.fn.Params
	fname := b.stored
	if fname == "" {
		fname = "function"
	}
	pos, named, err := namedArgs(fname, params, args)
	if err != nil {
		return nil, err
	}
	ai := 0
	for i, p := range params {
		tabular := strings.HasPrefix(strings.TrimSpace(p.Type), "(")
		if i == 0 && input != nil {
			sc.vars[p.Name.Name] = &binding{table: input}
			continue
		}
		argE, ok := named[p.Name.Name]
		switch {
		case ok:
		case ai < len(pos):
			argE = pos[ai]
			ai++
		case p.Default != nil:
			v, err := r.eval(p.Default, emptyEnv(b.fnScope))
			if err != nil {
				return nil, err
			}
			sc.vars[p.Name.Name] = &binding{scalar: constVec(v.get(0), 1)}
			continue
		default:
			return nil, fmt.Errorf("engine: missing argument %s", p.Name.Name)
		}
		if tabular {
			t, err := r.evalTabular(argE, ev.sc)
			if err != nil {
				return nil, err
			}
			sc.vars[p.Name.Name] = &binding{table: t}
			continue
		}
		v, err := r.scalarArg(b, p, argE, ev)
		if err != nil {
			return nil, err
		}
		sc.vars[p.Name.Name] = &binding{scalar: v}
	}
	if ai < len(pos) {
		return nil, fmt.Errorf("engine: too many arguments")
	}
	return sc, nil
}

// scalarArg evaluates a scalar argument and converts it to the parameter's
// declared type; a stored function's argument must have that type already.
func (r *runner) scalarArg(b *binding, p *syntax.Param, argE syntax.Expr, ev *env) (*vec, error) {
	v, err := r.eval(argE, ev)
	if err != nil {
		return nil, err
	}
	if b.stored != "" {
		if v, err = storedArg(b.stored, p, v); err != nil {
			return nil, err
		}
	}
	if p.Type != "" && p.Type != "dynamic" {
		if k, ok := parseKind(p.Type); ok && v.k != k && v.k != kNull {
			return r.mapRows(v.n, []*vec{v}, k, func(a []value) (value, error) { return convertTo(a[0], k), nil })
		}
	}
	return v, nil
}

// runBody binds a function body's lets and returns its final expression.
func (r *runner) runBody(fn *syntax.FuncLit, sc *scope) (syntax.Expr, error) {
	var last syntax.Expr
	for _, st := range fn.Body {
		switch s := st.(type) {
		case *syntax.LetStmt:
			if err := r.bindLet(s, sc); err != nil {
				return nil, err
			}
		case *syntax.ExprStmt:
			last = s.X
		default:
			return nil, notSupported("statement %T in a function body", st)
		}
	}
	if last == nil {
		return nil, fmt.Errorf("engine: function body has no result expression")
	}
	return last, nil
}

// callUser calls a user function in scalar context.
func (r *runner) callUser(b *binding, args []syntax.Expr, ev *env) (*vec, error) {
	r.depth += 10
	defer func() { r.depth -= 10 }()
	if r.depth > 200 {
		return nil, fmt.Errorf("engine: user functions nested too deeply")
	}
	sc, err := r.bindParams(b, args, ev, nil)
	if err != nil {
		return nil, err
	}
	body, err := r.runBody(b.fn, sc)
	if err != nil {
		return nil, err
	}
	if r.isTabular(body, sc) {
		v, err := r.toScalar(body, &env{t: ev.t, sc: sc})
		if err != nil {
			return nil, err
		}
		return constVec(v, ev.n()), nil
	}
	return r.eval(body, &env{t: ev.t, sc: sc})
}

// callUserTabular calls a user function that returns a table; input is the
// piped table for invoke (bound to the first parameter).
func (r *runner) callUserTabular(b *binding, args []syntax.Expr, sc *scope, input *Table) (*Table, error) {
	r.depth += 10
	defer func() { r.depth -= 10 }()
	if r.depth > 200 {
		return nil, fmt.Errorf("engine: user functions nested too deeply")
	}
	fsc, err := r.bindParams(b, args, emptyEnv(sc), input)
	if err != nil {
		return nil, err
	}
	body, err := r.runBody(b.fn, fsc)
	if err != nil {
		return nil, err
	}
	return r.evalTabular(body, fsc)
}
