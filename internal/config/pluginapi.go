package config

import (
	"fmt"
	"net/url"
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
