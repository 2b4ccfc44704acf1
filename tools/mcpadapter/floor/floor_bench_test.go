package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/server"
)

// BenchmarkFloorEcho is the floor's echo through mcp-go's streamable HTTP
// handler in process, the reference for cmd/mcp-server's
// BenchmarkHTTPToolCall (issue 16):
//
//	go test -run '^$' -bench . -benchmem ./tools/mcpadapter/floor/
func BenchmarkFloorEcho(b *testing.B) {
	h := server.NewStreamableHTTPServer(newServer())
	post := func(body, sid string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/mcp", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Accept", "application/json, text/event-stream")
		r.Header.Set("MCP-Protocol-Version", "2025-11-25")
		if sid != "" {
			r.Header.Set("Mcp-Session-Id", sid)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	init := post(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}`, "")
	sid := init.Header().Get("Mcp-Session-Id")
	if init.Code != http.StatusOK || sid == "" {
		b.Fatalf("initialize: %d %s", init.Code, init.Body)
	}
	post(`{"jsonrpc":"2.0","method":"notifications/initialized"}`, sid)
	call := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}`
	if w := post(call, sid); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"hello"`) {
		b.Fatalf("tools/call: %d %s", w.Code, w.Body)
	}
	b.ReportAllocs()
	for b.Loop() {
		if w := post(call, sid); w.Code != http.StatusOK {
			b.Fatalf("tools/call: %d %s", w.Code, w.Body)
		}
	}
}
