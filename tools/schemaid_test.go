package tools

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestListedOutputSchemaID: the listed schema is the declared one with a
// root $id first; the $id follows the content (same content, same $id;
// any change, a new one) and is a valid URI of this server's scheme.
func TestListedOutputSchemaID(t *testing.T) {
	a := json.RawMessage(`{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}`)
	b := json.RawMessage(`{"type":"object","properties":{"n":{"type":"integer"}},"required":[]}`)
	la, err := ListedOutputSchema(a)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"$id":"` + SchemaID(a) + `",` + string(a[1:])
	if string(la) != want {
		t.Fatalf("listed schema:\n got %s\nwant %s", la, want)
	}
	if !strings.HasPrefix(SchemaID(a), SchemaIDPrefix+"sha256-") || len(SchemaID(a)) != len(SchemaIDPrefix)+7+64 {
		t.Errorf("$id %q: want %ssha256-<64 hex digits>", SchemaID(a), SchemaIDPrefix)
	}
	again, _ := ListedOutputSchema(json.RawMessage(string(a))) // same content, another slice
	if string(again) != string(la) {
		t.Errorf("same content listed differently: %s vs %s", again, la)
	}
	if SchemaID(a) == SchemaID(b) {
		t.Error("two different schemas share an $id")
	}
	for _, in := range []string{`{}`, ` { } `} {
		out, err := ListedOutputSchema(json.RawMessage(in))
		if err != nil || !json.Valid(out) || !strings.Contains(string(out), SchemaID(json.RawMessage(in))) {
			t.Errorf("%q: got %s, %v", in, out, err)
		}
	}
	if out, err := ListedOutputSchema(nil); err != nil || len(out) != 0 {
		t.Errorf("no schema: got %s, %v", out, err)
	}
	for _, bad := range []string{`null`, `[1]`, `{"type":`} {
		if _, err := ListedOutputSchema(json.RawMessage(bad)); err == nil || !strings.Contains(err.Error(), "output schema") {
			t.Errorf("%s: want an error naming the output schema, got %v", bad, err)
		}
	}
}
