package synth

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A service's baseline is the previous equal windows before the one asked
// about, as many as fit in the 30 days Advanced Hunting keeps
// (https://learn.microsoft.com/defender-xdr/advanced-hunting-overview,
// "data retention"), at most maxBaseline; fewer than minBaseline is no
// baseline at all.
const (
	huntingRetention = 30 * 24 * time.Hour
	maxBaseline      = 7
	minBaseline      = 2
)

// baselineWindows is how many equal windows before w form its baseline.
func baselineWindows(w window) int {
	n := int(huntingRetention/w.to.Sub(w.from)) - 1
	return min(n, maxBaseline)
}

// windowIndex is the window t falls in: 0 for w itself, k for the k-th
// equal window before it, -1 outside w and its n predecessors.
func windowIndex(t time.Time, w window, n int) int {
	switch {
	case t.IsZero() || t.After(w.to):
		return -1
	case !t.Before(w.from):
		return 0
	}
	k := int((w.from.Sub(t)-1)/w.to.Sub(w.from)) + 1
	if k > n {
		return -1
	}
	return k
}

// measure is one count of a service per window (index 0 = the window asked).
type measure struct {
	name, source string
	counts       []int
}

// baselineGroup compares a service's window with its baseline once its
// sources (alerts, and sign-ins to its applications) have answered.
type baselineGroup struct {
	mu        sync.Mutex
	pending   int
	s         serviceSpec
	w         window
	n         int
	measures  []measure
	truncated []string
	signals   []RankSignal
}

// Sources of a service's baseline, as its signals name them.
const (
	baselineAlertSource  = "Defender alerts (" + toolListAlerts + ")"
	baselineSignInSource = "Advanced Hunting EntraIdSignInEvents (" + toolHunting + ")"
)

// newBaselineGroup waits for the alerts and, when the service has
// applications, the sign-ins; each source counts as unread until it answers.
func newBaselineGroup(s serviceSpec, w window, n int) *baselineGroup {
	g := &baselineGroup{pending: 1, s: s, w: w, n: n, signals: []RankSignal{{Source: baselineAlertSource}}}
	if len(s.Apps) > 0 {
		g.pending++
		g.signals = append(g.signals, RankSignal{Source: baselineSignInSource})
	}
	return g
}

func (g *baselineGroup) from() time.Time {
	return g.w.from.Add(-time.Duration(g.n) * g.w.to.Sub(g.w.from))
}

// add records measures of one source (under the lock).
func (g *baselineGroup) add(ms []measure, sig RankSignal, truncated string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.measures = append(g.measures, ms...)
	replaced := false
	for i := range g.signals {
		if g.signals[i].Source == sig.Source {
			g.signals[i], replaced = sig, true
		}
	}
	if !replaced {
		g.signals = append(g.signals, sig)
	}
	if truncated != "" {
		g.truncated = append(g.truncated, truncated)
	}
}

// alertMeasures counts the service's alerts per window: all of them and
// each severity seen.
func (g *baselineGroup) alertMeasures(as []alertItem) []measure {
	all := measure{name: "alerts", source: toolListAlerts, counts: make([]int, g.n+1)}
	bySev := map[string]*measure{}
	for _, a := range as {
		k := windowIndex(alertTime(a), g.w, g.n)
		if k < 0 {
			continue
		}
		all.counts[k]++
		sev := strings.ToLower(a.Severity)
		if bySev[sev] == nil {
			name := sev + "-severity alerts"
			if sev == "informational" {
				name = "informational alerts"
			}
			bySev[sev] = &measure{name: name, source: toolListAlerts, counts: make([]int, g.n+1)}
		}
		bySev[sev].counts[k]++
	}
	out := []measure{all}
	for _, sev := range []string{"high", "medium", "low", "informational"} {
		if m := bySev[sev]; m != nil {
			out = append(out, *m)
		}
	}
	return out
}

// signInBaselineQuery counts sign-ins to the service's applications per
// window in EntraIdSignInEvents: all, failed (ErrorCode other than 0) and
// those of users at medium or high aggregated risk (RiskLevelAggregated
// 50 or 100; https://learn.microsoft.com/defender-xdr/advanced-hunting-entraidsigninevents-table).
func signInBaselineQuery(apps []string, w window, n int) string {
	quoted := make([]string, len(apps))
	for i, a := range apps {
		quoted[i] = strconv.Quote(a)
	}
	span := w.to.Sub(w.from)
	var cases []string
	for k := 0; k < n; k++ {
		cases = append(cases, fmt.Sprintf("Timestamp >= %s, %d", kqlTime(w.from.Add(-time.Duration(k)*span)), k))
	}
	return "EntraIdSignInEvents\n| where Timestamp between (" + kqlTime(w.from.Add(-time.Duration(n)*span)) + " .. " + kqlTime(w.to) + ")\n" +
		"| where Application in (" + strings.Join(quoted, ", ") + ")\n" +
		"| extend Window = case(" + strings.Join(cases, ", ") + ", " + strconv.Itoa(n) + ")\n" +
		"| summarize SignIns = count(), FailedSignIns = countif(ErrorCode != 0), RiskyUserSignIns = countif(RiskLevelAggregated >= 50), Users = dcount(AccountUpn) by Window\n" +
		"| order by Window asc"
}

