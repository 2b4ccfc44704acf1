package plugins

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/kql/analyze"
	"github.com/secmcp/secmcp/internal/kql/guard"
	"github.com/secmcp/secmcp/internal/kql/syntax"
	"github.com/secmcp/secmcp/internal/lazyre"
	"github.com/secmcp/secmcp/tools"
)

// Targets of KQL skills (learn.microsoft.com/copilot/security/plugin-kql).
var targets = map[string]string{"defender": "Defender", "sentinel": "Sentinel", "loganalytics": "LogAnalytics", "kusto": "Kusto"}

// KQLSkill is a loaded KQL skill.
type KQLSkill struct {
	Plugin, PluginName, Skill, Tool, Description string
	Target                                       string
	Inputs                                       []Input
	Template                                     *Template
	// Settings are the skill's settings other than Target and Template
	// (Cluster, Database, TenantId, WorkspaceName, ...), possibly with
	// {{setting}} placeholders filled per tenant.
	Settings map[string]string
	// Descriptor settings, for defaults and required checks.
	Descriptor []Setting
	// CustomTables are tables the template reads that the built-in schema
	// does not know (custom logs, or functions such as ASIM parsers).
	CustomTables []string
	// Known tables the template reads.
	Tables []string
	// Functions are the known workspace functions it calls (Sentinel's
	// _GetWatchlist, the ASIM parsers).
	Functions []string
	Path      string
	Line      int
}

type kqlBuilder struct{}

func (kqlBuilder) BuildGroup(env *Env, m *Manifest, g *SkillGroup) []SkillReport {
	var reps []SkillReport
	for i := range g.Skills {
		s := &g.Skills[i]
		sk, err := loadKQLSkill(env, m, g, s)
		if err != nil {
			var le *lineError
			line := s.Line
			if errors.As(err, &le) {
				line = le.line
			}
			reps = append(reps, SkillReport{Skill: cleanDescription(s.Name), Format: "KQL", Status: Refused, Reason: err.Error(), Line: line})
			continue
		}
		spec, err := sk.spec(env)
		if err != nil {
			reps = append(reps, SkillReport{Skill: cleanDescription(s.Name), Format: "KQL", Status: Refused, Reason: err.Error(), Line: s.Line})
			continue
		}
		rep := SkillReport{Skill: cleanDescription(s.Name), Format: "KQL", Tool: spec.Name, Status: Loaded, Line: s.Line,
			CustomTables: sk.CustomTables, Warnings: sk.targetWarnings(), Spec: &spec, KQL: sk}
		if len(sk.CustomTables) > 0 {
			rep.Reason = "reads tables or functions the built-in schema does not know: " + strings.Join(sk.CustomTables, ", ")
		}
		reps = append(reps, rep)
	}
	return reps
}

// lineError is a refusal at a manifest line.
type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return e.msg }

// loadKQLSkill checks one KQL skill: target, inputs, template (parse,
// placeholders, schema, guard).
func loadKQLSkill(env *Env, m *Manifest, g *SkillGroup, s *Skill) (*KQLSkill, error) {
	if strings.TrimSpace(s.Name) == "" {
		return nil, fmt.Errorf("the skill has no Name")
	}
	if Normalize(s.Name) == "" {
		return nil, fmt.Errorf("the skill's Name %q has no letter or digit to name its tool with; rename it", cleanDescription(s.Name))
	}
	settings := map[string]string{}
	for k := range g.Settings {
		settings[k] = SettingValue(g.Settings, k)
	}
	for k := range s.Settings {
		settings[k] = SettingValue(s.Settings, k)
	}
	target := targets[strings.ToLower(pick(settings, "Target"))]
	if target == "" {
		return nil, fmt.Errorf("Settings.Target %q is not one of Defender, Sentinel, LogAnalytics, Kusto", pick(settings, "Target"))
	}
	src := pick(settings, "Template")
	if strings.TrimSpace(src) == "" {
		return nil, fmt.Errorf("Settings.Template is empty")
	}
	for k := range settings {
		if strings.EqualFold(k, "Target") || strings.EqualFold(k, "Template") {
			delete(settings, k)
		}
	}
	sk := &KQLSkill{Plugin: Normalize(m.Descriptor.Name), PluginName: m.Descriptor.Name, Skill: s.Name,
		Tool: ToolName(m.Descriptor.Name, s.Name), Target: target, Inputs: s.Inputs, Settings: settings,
		Descriptor: m.Descriptor.Settings, Path: m.Path, Line: s.Line}
	sk.Description = firstNonEmpty(s.DescriptionForModel, s.Description, s.DisplayName)
	if err := checkInputs(s.Inputs); err != nil {
		return nil, err
	}
	tpl, err := ParseTemplate(src)
	if err != nil {
		return nil, atLine(s, err)
	}
	for _, name := range tpl.Names() {
		if !slices.ContainsFunc(s.Inputs, func(in Input) bool { return in.Name == name }) {
			return nil, fmt.Errorf("the template uses {{%s}} but Inputs does not declare it", name)
		}
	}
	sk.Template = tpl
	if err := sk.checkSchemaAndGuard(env, s); err != nil {
		return nil, err
	}
	return sk, nil
}

var unknownRE = lazyre.New(`^unknown (table|function|column or variable|column|join column) '([^']*)'`)

