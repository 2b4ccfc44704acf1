package graph

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/source"
)

func TestSecurityRoutes(t *testing.T) {
	ev := newEnv(t, testTenants())
	ctx := context.Background()
	c := ev.client["contoso"]

	page, err := c.ListIncidents(ctx, source.IncidentQuery{Severity: "high", ListOptions: source.ListOptions{Top: 1, Since: now.Add(-72 * time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	r := ev.lastGraph("/v1.0/security/incidents")
	if got := r.Query.Get("$filter"); got != "severity eq 'high' and createdDateTime ge 2026-02-26T12:00:00Z" {
		t.Errorf("$filter = %q", got)
	}
	// No $orderby (incidents document none: the service lists newest first).
	if r.Query.Get("$top") != "1" || r.Query.Has("$orderby") || r.Tenant != "contoso" {
		t.Errorf("request = %+v", r)
	}
	// Page.Next is the nextLink itself, followed unchanged (issue 12 finding 7).
	if len(page.Items) != 1 || page.Items[0].ID != "101" || !strings.HasPrefix(page.Next, ev.e.GraphURL()+"/security/incidents?") {
		t.Fatalf("page 1 = %+v", page)
	}
	page, err = c.ListIncidents(ctx, source.IncidentQuery{ListOptions: source.ListOptions{Continuation: page.Next}})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != "103" || page.Next != "" {
		t.Fatalf("page 2 = %+v, %v", page, err)
	}

	inc, err := c.GetIncident(ctx, "101")
	if err != nil {
		t.Fatal(err)
	}
	if r := ev.lastGraph("/v1.0/security/incidents/101"); r.Query.Get("$expand") != "alerts" {
		t.Errorf("GetIncident did not expand alerts: %v", r.Query)
	}
	if inc.Classification != "truePositive" || len(inc.Comments) != 1 || len(inc.Alerts) != 1 || len(inc.Alerts[0].Evidence) != 5 {
		t.Fatalf("incident = %+v", inc)
	}
	e := inc.Alerts[0].Evidence
	if e[0].Kind != "deviceEvidence" || e[0].DeviceName != "fin-01.contoso.com" || e[0].Verdict != "malicious" || e[0].Roles[0] != "compromised" {
		t.Errorf("device evidence = %+v", e[0])
	}
	if e[1].UserPrincipalName != "alice@contoso.com" || e[2].ProcessID != 4242 || e[2].FileName != "vssadmin.exe" ||
		e[3].IPAddress != "203.0.113.9" || e[4].AppID != "11161" {
		t.Errorf("evidence = %+v", e)
	}

	alerts, err := c.ListAlerts(ctx, source.AlertQuery{ServiceSource: "microsoftDefenderForEndpoint", User: "ALICE@contoso.com", Device: "fin-01"})
	if err != nil || len(alerts.Items) != 1 || alerts.Items[0].MitreTechniques[0] != "T1486" {
		t.Fatalf("alerts = %+v, %v", alerts, err)
	}
	if got := ev.lastGraph("/v1.0/security/alerts_v2").Query.Get("$filter"); got != "serviceSource eq 'microsoftDefenderForEndpoint'" {
		t.Errorf("alerts $filter = %q", got)
	}
	a, err := c.GetAlert(ctx, "da2")
	if err != nil || a.Evidence[0].Kind != "analyzedMessageEvidence" || a.Evidence[0].Subject != "Invoice" {
		t.Fatalf("alert da2 = %+v, %v", a, err)
	}
}

func TestIsolationAndNotFound(t *testing.T) {
	ev := newEnv(t, testTenants())
	ctx := context.Background()
	_, err := ev.client["contoso"].GetIncident(ctx, "901") // fabrikam's incident
	if !errors.Is(err, source.ErrNotFound) || !strings.Contains(err.Error(), `"901"`) {
		t.Fatalf("contoso reading fabrikam incident: %v", err)
	}
	if _, err := ev.client["fabrikam"].GetIncident(ctx, "901"); err != nil {
		t.Fatalf("fabrikam own incident: %v", err)
	}
	for name, f := range map[string]func() error{
		"alert":  func() error { _, err := ev.client["fabrikam"].GetAlert(ctx, "da1"); return err },
		"user":   func() error { _, err := ev.client["fabrikam"].GetUser(ctx, "alice@contoso.com"); return err },
		"device": func() error { _, err := ev.client["fabrikam"].GetManagedDevice(ctx, "md-1"); return err },
		"signin": func() error { _, err := ev.client["fabrikam"].GetSignIn(ctx, "s1"); return err },
	} {
		if err := f(); !errors.Is(err, source.ErrNotFound) {
			t.Errorf("fabrikam reading contoso %s: %v", name, err)
		}
	}
}

func TestHunting(t *testing.T) {
	ev := newEnv(t, testTenants())
	tab, err := ev.client["contoso"].RunHuntingQuery(context.Background(), `DeviceEvents | where DeviceName == "fin-01" | take 5`)
	if err != nil {
		t.Fatal(err)
	}
	if r := ev.lastGraph("/v1.0/security/microsoft.graph.security.runHuntingQuery"); r.Method != "POST" || !strings.Contains(strings.ToLower(r.Body), `"query":"deviceevents`) {
		t.Errorf("hunting request = %+v", r)
	}
	want := []string{"datetime", "string", "long", "dynamic", "timespan"}
	for i, col := range tab.Columns {
		if col.Type != want[i] {
			t.Errorf("column %s type %s, want %s", col.Name, col.Type, want[i])
		}
	}
	row := tab.Rows[0]
	if ts, ok := row[0].(time.Time); !ok || !ts.Equal(now.Add(-time.Hour)) {
		t.Errorf("Timestamp = %#v", row[0])
	}
	if row[2] != int64(3) || row[4] != 90*time.Second {
		t.Errorf("row = %#v", row)
	}
	if m, ok := row[3].(map[string]any); !ok || m["k"] != "v" {
		t.Errorf("dynamic = %#v", row[3])
	}
	_, err = ev.client["contoso"].RunHuntingQuery(context.Background(), "DeviceEvents | frobnicate")
	if err == nil || !strings.Contains(err.Error(), "HTTP 400 BadRequest: Query failed") {
		t.Errorf("bad query error = %v", err)
	}
}

func TestEntraRoutes(t *testing.T) {
	ev := newEnv(t, testTenants())
	ctx := context.Background()
	c := ev.client["contoso"]
	failed := true
	si, err := c.ListSignIns(ctx, source.SignInQuery{Failed: &failed, User: "alice@contoso.com"})
	if err != nil || len(si.Items) != 1 {
		t.Fatalf("sign-ins = %+v, %v", si, err)
	}
	if got := ev.lastGraph("/v1.0/auditLogs/signIns").Query.Get("$filter"); got != "userPrincipalName eq 'alice@contoso.com' and status/errorCode ne 0" {
		t.Errorf("sign-in $filter = %q", got)
	}
	s := si.Items[0]
	if s.ErrorCode != 53003 || s.City != "Amsterdam" || s.RiskLevelDuringSignIn != "high" || s.ConditionalAccessStatus != "failure" ||
		len(s.AppliedCAPolicies) != 1 || s.AppliedCAPolicies[0].Result != "failure" {
		t.Errorf("sign-in = %+v", s)
	}
	ru, err := c.ListRiskyUsers(ctx, source.RiskQuery{RiskLevel: "high"})
	if err != nil || len(ru.Items) != 1 || ru.Items[0].RiskState != "atRisk" {
		t.Fatalf("risky users = %+v, %v", ru, err)
	}
	rd, err := c.ListRiskDetections(ctx, source.RiskQuery{User: "alice@contoso.com"})
	if err != nil || len(rd.Items) != 1 || rd.Items[0].DetectionTiming != "realtime" || rd.Items[0].City != "Amsterdam" {
		t.Fatalf("risk detections = %+v, %v", rd, err)
	}
	pols, err := c.ListCAPolicies(ctx)
	if err != nil || len(pols) != 1 {
		t.Fatalf("CA policies = %+v, %v", pols, err)
	}
	p := pols[0]
	if p.State != "enabled" || p.IncludeUsers[0] != "All" || p.ExcludeGroups[0] != "g-break" || p.SignInRiskLevels[0] != "high" ||
		p.BuiltInControls[0] != "block" || p.GrantOperator != "OR" || p.ExcludeLocations[0] != "nl-1" {
		t.Errorf("CA policy = %+v", p)
	}
	locs, err := c.ListNamedLocations(ctx)
	if err != nil || len(locs) != 2 || locs[0].Kind != "ip" || locs[0].IPRanges[0] != "192.0.2.0/24" || !locs[0].IsTrusted ||
		locs[1].Kind != "country" || locs[1].Countries[1] != "IR" {
		t.Fatalf("named locations = %+v, %v", locs, err)
	}
	u, err := c.GetUser(ctx, "alice@contoso.com")
	if err != nil || u.ID != "u-alice" || u.Department != "Finance" || len(u.Groups) != 1 || u.Groups[0] != "g-fin" ||
		len(u.Roles) != 1 || u.Roles[0] != "62e90394-69f5-4237-9190-012177145e10" {
		t.Fatalf("user = %+v, %v", u, err)
	}
}

func TestIntuneRoutes(t *testing.T) {
	ev := newEnv(t, testTenants())
	ctx := context.Background()
	c := ev.client["contoso"]
	devs, err := c.ListManagedDevices(ctx, source.DeviceQuery{ComplianceState: "noncompliant", OS: "Windows"})
	if err != nil || len(devs.Items) != 1 || devs.Items[0].OSVersion != "10.0.19045" || devs.Items[0].ManagementAgent != "mdm" {
		t.Fatalf("devices = %+v, %v", devs, err)
	}
	if got := ev.lastGraph("/v1.0/deviceManagement/managedDevices").Query.Get("$filter"); got != "complianceState eq 'noncompliant' and operatingSystem eq 'Windows'" {
		t.Errorf("devices $filter = %q", got)
	}
	states, err := c.ListDeviceCompliance(ctx, "md-1")
	if err != nil || len(states) != 1 || states[0].State != "nonCompliant" || states[0].PlatformType != "windows10AndLater" ||
		len(states[0].SettingStates) != 1 || states[0].SettingStates[0].CurrentValue != "false" {
		t.Fatalf("compliance states = %+v, %v", states, err)
	}
	pols, err := c.ListCompliancePolicies(ctx)
	if err != nil || len(pols) != 1 {
		t.Fatalf("compliance policies = %+v, %v", pols, err)
	}
	st := pols[0].Settings
	if pols[0].ODataType != "#microsoft.graph.windows10CompliancePolicy" || st["bitLockerEnabled"] != true || st["osMinimumVersion"] != "10.0.19045" ||
		st["passwordMinimumLength"] != int64(12) {
		t.Errorf("policy = %+v", pols[0])
	}
	if _, ok := st["displayName"]; ok {
		t.Errorf("common property leaked into settings: %v", st)
	}
}

func TestFaults(t *testing.T) {
	ev := newEnv(t, testTenants())
	ctx := context.Background()
	c := ev.client["contoso"]

	ev.e.InjectFault(fixtures.Fault{Route: "security/incidents", Status: 429, RetryAfter: 2 * time.Second, Count: 1})
	if _, err := c.ListIncidents(ctx, source.IncidentQuery{}); err != nil {
		t.Fatalf("429 once then OK: %v", err)
	}
	if got := ev.sl.all(); len(got) != 1 || got[0] != 2*time.Second {
		t.Fatalf("Retry-After not honoured: sleeps %v", got)
	}

	ev.e.InjectFault(fixtures.Fault{Route: "security/alerts_v2", Status: 503, Count: 2})
	if _, err := c.ListAlerts(ctx, source.AlertQuery{}); err != nil {
		t.Fatalf("503 twice then OK: %v", err)
	}

	ev.e.InjectFault(fixtures.Fault{Route: "auditLogs", Status: 429, RetryAfter: time.Second})
	_, err := c.ListSignIns(ctx, source.SignInQuery{})
	var te *source.ThrottledError
	if !errors.As(err, &te) || !errors.Is(err, source.ErrThrottled) {
		t.Fatalf("persistent 429: %v", err)
	}
	// Other tenants are not throttled by contoso's 429s.
	if _, err := ev.client["fabrikam"].ListIncidents(ctx, source.IncidentQuery{}); err != nil {
		t.Fatalf("fabrikam affected: %v", err)
	}
	ev.e.ClearFaults()

	ev.e.InjectFault(fixtures.Fault{Route: "deviceManagement", MalformedBody: true})
	if _, err := c.ListManagedDevices(ctx, source.DeviceQuery{}); err == nil || !strings.HasPrefix(err.Error(), "graph: list managed devices: malformed response") {
		t.Fatalf("malformed body: %v", err)
	} else {
		t.Logf("malformed body error: %v", err)
	}
	ev.e.ClearFaults()
	ev.e.InjectFault(fixtures.Fault{Route: "identity/conditionalAccess", TruncateBody: true})
	if _, err := c.ListCAPolicies(ctx); err == nil || !strings.HasPrefix(err.Error(), "graph: list conditional access policies: response body was cut short") {
		t.Fatalf("truncated body: %v", err)
	} else {
		t.Logf("truncated body error: %v", err)
	}
	ev.e.ClearFaults()
	ev.e.InjectFault(fixtures.Fault{Route: "users", Status: 500, Count: 1})
	if _, err := c.GetUser(ctx, "alice@contoso.com"); err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("500: %v", err)
	}
}
