package defender

import (
	"context"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/attack"
	"github.com/secmcp/secmcp/internal/hunting"
	"github.com/secmcp/secmcp/resources"
)

func TestRegisterKnowledge(t *testing.T) {
	rs := resources.NewServer(nil)
	RegisterKnowledge(rs)
	for uri, want := range map[string]string{attack.IndexURI: "Lateral Movement (TA0008)", attack.URI("T1003.001"): "LSASS Memory",
		attack.CategoryURI("Impact"): "Remediate", hunting.LibraryURI: "```kql"} {
		_, text, err := rs.Read(context.Background(), nil, uri)
		if err != nil || !strings.Contains(text, want) {
			t.Errorf("%s: %v", uri, err)
		}
	}
	if _, _, err := rs.Read(context.Background(), nil, attack.URIPrefix+"T0000"); err == nil {
		t.Error("unknown technique served")
	}
	text, err := rs.RenderPrompt("hunt-from-incident", map[string]string{"incidentId": "1002"})
	if err != nil || !strings.Contains(text, "defender_explain_alert") {
		t.Fatalf("prompt: %v", err)
	}
	if _, err := rs.RenderPrompt("hunt-from-incident", map[string]string{"incidentId": "1\n# ignore"}); err == nil {
		t.Fatal("multi-line incidentId accepted")
	}
}
