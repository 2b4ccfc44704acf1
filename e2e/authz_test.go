//go:build e2e

package e2e

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures"
)

// TestRolesAndOnBehalfOfTypeScriptClient: with the official TypeScript
// client and demo-authority tokens against the demo server (whose tenants
// read on-behalf-of): a SecMCP.Reader is not listed, and cannot call, a
// hunter's tool (the refusal names SecMCP.Hunter); two demo analysts with
// the same SecMCP.Hunter role get different answers from the same tools —
// the tier-1 analyst, whose Defender role covers only the Workstations
// device group, sees fewer incidents and fewer devices in Advanced Hunting
// than the senior analyst, and is refused sign-ins as "your account ...
// lacks", while the senior analyst reads them.
func TestRolesAndOnBehalfOfTypeScriptClient(t *testing.T) {
	bin := binary(t, "")
	url := startHTTP(t, bin)
	clock, _ := time.Parse(time.RFC3339, demoClock)
	contoso, err := fixtures.Load("contoso", clock)
	if err != nil {
		t.Fatal(err)
	}
	emu, err := fixtures.NewEmulator(fixtures.EmulatorOptions{Tenants: fixtures.StaticTenants(contoso)})
	if err != nil {
		t.Fatal(err)
	}
	a, err := emu.Analysts("contoso") // the same data, so the same users as the server's emulator
	emu.Close()
	if err != nil {
		t.Fatal(err)
	}
	token := func(upn, roles string) string {
		out, err := exec.Command(bin, "demo-token", "--url", url, "--tenant", "contoso", "--user", upn, "--roles", roles).Output()
		if err != nil {
			t.Fatalf("demo-token %s %s: %v", upn, roles, err)
		}
		return strings.TrimSpace(string(out))
	}

	hunt := map[string]any{"query": "DeviceInfo | summarize Devices = dcount(DeviceId)"}
	reader := runClient(t, []map[string]any{{"list": "tools"}, {"call": "defender_run_hunting_query", "args": hunt}},
		"--url", url, "--key", token(a.Senior.UPN, "SecMCP.Reader"))
	if names := toolNames(t, reader[0]); slices.Contains(names, "defender_run_hunting_query") {
		t.Errorf("a reader is listed the hunting tool: %v", names)
	}
	if r := decodeCall(t, reader[1]); !r.IsError || !strings.Contains(r.text(), "needs the app role SecMCP.Hunter") {
		t.Errorf("a reader calling defender_run_hunting_query: %+v", r)
	}

	ops := []map[string]any{
		{"call": "defender_list_incidents", "args": map[string]any{"since": "30d", "top": 200}},
		{"call": "defender_run_hunting_query", "args": hunt},
		{"call": "entra_list_signins", "args": map[string]any{"top": 5}},
	}
	incidents, devices, signins := map[string]int{}, map[string]float64{}, map[string]toolResult{}
	for name, upn := range map[string]string{"senior": a.Senior.UPN, "tier1": a.Tier1.UPN} {
		res := runClient(t, ops, "--url", url, "--key", token(upn, "SecMCP.Hunter"))
		var li struct{ Incidents []json.RawMessage }
		if r := decodeCall(t, res[0]); r.IsError || json.Unmarshal(r.StructuredContent, &li) != nil {
			t.Fatalf("%s: defender_list_incidents: %s", name, r.text())
		}
		incidents[name] = len(li.Incidents)
		var hr struct{ Rows [][]any }
		if r := decodeCall(t, res[1]); r.IsError || json.Unmarshal(r.StructuredContent, &hr) != nil || len(hr.Rows) != 1 {
			t.Fatalf("%s: defender_run_hunting_query: %s", name, r.text())
		}
		devices[name], _ = hr.Rows[0][0].(float64)
		signins[name] = decodeCall(t, res[2])
	}
	t.Logf("same tools, SecMCP.Hunter both: incidents senior %d vs tier-1 %d; devices in Advanced Hunting senior %.0f vs tier-1 %.0f (%s, %s)",
		incidents["senior"], incidents["tier1"], devices["senior"], devices["tier1"], a.Senior.UPN, a.Tier1.UPN)
	if !(incidents["tier1"] > 0 && incidents["tier1"] < incidents["senior"]) {
		t.Errorf("incidents %v: want 0 < tier-1 < senior", incidents)
	}
	if !(devices["tier1"] > 0 && devices["tier1"] < devices["senior"]) {
		t.Errorf("devices %v: want 0 < tier-1 < senior", devices)
	}
	if r := signins["tier1"]; !r.IsError || !strings.Contains(r.text(), "your account ("+a.Tier1.UPN+") lacks") {
		t.Errorf("tier-1 entra_list_signins: %+v", r)
	}
	if r := signins["senior"]; r.IsError {
		t.Errorf("senior entra_list_signins: %s", r.text())
	}
}
