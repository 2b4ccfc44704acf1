package nl2kql

import (
	"reflect"
	"testing"
)

func TestMergeAlternatives(t *testing.T) {
	cases := []struct {
		preds []string
		pred  string
		want  []string
	}{
		// Disjoint values of one column: either kind of event.
		{[]string{`ActionType in ("ScheduledTaskCreated")`}, `ActionType == "UsbDriveMounted"`,
			[]string{`(ActionType in ("ScheduledTaskCreated")) or (ActionType == "UsbDriveMounted")`}},
		// Overlapping values: the intersection (and).
		{[]string{`ActionType in ("ConnectionSuccess", "ConnectionFailed")`}, `ActionType == "ConnectionFailed"`,
			[]string{`ActionType in ("ConnectionSuccess", "ConnectionFailed")`, `ActionType == "ConnectionFailed"`}},
		{[]string{`ActionType startswith "Antivirus"`}, `ActionType == "AntivirusDetection"`,
			[]string{`ActionType startswith "Antivirus"`, `ActionType == "AntivirusDetection"`}},
		// Other columns and other operators are and-ed.
		{[]string{`ResultType != "0"`}, `ResultType in ("50126")`, []string{`ResultType != "0"`, `ResultType in ("50126")`}},
		{[]string{`FileName == "a"`}, `ActionType == "b"`, []string{`FileName == "a"`, `ActionType == "b"`}},
	}
	for _, c := range cases {
		if got := mergeAlternatives(append([]string{}, c.preds...), c.pred); !reflect.DeepEqual(got, c.want) {
			t.Errorf("mergeAlternatives(%q, %q) = %q, want %q", c.preds, c.pred, got, c.want)
		}
	}
}
