package guard

import (
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/kql/schema"
	"github.com/secmcp/secmcp/internal/kql/syntax"
)

const day = 864000000000

func testSchema(t *testing.T) *schema.Schema {
	t.Helper()
	s := schema.New()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.AddTable("DeviceProcessEvents", []schema.Column{{Name: "Timestamp", Type: "datetime"}, {Name: "FileName", Type: "string"}}))
	must(s.AddTable("SigninLogs", []schema.Column{{Name: "TimeGenerated", Type: "datetime"}, {Name: "UserPrincipalName", Type: "string"}}))
	must(s.AddTable("Lookup", []schema.Column{{Name: "Key", Type: "string"}}))
	return s
}

func TestRefusals(t *testing.T) {
	cases := map[string]string{
		".show tables":                                                    "control command .show",
		".drop table T":                                                   "control command .drop",
		"T | take 1; .set x <| T":                                         "",
		`externaldata(a:string) ["https://x"]`:                            "externaldata is not allowed",
		`T | evaluate http_request("https://x")`:                          "evaluate http_request is not allowed",
		`evaluate sql_request("c", "q")`:                                  "evaluate sql_request is not allowed",
		`T | evaluate python(typeof(*), "result = df")`:                   "evaluate python is not allowed: the plugin runs the query's own code",
		`T | evaluate r(typeof(*), "result <- df")`:                       "evaluate r is not allowed: the plugin runs the query's own code",
		`T | evaluate hint.distribution = per_node python(typeof(*), "")`: "evaluate python is not allowed",
		`evaluate cosmosdb_sql_request("c", "q")`:                         "evaluate cosmosdb_sql_request is not allowed",
		`evaluate mysql_request("c", "q")`:                                "evaluate mysql_request is not allowed",
		`evaluate postgresql_request("c", "q")`:                           "evaluate postgresql_request is not allowed",
		`evaluate azure_digital_twins_query_request("c", "q")`:            "evaluate azure_digital_twins_query_request is not allowed",
		`evaluate infer_storage_schema(dynamic({}))`:                      "evaluate infer_storage_schema is not allowed",
		`T | evaluate some_new_plugin()`:                                  "only read-only analysis plugins may run (active_users_count, ",
		`cluster("c").database("d").T | take 1`:                           "is not allowed: queries may only read",
		`database("d").T`:                                                 "database(...) is not allowed",
		`workspace("w").SigninLogs`:                                       "workspace(...) is not allowed",
		`set notruncation; T`:                                             "lifts the result limits",
	}
	for q, want := range cases {
		r := Check(q, Options{})
		if r.Allowed() {
			t.Errorf("%q: allowed, want refusal", q)
			continue
		}
		if want != "" && !strings.Contains(r.Refusal(), want) {
			t.Errorf("%q: refusal %q, want it to contain %q", q, r.Refusal(), want)
		}
		if r.Query != "" {
			t.Errorf("%q: refused query still has text %q", q, r.Query)
		}
	}
}

func TestAllowFlags(t *testing.T) {
	r := Check(`externaldata(a:string) ["https://x"]`, Options{AllowExternalData: true, MaxRows: -1})
	if !r.Allowed() {
		t.Fatalf("refused: %s", r.Refusal())
	}
	r = Check(`cluster("c").database("d").T`, Options{AllowCrossScope: true, MaxRows: -1})
	if !r.Allowed() {
		t.Fatalf("refused: %s", r.Refusal())
	}
}

func TestQueryLengthCap(t *testing.T) {
	r := Check("T | where x == '"+strings.Repeat("a", 200)+"'", Options{MaxQueryBytes: 100})
	if r.Allowed() || !strings.Contains(r.Refusal(), "the limit is 100 bytes") {
		t.Fatalf("refusal = %q", r.Refusal())
	}
}

