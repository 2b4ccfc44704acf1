package engine

// vec is one column's data. Exactly one payload slice is used, chosen by k:
// s for string/guid, i for bool/int/long/datetime/timespan, f for real,
// d for dynamic. null (nil when no cell is null) marks null cells; strings
// are never null. A constant vec (cst) has payload length 1 and broadcasts.
type vec struct {
	k    kind
	n    int
	cst  bool
	s    []string
	i    []int64
	f    []float64
	d    []any
	null []bool
	// src and sel make a lazy gather: the column is src's rows sel (-1 is a
	// null cell), copied only when first read. Filters and joins thereby
	// never copy the columns a query does not use.
	src *vec
	sel []int32
}

// force performs a pending lazy gather in place.
func (v *vec) force() *vec {
	if v.src != nil {
		g := gather(v.src, v.sel)
		v.s, v.i, v.f, v.d, v.null = g.s, g.i, g.f, g.d, g.null
		v.src, v.sel = nil, nil
	}
	return v
}

func (v *vec) at(i int) int {
	if v.cst {
		return 0
	}
	return i
}

func (v *vec) isNull(i int) bool {
	if v.src != nil {
		v.force()
	}
	if v.null == nil {
		return false
	}
	return v.null[v.at(i)]
}

// get returns cell i as a value.
func (v *vec) get(i int) value {
	if v.src != nil {
		v.force()
	}
	j := v.at(i)
	if v.null != nil && v.null[j] {
		return nullOf(v.k)
	}
	switch v.k {
	case kString, kGuid:
		return value{k: v.k, s: v.s[j]}
	case kReal:
		return value{k: kReal, f: v.f[j]}
	case kDynamic:
		return dynV(v.d[j])
	case kNull:
		return nullValue
	}
	return value{k: v.k, i: v.i[j]}
}

// constVec broadcasts one value over n rows.
func constVec(x value, n int) *vec {
	b := newBuilder(x.k, 1)
	b.add(x)
	v := b.build()
	v.cst = true
	v.n = n
	return v
}

// materialize turns a constant vec into a full one.
func (v *vec) materialize() *vec {
	if !v.cst {
		return v.force()
	}
	idx := make([]int32, v.n)
	return v.take(idx)
}

// take returns rows idx (indices into v; -1 gives a null cell) as a lazy
// gather; constant vecs stay constant.
func (v *vec) take(idx []int32) *vec {
	if v.cst {
		out := *v
		out.n = len(idx)
		if hasMissing(idx) && (v.null == nil || !v.null[0]) {
			return gather(v, idx)
		}
		return &out
	}
	if v.src != nil {
		sel := make([]int32, len(idx))
		for j, r := range idx {
			if r < 0 {
				sel[j] = -1
			} else {
				sel[j] = v.sel[r]
			}
		}
		return &vec{k: v.k, n: len(idx), src: v.src, sel: sel}
	}
	return &vec{k: v.k, n: len(idx), src: v, sel: idx}
}

// takeOuter is take; kept as a name for the join and arg_max call sites
// where -1 (no matching row) is expected.
func (v *vec) takeOuter(idx []int32) *vec { return v.take(idx) }

func hasMissing(idx []int32) bool {
	for _, r := range idx {
		if r < 0 {
			return true
		}
	}
	return false
}

// gather copies rows sel of src (-1 gives null) into a new full vec.
func gather(src *vec, sel []int32) *vec {
	src.force()
	n := len(sel)
	out := &vec{k: src.k, n: n}
	var null []bool
	if src.null != nil || (src.k != kString && hasMissing(sel)) {
		null = make([]bool, n)
	}
	pos := func(r int32) int32 {
		if src.cst {
			return 0
		}
		return r
	}
	switch src.k {
	case kString, kGuid:
		out.s = make([]string, n)
		for j, r := range sel {
			if r >= 0 {
				out.s[j] = src.s[pos(r)]
			}
		}
	case kReal:
		out.f = make([]float64, n)
		for j, r := range sel {
			if r >= 0 {
				out.f[j] = src.f[pos(r)]
			}
		}
	case kDynamic:
		out.d = make([]any, n)
		for j, r := range sel {
			if r >= 0 {
				out.d[j] = src.d[pos(r)]
			}
		}
	case kNull:
	default:
		out.i = make([]int64, n)
		for j, r := range sel {
			if r >= 0 {
				out.i[j] = src.i[pos(r)]
			}
		}
	}
	if null != nil {
		for j, r := range sel {
			null[j] = r < 0 || (src.null != nil && src.null[pos(r)])
		}
		if src.k == kString {
			null = nil
		}
		out.null = null
	}
	if src.k == kNull {
		out.null = allNull(n, kNull)
	}
	return out
}

