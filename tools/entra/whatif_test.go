package entra

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/tools"
)

func boolp(b bool) *bool { return &b }

func whatIfResult(t *testing.T, p WhatIfParams) WhatIfResult {
	t.Helper()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	res, err := whatIf(context.Background(), newCall(caWorld()), p)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Citations.OK() {
		t.Errorf("citations: %s", res.Citations.String())
	}
	return res
}

func resultOf(res WhatIfResult, id string) string {
	for _, p := range res.Policies {
		if p.PolicyID == id {
			return p.Result
		}
	}
	return "?"
}

func TestWhatIfLegacyClientBlocked(t *testing.T) {
	res := whatIfResult(t, WhatIfParams{User: "alex.mercer@contoso.com", App: "Office 365 Exchange Online", ClientApp: "exchangeActiveSync",
		IPAddress: "198.18.21.36", Country: "us", MFADone: boolp(false), DeviceJoinType: "unregistered", Platform: "iOS"})
	if res.ExpectedStatus != "failure" || resultOf(res, pLegacy) != "failure" || resultOf(res, pMFAAdmins) != "notApplied" {
		t.Fatalf("status %s legacy %s admins %s\n%s", res.ExpectedStatus, resultOf(res, pLegacy), resultOf(res, pMFAAdmins), res.Text())
	}
	if res.SignIn.UserRisk != "low" || !strings.Contains(res.SignIn.UserRiskSource, "riskyUsers") {
		t.Errorf("user risk from riskyUsers: %q (%s)", res.SignIn.UserRisk, res.SignIn.UserRiskSource)
	}
}

func TestWhatIfAdminFromTrustedOffice(t *testing.T) {
	res := whatIfResult(t, WhatIfParams{User: "adm-pm@contoso.com", App: "Azure Portal", ClientApp: "browser", Platform: "windows",
		IPAddress: "203.0.113.17", Country: "US", MFADone: boolp(true), DeviceJoinType: "joined", DeviceCompliant: boolp(true)})
	if resultOf(res, pMFAAdmins) != "success" || resultOf(res, pOutside) != "notApplied" || res.ExpectedStatus != "success" {
		t.Fatalf("admins %s outside %s status %s\n%s", resultOf(res, pMFAAdmins), resultOf(res, pOutside), res.ExpectedStatus, res.Text())
	}
	if !res.Policies[3].Undecidable() || !strings.Contains(res.Text(), "which methods") {
		t.Errorf("phishing-resistant pilot with MFA must be undecidable:\n%s", res.Text())
	}
}

func TestWhatIfNamesMissingInputs(t *testing.T) {
	res := whatIfResult(t, WhatIfParams{User: "alex.mercer@contoso.com"})
	got := strings.Join(res.Unspecified, ",")
	for _, want := range []string{"clientApp", "ipAddress/country", "mfaDone"} {
		if !strings.Contains(got, want) {
			t.Errorf("unspecified %q lacks %s", got, want)
		}
	}
	if res.ExpectedStatus != "undecidable" {
		t.Errorf("status %s", res.ExpectedStatus)
	}
}

func TestWhatIfErrors(t *testing.T) {
	_, err := whatIf(context.Background(), newCall(caWorld()), WhatIfParams{User: "ghost@contoso.com"})
	var te *tools.ToolError
	if !errors.As(err, &te) || te.Kind != "not_found" || !strings.Contains(te.Msg, "ghost@contoso.com") {
		t.Fatalf("unknown user: %v", err)
	}
	_, err = whatIf(context.Background(), newCall(caWorld()), WhatIfParams{User: "alex.mercer@contoso.com", App: "Frobnicator"})
	if !errors.As(err, &te) || !strings.Contains(te.Msg, "not a known application") {
		t.Fatalf("unknown app: %v", err)
	}
	for _, p := range []WhatIfParams{{}, {User: "a@b.c", IPAddress: "999.1.1.1"}, {User: "a@b.c", Country: "USA"}} {
		if p.Validate() == nil {
			t.Errorf("%+v accepted", p)
		}
	}
}
