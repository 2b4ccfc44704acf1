package entra

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secmcp/secmcp/auth/entra/entratest"
)

const (
	tidContoso = "11111111-1111-4111-8111-111111111111"
	tidOther   = "22222222-2222-4222-8222-222222222222"
	appIDURI   = "api://secmcp-test"
	clientID   = "33333333-3333-4333-8333-333333333333"
	clientApp  = "55555555-5555-4555-8555-555555555555" // the app that obtained the token (azp)
)

type fixture struct {
	a     *entratest.Authority
	v     *Validator
	now   time.Time
	clock *time.Time
}

func newFixture(t testing.TB, versions ...string) *fixture {
	t.Helper()
	f := &fixture{a: entratest.NewAuthority(t), now: time.Unix(1_800_000_000, 0)}
	f.clock = &f.now
	f.a.Publish("k1", entratest.Keys(t)[0])
	v, err := New(Config{
		Tenants:   []Tenant{{Alias: "contoso", TenantID: tidContoso, Authority: f.a.URL}},
		Audiences: []string{appIDURI, clientID}, Versions: versions,
		KeyTTL: time.Hour, MinRefetch: time.Minute,
		Now: func() time.Time { return *f.clock },
	})
	if err != nil {
		t.Fatal(err)
	}
	f.v = v
	return f
}

// claims are a valid v2.0 user token's claims at the fixture's time.
func (f *fixture) claims() map[string]any {
	return map[string]any{"iss": f.a.URL + "/" + tidContoso + "/v2.0", "aud": clientID, "tid": tidContoso,
		"oid": "44444444-4444-4444-8444-444444444444", "preferred_username": "alice@contoso.com",
		"roles": []string{"SecMCP.Reader"}, "scp": "access_as_user", "ver": "2.0", "azp": clientApp,
		"iat": f.now.Unix() - 60, "nbf": f.now.Unix() - 60, "exp": f.now.Unix() + 3600}
}

func (f *fixture) token(t testing.TB, mutate func(hdr, c map[string]any)) string {
	hdr := map[string]any{"alg": "RS256", "typ": "JWT", "kid": "k1"}
	c := f.claims()
	if mutate != nil {
		mutate(hdr, c)
	}
	return entratest.Sign(t, entratest.Keys(t)[0], hdr, c)
}

func TestValidAcceptedWithIdentity(t *testing.T) {
	f := newFixture(t)
	id, err := f.v.Validate(context.Background(), f.token(t, nil))
	if err != nil {
		t.Fatalf("a valid token was refused: %v", err)
	}
	if id.Tenant != "contoso" || id.UPN != "alice@contoso.com" || id.ObjectID == "" || len(id.Roles) != 1 || id.Roles[0] != "SecMCP.Reader" || id.ClientApp != clientApp {
		t.Fatalf("identity = %+v", id)
	}
}

