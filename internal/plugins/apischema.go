package plugins

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// Bounds of API tool inputs: every string has a maxLength, every array a
// maxItems, and the request body a size limit.
const (
	maxAPIString = 4096
	maxAPIItems  = 100
	// MaxAPIBody is the largest JSON request body a call sends.
	MaxAPIBody = 64 << 10
	// maxAPISchema is the largest input schema an operation's tool gets
	// (the bound on plugin MCP servers' schemas).
	maxAPISchema = 32 << 10
)

// bodyArg is the argument carrying the JSON request body.
const bodyArg = "body"

// apiArg is one parameter the tool takes, with what checking its argument
// needs; buildArgs makes them once at load, so a call does not.
type apiArg struct {
	apiParam
	// schema is the bounded schema (toSchema) the value is checked against.
	schema map[string]any
	// item is an array's item schema (each item is sent as text).
	item map[string]any
	// def is the document's default as JSON, when hasDef.
	def    json.RawMessage
	hasDef bool
}

// buildArgs checks the operation's parameters and sets sk.args (path,
// query and header parameters; cookie ones are left out) and sk.argNames
// (theirs, and "body" for a JSON request body).
func (sk *APISkill) buildArgs() error {
	sk.args, sk.argNames = nil, nil
	seen := map[string]bool{}
	for _, p := range sk.Op.Params {
		switch p.In {
		case "path", "query", "header":
		case "cookie":
			if p.Required {
				return fmt.Errorf("required cookie parameter %q: cookie parameters are not supported", p.Name)
			}
			continue
		default:
			return fmt.Errorf("parameter %q has no valid \"in\" (path, query, header): %q", p.Name, p.In)
		}
		if strings.TrimSpace(p.Name) == "" {
			return fmt.Errorf("a parameter has no name")
		}
		if !paramNameRE.MatchString(p.Name) || p.In == "header" && !headerNameRE.MatchString(p.Name) {
			return fmt.Errorf("parameter name %q must be 1-128 printable characters without spaces, quotes or control characters (a header's, a header field name)", clip(p.Name))
		}
		if strings.EqualFold(p.Name, "tenant") || p.Name == bodyArg {
			return fmt.Errorf("parameter %q clashes with an argument secmcp gives the tool (tenant, body)", p.Name)
		}
		if seen[p.Name] {
			return fmt.Errorf("parameter %q is declared twice (in different places); secmcp needs unique names", p.Name)
		}
		seen[p.Name] = true
		if p.In == "path" && !strings.Contains(sk.Op.Path, "{"+p.Name+"}") {
			return fmt.Errorf("path parameter %q is not in the path %s", p.Name, sk.Op.Path)
		}
		a := apiArg{apiParam: p, schema: toSchema(p.Schema, 0, p.In != "query")}
		if a.schema["type"] == "array" {
			item, _ := p.Schema["items"].(map[string]any)
			a.item = toSchema(item, 1, true)
		}
		if d, ok := p.Schema["default"]; ok {
			a.def, _ = json.Marshal(d)
			a.hasDef = true
		}
		sk.args = append(sk.args, a)
		sk.argNames = append(sk.argNames, p.Name)
	}
	for _, name := range pathNames(sk.Op.Path) {
		if !seen[name] {
			return fmt.Errorf("the path %s uses {%s} but no path parameter declares it", sk.Op.Path, name)
		}
	}
	if sk.Op.Body != nil {
		sk.argNames = append(sk.argNames, bodyArg)
	}
	return nil
}

