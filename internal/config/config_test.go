package config

import (
	"strings"
	"testing"
)

const valid = `
tenants:
  - alias: contoso
    tenantId: 00000000-0000-4000-8000-000000000001
    credential: {kind: clientSecret, clientId: 11111111-1111-4111-8111-111111111111, clientSecretEnv: CONTOSO_SECRET}
    sentinel: {subscriptionId: s, resourceGroup: rg, workspaceName: ws}
    budget: {unitsPerMinute: 120, burst: 20}
principals:
  - name: bot
    keySha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
    tenants: [contoso]
budgets:
  toolCosts: {defender_run_hunting_query: 5}
`

func TestParseValid(t *testing.T) {
	c, err := Parse(strings.NewReader(valid))
	if err != nil {
		t.Fatal(err)
	}
	if c.Tenants[0].Credential.ClientSecretEnv != "CONTOSO_SECRET" || c.Tenants[0].Budget.Burst != 20 || c.Principals[0].Tenants[0] != "contoso" {
		t.Fatalf("%+v", c)
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		"":            "empty",
		"tenants: []": "at least one tenant",
		"tenant: []":  "field tenant not found",
		strings.Replace(valid, "alias: contoso", "alias: Contoso", 1):                                           "lowercase",
		strings.Replace(valid, "00000000-0000-4000-8000-000000000001", "nope", 1):                               "tenant GUID",
		strings.Replace(valid, "tenants: [contoso]", "tenants: [fabrikam]", 1):                                  `tenant "fabrikam" is not among`,
		strings.Replace(valid, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "secret", 1): "64 hex characters",
		strings.Replace(valid, "burst: 20", "burst: 0", 1):                                                      "burst must be at least 1",
		strings.Replace(valid, "workspaceName: ws", "workspaceName: ''", 1):                                     "sentinel needs",
		strings.Replace(valid, "defender_run_hunting_query: 5", "defender_run_hunting_query: -1", 1):            "cost must be between",
	}
	for in, want := range cases {
		_, err := Parse(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want error containing %q, got %v\n--- input:\n%s", want, err, in)
		}
	}
}
