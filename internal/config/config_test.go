package config

import (
	"os"
	"path/filepath"
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

// TestConfigurationFailsLoudly: what used to be accepted silently is refused
// with words that name the problem.
func TestConfigurationFailsLoudly(t *testing.T) {
	second := `
  - name: other
    keySha256: 9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08
    tenants: [contoso]
`
	dupKey := strings.Replace(valid, "budgets:", strings.TrimPrefix(second, "\n")+"budgets:", 1)
	dupAlias := strings.Replace(valid, "principals:", `  - alias: contoso
    tenantId: 00000000-0000-4000-8000-000000000002
    credential: {kind: clientSecret, clientId: 11111111-1111-4111-8111-111111111111, clientSecretEnv: OTHER}
principals:`, 1)
	for name, c := range map[string]struct{ in, want string }{
		"same key hash (any case)": {dupKey, `keySha256 is the same as principal "bot"'s`},
		"same alias twice":         {dupAlias, `tenant "contoso": alias is used twice`},
	} {
		if _, err := Parse(strings.NewReader(c.in)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: want error containing %q, got %v", name, c.want, err)
		}
	}
	c, err := Parse(strings.NewReader(strings.ReplaceAll(strings.Replace(valid, "alias: contoso", "alias: attack", 1), "[contoso]", "[attack]")))
	if err == nil {
		err = c.CheckAliases([]string{"attack", "hunting"})
	}
	if err == nil || !strings.Contains(err.Error(), `tenant "attack": the alias is reserved`) || !strings.Contains(err.Error(), "secmcp://attack/") {
		t.Errorf("alias attack: %v", err)
	}
}

// TestOversizedFileIsRefused: a file over MaxFileSize is refused with the
// limit named, even when it would parse — and a setting past 4 MiB is not
// silently dropped.
func TestOversizedFileIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	pad := "# " + strings.Repeat("x", 1000) + "\n"
	body := valid + strings.Repeat(pad, MaxFileSize/len(pad)+1) + "stdioTenants: [contoso]\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), "larger than the 4 MiB limit") {
		t.Fatalf("a %d-byte file: %v; want a refusal naming the 4 MiB limit", len(body), err)
	}
	if err := os.WriteFile(path, []byte(valid), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err != nil {
		t.Fatalf("a small file: %v", err)
	}
}
