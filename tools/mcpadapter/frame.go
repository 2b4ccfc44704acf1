package mcpadapter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A JSON-RPC message mcp-go would misread is refused before it gets there,
// with an error that says what to change. mcp-go (v1.2.1) answers most of
// these with a bare "Failed to parse message" or "request body is not valid
// json" — for a batch, a message nested deeper than Go's decoder allows, a
// method that is not a string — and echoes ids it should refuse: an object,
// an array or a boolean as given, an integer beyond 2^53 rounded (so the
// client cannot match the answer), and an invalid UTF-8 string id with
// U+FFFD in place of the bytes sent. A request whose "id" is null it takes
// for a notification and never answers.

// maxExactID is the largest integer id every JSON number decoder (and
// mcp-go's float64) holds exactly: 2^53 - 1.
const maxExactID = 1<<53 - 1

// frameError is a message refused by checkFrame: the JSON-RPC error code,
// the id to answer with (null when it is unusable) and what to fix.
type frameError struct {
	code int
	id   json.RawMessage
	msg  string
}

func (e *frameError) Error() string { return e.msg }

// response is the JSON-RPC error response for e, one line.
func (e *frameError) response() []byte {
	id := e.id
	if id == nil {
		id = json.RawMessage("null")
	}
	b, _ := json.Marshal(struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}{JSONRPC: "2.0", ID: id, Error: struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}{e.code, e.msg}})
	return b
}

const (
	parseError     = -32700
	invalidRequest = -32600
)

// frameHead is what checkFrame reads of a message.
type frameHead struct {
	JSONRPC json.RawMessage `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  json.RawMessage `json:"method"`
}

// checkFrame checks one whole JSON-RPC message as the client sent it (an
// HTTP POST body, one stdio line) and returns nil when mcp-go may have it.
func checkFrame(msg []byte) *frameError {
	var h frameHead
	if !utf8.Valid(msg) {
		return diagnose(msg, nil)
	}
	if err := json.Unmarshal(msg, &h); err != nil {
		return diagnose(msg, err)
	}
	if fe := checkHead(h.JSONRPC, h.ID, h.Method != nil && (len(h.Method) == 0 || h.Method[0] != '"')); fe != nil {
		return fe
	}
	var method string
	_ = json.Unmarshal(h.Method, &method)
	return checkParams(method, h.ID, msg)
}

// checkHead checks the members of a message that parsed: jsonrpc is "2.0",
// the id (when present) a string or an exact integer, the method a string.
func checkHead(version, id json.RawMessage, methodNotString bool) *frameError {
	if e := checkID(id); e != nil {
		return e
	}
	if !bytes.Equal(version, []byte(`"2.0"`)) {
		return &frameError{invalidRequest, id, `every message needs "jsonrpc": "2.0"`}
	}
	if methodNotString {
		return &frameError{invalidRequest, id, `"method" must be a string, such as "tools/call"`}
	}
	return nil
}

// checkID checks a request's id: absent (a notification), a string, or an
// integer within ±(2^53-1). MCP: "Requests MUST include a string or integer
// ID ... the ID MUST NOT be null"
// (https://modelcontextprotocol.io/specification/2025-11-25/basic#requests).
func checkID(id json.RawMessage) *frameError {
	if len(id) == 0 || id[0] == '"' {
		return nil
	}
	kind := map[byte]string{'n': "null", '{': "an object", '[': "an array", 't': "a boolean", 'f': "a boolean"}[id[0]]
	if kind != "" {
		return &frameError{invalidRequest, nil, fmt.Sprintf(`"id" is %s: a request id must be a string or an integer, and a notification has no "id" member`, kind)}
	}
	n, err := strconv.ParseInt(string(id), 10, 64)
	if err != nil || n > maxExactID || n < -maxExactID {
		shown := id
		if len(shown) > 40 {
			shown = append(shown[:40:40], "..."...)
		}
		return &frameError{invalidRequest, nil, fmt.Sprintf(`"id" %s is not an integer between -%d and %d: send a larger or fractional id as a string`, shown, maxExactID, maxExactID)}
	}
	return nil
}

// diagnose says what is wrong with a message that did not decode.
func diagnose(msg []byte, err error) *frameError {
	trimmed := bytes.TrimLeft(msg, " \t\r\n")
	var syn *json.SyntaxError
	switch {
	case len(bytes.TrimSpace(msg)) == 0:
		return &frameError{invalidRequest, nil, "the message is empty: send one JSON-RPC message, a JSON object"}
	case !utf8.Valid(msg):
		return &frameError{parseError, nil, fmt.Sprintf("the message is not valid UTF-8 (first bad byte at offset %d): JSON text must be UTF-8 (RFC 8259 §8.1)", badUTF8(msg))}
	case trimmed[0] == '[':
		return &frameError{invalidRequest, nil, "JSON-RPC batches are not supported (MCP removed them in protocol 2025-06-18): send one message at a time"}
	case trimmed[0] != '{':
		return &frameError{invalidRequest, nil, "a JSON-RPC message must be a JSON object, such as {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"}
	case errors.As(err, &syn) && strings.HasSuffix(syn.Error(), "exceeded max depth"):
		return &frameError{parseError, nil, fmt.Sprintf("the message nests arrays and objects deeper than 10000 levels (at byte offset %d): flatten it", syn.Offset)}
	case errors.As(err, &syn):
		return &frameError{parseError, nil, fmt.Sprintf("the message is not valid JSON: %s at byte offset %d", syn.Error(), syn.Offset)}
	}
	return &frameError{parseError, nil, fmt.Sprintf("the message is not valid JSON-RPC: %v", err)}
}

// badUTF8 is the offset of the first byte of msg that is not valid UTF-8.
func badUTF8(msg []byte) int {
	for i := 0; i < len(msg); {
		r, n := utf8.DecodeRune(msg[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(msg)
}
