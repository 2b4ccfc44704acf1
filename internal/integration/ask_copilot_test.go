package integration

import (
	"regexp"
	"strings"
	"time"

	"github.com/secmcp/secmcp/fixtures"
)

// copilotCases are questions worded the way Microsoft's published Security
// Copilot and Sentinel MCP sample prompts are worded (our own wording, not
// theirs): requests rather than questions, "my organization", "call out",
// "flagged by", "over the past day". Expected entities come from the demo
// data, as for the rest of the set.
func copilotCases(d demoData) []askCase {
	day := 24 * time.Hour
	cs := []askCase{
		{question: "Show me the riskiest users in my organization and summarize why each one is flagged.", kind: "risky-users", lead: "ranking", expected: d.topRisky(3)},
		{question: "Summarize failed sign-in attempts over the past day and call out the key patterns.", kind: "sign-in-failures", lead: "ranking",
			expected: d.failingUsers(day, 3), win: day},
		{question: "Who are the top 5 users with the most failed sign-ins in the past week?", kind: "sign-in-failures", lead: "ranking", expected: d.failingUsers(7*day, 5)},
		{question: "List the endpoints with an unusually high volume of outbound network connections.", kind: "outgoing-connections", lead: "ranking",
			expected: shorts(d.tableTop("DeviceNetworkEvents", "DeviceName", 7*day, func(row map[string]any) bool {
				a, _ := row["ActionType"].(string)
				return a != "InboundConnectionAccepted" && a != "ListeningConnectionCreated"
			}, 3))},
		{question: "Which accounts were flagged by a password spray alert over the past 7 days, and were any of them compromised?", kind: "alert-type", lead: "verdict",
			expected: d.alertUsers([]string{"password", "spray"}, 7*day)},
		{question: "Were any users who received an atypical travel alert in the last 30 days actually compromised?", kind: "alert-type", lead: "verdict",
			expected: d.alertUsers([]string{"atypical", "travel"}, 30*day), win: 30 * day},
		{question: "Give me a summary of the security incidents from the last 24 hours.", kind: "activity", lead: "ranking",
			expected: d.incidentsCreated(Clock.Add(-day), Clock.Add(time.Second), 3), win: day},
		{question: "Summarize what happened in my tenant over the past 3 days.", kind: "activity", lead: "ranking",
			expected: d.incidentsCreated(Clock.Add(-3*day), Clock.Add(time.Second), 3), win: 3 * day},
		{question: "Is there any abnormal activity in Microsoft Teams?", kind: "service", lead: "ranking", expected: d.serviceAlerts("", []string{"teams"}, 2)},
		{question: "Is anything out of the ordinary happening with Exchange?", kind: "service", lead: "ranking",
			expected: d.serviceAlerts("microsoftDefenderForOffice365", []string{"exchange", "email", "inbox"}, 2)},
		{question: "Which devices are not compliant with our device policies?", kind: "noncompliant-devices", lead: "ranking", expected: d.noncompliant(3)},
		{question: "Which users have the most UEBA behavior anomalies in the last 7 days?", kind: "generated-query", lead: "ranking",
			expected: d.tableTop("BehaviorAnalytics", "UserPrincipalName", 7*day, nil, 3)},
		{question: "Which computers made the most DNS queries to our DNS servers in the last 7 days?", kind: "generated-query", lead: "ranking",
			expected: d.tableTop("DnsEvents", "Computer", 7*day, nil, 3)},
		{question: "Which hosts are behaving abnormally compared with the rest of the fleet?", kind: "device-outliers", lead: "ranking",
			expected: shorts(d.tableTop("DeviceProcessEvents", "DeviceName", 7*day, nil, 3))},
	}
	if st := fixtures.Stories(d.alias); len(st) > 0 {
		if len(st[0].Users) > 0 {
			u := strings.ToLower(st[0].Users[0])
			cs = append(cs, askCase{question: "Check whether the account " + u + " shows signs of compromise and explain the evidence.", lead: "verdict",
				expected: append([]string{u}, d.incidentsNaming(u, "")...)})
		}
		if len(st[0].Devices) > 0 {
			dev := st[0].Devices[0]
			cs = append(cs, askCase{question: "Tell me whether device " + dev + " is compromised and why.", lead: "verdict", expected: d.incidentsNaming("", dev)})
		}
	}
	return cs
}

var (
	upnRe    = regexp.MustCompile(`[a-z0-9._\-]+@[a-z0-9.\-]+\.[a-z]+`)
	deviceRe = regexp.MustCompile(`\b[A-Z]{2,}-[A-Z0-9\-]*\d[A-Z0-9\-]*\b`)
)

// independent are the checks of a case computed by another route than the
// planner's (see ask_indep_test.go).
func (d demoData) independent(c askCase) []indep {
	win := c.win
	if win == 0 {
		win = 7 * 24 * time.Hour
	}
	switch c.kind {
	case "risky-users":
		return []indep{rankOneIn(d.riskiest(), "Entra ID Protection's risk states and levels")}
	case "sign-in-failures":
		return []indep{rankOneIn(d.failuresFromSigninLogs(win), "failed sign-ins in SigninLogs")}
	case "outgoing-connections":
		return []indep{rankOneIn(d.outgoingByRemoteIP(win), "DeviceNetworkEvents rows with a remote IP")}
	case "alert-type":
		if m := alertTermsRe.FindStringSubmatch(strings.ToLower(c.question)); m != nil {
			return []indep{allNamed(d.alertUsersFromHunting(strings.Fields(m[1]), win), "users in AlertEvidence of the matching AlertInfo alerts")}
		}
	case "activity":
		from, to := Clock.Add(-win), Clock.Add(time.Second)
		if strings.Contains(strings.ToLower(c.question), "yesterday") {
			to = time.Date(Clock.Year(), Clock.Month(), Clock.Day(), 0, 0, 0, 0, time.UTC)
			from = to.Add(-24 * time.Hour)
		}
		return []indep{firstIncidentIn(d.topIncidentsFromLA(from, to))}
	case "noncompliant-devices":
		return []indep{rankOneIn(d.noncompliantFromLA(), "IntuneDevices rows in state Noncompliant")}
	case "service":
		svc, words := "", []string{"sharepoint", "onedrive"}
		switch l := strings.ToLower(c.question); {
		case strings.Contains(l, "exchange"):
			svc, words = "microsoftDefenderForOffice365", []string{"exchange", "email", "inbox"}
		case strings.Contains(l, "teams"):
			words = []string{"teams"}
		}
		return []indep{d.serviceAlertCount(svc, words, win)}
	case "":
		if c.lead != "verdict" || strings.Contains(c.question, "incident") {
			return nil
		}
		if u := upnRe.FindString(strings.ToLower(c.question)); u != "" {
			return []indep{verdictIs(d.userClass(u))}
		}
		if dev := deviceRe.FindString(c.question); dev != "" {
			return []indep{verdictIs(d.deviceClass(dev))}
		}
	}
	return nil
}

// alertTermsRe finds the alert type a question names ("a password spray alert").
var alertTermsRe = regexp.MustCompile(`(?:an?|the)\s+([a-z][a-z ]+?)\s+alert`)
