package nl2kql

import (
	"context"
	"testing"
)

// TestLogAnalyticsOnlyTablesChosen: on a sentinel target, questions in the
// words of the Log Analytics-only tables' profiles (UEBA, ingestion, DNS
// servers, watchlists, the web proxy, Defender for Cloud recommendations)
// read those tables; on a defender target they never do.
func TestLogAnalyticsOnlyTablesChosen(t *testing.T) {
	svc := New(Options{})
	for q, want := range map[string]string{
		"Which data types ingested the most billable data in the last 7 days?":          "Usage",
		"Which users have the highest UEBA investigation priority this week?":           "BehaviorAnalytics",
		"Which DNS queries did the DNS servers resolve for suspicious domains?":         "DnsEvents",
		"Are any users on the VIP watchlist?":                                           "Watchlist",
		"Which users made the most web requests through the proxy?":                     "ASimWebSessionLogs",
		"List the open Defender for Cloud recommendations for our GitHub repositories.": "SecurityNestedRecommendation",
	} {
		res, err := svc.Generate(context.Background(), Request{Question: q, Target: "sentinel"})
		if err != nil || !res.Valid || len(res.Tables) == 0 || res.Tables[0] != want {
			t.Errorf("%q on sentinel: err %v valid %v tables %v, want %s", q, err, res.Valid, res.Tables, want)
		}
		res, err = svc.Generate(context.Background(), Request{Question: q, Target: "defender"})
		if err == nil && len(res.Tables) > 0 && res.Tables[0] == want {
			t.Errorf("%q on defender chose the Log Analytics-only %s", q, want)
		}
	}
}
