package tools

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestValidateSchemaTopLevel: Validate checks only the top level of each
// schema (cheaply, at start-up) but still rejects a schema that is not an
// object schema or that combines at the top level.
func TestValidateSchemaTopLevel(t *testing.T) {
	if err := Validate([]Spec{echoTool()}); err != nil {
		t.Fatalf("echo tool: %v", err)
	}
	for schema, want := range map[string]string{
		`{"type":"array"}`:                              "JSON object schema",
		`{"properties":{}}`:                             "JSON object schema",
		`not json`:                                      "JSON object schema",
		`{"type":"object","oneOf":[]}`:                  "top-level oneOf",
		`{"type":"object","anyOf":null}`:                "top-level anyOf",
		`{"allOf":[{"type":"object"}],"type":"object"}`: "top-level allOf",
	} {
		s := echoTool()
		s.OutputSchema = json.RawMessage(schema)
		err := Validate([]Spec{s})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("output schema %s: error %v, want one naming %q", schema, err, want)
		}
	}
}
