package tools

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/secmcp/secmcp/internal/ratelimit"
)

// TestAuditDigestIsKeyed: the audit line's digest of {"id":"1000"} cannot
// be matched by hashing the guess without the key (the old unkeyed,
// truncated SHA-256 could), yet equals the HMAC under the deployment key.
func TestAuditDigestIsKeyed(t *testing.T) {
	raw := json.RawMessage(`{"id":"1000"}`)
	digestOf := func(key []byte) string {
		var buf bytes.Buffer
		inv := newTestInvoker(t, ratelimit.Config{UnitsPerMinute: 600, Burst: 100})
		inv.AuditKey, inv.Audit = key, slog.New(slog.NewJSONHandler(&buf, nil))
		_, _ = inv.Invoke(context.Background(), Caller{Principal: "k", Tenants: []string{"*"}}, "demo_get_echo", raw, nil)
		var line struct {
			ArgsHMAC string `json:"args_hmac"`
			Old      string `json:"args_sha256"`
		}
		if err := json.Unmarshal(buf.Bytes(), &line); err != nil || line.ArgsHMAC == "" || line.Old != "" {
			t.Fatalf("audit line %q: %v", buf.String(), err)
		}
		return line.ArgsHMAC
	}
	key := []byte("0123456789abcdef0123456789abcdef")
	got := digestOf(key)
	plain := sha256.Sum256(raw)
	unkeyed := hex.EncodeToString(plain[:])
	if strings.Contains(unkeyed, got) || strings.HasPrefix(unkeyed, got[:16]) {
		t.Fatalf("digest %s matches the unkeyed SHA-256 %s of the guess", got, unkeyed)
	}
	m := hmac.New(sha256.New, key)
	m.Write(raw)
	if want := hex.EncodeToString(m.Sum(nil)[:16]); got != want {
		t.Fatalf("digest %s, want HMAC-SHA256 %s", got, want)
	}
	if digestOf(key) != got {
		t.Fatal("equal arguments under one key must give equal digests")
	}
	if other := digestOf([]byte("another deployment's secret key")); other == got {
		t.Fatal("a different key gave the same digest")
	}
	if a, b := digestOf(nil), digestOf(nil); a == b || a == got {
		t.Fatal("without a configured key each invoker must use its own random key")
	}
}
