package integration

import (
	"encoding/json"
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

// TestSuggestHuntingLeads: five slots for the phish-to-exfiltration story
// go to five different hunts, including the LSASS and encoded PowerShell
// hunts its techniques call for, and no hunt pivots on the hash of a system
// binary (cmd.exe, powershell.exe, rundll32.exe in its evidence).
func TestSuggestHuntingLeads(t *testing.T) {
	x := h(t)
	for _, alias := range []string{"contoso", "fabrikam"} {
		for _, st := range fixtures.Stories(alias) {
			if st.Kind != "phish-to-exfiltration" {
				continue
			}
			var res defender.SuggestHuntingResult
			x.mustCall(t, alias, defender.SuggestHuntingToolName, map[string]any{"incidentId": st.IncidentID, "max": 5}, &res)
			seen := map[string]bool{}
			for _, q := range res.Queries {
				if seen[q.TemplateID] {
					t.Errorf("%s/%s: %s twice in five slots", alias, st.IncidentID, q.TemplateID)
				}
				seen[q.TemplateID] = true
				if q.Entity == hunting.EntityHash {
					if name := x.fileOfHash(t, alias, st.IncidentID, q.Value); attack.SystemBinary(name, "") {
						t.Errorf("%s/%s: hunts the hash of %s", alias, st.IncidentID, name)
					}
				}
			}
			for _, want := range []string{"lsass-access", "encoded-powershell"} {
				if !seen[want] {
					t.Errorf("%s/%s: no %s in %v", alias, st.IncidentID, want, seen)
				}
			}
		}
	}
}

// fileOfHash names the file of an incident's evidence with the SHA-256,
// reading the incident's alerts as resources.
func (x *harness) fileOfHash(t *testing.T, alias, incident, sha string) string {
	t.Helper()
	var inc struct {
		Alerts []struct {
			URI string `json:"uri"`
		} `json:"alerts"`
	}
	x.mustCall(t, alias, "defender_get_incident", map[string]any{"id": incident}, &inc)
	for _, a := range inc.Alerts {
		body, err := x.read(t, alias, a.URI)
		if err != nil {
			t.Fatalf("read %s: %v", a.URI, err)
		}
		var al struct {
			Evidence []struct {
				FileName string `json:"fileName"`
				SHA256   string `json:"sha256"`
			} `json:"evidence"`
		}
		if err := json.Unmarshal([]byte(body), &al); err != nil {
			t.Fatalf("decode %s: %v", a.URI, err)
		}
		for _, e := range al.Evidence {
			if strings.EqualFold(e.SHA256, sha) {
				return e.FileName
			}
		}
	}
	t.Fatalf("hash %s is in no alert of incident %s", sha, incident)
	return ""
}
