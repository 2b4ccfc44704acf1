package nl2kql

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures"
)

// TestAbsentShape: "devices without X" and "users who never Y" are the
// inventory left-anti-joined with the event table on the entity's key (the
// event table alone lists only the entities that have the event); silence
// "for" a period, and heartbeats, stay the last-seen (dormant) shape. The
// anti-join runs on the demo data and returns inventory entities only.
func TestAbsentShape(t *testing.T) {
	svc := New(Options{})
	demo, err := fixtures.Load("contoso", time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		q, target string
		want, not []string
	}{
		{"devices without an antivirus scan in the last 7 days", "defender",
			[]string{"DeviceInfo\n", "join kind=leftanti (", "DeviceEvents", `ActionType startswith "Antivirus"`, "| distinct DeviceName\n) on DeviceName"}, nil},
		{"users who never signed in with MFA in the last 30 days", "defender",
			[]string{"IdentityInfo\n", "distinct AccountUpn", "join kind=leftanti (", "EntraIdSignInEvents", "Timestamp > ago(30d)", "multiFactorAuthentication"}, []string{"LastSeen"}},
		{"which users have no sign-ins in the last 7 days", "sentinel",
			[]string{"IdentityInfo\n", "distinct AccountUPN", "on $left.AccountUPN == $right.UserPrincipalName"}, nil},
		{"Find guest accounts that haven't signed in for 45 days", "sentinel",
			[]string{"LastSeen < ago(45d)"}, []string{"leftanti"}},
		{"Which computers have not sent a heartbeat in the last 7 days", "sentinel",
			[]string{"Heartbeat\n", "LastSeen < ago(7d)"}, []string{"leftanti", "DeviceInfo"}},
	}
	for _, c := range cases {
		res, err := svc.Generate(context.Background(), Request{Question: c.q, Target: c.target})
		if err != nil {
			t.Errorf("%q: %v", c.q, err)
			continue
		}
		if !res.Valid {
			t.Errorf("%q: not valid:\n%s", c.q, res.Query)
		}
		for _, w := range c.want {
			if !strings.Contains(res.Query, w) {
				t.Errorf("%q: want %q in\n%s", c.q, w, res.Query)
			}
		}
		for _, w := range c.not {
			if strings.Contains(res.Query, w) {
				t.Errorf("%q: do not want %q in\n%s", c.q, w, res.Query)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		got, err := (&fixtures.EngineRunner{}).Run(ctx, demo, demo.WorkspaceID, res.Query)
		cancel()
		if err != nil {
			t.Errorf("%q: does not run on the demo: %v\n%s", c.q, err, res.Query)
			continue
		}
		if !strings.Contains(res.Query, "leftanti") {
			continue
		}
		inv := "DeviceInfo | distinct DeviceName"
		if strings.HasPrefix(res.Query, "IdentityInfo") {
			inv = "IdentityInfo | distinct " + got.Columns[0].Name
		}
		all, err := (&fixtures.EngineRunner{}).Run(context.Background(), demo, demo.WorkspaceID, inv)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Rows) == 0 || len(got.Rows) >= len(all.Rows) {
			t.Errorf("%q: %d of %d inventory entities lack the event; want some, not all:\n%s", c.q, len(got.Rows), len(all.Rows), res.Query)
		}
	}
}
