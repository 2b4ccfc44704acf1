package mcpadapter

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode"

	"github.com/mark3labs/mcp-go/mcp"
)

// mcp-go answers params of the wrong type with Go's decoder message, in Go
// terms ("unparsable resources/read request: json: cannot unmarshal number
// into Go struct field ReadResourceParams.params.uri of type string", or a
// struct type with its tags for completion/complete). checkParams decodes
// the message into the same mcp-go type first and, when that fails, says
// which member must be what. tools/call is left out: it is the hot path,
// and its arguments are checked, with such messages, by the tools.
var paramTypes = map[string]func() any{
	string(mcp.MethodInitialize):             func() any { return new(mcp.InitializeRequest) },
	string(mcp.MethodPing):                   func() any { return new(mcp.PingRequest) },
	string(mcp.MethodSetLogLevel):            func() any { return new(mcp.SetLevelRequest) },
	string(mcp.MethodResourcesList):          func() any { return new(mcp.ListResourcesRequest) },
	string(mcp.MethodResourcesTemplatesList): func() any { return new(mcp.ListResourceTemplatesRequest) },
	string(mcp.MethodResourcesRead):          func() any { return new(mcp.ReadResourceRequest) },
	string(mcp.MethodResourcesSubscribe):     func() any { return new(mcp.SubscribeRequest) },
	string(mcp.MethodResourcesUnsubscribe):   func() any { return new(mcp.UnsubscribeRequest) },
	string(mcp.MethodPromptsList):            func() any { return new(mcp.ListPromptsRequest) },
	string(mcp.MethodPromptsGet):             func() any { return new(mcp.GetPromptRequest) },
	string(mcp.MethodToolsList):              func() any { return new(mcp.ListToolsRequest) },
	string(mcp.MethodCompletionComplete):     func() any { return new(mcp.CompleteRequest) },
}

// checkParams refuses a request of one of paramTypes' methods whose params
// mcp-go could not decode, naming the member; nil for anything else. A
// tools/call is decoded only when it may hold a number beyond float64,
// which mcp-go's decoding of the arguments fails on.
func checkParams(method string, id json.RawMessage, msg []byte) *frameError {
	newReq, ok := paramTypes[method]
	if method == string(mcp.MethodToolsCall) && mayOverflow(msg) {
		newReq, ok = func() any { return new(mcp.CallToolRequest) }, true
	}
	if !ok {
		return nil
	}
	err := json.Unmarshal(msg, newReq())
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return &frameError{invalidParams, id, fmt.Sprintf("%s: params do not have the shape the method takes: %v", method, err)}
	}
	if te.Type.Kind() == reflect.Float64 && strings.HasPrefix(te.Value, "number ") {
		n := te.Value[len("number "):]
		if len(n) > 40 {
			n = n[:40] + "..."
		}
		return &frameError{invalidParams, id, fmt.Sprintf("%s: the number %s is beyond what a JSON number may hold here (a 64-bit float): send a smaller one, or a string", method, n)}
	}
	path := jsonPath(te.Field)
	want := kindOf(te.Type)
	var found string
	at := valueAt(msg, path)
	if i := strings.LastIndexByte(path, '.'); at == nil && i > 0 {
		// The decoder's path is off (a custom decoder inside): name the
		// object it was reading.
		return &frameError{invalidParams, id, fmt.Sprintf("%s: a member of %q is JSON %s where %s is expected", method, path[:i], te.Value, want)}
	}
	switch at := at.(type) {
	case map[string]any, []any:
		if want != "an object" && want != "an array" {
			return &frameError{invalidParams, id, fmt.Sprintf("%s: each value in %q must be %s, got JSON %s", method, path, want, te.Value)}
		}
		found = kindOf(reflect.TypeOf(at))
	}
	if found == want { // the decoder named the object, not the member inside it
		return &frameError{invalidParams, id, fmt.Sprintf("%s: a member of %q is JSON %s where %s is expected", method, path, te.Value, want)}
	}
	return &frameError{invalidParams, id, fmt.Sprintf("%s: %q must be %s, got JSON %s", method, path, want, te.Value)}
}

// jsonPath drops the Go names of embedded structs (Request, Alias, ...)
// from a decoder's field path, leaving the JSON member names.
func jsonPath(field string) string {
	var out []string
	for _, p := range strings.Split(field, ".") {
		if p != "" && !unicode.IsUpper(rune(p[0])) {
			out = append(out, p)
		}
	}
	return strings.Join(out, ".")
}

// valueAt is the JSON value at a dotted member path of msg (nil if none).
func valueAt(msg []byte, path string) any {
	var v any
	if json.Unmarshal(msg, &v) != nil {
		return nil
	}
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

const invalidParams = -32602

// kindOf names a Go type by the JSON it is decoded from.
func kindOf(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "an object"
}

// mayOverflow reports whether msg may hold a number beyond float64: one
// with a three-digit exponent or of over 300 digits. It may say yes for
// such text inside a string; then msg is decoded once more, no harm.
func mayOverflow(msg []byte) bool {
	run := 0 // digits in a row
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c-'0' <= 9 {
			if run++; run > 300 {
				return true
			}
			continue
		}
		if run > 0 && c|0x20 == 'e' && expDigits(msg[i+1:]) >= 3 {
			return true
		}
		run = 0
	}
	return false
}

// expDigits counts the digits of an exponent after its e or E.
func expDigits(b []byte) int {
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		b = b[1:]
	}
	n := 0
	for n < len(b) && b[n]-'0' <= 9 {
		n++
	}
	return n
}
