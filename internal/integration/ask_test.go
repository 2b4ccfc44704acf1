package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/synth"
	"github.com/secmcp/secmcp/tools/investigate"
)

// askCases builds the question set of one demo tenant: tenant-wide
// questions of every kind the planner knows, and entity questions about
// each planted story's victim and devices and about a quiet user.
func askCases(t testing.TB, alias string) []askCase {
	d := loadDemo(t, alias)
	day := 24 * time.Hour
	midnight := time.Date(Clock.Year(), Clock.Month(), Clock.Day(), 0, 0, 0, 0, time.UTC)
	outgoing := func(row map[string]any) bool {
		a, _ := row["ActionType"].(string)
		return a != "InboundConnectionAccepted" && a != "ListeningConnectionCreated"
	}
	failed := func(row map[string]any) bool { c, _ := row["ErrorCode"].(int64); return c != 0 }
	cs := []askCase{
		{question: "Find the top three users that are at risk and explain why they're at risk.", kind: "risky-users", lead: "ranking", expected: d.topRisky(3)},
		{question: "Which users are at risk right now? Show me the top 5.", kind: "risky-users", lead: "ranking", expected: d.topRisky(5)},
		{question: "Find sign-in failures in the last 24 hours and give me a brief summary of key findings.", kind: "sign-in-failures", lead: "ranking", win: day, expected: d.failingUsers(day, 3)},
		{question: "Which accounts had failed sign-ins in the past 7 days?", kind: "sign-in-failures", lead: "ranking", expected: d.failingUsers(7*day, 3)},
		{question: "Identify devices that showed an outstanding number of outgoing network connections.", kind: "outgoing-connections", lead: "ranking",
			expected: shorts(d.tableTop("DeviceNetworkEvents", "DeviceName", 7*day, outgoing, 3))},
		{question: "Investigate users with a password spray alert in the last seven days and tell me if any of them are compromised.", kind: "alert-type", lead: "verdict",
			expected: d.alertUsers([]string{"password", "spray"}, 7*day)},
		{question: "Which users had an atypical travel alert in the last 30 days, and are any of them compromised?", kind: "alert-type", lead: "verdict", win: 30 * day,
			expected: d.alertUsers([]string{"atypical", "travel"}, 30*day)},
		{question: "Who was hit by a Mimikatz alert in the last 30 days?", kind: "alert-type", lead: "ranking", win: 30 * day, expected: d.alertUsers([]string{"mimikatz"}, 30*day)},
		{question: "Users with a DCSync alert in the last 30 days: has any of them been compromised?", kind: "alert-type", lead: "verdict", win: 30 * day,
			expected: d.alertUsers([]string{"dcsync"}, 30*day)},
		{question: "What happened yesterday?", kind: "activity", lead: "ranking", expected: d.incidentsCreated(midnight.Add(-day), midnight, 3)},
		{question: "Summarize the incidents raised in the last 3 days.", kind: "activity", lead: "ranking", win: 3 * day, expected: d.incidentsCreated(Clock.Add(-3*day), Clock.Add(time.Second), 3)},
		{question: "Is there anything unusual going on with SharePoint?", kind: "service", lead: "ranking",
			expected: d.serviceAlerts("", []string{"sharepoint", "onedrive"}, 2)},
		{question: "Anything unusual with Exchange Online in the last 7 days?", kind: "service", lead: "ranking",
			expected: d.serviceAlerts("microsoftDefenderForOffice365", []string{"exchange", "email", "inbox"}, 2)},
		{question: "Which devices are outliers in process activity?", kind: "device-outliers", lead: "ranking",
			expected: shorts(d.tableTop("DeviceProcessEvents", "DeviceName", 7*day, nil, 3))},
		{question: "Are there any users with unusual sign-in activity in the last 7 days?", kind: "user-outliers", lead: "ranking",
			expected: d.tableTop("EntraIdSignInEvents", "AccountUpn", 7*day, failed, 3)},
		{question: "Which users clicked the most URLs in the last 7 days?", kind: "generated-query", lead: "ranking",
			expected: d.tableTop("UrlClickEvents", "AccountUpn", 7*day, nil, 3)},
		{question: "Which devices ran the most PowerShell processes in the last 7 days?", kind: "generated-query", lead: "ranking",
			expected: shorts(d.tableTop("DeviceProcessEvents", "DeviceName", 7*day, func(row map[string]any) bool {
				f, _ := row["FileName"].(string)
				return strings.EqualFold(f, "powershell.exe")
			}, 3))},
		{question: "Which devices are noncompliant right now?", kind: "noncompliant-devices", lead: "ranking", expected: d.noncompliant(3)},
	}
	for _, st := range fixtures.Stories(alias) {
		if len(st.Users) > 0 {
			u := strings.ToLower(st.Users[0])
			cs = append(cs, askCase{question: "Has " + u + " been compromised?", lead: "verdict", expected: append([]string{u}, d.incidentsNaming(u, "")...),
				wantRules: []string{"C1", "L1", "L2", "U1"}})
		}
		if len(st.Devices) > 0 {
			dev := st.Devices[0]
			cs = append(cs, askCase{question: "What's going on with " + dev + "?", lead: "verdict", expected: d.incidentsNaming("", dev)})
		}
	}
	if st := fixtures.Stories(alias); len(st) > 1 && len(st[1].Users) > 0 {
		cs = append(cs, askCase{question: "Was anyone in incident " + st[1].IncidentID + " compromised?", lead: "verdict",
			expected: []string{strings.ToLower(st[1].Users[0])}})
	}
	if u := d.quietUser(); u != "" {
		cs = append(cs, askCase{question: "Is " + u + " compromised?", lead: "verdict", expected: []string{u}, wantRules: []string{"N1"}})
	}
	cs = append(cs, copilotCases(d)...)
	cs = append(cs, workspaceCases(d)...)
	for i := range cs {
		cs[i].alias = alias
		cs[i].checks = append(cs[i].checks, d.independent(cs[i])...)
	}
	return cs
}

