package nl2kql

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/kqlcheck"
)

var testService = New(Options{})

// handQuestions are our own questions (not from the dev set) with the main
// table and fragments the query must contain.
var handQuestions = []struct {
	q     string
	table string
	want  []string
}{
	{"Which users had the most failed sign-ins in the last 24 hours?", "SigninLogs", []string{`ago(24h)`, `ResultType != "0"`, "by UserPrincipalName", "top 10"}},
	{"Show processes launched by powershell.exe on CT-LT-1037 in the past 7 days", "DeviceProcessEvents", []string{`InitiatingProcessFileName =~ "powershell.exe"`, `DeviceName startswith "CT-LT-1037"`, "ago(7d)"}},
	{"Emails from news@northwindtraders.example last week", "EmailEvents", []string{`SenderFromAddress =~ "news@northwindtraders.example"`}},
	{"Network connections to 192.0.2.46 in the last 30 days", "DeviceNetworkEvents", []string{`RemoteIP == "192.0.2.46"`, "ago(30d)"}},
	{"Top 5 countries by sign-ins", "SigninLogs", []string{"by Location", "top 5"}},
	{"Sign-ins per day over the last 2 weeks", "SigninLogs", []string{"bin(TimeGenerated, 1d)", "ago(14d)"}},
	{"Devices vulnerable to CVE-2024-38063", "DeviceTvmSoftwareVulnerabilities", []string{`CveId == "CVE-2024-38063"`}},
	{"Registry run keys created recently", "DeviceRegistryEvents", []string{`CurrentVersion\Run`}},
	{"How many phishing emails were delivered yesterday?", "EmailEvents", []string{`ThreatTypes has "Phish"`, `DeliveryAction == "Delivered"`, "startofday(ago(1d))", "count()"}},
	{"Distinct devices where user svc-backup logged on", "DeviceLogonEvents", []string{`AccountName =~ "svc-backup"`, "distinct DeviceName"}},
	{"Windows event 4625 failures by computer", "SecurityEvent", []string{"EventID == 4625", "by Computer"}},
	{"Inbox rules created in the past 3 days", "OfficeActivity", []string{"New-InboxRule", "ago(3d)"}},
	{"Encoded PowerShell command lines", "DeviceProcessEvents", []string{"has_any", "-enc"}},
	{"USB drives mounted this month", "DeviceEvents", []string{"UsbDriveMounted"}},
	{"Non-compliant Intune devices", "IntuneDevices", []string{`CompliantState == "Noncompliant"`}},
	{"High severity alerts in Sentinel by product", "SecurityAlert", []string{`AlertSeverity == "High"`, "by ProductName"}},
	{"Risk detections for nolan.prescott@contoso.com", "AADUserRiskEvents", []string{`UserPrincipalName =~ "nolan.prescott@contoso.com"`}},
	{"Where was the file with hash 598f594b7badf8c8a01e0278766290a31710d20501f7d147850e0fb57c8c9f13 written", "DeviceFileEvents", []string{`SHA256 == "598f594b7badf8c8a01e0278766290a31710d20501f7d147850e0fb57c8c9f13"`}},
	{"Clicks on phishing links by user", "UrlClickEvents", []string{"by AccountUpn"}},
	{"Azure storage account keys listed by caller", "AzureActivity", []string{"listKeys", "by Caller"}},
	{"LDAP queries against domain controllers", "IdentityQueryEvents", []string{`LDAP query`}},
	{"First and last seen of each IP address signing in as samuel.abbott@contoso.com", "SigninLogs", []string{"min(TimeGenerated)", "max(TimeGenerated)", "by IPAddress"}},
	{"Service principal sign-in failures in the last day", "AADServicePrincipalSignInLogs", []string{`ResultType != "0"`, "ago(1d)"}},
	{"Azure AD users added to a privileged role", "AuditLogs", []string{"member to role"}},
	{"Phishing emails and the URLs they contained", "EmailEvents", []string{"join kind=inner", "EmailUrlInfo", "NetworkMessageId"}},
}

