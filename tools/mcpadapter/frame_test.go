package mcpadapter

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/tools"
)

// hostileFrames are messages mcp-go answers unclearly, wrongly or not at
// all, each with a word the refusal must contain.
var hostileFrames = []struct{ name, msg, want string }{
	{"empty batch", `[]`, "batches are not supported"},
	{"batch", `[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"ping"}]`, "batches are not supported"},
	{"number", `5`, "must be a JSON object"},
	{"truncated", `{"jsonrpc":"2.0","id":1,"meth`, "not valid JSON"},
	{"deep", `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}}`, "deeper than 10000 levels"},
	{"object id", `{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}`, `"id" is an object`},
	{"array id", `{"jsonrpc":"2.0","id":[1],"method":"ping"}`, `"id" is an array`},
	{"bool id", `{"jsonrpc":"2.0","id":true,"method":"ping"}`, `"id" is a boolean`},
	{"null method", `{"jsonrpc":"2.0","id":1,"method":null}`, `"method" must be a string`},
	{"null id", `{"jsonrpc":"2.0","id":null,"method":"ping"}`, `"id" is null`},
	{"id beyond 2^53", `{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}`, "send a larger or fractional id as a string"},
	{"id 1e400", `{"jsonrpc":"2.0","id":1e400,"method":"ping"}`, "not an integer"},
	{"id of 100000 digits", `{"jsonrpc":"2.0","id":` + strings.Repeat("9", 100000) + `,"method":"ping"}`, "not an integer"},
	{"invalid UTF-8", "{\"jsonrpc\":\"2.0\",\"id\":\"\xff\xfe\",\"method\":\"ping\"}", "not valid UTF-8 (first bad byte at offset 23)"},
	{"numeric method", `{"jsonrpc":"2.0","id":1,"method":5}`, `"method" must be a string`},
	{"no jsonrpc", `{"id":1,"method":"ping"}`, `"jsonrpc": "2.0"`},
	{"resources/read uri", `{"jsonrpc":"2.0","id":10,"method":"resources/read","params":{"uri":5}}`, `resources/read: "params.uri" must be a string, got JSON number`},
	{"prompts/get arguments", `{"jsonrpc":"2.0","id":11,"method":"prompts/get","params":{"name":"x","arguments":{"a":5}}}`, `prompts/get: each value in "params.arguments" must be a string`},
	{"completion ref", `{"jsonrpc":"2.0","id":12,"method":"completion/complete","params":{"ref":"x"}}`, `completion/complete: a member of "params" is JSON string where an object is expected`},
	{"completion ref type", `{"jsonrpc":"2.0","id":12,"method":"completion/complete","params":{"ref":{"type":5}}}`, `completion/complete: a member of "params" is JSON number where a string is expected`},
	{"setLevel", `{"jsonrpc":"2.0","id":14,"method":"logging/setLevel","params":{"level":5}}`, `logging/setLevel: "params.level" must be a string`},
	{"initialize capabilities", `{"jsonrpc":"2.0","id":15,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":[],"clientInfo":{"name":"x"}}}`, `initialize: "params.capabilities" must be an object, got JSON array`},
	{"ping params", `{"jsonrpc":"2.0","id":1,"method":"ping","params":"x"}`, `ping: "params" must be an object, got JSON string`},
	{"tools/call 1e400", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"interop_get_echo","arguments":{"text":1e400}}}`, "tools/call: the number 1e400 is beyond what a JSON number may hold here"},
	{"tools/call 400 digits", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"interop_get_echo","arguments":{"text":` + strings.Repeat("9", 400) + `}}}`, "tools/call: the number 9999999999999999999999999999999999999999... is beyond"},
	{"tools/list cursor", `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":5}}`, `tools/list: "params.cursor" must be a string, got JSON number`},
}

// TestCheckFrame: every hostile frame is refused naming what to fix, with
// the id only when it is one the client can match; the messages clients
// send pass.
func TestCheckFrame(t *testing.T) {
	for _, c := range hostileFrames {
		fe := checkFrame([]byte(c.msg))
		if fe == nil || !strings.Contains(fe.msg, c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, fe, c.want)
			continue
		}
		if got := errorMessage(string(fe.response())); !strings.Contains(got, c.want) {
			t.Errorf("%s: response %s", c.name, fe.response())
		}
	}
	for _, ok := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"ping"}`,
		`{"jsonrpc":"2.0","id":"a\u0000b","method":"ping"}`,
		`{"jsonrpc":"2.0","id":-9007199254740991,"method":"ping"}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":3,"result":{}}`,
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":"wrong type, mcp-go names it"}`,
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":1e300,"b":"1e400 in a string","c":1e-300}}}`,
	} {
		if fe := checkFrame([]byte(ok)); fe != nil {
			t.Errorf("%s refused: %v", ok, fe)
		}
	}
}

// errorMessage is the error message of a JSON-RPC response ("" if none).
func errorMessage(resp string) string {
	var r struct {
		Error struct{ Message string }
	}
	_ = json.Unmarshal([]byte(resp), &r)
	return r.Error.Message
}

