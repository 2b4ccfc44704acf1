package synth

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/tools"
)

func TestReadIntent(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		q, kind string
		top     int
		verdict bool
		window  time.Duration
		terms   string
	}{
		{"Find the top three users that are at risk and explain why they're at risk.", tenantRiskyUsers, 3, false, 0, ""},
		{"Find sign-in failures in the last 24 hours and give me a brief summary of key findings.", tenantSignInFailures, 0, false, 24 * time.Hour, ""},
		{"Identify devices that showed an outstanding number of outgoing network connections.", tenantOutgoing, 0, false, 0, ""},
		{"Investigate users with a password spray alert in the last seven days and tell me if any of them are compromised.", tenantAlertType, 0, true, 7 * 24 * time.Hour, "password spray"},
		{"What happened yesterday?", tenantActivity, 0, false, 24 * time.Hour, ""},
		{"Is there anything unusual with SharePoint?", tenantService, 0, false, 0, ""},
		{"Which devices are outliers?", tenantDeviceOutliers, 0, false, 0, ""},
		{"Any users with unusual sign-in activity in the past 2 weeks?", tenantUserOutliers, 0, false, 14 * 24 * time.Hour, ""},
		{"Which devices are noncompliant?", tenantNoncompliant, 0, false, 0, ""},
		{"Has nolan.prescott@contoso.com been compromised?", "", 0, true, 0, ""},
		{"how are things?", "", 0, false, 0, ""},
		{"Which users clicked the most URLs in the last 7 days?", tenantGenerated, 0, false, 7 * 24 * time.Hour, ""},
		{"Users with any alerts?", "", 0, false, 0, ""},
		{"Were any users who received an atypical travel alert in the last 30 days actually compromised?", tenantAlertType, 0, true, 30 * 24 * time.Hour, "atypical travel"},
		{"Which hosts are behaving abnormally compared with the rest of the fleet?", tenantDeviceOutliers, 0, false, 0, ""},
		{"Which users have the most UEBA behavior anomalies in the last 7 days?", tenantGenerated, 0, false, 7 * 24 * time.Hour, ""},
		{"Which computers made the most DNS queries to our DNS servers?", tenantGenerated, 0, false, 0, ""},
	} {
		it := readIntent(tc.q, now)
		if it.tenant != tc.kind || it.top != tc.top || it.verdict != tc.verdict || strings.Join(it.terms, " ") != tc.terms {
			t.Errorf("%q → kind %q top %d verdict %v terms %v", tc.q, it.tenant, it.top, it.verdict, it.terms)
		}
		if got := it.win.to.Sub(it.win.from); got != tc.window {
			t.Errorf("%q → window %s, want %s", tc.q, got, tc.window)
		}
	}
	if it := readIntent("What happened yesterday?", now); !it.win.from.Equal(time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("yesterday starts %s", it.win.from)
	}
}

// verdictSet builds an evidence set for one user from a risk state and
// alerts (severity/status/classification), with the alert search read.
func verdictSet(level, state string, alerts ...[3]string) *Set {
	s := NewSet()
	upn := "jo@contoso.com"
	since, until := time.Date(2026, 10, 21, 12, 0, 0, 0, time.UTC), time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	s.Add("secmcp://search/1", KindSearch, "a", "alerts naming "+upn, toolListAlerts, "search",
		RankingFacet{Purpose: "alerts naming " + upn, Since: since, Until: until, Candidates: len(alerts), Totals: map[string]any{"alerts": len(alerts), "windowDays": 30}})
	if level != "" {
		s.Add("secmcp://users/jo", KindUser, upn, "user "+upn, toolSignInRisk, "signInRisk",
			RiskFacet{Since: since, Until: until, UserRiskLevel: level, UserRiskState: state})
	}
	for i, a := range alerts {
		uri := "secmcp://alerts/" + string(rune('a'+i))
		s.Add(uri, KindAlert, uri, "alert: x", toolListAlerts, "alert", AlertFacet{ID: uri, Title: "x", Severity: a[0], Status: a[1], Classification: a[2]})
		s.Add(uri, KindAlert, "", "", toolListAlerts, "names:"+upn, NamedFacet{Entity: upn})
	}
	if err := s.Finalize(); err != nil {
		panic(err)
	}
	return s
}

func TestVerdictRules(t *testing.T) {
	for _, tc := range []struct {
		name, level, state string
		alerts             [][3]string
		traces             []Trace
		rule               string
	}{
		{"confirmed", "high", "confirmedCompromised", nil, nil, "C1"},
		{"high risk and open high alert", "high", "atRisk", [][3]string{{"high", "new", "unknown"}}, nil, "L1"},
		{"high risk alone", "high", "atRisk", nil, nil, "L2"},
		{"medium risk and open high alert", "medium", "atRisk", [][3]string{{"high", "inProgress", ""}}, nil, "L2"},
		{"low risk", "low", "atRisk", nil, nil, "U1"},
		{"open low alert only", "none", "remediated", [][3]string{{"low", "new", ""}}, nil, "U1"},
		{"false positives do not count", "none", "dismissed", [][3]string{{"high", "resolved", "falsePositive"}, {"high", "new", "informationalExpectedActivity"}}, nil, "N1"},
		{"nothing, risk unread", "", "", nil, []Trace{{Source: "Entra sign-in risk of jo@contoso.com", Tool: toolSignInRisk, Status: "failed"}}, "U2"},
		{"nothing", "none", "remediated", nil, nil, "N1"},
	} {
		v := judge(verdictSet(tc.level, tc.state, tc.alerts...), tc.traces, "user", "jo@contoso.com", false)
		if v.Rule != tc.rule {
			t.Errorf("%s: rule %s (%s), want %s", tc.name, v.Rule, v.Verdict, tc.rule)
		}
		if tc.rule == "N1" && v.headline() != "No evidence of compromise in the last 30 days" {
			t.Errorf("%s: headline %q", tc.name, v.headline())
		}
		if tc.rule == "U2" && len(v.Unread) != 1 {
			t.Errorf("%s: unread %v", tc.name, v.Unread)
		}
	}
}

