package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// listSeq numbers secmcp's own tools/list requests (string ids, apart from
// the client's numeric ones).
var listSeq atomic.Int64

// listTools fetches and converts the server's tools (bounded pages and
// count); tools that fail the checks, or repeat a name already taken, are
// left out and logged.
func (p *plugin) listTools(ctx context.Context, sess *session) ([]remoteTool, error) {
	allow := map[string]bool{}
	for _, t := range p.cfg.Tools {
		allow[t] = true
	}
	vouched := map[string]bool{}
	for _, t := range p.cfg.ReadOnlyTools {
		vouched[t] = true
	}
	var out []remoteTool
	seen := map[string]bool{}
	cursor := ""
	for page := 0; page < maxToolListPages; page++ {
		list, next, err := p.listPage(ctx, sess, cursor)
		if err != nil {
			return nil, err
		}
		for _, t := range list {
			if len(allow) > 0 && !allow[t.Name] {
				continue
			}
			rt, err := convertTool(p.cfg.Name, t, vouched)
			if err != nil {
				p.log.Warn("plugin tool left out", "reason", err.Error())
				continue
			}
			if seen[rt.Name] {
				p.log.Warn("plugin tool left out", "reason", fmt.Sprintf("tool %s is listed twice; the first one is kept", t.Name))
				continue
			}
			seen[rt.Name] = true
			if p.cfg.ReadOnly && !rt.ReadOnly {
				continue
			}
			if len(out) == MaxTools {
				p.log.Warn("plugin lists more tools than secmcp takes; the rest are left out", "max", MaxTools)
				return out, nil
			}
			out = append(out, rt)
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
	p.log.Warn("plugin's tools/list has more pages than secmcp reads; the rest are left out", "pages", maxToolListPages)
	return out, nil
}

// listPage sends one tools/list and decodes each tool on its own: the
// client's decoder refuses the whole list for one malformed entry (a
// schema that is an array, a name that is a number), which would leave a
// server without tools for a single bad one.
func (p *plugin) listPage(ctx context.Context, sess *session, cursor string) ([]mcp.Tool, string, error) {
	req := transport.JSONRPCRequest{JSONRPC: mcp.JSONRPC_VERSION, Method: string(mcp.MethodToolsList),
		ID: mcp.NewRequestId(fmt.Sprintf("secmcp-tools-%d", listSeq.Add(1)))}
	params := map[string]any{}
	if cursor != "" {
		params["cursor"] = cursor
	}
	if v := sess.client.ProtocolVersion(); mcp.IsModernProtocol(v) {
		// The stateless protocol (2026-07-28) carries the version, client
		// and capabilities in every request's _meta and mirrors the method
		// into headers; the client adds them to its own requests.
		params["_meta"] = map[string]any{mcp.MetaKeyProtocolVersion: v,
			mcp.MetaKeyClientCapabilities: sess.client.GetClientCapabilities(),
			mcp.MetaKeyClientInfo:         mcp.Implementation{Name: "secmcp", Version: p.version}}
		encoded, _ := json.Marshal(params)
		req.Header = http.Header{}
		for k, val := range mcp.StandardHeaders(v, mcp.MethodToolsList, encoded) {
			req.Header.Set(k, val)
		}
	}
	if len(params) > 0 {
		req.Params = params
	}
	resp, err := sess.client.GetTransport().SendRequest(ctx, req)
	if err != nil {
		return nil, "", err
	}
	if resp.Error != nil {
		return nil, "", fmt.Errorf("tools/list: error %d: %s", resp.Error.Code, cutText(resp.Error.Message, 300))
	}
	var page struct {
		Tools      []json.RawMessage `json:"tools"`
		NextCursor string            `json:"nextCursor"`
	}
	if err := json.Unmarshal(resp.Result, &page); err != nil {
		return nil, "", fmt.Errorf("tools/list: the result is not an object with a tools list")
	}
	var out []mcp.Tool
	for i, raw := range page.Tools {
		t, err := decodeTool(raw)
		if err != nil {
			p.log.Warn("plugin tool left out", "reason", fmt.Sprintf("entry %d of tools/list: %v", i, err))
			continue
		}
		out = append(out, t)
	}
	return out, page.NextCursor, nil
}

// decodeTool decodes one tools/list entry, saying in MCP's words what is
// wrong with a malformed one.
func decodeTool(raw json.RawMessage) (mcp.Tool, error) {
	var head struct {
		Name        json.RawMessage `json:"name"`
		InputSchema json.RawMessage `json:"inputSchema"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return mcp.Tool{}, fmt.Errorf("not a JSON object")
	}
	var name string
	if json.Unmarshal(head.Name, &name) != nil {
		return mcp.Tool{}, fmt.Errorf("its name is not a string")
	}
	if s := bytes.TrimSpace(head.InputSchema); len(s) == 0 || s[0] != '{' {
		return mcp.Tool{}, fmt.Errorf("tool %q: its inputSchema is not a JSON object", cutText(name, 80))
	}
	var t mcp.Tool
	if err := json.Unmarshal(raw, &t); err != nil {
		return mcp.Tool{}, fmt.Errorf("tool %q: does not decode as an MCP tool", cutText(name, 80))
	}
	return t, nil
}
