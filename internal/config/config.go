// Package config reads the server's YAML configuration file: the tenants
// (each with its Entra tenant ID, cloud, credential, Sentinel workspace,
// optional ADX cluster and optional endpoint overrides), the HTTP principals (API keys stored as SHA-256
// hashes, each with its allowed tenants), budgets and tool costs.
//
// Decoding is strict: an unknown key is an error with its line number, so a
// typo never silently changes behaviour. Secrets are never in the file; the
// file names the environment variables that hold them.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/secmcp/secmcp/auth"
	"github.com/secmcp/secmcp/internal/lazyre"
	"github.com/secmcp/secmcp/internal/ratelimit"
)

// Config is the whole file.
type Config struct {
	Tenants    []Tenant         `yaml:"tenants"`
	Principals []auth.Principal `yaml:"principals"`
	// StdioTenants are the aliases a stdio session may use (default: all).
	StdioTenants []string `yaml:"stdioTenants"`
	// Plugins are folders of Security Copilot plugin manifests whose skills
	// become tools (with --plugins; a relative folder is relative to the
	// configuration file).
	Plugins []string `yaml:"plugins"`
	// PluginAPIs configure API plugins by Descriptor.Name (pluginapi.go).
	PluginAPIs map[string]PluginAPI `yaml:"pluginApis"`
	// PluginOpenAPIFetch lets the server fetch an API plugin's OpenAPI
	// document by URL at load (default off: a plugin with only a URL is
	// skipped, saying so).
	PluginOpenAPIFetch bool `yaml:"pluginOpenAPIFetch"`
	// AllowedOrigins are browser origins allowed to call /mcp besides loopback ones.
	AllowedOrigins []string `yaml:"allowedOrigins"`
	Budgets        Budgets  `yaml:"budgets"`
	// Limits bound one call's work in the in-process engines.
	Limits Limits `yaml:"limits"`
	// AuditKeyEnv names the environment variable that holds the secret
	// keying the audit log's argument digests (HMAC-SHA256). Without it the
	// server uses SECMCP_AUDIT_KEY, else a key it generates and keeps in
	// its state directory.
	AuditKeyEnv string `yaml:"auditKeyEnv"`
	// Roles map app roles (the roles claim of an Entra ID token, or a key
	// principal's roles) to the toolsets and tools they may call. A role
	// named here replaces the built-in grant of that name; others are
	// added. Names are checked against the tool catalogue at start.
	Roles map[string]RoleGrant `yaml:"roles"`
	// Entra turns on Entra ID sign-in for HTTP callers (entra.go).
	Entra *Entra `yaml:"entra"`
	// MCPServers are other MCP servers whose tools secmcp re-exports
	// (mcpservers.go).
	MCPServers []MCPServer `yaml:"mcpServers"`
	// OutputSchemas turn tools/list's output schemas on or off per client
	// (outputschemas.go); a key principal's own setting is its
	// outputSchemas.
	OutputSchemas OutputSchemas `yaml:"outputSchemas"`
}

// RoleGrant is what one app role may call.
type RoleGrant struct {
	// Toolsets are whole toolsets ("all" = every toolset).
	Toolsets []string `yaml:"toolsets"`
	// Tools are single tools.
	Tools []string `yaml:"tools"`
}

// Tenant is one tenant's connection settings.
type Tenant struct {
	Alias    string `yaml:"alias"`
	TenantID string `yaml:"tenantId"`
	// PluginSettings give plugin descriptor settings for this tenant, by
	// plugin Descriptor.Name then setting name; they fill the {{Name}}
	// placeholders of the plugin's skill settings.
	PluginSettings map[string]map[string]string `yaml:"pluginSettings"`
	// PluginAPIs are this tenant's own server, auth and timeout for API
	// plugins, by Descriptor.Name, over the top-level pluginApis entry
	// (pluginapi.go). A plugin configured only here is for the tenants
	// that configure it.
	PluginAPIs map[string]PluginAPI `yaml:"pluginApis"`
	// Cloud is public (default), usgov or china.
	Cloud      string                `yaml:"cloud"`
	Credential auth.CredentialConfig `yaml:"credential"`
	Sentinel   *Sentinel             `yaml:"sentinel"`
	ADX        *ADX                  `yaml:"adx"`
	// Budget overrides Budgets.Default for this tenant.
	Budget *ratelimit.Config `yaml:"budget"`
	// Endpoints override the cloud's authority, Graph and Log Analytics roots.
	Endpoints *Endpoints `yaml:"endpoints"`
	// OnBehalfOf makes calls of users signed in with an Entra ID token read
	// Graph, Advanced Hunting and Log Analytics with an on-behalf-of token
	// for that user, so the user's own roles apply. Key and stdio callers
	// still read with the app's credential. Needs a credential that can do
	// the exchange (clientSecret, certificate, workloadIdentity).
	OnBehalfOf bool `yaml:"onBehalfOf"`
}

// Sentinel names the tenant's Log Analytics workspace.
type Sentinel struct {
	SubscriptionID string `yaml:"subscriptionId"`
	ResourceGroup  string `yaml:"resourceGroup"`
	WorkspaceName  string `yaml:"workspaceName"`
	WorkspaceID    string `yaml:"workspaceId"`
}

// ADX names an Azure Data Explorer cluster and database.
type ADX struct {
	ClusterURL string `yaml:"clusterUrl"`
	Database   string `yaml:"database"`
}