func shorts(l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = short(s)
	}
	return out
}

var (
	verdictLead = regexp.MustCompile(`(?i)^(?:- )?\*\*(?:compromised: yes \(confirmed\)|likely compromised: yes|undetermined|no evidence of compromise[^*]*)\*\* for \S+ — confidence (?:high|medium|low), rule [A-Z]\d`)
	rankingLead = regexp.MustCompile(`(?i)^(?:\*\*[^*]+\*\* — .*(?:ranked by|outlier threshold)|No .+ \[E\d+\]\.$)`)
)

// firstLine is the answer's first non-empty line.
func firstLine(answer string) string {
	for _, l := range strings.Split(answer, "\n") {
		if strings.TrimSpace(l) != "" {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// answersFirst reports whether the first line is the answer asked for.
func answersFirst(c askCase, res synth.Result) bool {
	l := firstLine(res.Answer)
	if c.lead == "verdict" {
		return verdictLead.MatchString(l) || (c.kind != "" && strings.HasPrefix(l, "No user or device was found to assess"))
	}
	return rankingLead.MatchString(l)
}

// askFigures are the question set's measurements.
type askFigures struct {
	questions, answered, firstLine, expected, found, unsupported, citations, opened int
	// checks and checksOK count the independent checks.
	checks, checksOK int
}

func runAsk(t *testing.T, x *harness, c askCase, fig *askFigures) {
	fig.questions++
	var res synth.Result
	raw, _, err := x.call(t, c.alias, "investigate", map[string]any{"question": c.question})
	if err != nil {
		t.Errorf("%s: %q refused: %v", c.alias, c.question, err)
		return
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatalf("decode: %v", err)
	}
	fig.answered++
	if res.Scope.TenantWide != c.kind {
		t.Errorf("%q: planned as %q, want %q", c.question, res.Scope.TenantWide, c.kind)
	}
	if answersFirst(c, res) {
		fig.firstLine++
	} else {
		t.Errorf("%q: the first line does not answer (%s): %q", c.question, c.lead, firstLine(res.Answer))
	}
	answer := strings.ToLower(res.Answer)
	for _, e := range c.expected {
		fig.expected++
		if strings.Contains(answer, strings.ToLower(e)) {
			fig.found++
		} else {
			t.Logf("%s: %q: expected entity %s is not in the answer", c.alias, c.question, e)
		}
	}
	if len(c.wantRules) > 0 {
		if len(res.Verdicts) == 0 || !contains(c.wantRules, res.Verdicts[0].Rule) {
			t.Errorf("%q: verdicts %+v, want rule in %v", c.question, res.Verdicts, c.wantRules)
		}
	}
	for _, check := range c.checks {
		fig.checks++
		if why := check(res); why != "" {
			t.Errorf("%s: %q: independent check: %s", c.alias, c.question, why)
		} else {
			fig.checksOK++
		}
	}
	fig.unsupported += res.Unsupported
	if res.Unsupported > 0 {
		t.Errorf("%q: %d unsupported sentences: %+v", c.question, res.Unsupported, res.Verification.Removed)
	}
	for id, uri := range res.Citations {
		fig.citations++
		if _, err := x.read(t, c.alias, uri); err != nil {
			t.Errorf("%q: citation %s → %s does not open: %v", c.question, id, uri, err)
		} else {
			fig.opened++
		}
	}
}

func contains(l []string, s string) bool {
	for _, v := range l {
		if v == s {
			return true
		}
	}
	return false
}

// TestAskDirectAnswers always runs a few questions of the set: the reported
// case (nolan.prescott's incident, his Defender alerts and a verdict), a
// tenant-wide ranking, an alert-type question with verdicts, and a quiet
// user's "no evidence" verdict. It fails when a verdict or a first line
// that answers is missing.
func TestAskDirectAnswers(t *testing.T) {
	x := sh(t)
	var fig askFigures
	cs := askCases(t, "contoso")
	pick := map[string]bool{"Find the top three users that are at risk and explain why they're at risk.": true,
		"Investigate users with a password spray alert in the last seven days and tell me if any of them are compromised.": true,
		"What happened yesterday?": true}
	for _, c := range cs {
		if pick[c.question] || len(c.wantRules) == 1 {
			runAsk(t, x, c, &fig)
		}
	}
	var res synth.Result
	x.mustCall(t, "contoso", "investigate", map[string]any{"question": "Has nolan.prescott@contoso.com been compromised?"}, &res)
	if !strings.HasPrefix(firstLine(res.Answer), "**Likely compromised: yes** for nolan.prescott@contoso.com") &&
		!strings.HasPrefix(firstLine(res.Answer), "**Compromised: yes (confirmed)** for nolan.prescott@contoso.com") {
		t.Errorf("nolan: first line %q", firstLine(res.Answer))
	}
	alerts := 0
	for _, e := range res.Evidence {
		if e.Kind == synth.KindAlert && strings.Contains(e.URI, "/alerts/") && strings.HasPrefix(e.Description, "alert: ") {
			alerts++
		}
	}
	if !strings.Contains(res.Answer, "Incident 1001") || alerts < 5 || res.Unsupported != 0 {
		t.Errorf("nolan: incident 1001 in answer %v, %d Defender alerts in evidence (want ≥5), %d unsupported\n%s",
			strings.Contains(res.Answer, "Incident 1001"), alerts, res.Unsupported, res.Answer)
	}
	t.Logf("direct answers: %d questions, %d answered, %d first line answers, recall %d/%d, %d unsupported, %d/%d citations open",
		fig.questions, fig.answered, fig.firstLine, fig.found, fig.expected, fig.unsupported, fig.opened, fig.citations)
}

// TestAskQuestionSet runs the whole question set over both demo tenants
// (ASK_EVAL=1; about two minutes) and prints the figures.
func TestAskQuestionSet(t *testing.T) {
	if os.Getenv("ASK_EVAL") == "" {
		t.Skip("set ASK_EVAL=1 to run the ≥40-question set (about two minutes)")
	}
	x := sh(t)
	var fig askFigures
	start := time.Now()
	for _, alias := range []string{"contoso", "fabrikam"} {
		for _, c := range askCases(t, alias) {
			runAsk(t, x, c, &fig)
		}
	}
	if fig.questions < 40 {
		t.Errorf("only %d questions", fig.questions)
	}
	recall := float64(fig.found) / float64(max(fig.expected, 1))
	fmt.Printf("question set: %d questions; answered %d (%.0f%%); first line answers %d (%.0f%%); recall of expected entities %d/%d (%.1f%%); independent checks %d/%d; unsupported sentences %d; citations opening %d/%d; %s\n",
		fig.questions, fig.answered, pct(fig.answered, fig.questions), fig.firstLine, pct(fig.firstLine, fig.questions),
		fig.found, fig.expected, 100*recall, fig.checksOK, fig.checks, fig.unsupported, fig.opened, fig.citations, time.Since(start).Round(time.Second))
	if recall < 0.8 {
		t.Errorf("recall of expected entities %.2f is below 0.8", recall)
	}
}

func pct(a, b int) float64 { return 100 * float64(a) / float64(max(b, 1)) }

// TestAskVerdictWithUnreadSource: when the alerts naming the user cannot be
// read, the answer still begins with a verdict, says that sources could not
// be read, and lists the alert source under the sources that did not answer.
func TestAskVerdictWithUnreadSource(t *testing.T) {
	x := newSynthHarness(t, investigate.ModeBuiltin)
	t.Cleanup(x.env.Close)
	em := x.emulator(t)
	em.InjectFault(fixtures.Fault{Tenant: "contoso", Route: "security/alerts_v2", Status: 503})
	defer em.ClearFaults()
	var res synth.Result
	x.mustCall(t, "contoso", "investigate", map[string]any{"question": "Has nolan.prescott@contoso.com been compromised?", "timeoutSeconds": 20}, &res)
	first := firstLine(res.Answer)
	if !verdictLead.MatchString(first) || !strings.Contains(first, "could not be read") {
		t.Errorf("first line %q", first)
	}
	if len(res.Verdicts) != 1 || len(res.Verdicts[0].Unread) == 0 {
		t.Errorf("verdicts %+v", res.Verdicts)
	}
	if !strings.Contains(res.Answer, "### Sources that did not answer") || !strings.Contains(res.Answer, "defender_list_alerts") || res.Unsupported != 0 {
		t.Errorf("unsupported %d, answer:\n%s", res.Unsupported, res.Answer)
	}
}