func TestHandQuestions(t *testing.T) {
	for _, h := range handQuestions {
		res, err := testService.Generate(context.Background(), Request{Question: h.q})
		if err != nil {
			t.Errorf("%q: %v", h.q, err)
			continue
		}
		if !res.Valid {
			t.Errorf("%q: invalid query %s: %v", h.q, res.Query, res.Diagnostics)
		}
		if len(res.Plan.Tables) == 0 || res.Plan.Tables[0].Name != h.table {
			t.Errorf("%q: main table %v, want %s\n%s", h.q, res.Plan.Tables, h.table, res.Query)
		}
		for _, w := range h.want {
			if !strings.Contains(res.Query, w) {
				t.Errorf("%q: query lacks %q:\n%s", h.q, w, res.Query)
			}
		}
		if len(res.Steps) == 0 {
			t.Errorf("%q: no explanation", h.q)
		}
	}
}

func TestHandQuestionsRunOnDemo(t *testing.T) {
	demo := demoTenant(t)
	runner := &fixtures.EngineRunner{}
	for _, h := range handQuestions {
		res, err := testService.Generate(context.Background(), Request{Question: h.q})
		if err != nil {
			continue
		}
		if _, err := runner.Run(context.Background(), demo, demo.WorkspaceID, res.Query); err != nil {
			t.Errorf("%q does not run: %v\n%s", h.q, err, res.Query)
		}
	}
}

func TestLibraryQueriesValidateAndRun(t *testing.T) {
	ex := DefaultExamples()
	if len(ex) < 80 {
		t.Fatalf("library has %d examples, want at least 80", len(ex))
	}
	demo := demoTenant(t)
	runner := &fixtures.EngineRunner{}
	ids := map[string]bool{}
	tables := map[string]bool{}
	for _, e := range testService.Library().Examples() {
		if ids[e.ID] {
			t.Errorf("duplicate example id %s", e.ID)
		}
		ids[e.ID] = true
		rep := kqlcheck.Default().Validate(e.Query)
		if !rep.Valid || rep.Errors > 0 {
			t.Errorf("%s: %v", e.ID, rep.Diagnostics)
			continue
		}
		for _, tn := range e.Tables {
			tables[tn] = true
		}
		if _, err := runner.Run(context.Background(), demo, demo.WorkspaceID, e.Query); err != nil {
			t.Errorf("%s does not run: %v", e.ID, err)
		}
	}
	if len(tables) < 40 {
		t.Errorf("library covers %d tables, want at least 40", len(tables))
	}
}

func TestConceptPredicatesValidate(t *testing.T) {
	c := kqlcheck.Default()
	for _, cp := range conceptList() {
		for table, pred := range cp.pred {
			q := table + "\n| where " + pred + "\n| take 1"
			if rep := c.Validate(q); !rep.Valid || rep.Errors > 0 {
				t.Errorf("concept %s on %s: %v", cp.id, table, rep.Diagnostics)
			}
		}
	}
}

func TestRoleColumnsExist(t *testing.T) {
	s := kqlcheck.BuiltinSchema()
	for name := range profiles {
		tb, ok := s.Table(name)
		if !ok {
			t.Errorf("profile for unknown table %s", name)
			continue
		}
		for role := range roleCandidates {
			if c, ok := roleCol(tb, role); ok && c.Plain() {
				if _, ok := tb.Column(c.Name); !ok {
					t.Errorf("%s role %s: no column %s", name, role, c.Name)
				}
			}
		}
	}
	if len(profiles) != len(s.TableNames()) {
		t.Errorf("%d profiles for %d tables", len(profiles), len(s.TableNames()))
	}
}

func TestEntities(t *testing.T) {
	ents, _ := extractEntities(`Activity of jane.doe@contoso.com from 203.0.113.7 on host CT-LT-1037 running evil.exe ` +
		`with hash d41d8cd98f00b204e9800998ecf8427e touching bad-domain.example and CVE-2024-3199 "Quarterly report" CONTOSO\jdoe port 3389`)
	got := map[string]string{}
	for _, e := range ents {
		got[e.Kind] = e.Value
	}
	want := map[string]string{EntityUser: "jane.doe@contoso.com", EntityIP: "203.0.113.7", EntityDevice: "CT-LT-1037",
		EntityFile: "evil.exe", EntityMD5: "d41d8cd98f00b204e9800998ecf8427e", EntityDomain: "bad-domain.example",
		EntityCVE: "CVE-2024-3199", EntityText: "Quarterly report", EntityAccount: "jdoe", EntityPort: "3389"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q (all: %v)", k, got[k], v, ents)
		}
	}
}

