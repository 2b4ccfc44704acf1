package integration

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/tools"
)

type listed struct {
	Incidents []struct{ ID, Severity, Status, URI string } `json:"incidents"`
	Alerts    []struct{ ID, ServiceSource, URI string }    `json:"alerts"`
	SignIns   []struct{ ID, User, URI string }             `json:"signIns"`
	Devices   []struct{ ID, ComplianceState, URI string }  `json:"devices"`
	Page      tools.PageInfo                               `json:"page"`
	Sources   []struct{ URI string }                       `json:"sources"`
}

// TestListingsSendFiltersAndCite checks the outgoing Graph request of each
// listing and that every cited URI is readable by the same caller.
func TestListingsSendFiltersAndCite(t *testing.T) {
	x := h(t)
	emu := x.emulator(t)
	cases := []struct {
		tool      string
		args      map[string]any
		path      string
		filterHas []string
	}{
		{"defender_list_incidents", map[string]any{"severity": "high", "status": "active", "top": 5}, "/v1.0/security/incidents", []string{"severity eq 'high'", "status eq 'active'"}},
		{"defender_list_alerts", map[string]any{"serviceSource": "microsoftDefenderForEndpoint", "top": 5}, "/v1.0/security/alerts_v2", []string{"serviceSource eq 'microsoftDefenderForEndpoint'"}},
		{"purview_list_dlp_alerts", map[string]any{"top": 5}, "/v1.0/security/alerts_v2", []string{"serviceSource eq 'dataLossPrevention'"}},
		{"entra_list_signins", map[string]any{"outcome": "failure", "top": 5}, "/v1.0/auditLogs/signIns", []string{"status/errorCode ne 0"}},
		{"intune_list_devices", map[string]any{"complianceState": "noncompliant", "top": 5}, "/v1.0/deviceManagement/managedDevices", []string{"complianceState eq 'noncompliant'"}},
	}
	for _, c := range cases {
		emu.ResetRequests()
		var res listed
		x.mustCall(t, "contoso", c.tool, c.args, &res)
		var found bool
		for _, r := range emu.Requests() {
			if r.Path != c.path {
				continue
			}
			found = true
			f := r.Query.Get("$filter")
			for _, want := range c.filterHas {
				if !strings.Contains(f, want) {
					t.Errorf("%s: $filter %q lacks %q", c.tool, f, want)
				}
			}
			if r.Tenant != "contoso" {
				t.Errorf("%s: request served for tenant %q", c.tool, r.Tenant)
			}
		}
		if !found {
			t.Errorf("%s: no request to %s (saw %v)", c.tool, c.path, emu.Requests())
		}
		if len(res.Sources) == 0 {
			t.Errorf("%s: no sources", c.tool)
		}
		for _, s := range res.Sources {
			if _, err := x.read(t, "contoso", s.URI); err != nil {
				t.Errorf("%s: cited %s is not readable: %v", c.tool, s.URI, err)
			}
			if _, err := x.read(t, "fabrikam", s.URI); err == nil {
				t.Errorf("%s: %s readable by a fabrikam-only caller", c.tool, s.URI)
			}
		}
	}
}

func TestPagingWithCursor(t *testing.T) {
	x := h(t)
	var p1, p2 listed
	x.mustCall(t, "contoso", "defender_list_alerts", map[string]any{"top": 10}, &p1)
	if !p1.Page.More || p1.Page.Cursor == "" || len(p1.Alerts) != 10 {
		t.Fatalf("first page: %+v (%d alerts)", p1.Page, len(p1.Alerts))
	}
	x.mustCall(t, "contoso", "defender_list_alerts", map[string]any{"top": 10, "cursor": p1.Page.Cursor}, &p2)
	if len(p2.Alerts) == 0 || p2.Alerts[0].ID == p1.Alerts[0].ID {
		t.Fatalf("second page repeats the first: %v / %v", p1.Alerts[0], p2.Alerts)
	}
	if _, _, err := x.call(t, "contoso", "defender_list_alerts", map[string]any{"cursor": p1.Page.Cursor[:10]}); err == nil {
		t.Fatal("a mangled cursor was accepted")
	}
}

