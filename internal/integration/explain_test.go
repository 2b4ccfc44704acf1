package integration

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/tools"
	"github.com/secmcp/secmcp/tools/defender"
)

// explainFetcher reads cited resources through resources/read as a caller
// allowed only tenant (static knowledge pages included).
func (x *harness) explainFetcher(t testing.TB, tenant string) cite.Fetcher {
	return func(_ context.Context, uri string) (string, error) { return x.read(t, tenant, uri) }
}

// TestExplainAlertStories explains every alert of every multi-stage demo
// incident: each answer's own check and an independent check of its
// Markdown through resources/read must find 0 unsupported lines.
func TestExplainAlertStories(t *testing.T) {
	x := h(t)
	total := 0
	for _, alias := range []string{"contoso", "fabrikam"} {
		for _, st := range fixtures.Stories(alias) {
			if len(st.AlertIDs) < 2 {
				continue
			}
			seen := map[string]bool{}
			noncompliant, risky := st.NoncompliantDevice == "", st.Kind != "identity-compromise"
			for _, id := range st.AlertIDs {
				if seen[id] {
					continue
				}
				seen[id] = true
				var res defender.ExplainAlertResult
				text := x.mustCall(t, alias, defender.ExplainAlertToolName, map[string]any{"id": id}, &res)
				total++
				if res.Unsupported != 0 || res.Citations.Unsupported != 0 {
					t.Errorf("%s/%s alert %s: %d unsupported: %+v", alias, st.Kind, id, res.Unsupported, res.Citations.Findings)
				}
				if res.Citations.Factual < 5 || res.Alert.ID != id || res.Severity.Assessed == "" {
					t.Errorf("%s alert %s: thin answer: %+v", alias, id, res.Citations)
				}
				rep, err := cite.CheckMarkdown(context.Background(), text, x.explainFetcher(t, alias))
				if err != nil || !rep.OK() {
					t.Errorf("%s alert %s: Markdown check through resources/read: %v %s", alias, id, err, rep)
				}
				noncompliant = noncompliant || strings.Contains(text, st.NoncompliantDevice+" is noncompliant in Intune")
				risky = risky || strings.Contains(text, st.Users[0]+" is a risky user")
				if len(res.Response.Contain)+len(res.Response.Investigate)+len(res.Response.Remediate) == 0 {
					t.Errorf("%s alert %s: no response steps", alias, id)
				}
			}
			storyContextOK(t, alias, st, noncompliant, risky)
		}
	}
	t.Logf("explained %d story alerts", total)
}

// storyContextOK is checked per story inside TestExplainAlertStories.
func storyContextOK(t *testing.T, alias string, st fixtures.Story, noncompliant, risky bool) {
	t.Helper()
	if !noncompliant {
		t.Errorf("%s/%s: no explanation names the noncompliant device %s", alias, st.Kind, st.NoncompliantDevice)
	}
	if !risky {
		t.Errorf("%s/%s: no explanation names the risky user %s", alias, st.Kind, st.Users[0])
	}
}

func TestExplainAlertBadInput(t *testing.T) {
	x := h(t)
	var te *tools.ToolError
	_, _, err := x.call(t, "contoso", defender.ExplainAlertToolName, map[string]any{"id": "da000000000000000000_-000000000"})
	if !errors.As(err, &te) || te.Kind != "not_found" {
		t.Fatalf("unknown alert: %v", err)
	}
	foreign := fixtures.Stories("fabrikam")[0].AlertIDs[0]
	_, _, err = x.call(t, "contoso", defender.ExplainAlertToolName, map[string]any{"id": foreign})
	if !errors.As(err, &te) || te.Kind != "not_found" || strings.Contains(te.Msg, "fabrikam") {
		t.Fatalf("another tenant's alert: want not_found that does not name fabrikam, got %v", err)
	}
	if _, _, err = x.call(t, "contoso", defender.ExplainAlertToolName, map[string]any{"id": ""}); !errors.As(err, &te) {
		t.Fatalf("empty id: %v", err)
	}
}

// TestExplainAlertWithoutEvidence explains a demo alert that has no
// evidence (if the demo tenant has one): the answer says so and stays bounded.
func TestExplainAlertWithoutEvidence(t *testing.T) {
	x := h(t)
	ten, err := fixtures.Load("contoso", Clock)
	if err != nil {
		t.Fatal(err)
	}
	id := ""
	for _, a := range ten.Graph["security/alerts_v2"] {
		if ev, _ := a["evidence"].([]any); len(ev) == 0 {
			id, _ = a["id"].(string)
			break
		}
	}
	if id == "" {
		t.Skip("every contoso demo alert has evidence; the unit test TestExplainAlertWithoutEvidence covers the case")
	}
	var res defender.ExplainAlertResult
	text := x.mustCall(t, "contoso", defender.ExplainAlertToolName, map[string]any{"id": id}, &res)
	if !res.Trigger.EvidenceMissing || !strings.Contains(text, "carries no evidence items") || res.Unsupported != 0 || len(text) > 16000 {
		t.Fatalf("alert %s: %+v (%d bytes)", id, res.Trigger, len(text))
	}
}
