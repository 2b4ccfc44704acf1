package tools

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

// TestListedOutputSchemaOwnID: a schema with its own root $id is listed
// byte for byte as declared, so a $ref resolving against that absolute
// $id still does; an $id that is not a non-empty string is replaced.
func TestListedOutputSchemaOwnID(t *testing.T) {
	own := json.RawMessage(`{"$id":"https://plugin.example/schemas/alert.json","type":"object",` +
		`"properties":{"sev":{"$ref":"defs.json#/$defs/severity"}}}`)
	got, err := ListedOutputSchema(own)
	if err != nil || string(got) != string(own) {
		t.Fatalf("own $id: got %s, %v; want the schema unchanged", got, err)
	}
	if id, _ := ListedSchemaID(own); id != "https://plugin.example/schemas/alert.json" {
		t.Errorf("ListedSchemaID = %q, want the schema's own", id)
	}
	for _, in := range []string{`{"$id":"","type":"object"}`, `{"$id":7,"type":"object"}`} {
		got, err := ListedOutputSchema(json.RawMessage(in))
		var m map[string]any
		if err != nil || json.Unmarshal(got, &m) != nil || m["$id"] != SchemaID(json.RawMessage(in)) {
			t.Errorf("%s: got %s, %v; want the content-derived $id", in, got, err)
		}
	}
}

// TestListOutputSchemas: content-derived $ids are listed as
// ListedOutputSchema gives them; own $ids are kept; two different schemas
// never share an $id: the later own one, or a foreign one claiming a
// content-derived $id, is left out and reported, and the warning names the
// tool once.
func TestListOutputSchemas(t *testing.T) {
	a := json.RawMessage(`{"type":"object","properties":{"n":{"type":"integer"}}}`)
	own1 := json.RawMessage(`{"$id":"https://x.example/s.json","type":"object"}`)
	own2 := json.RawMessage(`{"$id":"https://x.example/s.json","type":"array"}`)
	own1Again := json.RawMessage(`{ "type": "object", "$id": "https://x.example/s.json" }`) // same value
	forged := json.RawMessage(`{"$id":"` + SchemaID(a) + `","type":"string"}`)
	names := []string{"a_forger", "b_own", "c_plain", "d_none", "e_same", "f_clash", "g_bad"}
	schemas := []json.RawMessage{forged, own1, a, nil, own1Again, own2, json.RawMessage(`[1]`)}
	out, clashes := ListOutputSchemas(names, schemas)
	la, _ := ListedOutputSchema(a)
	want := []string{"", string(own1), string(la), "", string(own1Again), "", ""}
	for i := range want {
		if string(out[i]) != want[i] {
			t.Errorf("%s: listed %s, want %q", names[i], out[i], want[i])
		}
	}
	wantClash := []SchemaClash{
		{Tool: "a_forger", ID: SchemaID(a), With: "c_plain"},
		{Tool: "f_clash", ID: "https://x.example/s.json", With: "b_own"},
	}
	if len(clashes) != len(wantClash) || clashes[0] != wantClash[0] || clashes[1] != wantClash[1] {
		t.Errorf("clashes %+v, want %+v", clashes, wantClash)
	}
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	WarnSchemaClashes(log, clashes)
	WarnSchemaClashes(log, clashes)
	if n := strings.Count(buf.String(), "level=WARN"); n != 2 || !strings.Contains(buf.String(), "tool=f_clash") ||
		!strings.Contains(buf.String(), "tool=a_forger") {
		t.Errorf("want one warning per clash naming the tool, got:\n%s", buf.String())
	}
}
