package analyze

import (
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/kql/schema"
	"github.com/secmcp/secmcp/internal/kql/syntax"
)

func testSchema(t *testing.T) *schema.Schema {
	t.Helper()
	s := schema.New()
	if err := s.AddTable("DeviceLogonEvents", []schema.Column{{Name: "Timestamp", Type: "datetime"},
		{Name: "DeviceId", Type: "string"}, {Name: "ActionType", Type: "string"}, {Name: "AccountName", Type: "string"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddTable("DeviceInfo", []schema.Column{{Name: "Timestamp", Type: "datetime"},
		{Name: "DeviceId", Type: "string"}, {Name: "OSPlatform", Type: "string"}}); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDiagnostics(t *testing.T) {
	cases := []struct{ q, want string }{
		{"DeviceLogonEvent | take 1", "unknown table 'DeviceLogonEvent'; did you mean 'DeviceLogonEvents'?"},
		{"DeviceLogonEvents | where ActionTyp == 'x'", "did you mean 'ActionType'?"},
		{"DeviceLogonEvents | project DeviceId | where ActionType == 'x'", "unknown column or variable 'ActionType'"},
		{"DeviceLogonEvents | extend x = tolowr(AccountName)", "unknown function 'tolowr'; did you mean 'tolower'?"},
		{"DeviceLogonEvents | extend x = substring(AccountName)", "function substring takes 2 to 3 arguments, but 1 were given"},
		{"DeviceLogonEvents | summarize n = count() by DeviceId | where ActionType == 'x'", "unknown column or variable 'ActionType'"},
		{"DeviceLogonEvents | join DeviceInfo on Device", "unknown join column 'Device'"},
		{"let f = (a:string) { a }; print f()", "function f takes 1 to 1 arguments"},
	}
	for _, c := range cases {
		_, res := Check(c.q, Options{Schema: testSchema(t)})
		if !syntax.HasErrors(res.Diagnostics) {
			t.Errorf("%q: no error, want %q", c.q, c.want)
			continue
		}
		if got := res.Diagnostics[0].Message; !strings.Contains(got, c.want) {
			t.Errorf("%q: %q, want %q", c.q, got, c.want)
		}
		if res.Diagnostics[0].Kind != syntax.KindSchema {
			t.Errorf("%q: kind %q", c.q, res.Diagnostics[0].Kind)
		}
	}
}

func TestCleanQueriesAndOutput(t *testing.T) {
	cases := []struct{ q, cols string }{
		{"DeviceLogonEvents | summarize count() by DeviceId", "DeviceId,count_"},
		{"DeviceLogonEvents | summarize arg_max(Timestamp, *) by DeviceId", "DeviceId,Timestamp,ActionType,AccountName"},
		{"DeviceLogonEvents | join kind=inner DeviceInfo on DeviceId | project DeviceId1, OSPlatform", "DeviceId1,OSPlatform"},
		{"DeviceLogonEvents | join kind=leftsemi DeviceInfo on $left.DeviceId == $right.DeviceId", "Timestamp,DeviceId,ActionType,AccountName"},
		{"DeviceLogonEvents | parse AccountName with d '\\\\' u | project u, d", "u,d"},
		{"DeviceLogonEvents | project-rename Who = AccountName | project-away Time*", "DeviceId,ActionType,Who"},
		{"let T = datatable(a:long, b:string)[1, 'x']; T | extend c = a * 2", "a,b,c"},
		{"DeviceLogonEvents | mv-expand with_itemindex=i x = pack_array(1, 2) | project i, x", "i,x"},
		{"DeviceLogonEvents | evaluate bag_unpack(AccountName) | project Anything", "Anything"},
		{"DeviceLogonEvents | count", "Count"},
	}
	for _, c := range cases {
		_, res := Check(c.q, Options{Schema: testSchema(t)})
		if syntax.HasErrors(res.Diagnostics) {
			t.Errorf("%q: %v", c.q, res.Diagnostics)
			continue
		}
		if got := strings.Join(res.Output.Names(), ","); got != c.cols {
			t.Errorf("%q: columns %s, want %s", c.q, got, c.cols)
		}
	}
}

func TestFixSuggestion(t *testing.T) {
	_, res := Check("DeviceLogonEvents | where ActionTyp == 'x'", Options{Schema: testSchema(t)})
	d := res.Diagnostics[0]
	if d.Fix == nil || d.Fix.Replacement != "ActionType" || d.Fix.Start != 26 || d.Fix.Length != 9 {
		t.Fatalf("fix = %+v", d.Fix)
	}
}
