package engine

import (
	"hash/maphash"
	"math"
)

var dcountSeed = maphash.MakeSeed()

// aggregator accumulates one aggregate over groups. update sees every input
// row with its group id; result returns one cell per group.
type aggregator interface {
	update(gids []int32, ng int, args []*vec) error
	result(ng int) *vec
}

// aggSpec describes a built-in aggregation function.
type aggSpec struct {
	min, max int
	// prefix names the output column: prefix + "_" + column (count → "count_").
	prefix string
	// predArg is the index of an *if predicate argument (-1 if none).
	predArg int
	make    func(kinds []kind, consts []value) aggregator
}

func regAgg(names string, min, max int, prefix string, predArg int, mk func([]kind, []value) aggregator) {
	s := &aggSpec{min: min, max: max, prefix: prefix, predArg: predArg, make: mk}
	for _, n := range splitNames(names) {
		aggTable[n] = s
	}
}

func splitNames(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

func registerAggs() {
	regAgg("count", 0, 1, "count", -1, func([]kind, []value) aggregator { return &countAgg{} })
	regAgg("countif", 1, 1, "countif", 0, func([]kind, []value) aggregator { return &countAgg{pred: true} })
	regAgg("dcount,count_distinct", 1, 2, "dcount", -1, func([]kind, []value) aggregator { return &dcountAgg{} })
	regAgg("dcountif,count_distinctif", 2, 3, "dcountif", 1, func([]kind, []value) aggregator { return &dcountAgg{pred: 1} })
	regAgg("sum", 1, 1, "sum", -1, func(k []kind, _ []value) aggregator { return newSumAgg(k[0], -1) })
	regAgg("sumif", 2, 2, "sumif", 1, func(k []kind, _ []value) aggregator { return newSumAgg(k[0], 1) })
	regAgg("avg", 1, 1, "avg", -1, func(k []kind, _ []value) aggregator { return &avgAgg{pred: -1, k: k[0]} })
	regAgg("avgif", 2, 2, "avgif", 1, func(k []kind, _ []value) aggregator { return &avgAgg{pred: 1, k: k[0]} })
	regAgg("min", 1, 1, "min", -1, func(k []kind, _ []value) aggregator { return &extremeAgg{k: k[0], sign: -1, pred: -1} })
	regAgg("max", 1, 1, "max", -1, func(k []kind, _ []value) aggregator { return &extremeAgg{k: k[0], sign: 1, pred: -1} })
	regAgg("minif", 2, 2, "minif", 1, func(k []kind, _ []value) aggregator { return &extremeAgg{k: k[0], sign: -1, pred: 1} })
	regAgg("maxif", 2, 2, "maxif", 1, func(k []kind, _ []value) aggregator { return &extremeAgg{k: k[0], sign: 1, pred: 1} })
	regAgg("take_any,any", 1, 64, "any", -1, func(k []kind, _ []value) aggregator { return &anyAgg{k: k[0], pred: -1} })
	regAgg("take_anyif,anyif", 2, 2, "anyif", 1, func(k []kind, _ []value) aggregator { return &anyAgg{k: k[0], pred: 1} })
	mkColl := func(set bool, pred int, legacy bool) func([]kind, []value) aggregator {
		return func(_ []kind, c []value) aggregator {
			limit := 1048576
			if legacy {
				limit = 128
			}
			idx := 1
			if pred >= 0 {
				idx = 2
			}
			if idx < len(c) {
				if n, ok := iArg(c[idx]); ok && n > 0 {
					limit = int(n)
				}
			}
			return &collectAgg{set: set, pred: pred, limit: limit}
		}
	}
	regAgg("make_set", 1, 2, "set", -1, mkColl(true, -1, false))
	regAgg("makeset", 1, 2, "set", -1, mkColl(true, -1, true))
	regAgg("make_set_if", 2, 3, "set", 1, mkColl(true, 1, false))
	regAgg("make_list,make_list_with_nulls", 1, 2, "list", -1, mkColl(false, -1, false))
	regAgg("makelist", 1, 2, "list", -1, mkColl(false, -1, true))
	regAgg("make_list_if", 2, 3, "list", 1, mkColl(false, 1, false))
	regAgg("make_bag,make_dictionary", 1, 2, "bag", -1, func([]kind, []value) aggregator { return &bagAgg{pred: -1} })
	regAgg("make_bag_if", 2, 3, "bag", 1, func([]kind, []value) aggregator { return &bagAgg{pred: 1} })
	regAgg("stdev", 1, 1, "stdev", -1, func([]kind, []value) aggregator { return &varAgg{sample: true, sqrt: true, pred: -1} })
	regAgg("stdevif", 2, 2, "stdevif", 1, func([]kind, []value) aggregator { return &varAgg{sample: true, sqrt: true, pred: 1} })
	regAgg("stdevp", 1, 1, "stdevp", -1, func([]kind, []value) aggregator { return &varAgg{sqrt: true, pred: -1} })
	regAgg("variance", 1, 1, "variance", -1, func([]kind, []value) aggregator { return &varAgg{sample: true, pred: -1} })
	regAgg("varianceif", 2, 2, "varianceif", 1, func([]kind, []value) aggregator { return &varAgg{sample: true, pred: 1} })
	regAgg("variancep", 1, 1, "variancep", -1, func([]kind, []value) aggregator { return &varAgg{pred: -1} })
	regAgg("percentile", 2, 2, "percentile", -1, func(k []kind, c []value) aggregator {
		return &pctAgg{k: k[0], ps: pctList(c[1:])}
	})
	regAgg("percentiles", 2, 64, "percentile", -1, func(k []kind, c []value) aggregator {
		return &pctAgg{k: k[0], ps: pctList(c[1:])}
	})
	regAgg("percentiles_array", 2, 64, "percentiles", -1, func(k []kind, c []value) aggregator {
		return &pctAgg{k: k[0], ps: pctList(c[1:]), asArray: true}
	})
	regAgg("arg_max,argmax", 1, 64, "max", -1, func(k []kind, _ []value) aggregator { return &argAgg{sign: 1} })
	regAgg("arg_min,argmin", 1, 64, "min", -1, func(k []kind, _ []value) aggregator { return &argAgg{sign: -1} })
}

func pctList(c []value) []float64 {
	var out []float64
	for _, v := range c {
		if arr, ok := asArray(v); ok {
			for _, x := range arr {
				if f, ok := dynToValue(x).asFloat(); ok {
					out = append(out, f)
				}
			}
			continue
		}
		if f, ok := fArg(v); ok {
			out = append(out, f)
		}
	}
	return out
}

// predOK reports whether an *if predicate holds for row i.
func predOK(args []*vec, pred, i int) bool {
	if pred < 0 {
		return true
	}
	return asBoolValue(args[pred].get(i)).truthy()
}

func grow[T any](s []T, n int) []T {
	for len(s) < n {
		var zero T
		s = append(s, zero)
	}
	return s
}

type countAgg struct {
	pred bool
	c    []int64
}

func (a *countAgg) update(gids []int32, ng int, args []*vec) error {
	a.c = grow(a.c, ng)
	switch {
	case a.pred:
		p := args[0]
		if p.k == kBool && !p.cst && p.null == nil {
			for i, g := range gids {
				a.c[g] += p.i[i]
			}
			return nil
		}
		for i, g := range gids {
			if asBoolValue(p.get(i)).truthy() {
				a.c[g]++
			}
		}
	case len(args) == 1:
		for i, g := range gids {
			if !args[0].isNull(i) {
				a.c[g]++
			}
		}
	default:
		for _, g := range gids {
			a.c[g]++
		}
	}
	return nil
}

func (a *countAgg) result(ng int) *vec {
	a.c = grow(a.c, ng)
	return &vec{k: kLong, n: ng, i: a.c[:ng]}
}

// dcountAgg counts distinct values per group through 64-bit hashes of
// their keys (collisions are vanishingly rare; Kusto's own dcount is an
// estimate with a larger error).
type dcountAgg struct {
	pred int
	sets []map[uint64]struct{}
}

func (a *dcountAgg) update(gids []int32, ng int, args []*vec) error {
	a.sets = grow(a.sets, ng)
	x := args[0]
	for i, g := range gids {
		if a.pred > 0 && !predOK(args, a.pred, i) {
			continue
		}
		var key uint64
		if x.k == kString && !x.cst {
			key = maphash.String(dcountSeed, x.s[i])
		} else {
			k, ok := inKey(x.get(i), false)
			if !ok {
				continue
			}
			key = maphash.String(dcountSeed, k)
		}
		m := a.sets[g]
		if m == nil {
			m = map[uint64]struct{}{}
			a.sets[g] = m
		}
		m[key] = struct{}{}
	}
	return nil
}

func (a *dcountAgg) result(ng int) *vec {
	a.sets = grow(a.sets, ng)
	out := make([]int64, ng)
	for g, m := range a.sets[:ng] {
		out[g] = int64(len(m))
	}
	return &vec{k: kLong, n: ng, i: out}
}

type sumAgg struct {
	k    kind
	pred int
	i    []int64
	f    []float64
	seen []bool
}

func newSumAgg(k kind, pred int) *sumAgg {
	switch k {
	case kInt, kLong, kBool:
		k = kLong
	case kTimespan:
	default:
		k = kReal
	}
	return &sumAgg{k: k, pred: pred}
}

func (a *sumAgg) update(gids []int32, ng int, args []*vec) error {
	a.i, a.f, a.seen = grow(a.i, ng), grow(a.f, ng), grow(a.seen, ng)
	x := args[0]
	for i, g := range gids {
		if x.isNull(i) || !predOK(args, a.pred, i) {
			continue
		}
		a.seen[g] = true
		if a.k == kReal {
			f, _ := unwrapDyn(x.get(i)).asFloat()
			a.f[g] += f
		} else {
			a.i[g] += x.i[x.at(i)]
		}
	}
	return nil
}

func (a *sumAgg) result(ng int) *vec {
	a.i, a.f, a.seen = grow(a.i, ng), grow(a.f, ng), grow(a.seen, ng)
	b := newBuilder(a.k, ng)
	for g := 0; g < ng; g++ {
		switch {
		case !a.seen[g]:
			b.add(nullOf(a.k))
		case a.k == kReal:
			b.add(realV(a.f[g]))
		default:
			b.add(value{k: a.k, i: a.i[g]})
		}
	}
	return b.build()
}

type avgAgg struct {
	k    kind
	pred int
	sum  []float64
	n    []int64
}

func (a *avgAgg) update(gids []int32, ng int, args []*vec) error {
	a.sum, a.n = grow(a.sum, ng), grow(a.n, ng)
	x := args[0]
	for i, g := range gids {
		if x.isNull(i) || !predOK(args, a.pred, i) {
			continue
		}
		v := unwrapDyn(x.get(i))
		f, ok := v.asFloat()
		if v.k == kDatetime || v.k == kTimespan {
			f, ok = float64(v.i), true
		}
		if ok {
			a.sum[g] += f
			a.n[g]++
		}
	}
	return nil
}

func (a *avgAgg) result(ng int) *vec {
	a.sum, a.n = grow(a.sum, ng), grow(a.n, ng)
	k := kReal
	if a.k == kDatetime || a.k == kTimespan {
		k = a.k
	}
	b := newBuilder(k, ng)
	for g := 0; g < ng; g++ {
		switch {
		case a.n[g] == 0:
			b.add(nullOf(k))
		case k == kReal:
			b.add(realV(a.sum[g] / float64(a.n[g])))
		default:
			b.add(value{k: k, i: int64(math.Round(a.sum[g] / float64(a.n[g])))})
		}
	}
	return b.build()
}

type extremeAgg struct {
	k    kind
	sign int
	pred int
	best []value
	set  []bool
}

func (a *extremeAgg) update(gids []int32, ng int, args []*vec) error {
	a.best, a.set = grow(a.best, ng), grow(a.set, ng)
	x := args[0]
	for i, g := range gids {
		if !predOK(args, a.pred, i) {
			continue
		}
		v := x.get(i)
		if v.null {
			continue
		}
		if !a.set[g] {
			a.best[g], a.set[g] = v, true
			continue
		}
		if c, ok := compare(v, a.best[g]); ok && c*a.sign > 0 {
			a.best[g] = v
		}
	}
	return nil
}

func (a *extremeAgg) result(ng int) *vec {
	a.best, a.set = grow(a.best, ng), grow(a.set, ng)
	b := newBuilder(a.k, ng)
	for g := 0; g < ng; g++ {
		if a.set[g] {
			b.add(a.best[g])
		} else {
			b.add(nullOf(a.k))
		}
	}
	return b.build()
}

type anyAgg struct {
	k    kind
	pred int
	v    []value
	set  []bool
}

func (a *anyAgg) update(gids []int32, ng int, args []*vec) error {
	a.v, a.set = grow(a.v, ng), grow(a.set, ng)
	for i, g := range gids {
		if a.set[g] || !predOK(args, a.pred, i) {
			continue
		}
		v := args[0].get(i)
		if v.null {
			continue
		}
		a.v[g], a.set[g] = v, true
	}
	return nil
}

func (a *anyAgg) result(ng int) *vec {
	a.v, a.set = grow(a.v, ng), grow(a.set, ng)
	b := newBuilder(a.k, ng)
	for g := 0; g < ng; g++ {
		if a.set[g] {
			b.add(a.v[g])
		} else {
			b.add(nullOf(a.k))
		}
	}
	return b.build()
}
