package mcpadapter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// mayBeSubscribe reports whether raw may be a resources/subscribe request,
// so that subscribeCheck decodes only those. The method's value is either
// written plainly, ending in /subscribe" (searched for rather than the whole
// quoted name: a needle starting with a quote stops at every quote of the
// message, ~10x slower), or carries a JSON escape (resources\/subscribe
// decodes to the same name), so a message with a backslash is decoded too.
func mayBeSubscribe(raw []byte) bool {
	return bytes.Contains(raw, subscribeTail) || bytes.IndexByte(raw, '\\') >= 0
}

var subscribeTail = []byte(`/subscribe"`)

// subscribeCheck refuses resources/subscribe of a secmcp:// URI the caller
// could not read, with the words and "resource not found" a refused read
// gets, so a subscription reveals no more than a read. mcp-go acknowledges
// every subscribe its session does not veto (none of its sessions does) and
// its before-subscribe hook cannot fail one, so the check runs in the
// request-initialization hook, whose error mcp-go answers as -32600 (a read
// refusal is -32002). A subscribe over the 2026-07-28 protocol is left to
// mcp-go, which answers that the method was removed.
func subscribeCheck(rs *resources.Server) server.OnRequestInitializationFunc {
	return func(ctx context.Context, _ any, message any) error {
		raw, ok := message.(json.RawMessage)
		if !ok || !mayBeSubscribe(raw) {
			return nil
		}
		var m struct {
			Method string `json:"method"`
			Params struct {
				URI  string    `json:"uri"`
				Meta *mcp.Meta `json:"_meta"`
			} `json:"params"`
		}
		if json.Unmarshal(raw, &m) != nil || m.Method != string(mcp.MethodResourcesSubscribe) ||
			mcp.IsModernProtocol(m.Params.Meta.ProtocolVersion()) || !strings.HasPrefix(m.Params.URI, resources.Scheme+"://") {
			return nil
		}
		caller, ok := CallerFrom(ctx)
		if !ok {
			return nil
		}
		if _, _, err := rs.Read(readContext(ctx, caller), caller.Tenants, m.Params.URI); errors.Is(err, resources.ErrRefused) {
			// The words mcp-go gives the refused read (see hook above).
			return fmt.Errorf("handler not found for resource URI '%s (%s)': %w", m.Params.URI, err.Error(), server.ErrResourceNotFound)
		}
		return nil
	}
}
