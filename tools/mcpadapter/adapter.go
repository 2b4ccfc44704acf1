// Package mcpadapter is the one package that imports mcp-go. It turns the
// tool core's registry, the resources and the prompts into an MCP server, and
// serves it over stdio or streamable HTTP. Keeping the SDK behind this one
// package means an SDK change (or a move to another SDK) rewrites this
// package and no tool.
//
// Over HTTP a gate stands in front of mcp-go (guard.go): Origin check,
// authentication, then bounds applied before anything is parsed (body size
// and read deadline, per-principal requests in flight), then session
// ownership. A 2025-11-25 session belongs to the principal and tenant set
// that created it (sessions.go): the gate looks up every presented
// Mcp-Session-Id in its own table and answers an unknown, ended or foreign
// one with the bytes mcp-go uses for an unknown session, before mcp-go sees
// the request. The check lives in the gate rather than only in a
// SessionIdManager because mcp-go v1.2.1 does not consult the manager on
// every path (a GET creates a session for any ID; a Last-Event-ID resume
// and a sampling answer are routed by the bare ID); the manager, resolved
// per request, is wired to the same table as a second line. New sessions
// are capped per principal and in total, idle ones expire, replay keeps a
// bounded number of bytes (eventstore.go), and session IDs are scrubbed
// from every log line (logscrub.go).
package mcpadapter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// Config wires an MCP server.
type Config struct {
	Name, Version string
	Instructions  string
	Invoker       *tools.Invoker
	// Resources serves resources/read and lists templates; may be nil.
	Resources *resources.Server
	Log       *slog.Logger
	// OutputSchemas decides per caller and client (the name it gave in
	// initialize) whether tools/list carries each tool's outputSchema; nil
	// sends them to all. Without them results still carry
	// structuredContent, which the MCP spec allows without a schema
	// (https://modelcontextprotocol.io/specification/2025-06-18/server/tools#structured-content),
	// and clients skip compiling a validator per tool (issue 16).
	OutputSchemas func(c tools.Caller, client string) bool
	// OnInitialized, if set, runs after the server answers an initialize
	// request (the binary ends its start-up GC setting there; see
	// internal/startgc).
	OnInitialized func()
	// Extra lets a test build add fixture tools, resources and prompts.
	Extra func(s *server.MCPServer)
	// MaxMessageBytes bounds one stdio message (a line); 0 takes
	// DefaultLimits().MaxBodyBytes, the HTTP body limit.
	MaxMessageBytes int64
}

type callerKey struct{}

