package defender

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/tools"
)

// fakeGraph is a hand-built source.Graph for the summary's unit tests.
// fail maps a method name to the error it returns.
type fakeGraph struct {
	mu         sync.Mutex
	incidents  map[string]source.Incident
	alerts     []source.Alert // alerts_v2 outside incidents (DLP)
	signIns    []source.SignIn
	detections []source.RiskDetection
	risky      []source.RiskyUser
	devices    []source.ManagedDevice
	states     map[string][]source.CompliancePolicyState
	fail       map[string]error
	calls      map[string]int
}

func (f *fakeGraph) hit(m string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[m]++
	return f.fail[m]
}

func (f *fakeGraph) ListIncidents(context.Context, source.IncidentQuery) (source.Page[source.Incident], error) {
	return source.Page[source.Incident]{}, fmt.Errorf("not used")
}

func (f *fakeGraph) GetIncident(_ context.Context, id string) (source.Incident, error) {
	if err := f.hit("GetIncident"); err != nil {
		return source.Incident{}, err
	}
	in, ok := f.incidents[id]
	if !ok {
		return in, fmt.Errorf("incident %q: %w", id, source.ErrNotFound)
	}
	return in, nil
}

func (f *fakeGraph) ListAlerts(_ context.Context, q source.AlertQuery) (source.Page[source.Alert], error) {
	if err := f.hit("ListAlerts"); err != nil {
		return source.Page[source.Alert]{}, err
	}
	var out []source.Alert
	for _, a := range f.alerts {
		if q.ServiceSource != "" && a.ServiceSource != q.ServiceSource {
			continue
		}
		if !q.Since.IsZero() && a.CreatedDateTime.Before(q.Since) || !q.Until.IsZero() && a.CreatedDateTime.After(q.Until) {
			continue
		}
		out = append(out, a)
	}
	return source.Page[source.Alert]{Items: out}, nil
}

func (f *fakeGraph) GetAlert(context.Context, string) (source.Alert, error) {
	return source.Alert{}, fmt.Errorf("not used")
}

func (f *fakeGraph) RunHuntingQuery(context.Context, string) (*source.Table, error) {
	return nil, fmt.Errorf("not used")
}

func (f *fakeGraph) ListSignIns(_ context.Context, q source.SignInQuery) (source.Page[source.SignIn], error) {
	if err := f.hit("ListSignIns"); err != nil {
		return source.Page[source.SignIn]{}, err
	}
	var out []source.SignIn
	for _, s := range f.signIns {
		if strings.EqualFold(s.UserPrincipalName, q.User) && !s.CreatedDateTime.Before(q.Since) && !s.CreatedDateTime.After(q.Until) {
			out = append(out, s)
		}
	}
	return source.Page[source.SignIn]{Items: out}, nil
}

func (f *fakeGraph) GetSignIn(context.Context, string) (source.SignIn, error) {
	return source.SignIn{}, fmt.Errorf("not used")
}

func (f *fakeGraph) ListRiskyUsers(_ context.Context, q source.RiskQuery) (source.Page[source.RiskyUser], error) {
	if err := f.hit("ListRiskyUsers"); err != nil {
		return source.Page[source.RiskyUser]{}, err
	}
	var out []source.RiskyUser
	for _, r := range f.risky {
		if strings.EqualFold(r.UserPrincipalName, q.User) {
			out = append(out, r)
		}
	}
	return source.Page[source.RiskyUser]{Items: out}, nil
}

func (f *fakeGraph) ListRiskDetections(_ context.Context, q source.RiskQuery) (source.Page[source.RiskDetection], error) {
	if err := f.hit("ListRiskDetections"); err != nil {
		return source.Page[source.RiskDetection]{}, err
	}
	var out []source.RiskDetection
	for _, d := range f.detections {
		if strings.EqualFold(d.UserPrincipalName, q.User) {
			out = append(out, d)
		}
	}
	return source.Page[source.RiskDetection]{Items: out}, nil
}

func (f *fakeGraph) ListCAPolicies(context.Context) ([]source.CAPolicy, error) { return nil, nil }

func (f *fakeGraph) ListNamedLocations(context.Context) ([]source.NamedLocation, error) {
	return nil, nil
}

func (f *fakeGraph) GetUser(context.Context, string) (source.User, error) {
	return source.User{}, fmt.Errorf("not used")
}

func (f *fakeGraph) ListManagedDevices(_ context.Context, q source.DeviceQuery) (source.Page[source.ManagedDevice], error) {
	if err := f.hit("ListManagedDevices"); err != nil {
		return source.Page[source.ManagedDevice]{}, err
	}
	var out []source.ManagedDevice
	for _, d := range f.devices {
		if strings.EqualFold(d.DeviceName, q.DeviceName) { // Graph eq on strings ignores case
			out = append(out, d)
		}
	}
	return source.Page[source.ManagedDevice]{Items: out}, nil
}

func (f *fakeGraph) GetManagedDevice(context.Context, string) (source.ManagedDevice, error) {
	return source.ManagedDevice{}, fmt.Errorf("not used")
}

func (f *fakeGraph) ListDeviceCompliance(_ context.Context, id string) ([]source.CompliancePolicyState, error) {
	if err := f.hit("ListDeviceCompliance"); err != nil {
		return nil, err
	}
	return f.states[id], nil
}

func (f *fakeGraph) ListCompliancePolicies(context.Context) ([]source.CompliancePolicy, error) {
	return nil, nil
}