func allNull(n int, k kind) []bool {
	if k == kString {
		return nil
	}
	m := make([]bool, n)
	for i := range m {
		m[i] = true
	}
	return m
}

// builder accumulates values into a vec of one kind. A builder started as
// kNull adopts the kind of the first non-null value; conflicting kinds
// promote (int/long to real) or fall back to dynamic.
type builder struct {
	v       *vec
	anyNull bool
}

func newBuilder(k kind, capHint int) *builder {
	v := &vec{k: k}
	switch k {
	case kString, kGuid:
		v.s = make([]string, 0, capHint)
	case kReal:
		v.f = make([]float64, 0, capHint)
	case kDynamic:
		v.d = make([]any, 0, capHint)
	case kNull:
	default:
		v.i = make([]int64, 0, capHint)
	}
	v.null = make([]bool, 0, capHint)
	return &builder{v: v}
}

func (b *builder) add(x value) {
	v := b.v
	if x.k != v.k {
		x = b.reconcile(x)
		v = b.v
	}
	isNull := x.null && v.k != kString
	v.null = append(v.null, isNull)
	if isNull {
		b.anyNull = true
	}
	switch v.k {
	case kString, kGuid:
		v.s = append(v.s, x.s)
	case kReal:
		v.f = append(v.f, x.f)
	case kDynamic:
		v.d = append(v.d, x.d)
	case kNull:
	default:
		v.i = append(v.i, x.i)
	}
	v.n++
}

// reconcile makes x fit the builder, changing the builder's kind if needed.
func (b *builder) reconcile(x value) value {
	v := b.v
	switch {
	case x.k == kNull:
		return nullOf(v.k)
	case v.k == kNull:
		b.retype(x.k)
		return x
	case x.null:
		return nullOf(v.k)
	case v.k == kReal && x.k.numeric():
		return convertTo(x, kReal)
	case v.k == kLong && x.k == kInt, v.k == kInt && x.k == kLong:
		if v.k == kInt {
			v.k = kLong
		}
		return value{k: v.k, i: x.i}
	case (v.k == kInt || v.k == kLong) && x.k == kReal:
		b.retype(kReal)
		return x
	case v.k == kDynamic:
		return dynV(toDyn(x))
	}
	b.retype(kDynamic)
	return dynV(toDyn(x))
}

// retype converts everything built so far to kind k.
func (b *builder) retype(k kind) {
	old := b.v
	nb := newBuilder(k, cap(old.null))
	for i := 0; i < old.n; i++ {
		x := old.get(i)
		if x.null || old.k == kNull {
			nb.add(nullOf(k))
		} else if k == kDynamic {
			nb.add(dynV(toDyn(x)))
		} else {
			nb.add(convertTo(x, k))
		}
	}
	b.v = nb.v
	b.anyNull = nb.anyNull
}

func (b *builder) build() *vec {
	v := b.v
	if !b.anyNull {
		v.null = nil
	}
	if v.k == kNull {
		v.null = allNull(v.n, kNull)
	}
	return v
}

// concatVecs appends vecs (each with its own kind) into one vec of kind k.
func concatVecs(k kind, parts []*vec) *vec {
	total := 0
	for _, p := range parts {
		total += p.n
	}
	b := newBuilder(k, total)
	for _, p := range parts {
		if p == nil {
			continue
		}
		for i := 0; i < p.n; i++ {
			b.add(p.get(i))
		}
	}
	return b.build()
}

// nullVec is n nulls of kind k.
func nullVec(k kind, n int) *vec {
	return constVec(nullOf(k), n)
}