// TestHostileFramesOverHTTP: the gate answers each hostile frame with 400
// and the JSON-RPC error, and the session still works afterwards.
func TestHostileFramesOverHTTP(t *testing.T) {
	f := newGateFixture(t, Limits{})
	sid := open(t, f.url, "Bearer key-alice")
	for _, c := range hostileFrames {
		r := do(t, http.MethodPost, f.url, "Bearer key-alice", sid, c.msg, nil, 5*time.Second)
		if r.status != http.StatusBadRequest || !strings.Contains(errorMessage(r.body), c.want) || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: %d %s %q, want 400 with %q", c.name, r.status, r.header.Get("Content-Type"), r.body, c.want)
		}
	}
	if r := do(t, http.MethodPost, f.url, "Bearer key-alice", sid, `{"jsonrpc":"2.0","id":9,"method":"ping"}`, nil, 5*time.Second); r.status != http.StatusOK || !strings.Contains(r.body, `"id":9`) {
		t.Errorf("ping after the hostile frames: %d %s", r.status, r.body)
	}
}

// TestStdioFrames: over stdio a line over the limit is dropped without
// being held whole, each hostile frame gets its error, and the next
// request is served.
func TestStdioFrames(t *testing.T) {
	ten := tenant.New("contoso", "00000000-0000-4000-8000-00000000c0de", "demo", true, ratelimit.New(ratelimit.Default), nil)
	reg, _ := tenant.NewRegistry(ten)
	tr, err := tools.NewRegistry([]tools.Spec{echoSpec()}, tools.Selection{})
	if err != nil {
		t.Fatal(err)
	}
	const limit = 1 << 20
	s := NewServer(Config{Name: "secmcp", Version: "t", Invoker: &tools.Invoker{Tools: tr, Tenants: reg}, MaxMessageBytes: limit})
	sc, stop := serveStdioPipe(s, tools.Caller{Principal: "stdio", Tenants: []string{"*"}}, 30*time.Second, func(inW io.Writer) {
		_, _ = io.WriteString(inW, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`+"\n")
		// 64 MiB in one line, sent in pieces: the limit cuts it long before.
		_, _ = io.WriteString(inW, `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"interop_get_echo","arguments":{"text":"`)
		piece := strings.Repeat("A", 1<<20)
		for range 64 {
			_, _ = io.WriteString(inW, piece)
		}
		_, _ = io.WriteString(inW, "\"}}}\n\n")
		for _, c := range hostileFrames {
			_, _ = io.WriteString(inW, c.msg+"\n")
		}
		_, _ = io.WriteString(inW, `{"jsonrpc":"2.0","id":"last","method":"ping"}`+"\n")
	})
	sc.Buffer(make([]byte, 1<<20), 4<<20)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.Contains(sc.Text(), `"id":"last"`) {
			break
		}
	}
	stop()
	want := []string{"protocolVersion", "more than 1048576 bytes, the limit (--max-body-bytes)"}
	for _, c := range hostileFrames {
		want = append(want, c.want)
	}
	want = append(want, `"id":"last","result":{}`)
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), strings.Join(lines, "\n"))
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) && !strings.Contains(errorMessage(lines[i]), w) {
			t.Errorf("line %d: %.300s\nwant it to contain %q", i, lines[i], w)
		}
	}
}

// TestCompressedBodyRefused: a compressed body (a gzip bomb, or an honest
// client) gets 415 saying to send it uncompressed; it is never inflated.
func TestCompressedBodyRefused(t *testing.T) {
	f := newGateFixture(t, Limits{})
	sid := open(t, f.url, "Bearer key-alice")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(`{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":"` + strings.Repeat("A", 8<<20) + `"}}`))
	_ = zw.Close()
	r := do(t, http.MethodPost, f.url, "Bearer key-alice", sid, gz.String(), map[string]string{"Content-Encoding": "gzip"}, 5*time.Second)
	if r.status != http.StatusUnsupportedMediaType || !strings.Contains(r.body, `Content-Encoding "gzip" are not accepted: send the JSON uncompressed`) || r.header.Get("Accept-Encoding") != "identity" {
		t.Errorf("gzip body: %d %q (Accept-Encoding %q)", r.status, r.body, r.header.Get("Accept-Encoding"))
	}
	ping := `{"jsonrpc":"2.0","id":2,"method":"ping"}`
	if r := do(t, http.MethodPost, f.url, "Bearer key-alice", sid, ping, map[string]string{"Content-Encoding": "identity"}, 5*time.Second); r.status != http.StatusOK {
		t.Errorf("identity body: %d %q", r.status, r.body)
	}
}

// TestInitializeBounded: an initialize request is bounded well below the
// body limit, because the session keeps what it declares; a normal one
// passes.
func TestInitializeBounded(t *testing.T) {
	f := newGateFixture(t, Limits{})
	big := strings.Replace(initBody, `"capabilities":{"sampling":{}}`, `"capabilities":{"experimental":{"x":"`+strings.Repeat("A", 1<<20)+`"}}`, 1)
	r := do(t, http.MethodPost, f.url, "Bearer key-alice", "", big, nil, 5*time.Second)
	if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "the limit is 65536 bytes, because its clientInfo and capabilities are kept") || r.header.Get("Mcp-Session-Id") != "" {
		t.Errorf("1 MiB initialize: %d %q (session %q)", r.status, r.body, r.header.Get("Mcp-Session-Id"))
	}
	open(t, f.url, "Bearer key-alice")
}
