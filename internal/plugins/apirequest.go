package plugins

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/secmcp/secmcp/tools"
)

// decodeArgs checks the arguments against the operation: known names,
// required ones present, defaults filled in; values stay JSON.
func (sk *APISkill) decodeArgs(raw json.RawMessage) (map[string]json.RawMessage, error) {
	args := map[string]json.RawMessage{}
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &args); err != nil {
			return nil, tools.Errorf("arguments must be a JSON object: %v", err)
		}
	}
	for k := range args {
		if !slices.Contains(sk.argNames, k) {
			return nil, tools.Errorf("unknown argument %q; valid arguments: %s, tenant", k, strings.Join(sk.argNames, ", "))
		}
	}
	for _, a := range sk.args {
		if _, ok := args[a.Name]; ok {
			continue
		}
		if a.hasDef {
			args[a.Name] = a.def
		} else if a.Required || a.In == "path" {
			return nil, tools.Errorf("missing required argument %q%s", a.Name, paren(cleanDescription(a.Description)))
		}
	}
	if _, ok := args[bodyArg]; !ok && sk.Op.BodyRequired {
		return nil, tools.Errorf("missing required argument %q (the JSON request body)", bodyArg)
	}
	return args, nil
}

func paren(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

// request builds the HTTP request: path parameters escaped into their
// segments, query and header parameters set, the JSON body, and the
// credential. sent describes it without the secret.
func (sk *APISkill) request(ctx context.Context, env *Env, call tools.Call, args map[string]json.RawMessage) (req *http.Request, sent, secret string, err error) {
	path := sk.Op.Path
	q, h := url.Values{}, http.Header{}
	for _, p := range sk.args {
		v, ok := args[p.Name]
		if !ok {
			continue
		}
		vals, err := paramValues(p, v)
		if err != nil {
			return nil, "", "", err
		}
		switch p.In {
		case "path":
			s := vals[0]
			if s == "" || s == "." || s == ".." {
				return nil, "", "", tools.Errorf("argument %q: %q cannot be a path segment", p.Name, s)
			}
			// PathEscape escapes "/", "?", "#", "%", "{" and "}": a value
			// stays inside its segment and cannot reach another placeholder.
			path = strings.ReplaceAll(path, "{"+p.Name+"}", url.PathEscape(s))
		case "query":
			for _, s := range vals {
				q.Add(p.Name, s)
			}
		case "header":
			h.Set(p.Name, vals[0])
		}
	}
	var body []byte
	if b, ok := args[bodyArg]; ok {
		if body, err = sk.checkBody(b); err != nil {
			return nil, "", "", err
		}
		h.Set("Content-Type", "application/json")
	}
	h.Set("Accept", "application/json")
	u := *sk.Base
	u.RawPath = strings.TrimRight(sk.Base.EscapedPath(), "/") + path
	if u.Path, err = url.PathUnescape(u.RawPath); err != nil {
		return nil, "", "", tools.Errorf("the request path %s does not unescape: %v", u.RawPath, err)
	}
	u.RawQuery = q.Encode()
	sentURL := u.String()
	secret, authDesc, err := sk.Auth.apply(ctx, env, sk.PluginName, call, h, q)
	if err != nil {
		return nil, "", "", err
	}
	u.RawQuery = q.Encode()
	req, err = http.NewRequestWithContext(ctx, sk.Op.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, "", "", tools.Errorf("%s: building the request: %v", sk.Tool, redact(err.Error(), secret))
	}
	req.Header = h
	return req, describeRequest(sk.Op.Method, sentURL, h, sk.Auth, authDesc, body), secret, nil
}

// describeRequest is the request as cited: method, URL and headers
// without the credential, and the body.
func describeRequest(method, u string, h http.Header, a apiAuth, authDesc string, body []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", method, u)
	keys := make([]string, 0, len(h))
	for k := range h {
		if k == "Authorization" || (a.Kind == "apikey" && !a.InQuery && strings.EqualFold(k, a.Name)) {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, h.Get(k))
	}
	if authDesc != "" && authDesc != "none" {
		fmt.Fprintf(&b, "(auth) %s\n", authDesc)
	}
	if len(body) > 0 {
		b.WriteString("\n")
		b.Write(body)
		b.WriteString("\n")
	}
	return b.String()
}

// paramValues turns a JSON argument into the parameter's text values,
// checked against its schema type, enum and length.
func paramValues(p apiArg, raw json.RawMessage) ([]string, error) {
	s := p.schema
	if s["type"] == "array" {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, tools.Errorf("argument %q must be an array", p.Name)
		}
		if len(items) > s["maxItems"].(int) {
			return nil, tools.Errorf("argument %q has %d items; at most %d", p.Name, len(items), s["maxItems"])
		}
		var out []string
		for _, it := range items {
			v, err := scalarValue(p.Name, p.item, it)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	v, err := scalarValue(p.Name, s, raw)
	if err != nil {
		return nil, err
	}
	if p.In == "header" && strings.ContainsAny(v, "\r\n\x00") {
		return nil, tools.Errorf("argument %q: a header value cannot hold line breaks or NUL", p.Name)
	}
	return []string{v}, nil
}

// scalarValue is one scalar argument's text.
func scalarValue(name string, s map[string]any, raw json.RawMessage) (string, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "", tools.Errorf("argument %q is not valid JSON", name)
	}
	var out string
	switch x := v.(type) {
	case string:
		if s["type"] != "string" {
			return "", tools.Errorf("argument %q must be of type %s", name, s["type"])
		}
		out = x
	case json.Number:
		if s["type"] == "integer" && strings.ContainsAny(x.String(), ".eE") {
			return "", tools.Errorf("argument %q must be an integer", name)
		}
		if s["type"] == "boolean" {
			return "", tools.Errorf("argument %q must be true or false", name)
		}
		out = x.String()
	case bool:
		if s["type"] != "boolean" && s["type"] != "string" {
			return "", tools.Errorf("argument %q must be of type %s", name, s["type"])
		}
		out = fmt.Sprint(x)
	default:
		return "", tools.Errorf("argument %q must be a %s, not an array or object", name, s["type"])
	}
	if ml, ok := s["maxLength"].(int); ok && len(out) > ml {
		return "", tools.Errorf("argument %q is %d bytes long; at most %d", name, len(out), ml)
	}
	if enum, ok := s["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return fmt.Sprint(e) == out }) {
		return "", tools.Errorf("argument %q must be one of %v", name, enum)
	}
	return out, nil
}

// checkBody checks the request body: size, JSON, an object when the
// schema says so, with its required properties.
func (sk *APISkill) checkBody(raw json.RawMessage) ([]byte, error) {
	if len(raw) > MaxAPIBody {
		return nil, tools.Errorf("argument %q is %d bytes; at most %d", bodyArg, len(raw), MaxAPIBody)
	}
	if t, _ := sk.Op.Body["type"].(string); t == "object" || (t == "" && sk.Op.Body["properties"] != nil) {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return nil, tools.Errorf("argument %q must be a JSON object", bodyArg)
		}
		req, _ := sk.Op.Body["required"].([]any)
		for _, r := range req {
			if _, ok := obj[fmt.Sprint(r)]; !ok {
				return nil, tools.Errorf("argument %q lacks the required property %q", bodyArg, r)
			}
		}
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, tools.Errorf("argument %q is not valid JSON: %v", bodyArg, err)
	}
	return buf.Bytes(), nil
}
