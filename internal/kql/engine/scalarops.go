package engine

import (
	"fmt"
	"math"
	"strings"
)

// unwrapDyn turns a dynamic scalar leaf into its typed value so that
// arithmetic and comparisons on parse_json(...).x work as in Kusto.
func unwrapDyn(v value) value {
	if v.k == kDynamic && !v.null {
		return dynToValue(v.d)
	}
	return v
}

// arith applies + - * / % with KQL's type rules; nulls propagate.
func arith(op string, a, b value) (value, error) {
	a, b = unwrapDyn(a), unwrapDyn(b)
	rk := arithKind(op, a.k, b.k)
	if rk == kNull {
		if a.null || b.null || a.k == kNull || b.k == kNull {
			return nullValue, nil
		}
		return nullValue, fmt.Errorf("operator %s: cannot apply to %s and %s", op, a.k, b.k)
	}
	if a.null || b.null {
		return nullOf(rk), nil
	}
	switch {
	case rk == kReal:
		x, _ := toReal(a).asFloat()
		y, _ := toReal(b).asFloat()
		return realV(realArith(op, x, y)), nil
	case rk == kLong || rk == kInt:
		r, ok := longArith(op, a.i, b.i)
		if !ok {
			return nullOf(rk), nil
		}
		return value{k: rk, i: r}, nil
	}
	return timeArith(op, a, b, rk)
}

// arithKind is the result kind of a op b (kNull when the combination is invalid).
func arithKind(op string, a, b kind) kind {
	switch {
	case a.numeric() && b.numeric():
		if a == kReal || b == kReal {
			return kReal
		}
		if a == kInt && b == kInt {
			return kInt
		}
		return kLong
	case a == kDatetime && b == kDatetime && op == "-":
		return kTimespan
	case a == kDatetime && b == kTimespan && (op == "+" || op == "-"):
		return kDatetime
	case a == kTimespan && b == kDatetime && op == "+":
		return kDatetime
	case a == kTimespan && b == kTimespan:
		switch op {
		case "+", "-", "%":
			return kTimespan
		case "/":
			return kReal
		}
	case a == kTimespan && b.numeric() && (op == "*" || op == "/"):
		return kTimespan
	case a.numeric() && b == kTimespan && op == "*":
		return kTimespan
	}
	return kNull
}

func realArith(op string, x, y float64) float64 {
	switch op {
	case "+":
		return x + y
	case "-":
		return x - y
	case "*":
		return x * y
	case "/":
		return x / y
	case "%":
		return math.Mod(x, y)
	}
	return math.NaN()
}

func longArith(op string, x, y int64) (int64, bool) {
	switch op {
	case "+":
		return x + y, true
	case "-":
		return x - y, true
	case "*":
		return x * y, true
	case "/":
		if y == 0 || (x == math.MinInt64 && y == -1) {
			return 0, false
		}
		return x / y, true
	case "%":
		if y == 0 || y == -1 {
			return 0, y == -1
		}
		return x % y, true
	}
	return 0, false
}

func timeArith(op string, a, b value, rk kind) (value, error) {
	switch {
	case a.k == kTimespan && b.k == kTimespan && op == "/":
		return realV(float64(a.i) / float64(b.i)), nil
	case a.k == kTimespan && b.k.numeric():
		f, _ := b.asFloat()
		if op == "*" {
			return tsV(int64(float64(a.i) * f)), nil
		}
		if f == 0 {
			return nullOf(kTimespan), nil
		}
		return tsV(int64(float64(a.i) / f)), nil
	case a.k.numeric() && b.k == kTimespan:
		f, _ := a.asFloat()
		return tsV(int64(f * float64(b.i))), nil
	}
	r, ok := longArith(op, a.i, b.i)
	if !ok {
		return nullOf(rk), nil
	}
	if rk == kDatetime && (r < 0 || r > maxDatetimeTick) {
		return nullOf(kDatetime), nil
	}
	return value{k: rk, i: r}, nil
}

// compare orders two non-null values of comparable kinds: -1, 0, 1; ok false
// when the kinds cannot be compared.
func compare(a, b value) (int, bool) {
	a, b = unwrapDyn(a), unwrapDyn(b)
	switch {
	case a.k.numeric() && b.k.numeric():
		if a.k != kReal && b.k != kReal {
			return cmp3(a.i, b.i), true
		}
		x, _ := a.asFloat()
		y, _ := b.asFloat()
		return cmpFloat(x, y), true
	case a.k == b.k:
		switch a.k {
		case kString, kGuid:
			return strings.Compare(a.s, b.s), true
		case kBool, kDatetime, kTimespan:
			return cmp3(a.i, b.i), true
		case kDynamic:
			return strings.Compare(dynJSON(a.d), dynJSON(b.d)), true
		}
	case a.k == kGuid && b.k == kString, a.k == kString && b.k == kGuid:
		return strings.Compare(strings.ToLower(a.s), strings.ToLower(b.s)), true
	}
	return 0, false
}

func cmp3(x, y int64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	case x == y:
		return 0
	case math.IsNaN(x) && !math.IsNaN(y):
		return -1
	case !math.IsNaN(x) && math.IsNaN(y):
		return 1
	}
	return 0
}

// equalValues is == for the generic path (strings case-sensitive).
func equalValues(a, b value) value {
	if a.null || b.null {
		if a.null && b.null {
			return nullOf(kBool)
		}
		return boolV(false)
	}
	a, b = unwrapDyn(a), unwrapDyn(b)
	if a.k == kDynamic || b.k == kDynamic {
		return boolV(a.k == b.k && dynEqual(a.d, b.d))
	}
	c, ok := compare(a, b)
	return boolV(ok && c == 0)
}

// compareOp evaluates ==, !=, <, <=, >, >=, =~, !~ with KQL null rules.
func compareOp(op string, a, b value) value {
	switch op {
	case "==":
		return equalValues(a, b)
	case "!=":
		r := equalValues(a, b)
		if r.null {
			return r
		}
		return boolV(r.i == 0)
	case "=~", "!~":
		a, b = unwrapDyn(a), unwrapDyn(b)
		eq := strings.EqualFold(toStringValue(a), toStringValue(b))
		return boolV(eq == (op == "=~"))
	}
	if a.null || b.null {
		return nullOf(kBool)
	}
	c, ok := compare(a, b)
	if !ok {
		return nullOf(kBool)
	}
	switch op {
	case "<":
		return boolV(c < 0)
	case "<=":
		return boolV(c <= 0)
	case ">":
		return boolV(c > 0)
	case ">=":
		return boolV(c >= 0)
	}
	return nullOf(kBool)
}

// logicAnd and logicOr implement three-valued logic (null = unknown).
func logicAnd(a, b value) value {
	af, bf := isFalse(a), isFalse(b)
	if af || bf {
		return boolV(false)
	}
	if a.null || b.null {
		return nullOf(kBool)
	}
	return boolV(true)
}

func logicOr(a, b value) value {
	if a.truthy() || b.truthy() {
		return boolV(true)
	}
	if a.null || b.null {
		return nullOf(kBool)
	}
	return boolV(false)
}

func isFalse(v value) bool {
	v = unwrapDyn(v)
	return !v.null && v.k == kBool && v.i == 0
}

func asBoolValue(v value) value {
	v = unwrapDyn(v)
	if v.null || v.k == kBool {
		return v
	}
	return toBool(v)
}
