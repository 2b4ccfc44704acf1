package graph

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/ca"
	"github.com/secmcp/secmcp/internal/contract"
	"github.com/secmcp/secmcp/internal/source"
)

// contractTenant carries what issue 12's findings turn on: a beta-shaped
// sign-in, evolvable enum members, nested groups, a compliance policy with
// a grace period, a 60-day-old hunting row and enough devices, alerts and
// risk rows to page.
func contractTenant() *fixtures.Tenant {
	signIn := obj("id", "s-mfa", "createdDateTime", ts(time.Hour), "userPrincipalName", "alice@contoso.com", "userId", "u-alice",
		"appDisplayName", "Office 365", "ipAddress", "203.0.113.9", "conditionalAccessStatus", "success",
		"status", obj("errorCode", 0, "additionalDetails", ""),
		// beta-only properties the v1.0 service never returns:
		"authenticationRequirement", "multiFactorAuthentication", "mfaDetail", obj("authMethod", "Mobile app notification"),
		"authenticationDetails", []any{obj("authenticationMethod", "Password")}, "userType", "member", "userAgent", "Mozilla/5.0",
		"appliedConditionalAccessPolicies", []any{obj("id", "ca-ro", "displayName", "Report-only MFA", "result", "reportOnlySuccess")})
	t := &fixtures.Tenant{Alias: "contoso", TenantID: "11111111-1111-4111-8111-111111111111", Domain: "contoso.com", WorkspaceID: "ws-c", Clock: now,
		Graph: map[string][]map[string]any{
			"auditLogs/signIns": {signIn, obj("id", "s-2", "createdDateTime", ts(2*time.Hour), "status", obj("errorCode", 0)),
				obj("id", "s-3", "createdDateTime", ts(3*time.Hour), "status", obj("errorCode", 0))},
			"security/incidents": {obj("id", "301", "displayName", "Awaiting", "severity", "high", "status", "awaitingAction", "createdDateTime", ts(time.Hour)),
				obj("id", "302", "displayName", "Second", "severity", "low", "status", "active", "createdDateTime", ts(2*time.Hour)),
				obj("id", "303", "displayName", "Third", "severity", "low", "status", "active", "createdDateTime", ts(3*time.Hour))},
			"security/alerts_v2": {obj("id", "a1", "incidentId", "301", "title", "Sentinel rule", "severity", "high", "status", "new",
				"serviceSource", "microsoftSentinel", "createdDateTime", ts(time.Hour)),
				obj("id", "a2", "incidentId", "302", "title", "Two", "severity", "low", "status", "new", "serviceSource", "microsoftDefenderForEndpoint", "createdDateTime", ts(2*time.Hour)),
				obj("id", "a3", "incidentId", "303", "title", "Three", "severity", "low", "status", "new", "serviceSource", "microsoftDefenderForEndpoint", "createdDateTime", ts(3*time.Hour))},
			"identityProtection/riskyUsers": {obj("id", "u-alice", "userPrincipalName", "alice@contoso.com", "riskLevel", "high", "riskState", "atRisk",
				"riskDetail", "adminConfirmedAccountSafe", "riskLastUpdatedDateTime", ts(time.Hour)),
				obj("id", "u-bob", "userPrincipalName", "bob@contoso.com", "riskLevel", "low", "riskState", "atRisk", "riskLastUpdatedDateTime", ts(2*time.Hour))},
			"users": {obj("id", "u-alice", "userPrincipalName", "alice@contoso.com", "displayName", "Alice", "userType", "Member", "accountEnabled", true)},
			"groups": {obj("id", "g-inner", "displayName", "Finance", "members", []any{"u-alice"}),
				obj("id", "g-outer", "displayName", "CA exclusion", "members", []any{"g-inner"})},
			"deviceManagement/managedDevices": {obj("id", "md-1", "deviceName", "D1", "lastSyncDateTime", ts(time.Hour)),
				obj("id", "md-2", "deviceName", "D2", "lastSyncDateTime", ts(2*time.Hour)), obj("id", "md-3", "deviceName", "D3", "lastSyncDateTime", ts(3*time.Hour))},
			"deviceManagement/deviceCompliancePolicies": {obj("@odata.type", "#microsoft.graph.windows10CompliancePolicy", "id", "cp-1",
				"displayName", "Windows baseline", "bitLockerEnabled", true,
				"scheduledActionsForRule", []any{obj("id", "sa-1", "ruleName", "PasswordRequired", "scheduledActionConfigurations", []any{
					obj("id", "c-1", "actionType", "block", "gracePeriodHours", 24)})})},
		},
		Tables: map[string]*fixtures.Table{"DeviceEvents": {Name: "DeviceEvents",
			Columns: []fixtures.Column{{Name: "Timestamp", Type: "datetime"}, {Name: "DeviceName", Type: "string"}},
			Rows:    [][]any{{now.Add(-time.Hour), "new-01"}, {now.Add(-60 * 24 * time.Hour), "old-60d"}}}},
	}
	return t
}

