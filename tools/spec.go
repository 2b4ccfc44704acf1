// Package tools is the tool core: the typed tool spec, the registry with its
// toolsets and read-only enforcement, strict argument decoding, result
// trimming and paging, and the middleware every call passes through
// (recover → caller → tenant → rate limit → audit → deadline).
//
// Tool bodies are plain Go: a params struct (which is also the input schema),
// a result struct (which is also the output schema) and a function
// func(ctx, Call, Params) (Result, error). Nothing here imports mcp-go; the
// only package that does is tools/mcpadapter, so swapping the MCP SDK touches
// one package and no tool.
package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/tenant"
)

// Call is what a tool body learns about the call besides its params: the one
// tenant the call resolved to, who is calling, and a way to report progress.
type Call struct {
	// Tenant is the single tenant this call may touch.
	Tenant *tenant.Tenant
	// Principal names the caller ("stdio", or an HTTP key's name).
	Principal string
	// Roles and User are the caller's (Caller.Roles, Caller.User): a tool
	// that calls other tools through the invoker passes them on, so the
	// sub-calls keep the caller's role limits and on-behalf-of identity.
	Roles []string
	User  *User
	// Progress reports progress (done of total); nil-safe via Report.
	Progress func(done, total float64, message string)
	// Sample asks the client's own model for a completion (MCP sampling).
	// It is nil when the client did not declare sampling; it can still fail
	// (the client refused, or the protocol version cannot carry it), and
	// callers must then fall back to a deterministic path.
	Sample func(ctx context.Context, req SampleRequest) (string, error)

	// charge is set by the Invoker; see Charge.
	charge func(tool string, n int) error
}

// Charge spends, from the call's tenant budget, what n direct calls of the
// named tool would cost. A tool that does work on its caller's behalf — runs
// sub-queries, fans out to other sources — charges each piece before doing
// it, so that doing the work through it is never cheaper than doing it
// directly. It never waits: when the units are not there it returns a
// rate_limited *ToolError saying when they will be, and the tool should stop
// (or report the rest as not done). A Call not made through an Invoker (a
// unit test's) charges one unit per piece.
func (c Call) Charge(tool string, n int) error {
	if n <= 0 {
		return nil
	}
	if c.charge != nil {
		return c.charge(tool, n)
	}
	if c.Tenant == nil || c.Tenant.Budget == nil {
		return nil
	}
	return takeBudget(c.Tenant, fmt.Sprintf("%d × %s", n, tool), n)
}

// SampleRequest is one sampling request to the client's model.
type SampleRequest struct {
	System    string
	Prompt    string
	MaxTokens int
}

// Report sends a progress notification when the client asked for them.
func (c Call) Report(done, total float64, message string) {
	if c.Progress != nil {
		c.Progress(done, total, message)
	}
}

// Handler is the type-erased form of a tool body used by the registry.
type Handler func(ctx context.Context, call Call, args json.RawMessage) (any, error)

// Spec describes one tool.
type Spec struct {
	Name        string
	Title       string
	Description string
	Toolset     string
	// ReadOnly is true for tools that change nothing. Tools that write are
	// refused at registration unless writes are enabled.
	ReadOnly bool
	// OpenWorld is true when the tool reaches a Microsoft cloud service.
	OpenWorld bool
	// NoTenant marks tools that touch no tenant data (pure analysis): they skip
	// tenant resolution but still pay the default tenant's budget.
	NoTenant bool
	// Cost is the number of capacity units a call consumes (default 1).
	Cost int
	// Timeout bounds one call (default 60s).
	Timeout time.Duration

	InputSchema  json.RawMessage
	OutputSchema json.RawMessage
	// InputType is the params type, used for strict decoding.
	InputType reflect.Type
	// OutputType is the result type the output schema describes.
	OutputType reflect.Type
	Handler    Handler
	// Dynamic marks a tool described by configuration at start-up (a
	// plugin's skill, another MCP server's tool) rather than compiled in;
	// build it with NewDynamic. Its name follows the dynamic rules.
	Dynamic bool
	// Tenants, when not empty, are the only tenant aliases the tool is for
	// ("*" = all): for a caller of another tenant it does not exist, in
	// tools/list or in a call (a plugin MCP server configured for one
	// tenant).
	Tenants []string
}

