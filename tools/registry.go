package tools

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// Toolset names. DefaultToolsets are enabled when --toolsets is not given.
const (
	ToolsetDefender = "defender"
	ToolsetSentinel = "sentinel"
	ToolsetEntra    = "entra"
	ToolsetIntune   = "intune"
	ToolsetPurview  = "purview"
	ToolsetKQL      = "kql"
	ToolsetScripts  = "scripts"
	ToolsetReports  = "reports"
	// ToolsetInvestigate holds the single tool "investigate" (the
	// synthesizer), registered only when a synthesizer is configured.
	ToolsetInvestigate = "investigate"
)

// DefaultToolsets is the default selection ("all" selects every toolset).
var DefaultToolsets = []string{"all"}

// Selection says which tools to expose.
type Selection struct {
	// Toolsets to enable; "all" enables every toolset. Empty = DefaultToolsets.
	Toolsets []string
	// Tools enables individual tools in addition to the toolsets.
	Tools []string
	// Exclude removes tools; it wins over Toolsets and Tools.
	Exclude []string
	// ReadOnly hides every tool that writes (default true).
	ReadOnly bool
	// Late are dynamic toolsets whose tools arrive while the server runs
	// (other MCP servers): they are valid in Toolsets, and tool names
	// "<late>_..." valid in Tools and Exclude, before their tools are known
	// (late.go).
	Late []string
}

// Registry is the validated set of exposed tools.
type Registry struct {
	specs  []Spec
	byName map[string]*Spec
	// prices are the costs of every catalogue tool, exposed or not: work
	// done on a caller's behalf pays the price of the tool that would do it
	// directly even when that tool is not exposed.
	prices map[string]int

	// sel and enabled are the selection, kept for late tools (late.go).
	sel     Selection
	enabled map[string]bool
	late    lateState
}

var toolName = lazyre.New(`^[a-z][a-z0-9]*(_[a-z0-9]+)+$`)

// allowedVerbs is the small verb set tool names draw from (house style).
var allowedVerbs = []string{"list", "get", "search", "run", "explain", "summarize", "suggest", "draft", "validate", "analyze", "generate", "what"}

// Validate checks the registry-wide rules on the full catalogue: unique
// names, the naming scheme, schemas present and object-typed with no
// top-level oneOf/anyOf, a toolset set. Tests run it on the catalogue
// (tools/catalog's TestCatalogueValid); NewRegistry, on every start, checks
// everything but the checked-in schemas, which cost start-up time to scan
// (issue 16) and cannot change without a test run.
func Validate(all []Spec) error {
	return validate(all, true)
}

func validate(all []Spec, schemas bool) error {
	seen := map[string]bool{}
	for _, s := range all {
		if s.Dynamic {
			if err := checkDynamicName(s.Toolset, s.Name); err != nil {
				return err
			}
			if err := validateSpec(s, seen, false); err != nil {
				return err
			}
			continue
		}
		// The one exception to <toolset>_<verb>_<object>: the synthesizer's
		// tool is named "investigate" (issue 7), alone in its toolset.
		if s.Name == ToolsetInvestigate && s.Toolset == ToolsetInvestigate {
			if err := validateSpec(s, seen, schemas); err != nil {
				return err
			}
			continue
		}
		if !toolName.MatchString(s.Name) {
			return fmt.Errorf("tool %q: name must be snake_case <toolset>_<verb>_<object>", s.Name)
		}
		parts := strings.Split(s.Name, "_")
		if s.Toolset == "" || (parts[0] != s.Toolset && !(s.Toolset == ToolsetSentinel && parts[0] == "sentinel")) {
			return fmt.Errorf("tool %q: name must start with its toolset %q", s.Name, s.Toolset)
		}
		if !slices.Contains(allowedVerbs, parts[1]) {
			return fmt.Errorf("tool %q: verb %q is not one of %v", s.Name, parts[1], allowedVerbs)
		}
		if err := validateSpec(s, seen, schemas); err != nil {
			return err
		}
	}
	return nil
}

