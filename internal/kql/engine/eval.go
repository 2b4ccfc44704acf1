package engine

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// eval evaluates a scalar expression over every row of ev.t.
func (r *runner) eval(e syntax.Expr, ev *env) (*vec, error) {
	r.depth++
	defer func() { r.depth-- }()
	if r.depth > 200 {
		return nil, fmt.Errorf("engine: expression nested too deeply")
	}
	if ev.aggs != nil {
		if name, ok := ev.aggs[e]; ok {
			return ev.t.col(name), nil
		}
	}
	switch x := e.(type) {
	case *syntax.Literal:
		v, err := literalValue(x)
		if err != nil {
			return nil, err
		}
		return constVec(v, ev.n()), nil
	case *syntax.DynamicLit:
		d, err := r.dynLiteral(x.Value, ev.sc)
		if err != nil {
			return nil, err
		}
		return constVec(dynV(d), ev.n()), nil
	case *syntax.Ident:
		return r.evalIdent(x, ev)
	case *syntax.Paren:
		return r.eval(x.X, ev)
	case *syntax.Unary:
		return r.evalUnary(x, ev)
	case *syntax.Binary:
		return r.evalBinary(x, ev)
	case *syntax.InExpr:
		return r.evalIn(x, ev)
	case *syntax.BetweenExpr:
		return r.evalBetween(x, ev)
	case *syntax.Call:
		return r.evalCall(x, ev)
	case *syntax.Member:
		return r.evalMember(x, ev)
	case *syntax.Index:
		return r.evalIndex(x, ev)
	case *syntax.Pipeline:
		return nil, fmt.Errorf("engine: a tabular expression is used where a scalar is expected (wrap it in toscalar())")
	case *syntax.NamedExpr:
		return nil, fmt.Errorf("engine: unexpected assignment to %s", x.Names[0].Name)
	case *syntax.FuncLit:
		return nil, fmt.Errorf("engine: a function is used where a value is expected")
	case *syntax.ListExpr:
		return nil, notSupported("a parenthesised list as a value")
	}
	return nil, notSupported("expression %T", e)
}

// literalValue converts a parsed literal.
func literalValue(l *syntax.Literal) (value, error) {
	switch l.Kind {
	case syntax.LitString:
		s, _ := l.Value.(string)
		return strV(s), nil
	case syntax.LitLong:
		return longV(asInt64(l.Value)), nil
	case syntax.LitInt:
		return intV(asInt64(l.Value)), nil
	case syntax.LitReal:
		f, _ := l.Value.(float64)
		return realV(f), nil
	case syntax.LitDecimal:
		s, _ := l.Value.(string)
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return value{}, fmt.Errorf("engine: invalid decimal literal %q", s)
		}
		return realV(f), nil
	case syntax.LitBool:
		b, _ := l.Value.(bool)
		return boolV(b), nil
	case syntax.LitDateTime:
		s, _ := l.Value.(string)
		if strings.EqualFold(strings.TrimSpace(s), "null") {
			return nullOf(kDatetime), nil
		}
		t, ok := parseDatetime(s)
		if !ok {
			return value{}, fmt.Errorf("engine: invalid datetime literal %q", s)
		}
		return dtV(t), nil
	case syntax.LitTimespan:
		return tsV(asInt64(l.Value)), nil
	case syntax.LitGUID:
		s, _ := l.Value.(string)
		g, ok := parseGuid(s)
		if !ok {
			return value{}, fmt.Errorf("engine: invalid guid literal %q", s)
		}
		return guidV(g), nil
	case syntax.LitNull:
		k, ok := parseKind(l.Type)
		if !ok {
			k = kNull
		}
		return nullOf(k), nil
	}
	return value{}, notSupported("literal kind %v", l.Kind)
}

func asInt64(x any) int64 {
	switch n := x.(type) {
	case int64:
		return n
	case int:
		return int64(n)
	case float64:
		return int64(n)
	}
	return 0
}

