package integration

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/synth"
)

// Independent checks: what a right answer must hold, computed from the
// demo's raw records by another route than the planner's (other tables —
// SigninLogs instead of Graph sign-ins, AlertInfo/AlertEvidence instead of
// alerts_v2, IntuneDevices instead of managedDevices — and a few plain
// rules written here), so a planner and a test sharing one wrong
// definition cannot agree by construction.

// indep is one independent check of an answer; it returns "" when the
// answer passes, otherwise what is wrong.
type indep func(res synth.Result) string

// topLineRe finds the first ranked entry of the answer's lead.
var topLineRe = regexp.MustCompile(`(?m)^1\. \*\*([^*]+)\*\*`)

// rankOneIn checks that the first ranked entity is one of want (any of a
// tie at the top); device names compare by their short name.
func rankOneIn(want map[string]bool, what string) indep {
	return func(res synth.Result) string {
		m := topLineRe.FindStringSubmatch(res.Answer)
		if m == nil {
			return "no ranked entry in the answer"
		}
		got := strings.ToLower(m[1])
		if want[got] || want[short(got)] {
			return ""
		}
		return fmt.Sprintf("rank 1 is %s; by a direct count of %s the top is %v", got, what, keys(want))
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// topSet is the keys with the highest count.
func topSet(counts map[string]int) map[string]bool {
	best := 0
	for _, n := range counts {
		best = max(best, n)
	}
	out := map[string]bool{}
	for k, n := range counts {
		if n == best && n > 0 {
			out[k] = true
		}
	}
	return out
}

// rowTime is a row's time (Timestamp in Advanced Hunting tables,
// TimeGenerated in Log Analytics ones).
func rowTime(row map[string]any) time.Time {
	for _, c := range []string{"Timestamp", "TimeGenerated"} {
		if t, ok := row[c].(time.Time); ok {
			return t
		}
	}
	return time.Time{}
}

// failuresFromSigninLogs: users by failed sign-ins (ResultType not "0") in
// Log Analytics' SigninLogs — the planner reads Graph's sign-in list.
func (d demoData) failuresFromSigninLogs(win time.Duration) map[string]bool {
	counts := map[string]int{}
	d.eachRow("SigninLogs", func(row map[string]any) {
		if rc, _ := row["ResultType"].(string); rc != "" && rc != "0" && within(rowTime(row), win) {
			if u, _ := row["UserPrincipalName"].(string); u != "" {
				counts[strings.ToLower(u)]++
			}
		}
	})
	return topSet(counts)
}

// outgoingByRemoteIP: devices by connection rows that name a remote IP.
func (d demoData) outgoingByRemoteIP(win time.Duration) map[string]bool {
	counts := map[string]int{}
	d.eachRow("DeviceNetworkEvents", func(row map[string]any) {
		ip, _ := row["RemoteIP"].(string)
		a, _ := row["ActionType"].(string)
		if ip != "" && !strings.HasPrefix(a, "Inbound") && !strings.HasPrefix(a, "Listening") && within(rowTime(row), win) {
			if n, _ := row["DeviceName"].(string); n != "" {
				counts[short(strings.ToLower(n))]++
			}
		}
	})
	return topSet(counts)
}

// riskiest: the users Entra ID Protection confirmed compromised, or when
// none, those at risk with the highest level.
func (d demoData) riskiest() map[string]bool {
	order := map[string]int{"low": 1, "medium": 2, "high": 3}
	best, out := 0, map[string]bool{}
	for _, u := range d.t.Graph["identityProtection/riskyUsers"] {
		upn, st := strings.ToLower(str(u, "userPrincipalName")), str(u, "riskState")
		score := order[str(u, "riskLevel")]
		if st == "confirmedCompromised" {
			score = 10
		} else if st != "atRisk" {
			continue
		}
		if score > best {
			best, out = score, map[string]bool{}
		}
		if score == best {
			out[upn] = true
		}
	}
	return out
}

// alertUsersFromHunting: users in AlertEvidence of the AlertInfo alerts
// whose title holds every term — the planner reads Graph's alerts_v2.
func (d demoData) alertUsersFromHunting(terms []string, win time.Duration) []string {
	ids := map[string]bool{}
	d.eachRow("AlertInfo", func(row map[string]any) {
		title, _ := row["Title"].(string)
		ok := within(rowTime(row), win)
		for _, t := range terms {
			ok = ok && strings.Contains(strings.ToLower(title), t)
		}
		if id, _ := row["AlertId"].(string); ok {
			ids[id] = true
		}
	})
	set := map[string]bool{}
	d.eachRow("AlertEvidence", func(row map[string]any) {
		id, _ := row["AlertId"].(string)
		u, _ := row["AccountUpn"].(string)
		if ids[id] && u != "" {
			set[strings.ToLower(u)] = true
		}
	})
	return keys(set)
}

// allNamed checks that the answer names every entity of want.
func allNamed(want []string, what string) indep {
	return func(res synth.Result) string {
		var miss []string
		for _, w := range want {
			if !strings.Contains(strings.ToLower(res.Answer), w) {
				miss = append(miss, w)
			}
		}
		if len(want) == 0 {
			return "the independent route found no " + what
		}
		if len(miss) > 0 {
			return fmt.Sprintf("%s not named: %v", what, miss)
		}
		return ""
	}
}

// noncompliantFromLA: devices Log Analytics' IntuneDevices holds Noncompliant.
func (d demoData) noncompliantFromLA() map[string]bool {
	out := map[string]bool{}
	d.eachRow("IntuneDevices", func(row map[string]any) {
		if s, _ := row["CompliantState"].(string); s == "Noncompliant" {
			if n, _ := row["DeviceName"].(string); n != "" {
				out[strings.ToLower(n)] = true
			}
		}
	})
	return out
}

// Verdict classes of the independent rule.
const (
	classYes  = "yes"  // compromised or likely compromised
	classNone = "none" // no evidence of compromise
	classSome = "some" // signals short of a verdict: anything but "no evidence"
)

// userClass is a tiny rule over the raw records: confirmed compromised or
// high risk at risk → yes; no alert naming the user in 30 days and no
// open risk → none; otherwise some.
func (d demoData) userClass(upn string) string {
	named := false
	d.recentEvidence(func(_, m map[string]any) bool {
		named = strings.EqualFold(str(m, "userAccount", "userPrincipalName"), upn) || strings.EqualFold(str(m, "mailboxPrimaryAddress"), upn)
		return !named
	})
	atRisk := false
	for _, u := range d.t.Graph["identityProtection/riskyUsers"] {
		if !strings.EqualFold(str(u, "userPrincipalName"), upn) {
			continue
		}
		switch st, lv := str(u, "riskState"), str(u, "riskLevel"); {
		case st == "confirmedCompromised" || st == "atRisk" && lv == "high":
			return classYes
		case st == "atRisk":
			atRisk = true
		}
	}
	if !named && !atRisk {
		return classNone
	}
	return classSome
}

// deviceClass: an open high-severity alert naming the device in 30 days →
// yes; no alert naming it → none; otherwise some.
func (d demoData) deviceClass(device string) string {
	class := classNone
	d.recentEvidence(func(a, m map[string]any) bool {
		if dn := strings.ToLower(str(m, "deviceDnsName")); dn == "" || short(dn) != strings.ToLower(short(device)) {
			return true
		}
		if str(a, "severity") == "high" && str(a, "status") != "resolved" {
			class = classYes
			return false
		}
		class = classSome
		return true
	})
	return class
}

// recentEvidence calls visit with each evidence record of the alerts
// created in the last 30 days and not classified falsePositive, until
// visit returns false.
func (d demoData) recentEvidence(visit func(alert, ev map[string]any) bool) {
	for _, a := range d.t.Graph["security/alerts_v2"] {
		if !within(when(a, "createdDateTime"), 30*24*time.Hour) || str(a, "classification") == "falsePositive" {
			continue
		}
		ev, _ := a["evidence"].([]any)
		for _, e := range ev {
			m, _ := e.(map[string]any)
			if !visit(a, m) {
				return
			}
		}
	}
}

// verdictIs checks the first verdict's class against the independent rule.
func verdictIs(class string) indep {
	return func(res synth.Result) string {
		if len(res.Verdicts) == 0 {
			return "no verdict"
		}
		v := res.Verdicts[0].Verdict
		ok := false
		switch class {
		case classYes:
			ok = v == synth.VerdictCompromised || v == synth.VerdictLikely
		case classNone:
			ok = v == synth.VerdictNoEvidence
		case classSome:
			ok = v != synth.VerdictNoEvidence
		}
		if !ok {
			return fmt.Sprintf("verdict %q (rule %s), the raw records say %q", v, res.Verdicts[0].Rule, class)
		}
		return ""
	}
}

// serviceAlertCount checks the baseline's alert count of the window
// against a direct count of the service's alerts created in it.
func (d demoData) serviceAlertCount(svc string, words []string, win time.Duration) indep {
	n := 0
	for _, a := range d.t.Graph["security/alerts_v2"] {
		if !within(when(a, "createdDateTime"), win) {
			continue
		}
		hit := svc != "" && str(a, "serviceSource") == svc
		for _, w := range words {
			hit = hit || strings.Contains(strings.ToLower(str(a, "title")), w)
		}
		if hit {
			n++
		}
	}
	want := fmt.Sprintf("**alerts** — %d in this window", n)
	return func(res synth.Result) string {
		if !strings.Contains(res.Answer, want) {
			return fmt.Sprintf("the baseline does not say %q", want)
		}
		return ""
	}
}

// topIncidentsFromLA: the incidents Log Analytics' SecurityIncident holds
// as created in [from, to) with the highest severity — the planner reads
// Graph's incident list.
func (d demoData) topIncidentsFromLA(from, to time.Time) map[string]bool {
	order := map[string]int{"High": 4, "Medium": 3, "Low": 2, "Informational": 1}
	sev := map[string]int{}
	d.eachRow("SecurityIncident", func(row map[string]any) {
		c, _ := row["CreatedTime"].(time.Time)
		if id := fmt.Sprint(row["ProviderIncidentId"]); !c.Before(from) && c.Before(to) && id != "" {
			s, _ := row["Severity"].(string)
			sev[id] = order[s]
		}
	})
	return topSet(sev)
}

var incidentLineRe = regexp.MustCompile(`(?m)^1\. incident (\d+) `)

// firstIncidentIn checks that the first ranked incident is one of want.
func firstIncidentIn(want map[string]bool) indep {
	return func(res synth.Result) string {
		m := incidentLineRe.FindStringSubmatch(res.Answer)
		switch {
		case len(want) == 0 && m == nil:
			return ""
		case m == nil:
			return fmt.Sprintf("no ranked incident; SecurityIncident's highest-severity incidents of the window are %v", keys(want))
		case !want[m[1]]:
			return fmt.Sprintf("rank 1 is incident %s; SecurityIncident's highest-severity incidents of the window are %v", m[1], keys(want))
		}
		return ""
	}
}
