package analyze

import (
	"testing"

	"github.com/secmcp/secmcp/internal/kql/syntax"
)

func TestExplain(t *testing.T) {
	s, d := syntax.Parse(`let n = 10;
DeviceLogonEvents
| where ActionType == "LogonFailed" and Timestamp > ago(7d)
| summarize Failures = count() by AccountName
| top n by Failures`)
	if syntax.HasErrors(d) {
		t.Fatal(d)
	}
	got := Explain(s)
	want := []string{
		"Define n as the value 10.",
		"Read rows from DeviceLogonEvents.",
		`Keep rows where ActionType equals "LogonFailed" and Timestamp is within the last 7 days.`,
		"Aggregate Failures = count() for each AccountName.",
		"Keep the top n rows by Failures (descending).",
	}
	if len(got) != len(want) {
		t.Fatalf("steps = %+v", got)
	}
	for i := range want {
		if got[i].Text != want[i] {
			t.Errorf("step %d = %q, want %q", i, got[i].Text, want[i])
		}
	}
	if got[2].Operator != "where" || got[2].Start == 0 {
		t.Errorf("step 2 = %+v", got[2])
	}
}