// TestHostileTokensRefused: every malformed or hostile class is refused;
// the count of accepted hostile tokens must be 0.
func TestHostileTokensRefused(t *testing.T) {
	f := newFixture(t)
	keys := entratest.Keys(t)
	pubDER, _ := x509.MarshalPKIXPublicKey(&keys[0].PublicKey)
	valid := f.token(t, nil)
	parts := strings.Split(valid, ".")
	cases := map[string]string{
		"forged signature (other key, same kid)": entratest.Sign(t, keys[1], map[string]any{"alg": "RS256", "kid": "k1"}, f.claims()),
		"tampered payload":                       parts[0] + "." + entratest.B64(mustJSON(with(f.claims(), "roles", []string{"SecMCP.Responder"}))) + "." + parts[2],
		"expired":                                f.token(t, func(_, c map[string]any) { c["exp"] = f.now.Unix() - 121 }),
		"no exp":                                 f.token(t, func(_, c map[string]any) { delete(c, "exp") }),
		"not yet valid":                          f.token(t, func(_, c map[string]any) { c["nbf"] = f.now.Unix() + 121 }),
		"wrong audience":                         f.token(t, func(_, c map[string]any) { c["aud"] = "https://graph.microsoft.com" }),
		"audience array without us":              f.token(t, func(_, c map[string]any) { c["aud"] = []string{"api://other"} }),
		"wrong issuer":                           f.token(t, func(_, c map[string]any) { c["iss"] = "https://login.microsoftonline.com/" + tidContoso + "/v2.0" }),
		"other tenant's issuer":                  f.token(t, func(_, c map[string]any) { c["iss"] = f.a.URL + "/" + tidOther + "/v2.0" }),
		"unconfigured tenant":                    f.token(t, func(_, c map[string]any) { c["tid"] = tidOther; c["iss"] = f.a.URL + "/" + tidOther + "/v2.0" }),
		"no tenant":                              f.token(t, func(_, c map[string]any) { delete(c, "tid") }),
		"v1 token not accepted":                  f.token(t, func(_, c map[string]any) { c["ver"] = "1.0"; c["iss"] = "https://sts.windows.net/" + tidContoso + "/" }),
		"no oid":                                 f.token(t, func(_, c map[string]any) { delete(c, "oid") }),
		"alg none":                               entratest.B64(mustJSON(map[string]any{"alg": "none", "kid": "k1"})) + "." + parts[1] + ".",
		"alg none with signature":                entratest.B64(mustJSON(map[string]any{"alg": "none", "kid": "k1"})) + "." + parts[1] + "." + parts[2],
		"unsigned (two parts)":                   parts[0] + "." + parts[1],
		"unsigned (empty sig)":                   parts[0] + "." + parts[1] + ".",
		"HS256 with the public key":              hs256(mustJSON(map[string]any{"alg": "HS256", "kid": "k1"}), mustJSON(f.claims()), pubDER),
		"PS256":                                  entratest.B64(mustJSON(map[string]any{"alg": "PS256", "kid": "k1"})) + "." + parts[1] + "." + parts[2],
		"unknown kid":                            entratest.Sign(t, keys[2], map[string]any{"alg": "RS256", "kid": "nope"}, f.claims()),
		"no kid":                                 entratest.Sign(t, keys[0], map[string]any{"alg": "RS256"}, f.claims()),
		"crit header":                            entratest.Sign(t, keys[0], map[string]any{"alg": "RS256", "kid": "k1", "crit": []string{"exp"}}, f.claims()),
		"garbage":                                "not-a-token",
		"garbage dots":                           "a.b.c",
		"empty":                                  "",
		"bad base64 signature":                   parts[0] + "." + parts[1] + ".!!!",
		"trailing JSON":                          entratest.B64([]byte(`{"alg":"RS256","kid":"k1"}{}`)) + "." + parts[1] + "." + parts[2],
		"oversized":                              strings.Repeat("a", maxTokenBytes) + "." + parts[1] + "." + parts[2],
		"payload not JSON":                       parts[0] + "." + entratest.B64([]byte("hello")) + "." + parts[2],
	}
	accepted := 0
	for name, tok := range cases {
		_, err := f.v.Validate(context.Background(), tok)
		if err == nil {
			accepted++
			t.Errorf("%s: accepted", name)
			continue
		}
		if !errors.Is(err, ErrInvalidToken) {
			t.Errorf("%s: error %v does not wrap ErrInvalidToken", name, err)
		}
		if tok != "" && len(tok) > 20 && strings.Contains(err.Error(), tok) {
			t.Errorf("%s: the error contains the token", name)
		}
	}
	t.Logf("%d hostile tokens, %d accepted", len(cases), accepted)
}

func TestSkewTolerated(t *testing.T) {
	f := newFixture(t)
	tok := f.token(t, func(_, c map[string]any) { c["exp"] = f.now.Unix() - 60; c["nbf"] = f.now.Unix() + 60 })
	if _, err := f.v.Validate(context.Background(), tok); err != nil {
		t.Fatalf("a token within the 2-minute skew was refused: %v", err)
	}
}

