package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func runArgs(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := run(ctx, args, getenv, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), err
}

func TestVersionAndHelp(t *testing.T) {
	out, _, err := runArgs(t, nil, "--version")
	if err != nil || !strings.HasPrefix(out, "mcp-server ") {
		t.Fatalf("--version: %q %v", out, err)
	}
	_, stderr, err := runArgs(t, nil, "--help")
	if err != nil || !strings.Contains(stderr, "SECMCP_") || !strings.Contains(stderr, "-read-only") {
		t.Fatalf("--help: %v\n%s", err, stderr)
	}
}

func TestPrintClientConfig(t *testing.T) {
	out, _, err := runArgs(t, nil, "--print-client-config", "claude")
	if err != nil || !strings.Contains(out, `"mcpServers"`) || !strings.Contains(out, `"command": "/`) {
		t.Fatalf("claude config: %v\n%s", err, out)
	}
	if _, _, err := runArgs(t, nil, "--print-client-config", "emacs"); err == nil {
		t.Fatal("unknown client accepted")
	}
}

func TestListTools(t *testing.T) {
	out, _, err := runArgs(t, nil, "--list-tools", "--exclude-tools", "kql_generate")
	if err != nil || !strings.Contains(out, "+ defender_list_incidents") || !strings.Contains(out, "- kql_generate") {
		t.Fatalf("--list-tools: %v\n%s", err, out)
	}
}

func TestBadInputsGiveClearErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	_ = os.WriteFile(bad, []byte("tenants:\n  - alias: Contoso\n    tenantId: nope\n"), 0o600)
	typo := filepath.Join(dir, "typo.yaml")
	_ = os.WriteFile(typo, []byte("tenant:\n  - alias: x\n"), 0o600)
	reserved := filepath.Join(dir, "reserved.yaml")
	_ = os.WriteFile(reserved, []byte("tenants:\n  - alias: hunting\n    tenantId: 00000000-0000-4000-8000-000000000001\n"+
		"    credential: {kind: clientSecret, clientId: 11111111-1111-4111-8111-111111111111, clientSecretEnv: X_SECRET}\n"), 0o600)
	cases := []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"--log-level", "loud"}, "must be debug, info, warn or error"},
		{map[string]string{"SECMCP_READ_ONLY": "maybe"}, nil, "SECMCP_READ_ONLY"},
		{nil, []string{"--toolsets", "defendr"}, `did you mean "defender"`},
		{nil, []string{"--exclude-tools", "nope_list_x"}, `unknown tool "nope_list_x"`},
		{nil, []string{"--config", filepath.Join(dir, "missing.yaml")}, "no such file"},
		{nil, []string{"--config", bad}, "lowercase letters"},
		{nil, []string{"--config", typo}, "field tenant not found"},
		{nil, []string{"--config", reserved}, `tenant "hunting": the alias is reserved for the server's own resources (secmcp://hunting/...)`},
		{nil, []string{"--demo-clock", "yesterday"}, "RFC 3339"},
		{nil, []string{"--http", "0.0.0.0:0"}, "not a loopback address"},
		{nil, []string{"--http", "127.0.0.1:0", "--anonymous-tenants", "nosuch"}, `no tenant "nosuch"`},
	}
	for _, c := range cases {
		_, stderr, err := runArgs(t, c.env, c.args...)
		if err == nil || !strings.Contains(err.Error()+stderr, c.want) {
			t.Errorf("%v %v: want error containing %q, got %v (stderr %q)", c.env, c.args, c.want, err, stderr)
		}
	}
	if _, _, err := runArgs(t, nil, "--no-such-flag"); !errors.Is(err, errUsage) {
		t.Errorf("unknown flag: want usage error, got %v", err)
	}
}

func TestEnvironmentSetsFlags(t *testing.T) {
	o, err := parseFlags(nil, func(k string) string {
		return map[string]string{"SECMCP_TOOLSETS": "defender, entra", "SECMCP_READ_ONLY": "false", "SECMCP_LOG_LEVEL": "debug"}[k]
	}, &bytes.Buffer{})
	if err != nil || len(o.toolsets) != 2 || o.readOnly || o.logLevel != "debug" {
		t.Fatalf("%+v %v", o, err)
	}
	o, _ = parseFlags([]string{"--log-level", "warn"}, func(k string) string {
		return map[string]string{"SECMCP_LOG_LEVEL": "debug"}[k]
	}, &bytes.Buffer{})
	if o.logLevel != "warn" {
		t.Fatalf("flag must win over env, got %q", o.logLevel)
	}
}
