package integration

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures"
)

// askCase is one question of the question set, with what a right answer
// holds; expected entities are computed from the demo tenant's data here,
// never written by hand.
type askCase struct {
	alias, question string
	// kind is the tenant-wide kind the planner must recognise ("" for an
	// entity question).
	kind string
	// lead is what the first line must be: "verdict" or "ranking".
	lead string
	// expected are strings (UPNs, device names, "incident N", alert
	// titles) the answer must name.
	expected []string
	// wantRules, when set, are the verdict rules acceptable for the subject.
	wantRules []string
	// checks are computed from the raw demo records by another route than
	// the planner's (ask_indep_test.go).
	checks []indep
	// win is the window the question names (0: the kind's default).
	win time.Duration
}

// demoData is a demo tenant's raw Graph collections and hunting tables.
type demoData struct {
	alias string
	t     *fixtures.Tenant
}

func loadDemo(t testing.TB, alias string) demoData {
	t.Helper()
	tn, err := fixtures.Load(alias, Clock)
	if err != nil {
		t.Fatal(err)
	}
	return demoData{alias, tn}
}

func str(m map[string]any, path ...string) string {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = mm[p]
	}
	s, _ := cur.(string)
	return s
}

func when(m map[string]any, key string) time.Time {
	t, _ := time.Parse(time.RFC3339, str(m, key))
	return t
}

func within(t time.Time, d time.Duration) bool { return !t.Before(Clock.Add(-d)) && !t.After(Clock) }

// ranked returns the first n keys of counts by count (desc), then key.
func ranked(counts map[string]int, n int) []string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return keys[i] < keys[j]
	})
	if len(keys) > n {
		keys = keys[:n]
	}
	return keys
}

// topRisky: users at risk (atRisk or confirmedCompromised, level not none),
// updated in the last 30 days, confirmed first, by level, then by their
// IdentityInfo CriticalityLevel, newest. (The demo's IdentityInfo risk
// levels mirror Entra's, so only criticality adds to the order.)
func (d demoData) topRisky(n int) []string {
	type ru struct {
		upn, level, state string
		crit              int
		at                time.Time
	}
	crit := map[string]int{}
	d.eachRow("IdentityInfo", func(row map[string]any) {
		if u, _ := row["AccountUpn"].(string); u != "" {
			c, _ := row["CriticalityLevel"].(int64)
			crit[strings.ToLower(u)] = int(c)
		}
	})
	var l []ru
	for _, u := range d.t.Graph["identityProtection/riskyUsers"] {
		st, lv := str(u, "riskState"), str(u, "riskLevel")
		if (st == "atRisk" || st == "confirmedCompromised") && lv != "none" && within(when(u, "riskLastUpdatedDateTime"), 30*24*time.Hour) {
			upn := strings.ToLower(str(u, "userPrincipalName"))
			l = append(l, ru{upn, lv, st, crit[upn], when(u, "riskLastUpdatedDateTime")})
		}
	}
	order := map[string]int{"high": 0, "medium": 1, "low": 2}
	sort.Slice(l, func(i, j int) bool {
		if (l[i].state == "confirmedCompromised") != (l[j].state == "confirmedCompromised") {
			return l[i].state == "confirmedCompromised"
		}
		if order[l[i].level] != order[l[j].level] {
			return order[l[i].level] < order[l[j].level]
		}
		if l[i].crit != l[j].crit {
			return l[i].crit > l[j].crit
		}
		return l[i].at.After(l[j].at)
	})
	var out []string
	for i := 0; i < len(l) && i < n; i++ {
		out = append(out, l[i].upn)
	}
	return out
}

// failingUsers: users with the most failed sign-ins in the window.
func (d demoData) failingUsers(win time.Duration, n int) []string {
	counts := map[string]int{}
	for _, s := range d.t.Graph["auditLogs/signIns"] {
		st, _ := s["status"].(map[string]any)
		code := fmt.Sprint(st["errorCode"])
		if code != "0" && code != "<nil>" && within(when(s, "createdDateTime"), win) {
			counts[strings.ToLower(str(s, "userPrincipalName"))]++
		}
	}
	return firstTies(counts, n)
}

