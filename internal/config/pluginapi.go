package config

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// PluginAPI configures one API plugin (a manifest skill group with
// Format: API): where its OpenAPI document is, which of the document's
// servers to call, and how to authenticate. Secrets are never in the file:
// Auth names the environment variable holding the key or token.
type PluginAPI struct {
	// OpenAPI is the OpenAPI 3 document: a path (relative to the
	// configuration file) or an http(s) URL, fetched at load only when
	// PluginOpenAPIFetch is on. Empty: the manifest's OpenApiSpecUrl.
	OpenAPI string `yaml:"openapi"`
	// Server overrides the document's first server; it must be one of the
	// servers the document names.
	Server string `yaml:"server"`
	// Auth is how calls authenticate.
	Auth PluginAuth `yaml:"auth"`
	// ReadOnly lists operations (by operationId) that change nothing
	// although their method is not GET; "*" marks every operation.
	ReadOnly []string `yaml:"readOnly"`
	// TimeoutSeconds bounds one call (default 30, at most 300).
	TimeoutSeconds int `yaml:"timeoutSeconds"`
	// Tenants are the tenant aliases the plugin's tools are for ("*" or
	// empty: every tenant). Top-level entries only.
	Tenants []string `yaml:"tenants"`
}

// PluginAuth is an API plugin's authentication.
type PluginAuth struct {
	// Type is apiKey, bearer, entra or none; empty follows the manifest's
	// Authorization (APIKey → apiKey) and is none without one.
	Type string `yaml:"type"`
	// Name is the API key's header or query parameter (default: the
	// manifest's Authorization.Key).
	Name string `yaml:"name"`
	// In is header or query (default: the manifest's Authorization.Location).
	In string `yaml:"in"`
	// Env names the environment variable holding the key or bearer token.
	Env string `yaml:"env"`
	// Scope is the Entra scope of type entra, e.g.
	// https://graph.microsoft.com/.default; the token is the calling
	// tenant's credential's.
	Scope string `yaml:"scope"`
}

// ValidatePluginAPIs checks each entry's fields (the document itself is
// read when plugins load).
func ValidatePluginAPIs(m map[string]PluginAPI) error {
	for name, p := range m {
		where := fmt.Sprintf("pluginApis.%s", name)
		if strings.TrimSpace(name) == "" {
			return fmt.Errorf("pluginApis: an entry has an empty plugin name (use the manifest's Descriptor.Name)")
		}
		if p.Server != "" {
			if u, err := url.Parse(p.Server); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				return fmt.Errorf("%s.server %q: must be an absolute http(s) URL, one of the OpenAPI document's servers", where, p.Server)
			}
		}
		if p.TimeoutSeconds < 0 || p.TimeoutSeconds > 300 {
			return fmt.Errorf("%s.timeoutSeconds %d: must be between 1 and 300 (0 = 30)", where, p.TimeoutSeconds)
		}
		a := p.Auth
		switch strings.ToLower(a.Type) {
		case "", "none":
		case "apikey":
			if a.Env == "" {
				return fmt.Errorf("%s.auth.env: apiKey auth needs the name of the environment variable holding the key", where)
			}
		case "bearer":
			if a.Env == "" {
				return fmt.Errorf("%s.auth.env: bearer auth needs the name of the environment variable holding the token", where)
			}
		case "entra":
			if a.Scope == "" {
				return fmt.Errorf("%s.auth.scope: entra auth needs the token's scope (e.g. https://graph.microsoft.com/.default)", where)
			}
		default:
			return fmt.Errorf("%s.auth.type %q: must be apiKey, bearer, entra or none", where, a.Type)
		}
		switch strings.ToLower(a.In) {
		case "", "header", "query":
		default:
			return fmt.Errorf("%s.auth.in %q: must be header or query", where, a.In)
		}
	}
	return nil
}

// ValidateTenantPluginAPIs checks the pluginApis of one tenant: the
// tenant's own server, auth and timeout for a plugin (the document, the
// read-only operations and the tenants are the plugin's, set at the top
// level), and that a top-level entry of the same plugin is for the tenant.
func ValidateTenantPluginAPIs(alias string, m map[string]PluginAPI, global map[string]PluginAPI) error {
	for name, p := range m {
		where := fmt.Sprintf("tenant %q: pluginApis.%s", alias, name)
		switch {
		case p.OpenAPI != "":
			return fmt.Errorf("%s.openapi: the OpenAPI document is the plugin's (its tools are the same for every tenant): set it in the top-level pluginApis.%s", where, name)
		case len(p.ReadOnly) > 0:
			return fmt.Errorf("%s.readOnly: which operations are read-only is the plugin's: set it in the top-level pluginApis.%s", where, name)
		case len(p.Tenants) > 0:
			return fmt.Errorf("%s.tenants: a tenant's entry is for that tenant; list tenants in the top-level pluginApis.%s", where, name)
		}
		if g, ok := global[name]; ok && len(g.Tenants) > 0 && !slices.Contains(g.Tenants, "*") && !slices.Contains(g.Tenants, alias) {
			return fmt.Errorf("%s: the top-level pluginApis.%s.tenants does not list %s, so its tools are not for this tenant; add %s there or drop this entry", where, name, alias, alias)
		}
	}
	if err := ValidatePluginAPIs(m); err != nil {
		return fmt.Errorf("tenant %q: %w", alias, err)
	}
	return nil
}
