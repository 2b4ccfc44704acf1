package nl2kql

import (
	"context"
	"strings"
	"testing"
)

// intentQuestions are our own questions for the cues and the intents of
// intent_more.go, with the main table and fragments the query must hold.
var intentQuestions = []struct {
	q     string
	table string
	want  []string
}{
	{"Service principals that have not signed in for 60 days", "AADServicePrincipalSignInLogs", []string{"max(TimeGenerated)", "LastSeen < ago(60d)", "ago(120d)"}},
	{"Which devices connected to more than 20 distinct remote IPs in the last day", "DeviceNetworkEvents", []string{"dcount(RemoteIP) by DeviceName", "> 20"}},
	{"Percentage of failed sign-ins per application", "SigninLogs", []string{`countif(ResultType != "0")`, "Percent", "by AppDisplayName"}},
	{"Percentage of sign-ins per application", "SigninLogs", []string{"let Rows", "toscalar(Rows | count)"}},
	{"New countries users signed in from that were not seen before", "SigninLogs", []string{"join kind=leftanti Baseline", "Location", "ago(1d)"}},
	{"When Defender for Endpoint raises an alert, show the network connections of that device", "DeviceNetworkEvents", []string{"SecurityAlert", `ProductName == "Microsoft Defender Advanced Threat Protection"`, "in~ (AlertEntities)"}},
	{"Operations performed by users who hold a privileged role in the last 14 days", "AuditLogs", []string{"let PrivilegedUsers = IdentityInfo", "in~ (PrivilegedUsers)"}},
	{"Rule that alerts when a user registers new MFA security info", "AuditLogs", []string{"security info"}},
	{"Detects when someone resets their password through self-service password reset", "AuditLogs", []string{"Self-service Password Management"}},
	{"Guest users who downloaded files from our Office 365 tenant", "OfficeActivity", []string{"FileDownloaded"}},
	{"Accounts with 5 or more failed logons", "DeviceLogonEvents", []string{"Count >= 5"}},
	{"List the job title of every user", "IdentityInfo", []string{"arg_max(Timestamp, *) by AccountUpn"}},
}

func TestIntentQuestions(t *testing.T) {
	for _, h := range intentQuestions {
		res, err := testService.Generate(context.Background(), Request{Question: h.q})
		if err != nil {
			t.Errorf("%q: %v", h.q, err)
			continue
		}
		if !res.Valid {
			t.Errorf("%q: invalid query %s: %v", h.q, res.Query, res.Diagnostics)
		}
		found := false
		for _, tb := range res.Tables {
			found = found || tb == h.table
		}
		if !found {
			t.Errorf("%q: tables %v, want %s\n%s", h.q, res.Tables, h.table, res.Query)
		}
		for _, w := range h.want {
			if !strings.Contains(res.Query, w) {
				t.Errorf("%q: query lacks %q:\n%s", h.q, w, res.Query)
			}
		}
	}
}

func TestStripPreamble(t *testing.T) {
	for in, want := range map[string]string{
		"Detects when a guest is invited":       "when a guest is invited",
		"Alert when a VM is deleted":            "a VM is deleted",
		"This query looks for encoded commands": "encoded commands",
		"Identifies mailbox forwarding rules":   "mailbox forwarding rules",
		"Failed sign-ins by country":            "Failed sign-ins by country",
		"Query to find risky users in Entra ID": "risky users in Entra ID",
	} {
		if got := stripPreamble(in); got != want {
			t.Errorf("stripPreamble(%q) = %q, want %q", in, got, want)
		}
	}
}