// inputSchema is the tool's input schema: one property per path, query and
// header parameter (sk.args: types from the document's schemas, bounded),
// and "body" for a JSON request body.
func (sk *APISkill) inputSchema() (json.RawMessage, error) {
	props := map[string]any{}
	var required []string
	for _, a := range sk.args {
		s := maps.Clone(a.schema)
		if d := cleanDescription(a.Description); d != "" {
			s["description"] = d
		}
		props[a.Name] = s
		if a.Required || a.In == "path" {
			required = append(required, a.Name)
		}
	}
	if sk.Op.Body != nil {
		b := toSchema(sk.Op.Body, 0, false)
		b["description"] = "The JSON request body."
		props[bodyArg] = b
		if sk.Op.BodyRequired {
			required = append(required, bodyArg)
		}
	}
	m := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		m["required"] = required
	}
	b, err := json.Marshal(m)
	if err == nil && len(b) > maxAPISchema {
		return nil, fmt.Errorf("its input schema is %d bytes once bounded; the limit is %d: give a copy of the document with simpler schemas", len(b), maxAPISchema)
	}
	return b, err
}

var (
	paramNameRE  = lazyre.New(`^[^\x00-\x20\x7f"'\\]{1,128}$`)
	headerNameRE = lazyre.New("^[!#$%&'*+\\-.^_`|~0-9A-Za-z]{1,128}$")
)

// smallScalar reports whether v may stand in a tool schema as an enum
// entry or default: a number, a boolean, or a string of at most max bytes.
func smallScalar(v any, max int) bool {
	switch v := v.(type) {
	case string:
		return len(v) <= max
	case int, int64, float64, bool:
		return true
	}
	return false
}

// pathNames are the {names} of a path template.
func pathNames(path string) []string {
	var out []string
	for {
		i := strings.Index(path, "{")
		if i < 0 {
			return out
		}
		j := strings.Index(path[i:], "}")
		if j < 0 {
			return out
		}
		out = append(out, path[i+1:i+j])
		path = path[i+j+1:]
	}
}

// toSchema copies the parts of a document schema a tool's input schema
// needs, bounded: strings get a maxLength, arrays a maxItems, nesting is
// cut at maxRefDepth. scalar makes arrays and objects plain strings (path
// and header parameters are sent as text).
func toSchema(s map[string]any, depth int, scalar bool) map[string]any {
	typ, _ := s["type"].(string)
	if typ == "" {
		switch {
		case s["properties"] != nil:
			typ = "object"
		case s["items"] != nil:
			typ = "array"
		default:
			typ = "string"
		}
	}
	if depth >= maxRefDepth || (scalar && (typ == "array" || typ == "object")) {
		typ = "string"
	}
	out := map[string]any{"type": typ}
	if d, _ := s["description"].(string); d != "" && depth > 0 {
		out["description"] = cleanDescription(d)
	}
	if e, ok := s["enum"].([]any); ok && len(e) > 0 && len(e) <= 200 && !slices.ContainsFunc(e, func(v any) bool { return !smallScalar(v, 256) }) {
		out["enum"] = e
	}
	for _, k := range []string{"default", "minimum", "maximum", "format"} {
		if v, ok := s[k]; ok && typ != "object" && typ != "array" && smallScalar(v, 256) {
			out[k] = v
		}
	}
	switch typ {
	case "string":
		ml := maxAPIString
		if v, ok := s["maxLength"].(int); ok && v > 0 && v < ml {
			ml = v
		}
		out["maxLength"] = ml
	case "array":
		items, _ := s["items"].(map[string]any)
		out["items"] = toSchema(items, depth+1, false)
		mi := maxAPIItems
		if v, ok := s["maxItems"].(int); ok && v > 0 && v < mi {
			mi = v
		}
		out["maxItems"] = mi
	case "object":
		props, _ := s["properties"].(map[string]any)
		if len(props) > 0 {
			p := map[string]any{}
			for k, v := range props {
				if !paramNameRE.MatchString(k) {
					continue // a property name no model should be shown
				}
				vm, _ := v.(map[string]any)
				p[k] = toSchema(vm, depth+1, false)
			}
			out["properties"] = p
		}
		if r, ok := s["required"].([]any); ok && len(r) > 0 {
			out["required"] = r
		}
	}
	return out
}
