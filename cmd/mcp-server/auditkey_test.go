package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAuditKeyIsGeneratedKeptAndGuarded(t *testing.T) {
	state := t.TempDir()
	env := map[string]string{"XDG_STATE_HOME": state}
	getenv := func(k string) string { return env[k] }
	key, from, err := auditKey("", "", getenv)
	path := filepath.Join(state, "secmcp", "audit.key")
	if err != nil || len(key) != 32 || from != "file "+path {
		t.Fatalf("first start: %d-byte key from %q, %v", len(key), from, err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file %s: %v, mode %v; want 0600", path, err, st.Mode())
	}
	again, _, err := auditKey("", "", getenv)
	if err != nil || string(again) != string(key) {
		t.Fatalf("restart: the key changed (%v)", err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := auditKey("", "", getenv); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable key file: %v", err)
	}
	env[auditKeyEnv] = "a-secret-of-enough-length-for-hmac"
	if k, from, err := auditKey("", "", getenv); err != nil || string(k) != env[auditKeyEnv] || !strings.Contains(from, auditKeyEnv) {
		t.Fatalf("SECMCP_AUDIT_KEY: %q %q %v", k, from, err)
	}
	env[auditKeyEnv] = "short"
	if _, _, err := auditKey("", "", getenv); err == nil || !strings.Contains(err.Error(), "at least 16") {
		t.Fatalf("short key: %v", err)
	}
	if _, _, err := auditKey("MY_AUDIT_KEY", "", getenv); err == nil || !strings.Contains(err.Error(), "auditKeyEnv names MY_AUDIT_KEY") {
		t.Fatalf("config names an unset variable: %v", err)
	}
}
