package engine

import (
	"math"
	"sort"
)

type collectAgg struct {
	set   bool
	pred  int
	limit int
	lists [][]any
	seen  []map[string]struct{}
}

func (a *collectAgg) add(g int32, x any) {
	if len(a.lists[g]) >= a.limit {
		return
	}
	if a.set {
		if a.seen[g] == nil {
			a.seen[g] = map[string]struct{}{}
		}
		k := dynKey(x)
		if _, dup := a.seen[g][k]; dup {
			return
		}
		a.seen[g][k] = struct{}{}
	}
	a.lists[g] = append(a.lists[g], x)
}

func (a *collectAgg) update(gids []int32, ng int, args []*vec) error {
	a.lists, a.seen = grow(a.lists, ng), grow(a.seen, ng)
	for i, g := range gids {
		if !predOK(args, a.pred, i) {
			continue
		}
		v := args[0].get(i)
		if v.null {
			continue
		}
		if arr, ok := v.d.([]any); ok && v.k == kDynamic {
			for _, x := range arr {
				a.add(g, x)
			}
			continue
		}
		a.add(g, toDyn(v))
	}
	return nil
}

func (a *collectAgg) result(ng int) *vec {
	a.lists = grow(a.lists, ng)
	out := make([]any, ng)
	for g := range out {
		l := a.lists[g]
		if l == nil {
			l = []any{}
		}
		out[g] = l
	}
	return &vec{k: kDynamic, n: ng, d: out}
}

type bagAgg struct {
	pred int
	bags []map[string]any
}

func (a *bagAgg) update(gids []int32, ng int, args []*vec) error {
	a.bags = grow(a.bags, ng)
	for i, g := range gids {
		if !predOK(args, a.pred, i) {
			continue
		}
		m, ok := asBag(args[0].get(i))
		if !ok {
			continue
		}
		if a.bags[g] == nil {
			a.bags[g] = map[string]any{}
		}
		for k, v := range m {
			if _, dup := a.bags[g][k]; !dup {
				a.bags[g][k] = v
			}
		}
	}
	return nil
}

func (a *bagAgg) result(ng int) *vec {
	a.bags = grow(a.bags, ng)
	out := make([]any, ng)
	for g := range out {
		if a.bags[g] == nil {
			out[g] = map[string]any{}
		} else {
			out[g] = a.bags[g]
		}
	}
	return &vec{k: kDynamic, n: ng, d: out}
}

type varAgg struct {
	sample, sqrt bool
	pred         int
	vals         [][]float64
}

func (a *varAgg) update(gids []int32, ng int, args []*vec) error {
	a.vals = grow(a.vals, ng)
	for i, g := range gids {
		if !predOK(args, a.pred, i) {
			continue
		}
		if f, ok := unwrapDyn(args[0].get(i)).asFloat(); ok {
			a.vals[g] = append(a.vals[g], f)
		}
	}
	return nil
}

func (a *varAgg) result(ng int) *vec {
	a.vals = grow(a.vals, ng)
	b := newBuilder(kReal, ng)
	for g := 0; g < ng; g++ {
		xs := a.vals[g]
		n := float64(len(xs))
		if len(xs) == 0 || (a.sample && len(xs) == 1) {
			if len(xs) == 1 {
				b.add(realV(0))
			} else {
				b.add(nullOf(kReal))
			}
			continue
		}
		mean := 0.0
		for _, x := range xs {
			mean += x
		}
		mean /= n
		ss := 0.0
		for _, x := range xs {
			ss += (x - mean) * (x - mean)
		}
		d := n
		if a.sample {
			d = n - 1
		}
		v := ss / d
		if a.sqrt {
			v = math.Sqrt(v)
		}
		b.add(realV(v))
	}
	return b.build()
}

// pctAgg computes nearest-rank percentiles per group (one column per p).
type pctAgg struct {
	k       kind
	ps      []float64
	asArray bool
	vals    [][]value
}

func (a *pctAgg) update(gids []int32, ng int, args []*vec) error {
	a.vals = grow(a.vals, ng)
	for i, g := range gids {
		v := args[0].get(i)
		if !v.null {
			a.vals[g] = append(a.vals[g], unwrapDyn(v))
		}
	}
	return nil
}

// pick returns the nearest-rank percentile p of sorted vs.
func pick(vs []value, p float64) value {
	if len(vs) == 0 {
		return nullValue
	}
	rank := int(math.Ceil(p / 100 * float64(len(vs))))
	rank = max(1, min(rank, len(vs)))
	return vs[rank-1]
}

func (a *pctAgg) sorted(g int) []value {
	vs := a.vals[g]
	sort.SliceStable(vs, func(i, j int) bool {
		c, _ := compare(vs[i], vs[j])
		return c < 0
	})
	return vs
}

func (a *pctAgg) result(ng int) *vec { return a.results(ng)[0] }

func (a *pctAgg) results(ng int) []*vec {
	a.vals = grow(a.vals, ng)
	if a.asArray {
		b := newBuilder(kDynamic, ng)
		for g := 0; g < ng; g++ {
			vs := a.sorted(g)
			arr := make([]any, len(a.ps))
			for j, p := range a.ps {
				arr[j] = toDyn(pick(vs, p))
			}
			b.add(dynV(arr))
		}
		return []*vec{b.build()}
	}
	out := make([]*vec, len(a.ps))
	bs := make([]*builder, len(a.ps))
	for j := range bs {
		bs[j] = newBuilder(a.k, ng)
	}
	for g := 0; g < ng; g++ {
		vs := a.sorted(g)
		for j, p := range a.ps {
			v := pick(vs, p)
			if v.null {
				v = nullOf(a.k)
			}
			bs[j].add(v)
		}
	}
	for j, b := range bs {
		out[j] = b.build()
	}
	return out
}

// argAgg finds, per group, the row where args[0] is largest (sign 1) or
// smallest (-1); summarize then gathers the requested columns from it.
type argAgg struct {
	sign int
	best []value
	row  []int32
}

func (a *argAgg) update(gids []int32, ng int, args []*vec) error {
	for len(a.row) < ng {
		a.row = append(a.row, -1)
		a.best = append(a.best, value{})
	}
	x := args[0]
	for i, g := range gids {
		v := x.get(i)
		if v.null {
			if a.row[g] < 0 {
				a.row[g] = int32(i) // a group of only nulls still yields a row
				a.best[g] = v
			}
			continue
		}
		if a.row[g] < 0 || a.best[g].null {
			a.row[g], a.best[g] = int32(i), v
			continue
		}
		if c, ok := compare(v, a.best[g]); ok && c*a.sign > 0 {
			a.row[g], a.best[g] = int32(i), v
		}
	}
	return nil
}

func (a *argAgg) result(ng int) *vec {
	out := make([]int64, ng)
	for g := range out {
		out[g] = -1
		if g < len(a.row) {
			out[g] = int64(a.row[g])
		}
	}
	return &vec{k: kLong, n: ng, i: out}
}
