package tools

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
)

// SchemaFor returns the JSON Schema of T as used in tools/list.
//
// Field tags: `json` names and optionality (omitempty = optional),
// `jsonschema:"description"`, and ours: `enum:"a,b,c"`, `maxLength:"N"`,
// `minimum:"N"`, `maximum:"N"`, `default:"v"`. Input schemas reject
// additional properties; output schemas allow them so adding a result field
// never breaks an older client.
func SchemaFor[T any](input bool) (json.RawMessage, error) {
	return SchemaForType(reflect.TypeFor[T](), input)
}

// SchemaForType is SchemaFor for a reflect.Type.
func SchemaForType(t reflect.Type, input bool) (json.RawMessage, error) {
	opts := &jsonschema.ForOptions{
		IgnoreInvalidTypes: true,
		TypeSchemas: map[reflect.Type]*jsonschema.Schema{
			reflect.TypeFor[time.Time]():       {Type: "string", Format: "date-time"},
			reflect.TypeFor[time.Duration]():   {Type: "integer"},
			reflect.TypeFor[json.RawMessage](): {},
		},
	}
	s, err := jsonschema.ForType(t, opts)
	if err != nil {
		return nil, err
	}
	if s.Type != "object" {
		return nil, fmt.Errorf("schema of %s is %q, want an object", t, s.Type)
	}
	if err := applyTags(t, s, input, map[reflect.Type]bool{}); err != nil {
		return nil, err
	}
	b, err := json.Marshal(s)
	if err != nil || input {
		return b, err
	}
	return shareDefinitions(b)
}

// GenerateSchemas derives a spec's input (with the core's tenant argument)
// and output schemas from its Go types, ignoring any cached copy. The
// schema snapshot test compares it with the cached snapshots.
func GenerateSchemas(s Spec) (in, out json.RawMessage, err error) {
	if in, err = SchemaForType(s.InputType, true); err == nil {
		in, err = withTenantArg(in)
	}
	if err == nil {
		out, err = SchemaForType(s.OutputType, false)
	}
	return in, out, err
}

// schemaCache holds precomputed schemas by tool name (the checked-in
// snapshots, which a test keeps identical to what the types generate), so
// start-up does not pay for reflecting every type.
var schemaCache = map[string][2]json.RawMessage{}

// UseSchemaCache installs precomputed schemas; call it before building specs.
func UseSchemaCache(m map[string][2]json.RawMessage) {
	for k, v := range m {
		schemaCache[k] = v
	}
}

func applyTags(t reflect.Type, s *jsonschema.Schema, input bool, seen map[reflect.Type]bool) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		if s.Items != nil {
			return applyTags(t.Elem(), s.Items, input, seen)
		}
		return nil
	case reflect.Struct:
	default:
		return nil
	}
	if seen[t] || t == reflect.TypeFor[time.Time]() {
		return nil
	}
	seen[t] = true
	defer delete(seen, t)
	if !input {
		s.AdditionalProperties = nil
	}
	var err error
	eachField(t, func(name string, _ bool, f reflect.StructField, _ []int) {
		ps, ok := s.Properties[name]
		if !ok || err != nil {
			return
		}
		if input && len(ps.Types) == 2 && ps.Types[0] == "null" {
			// An argument left out is the "no value" of a nullable Go
			// type; an input schema needs only the real type.
			ps.Type, ps.Types = ps.Types[1], nil
		}
		if err = applyFieldTags(f, ps); err != nil {
			err = fmt.Errorf("field %s: %w", f.Name, err)
			return
		}
		err = applyTags(f.Type, ps, input, seen)
	})
	return err
}

// maxLengthInSchema is the longest maxLength tag written into a schema.
const maxLengthInSchema = 16

func applyFieldTags(f reflect.StructField, ps *jsonschema.Schema) error {
	target := ps
	if ps.Type == "array" && ps.Items != nil {
		target = ps.Items
	}
	if e := f.Tag.Get("enum"); e != "" {
		for _, v := range strings.Split(e, ",") {
			target.Enum = append(target.Enum, v)
		}
	}
	for tag, set := range map[string]func(float64){
		// Long maxLengths (IDs, names, queries) are enforced by DecodeArgs
		// with an error naming the limit, and left out of the schema: they
		// cost every model that reads tools/list bytes and tell it nothing
		// it needs to choose or call a tool. Short ones (a 2-letter country)
		// describe the value and stay.
		"maxLength": func(v float64) {
			if n := int(v); n <= maxLengthInSchema {
				ps.MaxLength = &n
			}
		},
		"minimum": func(v float64) { ps.Minimum = &v },
		"maximum": func(v float64) { ps.Maximum = &v },
	} {
		if raw := f.Tag.Get(tag); raw != "" {
			v, err := strconv.ParseFloat(raw, 64)
			if err != nil {
				return fmt.Errorf("tag %s=%q: %w", tag, raw, err)
			}
			set(v)
		}
	}
	if d := f.Tag.Get("default"); d != "" {
		var v any = d
		switch ps.Type {
		case "integer", "number":
			n, err := strconv.ParseFloat(d, 64)
			if err != nil {
				return fmt.Errorf("default %q: %w", d, err)
			}
			v = n
		case "boolean":
			v = d == "true"
		}
		raw, _ := json.Marshal(v)
		ps.Default = raw
	}
	return nil
}
