package intune

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// fakeGraph serves a tiny Intune tenant; methods the tools must not call panic
// through the nil embedded interface.
type fakeGraph struct {
	source.Graph
	devices  []source.ManagedDevice
	states   map[string][]source.CompliancePolicyState
	policies []source.CompliancePolicy
	cas      []source.CAPolicy
	users    map[string]source.User
	failCA   error
	failPol  error
	calls    []string
}

func (f *fakeGraph) GetManagedDevice(_ context.Context, id string) (source.ManagedDevice, error) {
	f.calls = append(f.calls, "device "+id)
	for _, d := range f.devices {
		if d.ID == id {
			return d, nil
		}
	}
	return source.ManagedDevice{}, fmt.Errorf("device %s: %w", id, source.ErrNotFound)
}

func (f *fakeGraph) ListManagedDevices(_ context.Context, q source.DeviceQuery) (source.Page[source.ManagedDevice], error) {
	var out []source.ManagedDevice
	for _, d := range f.devices {
		if (q.ComplianceState == "" || q.ComplianceState == d.ComplianceState) && (q.OS == "" || q.OS == d.OperatingSystem) {
			out = append(out, d)
		}
	}
	if q.Skip >= len(out) {
		return source.Page[source.ManagedDevice]{}, nil
	}
	out = out[q.Skip:]
	page := source.Page[source.ManagedDevice]{Items: out}
	if q.Top > 0 && len(out) > q.Top {
		page.Items, page.Next = out[:q.Top], "more"
	}
	return page, nil
}

func (f *fakeGraph) ListDeviceCompliance(_ context.Context, id string) ([]source.CompliancePolicyState, error) {
	if s, ok := f.states[id]; ok {
		return s, nil
	}
	return nil, fmt.Errorf("states %s: %w", id, source.ErrNotFound)
}

func (f *fakeGraph) ListCompliancePolicies(context.Context) ([]source.CompliancePolicy, error) {
	return f.policies, f.failPol
}

func (f *fakeGraph) ListCAPolicies(context.Context) ([]source.CAPolicy, error) {
	return f.cas, f.failCA
}

func (f *fakeGraph) GetUser(_ context.Context, upn string) (source.User, error) {
	if u, ok := f.users[upn]; ok {
		return u, nil
	}
	return source.User{}, source.ErrNotFound
}

func callWith(g source.Graph) tools.Call {
	t := tenant.New("acme", "00000000-0000-4000-8000-000000000001", "demo", true, ratelimit.New(ratelimit.Default),
		func(context.Context) (*tenant.Sources, error) { return &tenant.Sources{Graph: g}, nil })
	return tools.Call{Tenant: t, Principal: "test"}
}

func state(policy, setting, st, cur string) source.CompliancePolicyState {
	return source.CompliancePolicyState{ID: "st-" + policy, DisplayName: policy, State: st, SettingCount: 1,
		SettingStates: []source.SettingState{{Setting: "Windows10CompliancePolicy." + setting, SettingName: setting, State: st, CurrentValue: cur}}}
}

