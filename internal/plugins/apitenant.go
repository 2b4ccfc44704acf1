package plugins

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"time"

	"github.com/secmcp/secmcp/internal/config"
)

// API plugins per tenant. The top-level pluginApis.<plugin> entry gives the
// plugin's document, server, auth and timeout and, with tenants:, which
// tenants its tools are for; a tenant's own pluginApis.<plugin> replaces
// the server, the auth and the timeout for that tenant's calls (its own API
// key, its own Entra scope or server). A plugin configured only under
// tenants is for those tenants. The tools (one per operation of the one
// document) are the same for every tenant they are for.

// apiTarget is where and how one tenant's calls of an API skill go.
type apiTarget struct {
	Base    *url.URL
	Auth    apiAuth
	Timeout time.Duration
}

// resolveTarget checks a configuration's server, auth and timeout.
func resolveTarget(doc *openAPIDoc, docURL *url.URL, m *Manifest, cfg config.PluginAPI, where string) (apiTarget, error) {
	base, err := pickServer(doc, docURL, cfg.Server)
	if err != nil {
		return apiTarget{}, fmt.Errorf("%s: %w", where, err)
	}
	auth, err := resolveAuth(cfg.Auth, m.Descriptor.Authorization)
	if err != nil {
		return apiTarget{}, fmt.Errorf("%s.auth: %v", where, err)
	}
	timeout := 30 * time.Second
	if cfg.TimeoutSeconds > 0 {
		timeout = time.Duration(cfg.TimeoutSeconds) * time.Second
	}
	return apiTarget{Base: base, Auth: auth, Timeout: timeout}, nil
}

// tenantTargets resolves the tenants' own entries of the plugin, over the
// top-level one (global), and the tenants its tools are for.
func (e *Env) tenantTargets(doc *openAPIDoc, docURL *url.URL, m *Manifest, global config.PluginAPI) (map[string]apiTarget, []string, error) {
	_, hasGlobal := e.apiConfigOK(m.Descriptor.Name)
	per := map[string]apiTarget{}
	for _, alias := range slices.Sorted(maps.Keys(e.TenantAPIs)) {
		own, ok := lookupAPI(e.TenantAPIs[alias], m.Descriptor.Name)
		if !ok {
			continue
		}
		merged := global
		merged.Tenants = nil
		if own.Server != "" {
			merged.Server = own.Server
		}
		if own.Auth != (config.PluginAuth{}) {
			merged.Auth = own.Auth
		}
		if own.TimeoutSeconds > 0 {
			merged.TimeoutSeconds = own.TimeoutSeconds
		}
		t, err := resolveTarget(doc, docURL, m, merged, fmt.Sprintf("tenant %s: pluginApis.%s", alias, m.Descriptor.Name))
		if err != nil {
			return nil, nil, err
		}
		per[alias] = t
	}
	var tenants []string
	switch {
	case hasGlobal && !slices.Contains(global.Tenants, "*"):
		tenants = slices.Clone(global.Tenants)
	case !hasGlobal && len(per) > 0:
		tenants = slices.Sorted(maps.Keys(per))
	}
	return per, tenants, nil
}

// apiConfigOK is apiConfig, saying whether the plugin has a top-level entry.
func (e *Env) apiConfigOK(name string) (config.PluginAPI, bool) {
	return lookupAPI(e.APIs, name)
}

// lookupAPI finds a plugin's entry by Descriptor.Name, exactly then normalized.
func lookupAPI(m map[string]config.PluginAPI, name string) (config.PluginAPI, bool) {
	if c, ok := m[name]; ok {
		return c, true
	}
	for k, c := range m {
		if Normalize(k) == Normalize(name) {
			return c, true
		}
	}
	return config.PluginAPI{}, false
}

// forTenant is the skill as the tenant calls it: its own server, auth and
// timeout when it configures them.
func (sk *APISkill) forTenant(alias string) *APISkill {
	t, ok := sk.PerTenant[alias]
	if !ok {
		return sk
	}
	c := *sk
	c.Base, c.Auth, c.Timeout = t.Base, t.Auth, t.Timeout
	return &c
}

// maxTimeout is the longest timeout of any tenant's calls.
func (sk *APISkill) maxTimeout() time.Duration {
	d := sk.Timeout
	for _, t := range sk.PerTenant {
		d = max(d, t.Timeout)
	}
	return d
}
