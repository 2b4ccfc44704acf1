package entra

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/tools"
)

// fakeGraph is a hand-built source.Graph; fail maps a method name to the error it returns.
type fakeGraph struct {
	signIns    []source.SignIn
	users      []source.User
	risky      []source.RiskyUser
	detections []source.RiskDetection
	policies   []source.CAPolicy
	locations  []source.NamedLocation
	fail       map[string]error
}

func (f *fakeGraph) err(m string) error { return f.fail[m] }

func inWindow(t time.Time, o source.ListOptions) bool {
	return (o.Since.IsZero() || !t.Before(o.Since)) && (o.Until.IsZero() || !t.After(o.Until))
}

func page[T any](items []T, o source.ListOptions) source.Page[T] {
	top := o.Top
	if top <= 0 {
		top = 25
	}
	if o.Skip >= len(items) {
		return source.Page[T]{}
	}
	end := min(len(items), o.Skip+top)
	p := source.Page[T]{Items: items[o.Skip:end]}
	if end < len(items) {
		p.Next = fmt.Sprint(end)
	}
	return p
}

func (f *fakeGraph) ListIncidents(context.Context, source.IncidentQuery) (source.Page[source.Incident], error) {
	return source.Page[source.Incident]{}, fmt.Errorf("not used")
}
func (f *fakeGraph) GetIncident(context.Context, string) (source.Incident, error) {
	return source.Incident{}, fmt.Errorf("not used")
}
func (f *fakeGraph) ListAlerts(context.Context, source.AlertQuery) (source.Page[source.Alert], error) {
	return source.Page[source.Alert]{}, fmt.Errorf("not used")
}
func (f *fakeGraph) GetAlert(context.Context, string) (source.Alert, error) {
	return source.Alert{}, fmt.Errorf("not used")
}
func (f *fakeGraph) RunHuntingQuery(context.Context, string) (*source.Table, error) {
	return nil, fmt.Errorf("not used")
}

func (f *fakeGraph) ListSignIns(_ context.Context, q source.SignInQuery) (source.Page[source.SignIn], error) {
	if err := f.err("ListSignIns"); err != nil {
		return source.Page[source.SignIn]{}, err
	}
	var out []source.SignIn
	for _, s := range f.signIns {
		switch {
		case !inWindow(s.CreatedDateTime, q.ListOptions),
			q.User != "" && !strings.EqualFold(q.User, s.UserPrincipalName),
			q.IPAddress != "" && q.IPAddress != s.IPAddress,
			q.RiskLevel != "" && q.RiskLevel != s.RiskLevelDuringSignIn,
			q.Failed != nil && *q.Failed != (s.ErrorCode != 0):
			continue
		}
		out = append(out, s)
	}
	return page(out, q.ListOptions), nil
}

func (f *fakeGraph) GetSignIn(_ context.Context, id string) (source.SignIn, error) {
	if err := f.err("GetSignIn"); err != nil {
		return source.SignIn{}, err
	}
	for _, s := range f.signIns {
		if s.ID == id {
			return s, nil
		}
	}
	return source.SignIn{}, fmt.Errorf("sign-in %q: %w", id, source.ErrNotFound)
}

func (f *fakeGraph) ListRiskyUsers(_ context.Context, q source.RiskQuery) (source.Page[source.RiskyUser], error) {
	if err := f.err("ListRiskyUsers"); err != nil {
		return source.Page[source.RiskyUser]{}, err
	}
	var out []source.RiskyUser
	for _, r := range f.risky {
		if q.User == "" || strings.EqualFold(q.User, r.UserPrincipalName) {
			out = append(out, r)
		}
	}
	return page(out, q.ListOptions), nil
}

func (f *fakeGraph) ListRiskDetections(_ context.Context, q source.RiskQuery) (source.Page[source.RiskDetection], error) {
	if err := f.err("ListRiskDetections"); err != nil {
		return source.Page[source.RiskDetection]{}, err
	}
	var out []source.RiskDetection
	for _, d := range f.detections {
		if (q.User == "" || strings.EqualFold(q.User, d.UserPrincipalName)) && inWindow(d.DetectedDateTime, q.ListOptions) {
			out = append(out, d)
		}
	}
	return page(out, q.ListOptions), nil
}

func (f *fakeGraph) ListCAPolicies(context.Context) ([]source.CAPolicy, error) {
	return f.policies, f.err("ListCAPolicies")
}

func (f *fakeGraph) ListNamedLocations(context.Context) ([]source.NamedLocation, error) {
	if err := f.err("ListNamedLocations"); err != nil {
		return nil, err
	}
	return f.locations, nil
}

func (f *fakeGraph) GetUser(_ context.Context, id string) (source.User, error) {
	if err := f.err("GetUser"); err != nil {
		return source.User{}, err
	}
	for _, u := range f.users {
		if strings.EqualFold(u.UserPrincipalName, id) || u.ID == id {
			return u, nil
		}
	}
	return source.User{}, fmt.Errorf("user %q: %w", id, source.ErrNotFound)
}

func (f *fakeGraph) ListManagedDevices(context.Context, source.DeviceQuery) (source.Page[source.ManagedDevice], error) {
	return source.Page[source.ManagedDevice]{}, fmt.Errorf("not used")
}
func (f *fakeGraph) GetManagedDevice(context.Context, string) (source.ManagedDevice, error) {
	return source.ManagedDevice{}, fmt.Errorf("not used")
}
func (f *fakeGraph) ListDeviceCompliance(context.Context, string) ([]source.CompliancePolicyState, error) {
	return nil, fmt.Errorf("not used")
}
func (f *fakeGraph) ListCompliancePolicies(context.Context) ([]source.CompliancePolicy, error) {
	return nil, fmt.Errorf("not used")
}

var testNow = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func newCall(g source.Graph) tools.Call {
	t := tenant.New("contoso", "00000000-0000-4000-8000-000000000001", "demo", true, ratelimit.New(ratelimit.Default),
		func(context.Context) (*tenant.Sources, error) { return &tenant.Sources{Graph: g}, nil })
	t.Now = func() time.Time { return testNow }
	return tools.Call{Tenant: t, Principal: "test"}
}