// WithCaller attaches the authenticated caller to a context.
func WithCaller(ctx context.Context, c tools.Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller attached by the transport.
func CallerFrom(ctx context.Context) (tools.Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(tools.Caller)
	return c, ok
}

// Server is an MCP server ready to serve over stdio or HTTP. It wraps the
// SDK's server so callers outside this package never import mcp-go.
type Server struct {
	mcp        *server.MCPServer
	log        *slog.Logger
	maxMessage int64 // stdio line limit
}

// NewServer builds the MCP server with every exposed tool, resource
// template and prompt.
func NewServer(cfg Config) *Server {
	maxMessage := cfg.MaxMessageBytes
	if maxMessage <= 0 {
		maxMessage = DefaultLimits().MaxBodyBytes
	}
	return &Server{mcp: newMCPServer(cfg), log: cfg.Log, maxMessage: maxMessage}
}

func newMCPServer(cfg Config) *server.MCPServer {
	opts := []server.ServerOption{
		// listChanged is declared when tools can arrive while running
		// (plugin MCP servers, late.go in tools): mcp-go then tells every
		// client when the list changes.
		server.WithToolCapabilities(cfg.Invoker.Tools.HasLate()),
		// Subscribe and completions are declared so resources/subscribe,
		// resources/unsubscribe and completion/complete answer instead of
		// "method not found" (three of the conformance suite's no-fixture
		// scenarios; see interop_conformance_test.go). Subscriptions are
		// recorded but upstream data is not watched, so no
		// notifications/resources/updated is sent; a secmcp:// URI the
		// caller cannot read is refused as a read is (subscribeCheck). Resource templates
		// complete their {tenant} argument with the caller's tenants.
		server.WithResourceCapabilities(true, false),
		server.WithCompletions(),
		server.WithPromptCapabilities(false),
		server.WithLogging(),
		server.WithRecovery(),
		server.WithResourceRecovery(),
	}
	if cfg.Instructions != "" {
		opts = append(opts, server.WithInstructions(cfg.Instructions))
	}
	ra := newReadAhead()
	hooks := &server.Hooks{}
	hooks.AddAfterListTools(listFilter(cfg.Invoker, cfg.OutputSchemas))
	if cfg.OnInitialized != nil {
		hooks.AddAfterInitialize(func(context.Context, any, *mcp.InitializeRequest, *mcp.InitializeResult) { cfg.OnInitialized() })
	}
	if cfg.Resources != nil {
		opts = append(opts, server.WithResourceCompletionProvider(tenantCompletions{cfg.Resources}))
		hooks.AddBeforeReadResource(ra.hook(cfg.Resources))
		hooks.AddOnRequestInitialization(subscribeCheck(cfg.Resources))
	}
	opts = append(opts, server.WithHooks(hooks))
	s := server.NewMCPServer(cfg.Name, cfg.Version, opts...)
	// Registered before the tools are added, so no late change is missed
	// (adding a tool twice replaces it).
	cfg.Invoker.Tools.OnLateChange(lateSync(s, cfg))
	for _, spec := range cfg.Invoker.Tools.Specs() {
		s.AddTool(toMCPTool(spec), toolHandler(cfg, spec.Name))
	}
	if cfg.Resources != nil {
		addResources(s, cfg, ra)
	}
	if cfg.Extra != nil {
		cfg.Extra(s)
	}
	for _, f := range buildExtras {
		f(s, cfg)
	}
	return s
}

// listFilter shows a role-bound caller (an Entra ID token, a key with
// roles) only the tools its roles let it call, and leaves out the output
// schemas when the operator turned them off for this caller or client
// (when on, each carries its $id: tools.ListOutputSchemas). It
// trims the finished tools/list result rather than using mcp-go's
// WithToolFilter, because that filter also answers a call of a hidden tool
// with a bare "tool not found"; calls instead reach the Invoker, whose
// refusal names the role the tool needs. The server lists every tool on
// one page (no pagination limit is set), so trimming a page is trimming the
// list; the page is mcp-go's copy, made for this request.
func listFilter(inv *tools.Invoker, schemas func(tools.Caller, string) bool) server.OnAfterListToolsFunc {
	return func(ctx context.Context, _ any, _ *mcp.ListToolsRequest, res *mcp.ListToolsResult) {
		if res == nil {
			return
		}
		caller, ok := CallerFrom(ctx)
		on := schemas == nil || schemas(caller, clientName(ctx))
		listOutputSchemas(inv, res.Tools, on)
		if !ok {
			return
		}
		if !caller.RoleBound() && !inv.Tools.TenantBound() {
			return
		}
		kept := make([]mcp.Tool, 0, len(res.Tools))
		for _, t := range res.Tools {
			// A tool for other tenants only (a plugin MCP server
			// configured for one tenant) does not exist for this caller.
			if spec, ok := inv.Tools.Lookup(t.Name); ok && !inv.Sees(caller, spec) || !ok && !inv.Permits(caller, t.Name) {
				continue
			}
			kept = append(kept, t)
		}
		res.Tools = kept
	}
}

// listOutputSchemas drops every tool's output schema when off; when on, it
// sets each to its listed form (its own root $id, or a content-derived one)
// over the whole list, before any caller's filtering, so every caller sees
// the same schema under an $id; a schema whose own $id another listed
// schema carries with other content is left out, with a warning.
func listOutputSchemas(inv *tools.Invoker, list []mcp.Tool, on bool) {
	if !on {
		for i := range list {
			list[i].RawOutputSchema = nil
		}
		return
	}
	names := make([]string, len(list))
	schemas := make([]json.RawMessage, len(list))
	for i := range list {
		names[i], schemas[i] = list[i].Name, list[i].RawOutputSchema
	}
	out, clashes := tools.ListOutputSchemas(names, schemas)
	for i := range list {
		if out[i] != nil || len(schemas[i]) == 0 {
			list[i].RawOutputSchema = out[i]
		} else if _, err := tools.ListedOutputSchema(schemas[i]); err == nil {
			list[i].RawOutputSchema = nil // left out: its $id clashes
		}
	}
	tools.WarnSchemaClashes(inv.Log, clashes)
}

// clientName is the name the session's client gave in initialize
// (clientInfo.name), or "".
func clientName(ctx context.Context) string {
	if s, ok := server.ClientSessionFromContext(ctx).(server.SessionWithClientInfo); ok {
		return s.GetClientInfo().Name
	}
	return ""
}

// buildExtras are registered by files behind build tags (the conformance
// suite's fixture tools); a normal build has none.
var buildExtras []func(s *server.MCPServer, cfg Config)

func toMCPTool(spec tools.Spec) mcp.Tool {
	title := spec.Title
	t := mcp.Tool{
		Name:            spec.Name,
		Title:           title,
		Description:     spec.Description,
		RawInputSchema:  spec.InputSchema,
		RawOutputSchema: spec.OutputSchema,
		// The title is sent once, as the tool's title (the 2025-06-18 field
		// clients show); annotations carry only the behaviour hints.
		Annotations: mcp.ToolAnnotation{
			ReadOnlyHint:    mcp.ToBoolPtr(spec.ReadOnly),
			DestructiveHint: mcp.ToBoolPtr(!spec.ReadOnly),
			IdempotentHint:  mcp.ToBoolPtr(spec.ReadOnly),
			OpenWorldHint:   mcp.ToBoolPtr(spec.OpenWorld),
		},
	}
	return t
}

func toolHandler(cfg Config, name string) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		caller, ok := CallerFrom(ctx)
		if !ok {
			return mcp.NewToolResultError("unauthenticated: no caller identity on this connection"), nil
		}
		raw, err := json.Marshal(req.GetRawArguments())
		if err != nil {
			return mcp.NewToolResultError("arguments must be a JSON object"), nil
		}
		out, err := cfg.Invoker.InvokeCall(ctx, caller, name, raw, tools.Call{Progress: progressFunc(ctx, req), Sample: sampleFunc(ctx)})
		if err != nil {
			return errorResult(err), nil
		}
		return &mcp.CallToolResult{
			Content:           []mcp.Content{mcp.NewTextContent(out.Text)},
			StructuredContent: out.Structured,
		}, nil
	}
}

