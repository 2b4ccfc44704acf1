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
// mcp-go could not decode, naming the member; nil for anything else.
func checkParams(method string, id json.RawMessage, msg []byte) *frameError {
	newReq, ok := paramTypes[method]
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
