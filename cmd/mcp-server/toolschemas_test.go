package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/auth"
	"github.com/secmcp/secmcp/tools"
)

// TestToolSchemaResources: with output schemas off (the default) each
// tool's schema is still served as secmcp://schemas/tools/{name}, exactly
// the schema tools/list carries with --output-schemas on ($id included);
// secmcp://schemas/tools lists them, a listed $id reads its schema, and an
// unknown tool or $id is refused naming the list.
func TestToolSchemaResources(t *testing.T) {
	init := []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
	}
	args := []string{"--demo-clock", "2026-11-20T12:00:00Z", "--log-level", "error"}
	on := stdioAnswers(t, append(args, "--output-schemas", "on"), append(init, `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`), 2)
	res, _ := on[2]["result"].(map[string]any)
	listed := map[string]any{}
	for _, raw := range res["tools"].([]any) {
		tool, _ := raw.(map[string]any)
		listed[tool["name"].(string)] = tool["outputSchema"]
	}
	frames := append(init, `{"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"secmcp://schemas/tools"}}`,
		`{"jsonrpc":"2.0","id":3,"method":"resources/read","params":{"uri":"secmcp://schemas/tools/kql_validate"}}`,
		`{"jsonrpc":"2.0","id":4,"method":"resources/read","params":{"uri":"secmcp://schemas/tools/no_such_tool"}}`,
		`{"jsonrpc":"2.0","id":5,"method":"resources/templates/list"}`,
		`{"jsonrpc":"2.0","id":6,"method":"resources/read","params":{"uri":"`+listed["kql_validate"].(map[string]any)["$id"].(string)+`"}}`,
		`{"jsonrpc":"2.0","id":7,"method":"resources/read","params":{"uri":"`+tools.SchemaIDPrefix+`sha256-00"}}`)
	off := stdioAnswers(t, args, frames, 7)
	var index []struct{ Name, URI string }
	if err := json.Unmarshal([]byte(resourceText(t, off[2])), &index); err != nil || len(index) != len(listed) {
		t.Fatalf("secmcp://schemas/tools: %v, %d entries for %d listed tools", err, len(index), len(listed))
	}
	for _, e := range index {
		if listed[e.Name] == nil || e.URI != "secmcp://schemas/tools/"+e.Name {
			t.Errorf("secmcp://schemas/tools entry %+v: not a listed tool with a schema, or a wrong URI", e)
		}
	}
	var got any
	if err := json.Unmarshal([]byte(resourceText(t, off[3])), &got); err != nil || !reflect.DeepEqual(got, listed["kql_validate"]) {
		t.Errorf("secmcp://schemas/tools/kql_validate is not the listed schema (%v):\n got %.300v\nwant %.300v", err, got, listed["kql_validate"])
	}
	if e, _ := off[4]["error"].(map[string]any); e == nil || !strings.Contains(e["message"].(string), "secmcp://schemas/tools for the list") {
		t.Errorf("unknown tool: want a refusal naming the list, got %v", off[4])
	}
	if tpl := mustJSON(off[5]); !strings.Contains(tpl, `"secmcp://schemas/tools/{name}"`) || !strings.Contains(tpl, `"secmcp://schemas/output/{id}"`) {
		t.Errorf("resources/templates/list lacks secmcp://schemas/tools/{name} or secmcp://schemas/output/{id}: %.500v", off[5])
	}
	// A listed schema's $id is a readable URI naming that schema.
	if err := json.Unmarshal([]byte(resourceText(t, off[6])), &got); err != nil || !reflect.DeepEqual(got, listed["kql_validate"]) {
		t.Errorf("reading kql_validate's $id: not the listed schema (%v): %.300v", err, got)
	}
	if e, _ := off[7]["error"].(map[string]any); e == nil || !strings.Contains(e["message"].(string), "no output schema has $id") {
		t.Errorf("unknown $id: want a refusal, got %v", off[7])
	}
}

// TestToolSchemaResourcesFollowRoles: a key bound to SecMCP.Reader neither
// sees nor reads (by name or by $id) the schema of a tool its role may not
// call, as tools/list leaves the tool out; a key without roles reads it.
func TestToolSchemaResourcesFollowRoles(t *testing.T) {
	path := endpointsConfig(t, "http://127.0.0.1:1")
	appendFile(t, path, "principals:\n"+
		"  - {name: reader, keySha256: "+auth.HashKey("reader-secret")+", tenants: [contoso], roles: ["+tools.RoleReader+"]}\n"+
		"  - {name: plain, keySha256: "+auth.HashKey("plain-secret")+", tenants: [contoso]}\n")
	opts, err := parseFlags([]string{"--config", path, "--audit-key-file", filepath.Join(t.TempDir(), "audit.key")}, func(string) string { return "" }, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	a, err := build(t.Context(), opts, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	h, err := a.httpHandler(opts, logger)
	if err != nil {
		t.Fatal(err)
	}
	const hunt = "defender_run_hunting_query"
	var huntID string
	for _, c := range []struct {
		key  string
		sees bool
	}{{"plain-secret", true}, {"reader-secret", false}} {
		sid := mcpOpen(t, h, c.key, "t")
		index := mcpPost(h, c.key, `{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"secmcp://schemas/tools"}}`, sid).Body.String()
		one := mcpPost(h, c.key, `{"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"secmcp://schemas/tools/`+hunt+`"}}`, sid).Body.String()
		if !strings.Contains(index, "kql_validate") {
			t.Fatalf("%s: secmcp://schemas/tools lacks kql_validate: %.300s", c.key, index)
		}
		if strings.Contains(index, hunt) != c.sees || strings.Contains(one, `\"$id\"`) != c.sees {
			t.Errorf("%s: sees %s's schema = %v, want %v:\n%.300s\n%.300s", c.key, hunt, !c.sees, c.sees, index, one)
		}
		if c.sees {
			huntID = regexp.MustCompile(`secmcp://schemas/output/sha256-[0-9a-f]{64}`).FindString(one)
		}
		byID := mcpPost(h, c.key, `{"jsonrpc":"2.0","id":3,"method":"resources/read","params":{"uri":"`+huntID+`"}}`, sid).Body.String()
		if huntID == "" || strings.Contains(byID, `"contents"`) != c.sees {
			t.Errorf("%s: reading %s's $id %q: want it read = %v, got %.300s", c.key, hunt, huntID, c.sees, byID)
		}
	}
}

// resourceText is the text of a resources/read answer's only content.
func resourceText(t *testing.T, answer map[string]any) string {
	t.Helper()
	res, _ := answer["result"].(map[string]any)
	contents, _ := res["contents"].([]any)
	if len(contents) != 1 {
		t.Fatalf("resources/read: want one content, got %.300v", answer)
	}
	c, _ := contents[0].(map[string]any)
	text, _ := c["text"].(string)
	return text
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
