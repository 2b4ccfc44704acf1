package graph

import (
	"context"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures"
)

// TestListAllFollowsNextLinks: collections read whole follow
// @odata.nextLink across pages (page size 1 on the emulator).
func TestListAllFollowsNextLinks(t *testing.T) {
	ten, err := fixtures.Load("contoso", time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	ev := newEnv(t, []*fixtures.Tenant{ten}, func(o *fixtures.EmulatorOptions) { o.PageSize = 1 })
	c := ev.client["contoso"]
	ctx := context.Background()
	pols, err := c.ListCAPolicies(ctx)
	if err != nil || len(pols) != len(ten.Graph["identity/conditionalAccess/policies"]) || len(pols) < 2 {
		t.Fatalf("CA policies: %d of %d, %v", len(pols), len(ten.Graph["identity/conditionalAccess/policies"]), err)
	}
	locs, err := c.ListNamedLocations(ctx)
	if err != nil || len(locs) != len(ten.Graph["identity/conditionalAccess/namedLocations"]) {
		t.Fatalf("named locations: %d, %v", len(locs), err)
	}
	cps, err := c.ListCompliancePolicies(ctx)
	if err != nil || len(cps) != len(ten.Graph["deviceManagement/deviceCompliancePolicies"]) {
		t.Fatalf("compliance policies: %d, %v", len(cps), err)
	}
}
