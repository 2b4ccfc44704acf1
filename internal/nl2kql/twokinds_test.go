package nl2kql

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestTwoKindsOfEvidence checks that a question naming two kinds of
// evidence joined by a clause reads both tables on the key they share, and
// that one kind of evidence with a qualifier stays one table.
func TestTwoKindsOfEvidence(t *testing.T) {
	s := New(Options{})
	cases := []struct {
		q, target string
		tables    []string
		key       string
	}{
		{"Users who received a phishing email and clicked a link in it", "defender", []string{"EmailEvents", "UrlClickEvents"}, "NetworkMessageId in~ (Keys)"},
		{"Devices that had an antivirus detection and made outbound connections", "defender", []string{"DeviceEvents", "DeviceNetworkEvents"}, "DeviceId in~ (Keys)"},
		{"Failed sign-ins in the last day", "defender", []string{"EntraIdSignInEvents"}, ""},
		{"Emails blocked by the filters per day", "defender", []string{"EmailEvents"}, ""},
	}
	for _, c := range cases {
		r, err := s.Generate(context.Background(), Request{Question: c.q, Target: c.target})
		if err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
		got := slices.Clone(r.Tables)
		slices.Sort(got)
		if !slices.Equal(got, c.tables) || !r.Valid {
			t.Errorf("%s: tables %v valid %v, want %v\n%s", c.q, got, r.Valid, c.tables, r.Query)
		}
		if c.key != "" && !strings.Contains(r.Query, c.key) {
			t.Errorf("%s: want the steps keyed by %q:\n%s", c.q, c.key, r.Query)
		}
	}
}
