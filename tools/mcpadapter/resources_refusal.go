package mcpadapter

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/secmcp/secmcp/resources"
)

// A secmcp:// read that is refused (another tenant's URI, an unknown id, a
// malformed URI) must answer like a tool refusal: a clear error a client can
// show, not -32603 "internal error". mcp-go v1.2.1 turns every resource
// handler error into -32603; its only other answer is "resource not found"
// (-32002, or -32602 on the 2026-07-28 protocol) when no handler matches. So
// the read runs in the before-read hook: a refusal rewrites the request's
// URI to one no template matches, carrying the refusal's words, and a
// success is handed to the handler through a one-use token.

const readTokenHeader = "X-Secmcp-Read-Token"

// readAhead keeps reads done in the hook until their handler takes them.
type readAhead struct {
	mu   sync.Mutex
	seq  uint64
	done map[string]readDone
}

type readDone struct {
	mime, text string
	err        error
	at         time.Time
}

func newReadAhead() *readAhead { return &readAhead{done: map[string]readDone{}} }

func (ra *readAhead) put(mime, text string, err error) string {
	ra.mu.Lock()
	defer ra.mu.Unlock()
	now := time.Now()
	for k, v := range ra.done { // handlers take their read at once; drop any left behind
		if now.Sub(v.at) > time.Minute {
			delete(ra.done, k)
		}
	}
	ra.seq++
	tok := strconv.FormatUint(ra.seq, 36)
	ra.done[tok] = readDone{mime, text, err, now}
	return tok
}

func (ra *readAhead) take(tok string) (readDone, bool) {
	ra.mu.Lock()
	defer ra.mu.Unlock()
	d, ok := ra.done[tok]
	delete(ra.done, tok)
	return d, ok
}

// hook reads secmcp:// URIs ahead of mcp-go's handler lookup.
func (ra *readAhead) hook(rs *resources.Server) server.OnBeforeReadResourceFunc {
	return func(ctx context.Context, _ any, req *mcp.ReadResourceRequest) {
		uri := req.Params.URI
		caller, ok := CallerFrom(ctx)
		if !ok || !strings.HasPrefix(uri, resources.Scheme+"://") {
			return
		}
		mime, text, err := rs.Read(readContext(ctx, caller), caller.Tenants, uri)
		if errors.Is(err, resources.ErrRefused) {
			// The space makes it match no template; mcp-go answers
			// "handler not found for resource URI '<this>': resource not found".
			req.Params.URI = uri + " (" + err.Error() + ")"
			return
		}
		// A success, or a failure to read (throttled, upstream down) that
		// the handler returns as it is.
		if req.Header == nil {
			req.Header = http.Header{}
		}
		req.Header.Set(readTokenHeader, ra.put(mime, text, err))
	}
}

// taken returns the read the hook did for req, if any.
func (ra *readAhead) taken(req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error, bool) {
	tok := req.Header.Get(readTokenHeader)
	if tok == "" {
		return nil, nil, false
	}
	d, ok := ra.take(tok)
	if !ok {
		return nil, nil, false
	}
	if d.err != nil {
		return nil, d.err, true
	}
	return []mcp.ResourceContents{mcp.TextResourceContents{URI: req.Params.URI, MIMEType: d.mime, Text: d.text}}, nil, true
}