// checkSchemaAndGuard validates the template (with sample values) against
// the built-in schema and the read-only guard.
func (sk *KQLSkill) checkSchemaAndGuard(env *Env, s *Skill) error {
	c := env.checker()
	g := guard.Check(sk.Template.Sample, c.GuardOptions())
	if !g.Allowed() {
		line := 1
		for _, d := range g.Diagnostics {
			if d.Severity == syntax.SeverityError {
				line, _ = lineCol(sk.Template.Sample, d.Start)
				break
			}
		}
		return &lineError{line: s.TemplateLine + line - 1, msg: fmt.Sprintf("template line %d: the read-only guard refuses it: %s", line, strings.TrimRight(g.Refusal(), "."))}
	}
	if !sk.Template.HasQuery {
		line, _ := lineCol(sk.Template.Sample, len(sk.Template.Sample))
		return &lineError{line: s.TemplateLine + line - 1, msg: "the template has no query statement (it ends with a let or set): add the query that returns the rows"}
	}
	if c.Schema() == nil {
		return nil
	}
	rep := analyze.Analyze(sk.Template.script, analyze.Options{Schema: c.Schema()})
	sk.Tables, sk.Functions = rep.Tables, rep.Functions
	if sk.Target == "Kusto" {
		// An ADX database's schema is the operator's own: nothing to check
		// the tables and columns against.
		return nil
	}
	hasIdent := slices.ContainsFunc(sk.Template.Placeholders, func(p Placeholder) bool { return p.Kind == KindIdent })
	custom := map[string]bool{}
	for _, d := range rep.Diagnostics {
		if d.Severity != syntax.SeverityError {
			continue
		}
		m := unknownRE.FindStringSubmatch(d.Message)
		switch {
		case m == nil:
			continue // type checks: the analyzer's, not the schema's, and may be too strict
		case m[1] == "table" || m[1] == "function":
			custom[m[2]] = true
		case hasIdent && m[2] == sampleValue(KindIdent):
			continue
		default:
			line, _ := lineCol(sk.Template.Sample, d.Start)
			return &lineError{line: s.TemplateLine + line - 1, msg: fmt.Sprintf("template line %d: %s (the %s schema knows the table; check the name)", line, strings.TrimRight(d.Message, "."), sk.Target)}
		}
	}
	for t := range custom {
		sk.CustomTables = append(sk.CustomTables, t)
	}
	sort.Strings(sk.CustomTables)
	return nil
}

func atLine(s *Skill, err error) error {
	var pe *PosError
	if errors.Is(err, errTemplateBounds) {
		return &lineError{line: max(s.TemplateLine, s.Line), msg: err.Error()}
	}
	if errors.As(err, &pe) && s.TemplateLine > 0 {
		return &lineError{line: s.TemplateLine + pe.Line - 1, msg: fmt.Sprintf("the template does not parse: template %v", pe)}
	}
	return fmt.Errorf("the template does not parse: %w", err)
}

var inputNameRE = lazyre.New(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// checkInputs refuses inputs the tool's schema could not carry.
func checkInputs(ins []Input) error {
	seen := map[string]bool{}
	for _, in := range ins {
		switch {
		case strings.TrimSpace(in.Name) == "":
			return fmt.Errorf("an input has no Name")
		case !inputNameRE.MatchString(in.Name):
			return fmt.Errorf("input name %q must be a letter or _ then letters, digits or _, at most 64 (it is the {{name}} the template uses)", clip(in.Name))
		case strings.EqualFold(in.Name, "tenant"):
			return fmt.Errorf(`input "tenant" clashes with the tenant argument every secmcp tool takes; rename it`)
		case seen[in.Name]:
			return fmt.Errorf("input %q is declared twice", in.Name)
		case len(in.DefaultValue) > MaxValueBytes:
			return fmt.Errorf("input %q has a DefaultValue of %d bytes; the limit is %d", in.Name, len(in.DefaultValue), MaxValueBytes)
		}
		seen[in.Name] = true
	}
	return nil
}

// inputSchema is the tool's input schema: one string property per input.
func (sk *KQLSkill) inputSchema() json.RawMessage {
	props := map[string]any{}
	var required []string
	for _, in := range sk.Inputs {
		p := map[string]any{"type": []string{"string", "number"}, "maxLength": MaxValueBytes}
		if d := cleanDescription(in.Description); d != "" {
			p["description"] = d
		}
		if in.DefaultValue != "" {
			p["default"] = tools.SanitizeText(in.DefaultValue)
		}
		props[in.Name] = p
		if in.Required && in.DefaultValue == "" {
			required = append(required, in.Name)
		}
	}
	m := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		m["required"] = required
	}
	b, _ := json.Marshal(m)
	return b
}

func (sk *KQLSkill) spec(env *Env) (tools.Spec, error) {
	desc := sk.Description
	if desc == "" {
		return tools.Spec{}, fmt.Errorf("the skill has no Description or DisplayName")
	}
	desc = cleanDescription(desc) + fmt.Sprintf(" (plugin %s; KQL on %s)", cleanDescription(sk.PluginName), sk.Target)
	return tools.NewDynamic(tools.DynamicSpec{
		Toolset: Toolset(sk.PluginName), Name: sk.Tool, Title: cleanDescription(sk.Skill), Description: desc,
		InputSchema: sk.inputSchema(), OutputSchema: runOutputSchema, ReadOnly: true, OpenWorld: true,
		Cost: 5, Timeout: 60 * time.Second, Handler: sk.handler(env),
	})
}

func pick(m map[string]string, key string) string {
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// InputKind is how the skill binds an input ("" when the template does not
// use it): the name of its placeholder's Kind.
func (sk *KQLSkill) InputKind(name string) string {
	for _, p := range sk.Template.Placeholders {
		if p.Name == name {
			return p.Kind.String()
		}
	}
	return ""
}

// Optional reports whether a call may leave the input out.
func (sk *KQLSkill) Optional(in Input) bool {
	return in.DefaultValue != "" || !in.Required && !sk.usesInput(in.Name)
}
