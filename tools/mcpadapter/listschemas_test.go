package mcpadapter

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/secmcp/secmcp/tools"
)

// TestListOutputSchemas: the listing keeps a plugin schema's own $id (and
// the $ref resolving against it), gives a schema without one its
// content-derived $id, leaves out a later schema claiming an $id already
// listed with other content (logging a warning naming that tool), keeps an
// unparsable schema as declared, and drops them all when schemas are off.
func TestListOutputSchemas(t *testing.T) {
	own := `{"$id":"https://plugin.example/s.json","type":"object","properties":{"a":{"$ref":"defs.json#/$defs/a"}}}`
	clash := `{"$id":"https://plugin.example/s.json","type":"array"}`
	plain := `{"type":"object"}`
	bad := `{"type":`
	mk := func() []mcp.Tool {
		return []mcp.Tool{
			{Name: "a_own", RawOutputSchema: json.RawMessage(own)},
			{Name: "b_clash", RawOutputSchema: json.RawMessage(clash)},
			{Name: "c_plain", RawOutputSchema: json.RawMessage(plain)},
			{Name: "d_bad", RawOutputSchema: json.RawMessage(bad)},
			{Name: "e_none"},
		}
	}
	var logs bytes.Buffer
	inv := &tools.Invoker{Log: slog.New(slog.NewTextHandler(&logs, nil))}
	list := mk()
	listOutputSchemas(inv, list, true)
	listedPlain, _ := tools.ListedOutputSchema(json.RawMessage(plain))
	want := []string{own, "", string(listedPlain), bad, ""}
	for i, tool := range list {
		if string(tool.RawOutputSchema) != want[i] {
			t.Errorf("%s: listed %s, want %q", tool.Name, tool.RawOutputSchema, want[i])
		}
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "tool=b_clash") {
		t.Errorf("want a warning naming b_clash, got %q", logs.String())
	}
	list = mk()
	listOutputSchemas(inv, list, false)
	for _, tool := range list {
		if tool.RawOutputSchema != nil {
			t.Errorf("schemas off: %s listed %s", tool.Name, tool.RawOutputSchema)
		}
	}
}
