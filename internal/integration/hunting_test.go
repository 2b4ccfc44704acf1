package integration

import (
	"strings"
	"testing"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/attack"
	"github.com/secmcp/secmcp/internal/hunting"
	"github.com/secmcp/secmcp/tools/defender"
)

// TestSuggestHuntingStories proposes and runs hunting queries for every
// multi-stage demo incident: all must validate and run, and the planted
// lateral movement and persistence must be found by some query.
func TestSuggestHuntingStories(t *testing.T) {
	x := h(t)
	proposed, validated := 0, 0
	for _, alias := range []string{"contoso", "fabrikam"} {
		for _, st := range fixtures.Stories(alias) {
			if len(st.AlertIDs) < 2 {
				continue
			}
			var res defender.SuggestHuntingResult
			x.mustCall(t, alias, defender.SuggestHuntingToolName, map[string]any{"incidentId": st.IncidentID, "run": true, "max": 25}, &res)
			proposed += res.Proposed
			validated += res.Validated
			if res.Validated != res.Proposed || len(res.Dropped) != 0 || len(res.Queries) == 0 {
				t.Errorf("%s/%s: %d of %d validated, dropped %+v", alias, st.Kind, res.Validated, res.Proposed, res.Dropped)
			}
			lateral, persist := st.LateralMovementDevice == "", st.PersistenceKey == ""
			var found []string
			for _, q := range res.Queries {
				if q.RunError != "" || q.Rows == nil {
					t.Errorf("%s/%s %s did not run: %s", alias, st.Kind, q.TemplateID, q.RunError)
					continue
				}
				if *q.Rows == 0 {
					continue
				}
				found = append(found, q.TemplateID)
				if lateral && persist {
					continue
				}
				var run defender.HuntingResult
				text := strings.ToLower(x.mustCall(t, alias, "defender_run_hunting_query", map[string]any{"query": q.Query, "top": 500}, &run))
				if !lateral && strings.HasPrefix(q.TemplateID, "lateral-") && strings.Contains(text, strings.ToLower(st.LateralMovementDevice)) {
					lateral = true
				}
				key := strings.ToLower(st.PersistenceKey[strings.LastIndexByte(st.PersistenceKey, '\\')+1:])
				if !persist && strings.HasPrefix(q.TemplateID, "device-persistence") && strings.Contains(text, key) {
					persist = true
				}
			}
			t.Logf("%s incident %s (%s): %d queries, %d with rows: %s", alias, st.IncidentID, st.Kind, len(res.Queries), len(found), strings.Join(found, ", "))
			if st.Kind == "identity-compromise" {
				for _, want := range []string{"ip-signins", "password-spray", "user-inbox-rules", "impossible-travel"} {
					if !strings.Contains(","+strings.Join(found, ",")+",", ","+want+",") {
						t.Errorf("%s/%s: %s found no rows", alias, st.Kind, want)
					}
				}
			}
			if !lateral {
				t.Errorf("%s/%s: no hunt found the lateral movement to %s", alias, st.Kind, st.LateralMovementDevice)
			}
			if !persist {
				t.Errorf("%s/%s: no hunt found the persistence %s", alias, st.Kind, st.PersistenceKey)
			}
		}
	}
	if proposed == 0 || validated != proposed {
		t.Fatalf("validation %d/%d", validated, proposed)
	}
	t.Logf("validated %d/%d proposed queries (100%%)", validated, proposed)
}

func TestKnowledgeResourcesAndPrompt(t *testing.T) {
	x := h(t)
	for uri, want := range map[string]string{
		attack.IndexURI:                    "T1003.001",
		attack.URI("T1021.002"):            "SMB/Windows Admin Shares",
		attack.CategoryURI("Exfiltration"): "Contain",
		hunting.LibraryURI:                 "lateral-from-device-logons",
	} {
		text, err := x.read(t, "contoso", uri)
		if err != nil || !strings.Contains(text, want) {
			t.Errorf("%s: %v (want %q)", uri, err, want)
		}
	}
	if _, err := x.read(t, "contoso", attack.URIPrefix+"T9999"); err == nil {
		t.Error("unknown technique read")
	}
	text, err := x.rs.RenderPrompt("hunt-from-incident", map[string]string{"incidentId": "1000"})
	if err != nil || !strings.Contains(text, "defender_suggest_hunting_queries") || !strings.Contains(text, `"1000"`) {
		t.Fatalf("prompt: %v", err)
	}
	if _, err := x.rs.RenderPrompt("hunt-from-incident", map[string]string{}); err == nil {
		t.Fatal("prompt without incidentId")
	}
}