// smallTenant: two Windows laptops (one failing real-time protection, one
// failing the OS version within its grace period), one policy per concern,
// one CA policy that requires a compliant device on Windows.
func smallTenant() *fakeGraph {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	return &fakeGraph{
		devices: []source.ManagedDevice{
			{ID: "d1", DeviceName: "AC-LT-1", OperatingSystem: "Windows", OSVersion: "10.0.22631.4000", ComplianceState: "noncompliant",
				UserPrincipalName: "ann@acme.test", ComplianceGracePeriodExpiration: now.Add(-48 * time.Hour), LastSyncDateTime: now.Add(-time.Hour), IsEncrypted: true},
			{ID: "d2", DeviceName: "AC-LT-2", OperatingSystem: "Windows", OSVersion: "10.0.19044.1000", ComplianceState: "inGracePeriod",
				UserPrincipalName: "bob@acme.test", ComplianceGracePeriodExpiration: now.Add(24 * time.Hour), LastSyncDateTime: now.Add(-time.Hour), IsEncrypted: true},
			{ID: "d3", DeviceName: "AC-LT-3", OperatingSystem: "Windows", OSVersion: "10.0.22631.4100", ComplianceState: "compliant",
				ComplianceGracePeriodExpiration: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), LastSyncDateTime: now, IsEncrypted: true},
		},
		states: map[string][]source.CompliancePolicyState{
			"d1": {state("Defender", "RtpEnabled", "nonCompliant", "false"), state("Base", "OsMinimumVersion", "compliant", "10.0.22631.4000")},
			"d2": {state("Defender", "RtpEnabled", "compliant", "true"), state("Base", "OsMinimumVersion", "nonCompliant", "10.0.19044.1000")},
			"d3": {state("Defender", "RtpEnabled", "compliant", "true"), state("Base", "OsMinimumVersion", "compliant", "10.0.22631.4100")},
		},
		policies: []source.CompliancePolicy{
			{ID: "p-def", DisplayName: "Defender", ODataType: "#microsoft.graph.windows10CompliancePolicy", Settings: map[string]any{"rtpEnabled": true}},
			{ID: "p-base", DisplayName: "Base", ODataType: "#microsoft.graph.windows10CompliancePolicy", GracePeriodHours: 72,
				Settings: map[string]any{"osMinimumVersion": "10.0.19045.0", "passwordMinimumLength": int32(8)}},
		},
		cas: []source.CAPolicy{
			{ID: "ca1", DisplayName: "Require compliant device", State: "enabled", IncludeUsers: []string{"All"},
				IncludePlatforms: []string{"windows"}, GrantOperator: "OR", BuiltInControls: []string{"compliantDevice", "domainJoinedDevice"}},
			{ID: "ca2", DisplayName: "Mobile only", State: "enabled", IncludeUsers: []string{"All"},
				IncludePlatforms: []string{"iOS"}, BuiltInControls: []string{"compliantDevice"}},
			{ID: "ca3", DisplayName: "Excluded", State: "enabled", IncludeUsers: []string{"All"}, ExcludeUsers: []string{"u-ann"},
				BuiltInControls: []string{"compliantDevice"}},
		},
		users: map[string]source.User{"ann@acme.test": {ID: "u-ann", UserPrincipalName: "ann@acme.test"},
			"bob@acme.test": {ID: "u-bob", UserPrincipalName: "bob@acme.test"}},
	}
}

// docsOf serves the fake's objects in the shapes resources/read uses.
func docsOf(f *fakeGraph) cite.Fetcher {
	m := map[string]any{BaselineURI: BaselineJSON()}
	for _, d := range f.devices {
		m[resources.URI("acme", resources.KindDevice, d.ID)] = deviceDoc{d, f.states[d.ID]}
	}
	for _, p := range f.policies {
		m[resources.URI("acme", resources.KindPolicy, p.ID)] = p
	}
	for _, p := range f.cas {
		m[resources.URI("acme", resources.KindPolicy, p.ID)] = p
	}
	for upn, u := range f.users {
		m[resources.URI("acme", resources.KindUser, upn)] = u
	}
	return cite.JSONFetcher(m)
}

func mustCheck(t *testing.T, f *fakeGraph, claims []cite.Claim) {
	t.Helper()
	rep, err := cite.Check(context.Background(), claims, docsOf(f))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Factual == 0 {
		t.Errorf("citations: %s", rep)
	}
}

func TestExplainDevice(t *testing.T) {
	f := smallTenant()
	res, err := ExplainCompliance(context.Background(), callWith(f), ExplainParams{DeviceID: "d1"})
	if err != nil {
		t.Fatal(err)
	}
	d := res.Device
	if d == nil || len(d.Failing) != 1 {
		t.Fatalf("want one failing setting, got %+v", res)
	}
	fs := d.Failing[0]
	if fs.Setting != "rtpEnabled" || fs.Actual != "false" || fs.Configured != true || fs.PolicyID != "p-def" ||
		!strings.Contains(fs.Requires, "real-time protection must be on") || !strings.Contains(fs.Why, "rtpEnabled = false; the policy's requirement") {
		t.Errorf("failing setting: %+v", fs)
	}
	// ca1 applies (Windows, all users); ca2 is iOS only; ca3 excludes ann.
	if len(d.ConditionalAccess) != 1 || d.ConditionalAccess[0].PolicyID != "ca1" || d.ConditionalAccess[0].Alternatives[0] != "domainJoinedDevice" {
		t.Errorf("CA impacts: %+v", d.ConditionalAccess)
	}
	if d.Grace.BlockedFrom.IsZero() || !d.Grace.BlockedFrom.Equal(f.devices[0].ComplianceGracePeriodExpiration) {
		t.Errorf("grace: %+v", d.Grace)
	}
	if res.Citations.Dropped != 0 || len(res.MissingSources) != 0 {
		t.Errorf("citations %+v missing %+v", res.Citations, res.MissingSources)
	}
	mustCheck(t, f, res.Claims())
	if testing.Verbose() {
		t.Log(res.Text())
	}
	if !strings.Contains(res.Text(), "[1]: secmcp://acme/devices/d1") {
		t.Errorf("text lacks its footnotes:\n%s", res.Text())
	}
}

