package tools

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// shareDefinitions rewrites an output schema so that every object schema
// that occurs more than once (an alert item in three lists, the sources
// list, page info) is written once under $defs and referred to with $ref.
// Validation is unchanged; tools/list gets shorter. Only object schemas of
// at least minSharedBytes are shared, so small ones stay inline.
func shareDefinitions(schema json.RawMessage) (json.RawMessage, error) {
	var root map[string]any
	if err := json.Unmarshal(schema, &root); err != nil {
		return nil, fmt.Errorf("share definitions: %w", err)
	}
	defs := map[string]any{}
	for {
		type cand struct {
			key  string
			n    int
			name string
		}
		counts := map[string]*cand{}
		var walk func(v any, name string, top bool)
		walk = func(v any, name string, top bool) {
			switch x := v.(type) {
			case map[string]any:
				if _, ok := x["properties"]; ok && !top {
					b, _ := json.Marshal(x)
					if len(b) >= minSharedBytes {
						k := string(b)
						if counts[k] == nil {
							counts[k] = &cand{key: k, name: name}
						}
						counts[k].n++
					}
				}
				keys := keysOf(x)
				for _, k := range keys {
					child := name
					if k != "properties" && k != "items" && k != "anyOf" {
						child = k
					}
					walk(x[k], child, false)
				}
			case []any:
				for _, c := range x {
					walk(c, name, false)
				}
			}
		}
		for _, k := range keysOf(root) {
			if k != "$defs" {
				walk(root[k], k, false)
			}
		}
		for _, k := range keysOf(defs) {
			walk(defs[k], k, true)
		}
		var best *cand
		for _, c := range counts {
			if c.n >= 2 && (best == nil || (c.n-1)*len(c.key) > (best.n-1)*len(best.key) || (c.n-1)*len(c.key) == (best.n-1)*len(best.key) && c.key < best.key) {
				best = c
			}
		}
		if best == nil {
			break
		}
		name := defName(best.name, defs)
		var def any
		_ = json.Unmarshal([]byte(best.key), &def)
		defs[name] = def
		ref := map[string]any{"$ref": "#/$defs/" + name}
		replace := func(v any) any { return replaceSchema(v, best.key, ref) }
		for _, k := range keysOf(root) {
			if k != "$defs" {
				root[k] = replace(root[k])
			}
		}
		for _, k := range keysOf(defs) {
			if k != name {
				defs[k] = replace(defs[k])
			}
		}
	}
	if len(defs) > 0 {
		root["$defs"] = defs
	}
	return json.Marshal(root)
}

// minSharedBytes is the smallest object schema worth a $ref.
const minSharedBytes = 80

func replaceSchema(v any, key string, ref map[string]any) any {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["properties"]; ok {
			if b, _ := json.Marshal(x); string(b) == key {
				return ref
			}
		}
		for k, c := range x {
			x[k] = replaceSchema(c, key, ref)
		}
	case []any:
		for i, c := range x {
			x[i] = replaceSchema(c, key, ref)
		}
	}
	return v
}

// defName names a definition after the field it was first found under.
func defName(field string, defs map[string]any) string {
	base := strings.TrimSuffix(field, "s")
	if base == "" {
		base = "def"
	}
	name := base
	for i := 2; defs[name] != nil; i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	return name
}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
