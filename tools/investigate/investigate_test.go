package investigate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/synth"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/tools"
)

func TestOffRegistersNothing(t *testing.T) {
	for _, m := range []string{"", ModeOff} {
		if got := Tools(Deps{Mode: m}); len(got) != 0 {
			t.Errorf("mode %q registered %d tools", m, len(got))
		}
	}
}

func TestModes(t *testing.T) {
	for _, m := range []string{ModeBuiltin, ModeSampling} {
		specs := Tools(Deps{Mode: m})
		if len(specs) != 1 || specs[0].Name != "investigate" || !specs[0].ReadOnly {
			t.Fatalf("mode %s: %+v", m, specs)
		}
		if err := tools.Validate(specs); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := (Deps{Mode: "gpt"}).Writer(); err == nil {
		t.Error("unknown mode accepted")
	}
	if _, err := (Deps{Mode: ModeOpenAI, OpenAI: synth.OpenAIConfig{URL: "http://models.example/v1"}}).Writer(); err == nil {
		t.Error("plain-http remote openai URL accepted")
	}
}

// TestSchemaSnapshot pins the tool's schemas (the catalogue's snapshots see
// only the default, synthesizer-off catalogue):
// UPDATE_SNAPSHOTS=1 go test ./tools/investigate/
func TestSchemaSnapshot(t *testing.T) {
	s := Tools(Deps{Mode: ModeBuiltin})[0]
	snap := map[string]any{"name": s.Name, "toolset": s.Toolset, "readOnly": s.ReadOnly,
		"description": s.Description, "inputSchema": json.RawMessage(s.InputSchema), "outputSchema": json.RawMessage(s.OutputSchema)}
	got, err := json.MarshalIndent(snap, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "investigate.json")
	if os.Getenv("UPDATE_SNAPSHOTS") != "" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("schema changed or no snapshot (%v); review and run UPDATE_SNAPSHOTS=1 go test ./tools/investigate/", err)
	}
	for _, f := range []string{`"answer"`, `"citations"`, `"unsupported"`, `"missingSources"`, `"writer"`, `"evidence"`, `"sources"`} {
		if !strings.Contains(string(s.OutputSchema), f) {
			t.Errorf("output schema lacks %s", f)
		}
	}
}

// TestToolErrors: a question naming nothing is a caller-fixable error, and
// sources that cannot be reached are reported, not fatal.
func TestToolErrors(t *testing.T) {
	tn := tenant.New("contoso", "11111111-1111-4111-8111-111111111111", "demo", true, ratelimit.New(ratelimit.Default), nil)
	reg, err := tenant.NewRegistry(tn)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := tools.NewRegistry(Tools(Deps{Mode: ModeBuiltin}), tools.Selection{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	inv := &tools.Invoker{Tools: tr, Tenants: reg}
	caller := tools.Caller{Principal: "t", Tenants: []string{"contoso"}}
	_, err = inv.Invoke(context.Background(), caller, "investigate", json.RawMessage(`{"question":"how are we doing?"}`), nil)
	var te *tools.ToolError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want a tool error", err)
	}
	out, err := inv.Invoke(context.Background(), caller, "investigate", json.RawMessage(`{"question":"incident 5","timeoutSeconds":2}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	var res synth.Result
	if err := json.Unmarshal(out.Structured, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.MissingSources) != 3 || res.Unsupported != 0 || !strings.Contains(res.Answer, "Sources that did not answer") {
		t.Errorf("missing %+v\n%s", res.MissingSources, res.Answer)
	}
}
