package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestOutputSchemasFlag: --output-schemas off lists every tool without its
// outputSchema while results still carry structuredContent; the default
// (on) lists every tool with one; a bad value is refused naming the flag.
func TestOutputSchemasFlag(t *testing.T) {
	frames := []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"kql_validate","arguments":{"query":"DeviceProcessEvents | take 5"}}}`,
	}
	for _, mode := range []string{"on", "off"} {
		args := []string{"--demo-clock", "2026-11-20T12:00:00Z", "--log-level", "error"}
		if mode == "off" {
			args = append(args, "--output-schemas", "off")
		}
		answers := stdioAnswers(t, args, frames, 3)
		res, _ := answers[2]["result"].(map[string]any)
		list, _ := res["tools"].([]any)
		if len(list) == 0 {
			t.Fatalf("%s: tools/list gave no tools: %v", mode, answers[2])
		}
		for _, raw := range list {
			tool, _ := raw.(map[string]any)
			if _, has := tool["outputSchema"]; has != (mode == "on") {
				t.Errorf("--output-schemas %s: tool %v has outputSchema: %v", mode, tool["name"], has)
			}
		}
		call, _ := answers[3]["result"].(map[string]any)
		if call["structuredContent"] == nil || call["isError"] == true {
			t.Errorf("--output-schemas %s: kql_validate must still return structuredContent, got %.300v", mode, call)
		}
	}
	if _, err := parseFlags([]string{"--output-schemas", "no"}, func(string) string { return "" }, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "--output-schemas") {
		t.Errorf("bad value: want an error naming --output-schemas, got %v", err)
	}
	o, err := parseFlags(nil, func(k string) string { return map[string]string{"SECMCP_OUTPUT_SCHEMAS": "off"}[k] }, &bytes.Buffer{})
	if err != nil || o.outputSchemas != "off" {
		t.Errorf("SECMCP_OUTPUT_SCHEMAS=off: got %q, %v", o.outputSchemas, err)
	}
}
