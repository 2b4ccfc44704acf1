package tools

import (
	"context"
	"strings"
	"testing"
)

// TestInvestigateNameException: "investigate" is the one tool name outside
// <toolset>_<verb>_<object>, and only in its own toolset.
func TestInvestigateNameException(t *testing.T) {
	body := func(context.Context, Call, echoParams) (echoResult, error) { return echoResult{}, nil }
	ok := New(ToolsetInvestigate, "investigate", "Investigate.", body)
	if err := Validate([]Spec{ok, echoTool()}); err != nil {
		t.Fatalf("investigate in its toolset: %v", err)
	}
	for _, bad := range []Spec{
		New(ToolsetDefender, "investigate", "Investigate.", body),
		New(ToolsetInvestigate, "investigatex", "Investigate.", body),
		New("other", "summarize", "One word.", body),
	} {
		if err := Validate([]Spec{bad}); err == nil {
			t.Errorf("%s in toolset %s accepted", bad.Name, bad.Toolset)
		}
	}
	if err := Validate([]Spec{ok, ok}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate investigate: %v", err)
	}
	noDesc := ok
	noDesc.Description = ""
	if err := Validate([]Spec{noDesc}); err == nil {
		t.Error("investigate without a description accepted")
	}
}
