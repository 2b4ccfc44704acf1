package kqlcheck

import (
	"strings"
	"testing"
)

func TestPreflight(t *testing.T) {
	c := Default()
	pass := []string{
		"DeviceProcessEvents | where Timestamp > ago(1d) | take 5",
		"MyCustom_CL | take 1",                            // custom tables exist in real workspaces
		"DeviceProcessEvents | where NewColumnXyzzy == 1", // no close match: may be newer than our schema
	}
	for _, q := range pass {
		if err := c.Preflight(q); err != nil {
			t.Errorf("Preflight(%q) = %v, want nil", q, err)
		}
	}
	fail := map[string]string{
		"DeviceProcessEvents | where AcountUpn == 'x'":      "did you mean 'AccountUpn'",
		"DeviceProcessEvents | extend x = tolowr(FileName)": "did you mean 'tolower'",
		"DeviceProcessEvents | where":                       "syntax error",
		".drop table DeviceProcessEvents":                   "guard",
	}
	for q, want := range fail {
		err := c.Preflight(q)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "line 1, column") {
			t.Errorf("Preflight(%q) = %v, want an error with %q and a position", q, err, want)
		}
	}
}

func TestPrepareAppliesCaps(t *testing.T) {
	send, caps, err := Default().Prepare("DeviceProcessEvents | where Timestamp > ago(1d)")
	if err != nil || !strings.Contains(send, "take 10000") || len(caps) == 0 {
		t.Fatalf("Prepare = %q %v %v; want a take cap applied by the guard", send, caps, err)
	}
	if _, _, err := Default().Prepare(".drop table X"); err == nil {
		t.Fatal("a control command was prepared")
	}
}
