package plugins

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/config"
	"github.com/secmcp/secmcp/internal/sources"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/tools"
)

// TestAPISkillEntraAgainstEmulator calls an API skill with Entra auth end
// to end: azidentity gets a token with the client credentials grant and
// scope from the emulator's Entra authority (the tenant's configured
// credential and authority override), and the emulator-hosted demo API
// checks the bearer's signature, audience and tenant. A token for another
// audience is refused by the API (401), a wrong secret by the authority.
func TestAPISkillEntraAgainstEmulator(t *testing.T) {
	specs, err := fixtures.DemoTenants(time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	emu, err := fixtures.NewEmulator(fixtures.EmulatorOptions{Tenants: specs, PlainHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	tid, _, _, err := fixtures.DemoIdentity("contoso")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Setenv("SECMCP_TEST_PLUGIN_SECRET", fixtures.DemoClientSecret("contoso"))
	cfgPath := filepath.Join(dir, "secmcp.yaml")
	writeFile(t, cfgPath, "tenants:\n  - alias: contoso\n    tenantId: "+tid+"\n"+
		"    credential: {kind: clientSecret, clientId: "+fixtures.DemoClientID("contoso")+", clientSecretEnv: SECMCP_TEST_PLUGIN_SECRET}\n"+
		"    endpoints: {authority: "+emu.PlainURL()+"}\n")
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "plugin", "openapi.json"), emu.PluginAPIOpenAPI())
	writeFile(t, filepath.Join(dir, "plugin", "demo.yaml"), "Descriptor:\n  Name: Demo API\n  Description: the emulator's protected API\n"+
		"SkillGroups:\n  - Format: API\n    Settings:\n      OpenApiSpecUrl: openapi.json\n")
	call := func(scope string) (any, error) {
		env := &Env{Runs: NewRunStore(nil), Token: sources.NewTokens(cfg).Token,
			APIs: map[string]config.PluginAPI{"Demo API": {Auth: config.PluginAuth{Type: "entra", Scope: scope}}}}
		res, err := LoadDirs(env, filepath.Join(dir, "plugin"))
		if err != nil {
			t.Fatal(err)
		}
		spec := apiSpec(t, res, "plugin_demo_api_getcaller")
		return spec.Handler(context.Background(), tools.Call{Tenant: &tenant.Tenant{Alias: "contoso"}, Principal: "test"}, json.RawMessage(`{}`))
	}
	out, err := call(fixtures.PluginAPIAudience + "/.default")
	if err != nil {
		t.Fatal(err)
	}
	r := out.(APIResult)
	body, _ := json.Marshal(r.Body)
	var who struct{ Tenant, TenantID, AppID, Audience string }
	_ = json.Unmarshal(body, &who)
	if r.Status != 200 || who.Tenant != "contoso" || who.TenantID != tid || who.AppID != fixtures.DemoClientID("contoso") || who.Audience != fixtures.PluginAPIAudience {
		t.Fatalf("status %d, caller %+v", r.Status, who)
	}
	if strings.Contains(r.Sent, "eyJ") {
		t.Errorf("the citation shows the token: %s", r.Sent)
	}
	// a token for another resource: the authority issues it, the API refuses it
	_, err = call("api://some-other-api/.default")
	var te *tools.ToolError
	if !errors.As(err, &te) || !strings.Contains(te.Msg, "401") {
		t.Fatalf("wrong audience: want the API's 401, got %v", err)
	}
	// a wrong secret: no token, and the error names the tenant and scope
	t.Setenv("SECMCP_TEST_PLUGIN_SECRET", "not-the-secret")
	_, err = call(fixtures.PluginAPIAudience + "/.default")
	if !errors.As(err, &te) || !strings.Contains(te.Msg, "no Entra token for scope "+fixtures.PluginAPIAudience) || strings.Contains(te.Msg, "not-the-secret") {
		t.Fatalf("wrong secret: %v", err)
	}
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}
