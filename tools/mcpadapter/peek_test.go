package mcpadapter

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
)

func postRequest() *http.Request { return httptest.NewRequest(http.MethodPost, "/mcp", nil) }

// peekSeeds are messages of every shape the gate sees, and the subtle
// ones where encoding/json's rules decide.
var peekSeeds = []string{
	`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"kql_validate","arguments":{"query":"T | where x > 1 & y < 2"}}}`,
	`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}`,
	`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
	`{"jsonrpc":"2.0","id":"s-1","result":{"content":[]}}`,
	`{"jsonrpc":"2.0","id":7,"error":{"code":-1,"message":"no"}}`,
	`{"jsonrpc":"2.0","id":null,"result":null}`,
	`{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","progressToken":3}}}`,
	`{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":2026}}}`,
	`{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"_meta":{"progressToken":1e400}}}`,
	`{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"_meta":null}}`,
	`{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"_meta":5}}`,
	`{"jsonrpc":"2.0","id":2,"method":"tools/list","params":null}`,
	`{"jsonrpc":"2.0","id":2,"method":"tools/list","params":"x"}`,
	`{"jsonrpc":"2.0","id":2,"METHOD":"initialize"}`,
	`{"jsonrpc":"2.0","id":2,"method":"tools/list","method":"initialize"}`,
	`{"jsonrpc":"2.0","id":2,"method":"initi\u0061lize"}`,
	`{"jsonrpc":"2.0","id":2,"\u006dethod":"initialize"}`,
	`{"jsonrpc":"2.0","id":2,"method":5}`,
	`{"jsonrpc":"2.0","id":2,"method":null,"result":{}}`,
	`{"id":[1,{"a":"}"}],"result":"\"]}"}`,
	` {"id" : 1 , "error" : { } } `,
	`[{"jsonrpc":"2.0","id":1,"method":"ping"}]`,
	`null`, `"initialize"`, `{}`, `{"method":"ping"`, ``, `{"a":tru}`,
	"{\"method\":\"p\u212aing\"}", "{\"\u212aey\":1,\"method\":\"ping\"}",
}

// FuzzDecodeHeadAgrees: whenever the fast decoding is sure, it decodes
// what json.Unmarshal decodes and fails where it fails.
func FuzzDecodeHeadAgrees(f *testing.F) {
	for _, s := range peekSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var fast, slow msgHead
		ok, sure := decodeFast(body, &fast)
		if !sure {
			return
		}
		err := json.Unmarshal(body, &slow)
		if ok != (err == nil) || (ok && !reflect.DeepEqual(fast, slow)) {
			t.Fatalf("%q: fast (ok %v) %+v, encoding/json (%v) %+v", body, ok, fast, err, slow)
		}
	})
}

// TestDecodeFastTakesPlainMessages: the messages clients send take the
// fast path (so the gate does not decode them twice), the subtle ones are
// left to encoding/json, and the gate reads the same either way.
func TestDecodeFastTakesPlainMessages(t *testing.T) {
	for _, i := range []int{0, 1, 2, 3, 4, 5, 6, 7, 9, 11, 19, 20, 24, 25, 26, 27} {
		if _, sure := decodeFast([]byte(peekSeeds[i]), &msgHead{}); !sure {
			t.Errorf("%s: not on the fast path", peekSeeds[i])
		}
	}
	for _, i := range []int{8, 10, 12, 13, 14, 15, 16, 17, 18, 21, 22, 23, 28, 29} {
		if _, sure := decodeFast([]byte(peekSeeds[i]), &msgHead{}); sure {
			t.Errorf("%s: on the fast path; encoding/json's rules decide it", peekSeeds[i])
		}
	}
	want := map[int]peeked{
		0: {method: "tools/call"}, 3: {response: true}, 4: {response: true},
		6: {method: "tools/list", modern: true},
	}
	for i, w := range want {
		if got, fe := peek(postRequest(), []byte(peekSeeds[i])); got != w || fe != nil {
			t.Errorf("%s: %+v (%v), want %+v", peekSeeds[i], got, fe, w)
		}
	}
}

// TestPeekAllocations: reading a plain tools/call allocates only the
// method's string; the decoded head stays on the stack.
func TestPeekAllocations(t *testing.T) {
	r, body := postRequest(), []byte(peekSeeds[0])
	n := testing.AllocsPerRun(100, func() {
		if _, fe := peek(r, body); fe != nil {
			t.Fatal(fe)
		}
	})
	if n > 1 {
		t.Errorf("peek allocates %.0f times for a plain tools/call; want at most 1 (the method name)", n)
	}
}

// FuzzReadHeadRefusesAsCheckFrame: the gate and stdio (readHead) refuse
// exactly what checkFrame refuses, with the same answer.
func FuzzReadHeadRefusesAsCheckFrame(f *testing.F) {
	for _, s := range peekSeeds {
		f.Add([]byte(s))
	}
	for _, c := range hostileFrames {
		if len(c.msg) < 1024 { // not the 200 KB deep one: the fuzzer would grind on it
			f.Add([]byte(c.msg))
		}
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		_, got := readHead(msg)
		want := checkFrame(msg)
		if (got == nil) != (want == nil) || got != nil && string(got.response()) != string(want.response()) {
			t.Fatalf("%.200q: readHead %v, checkFrame %v", msg, got, want)
		}
	})
}
