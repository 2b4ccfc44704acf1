package mcpadapter

import (
	"context"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/secmcp/secmcp/tools"
)

// ServeStdio serves s over stdin/stdout for one caller until ctx ends or
// stdin closes.
func (s *Server) ServeStdio(ctx context.Context, caller tools.Caller, stdin io.Reader, stdout io.Writer) error {
	ss := server.NewStdioServer(s.mcp)
	ss.SetErrorLogger(log.New(slogWriter{s.log}, "", 0))
	ss.SetContextFunc(func(ctx context.Context) context.Context { return WithCaller(ctx, caller) })
	err := ss.Listen(ctx, stdin, stdout)
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
	// AllowedOrigins lists browser origins allowed besides loopback ones.
	AllowedOrigins []string
	Log            *slog.Logger
}

// HTTPHandler returns the handler for /mcp (and /healthz): Origin
// validation, bearer authentication, then mcp-go's streamable HTTP server,
// which speaks both the 2025-11-25 session protocol and the 2026-07-28
// stateless protocol.
func (s *Server) HTTPHandler(opts HTTPOptions) http.Handler {
	streamable := server.NewStreamableHTTPServer(s.mcp,
		server.WithEndpointPath("/mcp"),
		server.WithStateful(true),
		server.WithEventStore(server.NewInMemoryEventStore()),
		// The event store keeps a session's events until the session ends;
		// sweep sessions abandoned without a DELETE so memory stays bounded.
		server.WithSessionIdleTTL(30*time.Minute),
		server.WithStreamableHTTPLogger(opts.Log),
		server.WithHTTPContextFunc(func(ctx context.Context, r *http.Request) context.Context {
			if c, ok := CallerFrom(r.Context()); ok {
				return WithCaller(ctx, c)
			}
			return ctx
		}),
	)
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.Handle("/mcp", guard(streamable, opts))
	return mux
}

func guard(next http.Handler, opts HTTPOptions) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if origin := r.Header.Get("Origin"); origin != "" && !originAllowed(origin, opts.AllowedOrigins) {
			http.Error(w, "origin "+origin+" is not allowed; add it to allowedOrigins in the configuration", http.StatusForbidden)
			return
		}
		caller, ok := opts.Authenticate(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="secmcp", error="invalid_token", error_description="send Authorization: Bearer <key>"`)
			http.Error(w, "missing or invalid API key: send Authorization: Bearer <key>", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithCaller(r.Context(), caller)))
	})
}

// originAllowed accepts loopback origins and the configured ones (exact match).
func originAllowed(origin string, allowed []string) bool {
	for _, a := range allowed {
		if strings.EqualFold(strings.TrimRight(a, "/"), strings.TrimRight(origin, "/")) {
			return true
		}
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	switch h := u.Hostname(); h {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	return false
}