var testClock = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// fakeCall returns a call for tenant "contoso" served by g.
func fakeCall(g source.Graph) tools.Call {
	t := tenant.New("contoso", "00000000-0000-4000-8000-000000000001", "demo", true, ratelimit.New(ratelimit.Default),
		func(context.Context) (*tenant.Sources, error) { return &tenant.Sources{Graph: g}, nil })
	t.Now = func() time.Time { return testClock }
	return tools.Call{Tenant: t, Principal: "test"}
}

// storyGraph is a small phishing-to-exfiltration incident with linked data.
func storyGraph() *fakeGraph {
	t0 := testClock.Add(-48 * time.Hour)
	user := source.Evidence{Kind: "userEvidence", UserPrincipalName: "Amy.Ng@contoso.com", AccountName: "ang"}
	dev := source.Evidence{Kind: "deviceEvidence", DeviceName: "ct-lt-0042.contoso.com", DeviceID: "aaaabbbbccccddddeeeeffff0000111122223333"}
	alerts := []source.Alert{
		{ID: "a3", Title: "Possible exfiltration of archived data", Severity: "high", Status: "new", Category: "Exfiltration",
			ServiceSource: "microsoftDefenderForEndpoint", MitreTechniques: []string{"T1567.002"},
			FirstActivityTime: t0.Add(90 * time.Minute), LastActivityTime: t0.Add(100 * time.Minute),
			Evidence: []source.Evidence{dev, {Kind: "fileEvidence", FileName: "loot.zip", SHA256: strings.Repeat("ab", 32)}, {Kind: "ipEvidence", IPAddress: "192.0.2.9", CountryCode: "RO"}}},
		{ID: "a1", Title: "Email messages containing malicious URL removed after delivery", Severity: "medium", Status: "resolved",
			Classification: "truePositive", Category: "InitialAccess", ServiceSource: "microsoftDefenderForOffice365",
			MitreTechniques: []string{"T1566.002"}, FirstActivityTime: t0, LastActivityTime: t0.Add(5 * time.Minute),
			Evidence: []source.Evidence{user, {Kind: "mailboxEvidence", MailboxUPN: "amy.ng@contoso.com", UserPrincipalName: "amy.ng@contoso.com"},
				{Kind: "urlEvidence", URL: "https://lure.example/x"}, {Kind: "analyzedMessageEvidence", Subject: "Invoice overdue"}}},
		{ID: "a2", Title: "Suspicious PowerShell command line", Severity: "high", Status: "inProgress", Category: "Execution",
			ServiceSource: "microsoftDefenderForEndpoint", MitreTechniques: []string{"T1059.001", "T9999"},
			FirstActivityTime: t0.Add(30 * time.Minute), LastActivityTime: t0.Add(31 * time.Minute),
			Evidence: []source.Evidence{user, dev, {Kind: "processEvidence", FileName: "powershell.exe", ProcessCommandLine: "powershell -enc AAAA", SHA256: strings.Repeat("cd", 32)},
				{Kind: "cloudApplicationEvidence", AppName: "Microsoft Exchange Online", AppID: "20893"}}},
	}
	return &fakeGraph{
		incidents: map[string]source.Incident{"7": {ID: "7", DisplayName: "Phish to exfil", Severity: "high", Status: "active",
			CreatedDateTime: t0, LastUpdateDateTime: t0.Add(2 * time.Hour), Comments: []string{"Isolated CT-LT-0042."}, Alerts: alerts}},
		alerts: []source.Alert{{ID: "dlp1", Title: "DLP policy matched for loot.zip", ServiceSource: serviceDLP, CreatedDateTime: t0.Add(95 * time.Minute),
			FirstActivityTime: t0.Add(95 * time.Minute), AdditionalProperties: map[string]string{"dlpPolicyName": "Finance", "actionTaken": "block"},
			Evidence: []source.Evidence{{Kind: "userEvidence", UserPrincipalName: "amy.ng@contoso.com"}}}},
		signIns: []source.SignIn{
			{ID: "s1", UserPrincipalName: "amy.ng@contoso.com", CreatedDateTime: t0.Add(40 * time.Minute), IPAddress: "192.0.2.9", CountryOrRegion: "RO",
				AppDisplayName: "OfficeHome", RiskLevelDuringSignIn: "high", RiskEventTypes: []string{"unfamiliarFeatures"}},
			{ID: "s2", UserPrincipalName: "amy.ng@contoso.com", CreatedDateTime: t0.Add(-time.Hour), RiskLevelDuringSignIn: "none"},
		},
		detections: []source.RiskDetection{
			{ID: "d1", UserPrincipalName: "amy.ng@contoso.com", RiskEventType: "unfamiliarFeatures", RiskLevel: "high", RequestID: "s1", ActivityDateTime: t0.Add(40 * time.Minute)},
			{ID: "d2", UserPrincipalName: "amy.ng@contoso.com", RiskEventType: "leakedCredentials", RiskLevel: "high", ActivityDateTime: t0.Add(20 * time.Minute)},
		},
		risky:   []source.RiskyUser{{ID: "u1", UserPrincipalName: "amy.ng@contoso.com", RiskLevel: "high", RiskState: "atRisk"}},
		devices: []source.ManagedDevice{{ID: "md1", DeviceName: "CT-LT-0042", ComplianceState: "noncompliant"}},
		states: map[string][]source.CompliancePolicyState{"md1": {{ID: "p1", DisplayName: "Windows baseline", State: "nonCompliant",
			SettingStates: []source.SettingState{{Setting: "Windows10CompliancePolicy.RtpEnabled", SettingName: "RtpEnabled", State: "nonCompliant"},
				{Setting: "Windows10CompliancePolicy.BitLockerEnabled", SettingName: "BitLockerEnabled", State: "compliant"}}}}},
	}
}