func TestGetToolsAndForeignIDs(t *testing.T) {
	x := h(t)
	var inc listed
	x.mustCall(t, "fabrikam", "defender_list_incidents", map[string]any{"top": 1}, &inc)
	foreign := inc.Incidents[0].ID
	_, _, err := x.call(t, "contoso", "defender_get_incident", map[string]any{"id": foreign})
	var te *tools.ToolError
	if !errors.As(err, &te) || te.Kind != "not_found" || strings.Contains(te.Msg, "fabrikam") {
		t.Fatalf("foreign incident: want a not_found that does not name fabrikam, got %v", err)
	}
	stories := fixtures.Stories("contoso")
	var got struct {
		Alerts   []struct{ ID string } `json:"alerts"`
		Entities struct{ Users, Devices []string }
	}
	x.mustCall(t, "contoso", "defender_get_incident", map[string]any{"id": stories[0].IncidentID}, &got)
	if len(got.Alerts) == 0 || len(got.Entities.Users) == 0 {
		t.Fatalf("story incident %s has no alerts or users: %+v", stories[0].IncidentID, got)
	}
}

// TestUpstreamFaults: throttling, outages and garbage become clear tool
// errors; nothing panics and the next call succeeds.
func TestUpstreamFaults(t *testing.T) {
	// Its own environment: the long 429 closes the tenant's throttle gate.
	x := newHarness(t)
	defer x.env.Close()
	emu := x.emulator(t)
	faults := []struct {
		name  string
		fault fixtures.Fault
		want  string
	}{
		{"503", fixtures.Fault{Route: "security/incidents", Status: 503}, ""},
		{"malformed", fixtures.Fault{Route: "security/incidents", MalformedBody: true}, ""},
		{"truncated", fixtures.Fault{Route: "security/incidents", TruncateBody: true}, ""},
	}
	for _, f := range faults {
		emu.ClearFaults()
		emu.InjectFault(f.fault)
		_, _, err := x.call(t, "contoso", "defender_list_incidents", map[string]any{"top": 3})
		if err == nil {
			t.Errorf("%s: no error", f.name)
		} else if f.want != "" && !strings.Contains(err.Error(), f.want) {
			t.Errorf("%s: error %q lacks %q", f.name, err, f.want)
		} else if strings.Contains(err.Error(), "panic") || strings.Contains(err.Error(), "Bearer") {
			t.Errorf("%s: unexpected error text %q", f.name, err)
		}
		t.Logf("%s → %v", f.name, err)
	}
	emu.ClearFaults()
	// A transient 429 (short Retry-After) is retried transparently.
	emu.InjectFault(fixtures.Fault{Route: "security/alerts_v2", Status: 429, RetryAfter: 200 * time.Millisecond, Count: 1})
	var res listed
	x.mustCall(t, "contoso", "defender_list_alerts", map[string]any{"top": 2}, &res)
	emu.ClearFaults()
	// A long Retry-After fails fast with the advice, and only for that tenant.
	emu.InjectFault(fixtures.Fault{Route: "security/incidents", Tenant: "contoso", Status: 429, RetryAfter: time.Hour})
	_, _, err := x.call(t, "contoso", "defender_list_incidents", map[string]any{"top": 3})
	var te *tools.ToolError
	if !errors.As(err, &te) || te.Kind != "rate_limited" || te.RetryAfter < 59*time.Minute {
		t.Errorf("long 429: want a rate_limited tool error with the Retry-After, got %v", err)
	}
	x.mustCall(t, "fabrikam", "defender_list_incidents", map[string]any{"top": 3}, &res)
	emu.ClearFaults()
}

func TestHuntingAndSentinelRunOnEngine(t *testing.T) {
	x := h(t)
	story := fixtures.Stories("contoso")[0]
	q := "DeviceProcessEvents | where Timestamp > ago(7d) | where DeviceName has " + strconvQuote(strings.ToLower(story.Devices[0])) + " | take 5"
	var hunt struct {
		Rows [][]any `json:"rows"`
	}
	x.mustCall(t, "contoso", "defender_run_hunting_query", map[string]any{"query": q}, &hunt)
	if len(hunt.Rows) == 0 {
		t.Errorf("hunting query found no rows for story device %s", story.Devices[0])
	}
	var sent struct {
		Rows [][]any `json:"rows"`
	}
	x.mustCall(t, "contoso", "sentinel_run_query", map[string]any{"query": "SigninLogs | where TimeGenerated > ago(7d) | summarize n=count() by ResultType | take 5"}, &sent)
	if len(sent.Rows) == 0 {
		t.Error("sentinel query returned no rows")
	}
	for _, bad := range []string{".drop table SigninLogs", "SigninLogs | where", "externaldata (x:string) [@'https://example.com/x'] | take 1"} {
		if _, _, err := x.call(t, "contoso", "sentinel_run_query", map[string]any{"query": bad}); err == nil || !strings.Contains(err.Error(), "not sent") {
			t.Errorf("query %q: want refusal before sending, got %v", bad, err)
		}
	}
}

func strconvQuote(s string) string { return "'" + url.PathEscape(s) + "'" }

