package engine

import (
	"math"
	"strings"
	"time"
)

// kind is a KQL scalar type as the engine stores it.
type kind uint8

const (
	kNull     kind = iota // a null of unknown type (e.g. the literal null before inference)
	kBool                 // bool
	kInt                  // int (32-bit in Kusto; stored as int64)
	kLong                 // long
	kReal                 // real / double / decimal
	kString               // string
	kDatetime             // datetime, ticks since 0001-01-01 UTC
	kTimespan             // timespan, ticks
	kGuid                 // guid, canonical lower-case string
	kDynamic              // dynamic: nil, bool, int64, float64, string, []any, map[string]any
)

var kindNames = [...]string{"null", "bool", "int", "long", "real", "string", "datetime", "timespan", "guid", "dynamic"}

func (k kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// parseKind maps a KQL type name (and its aliases) to a kind.
func parseKind(s string) (kind, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "bool", "boolean":
		return kBool, true
	case "int", "int32":
		return kInt, true
	case "long", "int64":
		return kLong, true
	case "real", "double", "decimal", "float":
		return kReal, true
	case "string":
		return kString, true
	case "datetime", "date":
		return kDatetime, true
	case "timespan", "time":
		return kTimespan, true
	case "guid", "uniqueid":
		return kGuid, true
	case "dynamic":
		return kDynamic, true
	}
	return kNull, false
}

func (k kind) numeric() bool { return k == kInt || k == kLong || k == kReal }

// value is one scalar cell. i holds bool (0/1), int, long, datetime and
// timespan ticks; f holds real; s holds string and guid; d holds dynamic.
type value struct {
	k    kind
	null bool
	i    int64
	f    float64
	s    string
	d    any
}

const (
	ticksPerSecond  = int64(10_000_000)
	ticksPerMinute  = 60 * ticksPerSecond
	ticksPerHour    = 60 * ticksPerMinute
	ticksPerDay     = 24 * ticksPerHour
	unixEpochTicks  = int64(621355968000000000)
	maxDatetimeTick = int64(3155378975999999999) // 9999-12-31T23:59:59.9999999
)

var nullValue = value{k: kNull, null: true}

func nullOf(k kind) value {
	if k == kString {
		return value{k: kString}
	}
	return value{k: k, null: true}
}

func boolV(b bool) value {
	if b {
		return value{k: kBool, i: 1}
	}
	return value{k: kBool}
}
func longV(n int64) value          { return value{k: kLong, i: n} }
func intV(n int64) value           { return value{k: kInt, i: int64(int32(n))} }
func realV(f float64) value        { return value{k: kReal, f: f} }
func strV(s string) value          { return value{k: kString, s: s} }
func guidV(s string) value         { return value{k: kGuid, s: strings.ToLower(s)} }
func dtV(ticks int64) value        { return value{k: kDatetime, i: ticks} }
func tsV(ticks int64) value        { return value{k: kTimespan, i: ticks} }
func timeV(t time.Time) value      { return dtV(timeToTicks(t)) }
func durV(d time.Duration) value   { return tsV(int64(d / 100)) }
func dynV(x any) value             { return value{k: kDynamic, d: x, null: x == nil} }
func (v value) truthy() bool       { return !v.null && v.k == kBool && v.i != 0 }
func (v value) time() time.Time    { return ticksToTime(v.i) }
func (v value) dur() time.Duration { return time.Duration(v.i) * 100 }

// timeToTicks converts a Go time to Kusto ticks since 0001-01-01 UTC.
func timeToTicks(t time.Time) int64 {
	return t.Unix()*ticksPerSecond + int64(t.Nanosecond())/100 + unixEpochTicks
}

// ticksToTime converts Kusto ticks to a UTC Go time.
func ticksToTime(k int64) time.Time {
	k -= unixEpochTicks
	sec := floorDiv(k, ticksPerSecond)
	return time.Unix(sec, (k-sec*ticksPerSecond)*100).UTC()
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// asFloat returns a numeric value as float64 (ok false when not numeric or null).
func (v value) asFloat() (float64, bool) {
	if v.null {
		return 0, false
	}
	switch v.k {
	case kInt, kLong:
		return float64(v.i), true
	case kReal:
		return v.f, true
	case kBool:
		return float64(v.i), true
	case kDynamic:
		switch x := v.d.(type) {
		case int64:
			return float64(x), true
		case float64:
			return x, true
		}
	}
	return 0, false
}

// fromGo converts a Go cell value (the fixtures' representation) to a value
// of the column kind k. ok is false when the Go type cannot represent k.
func fromGo(x any, k kind) (value, bool) {
	if x == nil {
		return nullOf(k), true
	}
	switch k {
	case kDynamic:
		return dynV(normDyn(x)), true
	case kString:
		if s, ok := x.(string); ok {
			return strV(s), true
		}
		v := goScalar(x)
		if v.null {
			return strV(""), true
		}
		return strV(toStringValue(v)), true
	}
	v := goScalar(x)
	if v.null && x != nil {
		return v, false
	}
	if v.k == k {
		return v, true
	}
	c := convertTo(v, k)
	return c, !c.null || v.null
}

// goScalar maps a Go value to the closest KQL scalar.
func goScalar(x any) value {
	switch t := x.(type) {
	case nil:
		return nullValue
	case string:
		return strV(t)
	case bool:
		return boolV(t)
	case int:
		return longV(int64(t))
	case int32:
		return intV(int64(t))
	case int64:
		return longV(t)
	case uint32:
		return longV(int64(t))
	case float32:
		return realV(float64(t))
	case float64:
		return realV(t)
	case time.Time:
		return timeV(t)
	case time.Duration:
		return durV(t)
	case map[string]any, []any, []string:
		return dynV(normDyn(t))
	}
	return nullValue
}

// toGo converts a value back to the fixtures' Go representation.
func toGo(v value) any {
	if v.null {
		return nil
	}
	switch v.k {
	case kBool:
		return v.i != 0
	case kInt, kLong:
		return v.i
	case kReal:
		return v.f
	case kString, kGuid:
		return v.s
	case kDatetime:
		return v.time()
	case kTimespan:
		return v.dur()
	case kDynamic:
		return v.d
	}
	return nil
}

// dynToValue turns a dynamic leaf into a typed value (objects and arrays stay dynamic).
func dynToValue(x any) value {
	switch t := x.(type) {
	case nil:
		return nullOf(kDynamic)
	case bool:
		return boolV(t)
	case int64:
		return longV(t)
	case float64:
		return realV(t)
	case string:
		return strV(t)
	}
	return dynV(x)
}

// toDyn converts any value to its dynamic representation.
func toDyn(v value) any {
	if v.null {
		return nil
	}
	switch v.k {
	case kBool:
		return v.i != 0
	case kInt, kLong:
		return v.i
	case kReal:
		if math.IsNaN(v.f) || math.IsInf(v.f, 0) {
			return toStringValue(v)
		}
		return v.f
	case kString, kGuid:
		return v.s
	case kDatetime, kTimespan:
		return toStringValue(v)
	case kDynamic:
		return v.d
	}
	return nil
}
