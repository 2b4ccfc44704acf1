package config

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/secmcp/secmcp/auth"
)

// Entra turns on Entra ID sign-in for HTTP callers: the server becomes an
// OAuth protected resource whose tokens come from each sign-in tenant's
// Entra authority (the tenant's endpoints.authority, or its cloud's login
// host). API keys of principals keep working next to it.
//
//	entra:
//	  resource: https://secmcp.example.com/mcp   # the URL clients connect to (RFC 9728 resource)
//	  appIdUri: api://secmcp                      # Application ID URI of the app registration (aud of v1.0 tokens)
//	  clientId: 00000000-0000-0000-0000-000000000000  # its application (client) ID (aud of v2.0 tokens)
//	  tokenVersions: ["2.0"]                      # accessTokenAcceptedVersion: "2.0" (default), "1.0", or both
//	  tenants: [contoso]                          # tenants whose users may sign in (default: all)
//	  scopes: ["api://secmcp/access_as_user"]     # advertised scopes (default: <appIdUri>/.default)
//	  clockSkew: 2m                               # tolerance on exp/nbf (default 2m, at most 5m)
type Entra struct {
	Resource      string   `yaml:"resource"`
	AppIDURI      string   `yaml:"appIdUri"`
	ClientID      string   `yaml:"clientId"`
	TokenVersions []string `yaml:"tokenVersions"`
	Tenants       []string `yaml:"tenants"`
	Scopes        []string `yaml:"scopes"`
	ClockSkew     string   `yaml:"clockSkew"`
}

// Skew returns clockSkew parsed (2 minutes when unset); Validate has
// checked it.
func (e *Entra) Skew() time.Duration {
	d, err := time.ParseDuration(e.ClockSkew)
	if err != nil || e.ClockSkew == "" {
		return 2 * time.Minute
	}
	return d
}

// Versions returns the accepted token versions ("2.0" when unset).
func (e *Entra) Versions() []string {
	if len(e.TokenVersions) == 0 {
		return []string{"2.0"}
	}
	return e.TokenVersions
}

// AdvertisedScopes returns scopes, or <appIdUri>/.default when unset.
func (e *Entra) AdvertisedScopes() []string {
	if len(e.Scopes) == 0 {
		return []string{strings.TrimRight(e.AppIDURI, "/") + "/.default"}
	}
	return e.Scopes
}

// validate reports the first problem, naming the key to fix.
func (e *Entra) validate(tenants map[string]bool) error {
	if e == nil {
		return nil
	}
	u, err := CheckEndpointURL(e.Resource)
	if err != nil || e.Resource == "" {
		return fmt.Errorf("entra.resource %q must be the absolute URL clients connect to, e.g. https://secmcp.example.com/mcp (plain http only to loopback)", e.Resource)
	}
	if u.Path == "" {
		return fmt.Errorf("entra.resource %q must include the endpoint path, e.g. %s/mcp", e.Resource, strings.TrimRight(e.Resource, "/"))
	}
	if a, err := url.Parse(e.AppIDURI); err != nil || a.Scheme == "" || (a.Scheme != "api" && a.Scheme != "https") {
		return fmt.Errorf("entra.appIdUri %q must be the app registration's Application ID URI, e.g. api://<client-id> or api://secmcp", e.AppIDURI)
	}
	if !guidRE.MatchString(e.ClientID) {
		return fmt.Errorf("entra.clientId %q must be the app registration's application (client) ID, a GUID", e.ClientID)
	}
	if len(e.TokenVersions) > 2 {
		return fmt.Errorf("entra.tokenVersions lists %d versions; use \"2.0\", \"1.0\" or both", len(e.TokenVersions))
	}
	for _, v := range e.TokenVersions {
		if v != "1.0" && v != "2.0" {
			return fmt.Errorf("entra.tokenVersions: %q must be \"1.0\" or \"2.0\" (quote it: YAML reads 2.0 as a number)", v)
		}
	}
	for _, a := range e.Tenants {
		if !tenants[a] {
			return fmt.Errorf("entra.tenants: tenant %q is not among the configured tenants", a)
		}
	}
	if e.ClockSkew != "" {
		d, err := time.ParseDuration(e.ClockSkew)
		if err != nil || d < 0 || d > 5*time.Minute {
			return fmt.Errorf("entra.clockSkew %q must be a duration between 0s and 5m, e.g. 2m", e.ClockSkew)
		}
	}
	for _, s := range e.Scopes {
		if strings.TrimSpace(s) == "" || strings.ContainsAny(s, " \t") {
			return fmt.Errorf("entra.scopes: %q must be one scope without spaces, e.g. %s/access_as_user", s, e.AppIDURI)
		}
	}
	return nil
}

// SignInTenants returns the tenants named by entra.tenants (all when
// unset), each with its authority host.
func (c *Config) SignInTenants() ([]SignInTenant, error) {
	var out []SignInTenant
	for _, t := range c.Tenants {
		if c.Entra != nil && len(c.Entra.Tenants) > 0 && !slices.Contains(c.Entra.Tenants, t.Alias) {
			continue
		}
		authority := ""
		if t.Endpoints != nil && t.Endpoints.Authority != "" {
			authority = t.Endpoints.Authority
		} else {
			ep, err := auth.CloudEndpoints(t.Cloud)
			if err != nil {
				return nil, fmt.Errorf("tenant %q: %w", t.Alias, err)
			}
			authority = ep.AuthorityHost
		}
		out = append(out, SignInTenant{Alias: t.Alias, TenantID: t.TenantID, Authority: strings.TrimRight(authority, "/")})
	}
	return out, nil
}

// SignInTenant is a tenant whose users may sign in, with its authority host.
type SignInTenant struct {
	Alias, TenantID, Authority string
}
