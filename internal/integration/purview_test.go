package integration

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/kqlcheck"
	"github.com/secmcp/secmcp/tools"
	"github.com/secmcp/secmcp/tools/purview"
)

// demoAlert returns a demo alert's JSON by ID.
func demoAlert(t *testing.T, tn *fixtures.Tenant, id string) map[string]any {
	t.Helper()
	for _, a := range tn.Graph["security/alerts_v2"] {
		if a["id"] == id {
			return a
		}
	}
	t.Fatalf("alert %s not in the demo tenant", id)
	return nil
}

func uniq(ids []string) []string {
	out := slices.Clone(ids)
	sort.Strings(out)
	return slices.Compact(out)
}

func TestPurviewExplainStoryDLPAlerts(t *testing.T) {
	x := h(t)
	for _, alias := range []string{"contoso", "fabrikam"} {
		tn, err := fixtures.Load(alias, Clock)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range fixtures.Stories(alias) {
			for _, id := range uniq(st.DLPAlertIDs) {
				var out purview.DLPExplanation
				text := x.mustCall(t, alias, purview.ExplainToolName, map[string]any{"id": id}, &out)
				if os.Getenv("SHOW") != "" {
					t.Log(text)
				}
				add := demoAlert(t, tn, id)["additionalData"].(map[string]any)
				d := out.DLP
				want := map[string]string{"policy": add["dlpPolicyName"].(string), "rule": add["dlpRuleName"].(string),
					"location": add["workload"].(string), "action": add["actionTaken"].(string)}
				got := map[string]string{"policy": d.PolicyName, "rule": d.RuleName, "location": d.Location, "action": d.Action}
				for k, w := range want {
					if got[k] != w {
						t.Errorf("%s %s: %s = %q, want %q", alias, id, k, got[k], w)
					}
				}
				if d.User != st.Users[0] {
					t.Errorf("%s %s: user %q, want the story's victim %q", alias, id, d.User, st.Users[0])
				}
				var sits []struct {
					Name       string
					Count      int
					Confidence string
				}
				if err := json.Unmarshal([]byte(add["sensitiveInfoTypes"].(string)), &sits); err != nil {
					t.Fatal(err)
				}
				if len(d.SITs) != len(sits) {
					t.Fatalf("%s %s: SITs %+v, want %+v", alias, id, d.SITs, sits)
				}
				for i, s := range sits {
					if d.SITs[i].Name != s.Name || d.SITs[i].Count != s.Count || d.SITs[i].Confidence != s.Confidence {
						t.Errorf("%s %s: SIT %d = %+v, want %+v", alias, id, i, d.SITs[i], s)
					}
				}
				if f, _ := add["fileName"].(string); f != d.FileName {
					t.Errorf("%s %s: file %q, want %q", alias, id, d.FileName, f)
				}
				if s, _ := add["emailSubject"].(string); s != d.EmailSubject {
					t.Errorf("%s %s: subject %q, want %q", alias, id, d.EmailSubject, s)
				}
				if o := add["userOverride"] == "true"; o != d.Overridden || (o && d.Justification != add["overrideJustification"]) {
					t.Errorf("%s %s: override %v %q", alias, id, d.Overridden, d.Justification)
				}
				if len(out.NextSteps) < 2 || out.Citations.Dropped != 0 {
					t.Errorf("%s %s: next steps %v, citations %+v", alias, id, out.NextSteps, out.Citations)
				}
				direct, err := purview.ExplainDLPAlert(context.Background(), x.callFor(t, alias), purview.ExplainParams{ID: id})
				if err != nil {
					t.Fatal(err)
				}
				x.checkClaims(t, alias, "explain "+id, direct.Claims())
			}
		}
	}
}