func TestExplainDeviceInGrace(t *testing.T) {
	f := smallTenant()
	res, err := ExplainCompliance(context.Background(), callWith(f), ExplainParams{DeviceID: "d2"})
	if err != nil {
		t.Fatal(err)
	}
	g := res.Device.Grace
	if g.ComplianceState != "inGracePeriod" || !g.BlockedFrom.Equal(f.devices[1].ComplianceGracePeriodExpiration) || g.PolicyGraceHours["Base"] != 72 {
		t.Errorf("grace: %+v", g)
	}
	fs := res.Device.Failing[0]
	if fs.Setting != "osMinimumVersion" || fs.Actual != "10.0.19044.1000" || fs.Configured != "10.0.19045.0" {
		t.Errorf("failing: %+v", fs)
	}
	mustCheck(t, f, res.Claims())
}

func TestExplainMissingSourcesAndBadInput(t *testing.T) {
	f := smallTenant()
	f.failCA = errors.New("graph: list CA policies: 503 Service Unavailable")
	res, err := ExplainCompliance(context.Background(), callWith(f), ExplainParams{DeviceID: "d1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.MissingSources) != 1 || res.MissingSources[0].Source != srcCA || len(res.Device.ConditionalAccess) != 0 {
		t.Errorf("missing: %+v", res.MissingSources)
	}
	if !strings.Contains(res.Text(), "Missing source: "+srcCA) {
		t.Errorf("text does not name the missing source:\n%s", res.Text())
	}
	_, err = ExplainCompliance(context.Background(), callWith(f), ExplainParams{DeviceID: "nope"})
	var te *tools.ToolError
	if !errors.As(err, &te) || te.Kind != "not_found" {
		t.Errorf("unknown device: %v", err)
	}
	for _, p := range []ExplainParams{{}, {DeviceID: "d1", Fleet: true}, {DeviceID: "d1", Top: 3}} {
		if err := p.Validate(); err == nil {
			t.Errorf("%+v: want a validation error", p)
		}
	}
}

func TestExplainFleet(t *testing.T) {
	f := smallTenant()
	res, err := ExplainCompliance(context.Background(), callWith(f), ExplainParams{Fleet: true})
	if err != nil {
		t.Fatal(err)
	}
	fl := res.Fleet
	if fl == nil || fl.Examined != 2 || fl.ByState["noncompliant"] != 1 || fl.ByState["inGracePeriod"] != 1 || len(fl.Reasons) != 2 {
		t.Fatalf("fleet: %+v", fl)
	}
	for _, r := range fl.Reasons {
		if r.Devices != 1 || len(r.Examples) != 1 || len(r.Requires) != 1 {
			t.Errorf("reason %+v", r)
		}
	}
	mustCheck(t, f, res.Claims())
}

func TestMeets(t *testing.T) {
	cases := []struct {
		prop   string
		req    any
		actual string
		ok     bool
		known  bool
	}{
		{"rtpEnabled", true, "false", false, true},
		{"rtpEnabled", true, "true", true, true},
		{"rtpEnabled", false, "", true, true},
		{"passwordMinimumLength", 12, "8", false, true},
		{"passwordMinimumLength", int32(8), "12", true, true},
		{"passwordMinimumLength", 8, "", false, false},
		{"osMinimumVersion", "10.0.19045.0", "10.0.19044.1458", false, true},
		{"osMinimumVersion", "14.0", "14.6.1", true, true},
		{"osMinimumVersion", "13", "11", false, true},
		{"osMinimumVersion", "13", "beta", false, false},
		{"deviceThreatProtectionRequiredSecurityLevel", "medium", "high", false, true},
		{"deviceThreatProtectionRequiredSecurityLevel", "medium", "low", true, true},
		{"securityBlockJailbrokenDevices", true, "true", false, true},
		{"minAndroidSecurityPatchLevel", "2024-01-01", "2024-06-01", true, true},
		{"gatekeeperAllowedAppSource", "macAppStoreAndIdentifiedDevelopers", "anywhere", false, true},
	}
	for _, c := range cases {
		ok, known := meets(c.prop, c.req, c.actual)
		if ok != c.ok || known != c.known {
			t.Errorf("meets(%s, %v, %q) = %v,%v; want %v,%v", c.prop, c.req, c.actual, ok, known, c.ok, c.known)
		}
	}
}

func TestBaselineResourceIsJSON(t *testing.T) {
	var doc baselineDoc
	if err := json.Unmarshal([]byte(BaselineJSON()), &doc); err != nil || len(doc.Rules) != len(Baseline) {
		t.Fatalf("baseline resource: %v", err)
	}
	for _, r := range Baseline {
		if _, ok := settings[r.Setting]; !ok {
			t.Errorf("baseline rule %s has no plain-English description", r.Setting)
		}
	}
}
