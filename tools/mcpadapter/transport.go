package mcpadapter

import (
	"context"
	"io"
	"log"
	"log/slog"
	"net/http"
	"strings"

	"github.com/mark3labs/mcp-go/server"
	"github.com/secmcp/secmcp/internal/ratelimit"

	"github.com/secmcp/secmcp/tools"
)

// ServeStdio serves s over stdin/stdout for one caller until ctx ends or
// stdin closes. Each line is checked first (stdioframe.go): one over the
// configured MaxMessageBytes, or one that is not a JSON-RPC message mcp-go
// can answer well, gets an error naming what to fix.
func (s *Server) ServeStdio(ctx context.Context, caller tools.Caller, stdin io.Reader, stdout io.Writer) error {
	ss := server.NewStdioServer(s.mcp)
	ss.SetErrorLogger(log.New(slogWriter{s.log}, "", 0))
	ss.SetContextFunc(func(ctx context.Context) context.Context { return WithCaller(ctx, caller) })
	out := &lockedOut{w: stdout}
	in := stdioFrames(stdin, out, s.maxMessage)
	defer in.Close()
	err := ss.Listen(ctx, in, out)
	if err == io.EOF || ctx.Err() != nil {
		return nil
	}
	return err
}

type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	if w.l != nil {
		w.l.Warn(strings.TrimSpace(string(p)), "component", "mcp-stdio")
	}
	return len(p), nil
}

// HTTPOptions configure the streamable HTTP endpoint.
type HTTPOptions struct {
	// Authenticate maps a request to its caller; false means 401.
	Authenticate func(r *http.Request) (tools.Caller, bool)
	// ResourceMetadataURL, when set, is the protected-resource metadata
	// URL a 401's WWW-Authenticate names (Entra sign-in is on).
	ResourceMetadataURL string
	// AllowedOrigins lists browser origins allowed besides loopback ones.
	AllowedOrigins []string
	// Limits bound bodies, sessions and concurrency; zero fields take
	// DefaultLimits.
	Limits Limits
	Log    *slog.Logger
}

// HTTPHandler returns the handler for /mcp (and /healthz): the gate (Origin
// validation, bearer authentication, request limits, session ownership; see
// guard.go and sessions.go), then mcp-go's streamable HTTP server, which
// speaks both the 2025-11-25 session protocol and the 2026-07-28 stateless
// protocol. Session IDs never reach the log (logscrub.go).
func (s *Server) HTTPHandler(opts HTTPOptions) http.Handler {
	limits := opts.Limits.withDefaults()
	log := scrubLogger(opts.Log)
	sessions := newSessionTable(limits)
	streamable := server.NewStreamableHTTPServer(s.mcp,
		server.WithEndpointPath("/mcp"),
		server.WithSessionIdManagerResolver(resolver{sessions}),
		server.WithEventStore(newBoundedEventStore(limits.ReplayBytesPerSession, limits.ReplayBytesTotal)),
		// The event store keeps a session's recent events within a byte
		// budget until the session ends; mcp-go's sweeper ends sessions idle
		// this long (through the resolver's Terminate, so the session table
		// forgets them too).
		server.WithSessionIdleTTL(limits.SessionIdleTimeout),
		server.WithStreamableHTTPLogger(log),
		server.WithHTTPContextFunc(func(ctx context.Context, r *http.Request) context.Context {
			// The gate's caller, passed on as it is boxed (no second copy).
			if c := r.Context().Value(callerKey{}); c != nil {
				return context.WithValue(ctx, callerKey{}, c)
			}
			return ctx
		}),
	)
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.Handle("/mcp", &gate{opts: opts, limits: limits, sessions: sessions,
		inflight: ratelimit.NewInflight(limits.MaxInflightPerPrincipal), log: log, next: streamable})
	return mux
}
