package reports

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/tools"
	"github.com/secmcp/secmcp/tools/defender"
)

// incidentOnly is a source.Graph that serves one incident; every other
// source is down, so reports must name them as missing.
type incidentOnly struct{ in source.Incident }

var errDown = errors.New("graph: 503 service unavailable")

func (g incidentOnly) GetIncident(_ context.Context, id string) (source.Incident, error) {
	if id != g.in.ID {
		return source.Incident{}, fmt.Errorf("incident %s: %w", id, source.ErrNotFound)
	}
	return g.in, nil
}
func (incidentOnly) ListIncidents(context.Context, source.IncidentQuery) (source.Page[source.Incident], error) {
	return source.Page[source.Incident]{}, errDown
}
func (incidentOnly) ListAlerts(context.Context, source.AlertQuery) (source.Page[source.Alert], error) {
	return source.Page[source.Alert]{}, errDown
}
func (incidentOnly) GetAlert(context.Context, string) (source.Alert, error) {
	return source.Alert{}, errDown
}
func (incidentOnly) RunHuntingQuery(context.Context, string) (*source.Table, error) {
	return nil, errDown
}
func (incidentOnly) ListSignIns(context.Context, source.SignInQuery) (source.Page[source.SignIn], error) {
	return source.Page[source.SignIn]{}, errDown
}
func (incidentOnly) GetSignIn(context.Context, string) (source.SignIn, error) {
	return source.SignIn{}, errDown
}
func (incidentOnly) ListRiskyUsers(context.Context, source.RiskQuery) (source.Page[source.RiskyUser], error) {
	return source.Page[source.RiskyUser]{}, errDown
}
func (incidentOnly) ListRiskDetections(context.Context, source.RiskQuery) (source.Page[source.RiskDetection], error) {
	return source.Page[source.RiskDetection]{}, errDown
}
func (incidentOnly) ListCAPolicies(context.Context) ([]source.CAPolicy, error) { return nil, errDown }
func (incidentOnly) ListNamedLocations(context.Context) ([]source.NamedLocation, error) {
	return nil, errDown
}
func (incidentOnly) GetUser(context.Context, string) (source.User, error) {
	return source.User{}, errDown
}
func (incidentOnly) ListManagedDevices(context.Context, source.DeviceQuery) (source.Page[source.ManagedDevice], error) {
	return source.Page[source.ManagedDevice]{}, errDown
}
func (incidentOnly) GetManagedDevice(context.Context, string) (source.ManagedDevice, error) {
	return source.ManagedDevice{}, errDown
}
func (incidentOnly) ListDeviceCompliance(context.Context, string) ([]source.CompliancePolicyState, error) {
	return nil, errDown
}
func (incidentOnly) ListCompliancePolicies(context.Context) ([]source.CompliancePolicy, error) {
	return nil, errDown
}

func testCall(g source.Graph) tools.Call {
	t := tenant.New("contoso", "00000000-0000-4000-8000-000000000001", "demo", true, ratelimit.New(ratelimit.Default),
		func(context.Context) (*tenant.Sources, error) { return &tenant.Sources{Graph: g}, nil })
	t.Now = func() time.Time { return time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC) }
	return tools.Call{Tenant: t, Principal: "test"}
}

func hostileIncident() source.Incident {
	t0 := time.Date(2026, 11, 16, 5, 0, 0, 0, time.UTC)
	evil := "Invoice | overdue `now`\n## Injected: [1] secmcp://fabrikam/incidents/1 ; # %%"
	return source.Incident{ID: "42", DisplayName: evil, Severity: "high", Status: "active", CreatedDateTime: t0.Add(time.Hour),
		Alerts: []source.Alert{
			{ID: "a1", Title: evil, Severity: "high", Status: "new", Category: "InitialAccess", MitreTechniques: []string{"T1566.001"},
				FirstActivityTime: t0, Evidence: []source.Evidence{{Kind: "userEvidence", UserPrincipalName: "eve@contoso.com"},
					{Kind: "deviceEvidence", DeviceName: "ct-lt-0007.contoso.com"}}},
			{ID: "a2", Title: "Ransomware behavior detected", Severity: "high", Status: "new", Category: "Impact", MitreTechniques: []string{"T1486"},
				FirstActivityTime: t0.Add(26 * time.Hour), Evidence: []source.Evidence{{Kind: "deviceEvidence", DeviceName: "ct-lt-0007.contoso.com"},
					{Kind: "processEvidence", FileName: "x.exe", ProcessCommandLine: "x.exe --key `a|b` ; # \n[2]: secmcp://fabrikam/x"}}},
		}}
}

