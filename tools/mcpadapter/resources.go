package mcpadapter

import (
	"context"
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// readContext is the context of a resource read: on-behalf-of tenants read
// with the signed-in user's rights, as the user's tool calls do.
func readContext(ctx context.Context, caller tools.Caller) context.Context {
	if caller.User != nil {
		return source.WithUser(ctx, caller.User)
	}
	return ctx
}

func addResources(s *server.MCPServer, cfg Config, ra *readAhead) {
	rs := cfg.Resources
	read := func(ctx context.Context, uri string) ([]mcp.ResourceContents, error) {
		caller, ok := CallerFrom(ctx)
		if !ok {
			return nil, ErrUnauthenticated
		}
		mime, text, err := rs.Read(readContext(ctx, caller), caller.Tenants, uri)
		if err != nil {
			return nil, err
		}
		return []mcp.ResourceContents{mcp.TextResourceContents{URI: uri, MIMEType: mime, Text: text}}, nil
	}
	// {+id}: a cited id is percent-encoded (resources.EscapeID), but a
	// hand-typed one may keep reserved characters raw (alice@contoso.com);
	// reserved expansion matches both, and the reader unescapes.
	for _, t := range rs.Templates() {
		tpl := mcp.NewResourceTemplate(
			fmt.Sprintf("%s://{tenant}/%s/{+id}", resources.Scheme, t.Kind), t.Name,
			mcp.WithTemplateDescription(t.Description), mcp.WithTemplateMIMEType("application/json"))
		s.AddResourceTemplate(tpl, func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			if c, err, ok := ra.taken(req); ok {
				return c, err
			}
			return read(ctx, req.Params.URI)
		})
	}
	for _, st := range rs.StaticTemplates() {
		tpl := mcp.NewResourceTemplate(st.URITemplate, st.Name,
			mcp.WithTemplateDescription(st.Description), mcp.WithTemplateMIMEType(st.MIMEType))
		s.AddResourceTemplate(tpl, func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			if c, err, ok := ra.taken(req); ok {
				return c, err
			}
			return read(ctx, req.Params.URI)
		})
	}
	for _, p := range rs.Prompts() {
		addPrompt(s, rs, p)
	}
	for _, st := range rs.Statics() {
		r := mcp.NewResource(st.URI, st.Name, mcp.WithResourceDescription(st.Description), mcp.WithMIMEType(st.MIMEType))
		s.AddResource(r, func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			if c, err, ok := ra.taken(req); ok {
				return c, err
			}
			return read(ctx, req.Params.URI)
		})
	}
}

func addPrompt(s *server.MCPServer, rs *resources.Server, p resources.Prompt) {
	opts := []mcp.PromptOption{mcp.WithPromptDescription(p.Description)}
	for _, a := range p.Args {
		ao := []mcp.ArgumentOption{mcp.ArgumentDescription(a.Description)}
		if a.Required {
			ao = append(ao, mcp.RequiredArgument())
		}
		opts = append(opts, mcp.WithArgument(a.Name, ao...))
	}
	name := p.Name
	s.AddPrompt(mcp.NewPrompt(name, opts...), func(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		text, err := rs.RenderPrompt(name, req.Params.Arguments)
		if err != nil {
			return nil, err
		}
		return mcp.NewGetPromptResult(p.Description, []mcp.PromptMessage{
			mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(text)),
		}), nil
	})
}
