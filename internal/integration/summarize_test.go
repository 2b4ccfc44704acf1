package integration

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/attack"
	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/tools"
	"github.com/secmcp/secmcp/tools/defender"
)

// readFetcher reads resources as a caller allowed only tenant (and the
// ATT&CK knowledge base), for the citation checker.
func (x *harness) readFetcher(t testing.TB, tenant string) cite.Fetcher {
	return cite.Chain(attack.Fetcher(), func(_ context.Context, uri string) (string, error) {
		return x.read(t, tenant, uri)
	})
}

// incidentEvidence reads the incident resource and returns the lower-case
// users and devices its alerts' evidence names.
func (x *harness) incidentEvidence(t *testing.T, tenant, uri string) (users, devices map[string]bool) {
	t.Helper()
	text, err := x.read(t, tenant, uri)
	if err != nil {
		t.Fatalf("read %s: %v", uri, err)
	}
	var in source.Incident
	if err := json.Unmarshal([]byte(text), &in); err != nil {
		t.Fatalf("decode %s: %v", uri, err)
	}
	users, devices = map[string]bool{}, map[string]bool{}
	for _, a := range in.Alerts {
		for _, e := range a.Evidence {
			if e.UserPrincipalName != "" {
				users[strings.ToLower(e.UserPrincipalName)] = true
			}
			if e.Kind == "deviceEvidence" && e.DeviceName != "" {
				devices[strings.ToLower(e.DeviceName)] = true
			}
		}
	}
	return users, devices
}

// TestSummarizeStories: for every multi-stage incident of both demo tenants
// the summary names every user and device in the evidence, orders the
// timeline, maps the story's techniques, links sign-ins, risk, compliance
// and DLP, and every factual line cites a resource (read as the caller)
// that contains its facts.
func TestSummarizeStories(t *testing.T) {
	x := h(t)
	for _, alias := range fixtures.Aliases() {
		for _, st := range fixtures.Stories(alias) {
			t.Run(alias+"/"+st.IncidentID, func(t *testing.T) {
				var s defender.IncidentSummary
				text := x.mustCall(t, alias, defender.SummarizeToolName, map[string]any{"id": st.IncidentID}, &s)
				if os.Getenv("SUMMARY_DUMP") != "" {
					t.Logf("\n%s", text)
				}
				checkSummaryStory(t, x, alias, st, s, text)
				for _, d := range []string{defender.DetailBrief, defender.DetailFull} {
					var sd defender.IncidentSummary
					td := x.mustCall(t, alias, defender.SummarizeToolName, map[string]any{"id": st.IncidentID, "detail": d}, &sd)
					rep, err := cite.CheckMarkdown(context.Background(), td, x.readFetcher(t, alias))
					if err != nil || !rep.OK() || sd.Size.EstimatedTokens > defender.SummaryTokenBudget {
						t.Errorf("%s: ~%d tokens; citations %v %s", d, sd.Size.EstimatedTokens, err, rep)
					}
					t.Logf("%s/%s %s: ~%d tokens, %d factual lines supported", alias, st.IncidentID, d, sd.Size.EstimatedTokens, rep.Supported)
				}
			})
		}
	}
}

func checkSummaryStory(t *testing.T, x *harness, alias string, st fixtures.Story, s defender.IncidentSummary, text string) {
	t.Helper()
	users, devices := x.incidentEvidence(t, alias, s.Incident.URI)
	named := map[string]bool{}
	for _, u := range s.Entities.Users {
		named[strings.ToLower(u.Name)] = true
	}
	for _, d := range s.Entities.Devices {
		named[strings.ToLower(d.Name)] = true
	}
	for u := range users {
		if !named[u] || !strings.Contains(strings.ToLower(text), u) {
			t.Errorf("user %s in the evidence is not named by the summary", u)
		}
	}
	for d := range devices {
		if !named[d] || !strings.Contains(strings.ToLower(text), d) {
			t.Errorf("device %s in the evidence is not named by the summary", d)
		}
	}
	for i := 1; i < len(s.Timeline); i++ {
		if s.Timeline[i].Time.Before(s.Timeline[i-1].Time) {
			t.Errorf("timeline out of order at %d: %s after %s", i, s.Timeline[i].Time, s.Timeline[i-1].Time)
		}
	}
	mapped := map[string]bool{}
	lastOrder := -1
	for _, step := range s.KillChain {
		if step.Order < lastOrder {
			t.Errorf("kill chain not in phase order: %s after order %d", step.Tactic, lastOrder)
		}
		lastOrder = step.Order
		for _, mt := range step.Techniques {
			mapped[mt.ID] = true
		}
	}
	for _, tech := range st.Techniques {
		if !mapped[tech] {
			t.Errorf("technique %s of the story is not mapped (mapped: %v)", tech, mapped)
		}
	}
	checkLinked(t, st, s)
	if len(s.MissingSources) != 0 {
		t.Errorf("missing sources without faults: %+v", s.MissingSources)
	}
	if s.Citations.Dropped != 0 || len(s.Citations.Unsupported) != 0 {
		t.Errorf("tool's own citation check: %+v", s.Citations)
	}
	rep, err := cite.CheckMarkdown(context.Background(), text, x.readFetcher(t, alias))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Factual < 10 {
		t.Errorf("citations read as the caller: %s", rep)
	}
	t.Logf("%s/%s: %d factual lines, %d supported, %d resources read; ~%d tokens; %d timeline events; %d techniques",
		alias, st.IncidentID, rep.Factual, rep.Supported, len(rep.Fetched), s.Size.EstimatedTokens, len(s.Timeline), len(mapped))
	if s.Size.EstimatedTokens > defender.SummaryTokenBudget {
		t.Errorf("summary is ~%d tokens, over the %d budget", s.Size.EstimatedTokens, defender.SummaryTokenBudget)
	}
}