func TestV1TokenWhenAccepted(t *testing.T) {
	f := newFixture(t, "1.0", "2.0")
	tok := f.token(t, func(_, c map[string]any) {
		c["ver"], c["iss"], c["aud"], c["upn"] = "1.0", "https://sts.windows.net/"+tidContoso+"/", appIDURI, "bob@contoso.com"
		c["appid"] = "66666666-6666-4666-8666-666666666666" // v1.0 names the client app appid (azp is v2.0 only)
		delete(c, "preferred_username")
	})
	id, err := f.v.Validate(context.Background(), tok)
	if err != nil || id.UPN != "bob@contoso.com" || id.ClientApp != "66666666-6666-4666-8666-666666666666" {
		t.Fatalf("v1 token: %+v, %v", id, err)
	}
	// A v1 token claiming the v2 issuer is refused.
	bad := f.token(t, func(_, c map[string]any) { c["ver"] = "1.0" })
	if _, err := f.v.Validate(context.Background(), bad); err == nil {
		t.Fatal("a v1.0 token with the v2.0 issuer was accepted")
	}
}

// TestRotation: the authority publishes a new key next to the old one and
// signs with it; both verify. When the old key is withdrawn, tokens it
// signed are refused once the cache has refreshed (the grace is KeyTTL).
func TestRotation(t *testing.T) {
	f := newFixture(t)
	keys := entratest.Keys(t)
	old := f.token(t, nil)
	if _, err := f.v.Validate(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	f.a.Publish("k2", keys[1])
	// The first fetch was just now; the unknown kid k2 may trigger a
	// refetch once MinRefetch has passed.
	*f.clock = f.now.Add(61 * time.Second)
	f.now = *f.clock
	newTok := entratest.Sign(t, keys[1], map[string]any{"alg": "RS256", "kid": "k2"}, f.claims())
	if _, err := f.v.Validate(context.Background(), newTok); err != nil {
		t.Fatalf("a token signed with the rotated-in key was refused: %v", err)
	}
	old = f.token(t, nil)
	if _, err := f.v.Validate(context.Background(), old); err != nil {
		t.Fatalf("during the grace, a token of the old key was refused: %v", err)
	}
	f.a.Unpublish("k1")
	*f.clock = f.now.Add(time.Hour + time.Second) // past KeyTTL: the cache refreshes
	f.now = *f.clock
	if _, err := f.v.Validate(context.Background(), f.token(t, nil)); err == nil {
		t.Fatal("a token signed with the withdrawn key was accepted after the grace")
	}
	newTok = entratest.Sign(t, keys[1], map[string]any{"alg": "RS256", "kid": "k2"}, f.claims())
	if _, err := f.v.Validate(context.Background(), newTok); err != nil {
		t.Fatalf("new key refused after rotation: %v", err)
	}
}

// TestUnknownKidFloodRateLimited: 500 tokens with random kids cost the
// authority at most one refetch per MinRefetch.
func TestUnknownKidFloodRateLimited(t *testing.T) {
	f := newFixture(t)
	if _, err := f.v.Validate(context.Background(), f.token(t, nil)); err != nil {
		t.Fatal(err)
	}
	before := f.a.Fetches.Load()
	for i := range 500 {
		tok := f.token(t, func(h, _ map[string]any) { h["kid"] = "random-" + string(rune('a'+i%26)) + time.Duration(i).String() })
		if _, err := f.v.Validate(context.Background(), tok); err == nil {
			t.Fatal("a token with an unknown kid was accepted")
		}
	}
	*f.clock = f.now.Add(61 * time.Second)
	for range 100 {
		tok := f.token(t, func(h, _ map[string]any) { h["kid"] = "random-later" })
		_, _ = f.v.Validate(context.Background(), tok)
	}
	if n := f.a.Fetches.Load() - before; n > 1 {
		t.Fatalf("the kid flood caused %d JWKS fetches; want at most 1 (one per MinRefetch)", n)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no tenants":   {Audiences: []string{clientID}},
		"no audience":  {Tenants: []Tenant{{Alias: "a", TenantID: tidContoso, Authority: "https://x"}}},
		"bad version":  {Tenants: []Tenant{{Alias: "a", TenantID: tidContoso, Authority: "https://x"}}, Audiences: []string{clientID}, Versions: []string{"3"}},
		"dup tenant":   {Tenants: []Tenant{{Alias: "a", TenantID: tidContoso, Authority: "https://x"}, {Alias: "b", TenantID: tidContoso, Authority: "https://x"}}, Audiences: []string{clientID}},
		"no authority": {Tenants: []Tenant{{Alias: "a", TenantID: tidContoso}}, Audiences: []string{clientID}},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }

func with(m map[string]any, k string, v any) map[string]any {
	out := maps.Clone(m)
	out[k] = v
	return out
}

// hs256 signs with HMAC-SHA256 and secret: the algorithm-confusion attack
// where the verifier's RSA public key is used as the HMAC key.
func hs256(hdr, claims, secret []byte) string {
	in := entratest.B64(hdr) + "." + entratest.B64(claims)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(in))
	return in + "." + entratest.B64(m.Sum(nil))
}

// TestCachedTokenStillExpires: a token validated once (and cached) is
// refused once it expires, and after its key is withdrawn.
func TestCachedTokenStillExpires(t *testing.T) {
	f := newFixture(t)
	tok := f.token(t, nil)
	for range 3 {
		if _, err := f.v.Validate(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
	}
	start := f.now
	*f.clock = start.Add(3600*time.Second + 2*time.Minute)
	if _, err := f.v.Validate(context.Background(), tok); err == nil {
		t.Fatal("a cached token was accepted after it expired")
	}
	// The roles a caller gets are its own copy.
	*f.clock = start
	id, _ := f.v.Validate(context.Background(), tok)
	id.Roles[0] = "SecMCP.Responder"
	if again, _ := f.v.Validate(context.Background(), tok); again.Roles[0] != "SecMCP.Reader" {
		t.Fatal("a caller's change to its roles leaked into the cache")
	}
}

// TestConcurrentKidFlood: 64 goroutines with unknown kids at once cost the
// authority at most one fetch, and none of them is accepted.
func TestConcurrentKidFlood(t *testing.T) {
	f := newFixture(t)
	if _, err := f.v.Validate(context.Background(), f.token(t, nil)); err != nil {
		t.Fatal(err)
	}
	*f.clock = f.now.Add(61 * time.Second)
	toks := make([]string, 64)
	for i := range toks {
		toks[i] = f.token(t, func(h, _ map[string]any) { h["kid"] = fmt.Sprintf("flood-%d", i) })
	}
	before := f.a.Fetches.Load()
	var wg sync.WaitGroup
	var accepted atomic.Int64
	for _, tok := range toks {
		wg.Go(func() {
			if _, err := f.v.Validate(context.Background(), tok); err == nil {
				accepted.Add(1)
			}
		})
	}
	wg.Wait()
	if n := f.a.Fetches.Load() - before; n > 1 || accepted.Load() != 0 {
		t.Fatalf("%d fetches, %d accepted; want at most 1 and 0", n, accepted.Load())
	}
}

// TestAuthorityOutage: while the authority is down before any key was
// fetched, tokens are refused and a retry comes within seconds; once keys
// are cached, an outage keeps them in use past their TTL.
func TestAuthorityOutage(t *testing.T) {
	f := newFixture(t)
	start := f.now
	f.a.Down.Store(true)
	tok := f.token(t, nil)
	if _, err := f.v.Validate(context.Background(), tok); err == nil {
		t.Fatal("accepted without keys")
	}
	f.a.Down.Store(false)
	*f.clock = start.Add(11 * time.Second)
	tok = f.token(t, nil)
	if _, err := f.v.Validate(context.Background(), tok); err != nil {
		t.Fatalf("not retried after the authority came back: %v", err)
	}
	f.a.Down.Store(true)
	*f.clock = start.Add(2 * time.Hour) // past KeyTTL; the refetch fails
	tok = f.token(t, nil)
	if _, err := f.v.Validate(context.Background(), tok); err != nil {
		t.Fatalf("cached keys dropped during an outage: %v", err)
	}
}
