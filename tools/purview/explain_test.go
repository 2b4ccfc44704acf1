package purview

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// fakeGraph serves a few alerts, one user, one device and canned hunting
// tables (by the query's first line, the table name).
type fakeGraph struct {
	source.Graph
	mu        sync.Mutex
	alerts    []source.Alert
	incidents map[string]source.Incident
	users     map[string]source.User
	devices   []source.ManagedDevice
	tables    map[string]*source.Table
	huntErr   error
	queries   []string
}

func (f *fakeGraph) GetAlert(_ context.Context, id string) (source.Alert, error) {
	for _, a := range f.alerts {
		if a.ID == id {
			return a, nil
		}
	}
	return source.Alert{}, fmt.Errorf("alert %s: %w", id, source.ErrNotFound)
}

func (f *fakeGraph) ListAlerts(_ context.Context, q source.AlertQuery) (source.Page[source.Alert], error) {
	var out []source.Alert
	for _, a := range f.alerts {
		for _, e := range a.Evidence {
			if strings.EqualFold(e.UserPrincipalName, q.User) {
				out = append(out, a)
				break
			}
		}
	}
	return source.Page[source.Alert]{Items: out}, nil
}

func (f *fakeGraph) GetIncident(_ context.Context, id string) (source.Incident, error) {
	if inc, ok := f.incidents[id]; ok {
		return inc, nil
	}
	return source.Incident{}, source.ErrNotFound
}

func (f *fakeGraph) GetUser(_ context.Context, upn string) (source.User, error) {
	if u, ok := f.users[strings.ToLower(upn)]; ok {
		return u, nil
	}
	return source.User{}, source.ErrNotFound
}

func (f *fakeGraph) ListManagedDevices(context.Context, source.DeviceQuery) (source.Page[source.ManagedDevice], error) {
	return source.Page[source.ManagedDevice]{Items: f.devices}, nil
}

func (f *fakeGraph) RunHuntingQuery(_ context.Context, q string) (*source.Table, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, q)
	if f.huntErr != nil {
		return nil, f.huntErr
	}
	if t, ok := f.tables[strings.SplitN(q, "\n", 2)[0]]; ok {
		return t, nil
	}
	return &source.Table{}, nil
}

// fakeKusto serves Sentinel tables the same way.
type fakeKusto struct{ tables map[string]*source.Table }

func (k fakeKusto) Query(_ context.Context, _, q string) (*source.Table, error) {
	if t, ok := k.tables[strings.SplitN(q, "\n", 2)[0]]; ok {
		return t, nil
	}
	return &source.Table{}, nil
}

var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func callWith(g source.Graph, k source.Kusto) tools.Call {
	t := tenant.New("acme", "00000000-0000-4000-8000-000000000001", "demo", true, ratelimit.New(ratelimit.Default),
		func(context.Context) (*tenant.Sources, error) {
			return &tenant.Sources{Graph: g, Sentinel: k, SentinelDB: "ws"}, nil
		})
	t.Now = func() time.Time { return now }
	return tools.Call{Tenant: t, Principal: "test"}
}

func dlpAlert(id, loc, action string, add map[string]string) source.Alert {
	p := map[string]string{"dlpPolicyName": "PCI", "dlpPolicyId": "pol-1", "dlpRuleName": "Cards out", "workload": loc,
		"actionTaken": action, "userOverride": "false", "matchCount": "240",
		"sensitiveInfoTypes":     `[{"name":"Credit Card Number","count":240,"confidence":"high","confidenceLevel":"85"}]`,
		"sensitiveInfoTypeNames": "Credit Card Number"}
	for k, v := range add {
		p[k] = v
	}
	at := now.Add(-48 * time.Hour)
	return source.Alert{ID: id, Title: "DLP policy (PCI) matched", Severity: "high", Status: "new", ServiceSource: "dataLossPrevention",
		CreatedDateTime: at, FirstActivityTime: at, LastActivityTime: at, AdditionalProperties: p,
		Evidence: []source.Evidence{{Kind: "userEvidence", UserPrincipalName: "ann@acme.test"}}}
}

