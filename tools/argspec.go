package tools

import (
	"encoding/json"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// argSpec is what DecodeArgs needs to know about a params type: its
// arguments' names, limits and constraints, read from the struct tags once
// per type instead of on every call (issue 16: per-call reflection showed
// in the HTTP profile).
type argSpec struct {
	fields []argField     // in encoding/json's order
	known  map[string]int // argument name → index in fields
	valid  []string       // sorted names offered in errors, with "tenant"
	limits map[string]int // raw JSON bytes allowed per argument
	strs   []int          // indexes of string-typed fields
	nested bool           // a struct below the top level (hasNestedStruct)
}

// argField is one argument's tag-derived facts.
type argField struct {
	name      string
	omitempty bool
	index     []int
	isString  bool
	enum      []string // nil: no enum tag
	maxLength int
	hasMaxLen bool
	min, max  int64
	hasMin    bool
	hasMax    bool
}

var argSpecs sync.Map // reflect.Type → *argSpec

// argSpecOf returns t's argSpec, building it on first use.
func argSpecOf(t reflect.Type) *argSpec {
	if s, ok := argSpecs.Load(t); ok {
		return s.(*argSpec)
	}
	s := &argSpec{known: map[string]int{}, limits: map[string]int{}, nested: hasNestedStruct(t)}
	eachField(t, func(name string, omitempty bool, f reflect.StructField, index []int) {
		af := argField{name: name, omitempty: omitempty, index: index, isString: f.Type.Kind() == reflect.String}
		if e := f.Tag.Get("enum"); e != "" {
			af.enum = strings.Split(e, ",")
		}
		s.limits[name] = MaxStringArg
		if n, err := strconv.Atoi(f.Tag.Get("maxLength")); err == nil {
			af.maxLength, af.hasMaxLen = n, true
			if 6*n+2 > MaxStringArg {
				s.limits[name] = 6*n + 2
			}
		}
		if m, err := strconv.ParseInt(f.Tag.Get("minimum"), 10, 64); err == nil {
			af.min, af.hasMin = m, true
		}
		if m, err := strconv.ParseInt(f.Tag.Get("maximum"), 10, 64); err == nil {
			af.max, af.hasMax = m, true
		}
		if af.isString {
			s.strs = append(s.strs, len(s.fields))
		}
		s.known[name] = len(s.fields)
		s.fields = append(s.fields, af)
	})
	for name := range s.known {
		s.valid = append(s.valid, name)
	}
	if _, ok := s.known["tenant"]; !ok {
		s.valid = append(s.valid, "tenant")
	}
	sort.Strings(s.valid)
	got, _ := argSpecs.LoadOrStore(t, s)
	return got.(*argSpec)
}

// numbersToStrings lets a string argument arrive as a JSON number, as
// clients that build arguments from a command line send it (the MCP
// Inspector CLI sends id=1000 as 1000): the number's literal text becomes
// the string (and null the empty string, as decoding null into a
// json.Number gives). Other mismatches are left for the decoder to name.
func (s *argSpec) numbersToStrings(raw json.RawMessage, probe map[string]json.RawMessage) json.RawMessage {
	changed := false
	for _, i := range s.strs {
		name := s.fields[i].name
		v, ok := probe[name]
		if !ok {
			continue
		}
		if text, ok := numberText(v); ok {
			probe[name], _ = json.Marshal(text)
			changed = true
		}
	}
	if !changed {
		return raw
	}
	b, err := json.Marshal(probe)
	if err != nil {
		return raw
	}
	return b
}

// numberText is the text of a JSON number literal v ("" for null); false
// for anything else (strings, booleans, objects, arrays).
func numberText(v []byte) (string, bool) {
	switch {
	case string(v) == "null":
		return "", true
	case len(v) > 0 && (v[0] == '-' || (v[0] >= '0' && v[0] <= '9')) && json.Valid(v):
		return string(v), true
	}
	return "", false
}

// checkRequired names the first required argument missing from probe.
func (s *argSpec) checkRequired(probe map[string]json.RawMessage) error {
	for _, f := range s.fields {
		if _, ok := probe[f.name]; !ok && !f.omitempty {
			return Errorf("missing required argument %q", f.name)
		}
	}
	return nil
}

// checkConstraints enforces the enum, maxLength, minimum and maximum tags on
// top-level fields, so a value outside the schema is refused with the valid
// choices even when the client did not validate against the schema.
func (s *argSpec) checkConstraints(v reflect.Value) error {
	for i := range s.fields {
		if err := s.fields[i].check(v.FieldByIndex(s.fields[i].index)); err != nil {
			return err
		}
	}
	return nil
}

func (f *argField) check(fv reflect.Value) error {
	if f.enum != nil {
		var vals []string
		switch fv.Kind() {
		case reflect.String:
			if s := fv.String(); s != "" {
				vals = []string{s}
			}
		case reflect.Slice:
			if fv.Type().Elem().Kind() == reflect.String {
				for j := 0; j < fv.Len(); j++ {
					vals = append(vals, fv.Index(j).String())
				}
			}
		}
		for _, s := range vals {
			if !contains(f.enum, s) {
				return Errorf("argument %q must be one of %s; got %q%s", f.name, strings.Join(f.enum, ", "), s, didYouMean(s, f.enum))
			}
		}
	}
	if f.hasMaxLen && fv.Kind() == reflect.String {
		if n := utf8.RuneCountInString(fv.String()); n > f.maxLength {
			return Errorf("argument %q is %d characters; the limit is %d", f.name, n, f.maxLength)
		}
	}
	if fv.CanInt() {
		n := fv.Int()
		if f.hasMin && n != 0 && n < f.min {
			return Errorf("argument %q must be at least %d, got %d", f.name, f.min, n)
		}
		if f.hasMax && n > f.max {
			return Errorf("argument %q must be at most %d, got %d", f.name, f.max, n)
		}
	}
	return nil
}