// firstTies returns the entities whose count reaches the n-th highest
// count, capped at n (so a tie at the cut does not decide the figure).
func firstTies(counts map[string]int, n int) []string {
	top := ranked(counts, n)
	if len(top) < n {
		return top
	}
	cut := counts[top[len(top)-1]]
	var out []string
	for _, k := range top {
		if counts[k] > cut {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		out = top[:1]
	}
	return out
}

// eachRow calls f with every row of a hunting table, keyed by column.
func (d demoData) eachRow(table string, f func(row map[string]any)) {
	tb := d.t.Tables[table]
	if tb == nil {
		return
	}
	for _, r := range tb.Rows {
		row := map[string]any{}
		for i, c := range tb.Columns {
			row[c.Name] = r[i]
		}
		f(row)
	}
}

// tableTop counts rows of a hunting table in the window by a column.
func (d demoData) tableTop(table, by string, win time.Duration, keep func(row map[string]any) bool, n int) []string {
	counts := map[string]int{}
	d.eachRow(table, func(row map[string]any) {
		if !within(rowTime(row), win) || (keep != nil && !keep(row)) {
			return
		}
		if k, _ := row[by].(string); k != "" {
			counts[strings.ToLower(k)]++
		}
	})
	return firstTies(counts, n)
}

// alertUsers: the users named by alerts whose title holds every term.
func (d demoData) alertUsers(terms []string, win time.Duration) []string {
	set := map[string]bool{}
	for _, a := range d.t.Graph["security/alerts_v2"] {
		title := strings.ToLower(str(a, "title"))
		ok := within(when(a, "createdDateTime"), win)
		for _, t := range terms {
			ok = ok && strings.Contains(title, t)
		}
		if !ok {
			continue
		}
		ev, _ := a["evidence"].([]any)
		for _, e := range ev {
			if m, _ := e.(map[string]any); m != nil {
				if u := strings.ToLower(str(m, "userAccount", "userPrincipalName")); u != "" {
					set[u] = true
				}
			}
		}
	}
	out := make([]string, 0, len(set))
	for u := range set {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

// incidentsNaming: the newest incidents (at most 3) whose alerts in the
// last 30 days name the user (UPN) or device (short name).
func (d demoData) incidentsNaming(user, device string) []string {
	newest := map[string]time.Time{}
	for _, a := range d.t.Graph["security/alerts_v2"] {
		if !within(when(a, "createdDateTime"), 30*24*time.Hour) || str(a, "incidentId") == "" {
			continue
		}
		ev, _ := a["evidence"].([]any)
		hit := false
		for _, e := range ev {
			m, _ := e.(map[string]any)
			if user != "" && strings.EqualFold(str(m, "userAccount", "userPrincipalName"), user) {
				hit = true
			}
			if dn := strings.ToLower(str(m, "deviceDnsName")); device != "" && (dn == strings.ToLower(device) || strings.HasPrefix(dn, strings.ToLower(device)+".")) {
				hit = true
			}
		}
		if id := str(a, "incidentId"); hit && when(a, "firstActivityDateTime").After(newest[id]) {
			newest[id] = when(a, "firstActivityDateTime")
		}
	}
	ids := make([]string, 0, len(newest))
	for id := range newest {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return newest[ids[i]].After(newest[ids[j]]) })
	var out []string
	for i := 0; i < len(ids) && i < 3; i++ {
		out = append(out, "incident "+ids[i])
	}
	return out
}

// incidentsCreated: the top incidents created in [from, to) by severity then newest.
func (d demoData) incidentsCreated(from, to time.Time, n int) []string {
	type inc struct {
		id, sev string
		at      time.Time
	}
	var l []inc
	for _, in := range d.t.Graph["security/incidents"] {
		if c := when(in, "createdDateTime"); !c.Before(from) && c.Before(to) {
			l = append(l, inc{str(in, "id"), str(in, "severity"), c})
		}
	}
	order := map[string]int{"high": 0, "medium": 1, "low": 2, "informational": 3}
	sort.Slice(l, func(i, j int) bool {
		if order[l[i].sev] != order[l[j].sev] {
			return order[l[i].sev] < order[l[j].sev]
		}
		return l[i].at.After(l[j].at)
	})
	var out []string
	for i := 0; i < len(l) && i < n; i++ {
		out = append(out, "incident "+l[i].id)
	}
	return out
}

// quietUser is a user with no alert evidence and no risk at all: the
// right verdict is "no evidence of compromise".
func (d demoData) quietUser() string {
	noisy := map[string]bool{}
	for _, u := range d.t.Graph["identityProtection/riskyUsers"] {
		noisy[strings.ToLower(str(u, "userPrincipalName"))] = true
	}
	for _, a := range d.t.Graph["security/alerts_v2"] {
		ev, _ := a["evidence"].([]any)
		for _, e := range ev {
			m, _ := e.(map[string]any)
			noisy[strings.ToLower(str(m, "userAccount", "userPrincipalName"))] = true
			noisy[strings.ToLower(str(m, "mailboxPrimaryAddress"))] = true
		}
	}
	var quiet []string
	for _, u := range d.t.Graph["users"] {
		if upn := strings.ToLower(str(u, "userPrincipalName")); strings.Contains(upn, "@") && !strings.Contains(upn, "#ext#") && !noisy[upn] {
			quiet = append(quiet, upn)
		}
	}
	sort.Strings(quiet)
	if len(quiet) == 0 {
		return ""
	}
	return quiet[len(quiet)/2]
}

// noncompliant: the devices Intune holds noncompliant, most recently synced first.
func (d demoData) noncompliant(n int) []string {
	type dev struct {
		name string
		at   time.Time
	}
	var l []dev
	for _, m := range d.t.Graph["deviceManagement/managedDevices"] {
		if str(m, "complianceState") == "noncompliant" {
			l = append(l, dev{str(m, "deviceName"), when(m, "lastSyncDateTime")})
		}
	}
	sort.Slice(l, func(i, j int) bool {
		if !l[i].at.Equal(l[j].at) {
			return l[i].at.After(l[j].at)
		}
		return l[i].name < l[j].name
	})
	var out []string
	for i := 0; i < len(l) && i < n; i++ {
		out = append(out, l[i].name)
	}
	return out
}

// serviceAlerts: the titles of the highest-severity, newest alerts of the
// last 7 days from product svc or with a title word.
func (d demoData) serviceAlerts(svc string, words []string, n int) []string {
	type al struct {
		title, sev string
		at         time.Time
	}
	var l []al
	for _, a := range d.t.Graph["security/alerts_v2"] {
		if !within(when(a, "createdDateTime"), 7*24*time.Hour) {
			continue
		}
		hit := svc != "" && str(a, "serviceSource") == svc
		for _, w := range words {
			hit = hit || strings.Contains(strings.ToLower(str(a, "title")), w)
		}
		if hit {
			l = append(l, al{str(a, "title"), str(a, "severity"), when(a, "firstActivityDateTime")})
		}
	}
	order := map[string]int{"high": 0, "medium": 1, "low": 2, "informational": 3}
	sort.SliceStable(l, func(i, j int) bool {
		if order[l[i].sev] != order[l[j].sev] {
			return order[l[i].sev] < order[l[j].sev]
		}
		return l[i].at.After(l[j].at)
	})
	seen := map[string]bool{}
	var out []string
	for _, a := range l {
		if len(out) == n {
			break
		}
		if !seen[a.title] {
			seen[a.title] = true
			out = append(out, a.title)
		}
	}
	return out
}
