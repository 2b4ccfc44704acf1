package tools

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode"
)

// MaxStringArg bounds any single string argument (bytes). Individual fields
// may declare a smaller maxLength in their schema.
const MaxStringArg = 256 << 10

// DecodeArgs decodes raw JSON arguments into dst strictly: unknown keys are
// rejected with a "did you mean" hint, type mismatches name the argument and
// the expected type, and oversized strings are refused.
func DecodeArgs(raw json.RawMessage, dst any) error {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		raw = json.RawMessage("{}")
	}
	spec := argSpecOf(reflect.TypeOf(dst).Elem())
	if handled, err := decodeArgsFast(raw, dst, spec); handled {
		return err
	}
	return decodeArgsGeneral(raw, dst, spec)
}

// decodeArgsGeneral is DecodeArgs for any input: the arguments decoded
// into a map first, for the checks, then strictly into dst.
func decodeArgsGeneral(raw json.RawMessage, dst any, spec *argSpec) error {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(raw, &probe); err != nil {
		return Errorf("arguments must be a JSON object: %v", err)
	}
	for k, v := range probe {
		if _, ok := spec.known[k]; !ok {
			return Errorf("unknown argument %q%s; valid arguments: %s", k, didYouMean(k, spec.valid), joinNames(spec.valid))
		}
		if limit := spec.limits[k]; len(v) > limit {
			return Errorf("argument %q is %d bytes; the limit is %d bytes", k, len(v), limit)
		}
	}
	raw = spec.numbersToStrings(raw, probe)
	if err := decodeStrict(raw, dst); err != nil {
		return err
	}
	if err := spec.checkRequired(probe); err != nil {
		return err
	}
	return spec.checkConstraints(reflect.ValueOf(dst).Elem())
}

// decodeStrict decodes raw into dst refusing unknown fields at any depth
// and trailing data, with errors that name the argument.
func decodeStrict(raw json.RawMessage, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err, dst)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Errorf("invalid arguments: trailing data after the JSON object")
	}
	return nil
}

// decodeError words a decoding error for the caller: a type mismatch names
// the argument and the type it must have (or its items must have: the
// decoder names an array argument when one of its items is wrong).
func decodeError(err error, dst any) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		path := argPath(te.Field)
		if isItemOf(dst, path, te.Type) {
			return Errorf("every item of argument %q must be %s, got JSON %s", path, jsonKind(te.Type), te.Value)
		}
		return Errorf("argument %q must be %s, got JSON %s", path, jsonKind(te.Type), te.Value)
	}
	return Errorf("invalid arguments: %v", err)
}

// isItemOf reports whether t is the item type of dst's array argument name.
func isItemOf(dst any, name string, t reflect.Type) (item bool) {
	v := reflect.TypeOf(dst)
	if v == nil || v.Kind() != reflect.Pointer {
		return false
	}
	eachField(v.Elem(), func(n string, _ bool, f reflect.StructField, _ []int) {
		k := f.Type.Kind()
		item = item || n == name && (k == reflect.Slice || k == reflect.Array) && f.Type.Elem() == t
	})
	return item
}

func joinNames(names []string) string { return strings.Join(names, ", ") }

// eachField calls fn for every JSON-visible field of struct type t,
// descending into embedded structs without a json name (as encoding/json
// flattens them), with the field's index path.
func eachField(t reflect.Type, fn func(name string, omitempty bool, f reflect.StructField, index []int)) {
	var walk func(t reflect.Type, prefix []int)
	walk = func(t reflect.Type, prefix []int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			index := append(append([]int{}, prefix...), i)
			if f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == "" {
				walk(f.Type, index)
				continue
			}
			if name, omitempty := jsonName(f); name != "" {
				fn(name, omitempty, f, index)
			}
		}
	}
	if t.Kind() == reflect.Struct {
		walk(t, nil)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func jsonName(f reflect.StructField) (name string, omitempty bool) {
	if !f.IsExported() {
		return "", false
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false
	}
	parts := strings.Split(tag, ",")
	name = parts[0]
	if name == "" {
		name = f.Name
	}
	for _, p := range parts[1:] {
		if p == "omitempty" || p == "omitzero" {
			omitempty = true
		}
	}
	return name, omitempty
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return t.String()
}

// didYouMean returns `; did you mean "x"?` for the closest candidate within
// a small edit distance, or "".
func didYouMean(s string, candidates []string) string {
	if best := Closest(s, candidates); best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return ""
}

// Closest returns the candidate nearest to s by case-insensitive edit
// distance, if it is close enough to be a plausible typo, else "".
func Closest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	ls := strings.ToLower(s)
	for _, c := range candidates {
		d := editDistance(ls, strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	limit := len(s)/3 + 1
	if bestD <= limit {
		return best
	}
	return ""
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// argPath turns encoding/json's field path into the argument's name as the
// caller wrote it: an embedded params struct (Paging, TimeWindow) shows up in
// the path under its Go type name, which is no argument anyone can send.
func argPath(field string) string {
	parts := strings.Split(field, ".")
	out := parts[:0]
	for _, p := range parts {
		if p != "" && !unicode.IsUpper([]rune(p)[0]) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return field
	}
	return strings.Join(out, ".")
}
