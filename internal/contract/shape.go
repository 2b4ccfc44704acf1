package contract

import "strings"

// nestedResource names the entity type of an expanded relationship.
var nestedResource = map[string]string{"incident/alerts": "alert"}

// Shape returns a copy of obj as the v1.0 service returns an entity of the
// named resource: properties outside the v1.0 resource dropped (beta-only
// fields), relationships kept only when expanded (expand lists the names),
// the default property set when select is empty and the resource has one,
// only the selected properties (plus id) otherwise, and evolvable enum
// members after unknownFutureValue replaced by "unknownFutureValue" unless
// preferUnknown (DocBestPractices). Unknown resources are copied unchanged.
func Shape(resource string, obj map[string]any, expand, sel []string, preferUnknown bool) map[string]any {
	res, ok := Resources[resource]
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		out[k] = v
	}
	if !ok {
		return out
	}
	keep := func(k string) bool {
		if strings.HasPrefix(k, "@odata.") {
			return true
		}
		if containsFold(res.Relationships, k) {
			return containsFold(expand, k)
		}
		switch {
		case len(sel) > 0:
			return strings.EqualFold(k, "id") || containsFold(sel, k)
		case res.Default != nil:
			return containsFold(res.Default, k)
		case res.Properties != nil:
			return containsFold(res.Properties, k)
		}
		return true
	}
	for k := range out {
		if !keep(k) {
			delete(out, k)
		}
	}
	for path, enum := range res.Enums {
		out = downgrade(out, strings.Split(path, "/"), EvolvableEnums[enum], preferUnknown)
	}
	for _, rel := range res.Relationships {
		nested, ok := nestedResource[resource+"/"+rel]
		list, isList := out[rel].([]any)
		if !ok || !isList {
			continue
		}
		shaped := make([]any, len(list))
		for i, it := range list {
			if m, ok := it.(map[string]any); ok {
				shaped[i] = Shape(nested, m, nil, nil, preferUnknown)
			} else {
				shaped[i] = it
			}
		}
		out[rel] = shaped
	}
	return out
}

// downgrade replaces evolvable members at path (through lists of objects)
// with unknownFutureValue, copying what it changes.
func downgrade(obj map[string]any, path []string, enum EvolvableEnum, preferUnknown bool) map[string]any {
	if preferUnknown || len(path) == 0 {
		return obj
	}
	v, ok := obj[path[0]]
	if !ok {
		return obj
	}
	if len(path) == 1 {
		if s, ok := v.(string); ok && enum.IsAfterSentinel(s) {
			obj[path[0]] = "unknownFutureValue"
		}
		return obj
	}
	switch x := v.(type) {
	case map[string]any:
		obj[path[0]] = downgrade(copyMap(x), path[1:], enum, false)
	case []any:
		list := make([]any, len(x))
		for i, it := range x {
			if m, ok := it.(map[string]any); ok {
				list[i] = downgrade(copyMap(m), path[1:], enum, false)
			} else {
				list[i] = it
			}
		}
		obj[path[0]] = list
	}
	return obj
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
