package plugins

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/secmcp/secmcp/internal/config"
	"github.com/secmcp/secmcp/internal/kqlcheck"
	"github.com/secmcp/secmcp/internal/lazyre"
	"github.com/secmcp/secmcp/tools"
)

// Outcomes of a skill at load.
const (
	Loaded  = "loaded"
	Skipped = "skipped"
	Refused = "refused"
)

// SkillReport is what became of one skill.
type SkillReport struct {
	Skill  string `json:"skill"`
	Format string `json:"format"`
	// Tool is the tool name (loaded skills).
	Tool   string `json:"tool,omitempty"`
	Status string `json:"status"`
	// Reason says why a skill was skipped or refused, or notes about a
	// loaded one (custom tables it reads).
	Reason string `json:"reason,omitempty"`
	// Warnings are load-time warnings about a loaded skill (a Target
	// that lacks a table it reads).
	Warnings []string `json:"warnings,omitempty"`
	Line     int      `json:"line"`
	// CustomTables are the tables a loaded KQL skill reads that the
	// built-in schema does not know.
	CustomTables []string `json:"customTables,omitempty"`
	// Spec is the loaded skill's tool.
	Spec *tools.Spec `json:"-"`
	// KQL is the loaded KQL skill.
	KQL *KQLSkill `json:"-"`
}

// Builder turns the skills of one skill group of a format into tools. Each
// format (KQL, API, ...) has one; Builders maps the format's upper-case
// name to it, and a format without one is skipped with the reason.
type Builder interface {
	// BuildGroup returns a report per skill; a loaded skill's carries its
	// tool.
	BuildGroup(env *Env, m *Manifest, g *SkillGroup) []SkillReport
}

// Builders are the skill builders by format.
var Builders = map[string]Builder{
	"KQL": kqlBuilder{},
	"API": apiBuilder{},
}

// Env is what builders need at load and at call time.
type Env struct {
	// Checker validates templates against the built-in schema and guard;
	// nil means kqlcheck.Default.
	Checker *kqlcheck.Checker
	// PrepareKQL applies the guard's caps before a query is sent; nil sends
	// the bound query as is.
	PrepareKQL func(query string) (string, []string, error)
	// Settings returns the plugin settings configured for a tenant
	// (descriptor setting name → value); nil means none.
	Settings func(tenantAlias, plugin string) map[string]string
	// Runs keeps each run's query and rows for its citation; nil keeps
	// none (results then cite nothing).
	Runs *RunStore
	// DemoTables reports whether a demo tenant has a table; nil means the
	// built-in schema's tables.
	DemoTables func(table string) bool
	// APIs configure API plugins by Descriptor.Name (apiskill.go).
	APIs map[string]config.PluginAPI
	// TenantAPIs are tenants' own settings of API plugins: alias →
	// Descriptor.Name → server, auth and timeout (apitenant.go).
	TenantAPIs map[string]map[string]config.PluginAPI
	// FetchOpenAPI allows fetching an API plugin's OpenAPI document by URL
	// at load.
	FetchOpenAPI bool
	// HTTPClient fetches OpenAPI documents; nil uses a default one. API
	// calls use their own client (apicall.go), which refuses redirects
	// to other hosts.
	HTTPClient *http.Client
	// Token returns an Entra access token for a scope with the tenant's
	// credential (API plugins with auth type entra); nil: not available.
	Token func(ctx context.Context, tenantAlias, scope string) (string, error)
	// APITransport carries API calls; nil is http.DefaultTransport's
	// configuration with a dialer that refuses link-local and metadata
	// addresses (apiguard.go).
	APITransport http.RoundTripper
}

func (e *Env) checker() *kqlcheck.Checker {
	if e.Checker != nil {
		return e.Checker
	}
	return kqlcheck.Default()
}

var nonName = lazyre.New(`[^a-z0-9]+`)

// Normalize makes a plugin or skill name a tool-name part: lower case,
// runs of other characters as one "_".
func Normalize(s string) string {
	return strings.Trim(nonName.ReplaceAllString(strings.ToLower(s), "_"), "_")
}

// Name lengths: several clients (OpenAI function calling among them) take
// tool names of at most 64 characters, so plugin and skill names are cut
// to fit; two skills whose cut names collide are refused.
const (
	maxToolName   = 64
	maxPluginPart = 24
)

// Toolset is a plugin's toolset name: plugin_<plugin>, the plugin's
// normalized name cut to 24 characters.
func Toolset(plugin string) string { return "plugin_" + cut(Normalize(plugin), maxPluginPart) }

// ToolName is the tool name of a plugin's skill: plugin_<plugin>_<skill>,
// normalized and cut to 64 characters.
func ToolName(plugin, skill string) string {
	ts := Toolset(plugin)
	return ts + "_" + cut(Normalize(skill), maxToolName-len(ts)-1)
}

func cut(s string, n int) string {
	if len(s) > n {
		s = strings.TrimRight(s[:n], "_")
	}
	return s
}

// skipGroup reports every skill of a format with no builder.
func skipGroup(g *SkillGroup) []SkillReport {
	format := g.Format
	reason := fmt.Sprintf("format %s is not supported: secmcp runs KQL skills and API skills", format)
	if strings.EqualFold(format, "GPT") {
		reason = "GPT skills are prompts for Security Copilot's model; secmcp runs no model of its own for plugins (the client's model can follow the skill's description)"
	}
	if format == "" {
		reason = "the skill group has no Format"
	}
	if len(g.Skills) == 0 {
		return []SkillReport{{Skill: "(group)", Format: format, Status: Skipped, Reason: reason, Line: g.Line}}
	}
	var out []SkillReport
	for _, s := range g.Skills {
		out = append(out, SkillReport{Skill: cleanDescription(s.Name), Format: cleanDescription(format), Status: Skipped, Reason: reason, Line: s.Line})
	}
	return out
}
