package tools

import (
	"bytes"
	"encoding/json"
	"reflect"
)

// decodeArgsFast is DecodeArgs for the common case, without building a map
// of the arguments and without a json.Decoder (issue 16: they were most of
// the allocations argument decoding made per call). It walks the object's
// members in place, applies the same checks in the same order, and decodes
// with one json.Unmarshal when the params type has no nested struct (whose
// unknown fields only a Decoder refuses). handled=false means it did not
// decide — raw is not a valid object, a key is escaped or repeated, a string
// argument arrived as a number, or the type has over 64 arguments — and
// DecodeArgs' general path runs, which gives the same answer for the rest.
func decodeArgsFast(raw json.RawMessage, dst any, spec *argSpec) (handled bool, err error) {
	if len(spec.fields) > 64 || !json.Valid(raw) {
		return false, nil
	}
	var seen uint64
	ok, err := eachMember(raw, func(key, val []byte) (bool, error) {
		i, known := spec.known[string(key)]
		switch {
		case !known:
			k := string(key)
			return false, Errorf("unknown argument %q%s; valid arguments: %s", k, didYouMean(k, spec.valid), joinNames(spec.valid))
		case seen&(1<<i) != 0:
			return false, nil // repeated: the general path keeps the last one
		case len(val) > spec.limits[string(key)]:
			return false, Errorf("argument %q is %d bytes; the limit is %d bytes", string(key), len(val), spec.limits[string(key)])
		}
		if spec.fields[i].isString {
			if _, num := numberText(val); num {
				return false, nil // rewritten by numbersToStrings
			}
		}
		seen |= 1 << i
		return true, nil
	})
	if err != nil || !ok {
		return err != nil, err
	}
	if spec.nested {
		err = decodeStrict(raw, dst)
	} else if err = json.Unmarshal(raw, dst); err != nil {
		err = decodeError(err, dst)
	}
	if err != nil {
		return true, err
	}
	for i, f := range spec.fields {
		if seen&(1<<i) == 0 && !f.omitempty {
			return true, Errorf("missing required argument %q", f.name)
		}
	}
	return true, spec.checkConstraints(reflect.ValueOf(dst).Elem())
}

// eachMember calls fn with each key (as written, quotes removed) and value
// (its JSON text) of the object raw, which must be valid JSON. It stops
// with ok=false when raw is not an object, a key holds an escape, or fn says
// so.
func eachMember(raw []byte, fn func(key, val []byte) (bool, error)) (ok bool, err error) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return false, nil
	}
	for i = skipSpace(raw, i+1); raw[i] != '}'; i = skipSpace(raw, i) {
		if raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
		end, _ := stringEnd(raw, i) // valid JSON: a key starts here
		key := raw[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			return false, nil
		}
		i = skipSpace(raw, skipSpace(raw, end)+1) // past the colon
		vend := valueEnd(raw, i)
		if ok, err := fn(key, raw[i:vend]); !ok || err != nil {
			return false, err
		}
		i = vend
	}
	return true, nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// valueEnd returns the index just past the JSON value that starts at b[i]
// (b valid JSON).
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		end, _ := stringEnd(b, i)
		return end
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, _ := stringEnd(b, j)
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i // a number, true, false or null
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	return j
}

// hasNestedStruct reports whether decoding into t can reach a struct (not a
// json.Unmarshaler) below the top level: through a field, pointer, slice,
// array or map element.
func hasNestedStruct(t reflect.Type) bool {
	var walk func(t reflect.Type, top bool, seen map[reflect.Type]bool) bool
	unmarshaler := reflect.TypeFor[json.Unmarshaler]()
	walk = func(t reflect.Type, top bool, seen map[reflect.Type]bool) bool {
		if seen[t] {
			return false
		}
		seen[t] = true
		if !top && (t.Implements(unmarshaler) || reflect.PointerTo(t).Implements(unmarshaler)) {
			return false
		}
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			return walk(t.Elem(), false, seen)
		case reflect.Struct:
			if !top {
				return true
			}
			for i := 0; i < t.NumField(); i++ {
				f := t.Field(i)
				embedded := f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == ""
				if walk(f.Type, embedded, seen) {
					return true
				}
			}
		case reflect.Interface:
			return false
		}
		return false
	}
	return walk(t, true, map[reflect.Type]bool{})
}
