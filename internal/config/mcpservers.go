package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// MCPServer attaches another MCP server whose tools secmcp re-exports as
// <name>__<tool>, through its own caller, tenant, budget and audit chain.
// Exactly one of Command (stdio) and URL (streamable HTTP) is set. Secrets
// are never in the file: Env and Headers map a name to the NAME of the
// environment variable holding its value.
type MCPServer struct {
	// Name is the namespace of the server's tools and its toolset.
	Name string `yaml:"name"`
	// Command and Args start a stdio server. The child does not inherit
	// secmcp's environment (which holds secmcp's own secrets): it gets PATH,
	// HOME, LANG and TMPDIR, and what Env names.
	Command string   `yaml:"command"`
	Args    []string `yaml:"args"`
	// Env maps a variable the child sees to the variable of secmcp's
	// environment that holds its value.
	Env map[string]string `yaml:"env"`
	// URL is a streamable HTTP endpoint (https, or http to loopback).
	URL string `yaml:"url"`
	// Headers maps an HTTP header sent to URL to the environment variable
	// holding its value (e.g. Authorization: GITHUB_MCP_AUTH).
	Headers map[string]string `yaml:"headers"`
	// Tenants the server's tools are for: aliases, or "*" for all. A caller
	// of another tenant neither sees nor calls them.
	Tenants []string `yaml:"tenants"`
	// ReadOnly exposes only the tools the server marks readOnlyHint: true.
	ReadOnly bool `yaml:"readOnly"`
	// Tools, when set, is the allow-list of the server's tool names (not
	// namespaced) to re-export.
	Tools []string `yaml:"tools"`
	// ReadOnlyTools are tools the operator vouches change nothing although
	// the server does not mark them readOnlyHint: true.
	ReadOnlyTools []string `yaml:"readOnlyTools"`
	// CallTimeout bounds one call (default 30s).
	CallTimeout time.Duration `yaml:"callTimeout"`
	// Cost is the capacity units one call spends (default 1).
	Cost *int `yaml:"cost"`
	// MaxConcurrent caps the calls running on the server at once
	// (default 8); more are refused at once rather than queued.
	MaxConcurrent int `yaml:"maxConcurrent"`
	// MaxResultBytes caps one result as returned to the caller (default
	// 256 KiB; longer text is cut and says so). A message from the server
	// larger than 16 × this drops the connection.
	MaxResultBytes int `yaml:"maxResultBytes"`
}

