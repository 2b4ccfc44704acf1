package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/secmcp/secmcp/internal/source"
)

const oboTenant = "22222222-2222-4222-8222-222222222222"

// fakeAuthority answers the on-behalf-of grant as Entra documents it
// (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow):
// grant_type jwt-bearer, requested_token_use on_behalf_of, the user's
// token as assertion. A user whose token payload says "noconsent" gets
// Entra's AADSTS65001 refusal.
type fakeAuthority struct {
	mu        sync.Mutex
	exchanges map[string]int // sub → exchanges
}

func (f *fakeAuthority) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	base := "https://" + r.Host + "/" + oboTenant
	if strings.HasSuffix(r.URL.Path, "/openid-configuration") {
		_ = json.NewEncoder(w).Encode(map[string]any{"token_endpoint": base + "/oauth2/v2.0/token", "issuer": base + "/v2.0",
			"authorization_endpoint": base + "/oauth2/v2.0/authorize", "jwks_uri": base + "/discovery/v2.0/keys"})
		return
	}
	_ = r.ParseForm()
	if r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" || r.PostForm.Get("requested_token_use") != "on_behalf_of" ||
		r.PostForm.Get("client_secret") != "app-secret" {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_request","error_description":"AADSTS900144: bad request."}`))
		return
	}
	sub := fakeSub(r.PostForm.Get("assertion"))
	if sub == "noconsent" {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"AADSTS65001: The user or administrator has not consented to use the application with ID 'app'. Send an interactive authorization request.\r\nTrace ID: x"}`))
		return
	}
	f.mu.Lock()
	f.exchanges[sub]++
	f.mu.Unlock()
	_ = json.NewEncoder(w).Encode(map[string]any{"token_type": "Bearer", "expires_in": 3600, "access_token": "obo-for-" + sub + "-" + r.PostForm.Get("scope")})
}

func fakeJWT(sub string, exp time.Time) string {
	p, _ := json.Marshal(map[string]any{"sub": sub, "exp": exp.Unix()})
	return "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString(p) + ".c2ln"
}

func fakeSub(jwt string) string {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return ""
	}
	b, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c struct{ Sub string }
	_ = json.Unmarshal(b, &c)
	return c.Sub
}

type testUser struct{ key, token string }

func (u testUser) Key() string       { return u.key }
func (u testUser) Assertion() string { return u.token }
func (u testUser) String() string    { return u.key + "@contoso.com" }

type appCred struct{}

func (appCred) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: "app-only", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func newDelegating(t testing.TB, o OnBehalfOfOptions) (*Delegating, *fakeAuthority) {
	t.Helper()
	fa := &fakeAuthority{exchanges: map[string]int{}}
	ts := httptest.NewTLSServer(fa)
	t.Cleanup(ts.Close)
	d, err := NewOnBehalfOf(oboTenant, "public", CredentialConfig{Kind: KindClientSecret, ClientID: "app", ClientSecretEnv: "APP_SECRET"},
		env(map[string]string{"APP_SECRET": "app-secret"}), CredentialOptions{Label: "contoso", AuthorityHost: ts.URL, HTTPClient: ts.Client(), DisableInstanceDiscovery: true},
		appCred{}, o)
	if err != nil {
		t.Fatal(err)
	}
	return d, fa
}

func TestOnBehalfOfPerUser(t *testing.T) {
	d, fa := newDelegating(t, OnBehalfOfOptions{})
	scope := policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}
	exp := time.Now().Add(time.Hour)
	ann, bob := testUser{"ann", fakeJWT("ann", exp)}, testUser{"bob", fakeJWT("bob", exp)}
	for i := 0; i < 3; i++ {
		for _, u := range []testUser{ann, bob} {
			tok, err := d.GetToken(source.WithUser(context.Background(), u), scope)
			if err != nil || !strings.HasPrefix(tok.Token, "obo-for-"+u.key+"-") {
				t.Fatalf("%s: token %q, %v", u.key, tok.Token, err)
			}
		}
	}
	if fa.exchanges["ann"] != 1 || fa.exchanges["bob"] != 1 {
		t.Errorf("exchanges %v; want one per user (cached)", fa.exchanges)
	}
	if tok, err := d.GetToken(context.Background(), scope); err != nil || tok.Token != "app-only" {
		t.Errorf("no user: %q %v; want the app's token", tok.Token, err)
	}
	// A new token of the same user replaces the cached credential.
	ann2 := testUser{"ann", fakeJWT("ann", exp.Add(time.Minute))}
	if _, err := d.GetToken(source.WithUser(context.Background(), ann2), scope); err != nil || fa.exchanges["ann"] != 2 || d.Users() != 2 {
		t.Errorf("new token: err %v, exchanges %v, users %d", err, fa.exchanges, d.Users())
	}
}

func TestOnBehalfOfCacheBounds(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	d, _ := newDelegating(t, OnBehalfOfOptions{MaxUsers: 2, IdleTTL: time.Minute, Now: clock})
	scope := policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}
	for i := 0; i < 3; i++ {
		u := testUser{fmt.Sprint("u", i), fakeJWT(fmt.Sprint("u", i), now.Add(time.Hour))}
		if _, err := d.GetToken(source.WithUser(context.Background(), u), scope); err != nil {
			t.Fatal(err)
		}
	}
	if d.Users() != 2 {
		t.Errorf("users %d, want the bound 2", d.Users())
	}
	now = now.Add(2 * time.Minute)
	short := testUser{"short", fakeJWT("short", now.Add(30*time.Second))}
	if _, err := d.GetToken(source.WithUser(context.Background(), short), scope); err != nil {
		t.Fatal(err)
	}
	if d.Users() != 1 {
		t.Errorf("users %d after the idle TTL, want 1", d.Users())
	}
	now = now.Add(45 * time.Second) // past short's token exp
	other := testUser{"other", fakeJWT("other", now.Add(time.Hour))}
	_, _ = d.GetToken(source.WithUser(context.Background(), other), scope)
	if d.Users() != 1 {
		t.Errorf("users %d after the token expired, want 1", d.Users())
	}
}

func TestOnBehalfOfConsentMissing(t *testing.T) {
	d, _ := newDelegating(t, OnBehalfOfOptions{})
	u := testUser{"cy", fakeJWT("noconsent", time.Now().Add(time.Hour))}
	_, err := d.GetToken(source.WithUser(context.Background(), u), policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	var fe *source.ForbiddenError
	if !errors.As(err, &fe) || !fe.Exchange || fe.Code != "invalid_grant" || !strings.HasPrefix(fe.Message, "AADSTS65001: The user or administrator has not consented") {
		t.Fatalf("err = %#v", err)
	}
	if strings.Contains(err.Error(), u.token) || strings.Contains(fe.Message, "Trace ID") {
		t.Errorf("error shows the token or the whole body: %v", err)
	}
}

func TestOnBehalfOfNeedsConfidentialClient(t *testing.T) {
	for _, kind := range []string{KindManagedIdentity, KindAzureCLI, KindDefault} {
		_, err := NewOnBehalfOf(oboTenant, "public", CredentialConfig{Kind: kind}, nil, CredentialOptions{Label: "contoso"}, appCred{}, OnBehalfOfOptions{})
		if err == nil || !strings.Contains(err.Error(), "confidential client") {
			t.Errorf("%s: %v", kind, err)
		}
	}
}

// BenchmarkOnBehalfOfCachedToken is the per-call cost of a delegated token
// once the user's credential and token are cached (MSAL's cache lookup
// included), against the app-only path through the same credential.
func BenchmarkOnBehalfOfCachedToken(b *testing.B) {
	d, _ := newDelegating(b, OnBehalfOfOptions{})
	scope := policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}
	ctx := source.WithUser(context.Background(), testUser{"ann", fakeJWT("ann", time.Now().Add(time.Hour))})
	if _, err := d.GetToken(ctx, scope); err != nil {
		b.Fatal(err)
	}
	b.Run("user", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := d.GetToken(ctx, scope); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("app-only", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_, _ = d.GetToken(context.Background(), scope)
		}
	})
}
