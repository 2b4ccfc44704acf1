package intune

import (
	"context"
	"strings"
	"testing"
)

func TestSuggestProposalsAndEffects(t *testing.T) {
	f := smallTenant()
	res, err := SuggestConfiguration(context.Background(), callWith(f), SuggestParams{Platform: "Windows"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied || !strings.Contains(res.ApplyNote, "read-only") || res.DevicesRead != 3 {
		t.Errorf("apply note / devices: %+v", res)
	}
	byKey := map[string]Proposal{}
	for _, p := range res.Proposals {
		byKey[p.Policy+"/"+p.Setting] = p
	}
	// passwordMinimumLength 8 → 12: no device records a value → unknown.
	pw, ok := byKey["Base/passwordMinimumLength"]
	if !ok || pw.Proposed != 12 || pw.Current != int32(8) || len(pw.Effect.Unknown) != 3 || pw.Effect.Evaluated != 3 {
		t.Errorf("password proposal: %+v", pw)
	}
	if pw.Request.Method != "PATCH" || pw.Request.URL != graphBase+"/deviceManagement/deviceCompliancePolicies/p-base" ||
		pw.Request.Body["passwordMinimumLength"] != 12 || pw.Request.Body["@odata.type"] != "#microsoft.graph.windows10CompliancePolicy" {
		t.Errorf("request: %+v", pw.Request)
	}
	// tpmRequired is configured nowhere: proposed for the policy holding the
	// most "health" settings (Base has none, Defender none → first policy).
	if _, ok := byKey["Base/tpmRequired"]; !ok {
		if _, ok := byKey["Defender/tpmRequired"]; !ok {
			t.Errorf("tpmRequired not proposed: %v", keys(byKey))
		}
	}
	// rtpEnabled and osMinimumVersion already meet the baseline.
	for _, k := range []string{"Defender/rtpEnabled", "Base/osMinimumVersion"} {
		if _, ok := byKey[k]; ok {
			t.Errorf("%s proposed although it meets the baseline", k)
		}
	}
	mustCheck(t, f, res.Claims())
	if testing.Verbose() {
		t.Log(res.Text())
	}
	if res.Citations.Dropped != 0 {
		t.Errorf("dropped claims: %+v", res.Citations)
	}
}

func TestPredict(t *testing.T) {
	f := smallTenant()
	var devs []fleetDevice
	for _, d := range f.devices {
		devs = append(devs, fleetDevice{device: d, states: f.states[d.ID]})
	}
	// Raising the minimum OS to 10.0.22631.4050: d1 (…4000) fails but is
	// already non-compliant; d2 stays failing; d3 (…4100) unchanged.
	e := predict("acme", "Base", "osMinimumVersion", "10.0.22631.4050", devs)
	if e.Evaluated != 3 || len(e.StayNoncompliant) != 2 || e.Unchanged != 1 || len(e.BecomeNoncompliant) != 0 {
		t.Errorf("raise: %+v", e)
	}
	// Raising it above d3: d3 becomes non-compliant.
	e = predict("acme", "Base", "osMinimumVersion", "10.0.22631.4200", devs)
	if len(e.BecomeNoncompliant) != 1 || e.BecomeNoncompliant[0].ID != "d3" {
		t.Errorf("raise above d3: %+v", e)
	}
	// Lowering it to 10.0.19044.0: d2's only failure goes away.
	e = predict("acme", "Base", "osMinimumVersion", "10.0.19044.0", devs)
	if len(e.BecomeCompliant) != 1 || e.BecomeCompliant[0].ID != "d2" || len(e.StayNoncompliant) != 1 {
		t.Errorf("lower: %+v", e)
	}
}

func keys(m map[string]Proposal) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