// Budgets are the capacity budgets and tool costs.
type Budgets struct {
	Default   *ratelimit.Config `yaml:"default"`
	ToolCosts map[string]int    `yaml:"toolCosts"`
}

// MaxFileSize is the largest configuration file Load accepts. A larger file
// is refused, never cut: a setting past a cut would be silently ignored.
const MaxFileSize = 4 << 20

// Load reads and validates a configuration file.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("config %s is larger than the %d MiB limit; a configuration this large is almost certainly not one (move data such as lists of keys out of it)", path, MaxFileSize>>20)
	}
	c, err := Parse(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// CheckAliases refuses tenant aliases that are one of reserved, the static
// roots of the server's resource URIs (secmcp://attack/..., secmcp://hunting/...):
// such a tenant's resources could never be read, because the static
// resource answers first.
func (c *Config) CheckAliases(reserved []string) error {
	for _, t := range c.Tenants {
		for _, r := range reserved {
			if t.Alias == r {
				return fmt.Errorf("tenant %q: the alias is reserved for the server's own resources (secmcp://%s/...); reserved: %s; choose another alias",
					t.Alias, r, strings.Join(reserved, ", "))
			}
		}
	}
	return nil
}

// Parse decodes and validates YAML.
func Parse(r io.Reader) (*Config, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var c Config
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the file is empty; it needs at least a tenants list")
		}
		return nil, fmt.Errorf("%w (see the configuration reference in the README)", err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

var (
	aliasRE = lazyre.New(`^[a-z][a-z0-9-]{0,62}$`)
	guidRE  = lazyre.New(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// Validate reports the first problem in words that say what to fix.
func (c *Config) Validate() error {
	if len(c.Tenants) == 0 {
		return errors.New("tenants: at least one tenant is required (or run without --config for the demo tenants)")
	}
	aliases := map[string]bool{}
	for i, t := range c.Tenants {
		where := fmt.Sprintf("tenants[%d]", i)
		if !aliasRE.MatchString(t.Alias) {
			return fmt.Errorf("%s: alias %q must be lowercase letters, digits and dashes, starting with a letter", where, t.Alias)
		}
		where = fmt.Sprintf("tenant %q", t.Alias)
		if aliases[t.Alias] {
			return fmt.Errorf("%s: alias is used twice", where)
		}
		aliases[t.Alias] = true

		if !guidRE.MatchString(t.TenantID) {
			return fmt.Errorf("%s: tenantId %q must be the Entra tenant GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", where, t.TenantID)
		}
		switch t.Cloud {
		case "", "public", "usgov", "china":
		default:
			return fmt.Errorf("%s: cloud %q must be public, usgov or china", where, t.Cloud)
		}
		if s := t.Sentinel; s != nil && (s.SubscriptionID == "" || s.ResourceGroup == "" || s.WorkspaceName == "") {
			return fmt.Errorf("%s: sentinel needs subscriptionId, resourceGroup and workspaceName", where)
		}
		if a := t.ADX; a != nil && (!strings.HasPrefix(a.ClusterURL, "https://") || a.Database == "") {
			return fmt.Errorf("%s: adx needs clusterUrl (https://...) and database", where)
		}
		if t.OnBehalfOf && !slices.Contains(auth.OnBehalfOfKinds, t.Credential.Kind) {
			return fmt.Errorf("%s: onBehalfOf needs credential kind %s (a confidential client that can exchange the user's token); %q cannot",
				where, strings.Join(auth.OnBehalfOfKinds, ", "), t.Credential.Kind)
		}
		if err := t.Endpoints.validate(where); err != nil {
			return err
		}
		if t.Budget != nil {
			if err := t.Budget.Validate(); err != nil {
				return fmt.Errorf("%s: budget: %w", where, err)
			}
		}
	}
	if _, err := auth.NewPrincipals(c.Principals); err != nil {
		return err
	}
	for _, p := range c.Principals {
		if err := checkAliases("principal "+p.Name, p.Tenants, aliases); err != nil {
			return err
		}
	}
	if err := checkAliases("stdioTenants", c.StdioTenants, aliases); err != nil {
		return err
	}
	if err := c.Entra.validate(aliases); err != nil {
		return err
	}
	if err := c.OutputSchemas.validate(); err != nil {
		return err
	}
	if c.Budgets.Default != nil {
		if err := c.Budgets.Default.Validate(); err != nil {
			return fmt.Errorf("budgets.default: %w", err)
		}
	}
	if err := c.Limits.Validate(); err != nil {
		return err
	}
	for tool, cost := range c.Budgets.ToolCosts {
		if cost < 0 || cost > 1000 {
			return fmt.Errorf("budgets.toolCosts.%s: cost must be between 0 and 1000, got %d", tool, cost)
		}
	}
	if err := ValidatePluginAPIs(c.PluginAPIs); err != nil {
		return err
	}
	for name, p := range c.PluginAPIs {
		if err := checkAliases("pluginApis."+name+".tenants", p.Tenants, aliases); err != nil {
			return err
		}
	}
	for _, t := range c.Tenants {
		if err := ValidateTenantPluginAPIs(t.Alias, t.PluginAPIs, c.PluginAPIs); err != nil {
			return err
		}
	}
	return ValidateMCPServers(c.MCPServers, aliases)
}

func checkAliases(where string, list []string, known map[string]bool) error {
	for _, a := range list {
		if a != "*" && !known[a] {
			return fmt.Errorf("%s: tenant %q is not among the configured tenants", where, a)
		}
	}
	return nil
}
