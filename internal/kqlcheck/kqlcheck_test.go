package kqlcheck

import (
	"errors"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/kql/guard"
	"github.com/secmcp/secmcp/internal/kql/schema"
)

func testSchema(t *testing.T) *schema.Schema {
	t.Helper()
	s := schema.New()
	if err := s.AddTable("DeviceProcessEvents", []schema.Column{
		{Name: "Timestamp", Type: "datetime"}, {Name: "DeviceName", Type: "string"},
		{Name: "FileName", Type: "string"}, {Name: "ProcessCommandLine", Type: "string"},
	}); err != nil {
		t.Fatal(err)
	}
	return s
}

func kinds(ds []Diagnostic) string {
	var ks []string
	for _, d := range ds {
		ks = append(ks, d.Severity+"/"+d.Kind)
	}
	return strings.Join(ks, ",")
}

func TestValidate(t *testing.T) {
	c := New(testSchema(t), guard.Options{MaxRows: 100})
	cases := []struct {
		name, query  string
		valid, safe  bool
		kinds        string
		line, column int // of the first diagnostic, when any
	}{
		{"clean", "DeviceProcessEvents | where Timestamp > ago(1d) | take 5", true, true, "", 0, 0},
		{"syntax", "DeviceProcessEvents\n| where ", false, false, "error/syntax", 2, 9},
		{"unknown column", "DeviceProcessEvents | where Timestamp > ago(1d) | where FileNme == 'x' | take 5", true, true, "error/schema", 1, 57},
		{"unknown table", "DeviceProcesEvents | take 1", true, true, "error/schema", 1, 1},
		{"command", ".drop table DeviceProcessEvents", true, false, "error/guard", 1, 1},
		{"externaldata", "externaldata (a:string) ['https://example.com/x.csv'] | take 1", true, false, "error/guard", 1, 1},
		{"capped", "DeviceProcessEvents | where Timestamp > ago(1d)", true, true, "warning/guard", 1, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Validate(tc.query)
			if r.Valid != tc.valid || r.Safe != tc.safe {
				t.Fatalf("valid=%v safe=%v, want %v %v; %+v", r.Valid, r.Safe, tc.valid, tc.safe, r.Diagnostics)
			}
			if got := kinds(r.Diagnostics); got != tc.kinds {
				t.Fatalf("diagnostics %s, want %s: %+v", got, tc.kinds, r.Diagnostics)
			}
			if len(r.Diagnostics) > 0 && (r.Diagnostics[0].Line != tc.line || r.Diagnostics[0].Column != tc.column) {
				t.Errorf("first diagnostic at %d:%d, want %d:%d", r.Diagnostics[0].Line, r.Diagnostics[0].Column, tc.line, tc.column)
			}
			if tc.safe && r.Guarded == "" {
				t.Error("safe query without the text to run")
			}
			if !tc.safe && (r.Guarded != "" || r.Refusal == "") {
				t.Errorf("refused query: Query=%q Refusal=%q", r.Guarded, r.Refusal)
			}
		})
	}
}

func TestValidateFixAndCaps(t *testing.T) {
	c := New(testSchema(t), guard.Options{MaxRows: 100})
	r := c.Validate("DeviceProcessEvents | where FileNme == 'x'")
	if len(r.Diagnostics) == 0 || r.Diagnostics[0].Fix == nil || r.Diagnostics[0].Fix.Replacement != "FileName" {
		t.Fatalf("no did-you-mean fix: %+v", r.Diagnostics)
	}
	if want := "DeviceProcessEvents | where FileName == 'x'"; r.FixedQuery != want {
		t.Errorf("fixedQuery %q, want %q", r.FixedQuery, want)
	}
	if len(r.Caps) != 1 || !strings.Contains(r.Guarded, "take 100") {
		t.Errorf("caps %v, query %q", r.Caps, r.Guarded)
	}
	if len(r.Suggestions) != 1 || !strings.Contains(r.Suggestions[0], "Timestamp") {
		t.Errorf("suggestions %v, want a time-filter hint", r.Suggestions)
	}
	if len(r.Tables) != 1 || r.Tables[0] != "DeviceProcessEvents" || len(r.Output) != 4 {
		t.Errorf("tables %v output %v", r.Tables, r.Output)
	}
}

