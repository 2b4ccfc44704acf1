package engine

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// normDyn converts a Go value into the engine's dynamic representation:
// nil, bool, int64, float64, string, []any, map[string]any.
func normDyn(x any) any {
	switch t := x.(type) {
	case nil, bool, int64, float64, string:
		return t
	case int:
		return int64(t)
	case int32:
		return int64(t)
	case float32:
		return float64(t)
	case json.Number:
		if n, err := t.Int64(); err == nil {
			return n
		}
		f, _ := t.Float64()
		return f
	case time.Time:
		return formatDatetimeISO(timeToTicks(t))
	case time.Duration:
		return formatTimespan(int64(t / 100))
	case []string:
		out := make([]any, len(t))
		for i, s := range t {
			out[i] = s
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = normDyn(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = normDyn(e)
		}
		return out
	case map[string]string:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = e
		}
		return out
	}
	return nil
}

// parseJSONDyn implements parse_json: valid JSON becomes its dynamic value,
// anything else becomes the string itself.
func parseJSONDyn(s string) any {
	t := strings.TrimSpace(s)
	if t == "" {
		return s
	}
	dec := json.NewDecoder(strings.NewReader(t))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil || dec.More() {
		return s
	}
	return normDyn(x)
}

// dynJSON serializes a dynamic value compactly, with object keys sorted.
func dynJSON(x any) string {
	var b bytes.Buffer
	writeJSON(&b, x)
	return b.String()
}

func writeJSON(b *bytes.Buffer, x any) {
	switch t := x.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case int64:
		b.WriteString(strconv.FormatInt(t, 10))
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			writeJSONString(b, formatReal(t))
			return
		}
		b.WriteString(formatReal(t))
	case string:
		writeJSONString(b, t)
	case []any:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		keys := sortedKeys(t)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			writeJSON(b, t[k])
		}
		b.WriteByte('}')
	default:
		b.WriteString("null")
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func writeJSONString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\r':
				b.WriteString(`\r`)
			case c == '\t':
				b.WriteString(`\t`)
			case c < 0x20:
				b.WriteString(`\u00`)
				b.WriteByte("0123456789abcdef"[c>>4])
				b.WriteByte("0123456789abcdef"[c&0xf])
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteString(`\ufffd`)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	b.WriteByte('"')
}

// dynIndex implements d[i] (negative counts from the end) and d["key"] / d.key.
func dynIndex(x any, key value) any {
	switch t := x.(type) {
	case []any:
		n, ok := key.asFloat()
		if !ok {
			return nil
		}
		i := int(n)
		if i < 0 {
			i += len(t)
		}
		if i < 0 || i >= len(t) {
			return nil
		}
		return t[i]
	case map[string]any:
		if key.k == kString || key.k == kGuid {
			return t[key.s]
		}
		if key.k == kDynamic {
			if s, ok := key.d.(string); ok {
				return t[s]
			}
		}
	}
	// A string leaf is not parsed again (Kusto needs an explicit parse_json).
	return nil
}

// dynEqual compares two dynamic values structurally.
func dynEqual(a, b any) bool {
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !dynEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !dynEqual(v, w) {
				return false
			}
		}
		return true
	case int64:
		switch y := b.(type) {
		case int64:
			return x == y
		case float64:
			return float64(x) == y
		}
		return false
	case float64:
		switch y := b.(type) {
		case int64:
			return x == float64(y)
		case float64:
			return x == y
		}
		return false
	}
	return a == b
}

// dynKey is a hashable identity of a dynamic value (sets, distinct, group keys).
func dynKey(x any) string {
	switch t := x.(type) {
	case string:
		return "s" + t
	case int64:
		return "n" + strconv.FormatInt(t, 10)
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1e18 {
			return "n" + strconv.FormatInt(int64(t), 10)
		}
		return "f" + strconv.FormatFloat(t, 'g', -1, 64)
	case nil:
		return "z"
	}
	return "j" + dynJSON(x)
}

// asArray returns the elements of a dynamic array. A string (or a dynamic
// string) is not an array: Kusto needs an explicit parse_json.
func asArray(v value) ([]any, bool) {
	if v.null || v.k != kDynamic {
		return nil, false
	}
	a, ok := v.d.([]any)
	return a, ok
}

// asBag returns a dynamic property bag. A value of type string is parsed
// (Kusto rejects it at compile time; being lenient there cannot change an
// answer Kusto gives), but a string inside a dynamic is not.
func asBag(v value) (map[string]any, bool) {
	if v.null {
		return nil, false
	}
	var x any
	switch v.k {
	case kString:
		x = parseJSONDyn(v.s)
	case kDynamic:
		x = v.d
	default:
		return nil, false
	}
	m, ok := x.(map[string]any)
	return m, ok
}
