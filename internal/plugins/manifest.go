// Package plugins loads Security Copilot plugin manifests and turns their
// skills into secmcp tools.
//
// A manifest is a YAML or JSON file with a Descriptor (Name, DisplayName,
// Description, DescriptionForModel, Settings, SupportedAuthTypes,
// Authorization) and SkillGroups, each with a Format (KQL, API, GPT, ...)
// and Skills; the format is Microsoft's
// (learn.microsoft.com/copilot/security/plugin-kql,
// learn.microsoft.com/copilot/security/custom-plugins). Keys are matched
// without regard to case, as Security Copilot does.
//
// Each format has a Builder (see builder.go). KQL skills are built here:
// the template is parsed once, at load, with the KQL parser, and every
// {{input}} placeholder is bound as a literal of the kind its position
// calls for, never spliced as text (template.go, bind.go).
package plugins

import (
	"bytes"
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Manifest is one parsed plugin manifest.
type Manifest struct {
	// Path is the file the manifest was read from.
	Path        string
	Descriptor  Descriptor   `yaml:"descriptor"`
	SkillGroups []SkillGroup `yaml:"skillgroups"`
}

// Descriptor describes the plugin.
type Descriptor struct {
	Name                string         `yaml:"name"`
	DisplayName         string         `yaml:"displayname"`
	Description         string         `yaml:"description"`
	DescriptionForModel string         `yaml:"descriptionformodel"`
	Settings            []Setting      `yaml:"settings"`
	SupportedAuthTypes  []string       `yaml:"supportedauthtypes"`
	Authorization       *Authorization `yaml:"authorization"`
	Line                int            `yaml:"-"`
}

// Setting is a descriptor setting the operator gives a value in the
// configuration (per tenant); DefaultValue applies otherwise.
type Setting struct {
	Name         string `yaml:"name"`
	Label        string `yaml:"label"`
	Description  string `yaml:"description"`
	HintText     string `yaml:"hinttext"`
	SettingType  string `yaml:"settingtype"`
	Required     bool   `yaml:"required"`
	DefaultValue string `yaml:"defaultvalue"`
}

// Authorization is how an API plugin authenticates.
type Authorization struct {
	Type       string `yaml:"type"`
	Key        string `yaml:"key"`
	Location   string `yaml:"location"`
	AuthScheme string `yaml:"authscheme"`
}

// SkillGroup is a set of skills of one format.
type SkillGroup struct {
	Format   string         `yaml:"format"`
	Settings map[string]any `yaml:"settings"`
	Skills   []Skill        `yaml:"skills"`
	Line     int            `yaml:"-"`
}

// Skill is one skill of a group.
type Skill struct {
	Name                string         `yaml:"name"`
	DisplayName         string         `yaml:"displayname"`
	Description         string         `yaml:"description"`
	DescriptionForModel string         `yaml:"descriptionformodel"`
	ExamplePrompts      any            `yaml:"exampleprompt"`
	Inputs              []Input        `yaml:"inputs"`
	Settings            map[string]any `yaml:"settings"`
	// Line is the line of the skill in the manifest; TemplateLine the line
	// its template text starts on (0 when unknown).
	Line, TemplateLine int `yaml:"-"`
}

// Input is one input of a skill.
type Input struct {
	Name         string `yaml:"name"`
	Description  string `yaml:"description"`
	Required     bool   `yaml:"required"`
	DefaultValue string `yaml:"defaultvalue"`
}

// Parse reads a manifest from YAML or JSON (a JSON document is YAML).
func Parse(path string, data []byte) (*Manifest, error) {
	if len(data) > MaxManifestBytes {
		return nil, fmt.Errorf("%s: the manifest is %d bytes; the limit is %d bytes (1 MiB)", path, len(data), MaxManifestBytes)
	}
	if err := checkEncoding(data); err != nil {
		return nil, fmt.Errorf("%s:%w", path, err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line, msg := yamlError(err)
		return nil, fmt.Errorf("%s:%d: not YAML or JSON: %s", path, max(line, 1), msg)
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("%s: empty file", path)
	}
	doc := root.Content[0]
	lowerKeys(doc)
	m := &Manifest{Path: path}
	if err := doc.Decode(m); err != nil {
		line, msg := yamlError(err)
		return nil, fmt.Errorf("%s:%d: %s", path, max(line, 1), msg)
	}
	if find(doc, "descriptor") == nil {
		return nil, fmt.Errorf("%s:1: no Descriptor: not a Security Copilot plugin manifest", path)
	}
	if strings.TrimSpace(m.Descriptor.Name) == "" {
		return nil, fmt.Errorf("%s:%d: Descriptor.Name is required", path, find(doc, "descriptor").Line)
	}
	m.Descriptor.Line = find(doc, "descriptor").Line
	recordLines(m, doc)
	return m, nil
}

// skillCount is the number of skills of every group.
func (m *Manifest) skillCount() int {
	n := 0
	for _, g := range m.SkillGroups {
		n += len(g.Skills)
	}
	return n
}

// recordLines copies the line of each skill group, skill and template.
func recordLines(m *Manifest, doc *yaml.Node) {
	groups := find(doc, "skillgroups")
	if groups == nil {
		return
	}
	for i, g := range groups.Content {
		if i >= len(m.SkillGroups) {
			break
		}
		m.SkillGroups[i].Line = g.Line
		skills := find(g, "skills")
		if skills == nil {
			continue
		}
		for j, s := range skills.Content {
			if j >= len(m.SkillGroups[i].Skills) {
				break
			}
			sk := &m.SkillGroups[i].Skills[j]
			sk.Line = s.Line
			if st := find(s, "settings"); st != nil {
				if t := findFold(st, "template"); t != nil {
					sk.TemplateLine = t.Line
					if t.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
						sk.TemplateLine++ // a block scalar starts on the next line
					}
				}
			}
		}
	}
}

// find returns the value of key in a mapping node (nil if absent).
func find(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// findFold is find with the key matched without regard to case.
func findFold(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if strings.EqualFold(n.Content[i].Value, key) {
			return n.Content[i+1]
		}
	}
	return nil
}

// lowerKeys lower-cases every mapping key except those of settings maps,
// whose keys are names the template and configuration use as written.
func lowerKeys(n *yaml.Node) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			k.Value = strings.ToLower(k.Value)
			v := n.Content[i+1]
			if k.Value == "settings" && v.Kind == yaml.MappingNode {
				for j := 1; j < len(v.Content); j += 2 {
					lowerKeys(v.Content[j])
				}
				continue
			}
			lowerKeys(v)
		}
		return
	}
	for _, c := range n.Content {
		lowerKeys(c)
	}
}

// SettingValue returns a settings map's value for key, matched without
// regard to case, as text ("" when absent or not a scalar).
func SettingValue(m map[string]any, key string) string {
	for k, v := range m {
		if strings.EqualFold(k, key) {
			switch v := v.(type) {
			case string:
				return v
			case nil, []any, map[string]any:
				return ""
			default:
				return fmt.Sprint(v)
			}
		}
	}
	return ""
}