func TestValidateNoSchema(t *testing.T) {
	r := New(nil, guard.Options{}).Validate("AnyTable | where Foo == 1")
	if !r.Valid || !r.Safe || r.Errors != 0 {
		t.Fatalf("without a schema only syntax and guard apply: %+v", r)
	}
}

func TestGate(t *testing.T) {
	c := New(testSchema(t), guard.Options{})
	if err := c.Gate("DeviceProcessEvents | where NoSuchColumn == 1 | take 1"); err != nil {
		t.Errorf("schema problems must not stop the gate: %v", err)
	}
	for q, want := range map[string]string{
		"DeviceProcessEvents\n| where":                                       "KQL syntax error at line 2, column 8",
		"  .drop table DeviceProcessEvents":                                  "refused by the read-only guard at line 1, column 3: control command .drop",
		"DeviceProcessEvents | evaluate http_request('https://example.com')": "evaluate http_request is not allowed",
	} {
		err := c.Gate(q)
		var ge *GateError
		if !errors.As(err, &ge) || !strings.Contains(err.Error(), want) {
			t.Errorf("Gate(%q) = %v, want it to contain %q", q, err, want)
		}
		if strings.Count(err.Error(), ". ") > 0 {
			t.Errorf("Gate(%q) is not one sentence: %q", q, err)
		}
	}
}

func TestLineColumn(t *testing.T) {
	src := "ab\nçd|x"
	for _, tc := range []struct{ off, line, col int }{{0, 1, 1}, {2, 1, 3}, {3, 2, 1}, {5, 2, 2}, {99, 2, 5}, {-4, 1, 1}} {
		if l, c := LineColumn(src, tc.off); l != tc.line || c != tc.col {
			t.Errorf("LineColumn(%d) = %d:%d, want %d:%d", tc.off, l, c, tc.line, tc.col)
		}
	}
}

func TestHostileInputNoPanic(t *testing.T) {
	c := New(testSchema(t), guard.Options{})
	for _, q := range []string{"", "|", strings.Repeat("(", 5000), "\x00\xff", strings.Repeat("a", 70<<10)} {
		_ = c.Validate(q)
		_ = c.Gate(q)
	}
}

func TestBuiltinSchema(t *testing.T) {
	s := BuiltinSchema()
	if errs := BuiltinSchemaErrors(); len(errs) > 0 {
		t.Fatalf("tables left out of the built-in schema: %v", errs)
	}
	for _, name := range []string{"DeviceProcessEvents", "SigninLogs", "EmailEvents", "AlertInfo"} {
		if _, ok := s.Table(name); !ok {
			t.Errorf("built-in schema lacks %s", name)
		}
	}
	if BuiltinSchema() != s {
		t.Error("BuiltinSchema is rebuilt on every call")
	}
	r := New(s, guard.Options{}).Validate("SigninLogs | where TimeGenerated > ago(1d) | where UserPrincipalNme == 'a' | take 1")
	if !r.Valid || r.Errors != 1 || r.Diagnostics[0].Fix == nil || r.Diagnostics[0].Fix.Replacement != "UserPrincipalName" {
		t.Errorf("misspelled SigninLogs column: %+v", r.Diagnostics)
	}
}