func TestPurviewExplainRefusals(t *testing.T) {
	x := h(t)
	fab := fixtures.Stories("fabrikam")[0].DLPAlertIDs[0]
	nonDLP := fixtures.Stories("contoso")[0].AlertIDs[0]
	for _, c := range []struct {
		id, kind string
	}{{fab, "not_found"}, {"no-such-alert", "not_found"}, {nonDLP, "invalid_argument"}} {
		_, _, err := x.call(t, "contoso", purview.ExplainToolName, map[string]any{"id": c.id})
		var te *tools.ToolError
		if !errors.As(err, &te) || te.Kind != c.kind || strings.Contains(te.Msg, "fabrikam") {
			t.Errorf("id %s: want a %s tool error that does not name fabrikam, got %v", c.id, c.kind, err)
		}
	}
}

// storyPath returns the exfiltration path a story planted, as the
// investigation should report it.
func storyPath(st fixtures.Story) (kind, dest, query string) {
	switch st.Kind {
	case "phish-to-exfiltration":
		return "personal_cloud_upload", st.Domains[2], "Q3"
	case "identity-compromise":
		return "mail_forwarding", "@" + st.Domains[0], "Q5"
	}
	return "", "", ""
}

func findPath(v purview.Investigation, kind, dest string) *purview.ExfilPath {
	for i, p := range v.Paths {
		if p.Kind == kind && strings.HasSuffix(p.Destination, dest) {
			return &v.Paths[i]
		}
	}
	return nil
}

func checkInvestigation(t *testing.T, alias string, st fixtures.Story, v purview.Investigation) {
	t.Helper()
	var got []string
	for i, a := range v.DLPAlerts {
		got = append(got, a.ID)
		if i > 0 && a.Time.Before(v.DLPAlerts[i-1].Time) {
			t.Errorf("%s %s: DLP alerts not in time order", alias, st.Kind)
		}
	}
	for _, id := range uniq(st.DLPAlertIDs) {
		if !slices.Contains(got, id) {
			t.Errorf("%s %s: DLP alert %s missing from %v", alias, st.Kind, id, got)
		}
	}
	for i := 1; i < len(v.Narrative); i++ {
		if v.Narrative[i].Time.Before(v.Narrative[i-1].Time) {
			t.Errorf("%s %s: narrative not in time order at %d", alias, st.Kind, i)
		}
	}
	for _, q := range v.Queries {
		rep := kqlcheck.Default().Validate(q.KQL)
		if !rep.Valid || !rep.Safe || rep.Errors != 0 {
			t.Errorf("%s %s: query %s does not validate: %+v", alias, st.Kind, q.Name, rep.Diagnostics)
		}
	}
	if len(v.OpenQuestions) == 0 || v.QueryNote == "" || v.Citations.Dropped != 0 {
		t.Errorf("%s %s: questions %v, citations %+v", alias, st.Kind, v.OpenQuestions, v.Citations)
	}
}

func TestPurviewInvestigateStories(t *testing.T) {
	x := h(t)
	for _, alias := range []string{"contoso", "fabrikam"} {
		for _, st := range fixtures.Stories(alias) {
			kind, dest, query := storyPath(st)
			if len(st.DLPAlertIDs) == 0 || kind == "" {
				continue
			}
			var out purview.Investigation
			text := x.mustCall(t, alias, purview.InvestigateToolName, map[string]any{"user": st.Users[0]}, &out)
			if os.Getenv("SHOW") != "" {
				t.Log(text)
			}
			if out.User != st.Users[0] || len(out.MissingSources) != 0 {
				t.Errorf("%s %s: user %s, missing %+v", alias, st.Kind, out.User, out.MissingSources)
			}
			checkInvestigation(t, alias, st, out)
			p := findPath(out, kind, dest)
			if p == nil || !slices.Contains(p.Queries, query) {
				t.Errorf("%s %s: path %s → %s (from %s) not found in %+v", alias, st.Kind, kind, dest, query, out.Paths)
			}
			if kind == "personal_cloud_upload" && p != nil && !slices.Contains(p.Alerts, uniq(st.DLPAlertIDs)[0]) {
				t.Errorf("%s %s: upload path does not cite the DLP alert: %+v", alias, st.Kind, p)
			}
			direct, err := purview.SummarizeInvestigation(context.Background(), x.callFor(t, alias), purview.InvestigateParams{User: st.Users[0]})
			if err != nil {
				t.Fatal(err)
			}
			x.checkClaims(t, alias, "investigate "+st.Users[0], direct.Claims())
			// Case mode: the incident names the user and the window.
			var byCase purview.Investigation
			x.mustCall(t, alias, purview.InvestigateToolName, map[string]any{"caseId": st.IncidentID}, &byCase)
			if byCase.User != st.Users[0] || findPath(byCase, kind, dest) == nil {
				t.Errorf("%s %s: case %s: user %s, paths %+v", alias, st.Kind, st.IncidentID, byCase.User, byCase.Paths)
			}
			checkInvestigation(t, alias, st, byCase)
		}
	}
}

