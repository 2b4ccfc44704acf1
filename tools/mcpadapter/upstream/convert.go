package upstream

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/secmcp/secmcp/internal/lazyre"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// Bounds on what a plugin's tools/list may carry into ours. Tool
// descriptions and schemas come from a server secmcp does not control and
// reach the client's model: they are untrusted text (prompt injection), so
// they are sanitized like any attacker-controlled field and cut short.
const (
	MaxTools             = 200
	MaxDescription       = 2048
	MaxSchemaString      = 512
	MaxSchemaBytes       = 32 << 10
	MaxSchemaDepth       = 16
	maxToolListPages     = 20
	descriptionCutMarker = " [cut]"
)

// upstreamName is the MCP spec's tool name alphabet
// (https://modelcontextprotocol.io/specification/2025-11-25/server/tools#tool-names).
var upstreamName = lazyre.New(`^[A-Za-z0-9_.-]{1,64}$`)

// remoteTool is one plugin tool, sanitized, with what secmcp needs to
// re-export it.
type remoteTool struct {
	// Upstream is the name the plugin knows it by.
	Upstream string
	// Name is the namespaced name: <server>__<tool>.
	Name        string
	Title       string
	Description string
	InputSchema json.RawMessage
	ReadOnly    bool
	OpenWorld   bool
}

// cutText sanitizes s and cuts it to max bytes at a rune boundary.
func cutText(s string, max int) string {
	s = tools.SanitizeText(s)
	if len(s) <= max {
		return s
	}
	cut := max - len(descriptionCutMarker)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + descriptionCutMarker
}

