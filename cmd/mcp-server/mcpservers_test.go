package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMCPServersFlagErrors: a bad --mcp-servers file stops the start with
// an error naming what to fix, and a secret's value never appears in it.
func TestMCPServersFlagErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := map[string]string{
		write("tenant.yaml", "mcpServers:\n  - {name: gh, command: /bin/true, tenants: [nosuch]}\n"):                            `tenant "nosuch" is not among the configured tenants`,
		write("missing.yaml", "mcpServers:\n  - {name: gh, command: /bin/true, tenants: [contoso], env: {T: NO_SUCH_VAR_X}}\n"): "environment variable NO_SUCH_VAR_X (for T) is not set",
		write("value.yaml", "mcpServers:\n  - {name: gh, command: /bin/true, tenants: [\"*\"], env: {T: ghp-s3cr3t-value}}\n"):  "NAME of the environment variable",
		write("typo.yaml", "mcpServer:\n  - {name: gh}\n"):                                                                      "field mcpServer not found",
		filepath.Join(dir, "absent.yaml"): "no such file",
	}
	for path, want := range cases {
		_, stderr, err := runArgs(t, nil, "--mcp-servers", path, "--toolsets", "gh")
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if !strings.Contains(msg+stderr, want) || strings.Contains(msg+stderr, "s3cr3t") {
			t.Errorf("%s: want %q, got %v (stderr %q)", filepath.Base(path), want, err, stderr)
		}
	}
	// A late toolset is valid in --toolsets, --tools and --exclude-tools
	// before its server has connected; an unknown one is not.
	ok := write("ok.yaml", "mcpServers:\n  - {name: gh, command: /nonexistent/plugin, tenants: [contoso]}\n")
	if _, stderr, err := runArgs(t, nil, "--mcp-servers", ok, "--toolsets", "ghx"); err == nil || !strings.Contains(err.Error()+stderr, `unknown toolset "ghx"`) {
		t.Errorf("unknown toolset: %v", err)
	}
}
