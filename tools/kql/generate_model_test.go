package kql

import (
	"context"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/tools"
)

// TestGenerateUsesClientModel: with sampling offered, the client's model
// writes the query (validated); a model that answers garbage falls back to
// the templates, and the result says which wrote it.
func TestGenerateUsesClientModel(t *testing.T) {
	for _, c := range []struct {
		answer, want string
	}{
		{"```kql\nDeviceProcessEvents\n| where Timestamp > ago(1d)\n| where FileName =~ \"powershell.exe\"\n| summarize n = count() by DeviceName\n```", "model (sampling)"},
		{"I cannot help with that.", "templates (model not used"},
	} {
		c0 := call("contoso", true)
		c0.Sample = func(context.Context, tools.SampleRequest) (string, error) { return c.answer, nil }
		r, err := invoke[GenerateResult](t, "kql_generate", c0, map[string]any{"question": "devices that ran powershell.exe in the last day"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(r.Generator, c.want) || !r.Valid {
			t.Errorf("answer %q: generator %q valid %v\n%s", c.answer, r.Generator, r.Valid, r.Query)
		}
	}
}
