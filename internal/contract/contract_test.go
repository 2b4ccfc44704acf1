package contract

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func check(t *testing.T, method, rawURL string, prefer bool, body string) []Violation {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	if prefer {
		h.Set("Prefer", PreferUnknownEnums)
	}
	return Check(method, u, h, []byte(body))
}

func TestCheckRules(t *testing.T) {
	cases := []struct {
		method, url string
		prefer      bool
		body, want  string // want: substring of the one violation's Message or Rule; "" = none
	}{
		{"GET", "/v1.0/auditLogs/signIns?$top=100&$filter=" + url.QueryEscape("createdDateTime ge 2026-01-01T00:00:00Z"), true, "", ""},
		{"GET", "/v1.0/auditLogs/signIns?$skip=100", true, "", "Query option 'Skip' is not allowed"},
		{"GET", "/v1.0/auditLogs/signIns?$orderby=createdDateTime", true, "", "Query option 'OrderBy' is not allowed"},
		{"GET", "/v1.0/auditLogs/signIns?$top=1001", true, "", "The limit of '1000' for Top query has been exceeded"},
		{"GET", "/v1.0/security/incidents?$orderby=createdDateTime%20desc", true, "", "Query option 'OrderBy'"},
		{"GET", "/v1.0/security/alerts_v2?$filter=" + url.QueryEscape("incidentId eq '1'"), true, "", "The property 'incidentId' cannot be used"},
		{"GET", "/v1.0/security/alerts_v2?$filter=" + url.QueryEscape("severity ne 'low'"), true, "", "Logical operator 'Ne' is not allowed"},
		{"GET", "/v1.0/identityProtection/riskyUsers?$skip=5", true, "", "'Skip' is not allowed"},
		{"GET", "/v1.0/security/incidents/1?$expand=owner", true, "", "Could not find a property named 'owner'"},
		{"GET", "/v1.0/deviceManagement/deviceCompliancePolicies?$expand=" + url.QueryEscape("scheduledActionsForRule($expand=scheduledActionConfigurations)"), true, "", ""},
		{"GET", "/v1.0/users/u1/transitiveMemberOf", true, "", ""},
		{"GET", "/v1.0/users/u1/transitiveMemberOf", false, "", "Prefer"},
		{"POST", "/v1.0/security/microsoft.graph.security.runHuntingQuery", true, `{"query":"T","timespan":"P30D"}`, ""},
		{"POST", "/v1.0/security/runHuntingQuery", true, `{"Query":"T"}`, "without Timespan"},
		{"GET", "/v1.0/security/secureScores", true, "", "undocumented endpoint"},
	}
	for _, c := range cases {
		vs := check(t, c.method, c.url, c.prefer, c.body)
		switch {
		case c.want == "" && len(vs) > 0:
			t.Errorf("%s %s: unexpected %v", c.method, c.url, vs)
		case c.want != "" && (len(vs) != 1 || !strings.Contains(vs[0].Message+vs[0].Rule, c.want)):
			t.Errorf("%s %s: %+v, want one violation mentioning %q", c.method, c.url, vs, c.want)
		}
	}
}

func TestShape(t *testing.T) {
	signIn := map[string]any{"id": "s", "authenticationRequirement": "multiFactorAuthentication", "userAgent": "x", "status": map[string]any{},
		"appliedConditionalAccessPolicies": []any{map[string]any{"id": "p", "result": "reportOnlyFailure"}, map[string]any{"id": "q", "result": "success"}},
		"riskDetail":                       "adminConfirmedAccountSafe"}
	out := Shape("signIn", signIn, nil, nil, false)
	if _, ok := out["authenticationRequirement"]; ok || out["userAgent"] != nil || out["status"] == nil {
		t.Errorf("beta fields kept or v1.0 dropped: %v", out)
	}
	ap := out["appliedConditionalAccessPolicies"].([]any)
	if ap[0].(map[string]any)["result"] != "unknownFutureValue" || ap[1].(map[string]any)["result"] != "success" || out["riskDetail"] != "unknownFutureValue" {
		t.Errorf("enums not downgraded: %v", out)
	}
	if signIn["appliedConditionalAccessPolicies"].([]any)[0].(map[string]any)["result"] != "reportOnlyFailure" {
		t.Error("Shape modified its input")
	}
	if kept := Shape("signIn", signIn, nil, nil, true); kept["riskDetail"] != "adminConfirmedAccountSafe" {
		t.Errorf("with Prefer: %v", kept["riskDetail"])
	}
	pol := map[string]any{"id": "p", "bitLockerEnabled": true, "scheduledActionsForRule": []any{}}
	if _, ok := Shape("deviceCompliancePolicy", pol, nil, nil, true)["scheduledActionsForRule"]; ok {
		t.Error("relationship returned without $expand")
	}
	if _, ok := Shape("deviceCompliancePolicy", pol, []string{"scheduledActionsForRule"}, nil, true)["scheduledActionsForRule"]; !ok {
		t.Error("expanded relationship dropped")
	}
	user := Shape("user", map[string]any{"id": "u", "displayName": "A", "department": "F"}, nil, nil, true)
	if user["department"] != nil || user["displayName"] != "A" {
		t.Errorf("user default properties: %v", user)
	}
}