// probe sends a hand-made request (exempt from the contract check) and decodes the JSON answer.
func (ev *env) probe(t *testing.T, method, path, body string, prefer bool) (int, map[string]any) {
	t.Helper()
	creds, err := ev.e.Credential("contoso")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenFor(ev.e, creds)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(method, ev.e.GraphURL()+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set(fixtures.ContractProbeHeader, "test")
	if prefer {
		req.Header.Set("Prefer", contract.PreferUnknownEnums)
	}
	resp, err := ev.e.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// Finding 1: MFA is read from v1.0 fields only; the beta fields are gone.
func TestFinding1MFAFromV1Only(t *testing.T) {
	ev := newEnv(t, []*fixtures.Tenant{contractTenant()})
	_, m := ev.probe(t, "GET", "/auditLogs/signIns/s-mfa", "", true)
	for _, beta := range []string{"authenticationRequirement", "mfaDetail", "authenticationDetails", "userType", "userAgent"} {
		if _, ok := m[beta]; ok {
			t.Errorf("v1.0 sign-in carries beta property %s", beta)
		}
	}
	s, err := ev.client["contoso"].GetSignIn(context.Background(), "s-mfa")
	if err != nil {
		t.Fatal(err)
	}
	in := ca.FromSignIn(s, source.User{}, ca.RiskContext{})
	if s.MFASatisfied || in.MFA != ca.Unknown || !strings.Contains(in.MFAEvidence, "unknown from v1.0") {
		t.Errorf("MFA = %v %q (%s), want unknown from v1.0", s.MFASatisfied, in.MFA, in.MFAEvidence)
	}
}

// Finding 2: evolvable enums come back as unknownFutureValue without the
// Prefer header; the client sends it and reads the real members.
func TestFinding2EvolvableEnums(t *testing.T) {
	ev := newEnv(t, []*fixtures.Tenant{contractTenant()})
	_, m := ev.probe(t, "GET", "/auditLogs/signIns/s-mfa", "", false)
	if r := m["appliedConditionalAccessPolicies"].([]any)[0].(map[string]any)["result"]; r != "unknownFutureValue" {
		t.Errorf("without Prefer: result = %v, want unknownFutureValue", r)
	}
	ctx, c := context.Background(), ev.client["contoso"]
	s, err := c.GetSignIn(ctx, "s-mfa")
	if err != nil || len(s.AppliedCAPolicies) != 1 || s.AppliedCAPolicies[0].Result != "reportOnlySuccess" {
		t.Errorf("client sign-in = %+v, %v; want reportOnlySuccess", s.AppliedCAPolicies, err)
	}
	inc, err := c.GetIncident(ctx, "301")
	if err != nil || inc.Status != "awaitingAction" || len(inc.Alerts) != 1 || inc.Alerts[0].ServiceSource != "microsoftSentinel" {
		t.Errorf("incident = %q alerts %+v, %v", inc.Status, inc.Alerts, err)
	}
	rp, err := c.ListRiskyUsers(ctx, source.RiskQuery{})
	if err != nil || len(rp.Items) == 0 || rp.Items[0].RiskDetail != "adminConfirmedAccountSafe" {
		t.Errorf("risky users = %+v, %v", rp.Items, err)
	}
}

// Finding 3: group membership is transitive (nested groups).
func TestFinding3TransitiveGroups(t *testing.T) {
	ev := newEnv(t, []*fixtures.Tenant{contractTenant()})
	u, err := ev.client["contoso"].GetUser(context.Background(), "u-alice")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(u.Groups, ",") != "g-inner,g-outer" {
		t.Errorf("groups = %v, want g-inner,g-outer (g-outer holds g-inner)", u.Groups)
	}
	if r := ev.lastGraph("/v1.0/users/u-alice/transitiveMemberOf"); r.Method != "GET" {
		t.Errorf("transitiveMemberOf not called")
	}
}

// Finding 4: scheduledActionsForRule only with $expand; grace period read.
func TestFinding4GracePeriodExpand(t *testing.T) {
	ev := newEnv(t, []*fixtures.Tenant{contractTenant()})
	_, m := ev.probe(t, "GET", "/deviceManagement/deviceCompliancePolicies", "", true)
	if p := m["value"].([]any)[0].(map[string]any); p["scheduledActionsForRule"] != nil {
		t.Errorf("relationship returned without $expand: %v", p["scheduledActionsForRule"])
	}
	ps, err := ev.client["contoso"].ListCompliancePolicies(context.Background())
	if err != nil || len(ps) != 1 || ps[0].GracePeriodHours != 24 {
		t.Errorf("policies = %+v, %v; want grace period 24h", ps, err)
	}
}

// Finding 5: sign-ins page with $skiptoken and refuse $skip.
func TestFinding5SignInPaging(t *testing.T) {
	ev := newEnv(t, []*fixtures.Tenant{contractTenant()})
	st, m := ev.probe(t, "GET", "/auditLogs/signIns?$skip=1", "", true)
	if msg, _ := m["error"].(map[string]any)["message"].(string); st != 400 || !strings.Contains(msg, "Query option 'Skip' is not allowed") {
		t.Errorf("$skip on signIns: %d %v", st, m)
	}
	c, ctx := ev.client["contoso"], context.Background()
	p1, err := c.ListSignIns(ctx, source.SignInQuery{ListOptions: source.ListOptions{Top: 2}})
	if err != nil || len(p1.Items) != 2 || !strings.Contains(p1.Next, "skiptoken") {
		t.Fatalf("page 1 = %+v, %v", p1, err)
	}
	p2, err := c.ListSignIns(ctx, source.SignInQuery{ListOptions: source.ListOptions{Continuation: p1.Next}})
	if err != nil || len(p2.Items) != 1 || p2.Items[0].ID != "s-3" {
		t.Fatalf("page 2 = %+v, %v", p2, err)
	}
}

// Finding 6: runHuntingQuery applies its 30-day default; the client sends
// the query's own window.
func TestFinding6HuntingTimespan(t *testing.T) {
	ev := newEnv(t, []*fixtures.Tenant{contractTenant()})
	q := `DeviceEvents | where Timestamp > ago(90d) | project DeviceName`
	_, m := ev.probe(t, "POST", "/security/runHuntingQuery", `{"Query":"`+strings.ReplaceAll(q, `"`, `\"`)+`"}`, true)
	if rows, _ := m["results"].([]any); len(rows) != 1 {
		t.Errorf("no Timespan: %d rows, want 1 (the 30-day default hides the 60-day-old row)", len(rows))
	}
	tab, err := ev.client["contoso"].RunHuntingQuery(context.Background(), q)
	if err != nil || len(tab.Rows) != 2 {
		t.Fatalf("client: %v rows, %v; want 2 (Timespan P90D sent)", tab, err)
	}
	if r := ev.lastGraph("/v1.0/security/microsoft.graph.security.runHuntingQuery"); !strings.Contains(strings.ToLower(r.Body), `"timespan":"p90d"`) {
		t.Errorf("hunting body = %s", r.Body)
	}
}

// Finding 7: nextLinks of devices, alerts and incidents are followed as opaque links.
func TestFinding7OpaqueNextLinks(t *testing.T) {
	ev := newEnv(t, []*fixtures.Tenant{contractTenant()})
	c, ctx := ev.client["contoso"], context.Background()
	d1, err := c.ListManagedDevices(ctx, source.DeviceQuery{ListOptions: source.ListOptions{Top: 2}})
	if err != nil || !strings.Contains(d1.Next, "$skiptoken=") && !strings.Contains(d1.Next, "%24skiptoken=") {
		t.Fatalf("devices page 1 = %+v, %v", d1, err)
	}
	d2, err := c.ListManagedDevices(ctx, source.DeviceQuery{ListOptions: source.ListOptions{Continuation: d1.Next}})
	if err != nil || len(d2.Items) != 1 || d2.Items[0].ID != "md-3" {
		t.Errorf("devices page 2 = %+v, %v", d2, err)
	}
	a1, err := c.ListAlerts(ctx, source.AlertQuery{ListOptions: source.ListOptions{Top: 2}})
	if err != nil || !strings.HasPrefix(a1.Next, "https://") {
		t.Fatalf("alerts page 1 = %+v, %v", a1, err)
	}
	a2, err := c.ListAlerts(ctx, source.AlertQuery{ListOptions: source.ListOptions{Continuation: a1.Next}})
	if err != nil || len(a2.Items) != 1 || a2.Items[0].ID != "a3" {
		t.Errorf("alerts page 2 = %+v, %v", a2, err)
	}
	if _, err := c.ListAlerts(ctx, source.AlertQuery{ListOptions: source.ListOptions{Continuation: "https://evil.example/v1.0/security/alerts_v2"}}); err == nil {
		t.Error("a foreign continuation was followed")
	}
}

// Finding 8: no undocumented options; incidentId read through $expand.
func TestFinding8NoUndocumentedOptions(t *testing.T) {
	ev := newEnv(t, []*fixtures.Tenant{contractTenant()})
	c, ctx := ev.client["contoso"], context.Background()
	if p, err := c.ListAlerts(ctx, source.AlertQuery{IncidentID: "301"}); err != nil || len(p.Items) != 1 || p.Items[0].ID != "a1" {
		t.Errorf("alerts of incident 301 = %+v, %v", p, err)
	}
	if _, err := c.ListRiskDetections(ctx, source.RiskQuery{ListOptions: source.ListOptions{Top: 5, Skip: 1}}); err != nil {
		t.Errorf("risk detections with a cursor skip: %v", err)
	}
	for _, path := range []string{"/security/incidents?$orderby=createdDateTime%20desc", "/identityProtection/riskyUsers?$skip=1",
		"/security/alerts_v2?$filter=incidentId%20eq%20'301'"} {
		if st, _ := ev.probe(t, "GET", path, "", true); st != 400 {
			t.Errorf("%s: %d, want 400", path, st)
		}
	}
	// The emulator's cleanup check fails this test on any violation of the
	// client's own requests (newEnv).
}

// tokenFor gets a Graph token for the demo credential from the emulator's
// token endpoint (client_credentials), as a hand-made probe needs one.
func tokenFor(e *fixtures.Emulator, d fixtures.DemoCredential) (string, error) {
	form := "grant_type=client_credentials&client_id=" + d.ClientID + "&client_secret=" + d.ClientSecret +
		"&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
	resp, err := e.Client().Post(e.URL()+"/"+d.TenantID+"/oauth2/v2.0/token", "application/x-www-form-urlencoded", strings.NewReader(form))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var b struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&b)
	return b.AccessToken, err
}
