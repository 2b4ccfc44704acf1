package synth

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestWindowIndexAndBaselineWindows(t *testing.T) {
	to := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	w := window{to.Add(-7 * 24 * time.Hour), to}
	if n := baselineWindows(w); n != 3 {
		t.Errorf("7-day window: %d baseline windows, want 3 (30 days of Advanced Hunting data)", n)
	}
	if n := baselineWindows(window{to.Add(-24 * time.Hour), to}); n != maxBaseline {
		t.Errorf("1-day window: %d baseline windows, want %d", n, maxBaseline)
	}
	if n := baselineWindows(window{to.Add(-14 * 24 * time.Hour), to}); n >= minBaseline {
		t.Errorf("14-day window: %d baseline windows, want fewer than %d", n, minBaseline)
	}
	day := 24 * time.Hour
	for _, c := range []struct {
		at   time.Time
		want int
	}{
		{to, 0}, {w.from, 0}, {w.from.Add(-time.Second), 1}, {w.from.Add(-7 * day), 1}, {w.from.Add(-7*day - time.Second), 2},
		{w.from.Add(-21 * day), 3}, {w.from.Add(-21*day - time.Second), -1}, {to.Add(time.Second), -1}, {time.Time{}, -1},
	} {
		if got := windowIndex(c.at, w, 3); got != c.want {
			t.Errorf("windowIndex(%s) = %d, want %d", c.at, got, c.want)
		}
	}
	// The query's case() buckets exactly as windowIndex does.
	q := signInBaselineQuery([]string{"Microsoft Teams"}, w, 3)
	for _, want := range []string{`Application in ("Microsoft Teams")`, "Timestamp >= " + kqlTime(w.from) + ", 0", "Timestamp >= " + kqlTime(w.from.Add(-14*day)) + ", 2, 3)",
		"between (" + kqlTime(w.from.Add(-21*day))} {
		if !strings.Contains(q, want) {
			t.Errorf("query lacks %q:\n%s", want, q)
		}
	}
}

// TestBaselineComparison: a measure is above baseline only when it exceeds
// the previous windows' mean by more than one standard deviation and by at
// least 1; above-baseline measures come first, by how far above they are.
func TestBaselineComparison(t *testing.T) {
	to := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	w := window{to.Add(-7 * 24 * time.Hour), to}
	g := newBaselineGroup(serviceSpec{Name: "Teams", Apps: []string{"Microsoft Teams"}}, w, 3)
	g.add([]measure{{name: "steady", counts: []int{10, 9, 10, 11}}, {name: "spike", counts: []int{12, 2, 3, 1}},
		{name: "new", counts: []int{1, 0, 0, 0}}, {name: "noisy", counts: []int{20, 1, 30, 5}}}, RankSignal{Signal: "x", Source: baselineAlertSource, Read: true}, "")
	r := &run{ctx: context.Background(), store: NewStore(), set: NewSet(), call: testCall()}
	g.settle(r) // the alerts answered
	if len(r.rankings) != 0 {
		t.Fatal("ranked before the sign-ins ended")
	}
	g.settle(r) // the sign-ins failed: ranked from the alerts, sign-ins unread
	if len(r.rankings) != 1 {
		t.Fatalf("rankings %d", len(r.rankings))
	}
	f := r.rankings[0].f
	var order []string
	for _, e := range f.Entries {
		order = append(order, e["measure"].(string)+map[bool]string{true: "+", false: ""}[e["aboveBaseline"].(bool)])
	}
	if got := strings.Join(order, " "); got != "spike+ new+ noisy steady" {
		t.Errorf("order %q", got)
	}
	if u := unreadSignals(f.Signals); len(u) != 1 || u[0] != baselineSignInSource {
		t.Errorf("unread signals %v", u)
	}
	if f.Totals["measuresAboveBaseline"] != 2 || f.Entries[0]["percentOverMean"] != 500.0 || f.Entries[0]["difference"] != 10.0 {
		t.Errorf("totals %v, first %v", f.Totals, f.Entries[0])
	}
}

// TestRiskMerge: Entra's state outranks IdentityInfo's snapshot (a user
// Entra remediated is not at risk), the higher level of the two sources
// counts, and criticality breaks ties before recency.
func TestRiskMerge(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	g := &riskGroup{entra: map[string]RiskyUserFacet{
		"a@x": {User: "a@x", RiskLevel: "low", RiskState: "atRisk", LastUpdated: now},
		"b@x": {User: "b@x", RiskLevel: "low", RiskState: "atRisk", LastUpdated: now.Add(-time.Hour)},
		"c@x": {User: "c@x", RiskLevel: "medium", RiskState: "confirmedCompromised", LastUpdated: now.Add(-48 * time.Hour)},
	}, closedByEntra: map[string]string{"gone@x": "remediated"}, identity: map[string]identityRisk{
		"b@x": {Level: "low", Criticality: 4}, "d@x": {Level: "high"}, "gone@x": {Level: "high"}, "a@x": {Level: "medium"},
	}}
	var got []string
	for _, a := range g.merge() {
		got = append(got, a.user+":"+a.level)
	}
	if s := strings.Join(got, " "); s != "c@x:medium d@x:high a@x:medium b@x:low" {
		t.Errorf("merged ranking %q", s)
	}
}