func TestPurviewInvestigateRefusals(t *testing.T) {
	x := h(t)
	fabStory := fixtures.Stories("fabrikam")[0]
	for _, c := range []struct {
		args map[string]any
		kind string
	}{
		{map[string]any{}, "invalid_argument"},
		{map[string]any{"user": "not a upn"}, "invalid_argument"},
		{map[string]any{"user": `x"@contoso.com`}, "invalid_argument"},
		{map[string]any{"user": fabStory.Users[0]}, "not_found"},
		{map[string]any{"user": "nobody@contoso.com"}, "not_found"},
		{map[string]any{"caseId": fabStory.IncidentID}, "not_found"},
		{map[string]any{"user": fixtures.Stories("contoso")[0].Users[0], "since": "90d", "until": "100d"}, "invalid_argument"},
	} {
		_, _, err := x.call(t, "contoso", purview.InvestigateToolName, c.args)
		var te *tools.ToolError
		if !errors.As(err, &te) || te.Kind != c.kind || strings.Contains(te.Msg, `tenant "fabrikam"`) {
			t.Errorf("%v: want a %s tool error, got %v", c.args, c.kind, err)
		}
	}
}

// TestPurviewInvestigateMissingSources: a failing Kusto (Sentinel) or
// hunting route is named; what the other sources show is still reported.
func TestPurviewInvestigateMissingSources(t *testing.T) {
	x := newHarness(t)
	defer x.env.Close()
	emu := x.emulator(t)
	stories := fixtures.Stories("contoso")
	for _, c := range []struct {
		route, source string
		failed        []string
		stories       int
	}{
		{"v2/rest/query", "Sentinel", []string{"Q6"}, 2},
		{"security/*runHuntingQuery", "Advanced Hunting", []string{"Q1", "Q2", "Q3", "Q4", "Q5"}, 1},
	} {
		emu.ClearFaults()
		emu.InjectFault(fixtures.Fault{Route: c.route, Tenant: "contoso", Status: 503})
		for _, st := range stories[:c.stories] {
			kind, dest, _ := storyPath(st)
			var out purview.Investigation
			text := x.mustCall(t, "contoso", purview.InvestigateToolName, map[string]any{"user": st.Users[0]}, &out)
			named := false
			for _, m := range out.MissingSources {
				named = named || strings.Contains(m.Source, c.source)
			}
			if !named {
				t.Errorf("%s down: missing sources %+v do not name %s", c.route, out.MissingSources, c.source)
			}
			for _, q := range out.Queries {
				if slices.Contains(c.failed, q.Name) != (q.Error != "") || (q.Error != "" && q.Rows != 0) {
					t.Errorf("%s down: query %s error %q rows %d", c.route, q.Name, q.Error, q.Rows)
				}
			}
			// The path still shows through the sources that answered.
			if p := findPath(out, kind, dest); p == nil {
				t.Errorf("%s down: %s path %s → %s lost: %+v", c.route, st.Kind, kind, dest, out.Paths)
			}
			if !strings.Contains(text, "Missing source: ") {
				t.Errorf("%s down: the text does not name the missing source", c.route)
			}
		}
	}
	emu.ClearFaults()
}
