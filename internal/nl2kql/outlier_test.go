package nl2kql

import (
	"context"
	"strings"
	"testing"
)

// TestOutlierAndIdentityShapes: tenant-wide outlier questions rank per
// entity (never a single total), baseline questions compare each entity
// with its own history, and on-premises logons come from Defender for
// Identity.
func TestOutlierAndIdentityShapes(t *testing.T) {
	svc := New(Options{})
	cases := []struct {
		q, target, table string
		want, not        []string
	}{
		{"Identify devices that showed an outstanding number of outgoing network connections", "defender", "DeviceNetworkEvents",
			[]string{"summarize Connections = count() by DeviceName", "top 10 by Connections desc", "ZScore", `ActionType in ("ConnectionSuccess"`}, []string{"summarize Count = count()\n"}},
		{"users with more failed sign-ins than their own baseline in the last day", "sentinel", "SigninLogs",
			[]string{"TimeGenerated > ago(30d)", "countif(TimeGenerated > ago(1d))", "by UserPrincipalName", "Ratio", `ResultType != "0"`}, nil},
		{"users who signed in from an unusual number of distinct countries", "defender", "EntraIdSignInEvents",
			[]string{"dcount(Country) by AccountUpn"}, nil},
		{"Failed logons against domain controllers by account in the last day", "defender", "IdentityLogonEvents",
			[]string{`ActionType == "LogonFailed"`}, nil},
		{"Find the top three users that are at risk", "defender", "",
			[]string{"top 3 by"}, []string{"three"}},
	}
	for _, c := range cases {
		res, err := svc.Generate(context.Background(), Request{Question: c.q, Target: c.target})
		if err != nil {
			t.Errorf("%q: %v", c.q, err)
			continue
		}
		if !res.Valid || (c.table != "" && (len(res.Tables) == 0 || res.Tables[0] != c.table)) {
			t.Errorf("%q: valid=%v tables=%v, want %s:\n%s", c.q, res.Valid, res.Tables, c.table, res.Query)
		}
		for _, w := range c.want {
			if !strings.Contains(res.Query, w) {
				t.Errorf("%q: query lacks %q:\n%s", c.q, w, res.Query)
			}
		}
		for _, w := range c.not {
			if strings.Contains(res.Query, w) {
				t.Errorf("%q: query has %q:\n%s", c.q, w, res.Query)
			}
		}
	}
}

// TestAlertTitleEntities: "users with a <kind> alert" lists the entities of
// the alerts of that title, from the tables the target has.
func TestAlertTitleEntities(t *testing.T) {
	svc := New(Options{})
	for target, want := range map[string][]string{
		"defender": {"AlertInfo", `Title has "password spray"`, "join kind=inner (AlertEvidence", `EntityType == "User"`, "by AccountUpn"},
		"sentinel": {"SecurityAlert", `AlertName has "password spray"`, `tostring(Entity.Type) == "account"`, "by Account"},
	} {
		res, err := svc.Generate(context.Background(), Request{Question: "Investigate users with a password spray alert in the last seven days", Target: target})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range append(want, "ago(7d)", "Alerts = dcount(") {
			if !strings.Contains(res.Query, w) {
				t.Errorf("%s: query lacks %q:\n%s", target, w, res.Query)
			}
		}
		if !res.Valid {
			t.Errorf("%s: not valid: %+v", target, res.Diagnostics)
		}
	}
}

// TestFollowUpTwoKindsOfEvidence: a question naming an event and then other
// evidence about the same users or addresses reads both tables, the one
// named first as the first step, keyed on the right column.
func TestFollowUpTwoKindsOfEvidence(t *testing.T) {
	svc := New(Options{})
	cases := []struct {
		q, target string
		want      []string
	}{
		{"When a user registers or updates MFA details, take that IP address and summarize sign in events for that user and IP address for the last 30 days", "sentinel",
			[]string{"let Keys = AuditLogs", "tostring(InitiatedBy.user.ipAddress)", "SigninLogs", "where IPAddress in~ (Keys)"}},
		{"Users who were added to a privileged role and then signed in", "sentinel",
			[]string{"let Keys = AuditLogs", "tostring(TargetResources[0].userPrincipalName)", "where UserPrincipalName in~ (Keys)"}},
	}
	for _, c := range cases {
		res, err := svc.Generate(context.Background(), Request{Question: c.q, Target: c.target})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range c.want {
			if !strings.Contains(res.Query, w) {
				t.Errorf("%q: query lacks %q:\n%s", c.q, w, res.Query)
			}
		}
		if !res.Valid {
			t.Errorf("%q: not valid: %+v", c.q, res.Diagnostics)
		}
	}
}

// TestDefenderDevicesWithAlerts: "devices with alerts and the processes
// that ran on them" takes the devices from AlertEvidence on a Defender
// target and lists their processes, keyed by DeviceId (the key Advanced
// Hunting's device tables share).
func TestDefenderDevicesWithAlerts(t *testing.T) {
	res, err := New(Options{}).Generate(context.Background(), Request{Question: "Devices with alerts and the processes that ran on them in the last day", Target: "defender"})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"let Keys = AlertEvidence", "distinct DeviceId", "DeviceProcessEvents", "where DeviceId in~ (Keys)"} {
		if !strings.Contains(res.Query, w) {
			t.Errorf("query lacks %q:\n%s", w, res.Query)
		}
	}
}

// TestRankingQuestions: "rank X by …" is a per-entity ranking, and the
// entity of a logon or a cloud activity is the account that acted.
func TestRankingQuestions(t *testing.T) {
	svc := New(Options{})
	cases := []struct{ q, want string }{
		{"Rank devices by the number of distinct remote IPs they contacted", "DistinctRemoteIP = dcount(RemoteIP) by DeviceName"},
		{"Which accounts generate the most failed logons on endpoints?", "count() by AccountName"},
		{"Users with an unusual spike in mailbox access compared with their normal activity", "by AccountObjectId"},
		{"Applications ranked by sign-in count", "count() by Application"},
		{"Users with sign-ins from more countries than anyone else", "dcount(Country) by AccountUpn"},
		{"Senders that sent phishing to the largest number of recipients", "count() by SenderFromAddress"},
		{"Accounts whose daily count of failed sign-ins jumped well above their 30 day average", "Ratio = round("},
	}
	for _, c := range cases {
		res, err := svc.Generate(context.Background(), Request{Question: c.q, Target: "defender"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(res.Query, c.want) || !res.Valid {
			t.Errorf("%q: want %q in a valid query:\n%s", c.q, c.want, res.Query)
		}
	}
}
