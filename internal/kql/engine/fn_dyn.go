package engine

import (
	"sort"
	"strings"
)

func registerDyn() {
	conv := func(names string, k kind) {
		register(names, 1, 1, fixed(k), false, func(_ *callCtx, a []value) (value, error) {
			return convertTo(a[0], k), nil
		})
	}
	conv("toint", kInt)
	conv("tolong", kLong)
	conv("toreal,todouble,todecimal", kReal)
	conv("tobool,toboolean", kBool)
	conv("todatetime", kDatetime)
	conv("totimespan,totime", kTimespan)
	conv("toguid", kGuid)
	register("parse_json,parsejson,todynamic,toobject", 1, 1, fixed(kDynamic), false, func(_ *callCtx, a []value) (value, error) {
		v := a[0]
		if v.k == kString {
			return dynV(parseJSONDyn(v.s)), nil
		}
		if v.k == kDynamic {
			if s, ok := v.d.(string); ok {
				return dynV(parseJSONDyn(s)), nil
			}
			return v, nil
		}
		return dynV(toDyn(v)), nil
	})
	register("gettype", 1, 1, fixed(kString), false, func(_ *callCtx, a []value) (value, error) {
		v := a[0]
		if v.k == kDynamic {
			if v.null {
				return strV("null"), nil
			}
			switch v.d.(type) {
			case []any:
				return strV("array"), nil
			case map[string]any:
				return strV("dictionary"), nil
			}
			return strV(gettypeName(dynToValue(v.d).k)), nil
		}
		return strV(gettypeName(v.k)), nil
	})
	register("array_length", 1, 1, fixed(kLong), false, func(_ *callCtx, a []value) (value, error) {
		arr, ok := asArray(a[0])
		if !ok {
			return nullOf(kLong), nil
		}
		return longV(int64(len(arr))), nil
	})
	register("array_concat", 1, 64, fixed(kDynamic), false, func(c *callCtx, a []value) (value, error) {
		n := 0
		for _, v := range a {
			arr, ok := asArray(v)
			if !ok {
				return nullOf(kDynamic), nil
			}
			n += len(arr)
		}
		if err := c.need("array_concat", 16*int64(n)); err != nil {
			return value{}, err
		}
		out := make([]any, 0, n)
		for _, v := range a {
			arr, _ := asArray(v)
			out = append(out, arr...)
		}
		return dynV(out), nil
	})
	register("array_slice", 3, 3, fixed(kDynamic), false, fnArraySlice)
	register("array_index_of", 2, 5, fixed(kLong), false, func(_ *callCtx, a []value) (value, error) {
		arr, ok := asArray(a[0])
		if !ok {
			return nullOf(kLong), nil
		}
		want := toDyn(a[1])
		for i, x := range arr {
			if dynEqual(x, want) {
				return longV(int64(i)), nil
			}
		}
		return longV(-1), nil
	})
	register("array_reverse", 1, 1, fixed(kDynamic), false, func(_ *callCtx, a []value) (value, error) {
		arr, ok := asArray(a[0])
		if !ok {
			return nullOf(kDynamic), nil
		}
		out := make([]any, len(arr))
		for i, x := range arr {
			out[len(arr)-1-i] = x
		}
		return dynV(out), nil
	})
	register("array_sort_asc", 1, 2, fixed(kDynamic), false, arraySort(false))
	register("array_sort_desc", 1, 2, fixed(kDynamic), false, arraySort(true))
	register("array_sum", 1, 1, fixed(kReal), false, func(_ *callCtx, a []value) (value, error) {
		arr, ok := asArray(a[0])
		if !ok {
			return nullOf(kReal), nil
		}
		s := 0.0
		for _, x := range arr {
			f, ok := dynToValue(x).asFloat()
			if !ok {
				return nullOf(kReal), nil
			}
			s += f
		}
		return realV(s), nil
	})
	register("array_strcat", 2, 2, fixed(kString), false, func(c *callCtx, a []value) (value, error) {
		return scalarFns()["strcat_array"].fn(c, a)
	})
	register("set_has_element", 2, 2, fixed(kBool), false, func(_ *callCtx, a []value) (value, error) {
		arr, ok := asArray(a[0])
		if !ok {
			return nullOf(kBool), nil
		}
		want := toDyn(a[1])
		for _, x := range arr {
			if dynEqual(x, want) {
				return boolV(true), nil
			}
		}
		return boolV(false), nil
	})
	register("set_union", 2, 64, fixed(kDynamic), false, setOp("union"))
	register("set_intersect", 2, 64, fixed(kDynamic), false, setOp("intersect"))
	register("set_difference", 2, 64, fixed(kDynamic), false, setOp("difference"))
	register("pack,bag_pack", 0, 128, fixed(kDynamic), false, fnPack)
	register("pack_array", 0, 128, fixed(kDynamic), false, func(_ *callCtx, a []value) (value, error) {
		out := make([]any, len(a))
		for i, v := range a {
			out[i] = toDyn(v)
		}
		return dynV(out), nil
	})
	register("bag_keys", 1, 1, fixed(kDynamic), false, func(_ *callCtx, a []value) (value, error) {
		m, ok := asBag(a[0])
		if !ok {
			return nullOf(kDynamic), nil
		}
		out := []any{}
		for _, k := range sortedKeys(m) {
			out = append(out, k)
		}
		return dynV(out), nil
	})
	register("bag_has_key", 2, 2, fixed(kBool), false, func(_ *callCtx, a []value) (value, error) {
		m, ok := asBag(a[0])
		if !ok {
			return boolV(false), nil
		}
		_, has := m[sArg(a[1])]
		return boolV(has), nil
	})
	register("bag_merge", 1, 64, fixed(kDynamic), false, func(_ *callCtx, a []value) (value, error) {
		out := map[string]any{}
		for i := len(a) - 1; i >= 0; i-- { // first bag wins on conflicts
			if m, ok := asBag(a[i]); ok {
				for k, v := range m {
					out[k] = v
				}
			}
		}
		return dynV(out), nil
	})
	register("bag_remove_keys", 2, 2, fixed(kDynamic), false, func(_ *callCtx, a []value) (value, error) {
		m, ok := asBag(a[0])
		if !ok {
			return nullOf(kDynamic), nil
		}
		keys, _ := asArray(a[1])
		out := make(map[string]any, len(m))
		for k, v := range m {
			out[k] = v
		}
		for _, k := range keys {
			if s, ok := k.(string); ok {
				delete(out, s)
			}
		}
		return dynV(out), nil
	})
	register("zip", 2, 16, fixed(kDynamic), false, fnZip)
	register("range", 2, 3, fixed(kDynamic), true, fnRangeArray)
	register("make_string", 1, 64, fixed(kString), false, func(_ *callCtx, a []value) (value, error) {
		var b strings.Builder
		for _, v := range a {
			items := []any{toDyn(v)}
			if arr, ok := asArray(v); ok {
				items = arr
			}
			for _, x := range items {
				n, ok := iArg(dynToValue(x))
				if !ok || n < 0 || n > 0x10ffff {
					return value{}, errorf("make_string: %v is not a Unicode code point", x)
				}
				b.WriteRune(rune(n))
			}
		}
		return strV(b.String()), nil
	})
	register("extractjson,extract_json", 2, 3, argTypeOr(2, kString), false, fnExtractJSON)
}

