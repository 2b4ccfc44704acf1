package config

import (
	"strings"
	"testing"
)

func TestScriptLimits(t *testing.T) {
	c, err := Parse(strings.NewReader(valid + "limits: {scriptBytes: 33554432, scriptSteps: 2000000}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Limits.ScriptBytes != 32<<20 || c.Limits.ScriptSteps != 2_000_000 {
		t.Fatalf("limits = %+v", c.Limits)
	}
	if c, err := Parse(strings.NewReader(valid)); err != nil || c.Limits != (Limits{}) {
		t.Fatalf("no limits section: %+v, %v", c.Limits, err)
	}
	for in, want := range map[string]string{
		"limits: {scriptBytes: 100}":        "limits.scriptBytes: 100 is outside 1048576..4294967296",
		"limits: {scriptBytes: -1}":         "limits.scriptBytes: -1 is outside",
		"limits: {scriptSteps: 5}":          "limits.scriptSteps: 5 is outside 10000..1000000000",
		"limits: {scriptSteps: 2000000000}": "limits.scriptSteps: 2000000000 is outside",
		"limits: {scriptByte: 1048576}":     "field scriptByte not found",
		"limits: {scriptBytes: 64MiB}":      "cannot unmarshal",
	} {
		_, err := Parse(strings.NewReader(valid + in + "\n"))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want it to contain %q", in, err, want)
		}
	}
}
