package graph

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secmcp/secmcp/auth"
	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/httppolicy"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// contractChecked counts the client requests checked against the contract
// in this package's tests (reported by TestContractFigures).
var contractChecked atomic.Int64

func ts(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }

func obj(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// testTenants are small hand-built tenants in Graph v1.0 JSON shape.
func testTenants() []*fixtures.Tenant {
	contoso := &fixtures.Tenant{Alias: "contoso", TenantID: "11111111-1111-4111-8111-111111111111", Domain: "contoso.com", WorkspaceID: "ws-c", Clock: now,
		Graph: map[string][]map[string]any{
			"security/incidents": {
				obj("id", "101", "displayName", "Ransomware on FIN-01", "severity", "high", "status", "active", "createdDateTime", ts(2*time.Hour),
					"classification", "truePositive", "determination", "ransomware", "customTags", []any{"ransomware"},
					"comments", []any{obj("comment", "isolating host")}),
				obj("id", "102", "displayName", "Phish to Bob", "severity", "medium", "status", "resolved", "createdDateTime", ts(30*time.Hour)),
				obj("id", "103", "displayName", "Impossible travel", "severity", "high", "status", "active", "createdDateTime", ts(50*time.Hour)),
			},
			"security/alerts_v2": {
				obj("id", "da1", "incidentId", "101", "title", "Ransomware behaviour", "severity", "high", "status", "new",
					"serviceSource", "microsoftDefenderForEndpoint", "detectionSource", "microsoftDefenderForEndpoint", "createdDateTime", ts(2*time.Hour),
					"mitreTechniques", []any{"T1486"},
					"evidence", []any{
						obj("@odata.type", "#microsoft.graph.security.deviceEvidence", "deviceDnsName", "fin-01.contoso.com", "mdeDeviceId", "mde-1", "osPlatform", "Windows10", "roles", []any{"compromised"}, "verdict", "malicious"),
						obj("@odata.type", "#microsoft.graph.security.userEvidence", "userAccount", obj("userPrincipalName", "alice@contoso.com", "accountName", "alice", "azureAdUserId", "u-alice")),
						obj("@odata.type", "#microsoft.graph.security.processEvidence", "processId", 4242, "processCommandLine", "vssadmin delete shadows /all",
							"imageFile", obj("fileName", "vssadmin.exe", "filePath", `C:\Windows\System32`, "sha256", "abc")),
						obj("@odata.type", "#microsoft.graph.security.ipEvidence", "ipAddress", "203.0.113.9", "countryLetterCode", "NL"),
						obj("@odata.type", "#microsoft.graph.security.cloudApplicationEvidence", "appId", 11161, "displayName", "Office 365"),
					}),
				obj("id", "da2", "incidentId", "102", "title", "Phish delivered", "severity", "medium", "status", "resolved",
					"serviceSource", "microsoftDefenderForOffice365", "createdDateTime", ts(30*time.Hour),
					"evidence", []any{obj("@odata.type", "#microsoft.graph.security.analyzedMessageEvidence", "subject", "Invoice", "senderIp", "198.51.100.7", "recipientEmailAddress", "bob@contoso.com")}),
			},
			"auditLogs/signIns": {
				obj("id", "s1", "createdDateTime", ts(time.Hour), "userPrincipalName", "alice@contoso.com", "userId", "u-alice", "appDisplayName", "Office 365",
					"ipAddress", "203.0.113.9", "clientAppUsed", "Browser", "isInteractive", true, "riskLevelDuringSignIn", "high", "conditionalAccessStatus", "failure",
					"status", obj("errorCode", 53003, "failureReason", "Blocked by Conditional Access"),
					"location", obj("city", "Amsterdam", "countryOrRegion", "NL"), "deviceDetail", obj("operatingSystem", "Windows 10", "isCompliant", false),
					"appliedConditionalAccessPolicies", []any{obj("id", "ca-1", "displayName", "Block high risk", "result", "failure", "enforcedGrantControls", []any{"Block"})}),
				obj("id", "s2", "createdDateTime", ts(2*time.Hour), "userPrincipalName", "bob@contoso.com", "appDisplayName", "Teams",
					"ipAddress", "192.0.2.1", "riskLevelDuringSignIn", "none", "conditionalAccessStatus", "success", "status", obj("errorCode", 0)),
			},
			"identityProtection/riskyUsers": {obj("id", "u-alice", "userPrincipalName", "alice@contoso.com", "riskLevel", "high", "riskState", "atRisk", "riskLastUpdatedDateTime", ts(time.Hour))},
			"identityProtection/riskDetections": {obj("id", "rd1", "userPrincipalName", "alice@contoso.com", "riskEventType", "unfamiliarFeatures", "riskLevel", "high",
				"riskState", "atRisk", "detectionTimingType", "realtime", "activity", "signin", "detectedDateTime", ts(time.Hour), "location", obj("city", "Amsterdam"))},
			"identity/conditionalAccess/policies": {obj("id", "ca-1", "displayName", "Block high risk", "state", "enabled",
				"conditions", obj("users", obj("includeUsers", []any{"All"}, "excludeGroups", []any{"g-break"}), "applications", obj("includeApplications", []any{"All"}),
					"clientAppTypes", []any{"all"}, "signInRiskLevels", []any{"high"}, "locations", obj("includeLocations", []any{"All"}, "excludeLocations", []any{"nl-1"})),
				"grantControls", obj("operator", "OR", "builtInControls", []any{"block"}))},
			"identity/conditionalAccess/namedLocations": {
				obj("@odata.type", "#microsoft.graph.ipNamedLocation", "id", "nl-1", "displayName", "HQ", "isTrusted", true,
					"ipRanges", []any{obj("@odata.type", "#microsoft.graph.iPv4CidrRange", "cidrAddress", "192.0.2.0/24")}),
				obj("@odata.type", "#microsoft.graph.countryNamedLocation", "id", "nl-2", "displayName", "Blocked countries", "countriesAndRegions", []any{"KP", "IR"}),
			},
			"users":          {obj("id", "u-alice", "userPrincipalName", "alice@contoso.com", "displayName", "Alice", "department", "Finance", "userType", "Member", "accountEnabled", true)},
			"groups":         {obj("id", "g-fin", "displayName", "Finance", "members", []any{"u-alice"})},
			"directoryRoles": {obj("id", "r-1", "displayName", "Global Administrator", "roleTemplateId", "62e90394-69f5-4237-9190-012177145e10", "members", []any{"u-alice"})},
			"deviceManagement/managedDevices": {obj("id", "md-1", "deviceName", "FIN-01", "complianceState", "noncompliant", "operatingSystem", "Windows",
				"osVersion", "10.0.19045", "userPrincipalName", "alice@contoso.com", "isEncrypted", false, "managementAgent", "mdm", "lastSyncDateTime", ts(time.Hour))},
			"deviceManagement/deviceCompliancePolicies": {obj("@odata.type", "#microsoft.graph.windows10CompliancePolicy", "id", "cp-1", "displayName", "Windows baseline",
				"bitLockerEnabled", true, "osMinimumVersion", "10.0.19045", "passwordMinimumLength", 12)},
		},
		DeviceCompliancePolicyStates: map[string][]map[string]any{"md-1": {obj("id", "ps-1", "displayName", "Windows baseline", "state", "nonCompliant",
			"platformType", "windows10AndLater", "settingCount", 1,
			"settingStates", []any{obj("setting", "Windows10CompliancePolicy.BitLockerEnabled", "settingName", "BitLockerEnabled", "state", "nonCompliant", "currentValue", "false")})}},
		Tables: map[string]*fixtures.Table{"DeviceEvents": {Name: "DeviceEvents",
			Columns: []fixtures.Column{{Name: "Timestamp", Type: "datetime"}, {Name: "DeviceName", Type: "string"}, {Name: "Count", Type: "long"},
				{Name: "Extra", Type: "dynamic"}, {Name: "Took", Type: "timespan"}},
			Rows: [][]any{{now.Add(-time.Hour), "fin-01", int64(3), map[string]any{"k": "v"}, 90 * time.Second}}}},
	}
	fabrikam := &fixtures.Tenant{Alias: "fabrikam", TenantID: "22222222-2222-4222-8222-222222222222", Domain: "fabrikam.com",
		Graph: map[string][]map[string]any{"security/incidents": {obj("id", "901", "displayName", "Fabrikam only", "severity", "low", "status", "active")}}}
	return []*fixtures.Tenant{contoso, fabrikam}
}

// sleeps records the policy's waits instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

type env struct {
	e      *fixtures.Emulator
	sl     *sleeps
	client map[string]*Client
}

// newEnv starts the emulator and builds a real Graph client per tenant:
// azidentity client-secret credential → emulator token endpoint, SDK →
// httppolicy → emulator Graph.
func newEnv(t *testing.T, tenants []*fixtures.Tenant, tweak ...func(*fixtures.EmulatorOptions)) *env {
	t.Helper()
	eo := fixtures.EmulatorOptions{Tenants: fixtures.StaticTenants(tenants...)}
	for _, f := range tweak {
		f(&eo)
	}
	e, err := fixtures.NewEmulator(eo)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	// Every request the client code made must follow the contract
	// (internal/contract); hand-made probes carry fixtures.ContractProbeHeader.
	t.Cleanup(func() {
		n, vs := e.ContractViolations()
		contractChecked.Add(int64(n))
		for _, v := range vs {
			t.Errorf("contract violation: %s", v)
		}
	})
	ev := &env{e: e, sl: &sleeps{}, client: map[string]*Client{}}
	for _, ten := range tenants {
		demo, err := e.Credential(ten.Alias)
		if err != nil {
			t.Fatal(err)
		}
		hc := &http.Client{Transport: httppolicy.New(e.Transport(), httppolicy.Options{Tenant: ten.Alias, Sleep: ev.sl.sleep, MaxRetryAfter: 5 * time.Second})}
		cred, err := auth.NewCredential(demo.TenantID, auth.CloudDemo,
			auth.CredentialConfig{Kind: auth.KindClientSecret, ClientID: demo.ClientID, ClientSecretEnv: "DEMO_SECRET"},
			func(string) string { return demo.ClientSecret }, auth.CredentialOptions{Label: ten.Alias, AuthorityHost: e.URL(), HTTPClient: hc})
		if err != nil {
			t.Fatal(err)
		}
		c, err := New(cred, Options{BaseURL: e.GraphURL(), HTTPClient: hc})
		if err != nil {
			t.Fatal(err)
		}
		ev.client[ten.Alias] = c
	}
	return ev
}

// lastGraph returns the last recorded request whose path starts with prefix.
func (ev *env) lastGraph(prefix string) fixtures.RecordedRequest {
	reqs := ev.e.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if len(reqs[i].Path) >= len(prefix) && reqs[i].Path[:len(prefix)] == prefix {
			return reqs[i]
		}
	}
	return fixtures.RecordedRequest{}
}
