package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// mcpPost sends one JSON-RPC body to h's /mcp the way a Streamable HTTP
// client does, authorised by bearer and on session sid when it is not empty.
func mcpPost(h http.Handler, bearer, body, sid string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/mcp", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/json, text/event-stream")
	r.Header.Set("Authorization", "Bearer "+bearer)
	r.Header.Set("MCP-Protocol-Version", "2025-11-25")
	if sid != "" {
		r.Header.Set("Mcp-Session-Id", sid)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// mcpOpen initializes a session on h as client, authorised by bearer, sends
// notifications/initialized and returns the session id.
func mcpOpen(tb testing.TB, h http.Handler, bearer, client string) string {
	tb.Helper()
	w := mcpPost(h, bearer, `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"`+client+`","version":"1"}}}`, "")
	sid := w.Header().Get("Mcp-Session-Id")
	if w.Code != http.StatusOK || sid == "" {
		tb.Fatalf("initialize: %d %s", w.Code, w.Body)
	}
	mcpPost(h, bearer, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, sid)
	return sid
}
