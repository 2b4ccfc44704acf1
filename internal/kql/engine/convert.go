package engine

import (
	"math"
	"strconv"
	"strings"
)

// convertTo converts v to kind k with KQL's to*() semantics; a failed
// conversion yields a null of k.
func convertTo(v value, k kind) value {
	if v.k == k && k != kInt {
		return v
	}
	if v.null {
		if k == kString {
			return strV("")
		}
		return nullOf(k)
	}
	if v.k == kDynamic {
		switch v.d.(type) {
		case []any, map[string]any:
			if k == kString {
				return strV(toStringValue(v))
			}
			return nullOf(k)
		}
		return convertTo(dynToValue(v.d), k)
	}
	switch k {
	case kString:
		return strV(toStringValue(v))
	case kBool:
		return toBool(v)
	case kInt:
		r := toLong(v)
		if r.null || r.i < -1<<31 || r.i > 1<<31-1 {
			return nullOf(kInt)
		}
		return intV(r.i)
	case kLong:
		return toLong(v)
	case kReal:
		return toReal(v)
	case kDatetime:
		if v.k == kString {
			if t, ok := parseDatetime(v.s); ok {
				return dtV(t)
			}
		}
		return nullOf(kDatetime)
	case kTimespan:
		switch v.k {
		case kString:
			if t, ok := parseTimespan(v.s); ok {
				return tsV(t)
			}
		case kInt, kLong:
			return tsV(v.i)
		case kReal:
			return tsV(int64(v.f))
		}
		return nullOf(kTimespan)
	case kGuid:
		if v.k == kString {
			if g, ok := parseGuid(v.s); ok {
				return guidV(g)
			}
		}
		return nullOf(kGuid)
	case kDynamic:
		if v.k == kString {
			return dynV(v.s)
		}
		return dynV(toDyn(v))
	}
	return nullOf(k)
}

func toBool(v value) value {
	switch v.k {
	case kBool:
		return v
	case kInt, kLong:
		return boolV(v.i != 0)
	case kReal:
		return boolV(v.f != 0)
	case kString:
		switch strings.ToLower(strings.TrimSpace(v.s)) {
		case "true", "1":
			return boolV(true)
		case "false", "0":
			return boolV(false)
		}
	}
	return nullOf(kBool)
}

func toLong(v value) value {
	switch v.k {
	case kBool, kInt, kLong, kDatetime, kTimespan:
		return longV(v.i)
	case kReal:
		if math.IsNaN(v.f) || math.IsInf(v.f, 0) {
			return nullOf(kLong)
		}
		return longV(int64(v.f))
	case kString:
		s := strings.TrimSpace(v.s)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return longV(n)
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return longV(int64(f))
		}
	}
	return nullOf(kLong)
}

func toReal(v value) value {
	switch v.k {
	case kBool, kInt, kLong, kDatetime, kTimespan:
		return realV(float64(v.i))
	case kReal:
		return v
	case kString:
		s := strings.TrimSpace(v.s)
		switch strings.ToLower(s) {
		case "nan":
			return realV(math.NaN())
		case "inf", "+inf", "infinity":
			return realV(math.Inf(1))
		case "-inf", "-infinity":
			return realV(math.Inf(-1))
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return realV(f)
		}
	}
	return nullOf(kReal)
}

// toStringValue renders a value the way KQL's tostring() does.
func toStringValue(v value) string {
	if v.null {
		return ""
	}
	switch v.k {
	case kString, kGuid:
		return v.s
	case kBool:
		if v.i != 0 {
			return "true"
		}
		return "false"
	case kInt, kLong:
		return strconv.FormatInt(v.i, 10)
	case kReal:
		return formatReal(v.f)
	case kDatetime:
		return formatDatetimeISO(v.i)
	case kTimespan:
		return formatTimespan(v.i)
	case kDynamic:
		if s, ok := v.d.(string); ok {
			return s
		}
		return dynJSON(v.d)
	}
	return ""
}

func formatReal(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	a := math.Abs(f)
	if a != 0 && (a < 1e-5 || a >= 1e15) {
		s := strconv.FormatFloat(f, 'E', -1, 64)
		return s
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func parseGuid(s string) (string, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	if len(s) == 32 {
		s = s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
	}
	if len(s) != 36 {
		return "", false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return "", false
			}
			continue
		}
		if !isHex(c) {
			return "", false
		}
	}
	return strings.ToLower(s), true
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// promote returns the common kind of two operands for arithmetic/comparison.
func promote(a, b kind) kind {
	if a == b {
		return a
	}
	if a == kNull {
		return b
	}
	if b == kNull {
		return a
	}
	if a.numeric() && b.numeric() {
		if a == kReal || b == kReal {
			return kReal
		}
		return kLong
	}
	if a == kDynamic || b == kDynamic {
		return kDynamic
	}
	return kNull
}
