//go:build e2e

package e2e

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestTypeScriptClientOutputSchemas drives the binary with the official
// TypeScript SDK. By default tools/list carries no output schema (the SDK
// compiles nothing at connect) while calls still return structuredContent
// and each schema is readable as secmcp://schemas/tools/{name}. With
// --output-schemas on, every listed schema has a content-derived $id the
// SDK's Ajv accepts: a second listTools() finds every validator compiled
// under its $id and costs a fraction of the first, and structured results
// validate against the schemas (the SDK refuses a result that does not).
func TestTypeScriptClientOutputSchemas(t *testing.T) {
	bin := binary(t, "")
	target := []string{"--cmd", bin, "--demo-clock", demoClock, "--log-level", "error"}
	validate := map[string]any{"call": "kql_validate", "args": map[string]any{"query": "DeviceProcessEvents | where Timestamp > ago(1d) | take 5"}}
	incidents := map[string]any{"call": "defender_list_incidents", "args": map[string]any{"top": 3}}
	read := map[string]any{"read": "secmcp://schemas/tools/kql_validate"}

	def := runClient(t, []map[string]any{{"list": "tools"}, validate, read}, target...)
	for _, tl := range listedTools(t, def[0]) {
		if tl.OutputSchema != nil {
			t.Errorf("default listing: %s carries an outputSchema", tl.Name)
		}
	}
	if r := decodeCall(t, def[1]); r.IsError || len(r.StructuredContent) == 0 {
		t.Errorf("default: kql_validate must return structuredContent: %+v", r)
	}

	on := runClient(t, []map[string]any{{"list": "tools"}, {"list": "tools"}, validate, incidents, read}, append(target, "--output-schemas", "on")...)
	listed := listedTools(t, on[0])
	ids := map[string]bool{}
	var kqlSchema map[string]any
	for _, tl := range listed {
		id, _ := tl.OutputSchema["$id"].(string)
		if !strings.HasPrefix(id, "secmcp://schemas/output/sha256-") {
			t.Errorf("%s: outputSchema $id %q", tl.Name, id)
		}
		ids[id] = true
		if tl.Name == "kql_validate" {
			kqlSchema = tl.OutputSchema
		}
	}
	if !on[1].OK || on[1].MS*3 > on[0].MS {
		t.Errorf("second listTools() %.1f ms vs first %.1f ms: want under a third (validators reused by $id); %s", on[1].MS, on[0].MS, on[1].Error)
	}
	t.Logf("listTools() with schemas: first %.1f ms, second %.1f ms; %d tools, %d distinct $id", on[0].MS, on[1].MS, len(listed), len(ids))
	for _, i := range []int{2, 3} {
		if r := decodeCall(t, on[i]); r.IsError || len(r.StructuredContent) == 0 {
			t.Errorf("op %d: want a structured result that validates: %+v", i, r)
		}
	}
	for name, r := range map[string]opResult{"default": def[2], "on": on[4]} {
		var rr struct {
			Contents []struct{ Text string } `json:"contents"`
		}
		var got map[string]any
		if err := json.Unmarshal(r.Result, &rr); err != nil || len(rr.Contents) != 1 || json.Unmarshal([]byte(rr.Contents[0].Text), &got) != nil {
			t.Fatalf("%s: reading %v: %v %s %s", name, read["read"], err, r.Error, r.Result)
		}
		if !reflect.DeepEqual(got, kqlSchema) {
			t.Errorf("%s: secmcp://schemas/tools/kql_validate differs from the listed schema:\n%.300v\n%.300v", name, got, kqlSchema)
		}
	}
}

type listedTool struct {
	Name         string         `json:"name"`
	OutputSchema map[string]any `json:"outputSchema"`
}

func listedTools(t *testing.T, r opResult) []listedTool {
	t.Helper()
	var out []listedTool
	if !r.OK || json.Unmarshal(r.Result, &out) != nil || len(out) < 13 {
		t.Fatalf("tools/list: %s, %d tools", r.Error, len(out))
	}
	return out
}