var (
	mcpNameRE   = lazyre.New(`^[a-z][a-z0-9]{0,30}$`)
	envNameRE   = lazyre.New(`^[A-Za-z_][A-Za-z0-9_]*$`)
	headerRE    = lazyre.New("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
	reservedMCP = []string{"defender", "sentinel", "entra", "intune", "purview", "kql", "scripts", "reports", "investigate", "plugin", "all"}
)

// MCPServerDefaults fill what an MCPServer leaves out.
const (
	DefaultMCPCallTimeout    = 30 * time.Second
	DefaultMCPMaxConcurrent  = 8
	DefaultMCPMaxResultBytes = 256 << 10
)

// WithDefaults returns s with its zero fields filled.
func (s MCPServer) WithDefaults() MCPServer {
	if s.CallTimeout == 0 {
		s.CallTimeout = DefaultMCPCallTimeout
	}
	if s.MaxConcurrent == 0 {
		s.MaxConcurrent = DefaultMCPMaxConcurrent
	}
	if s.MaxResultBytes == 0 {
		s.MaxResultBytes = DefaultMCPMaxResultBytes
	}
	if s.Cost == nil {
		one := 1
		s.Cost = &one
	}
	return s
}

// ValidateMCPServers checks every entry; tenants are checked against known
// aliases when known is not nil.
func ValidateMCPServers(list []MCPServer, known map[string]bool) error {
	seen := map[string]bool{}
	for i, s := range list {
		where := fmt.Sprintf("mcpServers[%d]", i)
		if !mcpNameRE.MatchString(s.Name) {
			return fmt.Errorf("%s: name %q must be 1-31 lowercase letters and digits, starting with a letter (it prefixes the tools: NAME__tool)", where, s.Name)
		}
		where = fmt.Sprintf("mcpServers %q", s.Name)
		for _, r := range reservedMCP {
			if s.Name == r {
				return fmt.Errorf("%s: the name is reserved (a toolset of secmcp's own); choose another", where)
			}
		}
		if seen[s.Name] {
			return fmt.Errorf("%s: name is used twice", where)
		}
		seen[s.Name] = true
		if err := s.validateTransport(where); err != nil {
			return err
		}
		if len(s.Tenants) == 0 {
			return fmt.Errorf("%s: tenants is required: the tenant aliases the server is for, or [\"*\"] for all", where)
		}
		if known != nil {
			if err := checkAliases(where+" tenants", s.Tenants, known); err != nil {
				return err
			}
		}
		switch {
		case s.CallTimeout < 0 || s.CallTimeout > 10*time.Minute:
			return fmt.Errorf("%s: callTimeout %s must be between 1s and 10m", where, s.CallTimeout)
		case s.CallTimeout != 0 && s.CallTimeout < time.Second:
			return fmt.Errorf("%s: callTimeout %s must be between 1s and 10m", where, s.CallTimeout)
		case s.Cost != nil && (*s.Cost < 0 || *s.Cost > 1000):
			return fmt.Errorf("%s: cost must be between 0 and 1000, got %d", where, *s.Cost)
		case s.MaxConcurrent < 0 || s.MaxConcurrent > 256:
			return fmt.Errorf("%s: maxConcurrent must be between 1 and 256, got %d", where, s.MaxConcurrent)
		case s.MaxResultBytes != 0 && (s.MaxResultBytes < 1<<10 || s.MaxResultBytes > 16<<20):
			return fmt.Errorf("%s: maxResultBytes must be between 1024 and 16777216, got %d", where, s.MaxResultBytes)
		}
	}
	return nil
}

func (s MCPServer) validateTransport(where string) error {
	switch {
	case s.Command == "" && s.URL == "":
		return fmt.Errorf("%s: give command (a stdio server) or url (a streamable HTTP server)", where)
	case s.Command != "" && s.URL != "":
		return fmt.Errorf("%s: give command or url, not both", where)
	case s.Command != "" && len(s.Headers) > 0:
		return fmt.Errorf("%s: headers are for url servers; a stdio server takes env", where)
	case s.URL != "" && (len(s.Env) > 0 || len(s.Args) > 0):
		return fmt.Errorf("%s: env and args are for command servers; a url server takes headers", where)
	}
	for k, v := range s.Env {
		if !envNameRE.MatchString(k) || !envNameRE.MatchString(v) {
			// v is not echoed: it may be a secret pasted by mistake.
			return fmt.Errorf("%s: env %s: must map a variable name to the NAME of the environment variable holding its value (not the value)", where, k)
		}
	}
	for k, v := range s.Headers {
		if !headerRE.MatchString(k) || !envNameRE.MatchString(v) {
			return fmt.Errorf("%s: headers %s: must map a header name to the NAME of the environment variable holding its value (not the value)", where, k)
		}
	}
	if s.URL != "" {
		u, err := url.Parse(s.URL)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return fmt.Errorf("%s: url %q must be an absolute https:// URL (http:// only to a loopback address)", where, s.URL)
		}
		if u.Scheme == "http" && !loopbackHost(u.Hostname()) {
			return fmt.Errorf("%s: url %q: plain http is allowed only to a loopback address; use https", where, s.URL)
		}
	}
	return nil
}

func loopbackHost(h string) bool {
	return h == "localhost" || h == "127.0.0.1" || h == "::1" || strings.HasPrefix(h, "127.")
}

// Secrets resolves Env (for command servers) or Headers (for url servers)
// through getenv. A missing variable is an error naming the variable, never
// its value.
func (s MCPServer) Secrets(getenv func(string) string) (map[string]string, error) {
	src := s.Env
	if s.URL != "" {
		src = s.Headers
	}
	out := make(map[string]string, len(src))
	for k, name := range src {
		v := getenv(name)
		if v == "" {
			return nil, fmt.Errorf("mcpServers %q: environment variable %s (for %s) is not set", s.Name, name, k)
		}
		out[k] = v
	}
	return out, nil
}

// LoadMCPServers reads a file holding only an mcpServers list (the
// --mcp-servers flag), which also works with the demo tenants. Tenants are
// checked against known when not nil.
func LoadMCPServers(path string, known map[string]bool) ([]MCPServer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--mcp-servers: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("--mcp-servers %s is larger than the %d MiB limit", path, MaxFileSize>>20)
	}
	var f struct {
		MCPServers []MCPServer `yaml:"mcpServers"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("--mcp-servers %s is empty; it needs an mcpServers: list", path)
		}
		return nil, fmt.Errorf("--mcp-servers %s: %w", path, err)
	}
	if err := ValidateMCPServers(f.MCPServers, known); err != nil {
		return nil, fmt.Errorf("--mcp-servers %s: %w", path, err)
	}
	return f.MCPServers, nil
}