// leadWriter is a model writer that answers without a verdict.
type leadWriter struct{}

func (leadWriter) Name() string { return WriterSampling }
func (leadWriter) Write(context.Context, tools.Call, Request, *Set) (string, error) {
	return "The user has sign-in risk to look at.\n", nil
}

// A model writer's answer starts with the same verdict as the builtin
// writer's, so both paths answer the question first and agree.
func TestModelWriterAnswerStartsWithVerdict(t *testing.T) {
	f := &fakeSources{t: t}
	q := "Has samuel.abbott@contoso.com been compromised?"
	builtin := investigate(t, f, BuiltinWriter{}, testCall(), q, 5*time.Second)
	model := investigate(t, f, leadWriter{}, testCall(), q, 5*time.Second)
	bl, ml := strings.SplitN(builtin.Answer, "\n", 2)[0], strings.SplitN(model.Answer, "\n", 2)[0]
	if !strings.HasPrefix(bl, "**") || !strings.Contains(bl, "for samuel.abbott@contoso.com — confidence") || bl != ml {
		t.Errorf("first lines differ or carry no verdict:\nbuiltin %q\nmodel   %q", bl, ml)
	}
	if len(builtin.Verdicts) != 1 || builtin.Verdicts[0].Rule != model.Verdicts[0].Rule {
		t.Errorf("verdicts %+v vs %+v", builtin.Verdicts, model.Verdicts)
	}
}

func TestDeviceVerdictRules(t *testing.T) {
	for _, tc := range []struct {
		sev, status, class, rule string
	}{
		{"high", "new", "", "D1"},
		{"medium", "inProgress", "", "D2"},
		{"low", "new", "", "U1"},
		{"high", "resolved", "falsePositive", "N1"},
	} {
		s := NewSet()
		s.Add("secmcp://search/d", KindSearch, "a", "alerts naming ct-lt-1", toolListAlerts, "search",
			RankingFacet{Purpose: "alerts naming ct-lt-1", Candidates: 1, Totals: map[string]any{"alerts": 1, "windowDays": 30}})
		s.Add("secmcp://alerts/d", KindAlert, "k", "alert: x", toolListAlerts, "alert", AlertFacet{ID: "d", Title: "x", Severity: tc.sev, Status: tc.status, Classification: tc.class})
		s.Add("secmcp://alerts/d", KindAlert, "", "", toolListAlerts, "names:ct-lt-1", NamedFacet{Entity: "ct-lt-1"})
		if err := s.Finalize(); err != nil {
			t.Fatal(err)
		}
		if v := judge(s, nil, "device", "CT-LT-1.contoso.com", false); v.Rule != tc.rule {
			t.Errorf("%s %s %s: rule %s, want %s", tc.sev, tc.status, tc.class, v.Rule, tc.rule)
		}
	}
}

// A verdict whose Defender evidence was read with the caller's own rights
// (on-behalf-of) carries the limited-view caveat in its first line, and
// "nothing found" is undetermined (U3), not N1; positive verdicts stand;
// app-only reads get no caveat.
func TestVerdictOnBehalfOf(t *testing.T) {
	for _, tc := range []struct {
		name, level, state string
		alerts             [][3]string
		delegated          bool
		rule               string
	}{
		{"nothing, app-only", "none", "remediated", nil, false, "N1"},
		{"nothing, delegated", "none", "remediated", nil, true, "U3"},
		{"high risk and open high alert, delegated", "high", "atRisk", [][3]string{{"high", "new", "unknown"}}, true, "L1"},
	} {
		v := judge(verdictSet(tc.level, tc.state, tc.alerts...), nil, "user", "jo@contoso.com", tc.delegated)
		if v.Rule != tc.rule {
			t.Errorf("%s: rule %s (%s), want %s", tc.name, v.Rule, v.Verdict, tc.rule)
		}
		head := verdictLines(v, NewSet())[0]
		if has := strings.Contains(head, "limited to the device groups and data sources"); has != tc.delegated || (v.LimitedView != "") != tc.delegated {
			t.Errorf("%s: caveat in first line %v, limitedView %q; want %v:\n%s", tc.name, has, v.LimitedView, tc.delegated, head)
		}
	}
}

// A model writer is told when a verdict's Defender view is limited, so it
// does not present an absence of alerts as evidence.
func TestPromptCarriesLimitedView(t *testing.T) {
	v := judge(verdictSet("none", "remediated"), nil, "user", "jo@contoso.com", true)
	q := Request{Question: "Has jo@contoso.com been compromised?", lead: &leadInfo{verdicts: []Verdict{v}}}
	if p := BuildPrompt(q, NewSet()); !strings.Contains(p.User, `"limitedView":"Defender XDR was read with your own account's rights`) {
		t.Errorf("prompt lacks the verdict's limited view:\n%s", p.User)
	}
}
