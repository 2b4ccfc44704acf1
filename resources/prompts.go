package resources

import (
	"fmt"
	"slices"
	"sort"
)

// PromptArg is one argument of a prompt.
type PromptArg struct {
	Name        string
	Description string
	Required    bool
}

// Prompt is an MCP prompt: a template that guides a client's model through
// a workflow with this server's tools.
type Prompt struct {
	Name        string
	Title       string
	Description string
	Args        []PromptArg
	// Render returns the prompt text (one user message) for the arguments.
	Render func(args map[string]string) (string, error)
}

// AddPrompt registers prompts.
func (s *Server) AddPrompt(p ...Prompt) { s.prompts = append(s.prompts, p...) }

// Prompts returns the prompts sorted by name.
func (s *Server) Prompts() []Prompt {
	out := slices.Clone(s.prompts)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// RenderPrompt checks required arguments and renders a prompt.
func (s *Server) RenderPrompt(name string, args map[string]string) (string, error) {
	for _, p := range s.prompts {
		if p.Name != name {
			continue
		}
		for _, a := range p.Args {
			if a.Required && args[a.Name] == "" {
				return "", fmt.Errorf("prompt %s needs the argument %q (%s)", name, a.Name, a.Description)
			}
		}
		for k := range args {
			if !slices.ContainsFunc(p.Args, func(a PromptArg) bool { return a.Name == k }) {
				return "", fmt.Errorf("prompt %s has no argument %q", name, k)
			}
		}
		return p.Render(args)
	}
	return "", fmt.Errorf("no prompt %q", name)
}