// validateSpec checks the rules every tool follows whatever its name; the
// schemas only when asked.
func validateSpec(s Spec, seen map[string]bool, schemas bool) error {
	if seen[s.Name] {
		return fmt.Errorf("tool %q is registered twice", s.Name)
	}
	seen[s.Name] = true
	if s.Description == "" || s.Handler == nil {
		return fmt.Errorf("tool %q: description and handler are required", s.Name)
	}
	if !schemas {
		return nil
	}
	for kind, raw := range map[string]json.RawMessage{"input": s.InputSchema, "output": s.OutputSchema} {
		// Only the top level matters here: decoding into a struct scans the
		// schema without building a tree of maps (start-up cost, issue 16).
		if err := checkObjectSchema(raw); err != nil {
			return fmt.Errorf("tool %q: %s schema %w", s.Name, kind, err)
		}
	}
	return nil
}

// NewRegistry checks the catalogue's names, descriptions and handlers (not
// its schemas; see Validate) and keeps the selected tools.
func NewRegistry(all []Spec, sel Selection) (*Registry, error) {
	if err := validate(all, false); err != nil {
		return nil, err
	}
	toolsets := map[string]bool{}
	names := map[string]bool{}
	for _, s := range all {
		toolsets[s.Toolset] = true
		names[s.Name] = true
	}
	if err := addLateToolsets(sel, toolsets, names); err != nil {
		return nil, err
	}
	want := sel.Toolsets
	if len(want) == 0 {
		want = DefaultToolsets
	}
	enabledSet := map[string]bool{}
	for _, ts := range want {
		if ts == "all" {
			for k := range toolsets {
				enabledSet[k] = true
			}
			continue
		}
		if !toolsets[ts] {
			return nil, fmt.Errorf("unknown toolset %q%s; valid: all, %s", ts, didYouMean(ts, sortedKeys(toolsets)), strings.Join(sortedKeys(toolsets), ", "))
		}
		enabledSet[ts] = true
	}
	for _, list := range [][]string{sel.Tools, sel.Exclude} {
		for _, n := range list {
			if !names[n] {
				return nil, fmt.Errorf("unknown tool %q%s; mcp-server --list-tools prints them all", n, didYouMean(n, sortedKeys(names)))
			}
		}
	}
	r := &Registry{byName: map[string]*Spec{}, prices: map[string]int{}, sel: sel, enabled: enabledSet}
	for _, s := range all {
		r.prices[s.Name] = s.Cost
		on := enabledSet[s.Toolset] || slices.Contains(sel.Tools, s.Name)
		if !on || slices.Contains(sel.Exclude, s.Name) || (sel.ReadOnly && !s.ReadOnly) {
			continue
		}
		r.specs = append(r.specs, s)
	}
	sort.Slice(r.specs, func(i, j int) bool { return r.specs[i].Name < r.specs[j].Name })
	for i := range r.specs {
		r.byName[r.specs[i].Name] = &r.specs[i]
	}
	return r, nil
}

// Specs returns the exposed tools sorted by name, late ones included.
func (r *Registry) Specs() []Spec {
	out := slices.Clone(r.specs)
	if l := r.late.snapshot(); l != nil {
		out = append(out, l.specs()...)
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	}
	return out
}

// Lookup returns an exposed tool.
func (r *Registry) Lookup(name string) (*Spec, bool) {
	if s, ok := r.byName[name]; ok {
		return s, true
	}
	if l := r.late.snapshot(); l != nil {
		s, ok := l.byName[name]
		return s, ok
	}
	return nil, false
}

// Price returns the capacity units one call of the catalogue tool name
// costs (with the configuration's overrides), whether or not it is exposed.
func (r *Registry) Price(name string) (int, bool) {
	if c, ok := r.prices[name]; ok {
		return c, true
	}
	if l := r.late.snapshot(); l != nil {
		c, ok := l.prices[name]
		return c, ok
	}
	return 0, false
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