// ForTenant reports whether the tool is for the tenant alias.
func (s *Spec) ForTenant(alias string) bool {
	if len(s.Tenants) == 0 {
		return true
	}
	for _, t := range s.Tenants {
		if t == "*" || strings.EqualFold(t, alias) {
			return true
		}
	}
	return false
}

// Option adjusts a Spec built by New.
type Option func(*Spec)

// WithTitle sets the human title.
func WithTitle(t string) Option { return func(s *Spec) { s.Title = t } }

// WithCost sets the capacity units one call consumes.
func WithCost(c int) Option { return func(s *Spec) { s.Cost = c } }

// WithTimeout sets the per-call deadline.
func WithTimeout(d time.Duration) Option { return func(s *Spec) { s.Timeout = d } }

// Writes marks a tool as changing tenant state.
func Writes() Option { return func(s *Spec) { s.ReadOnly = false } }

// OpenWorld marks a tool that calls a Microsoft cloud API.
func OpenWorld() Option { return func(s *Spec) { s.OpenWorld = true } }

// NoTenant marks a tool that reads no tenant data.
func NoTenant() Option { return func(s *Spec) { s.NoTenant = true } }

// New builds a read-only tool Spec from a typed body. P is the params struct
// (its json and jsonschema tags are the input schema); R is the result struct
// (its schema is the output schema and it becomes structuredContent). If R has
// a method Text() string, that is the text content; otherwise the JSON is.
func New[P, R any](toolset, name, description string, fn func(ctx context.Context, call Call, p P) (R, error), opts ...Option) Spec {
	in, out, err := cachedOrGenerated[P, R](name)
	if err != nil {
		panic(fmt.Sprintf("tools: schemas for %s: %v", name, err))
	}
	s := Spec{
		Name: name, Description: description, Toolset: toolset,
		ReadOnly: true, Cost: 1, Timeout: 60 * time.Second,
		InputSchema: in, OutputSchema: out, InputType: reflect.TypeFor[P](), OutputType: reflect.TypeFor[R](),
	}
	s.Handler = func(ctx context.Context, call Call, raw json.RawMessage) (any, error) {
		var p P
		if err := DecodeArgs(raw, &p); err != nil {
			return nil, err
		}
		if v, ok := any(&p).(interface{ Validate() error }); ok {
			if err := v.Validate(); err != nil {
				return nil, Errorf("%v", err)
			}
		}
		r, err := fn(ctx, call, p)
		if err != nil {
			return nil, err
		}
		return r, nil
	}
	for _, o := range opts {
		o(&s)
	}
	return s
}

// cachedOrGenerated returns the cached schemas of a tool, or generates them.
func cachedOrGenerated[P, R any](name string) (in, out json.RawMessage, err error) {
	if c, ok := schemaCache[name]; ok {
		return c[0], c[1], nil
	}
	if in, err = SchemaFor[P](true); err == nil {
		in, err = withTenantArg(in)
	}
	if err == nil {
		out, err = SchemaFor[R](false)
	}
	return in, out, err
}

// TenantArgDoc describes the "tenant" argument every tool accepts. It is said
// once, in the server's instructions, rather than in each of the tools'
// input schemas, which every model reading tools/list pays for.
const TenantArgDoc = "Every tool takes an optional tenant argument: a tenant alias or Entra tenant ID; the default is the first tenant the caller may use."

// withTenantArg adds the core's optional "tenant" argument to an input schema.
func withTenantArg(schema json.RawMessage) (json.RawMessage, error) {
	var m map[string]any
	if err := json.Unmarshal(schema, &m); err != nil {
		return nil, err
	}
	props, _ := m["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
		m["properties"] = props
	}
	if _, clash := props["tenant"]; clash {
		return nil, fmt.Errorf("params must not declare \"tenant\": the core adds it")
	}
	props["tenant"] = map[string]any{"type": "string"}
	return json.Marshal(m)
}
