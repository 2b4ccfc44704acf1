package mcpadapter

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/tools"
)

// gate is everything in front of mcp-go's handler, in order: header size,
// Origin check, authentication, the session ID's shape, the body read under its size and
// time limits, the principal's in-flight limit, then session ownership (or,
// for initialize, a new session under the caps). Nothing reaches mcp-go
// that has not passed all of them.
type gate struct {
	opts     HTTPOptions
	limits   Limits
	sessions *sessionTable
	inflight *ratelimit.Inflight
	log      *slog.Logger
	next     http.Handler
}

// unknownSession is what every unusable session ID gets — unknown, expired,
// ended or another principal's — byte for byte what mcp-go answers for an
// ID it does not know ("Invalid session ID", 404, via its writeHTTPError).
func unknownSession(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusNotFound)
	_, _ = io.WriteString(w, "Invalid session ID\n")
}

// admit checks the header size and the Origin and authenticates the caller,
// answering 431, 403 or 401 itself.
func (g *gate) admit(w http.ResponseWriter, r *http.Request) (tools.Caller, bool) {
	if n := headerBytes(r); n > g.limits.MaxHeaderBytes {
		w.Header().Set("Connection", "close")
		http.Error(w, fmt.Sprintf("request line and headers are %d bytes; the limit is %d bytes (--max-header-bytes)", n, g.limits.MaxHeaderBytes),
			http.StatusRequestHeaderFieldsTooLarge)
		return tools.Caller{}, false
	}
	if origin := r.Header.Get("Origin"); origin != "" && !originAllowed(origin, g.opts.AllowedOrigins) {
		http.Error(w, "origin "+origin+" is not allowed; add it to allowedOrigins in the configuration", http.StatusForbidden)
		return tools.Caller{}, false
	}
	caller, ok := g.opts.Authenticate(r)
	if !ok {
		g.challenge(w, r)
		return tools.Caller{}, false
	}
	return caller, true
}

// challenge answers 401. With Entra sign-in on, WWW-Authenticate points at
// the protected-resource metadata (RFC 9728 §5.1, MCP authorization
// 2025-11-25); a request that sent credentials also gets error="invalid_token"
// (RFC 6750 §3.1), one that sent none gets no error code. Which check failed
// is never said: the operator's log has the reason.
func (g *gate) challenge(w http.ResponseWriter, r *http.Request) {
	sent := r.Header.Get("Authorization") != ""
	switch {
	case g.opts.ResourceMetadataURL != "" && sent:
		w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="`+g.opts.ResourceMetadataURL+`", error="invalid_token", error_description="the access token or API key is not valid"`)
	case g.opts.ResourceMetadataURL != "":
		w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="`+g.opts.ResourceMetadataURL+`"`)
	default:
		w.Header().Set("WWW-Authenticate", `Bearer realm="secmcp", error="invalid_token", error_description="send Authorization: Bearer <key>"`)
	}
	msg := "missing or invalid API key: send Authorization: Bearer <key>"
	if g.opts.ResourceMetadataURL != "" {
		msg = "missing or invalid API key or access token: send Authorization: Bearer <API key or Entra ID access token>"
	}
	http.Error(w, msg, http.StatusUnauthorized)
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	caller, ok := g.admit(w, r)
	if !ok {
		return
	}
	ctx := WithCaller(r.Context(), caller)
	sid, ok := sessionHeader(w, r)
	if !ok {
		return
	}
	body, ok := g.readBody(w, r)
	if !ok {
		return
	}
	msg, fe := peek(r, body)
	if fe != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write(append(fe.response(), '\n'))
		return
	}
	if r.Method == http.MethodPost && msg.modern && msg.method == string(mcp.MethodNotificationCancelled) {
		// On the stateless wire every request runs in a session without an
		// ID, so mcp-go keys in-flight requests by the bare JSON-RPC id and
		// this notice would cancel any caller's request of that id. The
		// 2026-07-28 revision cancels an HTTP request by closing its
		// response stream and expects no notice
		// (https://modelcontextprotocol.io/specification/2026-07-28/basic/patterns/cancellation),
		// so it is accepted and dropped.
		g.log.Debug("dropped a stateless notifications/cancelled: close the request's stream to cancel it", "principal", caller.Principal)
		w.WriteHeader(http.StatusAccepted)
		return
	}
	if r.Method != http.MethodGet && !msg.response {
		if !g.inflight.TryAcquire(caller.Principal) {
			w.Header().Set("Retry-After", "1")
			http.Error(w, fmt.Sprintf("principal %q already has as many requests in flight as it may at once (%d, --max-inflight-per-principal); wait for one to finish and retry",
				caller.Principal, g.inflight.Limit()), http.StatusTooManyRequests)
			return
		}
		defer g.inflight.Release(caller.Principal)
	}
	if sid != "" && !g.sessions.use(sid, caller) {
		g.log.Warn("refused an unknown, expired or foreign MCP session ID", "principal", caller.Principal, "session", sid, "method", r.Method)
		unknownSession(w)
		return
	}
	switch {
	case r.Method == http.MethodPost && msg.method == string(mcp.MethodInitialize) && !msg.modern:
		if len(body) > maxInitializeBytes {
			http.Error(w, fmt.Sprintf("the initialize request is %d bytes; the limit is %d bytes, because its clientInfo and capabilities are kept as long as the session lives: send them without large extras",
				len(body), maxInitializeBytes), http.StatusRequestEntityTooLarge)
			return
		}
		// mcp-go mints a new session for every legacy initialize, whatever
		// Mcp-Session-Id it carries; the ID comes from this reservation.
		id, err := g.sessions.reserve(caller)
		var ce *capError
		if errors.As(err, &ce) {
			g.log.Warn("refused a new MCP session", "principal", caller.Principal, "reason", ce.msg)
			w.Header().Set("Retry-After", "60")
			http.Error(w, ce.msg, ce.status)
			return
		}
		ctx = context.WithValue(ctx, reservedKey{}, id)
		defer g.sessions.unreserve(id)
	case sid == "" && (r.Method == http.MethodGet || r.Method == http.MethodDelete) && !msg.modern:
		http.Error(w, r.Method+" needs the Mcp-Session-Id header from the initialize response; this server opens no stream and ends no session without it", http.StatusBadRequest)
		return
	case sid == "" && r.Method == http.MethodPost && !msg.modern && (msg.method != "" || msg.response):
		// "Servers that require a session ID SHOULD respond to requests
		// without an MCP-Session-Id header (other than initialization)
		// with HTTP 400 Bad Request" — 404 would tell the client its
		// session expired (https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#session-management).
		http.Error(w, "this request needs the Mcp-Session-Id header from the initialize response (protocol 2025-11-25), or the stateless protocol: MCP-Protocol-Version: 2026-07-28 with the version and client capabilities in each request's _meta", http.StatusBadRequest)
		return
	}
	g.next.ServeHTTP(w, r.WithContext(ctx))
}

