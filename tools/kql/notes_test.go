package kql

import (
	"strings"
	"testing"
	"time"
)

func TestEngineNotesOnlyForFunctionsUsed(t *testing.T) {
	clock := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		query string
		want  []string // substrings, one per note, in order
	}{
		{"DeviceProcessEvents | take 5", nil},
		{"DeviceProcessEvents | where ProcessCommandLine has 'dcount(' | take 5", nil},
		{"DeviceProcessEvents | summarize Devices = dcount(DeviceName) by FileName", []string{"dcount() is exact here"}},
		{"DeviceProcessEvents | summarize percentiles(FileSize, 50, 90)", []string{"percentiles use nearest rank"}},
		{"DeviceProcessEvents | summarize dcount(DeviceName), percentile(FileSize, 90)", []string{"dcount() is exact and percentiles"}},
		{"DeviceProcessEvents | where Timestamp > ago(7d) | summarize DCount = dcount(DeviceName)", []string{"demo data's clock, 2026-11-20T12:00:00Z", "dcount()"}},
	}
	for _, c := range cases {
		got := engineNotes(clock, c.query)
		if len(got) != len(c.want) {
			t.Errorf("%s: notes %q, want %d", c.query, got, len(c.want))
			continue
		}
		for i, w := range c.want {
			if !strings.Contains(got[i], w) {
				t.Errorf("%s: note %d = %q, want it to contain %q", c.query, i, got[i], w)
			}
		}
	}
}

func TestSandboxNoDcountNoteWithoutDcount(t *testing.T) {
	r, err := invoke[SandboxResult](t, "kql_run_sandbox", call("contoso", true), map[string]any{"query": "DeviceProcessEvents | take 5"})
	if err != nil {
		t.Fatal(err)
	}
	if notes := strings.Join(r.EngineNotes, " "); strings.Contains(notes, "dcount") {
		t.Errorf("a query without dcount got the dcount note: %q", notes)
	}
	r, err = invoke[SandboxResult](t, "kql_run_sandbox", call("contoso", true), map[string]any{"query": "DeviceProcessEvents | summarize dcount(DeviceName)"})
	if err != nil {
		t.Fatal(err)
	}
	if notes := strings.Join(r.EngineNotes, " "); !strings.Contains(notes, "dcount") {
		t.Errorf("a dcount query lacks the dcount note: %q", notes)
	}
}
