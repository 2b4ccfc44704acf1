package upstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/secmcp/secmcp/internal/config"
)

// Timing of a plugin server's connection. Variables so tests can shorten
// them.
var (
	connectTimeout = 10 * time.Second
	pingTimeout    = 5 * time.Second
	backoffMin     = time.Second
	backoffMax     = time.Minute
	// stableAfter resets the backoff once a connection has lasted this long.
	stableAfter = 30 * time.Second
	// refreshEvery is the most often tools/list is fetched again after
	// notifications/tools/list_changed (a flood of them costs one refresh
	// per period).
	refreshEvery = time.Second
	// lostGrace is how long a failed request waits for the session's own
	// reason (the process's exit) before wording the error itself.
	lostGrace = 300 * time.Millisecond
	// hangAfter is how many calls in a row may time out before the server
	// is restarted.
	hangAfter int32 = 4
)

// plugin is one configured MCP server and its connection, which a
// goroutine (run) keeps up: connect, list tools, publish them, wait for
// the connection to end or the list to change, back off, reconnect.
type plugin struct {
	cfg     config.MCPServer
	secrets map[string]string
	lim     readLimits
	version string
	log     *slog.Logger
	publish func(p *plugin, tools []remoteTool)
	cite    func(tenant, server, tool string, sent json.RawMessage, answer Result) (string, bool)
	// sem caps concurrent calls (MaxConcurrent).
	sem chan struct{}

	mu    sync.Mutex
	sess  *session
	down  string    // why the server is unavailable ("" when up)
	retry time.Time // when the next attempt starts
	// refresh is signalled by notifications/tools/list_changed; unhealthy
	// by a call that timed out or broke.
	refresh, unhealthy chan struct{}

	// Restarts counts connections after the first; Notifications the
	// notifications received.
	Restarts, Notifications atomic.Int64
	// timeouts counts calls in a row that timed out.
	timeouts atomic.Int32
}

func newPlugin(cfg config.MCPServer, secrets map[string]string, version string, log *slog.Logger) *plugin {
	return &plugin{
		cfg: cfg, secrets: secrets, version: version, log: log.With("mcp_server", cfg.Name),
		lim:     readLimits{MaxMessage: 16 * int64(cfg.MaxResultBytes), MaxPerSecond: 2000},
		sem:     make(chan struct{}, cfg.MaxConcurrent),
		down:    "it has not connected yet",
		refresh: make(chan struct{}, 1), unhealthy: make(chan struct{}, 1),
	}
}

// current returns the live session, or the error a call gets while the
// server is unavailable.
func (p *plugin) current() (*session, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sess != nil && p.down == "" {
		return p.sess, nil
	}
	wait := time.Until(p.retry)
	if wait <= 0 {
		return nil, fmt.Errorf("plugin server %s is unavailable: %s; reconnecting now", p.cfg.Name, p.down)
	}
	return nil, fmt.Errorf("plugin server %s is unavailable: %s, retrying in %ds", p.cfg.Name, p.down, int(math.Ceil(wait.Seconds())))
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// run keeps the connection up until ctx ends.
func (p *plugin) run(ctx context.Context) {
	backoff := backoffMin
	for first := true; ctx.Err() == nil; first = false {
		if !first {
			p.Restarts.Add(1)
		}
		started := time.Now()
		sess, tools, err := p.connect(ctx)
		if err == nil {
			p.setUp(sess)
			p.publish(p, tools)
			err = p.serve(ctx, sess)
			sess.close()
		}
		if ctx.Err() != nil {
			return
		}
		if time.Since(started) >= stableAfter {
			backoff = backoffMin
		}
		p.setDown(err.Error(), backoff)
		p.log.Warn("plugin MCP server unavailable", "reason", err.Error(), "retry_in", backoff.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, backoffMax)
	}
}

func (p *plugin) setUp(sess *session) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sess, p.down = sess, ""
	p.timeouts.Store(0)
}

func (p *plugin) setDown(reason string, retryIn time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sess, p.down, p.retry = nil, reason, time.Now().Add(retryIn)
}

// connect starts the server, initializes and lists its tools.
func (p *plugin) connect(ctx context.Context) (*session, []remoteTool, error) {
	var (
		sess *session
		err  error
	)
	if p.cfg.URL != "" {
		sess, err = dialHTTP(p.cfg, p.secrets, p.lim)
	} else {
		sess, err = dialStdio(p.cfg, p.secrets, p.lim)
	}
	if err != nil {
		return nil, nil, err
	}
	sess.client.OnNotification(func(n mcp.JSONRPCNotification) {
		p.Notifications.Add(1)
		if n.Method == mcp.MethodNotificationToolsListChanged {
			signal(p.refresh)
		}
	})
	cctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := handshake(cctx, sess, p.version); err != nil {
		err = p.explain(cctx, sess, "initialize", err)
		sess.close()
		return nil, nil, err
	}
	tools, err := p.listTools(cctx, sess)
	if err != nil {
		err = p.explain(cctx, sess, "tools/list", err)
		sess.close()
		return nil, nil, err
	}
	return sess, tools, nil
}

// explain words a failed step: the session's own reason when it ended,
// "did not answer within" on a timeout.
func (p *plugin) explain(ctx context.Context, sess *session, step string, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("it did not answer %s within %s", step, connectTimeout)
	}
	if r := sess.lostWithin(lostGrace); r != "" && r != "closed" {
		return fmt.Errorf("%s failed: %s", step, r)
	}
	return fmt.Errorf("%s failed: %v", step, cutText(err.Error(), 300))
}

// serve waits until the session ends, refreshing the tools when the
// server says they changed and checking its health when a call failed.
func (p *plugin) serve(ctx context.Context, sess *session) error {
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-sess.lost:
			return errors.New(sess.why())
		case <-p.refresh:
			if wait := refreshEvery - time.Since(last); wait > 0 {
				select {
				case <-time.After(wait):
				case <-sess.lost:
					return errors.New(sess.why())
				}
			}
			last = time.Now()
			lctx, cancel := context.WithTimeout(ctx, connectTimeout)
			tools, err := p.listTools(lctx, sess)
			cancel()
			if err != nil {
				return p.explain(lctx, sess, "tools/list after list_changed", err)
			}
			p.publish(p, tools)
		case <-p.unhealthy:
			// A tools/list, not a ping: on the 2026-07-28 protocol mcp-go's
			// Ping sends nothing.
			pctx, cancel := context.WithTimeout(ctx, pingTimeout)
			_, err := sess.client.ListToolsByPage(pctx, mcp.ListToolsRequest{})
			timedOut := errors.Is(pctx.Err(), context.DeadlineExceeded)
			cancel()
			switch {
			case err != nil && timedOut:
				return fmt.Errorf("it did not answer a health check (tools/list) within %s after a call failed", pingTimeout)
			case err != nil:
				return fmt.Errorf("its health check (tools/list) after a failed call failed: %s", cutText(err.Error(), 300))
			}
		}
	}
}