func errorResult(err error) *mcp.CallToolResult {
	var te *tools.ToolError
	msg := err.Error()
	if errors.As(err, &te) && te.RetryAfter > 0 {
		r := mcp.NewToolResultError(msg)
		r.Meta = &mcp.Meta{AdditionalFields: map[string]any{"retryAfterSeconds": ratelimit.Seconds(te.RetryAfter)}}
		return r
	}
	return mcp.NewToolResultError(msg)
}

// progressFunc returns a progress reporter bound to the request's progress
// token, or nil when the client did not ask for progress.
func progressFunc(ctx context.Context, req mcp.CallToolRequest) func(done, total float64, msg string) {
	if req.Params.Meta == nil || req.Params.Meta.ProgressToken == nil {
		return nil
	}
	token := req.Params.Meta.ProgressToken
	srv := server.ServerFromContext(ctx)
	if srv == nil {
		return nil
	}
	return func(done, total float64, msg string) {
		params := map[string]any{"progressToken": token, "progress": done, "total": total}
		if msg != "" {
			params["message"] = msg
		}
		_ = srv.SendNotificationToClient(ctx, "notifications/progress", params)
		// mcp-go can deliver the last notification after the response
		// (docs/mcp-interop.md); a short pause lets it go out first.
		time.Sleep(5 * time.Millisecond)
	}
}

// ErrUnauthenticated is returned by resource reads without a caller.
var ErrUnauthenticated = fmt.Errorf("unauthenticated: no caller identity on this connection")

// sampleFunc returns a sampler through the client's model when the client
// declared the sampling capability, or nil. It uses a direct
// server-initiated request, which works on stdio and on 2025-11-25 HTTP
// sessions; on the 2026-07-28 stateless protocol it fails and the caller
// falls back (docs/mcp-interop.md).
func sampleFunc(ctx context.Context) func(context.Context, tools.SampleRequest) (string, error) {
	srv := server.ServerFromContext(ctx)
	sess, ok := server.ClientSessionFromContext(ctx).(server.SessionWithClientInfo)
	if srv == nil || !ok || sess.GetClientCapabilities().Sampling == nil {
		return nil
	}
	return func(ctx context.Context, r tools.SampleRequest) (string, error) {
		if r.MaxTokens <= 0 {
			r.MaxTokens = 1024
		}
		res, err := srv.RequestSampling(ctx, mcp.CreateMessageRequest{CreateMessageParams: mcp.CreateMessageParams{
			Messages:     []mcp.SamplingMessage{{Role: mcp.RoleUser, Content: mcp.NewTextContent(r.Prompt)}},
			SystemPrompt: r.System, MaxTokens: r.MaxTokens,
		}})
		if err != nil {
			return "", fmt.Errorf("sampling: %w", err)
		}
		switch c := res.Content.(type) {
		case mcp.TextContent:
			return c.Text, nil
		case *mcp.TextContent:
			return c.Text, nil
		}
		return "", fmt.Errorf("sampling: the client's model answered with %T, not text", res.Content)
	}
}

// tenantCompletions completes the {tenant} argument of resource templates
// with the aliases the caller may use (and nothing about other tenants).
type tenantCompletions struct{ rs *resources.Server }

// CompleteResourceArgument implements server.ResourceCompletionProvider.
func (c tenantCompletions) CompleteResourceArgument(ctx context.Context, _ string, arg mcp.CompleteArgument, _ mcp.CompleteContext) (*mcp.Completion, error) {
	values := []string{}
	caller, ok := CallerFrom(ctx)
	if arg.Name == "tenant" && ok {
		for _, t := range c.rs.Tenants.Permitted(caller.Tenants) {
			if strings.HasPrefix(t.Alias, strings.ToLower(arg.Value)) {
				values = append(values, t.Alias)
			}
		}
	}
	return &mcp.Completion{Values: values, Total: len(values)}, nil
}
