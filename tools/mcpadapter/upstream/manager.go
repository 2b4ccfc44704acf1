// Package upstream attaches other MCP servers ("plugin servers", the
// configuration's mcpServers) to secmcp: it connects to each over stdio or
// streamable HTTP with mcp-go's client, lists its tools and re-exports them
// as dynamic tools named <server>__<tool>, whose calls go through secmcp's
// invoker (caller, tenant, budget, audit, deadline, sanitizer) to the
// server. It lives under tools/mcpadapter because mcp-go is imported there
// only.
//
// A plugin server is isolated from the rest of secmcp: it connects in the
// background (a dead one never delays start-up); each call has a timeout
// and the server a cap on concurrent calls; what it sends is bounded (one
// message at most 16 × maxResultBytes, at most 2,000 messages a second,
// results cut to maxResultBytes); a crash, a hang (a ping unanswered after
// a failed call) or a broken bound ends the connection, and it is restarted
// with exponential backoff (1 s doubling to 1 min) while its tools answer
// "plugin server X is unavailable: <reason>, retrying in Ns". Tool
// descriptions and schemas are untrusted text: sanitized, cut and bounded.
package upstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/secmcp/secmcp/internal/config"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// Options configure a Manager.
type Options struct {
	Servers []config.MCPServer
	// Getenv resolves the env and header values (default os.Getenv).
	Getenv  func(string) string
	Version string
	Log     *slog.Logger
	// Cite, when set, keeps a successful call (the arguments sent and the
	// answer) and returns the resource URI that cites it
	// (secmcp://{tenant}/plugins/{server}/{tool}/{runId}).
	Cite func(tenant, server, tool string, sent json.RawMessage, answer Result) (string, bool)
}

// Manager runs the plugin servers' connections.
type Manager struct {
	plugins []*plugin
	publish func(string, []tools.Spec)
	cite    func(tenant, server, tool string, sent json.RawMessage, answer Result) (string, bool)
	log     *slog.Logger
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// New checks the servers' secrets are present (naming a missing variable,
// never a value) and prepares the connections; Start starts them.
func New(opts Options) (*Manager, error) {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Manager{log: log, cite: opts.Cite}
	for _, c := range opts.Servers {
		c = c.WithDefaults()
		secrets, err := c.Secrets(opts.Getenv)
		if err != nil {
			return nil, err
		}
		p := newPlugin(c, secrets, opts.Version, log)
		p.publish, p.cite = m.publishTools, m.cite
		m.plugins = append(m.plugins, p)
	}
	return m, nil
}

// Toolsets are the servers' names, the late toolsets their tools join
// (none for a nil Manager).
func (m *Manager) Toolsets() []string {
	if m == nil {
		return nil
	}
	out := make([]string, len(m.plugins))
	for i, p := range m.plugins {
		out[i] = p.cfg.Name
	}
	return out
}

// Start connects to every server in the background and returns at once.
// publish receives a server's tools (toolset = the server's name) each time
// they are listed: the registry's SetLate.
func (m *Manager) Start(ctx context.Context, publish func(toolset string, specs []tools.Spec)) {
	m.publish = publish
	ctx, m.cancel = context.WithCancel(ctx)
	for _, p := range m.plugins {
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			for ctx.Err() == nil {
				p.runGuarded(ctx)
			}
		}()
	}
}

// Close stops every server and waits for their goroutines.
func (m *Manager) Close() {
	if m == nil {
		return
	}
	if m.cancel != nil {
		m.cancel()
	}
	m.wg.Wait()
}

// Status is one server's state, for tests and operators.
type Status struct {
	Name          string
	Up            bool
	Reason        string
	Restarts      int64
	Notifications int64
}

// Status reports every server's state.
func (m *Manager) Status() []Status {
	out := make([]Status, len(m.plugins))
	for i, p := range m.plugins {
		p.mu.Lock()
		out[i] = Status{Name: p.cfg.Name, Up: p.down == "", Reason: p.down,
			Restarts: p.Restarts.Load(), Notifications: p.Notifications.Load()}
		p.mu.Unlock()
	}
	return out
}

// publishTools builds the dynamic specs of a server's tools and hands them
// to Publish.
func (m *Manager) publishTools(p *plugin, list []remoteTool) {
	specs := make([]tools.Spec, 0, len(list))
	for _, rt := range list {
		s, err := tools.NewDynamic(tools.DynamicSpec{
			Toolset: p.cfg.Name, Name: rt.Name, Title: rt.Title,
			Description: rt.Description, InputSchema: rt.InputSchema,
			ReadOnly: rt.ReadOnly, OpenWorld: rt.OpenWorld, Cost: *p.cfg.Cost,
			// The invoker's deadline is a little later than the call's, so
			// the caller reads the plugin's own timeout message.
			Timeout: p.cfg.CallTimeout + 2*time.Second,
			Handler: p.handler(rt.Upstream), Tenants: p.cfg.Tenants,
		})
		if err != nil {
			p.log.Warn("plugin tool left out", "reason", err.Error())
			continue
		}
		if *p.cfg.Cost == 0 {
			s.Cost = 0
		}
		specs = append(specs, s)
	}
	p.log.Info("plugin MCP server connected", "tools", len(specs))
	if m.publish != nil {
		m.publish(p.cfg.Name, specs)
	}
}

