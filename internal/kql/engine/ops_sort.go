package engine

import (
	"fmt"
	"sort"
	"strings"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

// sortCol is one evaluated ordering key.
type sortCol struct {
	v          *vec
	desc       bool
	nullsFirst bool
}

func (s *sortCol) cmp(i, j int) int {
	v := s.v
	ni, nj := v.isNull(i), v.isNull(j)
	if ni || nj {
		if ni && nj {
			return 0
		}
		// null placement is independent of the direction
		if ni == s.nullsFirst {
			return -1
		}
		return 1
	}
	var c int
	switch v.k {
	case kString, kGuid:
		c = strings.Compare(v.s[v.at(i)], v.s[v.at(j)])
	case kReal:
		c = cmpFloat(v.f[v.at(i)], v.f[v.at(j)])
	case kDynamic:
		c, _ = compare(v.get(i), v.get(j))
	case kNull:
		c = 0
	default:
		c = cmp3(v.i[v.at(i)], v.i[v.at(j)])
	}
	if s.desc {
		return -c
	}
	return c
}

func (r *runner) sortCols(keys []*syntax.SortKey, t *Table, sc *scope) ([]sortCol, error) {
	out := make([]sortCol, len(keys))
	for i, k := range keys {
		v, err := r.eval(k.X, &env{t: t, sc: sc})
		if err != nil {
			return nil, err
		}
		desc := !strings.EqualFold(k.Order, "asc")
		nullsFirst := !desc
		switch strings.ToLower(k.Nulls) {
		case "first":
			nullsFirst = true
		case "last":
			nullsFirst = false
		}
		out[i] = sortCol{v: v, desc: desc, nullsFirst: nullsFirst}
	}
	return out, nil
}

func less(cols []sortCol, i, j int32) bool {
	for k := range cols {
		if c := cols[k].cmp(int(i), int(j)); c != 0 {
			return c < 0
		}
	}
	return false
}

func (r *runner) opSort(keys []*syntax.SortKey, t *Table, sc *scope) (*Table, error) {
	cols, err := r.sortCols(keys, t, sc)
	if err != nil {
		return nil, err
	}
	idx := make([]int32, t.n)
	for i := range idx {
		idx[i] = int32(i)
	}
	if err := r.stableSort(idx, cols); err != nil {
		return nil, err
	}
	return t.take(idx), nil
}

// sortStop carries a budget error out of a sort comparator.
type sortStop struct{ err error }

// stableSort sorts row indices by cols, counting comparisons as steps so a
// deadline stops a long sort.
func (r *runner) stableSort(idx []int32, cols []sortCol) (err error) {
	defer func() {
		if p := recover(); p != nil {
			s, ok := p.(sortStop)
			if !ok {
				panic(p)
			}
			err = s.err
		}
	}()
	n := 0
	sort.SliceStable(idx, func(a, b int) bool {
		if n++; n&0xfff == 0 {
			if err := r.tick(0x1000); err != nil {
				panic(sortStop{err})
			}
		}
		return less(cols, idx[a], idx[b])
	})
	return nil
}

func (r *runner) opTop(count syntax.Expr, keys []*syntax.SortKey, t *Table, sc *scope) (*Table, error) {
	n, err := r.constInt(count, sc, "top")
	if err != nil {
		return nil, err
	}
	cols, err := r.sortCols(keys, t, sc)
	if err != nil {
		return nil, err
	}
	idx, err := r.topN(cols, t.n, n)
	if err != nil {
		return nil, err
	}
	return t.take(idx), nil
}

// topN returns the indices of the first n rows in sort order, selecting
// with a bounded heap so that a small top over a large table stays linear.
func (r *runner) topN(cols []sortCol, rows, n int) ([]int32, error) {
	if n >= rows/4 {
		idx := make([]int32, rows)
		for i := range idx {
			idx[i] = int32(i)
		}
		if err := r.stableSort(idx, cols); err != nil {
			return nil, err
		}
		return idx[:min(n, rows)], nil
	}
	if n == 0 {
		return nil, nil
	}
	// worse(a, b): a sorts after b (ties broken by row number for stability)
	worse := func(a, b int32) bool {
		if less(cols, b, a) {
			return true
		}
		if less(cols, a, b) {
			return false
		}
		return a > b
	}
	// With one integer-like key and no nulls, most rows lose to the heap's
	// worst element on a plain comparison (ties lose too: a later row sorts after).
	var fastSkip func(row, worst int32) bool
	if c := cols[0]; len(cols) == 1 && c.v.null == nil && !c.v.cst && usesInt(c.v.k) {
		xs := c.v.i
		if c.desc {
			fastSkip = func(row, worst int32) bool { return xs[row] <= xs[worst] }
		} else {
			fastSkip = func(row, worst int32) bool { return xs[row] >= xs[worst] }
		}
	}
	h := make([]int32, 0, n) // max-heap by "worse"
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			m := l
			if rgt := l + 1; rgt < len(h) && worse(h[rgt], h[l]) {
				m = rgt
			}
			if !worse(h[m], h[i]) {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for i := 0; i < rows; i++ {
		if i&0x3fff == 0 {
			if err := r.tick(min(0x4000, rows-i)); err != nil {
				return nil, err
			}
		}
		row := int32(i)
		if len(h) < n {
			h = append(h, row)
			for c := len(h) - 1; c > 0; {
				p := (c - 1) / 2
				if !worse(h[c], h[p]) {
					break
				}
				h[c], h[p] = h[p], h[c]
				c = p
			}
			continue
		}
		if fastSkip != nil && fastSkip(row, h[0]) {
			continue
		}
		if worse(h[0], row) {
			h[0] = row
			down(0)
		}
	}
	sort.Slice(h, func(a, b int) bool { return worse(h[b], h[a]) })
	return h, nil
}

func (r *runner) opDistinct(cols []syntax.Expr, t *Table, sc *scope) (*Table, error) {
	var names []string
	var keys []*vec
	if len(cols) == 1 {
		if id, ok := cols[0].(*syntax.Ident); ok && id.Name == "*" {
			names, keys = t.cols, t.data
			for _, k := range keys {
				k.force()
			}
		}
	}
	if keys == nil {
		for _, c := range cols {
			v, err := r.eval(c, &env{t: t, sc: sc})
			if err != nil {
				return nil, err
			}
			name := exprName(c)
			if name == "" {
				return nil, fmt.Errorf("engine: distinct expects column names")
			}
			names = append(names, name)
			keys = append(keys, resize(v, t.n))
		}
	}
	g := newGrouper(keys)
	if _, err := r.assignWithin(g, t.n, "distinct"); err != nil {
		return nil, err
	}
	data := make([]*vec, len(keys))
	for j, k := range keys {
		data[j] = k.take(g.first)
	}
	return newTable("", names, data, len(g.first)), nil
}