// signInBaselineJob reads the sign-in measures of the service's applications.
func (g *baselineGroup) signInBaselineJob() job {
	q := signInBaselineQuery(g.s.Apps, g.w, g.n)
	return job{key: "0-tenant-service-signin-baseline", source: "Advanced Hunting sign-ins to " + g.s.Name + " (tenant baseline)", tool: toolHunting,
		args: map[string]any{"query": q, "top": 100}, settle: g.settle,
		then: func(r *run, raw json.RawMessage) error {
			var d huntingDoc
			if err := json.Unmarshal(raw, &d); err != nil {
				return fmt.Errorf("decode %s: %w", toolHunting, err)
			}
			names := []struct{ col, name string }{{"SignIns", "sign-ins"}, {"FailedSignIns", "failed sign-ins"},
				{"RiskyUserSignIns", "sign-ins by users at medium or high risk"}, {"Users", "users signing in"}}
			ms := make([]measure, len(names))
			for i, nm := range names {
				ms[i] = measure{name: nm.name, source: toolHunting, counts: make([]int, g.n+1)}
			}
			for _, row := range d.maps() {
				k := int(num(row["Window"]))
				if k < 0 || k > g.n {
					continue
				}
				for i, nm := range names {
					ms[i].counts[k] = int(num(row[nm.col]))
				}
			}
			g.add(ms, RankSignal{Signal: "sign-ins, failed sign-ins (ErrorCode not 0), sign-ins by users at medium or high risk (RiskLevelAggregated 50 or more), distinct users, to " +
				strings.Join(g.s.Apps, ", "), Source: baselineSignInSource,
				Doc: "https://learn.microsoft.com/defender-xdr/advanced-hunting-entraidsigninevents-table", Read: true}, "")
			return nil
		}}
}

// baselineRankedBy says how the measures are compared and ordered.
const baselineRankedBy = "how far this window's count is above the mean of the previous windows, in standard deviations of those windows " +
	"(at least 1); a measure is above baseline when it exceeds the mean by more than one standard deviation and by at least 1"

// settle compares the window with its baseline once every source ended.
func (g *baselineGroup) settle(r *run) {
	g.mu.Lock()
	g.pending--
	if g.pending != 0 || len(g.measures) == 0 {
		g.mu.Unlock()
		return
	}
	type scored struct {
		m               measure
		mean, sd, score float64
		above           bool
		previous        []int
		current         int
	}
	var ss []scored
	for _, m := range g.measures {
		prev := m.counts[1:]
		mean, sd := meanSD(prev)
		cur := m.counts[0]
		s := scored{m: m, mean: mean, sd: sd, current: cur, previous: prev, score: (float64(cur) - mean) / math.Max(sd, 1)}
		s.above = float64(cur) > mean+sd && float64(cur)-mean >= 1
		ss = append(ss, s)
	}
	sort.SliceStable(ss, func(i, j int) bool {
		if ss[i].above != ss[j].above {
			return ss[i].above
		}
		return ss[i].score > ss[j].score
	})
	f := RankingFacet{Purpose: g.s.Name + " against its own baseline", Tool: toolListAlerts, Since: g.w.from, Until: g.w.to, Candidates: len(ss),
		RankedBy: baselineRankedBy, Signals: g.signals, Truncated: strings.Join(g.truncated, "; "),
		Totals: map[string]any{"baselineWindows": g.n, "baselineFrom": rfc(g.from()), "measuresAboveBaseline": 0}}
	above := 0
	for i, s := range ss {
		e := map[string]any{"rank": i + 1, "measure": s.m.name, "thisWindow": s.current, "baselineMean": round1(s.mean),
			"previousWindows": s.previous, "difference": round1(float64(s.current) - s.mean), "aboveBaseline": s.above}
		if s.mean > 0 {
			e["percentOverMean"] = math.Round((float64(s.current) - s.mean) / s.mean * 100)
		}
		if s.above {
			above++
		}
		f.Entries = append(f.Entries, e)
	}
	f.Totals["measuresAboveBaseline"] = above
	g.mu.Unlock()
	if err := r.addRanking("0-service-baseline", f); err != nil {
		r.note("The baseline comparison could not be stored: " + err.Error())
	}
}

func meanSD(xs []int) (float64, float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	var sum float64
	for _, x := range xs {
		sum += float64(x)
	}
	mean := sum / float64(len(xs))
	var v float64
	for _, x := range xs {
		v += (float64(x) - mean) * (float64(x) - mean)
	}
	return mean, math.Sqrt(v / float64(len(xs)))
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// baselineLines writes the comparison: which measures are above baseline
// and by how much, then every measure.
func baselineLines(rr rankRef, it *Item) []string {
	f := rr.f
	head := fmt.Sprintf("**%s from %s to %s** — %v of %d measures above baseline, each compared with the previous %v windows of the same length (from %v), ranked by %s %s:",
		capitalize(f.Purpose), rfc(f.Since), rfc(f.Until), f.Totals["measuresAboveBaseline"], f.Candidates, f.Totals["baselineWindows"], f.Totals["baselineFrom"], f.RankedBy, cites(it))
	out := []string{head}
	if len(f.Signals) > 0 {
		out = append(out, signalsLine(f.Signals, it))
	}
	for _, e := range f.Entries {
		how := "not above baseline"
		if a, _ := e["aboveBaseline"].(bool); a {
			how = fmt.Sprintf("above baseline by %v", e["difference"])
			if p, ok := e["percentOverMean"]; ok {
				how += fmt.Sprintf(" (%v %% over the mean)", p)
			} else {
				how += " (none in the baseline windows)"
			}
		}
		prev := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(e["previousWindows"])), ", "), "[]")
		out = append(out, fmt.Sprintf("%v. **%v** — %v in this window, baseline mean %v (previous windows, newest first: %s), %s %s.",
			e["rank"], e["measure"], e["thisWindow"], e["baselineMean"], prev, how, cites(it)))
	}
	if f.Truncated != "" {
		out = append(out, fmt.Sprintf("Note: %s %s.", q(f.Truncated), cites(it)))
	}
	return out
}
