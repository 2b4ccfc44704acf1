package upstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/secmcp/secmcp/internal/config"
	"github.com/secmcp/secmcp/internal/outbound"
)

// session is one live connection to a plugin server.
type session struct {
	client *client.Client
	// lost is closed when the connection ends (the process exited, its
	// output broke a bound, the transport failed).
	lost     chan struct{}
	lostOnce sync.Once
	mu       sync.Mutex
	reason   string
	stop     func()
}

// fail ends the session with a reason (the first one wins).
func (s *session) fail(reason string) {
	s.lostOnce.Do(func() {
		s.mu.Lock()
		s.reason = reason
		s.mu.Unlock()
		close(s.lost)
	})
}

// lostWithin waits up to d for the session to end (a broken pipe is often
// seen before the process's exit is) and returns why, or "".
func (s *session) lostWithin(d time.Duration) string {
	select {
	case <-s.lost:
		return s.why()
	case <-time.After(d):
		return ""
	}
}

func (s *session) why() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reason
}

// close stops the transport and the process.
func (s *session) close() {
	s.fail("closed")
	if s.stop != nil {
		s.stop()
	}
}

// childEnv is the environment of a stdio plugin: a few harmless variables
// of secmcp's own, and what the configuration maps. secmcp's environment
// holds its own secrets (audit key, tenant credentials, model keys); a
// plugin gets none of them.
func childEnv(secrets map[string]string) []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "LANG", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	for k, v := range secrets {
		env = append(env, k+"="+v)
	}
	return env
}

// dialStdio starts the command and speaks MCP over its stdin/stdout. Its
// stdout passes through a reader that bounds each message and the message
// rate; its stderr is discarded (it may echo secrets).
func dialStdio(cfg config.MCPServer, secrets map[string]string, lim readLimits) (*session, error) {
	cmd := exec.Command(cfg.Command, cfg.Args...)
	cmd.Env = childEnv(secrets)
	cmd.Stderr = io.Discard
	setProcessGroup(cmd)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("stdin pipe: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("stdout pipe: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", cfg.Command, err)
	}
	s := &session{lost: make(chan struct{})}
	capped := &cappedReader{r: stdout, lim: lim, onBreach: s.fail}
	tr := transport.NewIO(capped, stdin, nil)
	var stopOnce sync.Once
	exited := make(chan struct{})
	go func() {
		err := cmd.Wait()
		close(exited)
		if err != nil {
			s.fail("the process exited: " + err.Error())
		} else {
			s.fail("the process exited")
		}
	}()
	s.stop = func() {
		stopOnce.Do(func() {
			_ = tr.Close()
			killProcessGroup(cmd)
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
			}
		})
	}
	s.client = client.NewClient(tr)
	if err := s.client.Start(context.Background()); err != nil {
		s.stop()
		return nil, fmt.Errorf("start transport: %w", err)
	}
	return s, nil
}

// dialHTTP connects to a streamable HTTP server with the configured
// headers; every response body is bounded.
func dialHTTP(cfg config.MCPServer, headers map[string]string, lim readLimits) (*session, error) {
	s := &session{lost: make(chan struct{})}
	base, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	// A redirect elsewhere would carry the configured headers (secrets
	// other than Authorization are not dropped by net/http) and, on a 307,
	// the caller's arguments to a host the operator never named.
	hc := &http.Client{Transport: cappedTransport{next: http.DefaultTransport, lim: lim, onBreach: s.fail},
		CheckRedirect: outbound.SameHost(base)}
	tr, err := transport.NewStreamableHTTP(cfg.URL, transport.WithHTTPHeaders(headers), transport.WithHTTPBasicClient(hc))
	if err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	s.client = client.NewClient(tr)
	s.stop = func() { _ = s.client.Close() }
	if err := s.client.Start(context.Background()); err != nil {
		return nil, fmt.Errorf("start transport: %w", err)
	}
	return s, nil
}

// handshake initializes the session within timeout.
func handshake(ctx context.Context, s *session, version string) error {
	req := mcp.InitializeRequest{}
	req.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	req.Params.ClientInfo = mcp.Implementation{Name: "secmcp", Version: version}
	_, err := s.client.Initialize(ctx, req)
	if err != nil {
		if r := s.why(); r != "" {
			return errors.New(r)
		}
		return fmt.Errorf("initialize: %w", err)
	}
	return nil
}
