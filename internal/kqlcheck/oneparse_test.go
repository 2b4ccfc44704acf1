package kqlcheck

import (
	"reflect"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/kql/analyze"
	"github.com/secmcp/secmcp/internal/kql/guard"
)

// TestValidateSharesOneParse: Validate parses once for the analyzer and the
// guard. The guard rewrites the tree (here: a time-window cap that mentions
// Timestamp), yet the time-filter advice still sees the query as written,
// and the report agrees with the analyzer and the guard run separately.
func TestValidateSharesOneParse(t *testing.T) {
	s := testSchema(t)
	opts := guard.Options{MaxRows: 50, MaxWindow: 24 * 36_000_000_000, Schema: s}
	c := New(s, opts)
	for _, q := range []string{
		"DeviceProcessEvents | project FileName",
		"DeviceProcessEvents | where Timestamp > ago(1h) | take 5",
		"DeviceProcesEvents | where FileNme == 'x'",
		"DeviceProcessEvents | where (",
		"DeviceProcessEvents | project " + strings.Repeat("FileName, ", 7000) + "FileName",
	} {
		r := c.Validate(q)
		_, a := analyze.Check(q, analyze.Options{Schema: s})
		g := guard.Check(q, opts)
		if !reflect.DeepEqual(r.Tables, append([]string{}, a.Tables...)) {
			t.Errorf("%.60q: tables %v, analyzer says %v", q, r.Tables, a.Tables)
		}
		if r.Safe != g.Allowed() || r.Refusal != g.Refusal() {
			t.Errorf("%.60q: safe=%v refusal=%q, guard says %v %q", q, r.Safe, r.Refusal, g.Allowed(), g.Refusal())
		}
		if r.Safe && (r.Guarded != g.Query || !reflect.DeepEqual(r.Caps, g.Caps)) {
			t.Errorf("%.60q: guarded %q caps %v, guard says %q %v", q, r.Guarded, r.Caps, g.Query, g.Caps)
		}
		if wantErr := hasKind(a.Diagnostics, KindSyntax, SeverityError); r.Valid == wantErr {
			t.Errorf("%.60q: valid=%v, analyzer diagnostics %v", q, r.Valid, a.Diagnostics)
		}
	}
	r := c.Validate("DeviceProcessEvents | project FileName")
	if len(r.Caps) == 0 || !strings.Contains(r.Guarded, "Timestamp") {
		t.Fatalf("the guard did not cap the window: %q %v", r.Guarded, r.Caps)
	}
	if len(r.Suggestions) != 1 || !strings.Contains(r.Suggestions[0], "without a time filter") {
		t.Fatalf("suggestions %q; want the time-filter advice for the query as written", r.Suggestions)
	}
}

// BenchmarkValidateOneLine is the call e2e/httpbench makes to kql_validate:
// go test -bench ValidateOneLine -benchmem ./internal/kqlcheck/
func BenchmarkValidateOneLine(b *testing.B) {
	c := Default()
	q := "DeviceProcessEvents | where Timestamp > ago(1h) | count"
	for b.Loop() {
		if r := c.Validate(q); !r.Valid {
			b.Fatal(r.Diagnostics)
		}
	}
}

// TestTimeFilterAdvicePerTable: each table read gets its own advice, named
// with its time column, unless the query mentions that column anywhere.
func TestTimeFilterAdvicePerTable(t *testing.T) {
	c := Default()
	cases := []struct{ q, want string }{
		{"DeviceProcessEvents | take 1", "DeviceProcessEvents:Timestamp"},
		{"DeviceProcessEvents | where Timestamp > ago(1d) | take 1", ""},
		{"SigninLogs | join (AuditLogs) on CorrelationId", "AuditLogs:TimeGenerated SigninLogs:TimeGenerated"},
		{"SigninLogs | where TimeGenerated > ago(1d) | join (AuditLogs) on CorrelationId", ""},
		{"DeviceLogonEvents | join (SigninLogs | where TimeGenerated > ago(1d)) on $left.AccountUpn == $right.UserPrincipalName", "DeviceLogonEvents:Timestamp"},
	}
	for _, tc := range cases {
		r := c.Validate(tc.q)
		var got []string
		for _, s := range r.Suggestions {
			table, _, _ := strings.Cut(s, " ")
			_, rest, _ := strings.Cut(s, "| where ")
			col, _, _ := strings.Cut(rest, " ")
			got = append(got, table+":"+col)
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("%q: advice for %q, want %q (suggestions %q)", tc.q, g, tc.want, r.Suggestions)
		}
	}
}
