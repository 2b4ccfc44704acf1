package nl2kql

import (
	"context"
	"strings"
	"testing"
)

// TestPrefersEntraIdSignInEvents: Defender sign-in questions read
// EntraIdSignInEvents, not the deprecated AADSignInEventsBeta, with the
// beta table's predicates moved to the new table's columns; a question that
// names the beta table still gets it.
func TestPrefersEntraIdSignInEvents(t *testing.T) {
	cases := []struct{ q, table, want string }{
		{"users at risk signing in", "EntraIdSignInEvents", "RiskLevelAggregated >= 50"},
		{"guest user sign-ins this week", "EntraIdSignInEvents", "IsGuestUser == true"},
		{"managed identity service principal sign-ins that failed", "EntraIdSpnSignInEvents", "ErrorCode != 0"},
	}
	for _, c := range cases {
		res, err := testService.Generate(context.Background(), Request{Question: c.q, Target: PlatformDefender})
		if err != nil {
			t.Fatalf("%q: %v", c.q, err)
		}
		if res.Plan.Tables[0].Name != c.table || !strings.Contains(res.Query, c.want) || strings.Contains(res.Query, "Beta") {
			t.Errorf("%q: want %s with %q, got\n%s", c.q, c.table, c.want, res.Query)
		}
	}
	if got := renameColumns("RiskLevelDuringSignIn >= 50 and AadDeviceId != '' and XAadDeviceId == 1", renamedColumns["EntraIdSignInEvents"]); got !=
		"RiskLevelAggregated >= 50 and EntraIdDeviceId != '' and XAadDeviceId == 1" {
		t.Errorf("renameColumns = %q", got)
	}
	for _, cp := range conceptList() {
		if _, ok := cp.boost["AADSignInEventsBeta"]; ok {
			t.Errorf("concept %s still boosts AADSignInEventsBeta", cp.id)
		}
	}
	res, err := testService.Generate(context.Background(), Request{Question: "failed sign-ins in AADSignInEventsBeta", Tables: []string{"AADSignInEventsBeta"}})
	if err != nil || res.Plan.Tables[0].Name != "AADSignInEventsBeta" || !strings.Contains(res.Query, "ErrorCode != 0") {
		t.Errorf("named beta table: %v\n%v", err, res)
	}
}