// convertTool checks and sanitizes one tool of the plugin named server.
// readOnlyTools are tools the operator vouches for.
func convertTool(server string, t mcp.Tool, readOnlyTools map[string]bool) (remoteTool, error) {
	if !upstreamName.MatchString(t.Name) {
		return remoteTool{}, fmt.Errorf("tool name %q is not 1-64 letters, digits, _ . or -", cutText(t.Name, 80))
	}
	raw, err := json.Marshal(t.InputSchema)
	if len(t.RawInputSchema) > 0 {
		raw, err = t.RawInputSchema, nil
	}
	if err != nil {
		return remoteTool{}, fmt.Errorf("tool %s: input schema: %w", t.Name, err)
	}
	schema, err := cleanSchema(raw)
	if err != nil {
		return remoteTool{}, fmt.Errorf("tool %s: input schema: %w", t.Name, err)
	}
	rt := remoteTool{
		Upstream: t.Name, Name: server + "__" + t.Name,
		Title:       cutText(firstNonEmpty(t.Title, t.Annotations.Title), 128),
		Description: cutText(t.Description, MaxDescription),
		InputSchema: schema,
		ReadOnly:    (t.Annotations.ReadOnlyHint != nil && *t.Annotations.ReadOnlyHint) || readOnlyTools[t.Name],
		// The MCP spec's default for openWorldHint is true.
		OpenWorld: t.Annotations.OpenWorldHint == nil || *t.Annotations.OpenWorldHint,
	}
	if rt.Description == "" {
		rt.Description = fmt.Sprintf("Tool %s of the plugin MCP server %s.", t.Name, server)
	}
	return rt, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// cleanSchema bounds and sanitizes an input schema: an object schema of at
// most MaxSchemaBytes and MaxSchemaDepth levels, every string sanitized and
// cut to MaxSchemaString (tools.NewDynamic then adds secmcp's optional
// "tenant" argument; a plugin tool that declares its own "tenant" is
// refused: the core takes that argument before the tool sees it).
func cleanSchema(raw json.RawMessage) (json.RawMessage, error) {
	if len(raw) > MaxSchemaBytes {
		return nil, fmt.Errorf("%d bytes is more than the %d allowed", len(raw), MaxSchemaBytes)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	if m["type"] != "object" {
		return nil, fmt.Errorf("type must be \"object\"")
	}
	for _, k := range []string{"oneOf", "anyOf", "allOf"} {
		if _, ok := m[k]; ok {
			return nil, fmt.Errorf("top-level %s is not allowed", k)
		}
	}
	clean, err := cleanValue(m, 0)
	if err != nil {
		return nil, err
	}
	m = clean.(map[string]any)
	props, _ := m["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
		m["properties"] = props
	}
	if _, clash := props["tenant"]; clash {
		return nil, fmt.Errorf("it declares a \"tenant\" argument, which secmcp reserves for choosing the tenant")
	}
	return json.Marshal(m)
}

func cleanValue(v any, depth int) (any, error) {
	if depth > MaxSchemaDepth {
		return nil, fmt.Errorf("nested deeper than %d levels", MaxSchemaDepth)
	}
	switch x := v.(type) {
	case string:
		return cutText(x, MaxSchemaString), nil
	case []any:
		for i := range x {
			c, err := cleanValue(x[i], depth+1)
			if err != nil {
				return nil, err
			}
			x[i] = c
		}
		return x, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			// MCP's own schema extensions (x-mcp-header routes an
			// argument into an HTTP header) are the plugin's business
			// with its own clients, not ours: dropped.
			if strings.HasPrefix(k, "x-mcp-") {
				continue
			}
			c, err := cleanValue(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[cutText(k, MaxSchemaString)] = c
		}
		return out, nil
	}
	return v, nil
}

// Result is a plugin tool's answer as secmcp returns it: the text parts,
// the structured content when there is one and it fits, and what was left
// out. The invoker sanitizes it like every tool's result.
type Result struct {
	Server string `json:"server"`
	Tool   string `json:"tool"`
	// Content is the text parts of the answer, joined.
	Content string `json:"content"`
	// Structured is the plugin's structuredContent, when it fits.
	Structured json.RawMessage `json:"structured,omitempty"`
	// Omitted says what was left out: non-text parts, a cut.
	Omitted []string `json:"omitted,omitempty"`
	// Sources cite the call: the resource holding the arguments sent and
	// this answer.
	Sources []resources.Ref `json:"sources,omitempty"`
}

// Text is the result's text content, with what was left out and its
// citation.
func (r Result) Text() string {
	out := r.Content
	if len(r.Omitted) > 0 {
		out += "\n[" + strings.Join(r.Omitted, "; ") + "]"
	}
	for _, s := range r.Sources {
		out += "\nSource: " + s.URI
	}
	return out
}

// convertResult turns the plugin's result into a Result of at most max
// bytes of content (and max of structured content).
func convertResult(server, tool string, res *mcp.CallToolResult, max int) Result {
	out := Result{Server: server, Tool: tool}
	var b strings.Builder
	kinds := map[string]int{}
	for _, c := range res.Content {
		switch x := c.(type) {
		case mcp.TextContent:
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(x.Text)
		case *mcp.TextContent:
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(x.Text)
		default:
			kinds[fmt.Sprintf("%T", c)]++
		}
	}
	for k, n := range kinds {
		out.Omitted = append(out.Omitted, fmt.Sprintf("%d non-text part(s) of type %s", n, strings.TrimPrefix(strings.TrimPrefix(k, "*"), "mcp.")))
	}
	text := b.String()
	if len(text) > max {
		out.Omitted = append(out.Omitted, fmt.Sprintf("text cut at %d of %d bytes (maxResultBytes)", max, len(text)))
		text = cutText(text, max)
	}
	out.Content = text
	if res.StructuredContent != nil || len(res.RawStructuredContent) > 0 {
		sc := res.RawStructuredContent
		if len(sc) == 0 {
			sc, _ = json.Marshal(res.StructuredContent)
		}
		if len(sc) > max {
			out.Omitted = append(out.Omitted, fmt.Sprintf("structured content of %d bytes left out (maxResultBytes %d)", len(sc), max))
		} else if json.Valid(sc) {
			out.Structured = sc
		}
	}
	return out
}