func gettypeName(k kind) string {
	switch k {
	case kLong:
		return "long"
	case kInt:
		return "int"
	case kReal:
		return "real"
	case kBool:
		return "bool"
	case kDatetime:
		return "datetime"
	case kTimespan:
		return "timespan"
	case kGuid:
		return "guid"
	case kString:
		return "string"
	}
	return "null"
}

func fnArraySlice(_ *callCtx, a []value) (value, error) {
	arr, ok := asArray(a[0])
	if !ok {
		return nullOf(kDynamic), nil
	}
	s, ok1 := iArg(a[1])
	e, ok2 := iArg(a[2])
	if !ok1 || !ok2 {
		return nullOf(kDynamic), nil
	}
	n := int64(len(arr))
	if s < 0 {
		s += n
	}
	if e < 0 {
		e += n
	}
	s = max(s, 0)
	e = min(e, n-1)
	if s > e || s >= n {
		return dynV([]any{}), nil
	}
	return dynV(append([]any(nil), arr[s:e+1]...)), nil
}

func arraySort(desc bool) func(*callCtx, []value) (value, error) {
	return func(_ *callCtx, a []value) (value, error) {
		arr, ok := asArray(a[0])
		if !ok {
			return nullOf(kDynamic), nil
		}
		out := append([]any(nil), arr...)
		sort.SliceStable(out, func(i, j int) bool {
			x, y := dynToValue(out[i]), dynToValue(out[j])
			if x.null || y.null {
				return !x.null && y.null // nulls last
			}
			c, _ := compare(x, y)
			if desc {
				return c > 0
			}
			return c < 0
		})
		return dynV(out), nil
	}
}

