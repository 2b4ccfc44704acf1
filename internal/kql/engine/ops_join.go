package engine

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// joinKeys resolves a join's on-clause into left and right key column names.
func joinKeys(on []syntax.Expr) (left, right []string, err error) {
	var walk func(e syntax.Expr) error
	walk = func(e syntax.Expr) error {
		switch x := e.(type) {
		case *syntax.Ident:
			left, right = append(left, x.Name), append(right, x.Name)
			return nil
		case *syntax.Paren:
			return walk(x.X)
		case *syntax.Binary:
			if strings.EqualFold(x.Op, "and") {
				if err := walk(x.Left); err != nil {
					return err
				}
				return walk(x.Right)
			}
			if x.Op != "==" {
				return notSupported("join condition with operator %s (only equality)", x.Op)
			}
			ls, lc := sideCol(x.Left)
			rs, rc := sideCol(x.Right)
			switch {
			case ls == "$left" && rs == "$right":
				left, right = append(left, lc), append(right, rc)
			case ls == "$right" && rs == "$left":
				left, right = append(left, rc), append(right, lc)
			default:
				return fmt.Errorf("engine: join condition must compare $left.Column with $right.Column")
			}
			return nil
		}
		return fmt.Errorf("engine: unsupported join condition %T", e)
	}
	for _, e := range on {
		if err := walk(e); err != nil {
			return nil, nil, err
		}
	}
	if len(left) == 0 {
		return nil, nil, fmt.Errorf("engine: join needs an on clause")
	}
	return left, right, nil
}

func sideCol(e syntax.Expr) (string, string) {
	if m, ok := e.(*syntax.Member); ok {
		if id, ok := m.X.(*syntax.Ident); ok {
			return id.Name, m.Name.Name
		}
	}
	return "", ""
}

func keyVecs(t *Table, names []string, side string) ([]*vec, error) {
	out := make([]*vec, len(names))
	for i, n := range names {
		v := t.col(n)
		if v == nil {
			return nil, fmt.Errorf("engine: join: %s table has no column %q", side, n)
		}
		out[i] = v
	}
	return out, nil
}

// alignKeys converts dynamic keys to the other side's kind so that
// parse_json(...).x can join with a typed column.
func alignKeys(l, r []*vec) {
	for i := range l {
		a, b := l[i], r[i]
		switch {
		case a.k == b.k, intFamily(a.k, b.k):
		case a.k == kDynamic:
			l[i] = convertVec(a, b.k)
		case b.k == kDynamic:
			r[i] = convertVec(b, a.k)
		case a.k == kString || b.k == kString:
			l[i], r[i] = convertVec(a, kString), convertVec(b, kString)
		}
	}
}

func convertVec(v *vec, k kind) *vec {
	b := newBuilder(k, v.n)
	for i := 0; i < v.n; i++ {
		b.add(convertTo(v.get(i), k))
	}
	out := b.build()
	if out.k != k {
		return nullVec(k, v.n).materialize()
	}
	return out
}

// hashIndex maps each right-side key to its rows, in row order.
type hashIndex struct {
	g    *grouper
	head []int32
	next []int32
}

func buildIndex(keys []*vec, n int) *hashIndex {
	g := newGrouper(keys)
	gids := g.assign(n)
	h := &hashIndex{g: g, head: make([]int32, len(g.first)), next: make([]int32, n)}
	tail := make([]int32, len(g.first))
	for i := range h.head {
		h.head[i], tail[i] = -1, -1
	}
	for i := 0; i < n; i++ {
		h.next[i] = -1
		if hasNullKey(keys, i) {
			continue
		}
		gid := gids[i]
		if tail[gid] < 0 {
			h.head[gid] = int32(i)
		} else {
			h.next[tail[gid]] = int32(i)
		}
		tail[gid] = int32(i)
	}
	return h
}

func hasNullKey(keys []*vec, i int) bool {
	for _, k := range keys {
		if k.isNull(i) {
			return true
		}
	}
	return false
}

// probe returns the first matching right row of left row i, or -1.
func (h *hashIndex) probe(keys []*vec, i int) int32 {
	if hasNullKey(keys, i) {
		return -1
	}
	g := h.g.lookupIn(keys, i)
	if g < 0 {
		return -1
	}
	return h.head[g]
}

// joinInputs evaluates the right side and the key names of join and lookup.
func (r *runner) joinInputs(rightE syntax.Expr, on []syntax.Expr, sc *scope) (*Table, []string, []string, error) {
	right, err := r.evalTabular(rightE, sc)
	if err != nil {
		return nil, nil, nil, err
	}
	lnames, rnames, err := joinKeys(on)
	if err != nil {
		return nil, nil, nil, err
	}
	return right, lnames, rnames, nil
}

func (r *runner) opJoin(x *syntax.JoinOp, left *Table, sc *scope) (*Table, error) {
	right, lnames, rnames, err := r.joinInputs(x.Right, x.On, sc)
	if err != nil {
		return nil, err
	}
	kind := strings.ToLower(x.Kind)
	if kind == "" {
		kind = "innerunique"
	}
	return r.hashJoin(kind, left, right, lnames, rnames, false)
}

