package engine

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

func (r *runner) evalBinary(x *syntax.Binary, ev *env) (*vec, error) {
	op := strings.ToLower(x.Op)
	if op == "and" || op == "or" {
		return r.evalLogic(op, x, ev)
	}
	l, err := r.eval(x.Left, ev)
	if err != nil {
		return nil, err
	}
	rv, err := r.eval(x.Right, ev)
	if err != nil {
		return nil, err
	}
	n := ev.n()
	switch op {
	case "==", "!=", "<", "<=", ">", ">=":
		if out := compareFast(op, l, rv, n); out != nil {
			return out, nil
		}
		return r.mapRows(n, []*vec{l, rv}, kBool, func(a []value) (value, error) {
			return compareOp(op, a[0], a[1]), nil
		})
	case "=~", "!~":
		if out := stringOpFast("==", false, op == "!~", l, rv, n); out != nil {
			return out, nil
		}
		return r.mapRows(n, []*vec{l, rv}, kBool, func(a []value) (value, error) {
			return compareOp(op, a[0], a[1]), nil
		})
	case "+", "-", "*", "/", "%":
		return r.mapRows(n, []*vec{l, rv}, arithKind(op, l.k, rv.k), func(a []value) (value, error) {
			return arith(op, a[0], a[1])
		})
	case "matches regex":
		return r.evalMatches(l, rv, n)
	}
	base, cs, neg, ok := splitStringOp(op)
	if !ok {
		return nil, notSupported("operator %s", x.Op)
	}
	if out := stringOpFast(base, cs, neg, l, rv, n); out != nil {
		return out, nil
	}
	var m *strMatcher
	return r.mapRows(n, []*vec{l, rv}, kBool, func(a []value) (value, error) {
		needle := sArg(a[1])
		if m == nil || m.needle != needle && (cs || m.needle != strings.ToLower(needle)) {
			m = newStrMatcher(base, cs, needle)
		}
		return boolV(m.match(sArg(a[0])) != neg), nil
	})
}

func (r *runner) evalMatches(l, rv *vec, n int) (*vec, error) {
	return r.mapRows(n, []*vec{l, rv}, kBool, func(a []value) (value, error) {
		re, err := r.cc.re.get(sArg(a[1]))
		if err != nil {
			return value{}, err
		}
		return boolV(re.MatchString(sArg(a[0]))), nil
	})
}

// evalLogic evaluates and/or; the right side is skipped when the left side
// already decides every row.
func (r *runner) evalLogic(op string, x *syntax.Binary, ev *env) (*vec, error) {
	l, err := r.eval(x.Left, ev)
	if err != nil {
		return nil, err
	}
	if l.cst {
		lv := asBoolValue(l.get(0))
		if op == "and" && isFalse(lv) || op == "or" && lv.truthy() {
			return constVec(lv, ev.n()), nil
		}
	}
	rv, err := r.eval(x.Right, ev)
	if err != nil {
		return nil, err
	}
	if out := logicFast(op, l, rv, ev.n()); out != nil {
		return out, nil
	}
	return r.mapRows(ev.n(), []*vec{l, rv}, kBool, func(a []value) (value, error) {
		x, y := asBoolValue(a[0]), asBoolValue(a[1])
		if op == "and" {
			return logicAnd(x, y), nil
		}
		return logicOr(x, y), nil
	})
}

func logicFast(op string, l, rv *vec, n int) *vec {
	if l.k != kBool || rv.k != kBool || l.null != nil || rv.null != nil {
		return nil
	}
	out := make([]int64, n)
	for i := range out {
		a, b := l.i[l.at(i)], rv.i[rv.at(i)]
		if op == "and" {
			out[i] = a & b
		} else {
			out[i] = a | b
		}
	}
	return &vec{k: kBool, n: n, i: out}
}

// intFamily are the kinds stored in vec.i that compare as integers.
func intFamily(a, b kind) bool {
	switch {
	case (a == kLong || a == kInt) && (b == kLong || b == kInt):
		return true
	case a == b && (a == kDatetime || a == kTimespan || a == kBool):
		return true
	}
	return false
}

