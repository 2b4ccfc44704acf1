package engine

import (
	"math"
)

func registerMath() {
	math1 := func(names string, f func(float64) float64) {
		register(names, 1, 1, fixed(kReal), true, func(_ *callCtx, a []value) (value, error) {
			x, ok := fArg(a[0])
			if !ok {
				return nullOf(kReal), nil
			}
			return realV(f(x)), nil
		})
	}
	math1("log", math.Log)
	math1("log10", math.Log10)
	math1("log2", math.Log2)
	math1("exp", math.Exp)
	math1("exp2", math.Exp2)
	math1("exp10", func(x float64) float64 { return math.Pow(10, x) })
	math1("sqrt", math.Sqrt)
	math1("cos", math.Cos)
	math1("sin", math.Sin)
	math1("tan", math.Tan)
	math1("acos", math.Acos)
	math1("asin", math.Asin)
	math1("atan", math.Atan)
	math1("degrees", func(x float64) float64 { return x * 180 / math.Pi })
	math1("radians", func(x float64) float64 { return x * math.Pi / 180 })
	math1("gamma", math.Gamma)
	register("pi", 0, 0, fixed(kReal), false, func(_ *callCtx, _ []value) (value, error) { return realV(math.Pi), nil })
	register("pow", 2, 2, fixed(kReal), true, func(_ *callCtx, a []value) (value, error) {
		x, ok1 := fArg(a[0])
		y, ok2 := fArg(a[1])
		if !ok1 || !ok2 {
			return nullOf(kReal), nil
		}
		return realV(math.Pow(x, y)), nil
	})
	register("abs", 1, 1, argKind(0), true, func(_ *callCtx, a []value) (value, error) {
		v := unwrapDyn(a[0])
		switch v.k {
		case kInt, kLong, kTimespan:
			if v.i < 0 {
				v.i = -v.i
			}
			return v, nil
		case kReal:
			return realV(math.Abs(v.f)), nil
		}
		return nullOf(kReal), nil
	})
	register("sign", 1, 1, argKind(0), true, func(_ *callCtx, a []value) (value, error) {
		v := unwrapDyn(a[0])
		switch v.k {
		case kInt, kLong:
			return value{k: v.k, i: int64(cmp3(v.i, 0))}, nil
		case kReal:
			return realV(float64(cmpFloat(v.f, 0))), nil
		}
		return nullOf(kReal), nil
	})
	register("ceiling", 1, 1, argKind(0), true, func(_ *callCtx, a []value) (value, error) {
		v := unwrapDyn(a[0])
		if v.k == kReal {
			return realV(math.Ceil(v.f)), nil
		}
		return v, nil
	})
	register("round", 1, 2, roundKind, true, fnRound)
	register("isnan", 1, 1, fixed(kBool), true, func(_ *callCtx, a []value) (value, error) {
		x, _ := fArg(a[0])
		return boolV(math.IsNaN(x)), nil
	})
	register("isinf", 1, 1, fixed(kBool), true, func(_ *callCtx, a []value) (value, error) {
		x, _ := fArg(a[0])
		return boolV(math.IsInf(x, 0)), nil
	})
	register("isfinite", 1, 1, fixed(kBool), true, func(_ *callCtx, a []value) (value, error) {
		x, _ := fArg(a[0])
		return boolV(!math.IsInf(x, 0) && !math.IsNaN(x)), nil
	})
	register("min_of", 1, 64, promoteArgs, false, extremeOf(-1))
	register("max_of", 1, 64, promoteArgs, false, extremeOf(1))
	r := register("rand", 0, 1, fixed(kReal), false, func(c *callCtx, a []value) (value, error) {
		f := c.rand()
		if len(a) == 1 {
			n, ok := iArg(a[0])
			if !ok || n <= 0 {
				return nullOf(kLong), nil
			}
			return longV(int64(f * float64(n))), nil
		}
		return realV(f), nil
	})
	r.volatile = true
	g := register("new_guid", 0, 0, fixed(kGuid), false, func(c *callCtx, _ []value) (value, error) {
		return guidV(c.newID()), nil
	})
	g.volatile = true
}

func roundKind(a []kind) kind {
	if len(a) > 0 && (a[0] == kInt || a[0] == kLong) {
		return a[0]
	}
	return kReal
}

// fnRound rounds half away from zero to a number of decimal places
// (negative places round to tens, hundreds ...).
func fnRound(_ *callCtx, a []value) (value, error) {
	v := unwrapDyn(a[0])
	p := int64(0)
	if len(a) == 2 {
		var ok bool
		if p, ok = iArg(a[1]); !ok {
			return nullOf(kReal), nil
		}
	}
	if v.k == kInt || v.k == kLong {
		if p >= 0 {
			return v, nil
		}
		m := math.Pow(10, float64(-p))
		return value{k: v.k, i: int64(math.Round(float64(v.i)/m) * m)}, nil
	}
	x, ok := v.asFloat()
	if !ok {
		return nullOf(kReal), nil
	}
	if p > 15 {
		return realV(x), nil
	}
	m := math.Pow(10, float64(p))
	return realV(math.Round(x*m) / m), nil
}

func promoteArgs(a []kind) kind {
	k := kNull
	for _, x := range a {
		k = promote(k, x)
	}
	return k
}

func extremeOf(sign int) func(*callCtx, []value) (value, error) {
	return func(_ *callCtx, a []value) (value, error) {
		var best value
		found := false
		k := kNull
		for _, v := range a {
			k = promote(k, v.k)
			if v.null {
				continue
			}
			if !found {
				best, found = v, true
				continue
			}
			if c, ok := compare(v, best); ok && c*sign > 0 {
				best = v
			}
		}
		if !found {
			return nullOf(k), nil
		}
		if k == kReal && best.k != kReal {
			return toReal(best), nil
		}
		return best, nil
	}
}
