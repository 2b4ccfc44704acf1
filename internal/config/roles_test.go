package config

import (
	"strings"
	"testing"
)

// TestRolesAndOnBehalfOf: roles, principal roles and onBehalfOf parse;
// onBehalfOf with a credential that cannot exchange a user's token is
// refused at load, naming the kinds that can.
func TestRolesAndOnBehalfOf(t *testing.T) {
	in := strings.Replace(valid, "    budget: {unitsPerMinute: 120, burst: 20}\n", "    budget: {unitsPerMinute: 120, burst: 20}\n    onBehalfOf: true\n", 1) +
		"roles:\n  SecMCP.Triage: {tools: [defender_list_incidents]}\n"
	in = strings.Replace(in, "    tenants: [contoso]\n", "    tenants: [contoso]\n    roles: [SecMCP.Triage]\n", 1)
	c, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Tenants[0].OnBehalfOf || c.Roles["SecMCP.Triage"].Tools[0] != "defender_list_incidents" || c.Principals[0].Roles[0] != "SecMCP.Triage" {
		t.Fatalf("%+v", c)
	}
	bad := strings.Replace(in, "credential: {kind: clientSecret, clientId: 11111111-1111-4111-8111-111111111111, clientSecretEnv: CONTOSO_SECRET}",
		"credential: {kind: managedIdentity}", 1)
	if _, err := Parse(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "onBehalfOf needs credential kind clientSecret, certificate, workloadIdentity") {
		t.Errorf("managed identity with onBehalfOf: %v", err)
	}
}