func TestRowCap(t *testing.T) {
	cases := []struct{ in, want string }{
		{"T | where a == 1", "T\n| where a == 1\n| take 100"},
		{"T", "T\n| take 100"},
		{"T | take 5000", "T\n| take 100"},
		{"T | limit 7", "T\n| limit 7"},
		{"T | top 500 by x", "T\n| top 100 by x"},
		{"T | summarize count() by a | render barchart", "T\n| summarize count() by a\n| take 100\n| render barchart"},
		{"T | count", "T\n| count"},
		{"let x = 1; T | take x", "let x = 1;\nT\n| take x\n| take 100"},
	}
	for _, c := range cases {
		r := Check(c.in, Options{MaxRows: 100})
		if !r.Allowed() {
			t.Errorf("%q refused: %s", c.in, r.Refusal())
			continue
		}
		if r.Query != c.want {
			t.Errorf("%q → %q, want %q", c.in, r.Query, c.want)
		}
		if _, d := syntax.Parse(r.Query); syntax.HasErrors(d) {
			t.Errorf("%q: rewritten query does not parse: %v", c.in, d)
		}
	}
	r := Check("T | take 5000", Options{MaxRows: 100})
	if len(r.Caps) != 1 || !strings.Contains(r.Caps[0], "take 5000 tightened to 100") {
		t.Fatalf("caps = %v", r.Caps)
	}
}

func TestTimeWindowCap(t *testing.T) {
	opts := Options{MaxRows: -1, MaxWindow: 7 * day, Schema: testSchema(t)}
	cases := []struct{ in, want string }{
		{"DeviceProcessEvents | where FileName == 'a'",
			"DeviceProcessEvents\n| where Timestamp > ago(7d)\n| where FileName == 'a'"},
		{"SigninLogs", "SigninLogs\n| where TimeGenerated > ago(7d)"},
		{"Lookup | take 1", "Lookup\n| take 1"},
		{"let SigninLogs = datatable(a:long)[1]; SigninLogs", "let SigninLogs = datatable(a:long) [1];\nSigninLogs"},
		{"DeviceProcessEvents | join kind=inner SigninLogs on $left.FileName == $right.UserPrincipalName",
			"DeviceProcessEvents\n| where Timestamp > ago(7d)\n| join kind=inner (SigninLogs\n| where TimeGenerated > ago(7d)) on $left.FileName == $right.UserPrincipalName"},
		{"union DeviceProcessEvents, (SigninLogs | take 1)",
			"union (DeviceProcessEvents\n| where Timestamp > ago(7d)), (SigninLogs\n| where TimeGenerated > ago(7d)\n| take 1)"},
		{"let x = DeviceProcessEvents; x", "let x = DeviceProcessEvents\n| where Timestamp > ago(7d);\nx"},
	}
	for _, c := range cases {
		r := Check(c.in, opts)
		if !r.Allowed() {
			t.Errorf("%q refused: %s", c.in, r.Refusal())
			continue
		}
		if r.Query != c.want {
			t.Errorf("%q →\n%s\nwant\n%s", c.in, r.Query, c.want)
		}
		if _, d := syntax.Parse(r.Query); syntax.HasErrors(d) {
			t.Errorf("%q: rewritten query does not parse: %v", c.in, d)
		}
	}
	r := Check("DeviceProcessEvents | take 1", opts)
	if len(r.Caps) != 1 || !strings.Contains(r.Caps[0], "last 7d") {
		t.Fatalf("caps = %v", r.Caps)
	}
}

func TestSyntaxErrorsPassThrough(t *testing.T) {
	r := Check("T | where (", Options{})
	if r.Allowed() || r.Diagnostics[0].Kind != syntax.KindSyntax {
		t.Fatalf("diags = %v", r.Diagnostics)
	}
}

func TestAnalysisPluginsAllowed(t *testing.T) {
	for _, q := range []string{
		`T | evaluate bag_unpack(d)`,
		`T | evaluate pivot(k, count())`,
		`T | evaluate autocluster()`,
		`T | evaluate narrow()`,
		`T | evaluate BAG_UNPACK(d)`,
		`T | evaluate sliding_window_counts(u, t, ago(7d), now(), 1d, 1d)`,
	} {
		if r := Check(q, Options{MaxRows: -1}); !r.Allowed() {
			t.Errorf("%q refused: %s", q, r.Refusal())
		}
	}
	// the network option lets network plugins through, never code plugins
	opts := Options{AllowNetworkPlugins: true, MaxRows: -1}
	if r := Check(`evaluate http_request("https://x")`, opts); !r.Allowed() {
		t.Errorf("http_request with AllowNetworkPlugins refused: %s", r.Refusal())
	}
	if r := Check(`T | evaluate python(typeof(*), "")`, opts); r.Allowed() {
		t.Error("python allowed with AllowNetworkPlugins")
	}
}
