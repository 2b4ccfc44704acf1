package config

import (
	"strings"
	"testing"
)

const tenantAPIs = `
tenants:
  - alias: contoso
    tenantId: 00000000-0000-4000-8000-000000000001
    credential: {kind: clientSecret, clientId: 11111111-1111-4111-8111-111111111111, clientSecretEnv: CONTOSO_SECRET}
    pluginApis:
      VirusTotal: {auth: {type: apiKey, env: VT_KEY_CONTOSO}}
  - alias: fabrikam
    tenantId: 00000000-0000-4000-8000-000000000002
    credential: {kind: clientSecret, clientId: 11111111-1111-4111-8111-111111111112, clientSecretEnv: FABRIKAM_SECRET}
pluginApis:
  VirusTotal: {openapi: vt.yaml, auth: {type: apiKey, env: VT_KEY}, tenants: [contoso, fabrikam]}
`

// TestPluginAPIsPerTenant: pluginApis at the top level (with tenants) and
// under a tenant; unknown tenants and fields a tenant cannot set are
// refused at start with what to fix.
func TestPluginAPIsPerTenant(t *testing.T) {
	c, err := Parse(strings.NewReader(tenantAPIs))
	if err != nil {
		t.Fatal(err)
	}
	if c.Tenants[0].PluginAPIs["VirusTotal"].Auth.Env != "VT_KEY_CONTOSO" || len(c.PluginAPIs["VirusTotal"].Tenants) != 2 {
		t.Fatalf("%+v", c)
	}
	for in, want := range map[string]string{
		strings.Replace(tenantAPIs, "tenants: [contoso, fabrikam]", "tenants: [contoso, globex]", 1):           `pluginApis.VirusTotal.tenants: tenant "globex" is not among the configured tenants`,
		strings.Replace(tenantAPIs, "tenants: [contoso, fabrikam]", "tenants: [fabrikam]", 1):                  `tenant "contoso": pluginApis.VirusTotal: the top-level pluginApis.VirusTotal.tenants does not list contoso`,
		strings.Replace(tenantAPIs, "{auth: {type: apiKey, env: VT_KEY_CONTOSO}}", "{openapi: other.yaml}", 1): "the OpenAPI document is the plugin's",
		strings.Replace(tenantAPIs, "{auth: {type: apiKey, env: VT_KEY_CONTOSO}}", "{readOnly: ['*']}", 1):     "read-only is the plugin's",
		strings.Replace(tenantAPIs, "{auth: {type: apiKey, env: VT_KEY_CONTOSO}}", "{tenants: [fabrikam]}", 1): "a tenant's entry is for that tenant",
		strings.Replace(tenantAPIs, "env: VT_KEY_CONTOSO", "env: ''", 1):                                       `tenant "contoso": pluginApis.VirusTotal.auth.env`,
	} {
		if _, err := Parse(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want an error containing %q, got %v", want, err)
		}
	}
}
