package plugins

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// An OpenAPI 3 document, read as far as API skills need it
// (spec.openapis.org/oas/v3.0.3): servers, and per path and method the
// operationId, summary, description, parameters (path, query, header) and
// a JSON request body. Local $refs (#/components/...) are followed.

// apiOp is one operation of an OpenAPI document.
type apiOp struct {
	Method, Path, ID     string
	Summary, Description string
	Params               []apiParam
	Body                 map[string]any // JSON schema of the request body (nil: none)
	BodyRequired         bool
	Responses            map[string]string // status → description
	// Err is why the operation cannot become a tool ("" when it can).
	Err string
}

// apiParam is one operation parameter.
type apiParam struct {
	Name, In, Description string
	Required              bool
	Schema                map[string]any
}

// openAPIDoc is a parsed document.
type openAPIDoc struct {
	Servers []string
	Ops     []apiOp
	root    map[string]any
	// budget is what is left of maxSchemaNodes for the operation being
	// read.
	budget int
}

// maxRefDepth bounds $ref chains and nested schemas.
const maxRefDepth = 8

// maxSchemaNodes bounds the schema nodes one operation's parameters and
// body expand to once their $refs are followed: nesting alone is bounded
// by maxRefDepth, but a schema whose ten properties each $ref one with ten
// more grows tenfold per level (10^8 nodes at depth 8).
const maxSchemaNodes = 5000

var httpMethods = []string{"get", "put", "post", "delete", "patch", "head", "options"}

// parseOpenAPI reads an OpenAPI 3 document (YAML or JSON).
func parseOpenAPI(data []byte) (*openAPIDoc, error) {
	var root map[string]any
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("not YAML or JSON: %w", err)
	}
	v, _ := root["openapi"].(string)
	if !strings.HasPrefix(v, "3.") {
		if _, ok := root["swagger"]; ok {
			return nil, fmt.Errorf("a Swagger 2 document; secmcp reads OpenAPI 3 (convert it, e.g. with swagger2openapi)")
		}
		return nil, fmt.Errorf("no openapi: 3.x field: not an OpenAPI 3 document")
	}
	d := &openAPIDoc{root: root}
	for _, s := range asList(root["servers"]) {
		sm, _ := s.(map[string]any)
		u, _ := sm["url"].(string)
		if u = serverURL(u, sm); u != "" {
			d.Servers = append(d.Servers, u)
		}
	}
	if len(d.Servers) == 0 {
		return nil, fmt.Errorf("the document names no servers: secmcp calls only the servers a document names")
	}
	paths, _ := root["paths"].(map[string]any)
	keys := make([]string, 0, len(paths))
	for k := range paths {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, p := range keys {
		item, _ := d.resolve(paths[p], 0).(map[string]any)
		common := asList(item["parameters"])
		for _, m := range httpMethods {
			op, ok := item[m].(map[string]any)
			if !ok {
				continue
			}
			d.Ops = append(d.Ops, d.operation(p, m, op, common))
		}
	}
	return d, nil
}

// serverURL fills a server URL's {variables} with their defaults and
// drops a trailing "/".
func serverURL(u string, s map[string]any) string {
	vars, _ := s["variables"].(map[string]any)
	for k, v := range vars {
		vm, _ := v.(map[string]any)
		if def, ok := vm["default"]; ok {
			u = strings.ReplaceAll(u, "{"+k+"}", fmt.Sprint(def))
		}
	}
	return strings.TrimRight(strings.TrimSpace(u), "/")
}

func (d *openAPIDoc) operation(path, method string, op map[string]any, common []any) (o apiOp) {
	o = apiOp{Method: strings.ToUpper(method), Path: path, Responses: map[string]string{}}
	d.budget = maxSchemaNodes
	defer func() {
		if d.budget < 0 {
			o.Err = fmt.Sprintf("its parameter and body schemas expand to more than %d nodes once their $refs are followed; give a copy of the document with simpler schemas", maxSchemaNodes)
		}
	}()
	o.ID, _ = op["operationId"].(string)
	if strings.TrimSpace(o.ID) == "" {
		o.ID = method + " " + path
	}
	o.Summary, _ = op["summary"].(string)
	o.Description, _ = op["description"].(string)
	if dm, ok := op["descriptionForModel"].(string); ok && strings.TrimSpace(dm) != "" {
		o.Description = dm
	}
	seen := map[string]int{}
	for _, raw := range append(append([]any{}, common...), asList(op["parameters"])...) {
		pm, _ := d.resolve(raw, 0).(map[string]any)
		p := apiParam{}
		p.Name, _ = pm["name"].(string)
		p.In, _ = pm["in"].(string)
		p.Description, _ = pm["description"].(string)
		p.Required, _ = pm["required"].(bool)
		p.Schema, _ = d.inline(pm["schema"], 0).(map[string]any)
		key := p.In + "\x00" + p.Name
		if i, ok := seen[key]; ok { // an operation's parameter overrides the path item's
			o.Params[i] = p
			continue
		}
		seen[key] = len(o.Params)
		o.Params = append(o.Params, p)
	}
	if rb, ok := d.resolve(op["requestBody"], 0).(map[string]any); ok {
		o.BodyRequired, _ = rb["required"].(bool)
		content, _ := rb["content"].(map[string]any)
		for ct, v := range content {
			if strings.Contains(strings.ToLower(ct), "json") {
				vm, _ := v.(map[string]any)
				o.Body, _ = d.inline(vm["schema"], 0).(map[string]any)
				if o.Body == nil {
					o.Body = map[string]any{"type": "object"}
				}
			}
		}
	}
	resps, _ := op["responses"].(map[string]any)
	for code, r := range resps {
		rm, _ := d.resolve(r, 0).(map[string]any)
		desc, _ := rm["description"].(string)
		o.Responses[code] = desc
	}
	return o
}

// resolve follows a local $ref ("#/components/schemas/X").
func (d *openAPIDoc) resolve(v any, depth int) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	ref, ok := m["$ref"].(string)
	if !ok || depth > maxRefDepth || !strings.HasPrefix(ref, "#/") {
		return v
	}
	var cur any = d.root
	for _, part := range strings.Split(ref[2:], "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		if u, err := url.PathUnescape(part); err == nil {
			part = u
		}
		cm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = cm[part]
	}
	return d.resolve(cur, depth+1)
}

// inline copies a schema with its local $refs followed, nesting cut at
// maxRefDepth (a recursive schema ends there).
func (d *openAPIDoc) inline(v any, depth int) any {
	d.budget--
	if depth > 3*maxRefDepth || d.budget < 0 {
		return map[string]any{}
	}
	switch v := d.resolve(v, 0).(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = d.inline(x, depth+1)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = d.inline(x, depth+1)
		}
		return out
	default:
		return v
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