func TestDefault(t *testing.T) {
	if Default() != Default() || Default().Schema() != BuiltinSchema() {
		t.Fatal("Default is not one shared checker over the built-in schema")
	}
	if err := Default().Gate("DeviceProcessEvents | take 1"); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkValidate measures one full validation of a typical hunting query:
// go test -bench Validate ./internal/kqlcheck/
func BenchmarkValidate(b *testing.B) {
	c := Default()
	q := `DeviceProcessEvents
| where Timestamp > ago(7d)
| where FileName in~ ("powershell.exe", "pwsh.exe") and ProcessCommandLine has_any ("-enc", "-EncodedCommand")
| summarize Runs = count(), Devices = dcount(DeviceName) by AccountName, bin(Timestamp, 1h)
| order by Runs desc`
	for b.Loop() {
		if r := c.Validate(q); !r.Valid {
			b.Fatal(r.Diagnostics)
		}
	}
}

func BenchmarkGate(b *testing.B) {
	c := Default()
	q := "DeviceProcessEvents | where Timestamp > ago(7d) | summarize count() by DeviceName | top 10 by count_"
	for b.Loop() {
		if err := c.Gate(q); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFixedQueryFixesEverything: a misspelled table hides its misspelled
// columns from the first check; the report still lists them (at their place
// in the query) and the fixed query fixes them all in one call.
func TestFixedQueryFixesEverything(t *testing.T) {
	c := New(testSchema(t), guard.Options{MaxRows: 100})
	q := "DeviceProcesEvents | where FileNme == 'x' | project DeviceNme"
	r := c.Validate(q)
	if want := "DeviceProcessEvents | where FileName == 'x' | project DeviceName"; r.FixedQuery != want {
		t.Errorf("fixedQuery %q, want %q", r.FixedQuery, want)
	}
	fixes := map[string]int{}
	for _, d := range r.Diagnostics {
		if d.Fix != nil {
			fixes[d.Fix.Replacement] = d.Start
			if got := q[d.Start : d.Start+d.Length]; d.Fix.Start != d.Start || got == d.Fix.Replacement {
				t.Errorf("diagnostic %q points at %q", d.Message, got)
			}
		}
	}
	if len(fixes) != 3 || r.Errors != 3 {
		t.Errorf("fixes %v, errors %d; want 3 of each: %+v", fixes, r.Errors, r.Diagnostics)
	}
	if again := c.Validate(r.FixedQuery); again.Errors != 0 || again.FixedQuery != "" {
		t.Errorf("the fixed query still has problems: %+v", again.Diagnostics)
	}
}

// TestDeprecatedTableWarns: reading AADSignInEventsBeta is valid but warns,
// naming EntraIdSignInEvents and the date; the new table does not warn.
func TestDeprecatedTableWarns(t *testing.T) {
	c := Default()
	q := "// AADSignInEventsBeta in a comment\nAADSignInEventsBeta\n| where Timestamp > ago(1d) and Application != \"AADSignInEventsBeta\"\n| take 5"
	rep := c.Validate(q)
	if !rep.Valid || rep.Errors != 0 || rep.Warnings != 1 {
		t.Fatalf("valid %v errors %d warnings %d: %+v", rep.Valid, rep.Errors, rep.Warnings, rep.Diagnostics)
	}
	d := rep.Diagnostics[0]
	if d.Severity != SeverityWarning || !strings.Contains(d.Message, "EntraIdSignInEvents") || !strings.Contains(d.Message, "2025-12-09") ||
		q[d.Start:d.Start+d.Length] != "AADSignInEventsBeta" || d.Line != 2 {
		t.Errorf("diagnostic = %+v", d)
	}
	// a quoted table name is the same table: the warning covers the quotes
	quoted := "['AADSignInEventsBeta'] | where Timestamp > ago(1d) | take 5"
	if rep := c.Validate(quoted); rep.Warnings != 1 || len(rep.Diagnostics) == 0 ||
		quoted[rep.Diagnostics[0].Start:rep.Diagnostics[0].Start+rep.Diagnostics[0].Length] != "['AADSignInEventsBeta']" {
		t.Errorf("quoted: %+v", rep.Diagnostics)
	}
	if rep := c.Validate("EntraIdSignInEvents | where Timestamp > ago(1d) | take 5"); rep.Warnings != 0 || rep.Errors != 0 {
		t.Errorf("EntraIdSignInEvents: %+v", rep.Diagnostics)
	}
}
