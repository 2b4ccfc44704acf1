package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestLimitFlags: the HTTP limit flags parse from flags and SECMCP_* and
// refuse values that would bound nothing or break the server, naming the flag.
func TestLimitFlags(t *testing.T) {
	o, err := parseFlags(nil, func(string) string { return "" }, &bytes.Buffer{})
	if err != nil || o.limits.MaxBodyBytes != 4<<20 || o.maxInflightTenant != 16 || o.readHeaderTimeout != 10*time.Second || o.maxConnections != 4096 {
		t.Fatalf("defaults: %+v %v", o.limits, err)
	}
	env := map[string]string{"SECMCP_MAX_SESSIONS": "50", "SECMCP_SESSION_IDLE_TIMEOUT": "5m", "SECMCP_MAX_CONNECTIONS": "300"}
	o, err = parseFlags([]string{"--max-body-bytes", "65536", "--max-sessions-per-principal", "5", "--max-inflight-per-tenant", "3"},
		func(k string) string { return env[k] }, &bytes.Buffer{})
	if err != nil || o.limits.MaxBodyBytes != 65536 || o.limits.MaxSessions != 50 || o.limits.MaxSessionsPerPrincipal != 5 ||
		o.limits.SessionIdleTimeout != 5*time.Minute || o.maxInflightTenant != 3 || o.maxConnections != 300 {
		t.Fatalf("set: %+v %v", o.limits, err)
	}
	bad := []struct {
		args []string
		want string
	}{
		{[]string{"--max-body-bytes", "100"}, "--max-body-bytes 100 must be between 4096"},
		{[]string{"--max-body-bytes", "-1"}, "--max-body-bytes -1 must be"},
		{[]string{"--max-sessions", "0"}, "--max-sessions 0 must be at least 1"},
		{[]string{"--max-sessions", "10", "--max-sessions-per-principal", "11"}, "must not exceed --max-sessions 10"},
		{[]string{"--session-idle-timeout", "10ms"}, "--session-idle-timeout 10ms must be at least 1s"},
		{[]string{"--read-timeout", "0s"}, "--read-timeout 0s must be at least 1s"},
		{[]string{"--read-header-timeout", "1ms"}, "--read-header-timeout 1ms must be at least 1s"},
		{[]string{"--max-header-bytes", "10"}, "--max-header-bytes 10 must be between"},
		{[]string{"--max-inflight-per-principal", "0"}, "--max-inflight-per-principal 0 must be at least 1"},
		{[]string{"--max-connections", "0"}, "--max-connections 0 must be at least 1"},
		{[]string{"--max-inflight-per-tenant", "-2"}, "--max-inflight-per-tenant -2 must be at least 1"},
	}
	for _, c := range bad {
		if _, err := parseFlags(c.args, func(string) string { return "" }, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err %v, want %q", c.args, err, c.want)
		}
	}
	var stderr bytes.Buffer
	if _, err := parseFlags([]string{"--max-sessions", "many"}, func(string) string { return "" }, &stderr); err == nil || !strings.Contains(stderr.String(), "max-sessions") {
		t.Errorf("non-numeric --max-sessions: %v %s", err, stderr.String())
	}
	if _, err := parseFlags(nil, func(k string) string { return map[string]string{"SECMCP_READ_TIMEOUT": "soon"}[k] }, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "SECMCP_READ_TIMEOUT") {
		t.Errorf("bad env duration: %v", err)
	}
}
