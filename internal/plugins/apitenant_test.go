package plugins

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/secmcp/secmcp/internal/config"
	"github.com/secmcp/secmcp/internal/tenant"
	"github.com/secmcp/secmcp/tools"
)

// TestAPIPluginPerTenant: a tenant's own pluginApis entry replaces the
// top-level auth for that tenant's calls; the tools are for the tenants the
// top-level entry lists, or, without one, for the tenants that configure
// the plugin.
func TestAPIPluginPerTenant(t *testing.T) {
	t.Setenv("KEY_ALL", "key-for-all")
	t.Setenv("KEY_FAB", "key-for-fabrikam")
	res, got, _ := apiFixture(t, config.PluginAPI{})
	dir := filepath.Dir(res.Manifests[0].Path)
	load := func(env *Env) tools.Spec {
		env.Runs = NewRunStore(nil)
		r, err := LoadDirs(env, dir)
		if err != nil {
			t.Fatal(err)
		}
		return apiSpec(t, r, "plugin_test_api_getitem")
	}
	keyFor := func(spec tools.Spec, alias string) string {
		t.Helper()
		got.key = ""
		if _, err := spec.Handler(context.Background(), tools.Call{Tenant: &tenant.Tenant{Alias: alias}, Principal: "test"}, json.RawMessage(`{"id":"a"}`)); err != nil {
			t.Fatalf("%s: %v", alias, err)
		}
		return got.key
	}
	fab := map[string]map[string]config.PluginAPI{"fabrikam": {"Test API": {Auth: config.PluginAuth{Env: "KEY_FAB"}}}}
	spec := load(&Env{APIs: map[string]config.PluginAPI{"Test API": {Auth: config.PluginAuth{Env: "KEY_ALL"}, Tenants: []string{"contoso", "fabrikam"}}}, TenantAPIs: fab})
	if k := keyFor(spec, "contoso"); k != "key-for-all" {
		t.Errorf("contoso sent %q", k)
	}
	if k := keyFor(spec, "fabrikam"); k != "key-for-fabrikam" {
		t.Errorf("fabrikam sent %q", k)
	}
	if !slices.Equal(spec.Tenants, []string{"contoso", "fabrikam"}) || spec.ForTenant("globex") {
		t.Errorf("tenants = %v", spec.Tenants)
	}
	// only under a tenant: the tools are that tenant's
	spec = load(&Env{TenantAPIs: fab})
	if !slices.Equal(spec.Tenants, []string{"fabrikam"}) || spec.ForTenant("contoso") {
		t.Errorf("tenants = %v", spec.Tenants)
	}
	if k := keyFor(spec, "fabrikam"); k != "key-for-fabrikam" {
		t.Errorf("fabrikam sent %q", k)
	}
	// a global entry without tenants is for every tenant
	if spec = load(&Env{APIs: map[string]config.PluginAPI{"Test API": {Auth: config.PluginAuth{Env: "KEY_ALL"}}}, TenantAPIs: fab}); len(spec.Tenants) != 0 {
		t.Errorf("tenants = %v, want every tenant", spec.Tenants)
	}
}