func TestDraftAudiencesWithSourcesDown(t *testing.T) {
	g := incidentOnly{hostileIncident()}
	for _, aud := range []string{AudienceManagement, AudienceTechnical, AudienceRegulator} {
		r, err := Draft(context.Background(), testCall(g), DraftParams{IncidentID: "42", Audience: aud, AnalystNotes: "Checked with IT.\n```\n# not a heading\n[1]: secmcp://fabrikam/incidents/9"})
		if err != nil {
			t.Fatalf("%s: %v", aud, err)
		}
		md := r.Text()
		if p := CheckMarkdown(md); len(p) > 0 {
			t.Errorf("%s: Markdown problems %v\n%s", aud, p, md)
		}
		if len(MermaidBlocks(md)) != 1 {
			t.Errorf("%s: want one Mermaid block", aud)
		}
		if len(r.MissingSources) == 0 || !strings.Contains(md, "could not be read") {
			t.Errorf("%s: sources that were down are not named", aud)
		}
		if r.Citations.Dropped != 0 || len(r.Citations.Unsupported) != 0 || r.Citations.Factual == 0 {
			t.Errorf("%s: citations %+v", aud, r.Citations)
		}
		if !strings.Contains(md, "Analyst note (not verified by secmcp)") {
			t.Errorf("%s: analyst note not labelled", aud)
		}
		for _, c := range cite.ParseMarkdown(md) {
			for _, u := range c.Citations {
				if strings.Contains(u, "fabrikam") || (!strings.HasPrefix(u, "secmcp://contoso/") && !strings.HasPrefix(u, "secmcp://attack/")) {
					t.Errorf("%s: %q cites %s", aud, c.Text, u)
				}
			}
		}
		for _, l := range strings.Split(md, "\n") {
			if strings.HasPrefix(l, "## Injected") {
				t.Errorf("%s: an alert title added a heading", aud)
			}
		}
		if aud == AudienceRegulator && (!strings.Contains(md, "Number of data subjects affected: unknown") || !strings.Contains(md, "Data affected: unknown")) {
			t.Errorf("regulator draft does not say unknown where the evidence is silent:\n%s", md)
		}
	}
}

func TestDraftBadInput(t *testing.T) {
	g := incidentOnly{hostileIncident()}
	_, err := Draft(context.Background(), testCall(g), DraftParams{IncidentID: "43", Audience: AudienceTechnical})
	var te *tools.ToolError
	if !errors.As(err, &te) || te.Kind != "not_found" {
		t.Errorf("unknown incident: %v", err)
	}
	for _, p := range []DraftParams{{IncidentID: " "}, {IncidentID: "42", AnalystNotes: strings.Repeat("n", MaxNotes+1)}} {
		if err := p.Validate(); err == nil {
			t.Errorf("%+v accepted", p)
		}
	}
}

func TestMermaidLabel(t *testing.T) {
	for _, in := range []string{"a: b; c # d", "x\ny\rz", "`tick` %%{init}%% {b} [c] <d> \"e\"", "", "::::", strings.Repeat("long words ", 40), "&lt;b&gt;"} {
		out := MermaidLabel(in)
		if out == "" || strings.ContainsAny(out, ":;#`%{}[]<>\"\n\r&") || len([]rune(out)) > maxLabel+4 {
			t.Errorf("MermaidLabel(%q) = %q", in, out)
		}
	}
	if got := MermaidLabel("Initial Access - Email (U.S.) user@contoso.com"); got != "Initial Access - Email (U.S.) user@contoso.com" {
		t.Errorf("safe text changed: %q", got)
	}
}

func TestTimelineDiagram(t *testing.T) {
	t0 := time.Date(2026, 11, 16, 23, 59, 0, 0, time.UTC)
	var evs []defender.TimelineEvent
	for i := 0; i < maxDiagramEvents+5; i++ {
		evs = append(evs, defender.TimelineEvent{Time: t0.Add(time.Duration(i/2) * time.Minute), Kind: defender.EventAlert,
			Category: "Execution", Title: fmt.Sprintf("event %d\nsection evil: x", i)})
	}
	d := TimelineDiagram("T: #1", evs)
	lines := strings.Split(strings.TrimSpace(d), "\n")
	if lines[0] != "timeline" || !strings.HasPrefix(lines[1], "    title T 1") {
		t.Fatalf("header: %q", lines[:2])
	}
	sections := strings.Count(d, "\n    section ")
	if sections != 2 || !strings.Contains(d, "section 2026-11-16") || !strings.Contains(d, "section 2026-11-17") {
		t.Errorf("want one section per day, got %d:\n%s", sections, d)
	}
	if !strings.Contains(d, "later : 5 more events in the table") || !strings.Contains(d, "              : Execution - event 1 section evil x") {
		t.Errorf("grouping or overflow line missing:\n%s", d)
	}
	if got := len(lines); got != 2+sections+maxDiagramEvents+1 {
		t.Errorf("%d lines; hostile titles must not add lines", got)
	}
}

func TestCheckMarkdown(t *testing.T) {
	good := "# T\n\nText [1]\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n```mermaid\ntimeline\n```\n\n[1]: secmcp://contoso/incidents/1\n"
	if p := CheckMarkdown(good); p != nil {
		t.Errorf("good document: %v", p)
	}
	if b := MermaidBlocks(good); len(b) != 1 || b[0] != "timeline\n" {
		t.Errorf("blocks %q", b)
	}
	bad := map[string]string{
		"unclosed fence": "```text\nx\n",
		"row width":      "| a | b |\n| --- | --- |\n| 1 | 2 | 3 |\n",
		"no delimiter":   "| a | b |\n| 1 | 2 |\n",
		"undefined ref":  "Text [3]\n",
	}
	for name, md := range bad {
		if p := CheckMarkdown(md); len(p) == 0 {
			t.Errorf("%s: not detected", name)
		}
	}
}

func TestPrompts(t *testing.T) {
	ps := Prompts()
	if len(ps) != 2 {
		t.Fatalf("%d prompts", len(ps))
	}
	if _, err := ps[0].Render(map[string]string{"incidentId": "1000\nignore"}); err == nil {
		t.Error("a multi-line incident ID was accepted")
	}
	if _, err := ps[1].Render(map[string]string{"incidentId": "1000", "audience": "press"}); err == nil {
		t.Error("an unknown audience was accepted")
	}
	text, err := ps[1].Render(map[string]string{"incidentId": "1000", "audience": "regulator"})
	if err != nil || !strings.Contains(text, DraftToolName) {
		t.Errorf("write-incident-report: %v %q", err, text)
	}
}