func TestDeviceComplianceFailingSettings(t *testing.T) {
	x := h(t)
	for _, alias := range []string{"contoso", "fabrikam"} {
		for _, st := range fixtures.Stories(alias) {
			if st.NoncompliantDevice == "" || len(st.DeviceIDs) == 0 {
				continue
			}
			var dev listed
			x.mustCall(t, alias, "intune_list_devices", map[string]any{"deviceName": st.NoncompliantDevice}, &dev)
			if len(dev.Devices) != 1 {
				t.Fatalf("%s: device %s listed %d times", alias, st.NoncompliantDevice, len(dev.Devices))
			}
			var got struct {
				Failing  int `json:"failingSettingCount"`
				Policies []struct {
					URI     string
					Failing []struct{ SettingName string } `json:"failingSettings"`
				} `json:"policies"`
			}
			x.mustCall(t, alias, "intune_get_device_compliance", map[string]any{"deviceId": dev.Devices[0].ID}, &got)
			var names []string
			for _, p := range got.Policies {
				for _, f := range p.Failing {
					names = append(names, f.SettingName)
				}
				if p.URI != "" {
					if _, err := x.read(t, alias, p.URI); err != nil {
						t.Errorf("%s: policy URI %s unreadable: %v", alias, p.URI, err)
					}
				}
			}
			for _, want := range st.FailingSettings {
				found := false
				for _, n := range names {
					if strings.EqualFold(n, want) || strings.HasSuffix(strings.ToLower(want), strings.ToLower(n)) {
						found = true
					}
				}
				if !found {
					t.Errorf("%s: %s failing settings %v lack %s", alias, st.NoncompliantDevice, names, want)
				}
			}
		}
	}
}

// TestContinuationCursor: a listing resumed from an upstream continuation
// (a nextLink) reads the next page; a cursor forged to point elsewhere is
// refused before any request leaves.
func TestContinuationCursor(t *testing.T) {
	x := h(t)
	emu := x.emulator(t)
	// A genuine nextLink: signIns page with an opaque $skiptoken (contract
	// signIns.list), so the link is taken from the emulator's first page.
	var first listed
	x.mustCall(t, "contoso", "entra_list_signins", map[string]any{"top": 5, "since": "30d"}, &first)
	_, next, err := tools.DecodeCursor("entra_list_signins", first.Page.Cursor)
	if err != nil || !strings.Contains(next, "skiptoken") {
		t.Fatalf("first page cursor %q: next %q, %v", first.Page.Cursor, next, err)
	}
	for _, c := range []struct {
		link string
		ok   bool
	}{
		{next, true},
		{"https://evil.example/v1.0/auditLogs/signIns?$skiptoken=x", false},
		{emu.GraphURL() + "/users?$skiptoken=x", false},
	} {
		cursor := tools.EncodeCursor("entra_list_signins", 0, c.link)
		var res listed
		_, _, err := x.call(t, "contoso", "entra_list_signins", map[string]any{"cursor": cursor})
		if c.ok {
			x.mustCall(t, "contoso", "entra_list_signins", map[string]any{"cursor": cursor}, &res)
			if len(res.SignIns) != 5 {
				t.Errorf("continuation %s: %d sign-ins", c.link, len(res.SignIns))
			}
			continue
		}
		var te *tools.ToolError
		if !errors.As(err, &te) || te.Kind != "invalid_argument" || !strings.Contains(te.Msg, "cursor") {
			t.Errorf("forged continuation %s: want an invalid_argument tool error, got %v", c.link, err)
		}
	}
}

// TestQueriesSentWithGuardCaps: what reaches Advanced Hunting is the
// guard's rewritten query, and the result says which caps were applied.
func TestQueriesSentWithGuardCaps(t *testing.T) {
	x := h(t)
	emu := x.emulator(t)
	emu.ResetRequests()
	var res struct {
		Sent string   `json:"sent"`
		Caps []string `json:"caps"`
	}
	x.mustCall(t, "contoso", "defender_run_hunting_query", map[string]any{"query": "DeviceProcessEvents | where Timestamp > ago(1d)"}, &res)
	if !strings.Contains(res.Sent, "take 10000") || len(res.Caps) == 0 {
		t.Fatalf("sent %q caps %v", res.Sent, res.Caps)
	}
	var body string
	for _, r := range emu.Requests() {
		if strings.Contains(strings.ToLower(r.Path), "runhuntingquery") {
			body = r.Body
		}
	}
	if !strings.Contains(body, "take 10000") {
		t.Fatalf("the request body does not carry the capped query: %s", body)
	}
}