// checkLinked checks the cross-product links the story plants.
func checkLinked(t *testing.T, st fixtures.Story, s defender.IncidentSummary) {
	t.Helper()
	if st.NoncompliantDevice != "" {
		var found bool
		for _, d := range s.Entities.Devices {
			if d.Intune == nil || !strings.EqualFold(d.Intune.Name, st.NoncompliantDevice) {
				continue
			}
			found = true
			if d.Intune.ComplianceState != "noncompliant" {
				t.Errorf("%s: compliance %q, want noncompliant", d.Name, d.Intune.ComplianceState)
			}
			for _, want := range st.FailingSettings {
				if !containsFold(d.Intune.FailingSettings, want) {
					t.Errorf("%s: failing settings %v lack %s", d.Name, d.Intune.FailingSettings, want)
				}
			}
		}
		if !found {
			t.Errorf("noncompliant device %s not linked to Intune", st.NoncompliantDevice)
		}
	}
	dlp := map[string]bool{}
	for _, a := range s.Linked.DLPAlerts {
		dlp[a.ID] = true
	}
	for _, id := range st.DLPAlertIDs {
		if !dlp[id] {
			t.Errorf("DLP alert %s of the story not linked (got %v)", id, dlp)
		}
	}
	if len(st.RiskEventTypes) > 0 {
		if len(s.Linked.RiskySignIns) == 0 {
			t.Errorf("identity story without linked risky sign-ins")
		}
		for _, d := range s.Linked.RiskDetections {
			if !containsFold(st.RiskEventTypes, d.EventType) {
				t.Errorf("risk detection %s (%s) is not one of the story's %v", d.ID, d.EventType, st.RiskEventTypes)
			}
		}
	}
}

func containsFold(list []string, v string) bool {
	for _, s := range list {
		if strings.EqualFold(s, v) {
			return true
		}
	}
	return false
}

// TestSummarizeMissingSources: with Entra sign-ins or Intune failing, the
// summary names the missing source and still answers from the rest.
func TestSummarizeMissingSources(t *testing.T) {
	x := newHarness(t)
	defer x.env.Close()
	emu := x.emulator(t)
	cases := []struct {
		route string
		story int
	}{{"auditLogs/signIns", 1}, {"deviceManagement", 0}}
	for _, c := range cases {
		st := fixtures.Stories("contoso")[c.story]
		emu.ClearFaults()
		emu.InjectFault(fixtures.Fault{Route: c.route, Tenant: "contoso", Status: 503})
		var s defender.IncidentSummary
		text := x.mustCall(t, "contoso", defender.SummarizeToolName, map[string]any{"id": st.IncidentID}, &s)
		var named bool
		for _, m := range s.MissingSources {
			named = named || strings.HasPrefix(m.Route, c.route)
		}
		if !named || !strings.Contains(text, "could not be read") {
			t.Errorf("%s down: missing sources %+v; text lacks the note", c.route, s.MissingSources)
		}
		if len(s.KillChain) == 0 || len(s.Entities.Users) == 0 || len(s.Timeline) == 0 {
			t.Errorf("%s down: the rest of the summary is missing", c.route)
		}
		if c.route == "deviceManagement" {
			for _, d := range s.Entities.Devices {
				if d.Intune != nil {
					t.Errorf("Intune down but device %s has compliance %+v", d.Name, d.Intune)
				}
			}
		}
		rep, err := cite.CheckMarkdown(context.Background(), text, x.readFetcher(t, "contoso"))
		if err != nil || !rep.OK() {
			t.Errorf("%s down: citations: %v %s", c.route, err, rep)
		}
	}
	emu.ClearFaults()
}

// TestSummarizeBadInput: unknown and foreign IDs are not-found errors that
// reveal nothing; a bad cursor is refused.
func TestSummarizeBadInput(t *testing.T) {
	x := h(t)
	foreign := fixtures.Stories("fabrikam")[0].IncidentID
	for _, id := range []string{"999999", foreign, "../1000", "1000' or 1 eq 1"} {
		_, _, err := x.call(t, "contoso", defender.SummarizeToolName, map[string]any{"id": id})
		var te *tools.ToolError
		if !errors.As(err, &te) || strings.Contains(te.Msg, "fabrikam") {
			t.Errorf("id %q: want a tool error that does not name fabrikam, got %v", id, err)
		}
	}
	if _, _, err := x.call(t, "contoso", defender.SummarizeToolName, map[string]any{"id": "1000", "cursor": "bogus"}); err == nil {
		t.Error("a bogus cursor was accepted")
	}
}
