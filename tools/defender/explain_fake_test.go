package defender

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/secmcp/secmcp/internal/source"
)

// exGraph is a hand-built source.Graph for the explain and hunting tests.
type exGraph struct {
	mu        sync.Mutex
	incidents map[string]source.Incident
	alerts    map[string]source.Alert
	users     map[string]source.User
	risky     []source.RiskyUser
	devices   []source.ManagedDevice
	hunt      func(q string) (*source.Table, error)
	queries   []string
}

func (f *exGraph) ListIncidents(context.Context, source.IncidentQuery) (source.Page[source.Incident], error) {
	return source.Page[source.Incident]{}, fmt.Errorf("not used")
}

func (f *exGraph) GetIncident(_ context.Context, id string) (source.Incident, error) {
	in, ok := f.incidents[id]
	if !ok {
		return in, fmt.Errorf("incident %q: %w", id, source.ErrNotFound)
	}
	in.Alerts = nil
	for _, a := range f.alerts {
		if a.IncidentID == id {
			in.Alerts = append(in.Alerts, a)
		}
	}
	return in, nil
}

func (f *exGraph) ListAlerts(_ context.Context, q source.AlertQuery) (source.Page[source.Alert], error) {
	if _, ok := f.incidents[q.IncidentID]; q.IncidentID != "" && !ok {
		// As internal/graph: an incident's alerts come from GET incidents/{id}.
		return source.Page[source.Alert]{}, fmt.Errorf("incident %q: %w", q.IncidentID, source.ErrNotFound)
	}
	var out []source.Alert
	for _, a := range f.alerts {
		if !q.Since.IsZero() && a.CreatedDateTime.Before(q.Since) || !q.Until.IsZero() && a.CreatedDateTime.After(q.Until) {
			continue
		}
		match := q.User == "" && q.Device == ""
		for _, e := range a.Evidence {
			if q.User != "" && strings.EqualFold(e.UserPrincipalName, q.User) || q.Device != "" && strings.EqualFold(e.DeviceName, q.Device) {
				match = true
			}
		}
		if match {
			out = append(out, a)
		}
	}
	return source.Page[source.Alert]{Items: out}, nil
}

func (f *exGraph) GetAlert(_ context.Context, id string) (source.Alert, error) {
	a, ok := f.alerts[id]
	if !ok {
		return a, fmt.Errorf("alert %q: %w", id, source.ErrNotFound)
	}
	return a, nil
}

func (f *exGraph) RunHuntingQuery(_ context.Context, q string) (*source.Table, error) {
	f.mu.Lock()
	f.queries = append(f.queries, q)
	f.mu.Unlock()
	if f.hunt == nil {
		return &source.Table{Columns: []source.Column{{Name: "x", Type: "string"}}}, nil
	}
	return f.hunt(q)
}

func (f *exGraph) ListSignIns(context.Context, source.SignInQuery) (source.Page[source.SignIn], error) {
	return source.Page[source.SignIn]{}, nil
}
func (f *exGraph) GetSignIn(context.Context, string) (source.SignIn, error) {
	return source.SignIn{}, source.ErrNotFound
}
func (f *exGraph) ListRiskyUsers(_ context.Context, q source.RiskQuery) (source.Page[source.RiskyUser], error) {
	var out []source.RiskyUser
	for _, r := range f.risky {
		if strings.EqualFold(r.UserPrincipalName, q.User) {
			out = append(out, r)
		}
	}
	return source.Page[source.RiskyUser]{Items: out}, nil
}
func (f *exGraph) ListRiskDetections(context.Context, source.RiskQuery) (source.Page[source.RiskDetection], error) {
	return source.Page[source.RiskDetection]{}, nil
}
func (f *exGraph) ListCAPolicies(context.Context) ([]source.CAPolicy, error) { return nil, nil }
func (f *exGraph) ListNamedLocations(context.Context) ([]source.NamedLocation, error) {
	return nil, nil
}
func (f *exGraph) GetUser(_ context.Context, id string) (source.User, error) {
	u, ok := f.users[strings.ToLower(id)]
	if !ok {
		return u, fmt.Errorf("user %q: %w", id, source.ErrNotFound)
	}
	return u, nil
}
func (f *exGraph) ListManagedDevices(_ context.Context, q source.DeviceQuery) (source.Page[source.ManagedDevice], error) {
	var out []source.ManagedDevice
	for _, d := range f.devices {
		if strings.EqualFold(d.DeviceName, q.DeviceName) {
			out = append(out, d)
		}
	}
	return source.Page[source.ManagedDevice]{Items: out}, nil
}
func (f *exGraph) GetManagedDevice(context.Context, string) (source.ManagedDevice, error) {
	return source.ManagedDevice{}, source.ErrNotFound
}
func (f *exGraph) ListDeviceCompliance(context.Context, string) ([]source.CompliancePolicyState, error) {
	return nil, nil
}
func (f *exGraph) ListCompliancePolicies(context.Context) ([]source.CompliancePolicy, error) {
	return nil, nil
}