// maxInitializeBytes bounds an initialize request over HTTP: mcp-go keeps
// its clientInfo and capabilities for the session's life, so under
// --max-body-bytes alone each of up to --max-sessions sessions could pin
// megabytes. Clients send well under 4 KiB.
const maxInitializeBytes = 64 << 10

// headerBytes is the size of the request line and headers as sent, near
// enough (": " and CRLF counted per field).
func headerBytes(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 4
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// sessionHeader returns the presented session ID after checking its shape:
// one header, at most maxSessionIDLen bytes. It answers 400 otherwise.
func sessionHeader(w http.ResponseWriter, r *http.Request) (string, bool) {
	vs := r.Header.Values(server.HeaderKeySessionID)
	switch {
	case len(vs) == 0:
		return "", true
	case len(vs) > 1:
		http.Error(w, "send one Mcp-Session-Id header, not "+fmt.Sprint(len(vs)), http.StatusBadRequest)
		return "", false
	case len(vs[0]) > maxSessionIDLen:
		http.Error(w, fmt.Sprintf("Mcp-Session-Id is %d bytes; session IDs are at most %d bytes: send the ID from the initialize response",
			len(vs[0]), maxSessionIDLen), http.StatusBadRequest)
		return "", false
	}
	return vs[0], true
}

// readBody reads the whole body under the size limit and the read deadline,
// and puts it back for mcp-go. It answers 413 or 408 naming the limit.
func (g *gate) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	limit := g.limits.MaxBodyBytes
	tooLarge := func(n string) {
		w.Header().Set("Connection", "close")
		http.Error(w, fmt.Sprintf("request body is %s bytes; the limit is %d bytes (--max-body-bytes): send a smaller request", n, limit), http.StatusRequestEntityTooLarge)
	}
	if r.ContentLength > limit {
		tooLarge(fmt.Sprint(r.ContentLength))
		return nil, false
	}
	if ce := r.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		// Bodies are never decompressed (no decompression bombs); say so
		// rather than fail to parse the compressed bytes
		// (https://www.rfc-editor.org/rfc/rfc9110#name-415-unsupported-media-type).
		w.Header().Set("Accept-Encoding", "identity")
		w.Header().Set("Connection", "close")
		http.Error(w, "request bodies with Content-Encoding "+strconv.Quote(ce)+" are not accepted: send the JSON uncompressed, without Content-Encoding", http.StatusUnsupportedMediaType)
		return nil, false
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(g.limits.ReadTimeout))
	body, err := readLimited(w, r, limit)
	_ = rc.SetReadDeadline(time.Time{})
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		tooLarge("more than " + fmt.Sprint(limit))
		return nil, false
	case errors.Is(err, os.ErrDeadlineExceeded):
		w.Header().Set("Connection", "close")
		http.Error(w, fmt.Sprintf("request body not received within %s (--read-timeout)", g.limits.ReadTimeout), http.StatusRequestTimeout)
		return nil, false
	case err != nil:
		http.Error(w, "could not read the request body: "+err.Error(), http.StatusBadRequest)
		return nil, false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, true
}

// readLimited reads the body, at most limit bytes. A body of known length
// (checked against the limit already) is read into a buffer of that size,
// without io.ReadAll's growing and copying; net/http ends it at that length.
func readLimited(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength <= 0 || r.ContentLength > limit {
		return io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	}
	body := make([]byte, r.ContentLength)
	_, err := io.ReadFull(r.Body, body)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF // as io.ReadAll reports a body cut short
	}
	return body, err
}

// peeked is what the gate needs to know of a JSON-RPC message.
type peeked struct {
	method   string
	response bool // a JSON-RPC response (e.g. a sampling answer)
	modern   bool // protocol 2026-07-28: no sessions
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

var _ server.SessionIdManagerResolver = resolver{}
