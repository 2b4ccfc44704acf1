package doctor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/tools/catalog"
	"github.com/secmcp/secmcp/tools/investigate"
)

// TestEveryToolMapped: every tool of the catalogue (investigate included)
// is in the doctor's endpoint map, and every endpoint it names is a check.
func TestEveryToolMapped(t *testing.T) {
	for _, s := range catalog.All(catalog.Deps{Synth: investigate.Deps{Mode: investigate.ModeBuiltin}}) {
		if !KnownTool(s.Name) {
			t.Errorf("tool %s is not in toolEndpoints", s.Name)
		}
	}
	known := map[string]bool{}
	for _, c := range checks {
		known[c.ID] = true
		if needsOf(c.ID).Permission == "" {
			t.Errorf("check %s has no permission", c.ID)
		}
	}
	for tool, ids := range toolEndpoints {
		for _, id := range ids {
			if !known[id] {
				t.Errorf("tool %s names unknown endpoint %s", tool, id)
			}
		}
	}
}

func TestClassify(t *testing.T) {
	graphCheck := check{ID: "signIns.list", Service: ServiceGraph, Path: "/auditLogs/signIns?$top=1"}
	security := check{ID: "incidents.list", Service: ServiceGraph, Path: "/security/incidents?$top=1"}
	la := check{ID: "logAnalytics.query", Service: ServiceLogAnalytics}
	body := func(code, msg string) []byte {
		return []byte(fmt.Sprintf(`{"error":{"code":%q,"message":%q}}`, code, msg))
	}
	cases := []struct {
		c      check
		status int
		body   []byte
		err    error
		want   Status
	}{
		{graphCheck, 200, []byte(`{"value":[]}`), nil, StatusOK},
		{graphCheck, 403, body("Authorization_RequestDenied", "Insufficient privileges to complete the operation."), nil, StatusMissingPermission},
		{graphCheck, 401, body("InvalidAuthenticationToken", "Access token validation failure."), nil, StatusMissingPermission},
		{security, 403, body("Forbidden", "Missing application roles. API required roles: SecurityIncident.Read.All, application roles: ."), nil, StatusMissingPermission},
		{graphCheck, 403, body("Authentication_RequestFromNonPremiumTenantOrB2CTenant", "Neither tenant is B2C or tenant doesn't have premium license"), nil, StatusNotLicensed},
		{security, 403, body("Forbidden", "Tenant is not onboarded to Microsoft Defender for Identity"), nil, StatusNotLicensed},
		{security, 404, body("NotFound", "Resource not found"), nil, StatusNotLicensed},
		{check{ID: "hunting.run", Service: ServiceHunting, Path: "/security/runHuntingQuery"}, 404, nil, nil, StatusNotLicensed},
		{graphCheck, 404, body("Request_ResourceNotFound", "x"), nil, StatusNotFound},
		{la, 403, body("InsufficientAccessError", "The provided credentials have insufficient access to perform the requested operation"), nil, StatusMissingPermission},
		{la, 404, body("WorkspaceNotFoundError", "The workspace could not be found"), nil, StatusNotFound},
		{graphCheck, 429, nil, nil, StatusThrottled},
		{graphCheck, 400, body("BadRequest", "Invalid filter clause"), nil, StatusRefused},
		{graphCheck, 0, nil, &url.Error{Op: "Get", URL: "https://x", Err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}}, StatusUnreachable},
		{graphCheck, 0, nil, &url.Error{Op: "Get", URL: "https://x", Err: io.EOF}, StatusUnreachable},
		{graphCheck, 0, nil, fmt.Errorf("graph: %w", &source.ThrottledError{Service: "graph"}), StatusThrottled},
		{graphCheck, 0, nil, context.DeadlineExceeded, StatusUnreachable},
	}
	for i, tc := range cases {
		got, detail := classify(tc.c, tc.status, tc.body, tc.err)
		if got != tc.want {
			t.Errorf("case %d (%s %d %v): got %s (%s), want %s", i, tc.c.ID, tc.status, tc.err, got, detail, tc.want)
		}
	}
}

// fakeTarget answers from a table keyed by path prefix.
type fakeTarget struct {
	tokenErr error
	answers  map[string]int
	calls    []string
}

func (f *fakeTarget) Alias() string               { return "t1" }
func (f *fakeTarget) Token(context.Context) error { return f.tokenErr }
func (f *fakeTarget) HasLogAnalytics() bool       { return false }
func (f *fakeTarget) LogAnalytics(context.Context, string) (int, []byte, error) {
	return 0, nil, errors.New("unused")
}
func (f *fakeTarget) Graph(_ context.Context, method, path string, _ []byte) (int, []byte, error) {
	f.calls = append(f.calls, method+" "+path)
	for p, st := range f.answers {
		if strings.HasPrefix(path, p) {
			return st, nil, nil
		}
	}
	return 200, []byte(`{"value":[{"id":"obj-1"}]}`), nil
}

func TestRunPlansFromTools(t *testing.T) {
	f := &fakeTarget{answers: map[string]int{"/identity/conditionalAccess/namedLocations": 403}}
	rep := Run(context.Background(), []Target{f}, Options{Tools: []string{"entra_what_if", "kql_validate"}})
	want := []string{"GET /identity/conditionalAccess/policies?$select=id", "GET /identity/conditionalAccess/namedLocations?$select=id",
		"GET /users?$top=1&$select=id", "GET /users/obj-1/transitiveMemberOf?$top=1"}
	if strings.Join(f.calls, "|") != strings.Join(want, "|") {
		t.Fatalf("calls %q, want %q", f.calls, want)
	}
	if !rep.Failed() || rep.Rows[2].Status != StatusMissingPermission || !strings.Contains(rep.Rows[2].Todo, "Policy.Read.All") {
		t.Fatalf("rows: %+v", rep.Rows)
	}
	f = &fakeTarget{tokenErr: errors.New("AADSTS7000215: Invalid client secret provided")}
	rep = Run(context.Background(), []Target{f}, Options{Tools: []string{"entra_list_signins"}})
	if len(f.calls) != 0 || rep.Rows[0].Status != StatusNoToken || !strings.Contains(rep.Rows[0].Todo, "client secret") || rep.Rows[1].Status != StatusSkipped {
		t.Fatalf("token failure: calls %v rows %+v", f.calls, rep.Rows)
	}
	// The emulator answers these codes as Entra documents them (fixtures/emulator TestTokenErrorCodesAsDocumented).
	for code, want := range map[string]string{"AADSTS7000218": "neither a client secret", "AADSTS700021": "certificate", "AADSTS700023": "certificate"} {
		if got := tokenTodo(errors.New(code + ": refused")); !strings.Contains(got, want) {
			t.Errorf("%s: todo %q, want it to mention %q", code, got, want)
		}
	}
}
