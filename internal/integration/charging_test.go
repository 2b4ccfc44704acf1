package integration

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"math"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/tools/defender"
	"github.com/secmcp/secmcp/tools/purview"
)

// meter gives the tenant a budget that cannot run out or refill in a test's
// time, so the units a call spends are the drop in what is available.
func meter(t *testing.T, x *harness, alias string) func() float64 {
	t.Helper()
	tn, ok := x.env.Registry.Lookup(alias)
	if !ok {
		t.Fatalf("no tenant %s", alias)
	}
	saved := tn.Budget
	t.Cleanup(func() { tn.Budget = saved })
	const full = 1 << 20
	tn.Budget = ratelimit.New(ratelimit.Config{UnitsPerMinute: 1e-9, Burst: full})
	b := tn.Budget
	return func() float64 {
		spent := full - b.Available()
		tn.Budget = ratelimit.New(ratelimit.Config{UnitsPerMinute: 1e-9, Burst: full})
		b = tn.Budget
		return math.Round(spent)
	}
}

// TestSuggestedHuntsPayTheDirectPrice runs up to 50 suggested hunting
// queries with run=true and then the same queries one by one through
// defender_run_hunting_query: running them on the caller's behalf must cost
// what running them directly costs, plus the suggestion itself.
func TestSuggestedHuntsPayTheDirectPrice(t *testing.T) {
	x := h(t)
	const alias = "contoso"
	var incident string
	for _, st := range fixtures.Stories(alias) {
		if len(st.AlertIDs) >= 2 {
			incident = st.IncidentID
			break
		}
	}
	if incident == "" {
		t.Fatal("no multi-stage demo incident")
	}
	spent := meter(t, x, alias)
	var res defender.SuggestHuntingResult
	x.mustCall(t, alias, defender.SuggestHuntingToolName, map[string]any{"incidentId": incident, "run": true, "max": 50}, &res)
	viaSuggest := spent()
	ran := 0
	for _, q := range res.Queries {
		if q.Rows != nil || q.RunError != "" {
			ran++
		}
	}
	for _, q := range res.Queries {
		if _, _, err := x.call(t, alias, "defender_run_hunting_query", map[string]any{"query": q.Query, "top": 1}); err != nil {
			t.Fatalf("direct run of %s: %v", q.TemplateID, err)
		}
	}
	direct := spent()
	suggest, _ := x.inv.Tools.Lookup(defender.SuggestHuntingToolName)
	t.Logf("%d queries run: %.0f units through %s run=true, %.0f units through defender_run_hunting_query (+%d for the suggestion)",
		ran, viaSuggest, defender.SuggestHuntingToolName, direct, suggest.Cost)
	if ran != len(res.Queries) || ran < 10 {
		t.Fatalf("ran %d of %d queries; want all and at least 10", ran, len(res.Queries))
	}
	if viaSuggest < direct+float64(suggest.Cost) {
		t.Errorf("running %d queries through the suggestion cost %.0f units, less than the %.0f they cost directly plus its own %d",
			ran, viaSuggest, direct, suggest.Cost)
	}
}

// TestResourceReadsPayTheirToolsPrice reads an incident as a resource and
// through defender_get_incident: both cost the same.
func TestResourceReadsPayTheirToolsPrice(t *testing.T) {
	x := h(t)
	const alias = "contoso"
	id := fixtures.Stories(alias)[0].IncidentID
	spent := meter(t, x, alias)
	if _, err := x.read(t, alias, "secmcp://"+alias+"/incidents/"+id); err != nil {
		t.Fatal(err)
	}
	viaResource := spent()
	x.mustCall(t, alias, "defender_get_incident", map[string]any{"id": id}, nil)
	direct := spent()
	t.Logf("incident %s: resources/read cost %.0f units, defender_get_incident %.0f", id, viaResource, direct)
	if viaResource != direct || direct < 1 {
		t.Errorf("resources/read cost %.0f units, the tool %.0f; they must be equal and at least 1", viaResource, direct)
	}
	// A spent budget refuses the read with a retry time of at least 1s.
	tn, _ := x.env.Registry.Lookup(alias)
	tn.Budget = ratelimit.New(ratelimit.Config{UnitsPerMinute: 60, Burst: 1})
	tn.Budget.Take(1)
	_, err := x.read(t, alias, "secmcp://"+alias+"/incidents/"+id)
	if err == nil || !strings.Contains(err.Error(), "retry after 1s") {
		t.Errorf("read on a spent budget: %v; want a refusal saying retry after 1s", err)
	}
}

