package catalog

import (
	"bytes"
	"encoding/json"
	"testing"
)

// maxModelFacingBytes bounds what tools/list costs every model that reads
// it: the tools' names, descriptions and input schemas (compact JSON), which
// clients hand to the model, for the default toolsets (all of them).
const maxModelFacingBytes = 25_000

func TestToolsListModelFacingBudget(t *testing.T) {
	total := 0
	for _, s := range All(Deps{}) {
		var in bytes.Buffer
		if err := json.Compact(&in, s.InputSchema); err != nil {
			t.Fatal(err)
		}
		total += len(s.Name) + len(s.Description) + in.Len()
	}
	t.Logf("tools/list model-facing bytes: %d (budget %d)", total, maxModelFacingBytes)
	if total > maxModelFacingBytes {
		t.Errorf("tools/list model-facing bytes = %d, over the %d budget: shorten descriptions or input schemas", total, maxModelFacingBytes)
	}
}

// TestOutputSchemasShareDefinitions: a tool whose result repeats an object
// (the alert item in several lists) writes it once under $defs, and the
// $refs resolve.
func TestOutputSchemasShareDefinitions(t *testing.T) {
	shared := 0
	for _, s := range All(Deps{}) {
		var out struct {
			Defs map[string]json.RawMessage `json:"$defs"`
		}
		if err := json.Unmarshal(s.OutputSchema, &out); err != nil {
			t.Fatal(err)
		}
		for name := range out.Defs {
			shared++
			if !bytes.Contains(s.OutputSchema, []byte(`"#/$defs/`+name+`"`)) {
				t.Errorf("%s: $defs/%s is not referred to", s.Name, name)
			}
		}
	}
	if shared == 0 {
		t.Fatal("no output schema shares a definition")
	}
}