// handler calls the upstream tool.
func (p *plugin) handler(tool string) tools.Handler {
	return func(ctx context.Context, call tools.Call, args json.RawMessage) (any, error) {
		sess, err := p.current()
		if err != nil {
			return nil, &tools.ToolError{Msg: err.Error(), Kind: "unavailable", RetryAfter: p.retryIn()}
		}
		select {
		case p.sem <- struct{}{}:
			defer func() { <-p.sem }()
		default:
			return nil, &tools.ToolError{Kind: "rate_limited", RetryAfter: time.Second,
				Msg: fmt.Sprintf("plugin server %s already runs %d calls (maxConcurrent); retry when one has finished", p.cfg.Name, p.cfg.MaxConcurrent)}
		}
		var m map[string]any
		if len(args) > 0 {
			if err := json.Unmarshal(args, &m); err != nil {
				return nil, tools.Errorf("arguments must be a JSON object: %v", err)
			}
		}
		cctx, cancel := context.WithTimeout(ctx, p.cfg.CallTimeout)
		defer cancel()
		req := mcp.CallToolRequest{}
		req.Params.Name, req.Params.Arguments = tool, m
		res, err := sess.client.CallTool(cctx, req)
		if err != nil {
			return nil, p.callError(ctx, cctx, sess, tool, err)
		}
		p.timeouts.Store(0)
		r := convertResult(p.cfg.Name, tool, res, p.cfg.MaxResultBytes)
		if res.IsError {
			return nil, &tools.ToolError{Kind: "upstream", Msg: fmt.Sprintf("%s__%s failed: %s", p.cfg.Name, tool, cutText(r.Text(), 2000))}
		}
		if p.cite != nil && call.Tenant != nil {
			// The cited copy is sanitized like the answer the caller gets.
			kept := r
			kept.Content = tools.SanitizeText(r.Content)
			if clean, err := tools.SanitizeJSON(r.Structured); err == nil {
				kept.Structured = clean
			}
			sent, err := tools.SanitizeJSON(args)
			if err != nil {
				sent = nil
			}
			if uri, ok := p.cite(call.Tenant.Alias, p.cfg.Name, tool, sent, kept); ok {
				r.Sources = []resources.Ref{{URI: uri}}
			}
		}
		return r, nil
	}
}

// callError words a failed call and, when the server may be stuck or gone,
// asks run to check it.
func (p *plugin) callError(ctx, cctx context.Context, sess *session, tool string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(cctx.Err(), context.DeadlineExceeded) {
		// A server whose calls all hang may still answer tools/list (its
		// workers are stuck, its reader is not): after hangAfter timeouts
		// in a row it is restarted; otherwise a health check decides.
		if n := p.timeouts.Add(1); n >= hangAfter {
			p.timeouts.Store(0)
			sess.fail(fmt.Sprintf("%d calls in a row got no answer within callTimeout %s", n, p.cfg.CallTimeout))
		} else {
			signal(p.unhealthy)
		}
		return &tools.ToolError{Kind: "timeout", Msg: fmt.Sprintf("plugin server %s did not answer %s within %s (callTimeout)", p.cfg.Name, tool, p.cfg.CallTimeout)}
	}
	var te *transport.Error
	if errors.As(err, &te) {
		if r := sess.lostWithin(lostGrace); r != "" {
			return &tools.ToolError{Kind: "unavailable", RetryAfter: time.Second,
				Msg: fmt.Sprintf("plugin server %s is unavailable: %s; it is being restarted", p.cfg.Name, r)}
		}
		signal(p.unhealthy)
	}
	return &tools.ToolError{Kind: "upstream", Msg: fmt.Sprintf("plugin server %s: %s failed: %s", p.cfg.Name, tool, cutText(err.Error(), 500))}
}

func (p *plugin) retryIn() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return max(time.Until(p.retry), time.Second)
}

// runGuarded runs the connection loop; a panic in it (a plugin's data
// tripping a bug) is logged and the server retried after backoffMax
// instead of taking secmcp down.
func (p *plugin) runGuarded(ctx context.Context) {
	defer func() {
		if r := recover(); r != nil {
			p.log.Error("plugin MCP server connection panicked; retrying", "panic", fmt.Sprint(r), "retry_in", backoffMax.String())
			p.setDown("internal error in secmcp's connection (the operator's log has details)", backoffMax)
			select {
			case <-ctx.Done():
			case <-time.After(backoffMax):
			}
		}
	}()
	p.run(ctx)
}
