package analyze

import (
	"fmt"
	"testing"
)

// TestSharedTableRowsStayIntact: table references share one cached column
// slice per schema table; operators that change columns in place, and
// callers that change Result.Output, must not alter what the next query sees.
func TestSharedTableRowsStayIntact(t *testing.T) {
	s := testSchema(t)
	const want = "[{Timestamp datetime} {DeviceId string} {ActionType string} {AccountName string}]"
	plain := func() string {
		_, res := Check("DeviceLogonEvents", Options{Schema: s})
		got := fmt.Sprint(res.Output.Columns)
		res.Output.Columns[1].Type = "bool" // callers may change the result
		return got
	}
	for range 2 {
		if got := plain(); got != want {
			t.Fatalf("plain table: %s, want %s", got, want)
		}
	}
	tbl, _ := s.Table("DeviceLogonEvents")
	row := tableRow(tbl)
	row.set("DeviceId", "long")
	row.remove("Timestamp")
	if got := plain(); got != want {
		t.Fatalf("after set and remove on a shared row the table reads %s, want %s", got, want)
	}
	for _, q := range []string{
		"DeviceLogonEvents | extend Timestamp = 1",
		"DeviceLogonEvents | extend AccountName = strlen(AccountName), Extra = 2",
		"DeviceLogonEvents | project-rename Device = DeviceId",
		"DeviceLogonEvents | project-away ActionType",
		"DeviceLogonEvents | join kind=inner (DeviceInfo) on DeviceId",
		"let T = DeviceLogonEvents | extend ActionType = 3; T | union DeviceLogonEvents",
	} {
		_, res := Check(q, Options{Schema: s})
		if res.Output == nil {
			t.Fatalf("%q: no output row type", q)
		}
		if len(res.Output.Columns) > 0 {
			res.Output.Columns[0] = Column{Name: "Changed", Type: "bool"} // callers may do this
		}
		if got := plain(); got != want {
			t.Fatalf("after %q the table reads %s, want %s", q, got, want)
		}
	}
	_, res := Check("DeviceLogonEvents | extend Timestamp = 1", Options{Schema: s})
	if c, _ := res.Output.Lookup("Timestamp"); c.Type != "long" {
		t.Fatalf("extend Timestamp = 1 gives %+v, want type long", c)
	}
}