// exStory is a small lateral-movement incident: a laptop, a file server,
// an admin account, and one alert outside the incident on the same laptop.
func exStory(now time.Time) *exGraph {
	t0 := now.Add(-30 * time.Hour)
	victim := source.Evidence{Kind: "userEvidence", UserPrincipalName: "Pat.Lee@contoso.com", AccountName: "plee", Verdict: "suspicious"}
	admin := source.Evidence{Kind: "userEvidence", UserPrincipalName: "adm-kim@contoso.com", AccountName: "adm-kim", Verdict: "suspicious"}
	laptop := source.Evidence{Kind: "deviceEvidence", DeviceName: "ct-lt-0042.contoso.com", OSPlatform: "Windows11", Verdict: "suspicious"}
	server := source.Evidence{Kind: "deviceEvidence", DeviceName: "ct-fs-01.contoso.com", OSPlatform: "WindowsServer2022", Verdict: "suspicious"}
	alerts := map[string]source.Alert{
		"da1_-1": {ID: "da1_-1", IncidentID: "77", Title: "Suspicious PowerShell command line", Severity: "medium", Status: "new",
			Category: "Execution", ServiceSource: "microsoftDefenderForEndpoint", DetectionSource: "microsoftDefenderForEndpoint",
			DetectorID: "0d5d6a1c-2f3e-4b5c-8d9e-0a1b2c3d4e5f", MitreTechniques: []string{"T1059.001", "T1027"},
			Description: "PowerShell ran an encoded command on ct-lt-0042.", CreatedDateTime: t0.Add(3 * time.Minute),
			FirstActivityTime: t0, LastActivityTime: t0.Add(time.Minute),
			Evidence: []source.Evidence{victim, laptop, {Kind: "processEvidence", DeviceName: "ct-lt-0042.contoso.com", FileName: "powershell.exe",
				ProcessCommandLine: "powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA", SHA256: strings.Repeat("9f", 32), Verdict: "malicious"},
				{Kind: "ipEvidence", IPAddress: "203.0.113.50", CountryCode: "NL", Verdict: "suspicious"}}},
		"da2_-2": {ID: "da2_-2", IncidentID: "77", Title: "Suspicious service creation by PsExec", Severity: "high", Status: "new",
			Category: "LateralMovement", ServiceSource: "microsoftDefenderForEndpoint", DetectionSource: "microsoftDefenderForEndpoint",
			MitreTechniques: []string{"T1021.002", "T1569.002"}, CreatedDateTime: t0.Add(63 * time.Minute),
			FirstActivityTime: t0.Add(time.Hour), LastActivityTime: t0.Add(time.Hour + time.Minute),
			Evidence: []source.Evidence{admin, laptop, server, {Kind: "processEvidence", DeviceName: "ct-lt-0042.contoso.com", FileName: "PsExec64.exe",
				ProcessCommandLine: `PsExec64.exe \\ct-fs-01 -s cmd.exe`, Verdict: "suspicious"}}},
		"da3_-3": {ID: "da3_-3", IncidentID: "77", Title: "Suspicious access to LSASS service", Severity: "high", Status: "new",
			Category: "CredentialAccess", ServiceSource: "microsoftDefenderForEndpoint", MitreTechniques: []string{"T1003.001"},
			CreatedDateTime: t0.Add(33 * time.Minute), FirstActivityTime: t0.Add(30 * time.Minute), LastActivityTime: t0.Add(30 * time.Minute),
			Evidence: []source.Evidence{laptop, admin}},
		"da9_-9": {ID: "da9_-9", Title: "Unwanted software detected", Severity: "low", Status: "resolved", Category: "UnwantedSoftware",
			ServiceSource: "microsoftDefenderForEndpoint", CreatedDateTime: t0.Add(-48 * time.Hour),
			FirstActivityTime: t0.Add(-48 * time.Hour), LastActivityTime: t0.Add(-48 * time.Hour), Evidence: []source.Evidence{laptop}},
		"da0_-0": {ID: "da0_-0", IncidentID: "78", Title: "Alert without evidence", Severity: "medium", Status: "new", Category: "Persistence",
			ServiceSource: "microsoftDefenderForEndpoint", MitreTechniques: []string{"T1547.001"}, CreatedDateTime: t0, FirstActivityTime: t0, LastActivityTime: t0},
	}
	return &exGraph{
		incidents: map[string]source.Incident{
			"77": {ID: "77", DisplayName: "Lateral movement from a laptop", Severity: "high", Status: "active", CreatedDateTime: t0},
			"78": {ID: "78", DisplayName: "Persistence", Severity: "medium", Status: "active", CreatedDateTime: t0}},
		alerts: alerts,
		risky:  []source.RiskyUser{{ID: "u1", UserPrincipalName: "Pat.Lee@contoso.com", RiskLevel: "high", RiskState: "atRisk", RiskLastUpdated: t0}},
		devices: []source.ManagedDevice{{ID: "5b0c7e8e-0000-4000-8000-00000000a042", DeviceName: "CT-LT-0042", ComplianceState: "noncompliant",
			OperatingSystem: "Windows", LastSyncDateTime: t0.Add(-2 * time.Hour)}},
		users: map[string]source.User{
			"pat.lee@contoso.com": {ID: "u1", UserPrincipalName: "Pat.Lee@contoso.com", DisplayName: "Pat Lee"},
			"adm-kim@contoso.com": {ID: "u2", UserPrincipalName: "adm-kim@contoso.com", DisplayName: "Kim (admin)",
				Roles: []string{"62e90394-69f5-4237-9190-012177145e10"}}},
	}
}
