package tools

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// Dynamic tools are described at start-up by configuration instead of being
// compiled in: a Security Copilot plugin manifest's skills (toolset
// "plugin_<plugin>", tools "plugin_<plugin>_<skill>") or another MCP
// server's tools (toolset "<server>", tools "<server>__<tool>"). They go
// through the same registry (toolsets, --tools, --exclude-tools,
// --read-only), invoker (caller, tenant, budget, audit, deadline) and
// sanitizer as the catalogue; only their names follow looser rules, since
// they come from someone else's manifest.

// StaticToolsets are the compiled-in toolsets; no dynamic toolset may take
// one of their names.
var StaticToolsets = []string{ToolsetDefender, ToolsetSentinel, ToolsetEntra, ToolsetIntune,
	ToolsetPurview, ToolsetKQL, ToolsetScripts, ToolsetReports, ToolsetInvestigate}

// dynamicName is the MCP tool-name rule: 1 to 128 characters of ASCII
// letters, digits, "_", "-" and "." (modelcontextprotocol.io/specification,
// server/tools, "Tool names").
var dynamicName = lazyre.New(`^[A-Za-z0-9_.-]{1,128}$`)

// dynamicToolset is what a dynamic toolset may be called (it is typed in
// --toolsets, so it stays simple).
var dynamicToolset = lazyre.New(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// DynamicSpec describes one dynamic tool.
type DynamicSpec struct {
	// Toolset groups the tool; its name must be a prefix of the tool's,
	// followed by "_" (plugin_okta → plugin_okta_get_users; github →
	// github__search).
	Toolset, Name, Title, Description string
	// InputSchema is the JSON object schema of the tool's own arguments;
	// the core adds the optional "tenant" argument, so it must not declare
	// one.
	InputSchema json.RawMessage
	// OutputSchema is optional (nil: results carry no schema).
	OutputSchema json.RawMessage
	// ReadOnly, OpenWorld, NoTenant, Cost and Timeout are as in Spec
	// (Cost 0 = 1, Timeout 0 = 60 s).
	ReadOnly, OpenWorld, NoTenant bool
	Cost                          int
	Timeout                       time.Duration
	// Handler receives the arguments without "tenant"; it decodes and
	// checks them itself.
	Handler Handler
	// Tenants are as in Spec (empty: every tenant).
	Tenants []string
}

// NewDynamic checks a dynamic tool's description and builds its Spec. The
// registry checks again, with the whole catalogue, that the name is unique.
func NewDynamic(d DynamicSpec) (Spec, error) {
	if err := checkDynamicName(d.Toolset, d.Name); err != nil {
		return Spec{}, err
	}
	if strings.TrimSpace(d.Description) == "" || d.Handler == nil {
		return Spec{}, fmt.Errorf("tool %q: description and handler are required", d.Name)
	}
	in := d.InputSchema
	if len(in) == 0 {
		in = json.RawMessage(`{"type":"object","properties":{},"additionalProperties":false}`)
	}
	if err := checkObjectSchema(in); err != nil {
		return Spec{}, fmt.Errorf("tool %q: input schema: %w", d.Name, err)
	}
	in, err := withTenantArg(in)
	if err != nil {
		return Spec{}, fmt.Errorf("tool %q: %w", d.Name, err)
	}
	if len(d.OutputSchema) > 0 {
		if err := checkObjectSchema(d.OutputSchema); err != nil {
			return Spec{}, fmt.Errorf("tool %q: output schema: %w", d.Name, err)
		}
	}
	s := Spec{
		Name: d.Name, Title: d.Title, Description: d.Description, Toolset: d.Toolset,
		ReadOnly: d.ReadOnly, OpenWorld: d.OpenWorld, NoTenant: d.NoTenant,
		Cost: max(d.Cost, 1), Timeout: d.Timeout, InputSchema: in, OutputSchema: d.OutputSchema,
		Handler: d.Handler, Dynamic: true, Tenants: slices.Clone(d.Tenants),
	}
	if s.Timeout <= 0 {
		s.Timeout = 60 * time.Second
	}
	return s, nil
}

// checkDynamicName applies the dynamic naming rules.
func checkDynamicName(toolset, name string) error {
	if !dynamicToolset.MatchString(toolset) {
		return fmt.Errorf("toolset %q: must be 1-64 lower-case letters, digits, '_' or '-', starting with a letter or digit", toolset)
	}
	if slices.Contains(StaticToolsets, toolset) {
		return fmt.Errorf("toolset %q is a built-in toolset; a plugin must use another name", toolset)
	}
	if !dynamicName.MatchString(name) {
		return fmt.Errorf("tool %q: name must be 1-128 characters of A-Z, a-z, 0-9, '_', '-', '.'", name)
	}
	if !strings.HasPrefix(name, toolset+"_") || len(name) == len(toolset)+1 {
		return fmt.Errorf("tool %q: name must start with its toolset %q and '_'", name, toolset)
	}
	return nil
}

// checkObjectSchema checks the top level of a JSON schema: an object, with
// no oneOf/anyOf/allOf (which several clients reject).
func checkObjectSchema(raw json.RawMessage) error {
	var m struct {
		Type                json.RawMessage `json:"type"`
		OneOf, AnyOf, AllOf json.RawMessage
	}
	if err := json.Unmarshal(raw, &m); err != nil || string(m.Type) != `"object"` {
		return fmt.Errorf(`must be a JSON object schema ("type": "object")`)
	}
	for k, v := range map[string]json.RawMessage{"oneOf": m.OneOf, "anyOf": m.AnyOf, "allOf": m.AllOf} {
		if v != nil {
			return fmt.Errorf("must not use top-level %s", k)
		}
	}
	return nil
}
