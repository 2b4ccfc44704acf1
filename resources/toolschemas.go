package resources

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
)

// ToolSchemas reads tools' output schemas for the caller on a context.
type ToolSchemas struct {
	// Names lists, sorted by name, the tools the caller can see that
	// have an output schema.
	Names func(ctx context.Context) []string
	// Schema returns the named tool's output schema exactly as tools/list
	// carries it with output schemas on, or an error naming what is wrong
	// (a tool the caller cannot see is refused like one that does not exist).
	Schema func(ctx context.Context, name string) (json.RawMessage, error)
	// ByID returns the schema tools/list carries under the $id id
	// (secmcp://schemas/output/sha256-…) for a tool the caller can see, or
	// an error naming what is wrong.
	ByID func(ctx context.Context, id string) (json.RawMessage, error)
}

// AddToolSchemas serves the tools' output schemas as resources, so a client
// can have a schema without every tools/list carrying them all (issue 16:
// the TypeScript SDK compiles a validator for each listed schema at
// connect, and output schemas are off in the listing by default):
// secmcp://schemas/tools lists the tools that have one,
// secmcp://schemas/tools/{name} is one tool's schema (also when tools/list
// leaves it out because its own $id clashes with another's), and a listed
// schema's $id, secmcp://schemas/output/{id}, reads the schema tools/list
// carries under it.
func (s *Server) AddToolSchemas(ts ToolSchemas) {
	const prefix = Scheme + "://schemas/tools/"
	s.AddStatic(Static{
		URI: Scheme + "://schemas/tools", Name: "Tool output schemas", MIMEType: "application/json",
		Description: "The tools that declare an output schema (the shape of their structuredContent), each with the URI of its schema. " +
			"tools/list carries the schemas only when output schemas are on for the client.",
		Read: func(ctx context.Context) (string, error) {
			type entry struct {
				Name string `json:"name"`
				URI  string `json:"uri"`
			}
			names := ts.Names(ctx)
			out := make([]entry, 0, len(names))
			for _, n := range names {
				out = append(out, entry{n, prefix + EscapeID(n)})
			}
			b, err := json.MarshalIndent(out, "", "  ")
			return string(b), err
		},
	})
	s.AddStaticTemplate(StaticTemplate{
		URITemplate: prefix + "{name}", Prefix: prefix,
		Name: "Tool output schema", MIMEType: "application/json",
		Description: "One tool's output schema (JSON Schema of its structuredContent), exactly as tools/list carries it when output schemas are on: with its own root $id if it declares one, else a content-derived one.",
		Read: func(ctx context.Context, rest string) (string, error) {
			name, err := url.PathUnescape(rest)
			if err != nil {
				return "", fmt.Errorf("bad tool name %q: %v", rest, err)
			}
			b, err := ts.Schema(ctx, name)
			if err != nil {
				return "", err
			}
			return string(b), nil
		},
	})
	const byID = Scheme + "://schemas/output/"
	s.AddStaticTemplate(StaticTemplate{
		URITemplate: byID + "{id}", Prefix: byID,
		Name: "Output schema by $id", MIMEType: "application/json",
		Description: "The output schema tools/list carries under this $id (sha256-… of its content).",
		Read: func(ctx context.Context, rest string) (string, error) {
			b, err := ts.ByID(ctx, byID+rest)
			if err != nil {
				return "", err
			}
			return string(b), nil
		},
	})
}
