package graph

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/source"
)

// TestGeneratedTenants runs every source.Graph method against the generated
// demo tenants: the SDK must parse every object the generator emits.
func TestGeneratedTenants(t *testing.T) {
	clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var tenants []*fixtures.Tenant
	for _, a := range fixtures.Aliases() {
		ten, err := fixtures.Load(a, clock)
		if err != nil {
			t.Fatal(err)
		}
		tenants = append(tenants, ten)
	}
	ev := newEnv(t, tenants)
	ctx := context.Background()
	for _, ten := range tenants {
		c := ev.client[ten.Alias]
		incs, err := c.ListIncidents(ctx, source.IncidentQuery{})
		if err != nil || len(incs.Items) == 0 {
			t.Fatalf("%s incidents: %d, %v", ten.Alias, len(incs.Items), err)
		}
		inc, err := c.GetIncident(ctx, incs.Items[0].ID)
		if err != nil || len(inc.Alerts) == 0 {
			t.Errorf("%s incident %s: %d alerts, %v", ten.Alias, incs.Items[0].ID, len(inc.Alerts), err)
		}
		alerts, err := c.ListAlerts(ctx, source.AlertQuery{ListOptions: source.ListOptions{Top: 500}})
		if err != nil || len(alerts.Items) == 0 {
			t.Errorf("%s alerts: %v", ten.Alias, err)
		}
		kinds := map[string]bool{}
		for _, a := range alerts.Items {
			for _, e := range a.Evidence {
				kinds[e.Kind] = true
			}
		}
		t.Logf("%s: %d incidents on page 1, %d alerts, evidence kinds %v", ten.Alias, len(incs.Items), len(alerts.Items), kinds)
		si, err := c.ListSignIns(ctx, source.SignInQuery{})
		if err != nil || len(si.Items) == 0 {
			t.Errorf("%s sign-ins: %v", ten.Alias, err)
		} else if u, err := c.GetUser(ctx, si.Items[0].UserPrincipalName); err != nil {
			t.Errorf("%s user %s: %v", ten.Alias, si.Items[0].UserPrincipalName, err)
		} else if u.ID == "" {
			t.Errorf("%s user without id", ten.Alias)
		}
		if _, err := c.ListRiskyUsers(ctx, source.RiskQuery{}); err != nil {
			t.Errorf("%s risky users: %v", ten.Alias, err)
		}
		if _, err := c.ListRiskDetections(ctx, source.RiskQuery{}); err != nil {
			t.Errorf("%s risk detections: %v", ten.Alias, err)
		}
		if p, err := c.ListCAPolicies(ctx); err != nil || len(p) == 0 {
			t.Errorf("%s CA policies: %d, %v", ten.Alias, len(p), err)
		}
		if _, err := c.ListNamedLocations(ctx); err != nil {
			t.Errorf("%s named locations: %v", ten.Alias, err)
		}
		devs, err := c.ListManagedDevices(ctx, source.DeviceQuery{})
		if err != nil || len(devs.Items) == 0 {
			t.Errorf("%s devices: %v", ten.Alias, err)
		} else if _, err := c.ListDeviceCompliance(ctx, devs.Items[0].ID); err != nil {
			t.Errorf("%s device compliance: %v", ten.Alias, err)
		}
		if _, err := c.ListCompliancePolicies(ctx); err != nil {
			t.Errorf("%s compliance policies: %v", ten.Alias, err)
		}
	}
	// Isolation with real identifiers: each tenant's first incident is
	// invisible to the other tenant.
	a, b := tenants[0], tenants[1]
	incs, err := ev.client[a.Alias].ListIncidents(ctx, source.IncidentQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ev.client[b.Alias].GetIncident(ctx, incs.Items[0].ID); !errors.Is(err, source.ErrNotFound) {
		t.Errorf("%s read %s's incident %s: %v", b.Alias, a.Alias, incs.Items[0].ID, err)
	}
}
