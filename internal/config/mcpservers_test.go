package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMCPServers(t *testing.T) {
	good := valid + `
mcpServers:
  - name: github
    command: /usr/local/bin/github-mcp
    args: [stdio]
    env: {GITHUB_TOKEN: SECMCP_GITHUB_TOKEN}
    tenants: [contoso]
    readOnlyTools: [search_code]
    callTimeout: 20s
  - name: web
    url: https://mcp.example.com/mcp
    headers: {Authorization: WEB_MCP_AUTH}
    tenants: ["*"]
`
	c, err := Parse(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	gh := c.MCPServers[0].WithDefaults()
	if gh.CallTimeout.Seconds() != 20 || gh.MaxConcurrent != DefaultMCPMaxConcurrent || *gh.Cost != 1 {
		t.Errorf("%+v", gh)
	}
	sec, err := gh.Secrets(func(k string) string { return map[string]string{"SECMCP_GITHUB_TOKEN": "t0k"}[k] })
	if err != nil || sec["GITHUB_TOKEN"] != "t0k" {
		t.Errorf("secrets: %v %v", sec, err)
	}
	if _, err := c.MCPServers[1].Secrets(func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "WEB_MCP_AUTH") {
		t.Errorf("missing header variable: %v", err)
	}
	bad := map[string]string{
		`{name: GitHub, command: x, tenants: ["*"]}`:                         "lowercase letters",
		`{name: kql, command: x, tenants: ["*"]}`:                            "reserved",
		`{name: a, tenants: ["*"]}`:                                          "give command",
		`{name: a, command: x, url: "https://h/mcp", tenants: ["*"]}`:        "not both",
		`{name: a, command: x}`:                                              "tenants is required",
		`{name: a, command: x, tenants: [nope]}`:                             "not among the configured tenants",
		`{name: a, url: "http://example.com/mcp", tenants: ["*"]}`:           "only to a loopback",
		`{name: a, command: x, env: {TOKEN: "ghp_abc-123"}, tenants: ["*"]}`: "NAME of the environment variable",
		`{name: a, command: x, callTimeout: 100ms, tenants: ["*"]}`:          "callTimeout",
		`{name: a, command: x, maxResultBytes: 10, tenants: ["*"]}`:          "maxResultBytes",
		`{name: a, url: "https://h/mcp", env: {A: B}, tenants: ["*"]}`:       "env and args are for command",
		`{name: a, command: x, headers: {Authorization: B}, tenants: ["*"]}`: "headers are for url",
		`{name: a, command: x, tenants: ["*"], colour: red}`:                 "field colour not found",
	}
	for entry, want := range bad {
		_, err := Parse(strings.NewReader(valid + "mcpServers:\n  - " + entry + "\n"))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", entry, err, want)
		}
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "plugins.yaml")
	os.WriteFile(f, []byte("mcpServers:\n  - {name: a, command: x, tenants: [contoso]}\n"), 0o600)
	if l, err := LoadMCPServers(f, map[string]bool{"contoso": true}); err != nil || len(l) != 1 {
		t.Errorf("LoadMCPServers: %v %v", l, err)
	}
	if _, err := LoadMCPServers(f, map[string]bool{"fabrikam": true}); err == nil {
		t.Error("LoadMCPServers accepted an unknown tenant")
	}
}