func TestWindows(t *testing.T) {
	for q, want := range map[string]string{
		"failed sign-ins in the last 7 days": "ago(7d)", "past 24 hours": "ago(24h)", "last 2 weeks": "ago(14d)",
		"in the last hour": "ago(1h)", "today": "startofday(now())", "yesterday": "startofday(ago(1d))",
		"recently": "ago(7d)", "nothing": "ago(7d)", "last month": "ago(30d)", "past 90 days": "ago(90d)",
	} {
		w, _, _ := parseWindow(q)
		if w.Start != want {
			t.Errorf("%q: %s, want %s", q, w.Start, want)
		}
	}
	if _, a, _ := parseWindow("recent logons"); !strings.Contains(a, "last 7 days") {
		t.Errorf("no assumption for 'recent': %q", a)
	}
}

func TestTargetAndHints(t *testing.T) {
	res, err := testService.Generate(context.Background(), Request{Question: "failed sign-ins by user", Target: PlatformDefender})
	if err != nil {
		t.Fatal(err)
	}
	if res.Plan.Tables[0].Name != "EntraIdSignInEvents" || !strings.Contains(res.Query, "Timestamp") {
		t.Errorf("defender target: %s", res.Query)
	}
	res, err = testService.Generate(context.Background(), Request{Question: "failed logons", Tables: []string{"DeviceLogonEvent"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Query, "DeviceLogonEvents") || len(res.Assumptions) == 0 {
		t.Errorf("hint: %s %v", res.Query, res.Assumptions)
	}
	if _, err := testService.Generate(context.Background(), Request{Question: "x", Tables: []string{"NoSuchThingAtAll"}}); err == nil {
		t.Error("unknown hint accepted")
	}
	if _, err := testService.Generate(context.Background(), Request{Question: "  "}); err == nil {
		t.Error("empty question accepted")
	}
	if _, err := testService.Generate(context.Background(), Request{Question: "qwerty zxcv"}); !errors.Is(err, ErrNoTable) {
		t.Errorf("nonsense: %v", err)
	}
}

func TestRefineRepairs(t *testing.T) {
	c := kqlcheck.Default()
	r := Refine(c, "SignInLogs\n| where TimeGeneratd > ago(1d)\n| where UserPrincpalName == \"x\"\n| project TimeGenerated, PrincipalNameOfUser", nil, 5)
	if !r.Report.Valid || r.Report.Errors != 0 {
		t.Fatalf("not repaired: %s %v", r.Query, r.Report.Diagnostics)
	}
	for _, w := range []string{"SigninLogs", "TimeGenerated > ago(1d)", "UserPrincipalName == \"x\""} {
		if !strings.Contains(r.Query, w) {
			t.Errorf("repaired query lacks %q: %s", w, r.Query)
		}
	}
	if len(r.Repairs) < 3 {
		t.Errorf("repairs not listed: %v", r.Repairs)
	}
	bad := Refine(c, "SigninLogs | where (", nil, 3)
	if bad.Report.Valid {
		t.Errorf("syntax error reported valid: %s", bad.Query)
	}
}

// FuzzGenerate checks hostile questions never panic and yield valid KQL or an error.
func FuzzGenerate(f *testing.F) {
	for _, h := range handQuestions {
		f.Add(h.q)
	}
	f.Add(`"" '' \\ | ; drop table x; ago(-1d) 999999999999 days`)
	f.Fuzz(func(t *testing.T, q string) {
		res, err := testService.Generate(context.Background(), Request{Question: q})
		if err != nil {
			return
		}
		if !res.Valid {
			t.Errorf("%q: invalid query %s", q, res.Query)
		}
	})
}
