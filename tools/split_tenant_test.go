package tools

import (
	"encoding/json"
	"testing"
)

// TestSplitTenantArgFastPath: arguments that skip decoding (no possible
// "tenant" key) come back unchanged, and everything that could hold the key
// — spelled out, escaped, or not an object at all — is decoded as before.
func TestSplitTenantArgFastPath(t *testing.T) {
	cases := []struct {
		raw, rest, tenant string
		fast, err         bool
	}{
		{raw: `{"query":"T | where x > 1"}`, rest: `{"query":"T | where x > 1"}`, fast: true},
		{raw: ` {"top":5}`, rest: ` {"top":5}`, fast: true},
		{raw: `{"tenant":"fabrikam","top":5}`, rest: `{"top":5}`, tenant: "fabrikam"},
		{raw: `{"\u0074enant":"fabrikam"}`, rest: `{}`, tenant: "fabrikam"},
		{raw: `{"q":"say \"tenant\""}`, rest: `{"q":"say \"tenant\""}`, fast: true},
		{raw: `{"query":"T | where x \u003e 1 \u0026\u0026 y \u003c 2"}`, rest: `{"query":"T | where x \u003e 1 \u0026\u0026 y \u003c 2"}`, fast: true},
		{raw: `{"\u0054enant":"x","q":"\\u0074"}`, rest: `{"\u0054enant":"x","q":"\\u0074"}`},
		{raw: `{"t\u0065nant":"fabrikam"}`, rest: `{}`, tenant: "fabrikam"},
		{raw: `{"te\u006Eant":"fabrikam"}`, rest: `{}`, tenant: "fabrikam"},
		{raw: `{"ten\u0061nt":"fabrikam"}`, rest: `{}`, tenant: "fabrikam"},
		{raw: `{"tenan\u0074":"fabrikam"}`, rest: `{}`, tenant: "fabrikam"},
		{raw: `[1,2]`, err: true},
		{raw: `{"top":5`, err: true},
		{raw: `{"tenant":5}`, err: true},
	}
	for _, c := range cases {
		if got := noTenantKey(json.RawMessage(c.raw)); got != c.fast {
			t.Errorf("noTenantKey(%s) = %v, want %v", c.raw, got, c.fast)
		}
		rest, tenant, err := splitTenantArg(json.RawMessage(c.raw))
		if (err != nil) != c.err {
			t.Errorf("splitTenantArg(%s): error %v, want error %v", c.raw, err, c.err)
			continue
		}
		if err == nil && (string(rest) != c.rest || tenant != c.tenant) {
			t.Errorf("splitTenantArg(%s) = %s, %q; want %s, %q", c.raw, rest, tenant, c.rest, c.tenant)
		}
	}
}

// TestDigestReusesNothingOfTheLastCall: pooled HMACs give the digest a
// fresh one would, call after call and key after key.
func TestDigestReusesNothingOfTheLastCall(t *testing.T) {
	k1, k2 := []byte("key-one-0123456789"), []byte("key-two-0123456789")
	a1, b1 := digest(k1, json.RawMessage(`{"id":"1"}`)), digest(k1, json.RawMessage(`{"id":"2"}`))
	for range 3 {
		if digest(k1, json.RawMessage(`{"id":"1"}`)) != a1 || digest(k1, json.RawMessage(`{"id":"2"}`)) != b1 {
			t.Fatal("the same key and arguments gave another digest")
		}
	}
	if a1 == b1 || digest(k2, json.RawMessage(`{"id":"1"}`)) == a1 {
		t.Fatal("different arguments or keys gave the same digest")
	}
	if len(a1) != 32 {
		t.Fatalf("digest %q is not 128 bits in hex", a1)
	}
}