func setOp(kindOp string) func(*callCtx, []value) (value, error) {
	return func(_ *callCtx, a []value) (value, error) {
		arrs := make([][]any, len(a))
		for i, v := range a {
			arr, ok := asArray(v)
			if !ok {
				return nullOf(kDynamic), nil
			}
			arrs[i] = arr
		}
		seen := map[string]bool{}
		out := []any{}
		switch kindOp {
		case "union":
			for _, arr := range arrs {
				for _, x := range arr {
					if k := dynKey(x); !seen[k] {
						seen[k] = true
						out = append(out, x)
					}
				}
			}
		default:
			others := make([]map[string]bool, len(arrs)-1)
			for i, arr := range arrs[1:] {
				others[i] = map[string]bool{}
				for _, x := range arr {
					others[i][dynKey(x)] = true
				}
			}
			for _, x := range arrs[0] {
				k := dynKey(x)
				if seen[k] {
					continue
				}
				keep := !anyHas(others, k)
				if kindOp == "intersect" {
					keep = allHave(others, k)
				}
				if keep {
					seen[k] = true
					out = append(out, x)
				}
			}
		}
		return dynV(out), nil
	}
}

func allHave(ms []map[string]bool, k string) bool {
	for _, m := range ms {
		if !m[k] {
			return false
		}
	}
	return true
}

func anyHas(ms []map[string]bool, k string) bool {
	for _, m := range ms {
		if m[k] {
			return true
		}
	}
	return false
}

func fnPack(_ *callCtx, a []value) (value, error) {
	if len(a)%2 != 0 {
		return value{}, errorf("pack: expects key/value pairs")
	}
	out := make(map[string]any, len(a)/2)
	for i := 0; i < len(a); i += 2 {
		out[sArg(a[i])] = toDyn(a[i+1])
	}
	return dynV(out), nil
}

func fnZip(_ *callCtx, a []value) (value, error) {
	arrs := make([][]any, len(a))
	n := 0
	for i, v := range a {
		arr, ok := asArray(v)
		if !ok {
			return nullOf(kDynamic), nil
		}
		arrs[i] = arr
		n = max(n, len(arr))
	}
	out := make([]any, n)
	for i := range out {
		row := make([]any, len(arrs))
		for j, arr := range arrs {
			if i < len(arr) {
				row[j] = arr[i]
			}
		}
		out[i] = row
	}
	return dynV(out), nil
}

// fnExtractJSON implements extractjson with the simple JSONPath subset
// $.a.b, $['a'], $.a[0].
func fnExtractJSON(_ *callCtx, a []value) (value, error) {
	path := sArg(a[0])
	doc := parseJSONDyn(sArg(a[1]))
	want := kString
	if len(a) == 3 && a[2].k != kNull {
		want = a[2].k
	}
	cur, ok := walkJSONPath(doc, path)
	if !ok || cur == nil {
		return nullOf(want), nil
	}
	v := dynV(cur)
	if want == kDynamic {
		return v, nil
	}
	return convertTo(v, want), nil
}

func walkJSONPath(doc any, path string) (any, bool) {
	p := strings.TrimSpace(path)
	if !strings.HasPrefix(p, "$") {
		return nil, false
	}
	p = p[1:]
	cur := doc
	for p != "" {
		switch {
		case p[0] == '.':
			p = p[1:]
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			cur = dynIndex(cur, strV(p[:end]))
			p = p[end:]
		case p[0] == '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return nil, false
			}
			key := strings.Trim(p[1:end], `'"`)
			if n := toLong(strV(key)); !n.null && !strings.ContainsAny(p[1:end], `'"`) {
				cur = dynIndex(cur, n)
			} else {
				cur = dynIndex(cur, strV(key))
			}
			p = p[end+1:]
		default:
			return nil, false
		}
	}
	return cur, true
}