func fetcherFor(f *fakeGraph) cite.Fetcher {
	m := map[string]any{}
	for _, a := range f.alerts {
		m[resources.URI("acme", resources.KindAlert, a.ID)] = a
	}
	for upn, u := range f.users {
		m[resources.URI("acme", resources.KindUser, upn)] = u
	}
	for _, d := range f.devices {
		m[resources.URI("acme", resources.KindDevice, d.ID)] = d
	}
	for id, inc := range f.incidents {
		m[resources.URI("acme", resources.KindIncident, id)] = inc
	}
	return cite.JSONFetcher(m)
}

func mustCheck(t *testing.T, f *fakeGraph, claims []cite.Claim) {
	t.Helper()
	rep, err := cite.Check(context.Background(), claims, fetcherFor(f))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Factual == 0 {
		t.Errorf("citations: %s", rep)
	}
}

func TestExplainEndpointOverride(t *testing.T) {
	f := &fakeGraph{alerts: []source.Alert{dlpAlert("a1", "Endpoint", "blockWithOverride", map[string]string{
		"userOverride": "true", "overrideJustification": "Manager approved", "fileName": "cards.zip", "filePath": `C:\Users\ann`,
		"deviceName": "AC-LT-1", "targetDomain": "files.example", "sensitivityLabel": "Confidential"})}}
	res, err := ExplainDLPAlert(context.Background(), callWith(f, nil), ExplainParams{ID: "a1"})
	if err != nil {
		t.Fatal(err)
	}
	d := res.DLP
	if d.PolicyName != "PCI" || d.RuleName != "Cards out" || d.Location != "Endpoint" || !d.Overridden ||
		d.Justification != "Manager approved" || d.User != "ann@acme.test" || len(d.SITs) != 1 || d.SITs[0].Count != 240 || !d.SITsParsed {
		t.Errorf("details: %+v", d)
	}
	steps := strings.Join(res.NextSteps, "\n")
	for _, want := range []string{"files.example", "archive", "overrode the block", "bulk data exposure", "Confidential"} {
		if !strings.Contains(steps, want) {
			t.Errorf("next steps lack %q:\n%s", want, steps)
		}
	}
	mustCheck(t, f, res.Claims())
	if res.Citations.Dropped != 0 {
		t.Errorf("dropped: %+v", res.Citations)
	}
}

func TestExplainMalformedSITsAndRefusals(t *testing.T) {
	a := dlpAlert("a2", "Exchange", "audit", map[string]string{"sensitiveInfoTypes": "{not json", "recipients": "x@gmail.com; y@acme.test",
		"sensitiveInfoTypeNames": "Credit Card Number; IBAN"})
	f := &fakeGraph{alerts: []source.Alert{a, {ID: "mde1", ServiceSource: "microsoftDefenderForEndpoint"}}}
	res, err := ExplainDLPAlert(context.Background(), callWith(f, nil), ExplainParams{ID: "a2"})
	if err != nil {
		t.Fatal(err)
	}
	if res.DLP.SITsParsed || len(res.DLP.SITs) != 2 || res.DLP.SITs[1].Count != -1 {
		t.Errorf("fallback SITs: %+v", res.DLP.SITs)
	}
	if steps := strings.Join(res.NextSteps, "\n"); !strings.Contains(steps, "x@gmail.com") || strings.Contains(steps, "y@acme.test are") ||
		!strings.Contains(steps, "Nothing was blocked") {
		t.Errorf("next steps: %s", steps)
	}
	mustCheck(t, f, res.Claims())
	for id, kind := range map[string]string{"mde1": "invalid_argument", "nope": "not_found", " ": "invalid_argument"} {
		_, err := ExplainDLPAlert(context.Background(), callWith(f, nil), ExplainParams{ID: id})
		var te *tools.ToolError
		if !errors.As(err, &te) || te.Kind != kind {
			t.Errorf("id %q: want %s, got %v", id, kind, err)
		}
	}
}