// TestPurviewQueriesPayTheDirectPrice: the DLP investigation's queries each
// pay what they cost through the query tools.
func TestPurviewQueriesPayTheDirectPrice(t *testing.T) {
	x := h(t)
	for _, alias := range []string{"contoso", "fabrikam"} {
		for _, st := range fixtures.Stories(alias) {
			if len(st.DLPAlertIDs) == 0 {
				continue
			}
			spent := meter(t, x, alias)
			var out purview.Investigation
			x.mustCall(t, alias, purview.InvestigateToolName, map[string]any{"user": st.Users[0]}, &out)
			got := spent()
			want := price(t, x, purview.InvestigateToolName)
			for _, q := range out.Queries {
				tool := "defender_run_hunting_query"
				if strings.Contains(q.Source, "Sentinel") {
					tool = "sentinel_run_query"
				}
				want += price(t, x, tool)
			}
			t.Logf("%s: %d queries, %.0f units (the tool plus each query's direct price: %.0f)", st.Users[0], len(out.Queries), got, want)
			if got != want || len(out.Queries) < 3 {
				t.Errorf("%s: spent %.0f units for %d queries, want %.0f", st.Users[0], got, len(out.Queries), want)
			}
			return
		}
	}
	t.Fatal("no DLP story")
}

func price(t *testing.T, x *harness, tool string) float64 {
	t.Helper()
	c, ok := x.inv.Tools.Price(tool)
	if !ok {
		t.Fatalf("no tool %s", tool)
	}
	return float64(c)
}

// TestInvestigateFanOutPaysEachTool: every tool the synthesizer calls for an
// investigation is charged its price, so investigate costs its own price
// plus the sum of the calls it made (counted from the audit log).
func TestInvestigateFanOutPaysEachTool(t *testing.T) {
	x := sh(t)
	const alias = "contoso"
	var audit bytes.Buffer
	x.inv.Audit = slog.New(slog.NewJSONHandler(&audit, nil))
	defer func() { x.inv.Audit = nil }()
	spent := meter(t, x, alias)
	id := fixtures.Stories(alias)[0].IncidentID
	investigateIncident(t, x, alias, id, nil)
	got := spent()
	want, calls := 0.0, map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(audit.String()), "\n") {
		var rec struct {
			Tool, Outcome string
			Units         float64
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		calls[rec.Tool]++
		want += rec.Units
		if p := price(t, x, rec.Tool); rec.Units < p {
			t.Errorf("%s spent %.0f units, less than its price %.0f", rec.Tool, rec.Units, p)
		}
	}
	t.Logf("investigate %s: %d tool calls %v, %.0f units spent, the audit lines' units sum to %.0f", id, len(calls), calls, got, want)
	if calls["investigate"] != 1 || len(calls) < 3 || got != want {
		t.Errorf("investigate spent %.0f units; the calls it made (%v) were charged %.0f", got, calls, want)
	}
}

// TestReportPaysForItsSummary: a drafted report costs its own price plus
// the price of the incident summary it is built on.
func TestReportPaysForItsSummary(t *testing.T) {
	x := h(t)
	const alias = "contoso"
	id := fixtures.Stories(alias)[0].IncidentID
	spent := meter(t, x, alias)
	x.mustCall(t, alias, "reports_draft_incident_report", map[string]any{"incidentId": id, "audience": "technical"}, nil)
	got := spent()
	want := price(t, x, "reports_draft_incident_report") + price(t, x, defender.SummarizeToolName)
	t.Logf("report on incident %s: %.0f units (its own price plus the summary's: %.0f)", id, got, want)
	if got != want {
		t.Errorf("report spent %.0f units, want %.0f", got, want)
	}
}
