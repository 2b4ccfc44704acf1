package engine

import (
	"strconv"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// inKey is the identity of a value for in/!in (fold lower-cases strings for in~).
func inKey(v value, fold bool) (string, bool) {
	v = unwrapDyn(v)
	if v.null {
		return "", false
	}
	switch v.k {
	case kString, kGuid:
		if fold {
			return "s" + strings.ToLower(v.s), true
		}
		return "s" + v.s, true
	case kInt, kLong:
		return "n" + strconv.FormatInt(v.i, 10), true
	case kReal:
		if v.f == float64(int64(v.f)) {
			return "n" + strconv.FormatInt(int64(v.f), 10), true
		}
		return "f" + strconv.FormatFloat(v.f, 'g', -1, 64), true
	case kBool:
		return "b" + strconv.FormatInt(v.i, 10), true
	case kDatetime:
		return "d" + strconv.FormatInt(v.i, 10), true
	case kTimespan:
		return "t" + strconv.FormatInt(v.i, 10), true
	case kDynamic:
		return "j" + dynJSON(v.d), true
	}
	return "", false
}

// inList evaluates the right-hand side of an in/has_any expression into a
// flat list of values. Tabular elements contribute their first column;
// dynamic arrays are flattened.
func (r *runner) inList(list []syntax.Expr, ev *env) ([]value, []*vec, error) {
	var out []value
	var perRow []*vec
	for _, e := range list {
		if r.isTabular(e, ev.sc) {
			t, err := r.evalTabular(e, ev.sc)
			if err != nil {
				return nil, nil, err
			}
			if len(t.data) == 0 {
				continue
			}
			c := t.data[0]
			for i := 0; i < t.n; i++ {
				out = append(out, c.get(i))
			}
			continue
		}
		v, err := r.eval(e, ev)
		if err != nil {
			return nil, nil, err
		}
		if !v.cst {
			perRow = append(perRow, v)
			continue
		}
		x := v.get(0)
		if arr, ok := asArray(x); ok && x.k == kDynamic {
			for _, el := range arr {
				out = append(out, dynToValue(el))
			}
			continue
		}
		out = append(out, x)
	}
	return out, perRow, nil
}

func (r *runner) evalIn(x *syntax.InExpr, ev *env) (*vec, error) {
	op := strings.ToLower(x.Op)
	lhs, err := r.eval(x.X, ev)
	if err != nil {
		return nil, err
	}
	consts, perRow, err := r.inList(x.List, ev)
	if err != nil {
		return nil, err
	}
	neg := strings.HasPrefix(op, "!")
	base := strings.TrimPrefix(op, "!")
	switch base {
	case "in", "in~":
		return r.evalInSet(lhs, consts, perRow, base == "in~", neg, ev.n())
	case "has_any", "has_all", "has_any_cs", "has_all_cs":
		if len(perRow) > 0 {
			return nil, notSupported("%s with non-constant terms", op)
		}
		return r.evalHasAnyAll(lhs, consts, base, neg, ev.n())
	}
	return nil, notSupported("operator %s", x.Op)
}

func (r *runner) evalInSet(lhs *vec, consts []value, perRow []*vec, fold, neg bool, n int) (*vec, error) {
	set := make(map[string]bool, len(consts))
	for _, c := range consts {
		if k, ok := inKey(c, fold); ok {
			set[k] = true
		}
	}
	if len(perRow) == 0 && lhs.k == kString && !lhs.cst && !fold {
		out := make([]int64, n)
		for i, s := range lhs.s[:n] {
			out[i] = b2i(set["s"+s] != neg)
		}
		return &vec{k: kBool, n: n, i: out}, nil
	}
	args := append([]*vec{lhs}, perRow...)
	return r.mapRows(n, args, kBool, func(a []value) (value, error) {
		k, ok := inKey(a[0], fold)
		if !ok {
			return boolV(neg), nil
		}
		hit := set[k]
		for _, pv := range a[1:] {
			if pk, ok := inKey(pv, fold); ok && pk == k {
				hit = true
			}
		}
		return boolV(hit != neg), nil
	})
}

func (r *runner) evalHasAnyAll(lhs *vec, terms []value, base string, neg bool, n int) (*vec, error) {
	cs := strings.HasSuffix(base, "_cs")
	all := strings.HasPrefix(base, "has_all")
	ms := make([]*strMatcher, 0, len(terms))
	for _, t := range terms {
		s := toStringValue(unwrapDyn(t))
		if s == "" && t.null {
			continue
		}
		ms = append(ms, newStrMatcher("has", cs, s))
	}
	match := func(s string) bool {
		for _, m := range ms {
			if m.match(s) != all {
				return !all
			}
		}
		return all && len(ms) > 0
	}
	if lhs.k == kString && !lhs.cst {
		out := make([]int64, n)
		for i, s := range lhs.s[:n] {
			if i&0xfff == 0 {
				if err := r.check(); err != nil {
					return nil, err
				}
			}
			out[i] = b2i(match(s) != neg)
		}
		return &vec{k: kBool, n: n, i: out}, nil
	}
	return r.mapRows(n, []*vec{lhs}, kBool, func(a []value) (value, error) {
		return boolV(match(sArg(a[0])) != neg), nil
	})
}
