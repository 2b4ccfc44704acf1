package mcpadapter

import (
	"context"
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/secmcp/secmcp/resources"
)

func addResources(s *server.MCPServer, cfg Config) {
	rs := cfg.Resources
	read := func(ctx context.Context, uri string) ([]mcp.ResourceContents, error) {
		caller, ok := CallerFrom(ctx)
		if !ok {
			return nil, ErrUnauthenticated
		}
		mime, text, err := rs.Read(ctx, caller.Tenants, uri)
		if err != nil {
			return nil, err
		}
		return []mcp.ResourceContents{mcp.TextResourceContents{URI: uri, MIMEType: mime, Text: text}}, nil
	}
	for _, t := range rs.Templates() {
		tpl := mcp.NewResourceTemplate(
			fmt.Sprintf("%s://{tenant}/%s/{id}", resources.Scheme, t.Kind), t.Name,
			mcp.WithTemplateDescription(t.Description), mcp.WithTemplateMIMEType("application/json"))
		s.AddResourceTemplate(tpl, func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			return read(ctx, req.Params.URI)
		})
	}
	for _, st := range rs.StaticTemplates() {
		tpl := mcp.NewResourceTemplate(st.URITemplate, st.Name,
			mcp.WithTemplateDescription(st.Description), mcp.WithTemplateMIMEType(st.MIMEType))
		s.AddResourceTemplate(tpl, func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			return read(ctx, req.Params.URI)
		})
	}
	for _, st := range rs.Statics() {
		r := mcp.NewResource(st.URI, st.Name, mcp.WithResourceDescription(st.Description), mcp.WithMIMEType(st.MIMEType))
		s.AddResource(r, func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			return read(ctx, req.Params.URI)
		})
	}
}