// hashJoin joins left and right on the named keys. dropRightKeys is the
// lookup behaviour (right key columns are not repeated).
func (r *runner) hashJoin(kind string, left, right *Table, lnames, rnames []string, dropRightKeys bool) (*Table, error) {
	lk, err := keyVecs(left, lnames, "left")
	if err != nil {
		return nil, err
	}
	rk, err := keyVecs(right, rnames, "right")
	if err != nil {
		return nil, err
	}
	alignKeys(lk, rk)
	switch kind {
	case "rightouter", "rightanti", "rightantisemi", "rightsemi":
		mirror := map[string]string{"rightouter": "leftouter", "rightanti": "leftanti", "rightantisemi": "leftanti", "rightsemi": "leftsemi"}[kind]
		li, ri, err := r.joinIndices(mirror, rk, lk, right.n, left.n, int64(len(left.cols)+len(right.cols)))
		if err != nil {
			return nil, err
		}
		if mirror != "leftouter" {
			return right.take(li), nil
		}
		return r.joinOutput(left, right, ri, li, lnames, rnames, dropRightKeys)
	}
	li, ri, err := r.joinIndices(kind, lk, rk, left.n, right.n, int64(len(left.cols)+len(right.cols)))
	if err != nil {
		return nil, err
	}
	switch kind {
	case "leftanti", "anti", "leftantisemi", "leftsemi":
		return left.take(li), nil
	}
	return r.joinOutput(left, right, li, ri, lnames, rnames, dropRightKeys)
}

// joinIndices computes matching row pairs; -1 marks the missing side of an outer row.
// cols is the output's column count, for the budget check as pairs accumulate.
func (r *runner) joinIndices(kind string, lk, rk []*vec, ln, rn int, cols int64) ([]int32, []int32, error) {
	h := buildIndex(rk, rn)
	var li, ri []int32
	var rightHit []bool
	if kind == "fullouter" {
		rightHit = make([]bool, rn)
	}
	var seenLeft *grouper
	if kind == "innerunique" {
		seenLeft = newGrouper(lk)
		seenLeft.byStr = map[string]int32{}
		seenLeft.byInt = nil
	}
	limit := r.opts.MaxIntermediateRows
	fit := int(min(r.m.rowsFit(cols, 4), int64(limit)))
	for i := 0; i < ln; i++ {
		if i&0x3fff == 0 {
			if err := r.tick(min(0x4000, ln-i)); err != nil {
				return nil, nil, err
			}
		}
		if seenLeft != nil {
			before := len(seenLeft.first)
			seenLeft.lookup(i, true)
			if len(seenLeft.first) == before {
				continue // innerunique keeps one left row per key
			}
		}
		m := h.probe(lk, i)
		switch kind {
		case "leftanti", "anti", "leftantisemi":
			if m < 0 {
				li = append(li, int32(i))
			}
			continue
		case "leftsemi":
			if m >= 0 {
				li = append(li, int32(i))
			}
			continue
		case "inner", "innerunique", "leftouter", "fullouter":
		default:
			return nil, nil, notSupported("join kind %s", kind)
		}
		if m < 0 && kind != "inner" && kind != "innerunique" {
			li, ri = append(li, int32(i)), append(ri, -1)
		}
		for ; m >= 0; m = h.next[m] {
			li, ri = append(li, int32(i)), append(ri, m)
			if rightHit != nil {
				rightHit[m] = true
			}
		}
		if len(li) > limit {
			return nil, nil, tooLarge("the join's output", "rows in one table", int64(limit))
		}
		if len(li) > fit {
			return nil, nil, r.m.needRows("the join's output", int64(len(li)), cols, 4)
		}
	}
	for j, hit := range rightHit {
		if !hit {
			li, ri = append(li, -1), append(ri, int32(j))
		}
	}
	return li, ri, nil
}

// joinOutput gathers left columns then right columns (renamed on clashes).
func (r *runner) joinOutput(left, right *Table, li, ri []int32, lnames, rnames []string, dropRightKeys bool) (*Table, error) {
	out := &Table{n: len(li)}
	if err := r.limitTable(&Table{n: len(li), cols: make([]string, len(left.cols)+len(right.cols))}, "join"); err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for j, c := range left.cols {
		out.cols = append(out.cols, c)
		out.data = append(out.data, left.data[j].takeOuter(li))
		used[c] = true
	}
	skip := map[string]bool{}
	if dropRightKeys {
		for _, n := range rnames {
			skip[n] = true
		}
	}
	for j, c := range right.cols {
		if skip[c] {
			continue
		}
		name := c
		if used[name] {
			name = autoName(used, c, 1)
		}
		used[name] = true
		out.cols = append(out.cols, name)
		out.data = append(out.data, right.data[j].takeOuter(ri))
	}
	return out, nil
}

func (r *runner) opLookup(x *syntax.LookupOp, left *Table, sc *scope) (*Table, error) {
	right, lnames, rnames, err := r.joinInputs(x.Right, x.On, sc)
	if err != nil {
		return nil, err
	}
	kind := strings.ToLower(x.Kind)
	switch kind {
	case "", "leftouter":
		kind = "leftouter"
	case "inner":
	default:
		return nil, notSupported("lookup kind %s", kind)
	}
	return r.hashJoin(kind, left, right, lnames, rnames, true)
}