// dynLiteral builds the value of a dynamic(...) literal.
func (r *runner) dynLiteral(e syntax.Expr, sc *scope) (any, error) {
	switch x := e.(type) {
	case nil:
		return nil, nil
	case *syntax.ArrayLit:
		out := make([]any, 0, len(x.Elems))
		for _, el := range x.Elems {
			d, err := r.dynLiteral(el, sc)
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		}
		return out, nil
	case *syntax.ObjectLit:
		out := make(map[string]any, len(x.Keys))
		for i, k := range x.Keys {
			d, err := r.dynLiteral(x.Values[i], sc)
			if err != nil {
				return nil, err
			}
			out[k] = d
		}
		return out, nil
	case *syntax.DynamicLit:
		return r.dynLiteral(x.Value, sc)
	case *syntax.Literal:
		if x.Kind == syntax.LitNull {
			return nil, nil
		}
	}
	v, err := r.eval(e, emptyEnv(sc))
	if err != nil {
		return nil, err
	}
	return toDyn(v.get(0)), nil
}

// evalIdent resolves a column, a scalar let, or a bare constant.
func (r *runner) evalIdent(x *syntax.Ident, ev *env) (*vec, error) {
	if v := ev.t.col(x.Name); v != nil {
		return v, nil
	}
	if b := ev.sc.lookup(x.Name); b != nil {
		switch {
		case b.scalar != nil:
			return resize(b.scalar, ev.n()), nil
		case b.fn != nil && len(b.fn.Params) == 0:
			return r.callUser(b, nil, ev)
		default:
			return nil, fmt.Errorf("engine: %s is a table, not a scalar value (use toscalar() or an 'in' list)", x.Name)
		}
	}
	switch strings.ToLower(x.Name) {
	case "true":
		return constVec(boolV(true), ev.n()), nil
	case "false":
		return constVec(boolV(false), ev.n()), nil
	case "null":
		return constVec(nullValue, ev.n()), nil
	}
	return nil, fmt.Errorf("engine: unknown column or variable %q", x.Name)
}

// resize adapts a scalar binding to a table of n rows.
func resize(v *vec, n int) *vec {
	if v.cst {
		c := *v
		c.n = n
		return &c
	}
	if v.n != n {
		return constVec(nullOf(v.k), n)
	}
	return v
}

func (r *runner) evalUnary(x *syntax.Unary, ev *env) (*vec, error) {
	v, err := r.eval(x.X, ev)
	if err != nil {
		return nil, err
	}
	switch x.Op {
	case "+":
		return v, nil
	case "-":
		return r.mapRows(ev.n(), []*vec{v}, v.k, func(a []value) (value, error) {
			return arith("-", zeroOf(a[0].k), a[0])
		})
	case "not", "!":
		not := scalarFns()["not"].fn
		return r.mapRows(ev.n(), []*vec{v}, kBool, func(a []value) (value, error) {
			return not(r.cc, a)
		})
	}
	return nil, notSupported("unary operator %s", x.Op)
}

func zeroOf(k kind) value {
	switch k {
	case kReal:
		return realV(0)
	case kTimespan:
		return tsV(0)
	case kInt:
		return intV(0)
	}
	return longV(0)
}

// mapRows applies f to each row's argument values; constant inputs give a
// constant output computed once.
func (r *runner) mapRows(n int, args []*vec, k kind, f func([]value) (value, error)) (*vec, error) {
	allConst := true
	for _, a := range args {
		if !a.cst {
			allConst = false
			break
		}
	}
	vals := make([]value, len(args))
	if allConst {
		for j, a := range args {
			vals[j] = a.get(0)
		}
		out, err := f(vals)
		if err != nil {
			return nil, err
		}
		if err := r.chargeValue(out); err != nil {
			return nil, err
		}
		if k != kNull && out.k != k && !out.null {
			out = fitKind(out, k)
		} else if out.null && out.k == kNull {
			out = nullOf(k)
		}
		return constVec(out, n), nil
	}
	b := newBuilder(k, n)
	for i := 0; i < n; i++ {
		if i&0x3fff == 0 {
			if err := r.tick(min(0x4000, n-i)); err != nil {
				return nil, err
			}
		}
		for j, a := range args {
			vals[j] = a.get(i)
		}
		out, err := f(vals)
		if err != nil {
			return nil, err
		}
		if err := r.chargeValue(out); err != nil {
			return nil, err
		}
		b.add(out)
	}
	return b.build(), nil
}

// fitKind converts a computed value to the statically expected kind when it
// is a lossless widening; otherwise the value keeps its kind.
func fitKind(v value, k kind) value {
	if v.k.numeric() && k.numeric() {
		return convertTo(v, k)
	}
	if k == kDynamic {
		return dynV(toDyn(v))
	}
	return v
}