var flipOp = map[string]string{"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

// compareFast handles column-versus-constant comparisons with typed loops.
func compareFast(op string, l, rv *vec, n int) *vec {
	if l.cst && !rv.cst {
		l, rv, op = rv, l, flipOp[op]
	}
	if l.cst || !rv.cst || rv.isNull(0) {
		return nil
	}
	out := make([]int64, n)
	switch {
	case intFamily(l.k, rv.k):
		c := rv.i[0]
		for i, x := range l.i[:n] {
			out[i] = b2i(cmpResult(op, cmp3(x, c)))
		}
	case l.k == kReal && rv.k.numeric() || l.k.numeric() && rv.k == kReal:
		c, _ := rv.get(0).asFloat()
		for i := 0; i < n; i++ {
			x, _ := l.get(i).asFloat()
			out[i] = b2i(cmpResult(op, cmpFloat(x, c)))
		}
	case (l.k == kString || l.k == kGuid) && rv.k == l.k:
		c := rv.s[0]
		for i, x := range l.s[:n] {
			if op == "==" {
				out[i] = b2i(x == c)
			} else if op == "!=" {
				out[i] = b2i(x != c)
			} else {
				out[i] = b2i(cmpResult(op, strings.Compare(x, c)))
			}
		}
	default:
		return nil
	}
	res := &vec{k: kBool, n: n, i: out}
	if l.null != nil {
		nulls := make([]bool, n)
		any := false
		for i := 0; i < n; i++ {
			if !l.null[i] {
				continue
			}
			switch op {
			case "==":
				out[i] = 0
			case "!=":
				out[i] = 1
			default:
				nulls[i], any = true, true
			}
		}
		if any {
			res.null = nulls
		}
	}
	return res
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func cmpResult(op string, c int) bool {
	switch op {
	case "==":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

// stringOpFast runs a string operator over a string column and a constant needle.
func stringOpFast(base string, cs, neg bool, l, rv *vec, n int) *vec {
	if l.cst || l.k != kString || !rv.cst || (rv.k != kString && rv.k != kGuid) {
		return nil
	}
	m := newStrMatcher(base, cs, rv.s[0])
	out := make([]int64, n)
	for i, s := range l.s[:n] {
		out[i] = b2i(m.match(s) != neg)
	}
	return &vec{k: kBool, n: n, i: out}
}

func (r *runner) evalBetween(x *syntax.BetweenExpr, ev *env) (*vec, error) {
	v, err := r.eval(x.X, ev)
	if err != nil {
		return nil, err
	}
	lo, err := r.eval(x.Low, ev)
	if err != nil {
		return nil, err
	}
	hi, err := r.eval(x.High, ev)
	if err != nil {
		return nil, err
	}
	return r.mapRows(ev.n(), []*vec{v, lo, hi}, kBool, func(a []value) (value, error) {
		val, low, high := unwrapDyn(a[0]), unwrapDyn(a[1]), unwrapDyn(a[2])
		if (val.k == kDatetime || val.k == kNull) && low.k == kDatetime && high.k == kTimespan && !high.null {
			high = dtV(low.i + high.i)
		}
		if val.null || low.null || high.null {
			return nullOf(kBool), nil
		}
		c1, ok1 := compare(val, low)
		c2, ok2 := compare(val, high)
		if !ok1 || !ok2 {
			return value{}, fmt.Errorf("between: cannot compare %s with %s", val.k, low.k)
		}
		return boolV((c1 >= 0 && c2 <= 0) != x.Not), nil
	})
}

func (r *runner) evalMember(x *syntax.Member, ev *env) (*vec, error) {
	if id, ok := x.X.(*syntax.Ident); ok && (id.Name == "$left" || id.Name == "$right") {
		return nil, fmt.Errorf("engine: %s can only be used in a join's on clause", id.Name)
	}
	v, err := r.eval(x.X, ev)
	if err != nil {
		return nil, err
	}
	key := strV(x.Name.Name)
	return r.mapRows(ev.n(), []*vec{v}, kDynamic, func(a []value) (value, error) {
		return dynV(memberOf(a[0], key)), nil
	})
}

func memberOf(v value, key value) any {
	if v.null {
		return nil
	}
	switch v.k {
	case kDynamic:
		return dynIndex(v.d, key)
	case kString:
		return dynIndex(v.s, key)
	}
	return nil
}

func (r *runner) evalIndex(x *syntax.Index, ev *env) (*vec, error) {
	v, err := r.eval(x.X, ev)
	if err != nil {
		return nil, err
	}
	idx, err := r.eval(x.Index, ev)
	if err != nil {
		return nil, err
	}
	return r.mapRows(ev.n(), []*vec{v, idx}, kDynamic, func(a []value) (value, error) {
		return dynV(memberOf(a[0], unwrapDyn(a[1]))), nil
	})
}