func TestHuntingTimespan(t *testing.T) {
	cases := map[string]string{
		"DeviceEvents | where Timestamp > ago(90d)":                                     "P90D",
		"DeviceEvents | where Timestamp > ago(36h) | join (X | where T > ago(2d)) on A": "P2D",
		"DeviceEvents | take 1":                     "P30D",
		"DeviceEvents | where Timestamp > ago(30m)": "P1D",
	}
	for q, want := range cases {
		if got, _, why := HuntingTimespan(q); got != want || why == "" {
			t.Errorf("%q: %s (%s), want %s", q, got, why, want)
		}
	}
}

// TestContractTable: every endpoint has a method, a documented page and
// permissions; every evolvable enum a sentinel; paging by token never
// documents $skip.
func TestContractTable(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range Endpoints {
		if seen[e.ID] || e.Method == "" || e.Path == "" || len(e.Docs) == 0 || len(e.Permissions.Application) == 0 {
			t.Errorf("endpoint %+v is incomplete or duplicated", e.ID)
		}
		seen[e.ID] = true
		for _, d := range e.Docs {
			if !strings.HasPrefix(d, "https://learn.microsoft.com/") {
				t.Errorf("%s: doc %q is not a Microsoft Learn page", e.ID, d)
			}
		}
		if e.Paging == PagingSkipToken && containsFold(e.Options, "$skip") {
			t.Errorf("%s pages by token but lists $skip", e.ID)
		}
		if e.Resource != "" {
			if _, ok := Resources[e.Resource]; !ok {
				t.Errorf("%s: unknown resource %s", e.ID, e.Resource)
			}
		}
	}
	for name, en := range EvolvableEnums {
		if en.Members[len(en.Members)-1] != "unknownFutureValue" {
			t.Errorf("%s: last member before the evolvable ones must be unknownFutureValue", name)
		}
	}
	for name, r := range Resources {
		for path, en := range r.Enums {
			if _, ok := EvolvableEnums[en]; !ok {
				t.Errorf("%s.%s: unknown enum %s", name, path, en)
			}
		}
	}
}

// TestReadmeNamesEveryPermission: the README's permission list covers every
// Graph application permission the contract table needs.
func TestReadmeNamesEveryPermission(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range Endpoints {
		if e.Service == "logAnalytics" {
			continue
		}
		for _, p := range e.Permissions.Application {
			for _, one := range strings.Split(p, " and ") {
				if !strings.Contains(string(b), "`"+one+"`") {
					t.Errorf("README does not name %s (needed by %s)", one, e.ID)
				}
			}
		}
	}
}

// TestContractFigures prints the table and its size (go test -run
// TestContractFigures -v ./internal/contract).
func TestContractFigures(t *testing.T) {
	rules := 0
	for _, e := range Endpoints {
		n := len(e.Options) + len(e.Filter) + len(e.Expand) + len(e.Permissions.Application) + 1 // + paging
		if e.TopMax > 0 {
			n++
		}
		if e.Timeout > 0 {
			n++
		}
		if e.RowLimit > 0 {
			n++
		}
		if e.Resource != "" {
			r := Resources[e.Resource]
			n += len(r.Relationships) + len(r.Enums)
			if r.Properties != nil || r.Default != nil {
				n++
			}
		}
		rules += n
		t.Logf("%-38s %-4s %-62s paging=%-9s top<=%-4d timeout=%-6s perm=%s  %s", e.ID, e.Method, e.Path, e.Paging, e.TopMax,
			fmtDur(e.Timeout), strings.Join(e.Permissions.Application, "|"), e.Docs[0])
	}
	enumMembers := 0
	for _, en := range EvolvableEnums {
		enumMembers += len(en.After)
	}
	t.Logf("endpoints=%d rules=%d evolvable-enum-types=%d evolvable-members=%d", len(Endpoints), rules, len(EvolvableEnums), enumMembers)
}

func fmtDur(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return d.String()
}
