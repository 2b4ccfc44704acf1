package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/secmcp/secmcp/auth/entra"
	"github.com/secmcp/secmcp/auth/entra/entratest"
	"github.com/secmcp/secmcp/fixtures"
)

// signInFixture is the demo app with Entra sign-in against a test
// authority for the contoso tenant, served on loopback.
type signInFixture struct {
	srv    *httptest.Server
	auth   *entratest.Authority
	tid    string
	logBuf *bytes.Buffer
	a      *app
}

const testAudience = "api://secmcp-test"

func newSignInFixture(t *testing.T) *signInFixture {
	t.Helper()
	f := &signInFixture{auth: entratest.NewAuthority(t), logBuf: &bytes.Buffer{}}
	f.auth.Publish("k1", entratest.Keys(t)[0])
	var err error
	if f.tid, _, _, err = fixtures.DemoIdentity("contoso"); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewJSONHandler(f.logBuf, nil))
	opts, err := parseFlags([]string{"--http", "127.0.0.1:0"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	f.a, err = build(context.Background(), opts, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.a.Close)
	tenants := []entra.Tenant{{Alias: "contoso", TenantID: f.tid, Authority: f.auth.URL}}
	if f.a.tokens, err = entra.New(entra.Config{Tenants: tenants, Audiences: []string{testAudience}}); err != nil {
		t.Fatal(err)
	}
	md := entra.NewResourceMetadata("http://127.0.0.1:1/mcp", tenants, []string{testAudience + "/.default"})
	f.a.metadata = &md
	h, err := f.a.httpHandler(opts, logger)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *signInFixture) token(t *testing.T, mutate func(c map[string]any)) string {
	now := time.Now().Unix()
	c := map[string]any{"iss": f.auth.URL + "/" + f.tid + "/v2.0", "aud": testAudience, "tid": f.tid, "ver": "2.0",
		"oid": "55555555-5555-4555-8555-555555555555", "preferred_username": "analyst@contoso.com",
		"roles": []string{"SecMCP.Hunter"}, "scp": "access_as_user", "nbf": now - 10, "exp": now + 600}
	if mutate != nil {
		mutate(c)
	}
	return entratest.Sign(t, entratest.Keys(t)[0], map[string]any{"alg": "RS256", "kid": "k1"}, c)
}

// post sends initialize with the bearer and returns status, challenge and body.
func (f *signInFixture) post(t *testing.T, bearer string) (int, string, string) {
	req, _ := http.NewRequest("POST", f.srv.URL+"/mcp", strings.NewReader(
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), string(body)
}

func TestSignInTokensAndKeysSideBySide(t *testing.T) {
	f := newSignInFixture(t)
	if st, _, body := f.post(t, f.token(t, nil)); st != http.StatusOK {
		t.Fatalf("valid token: %d %s", st, body)
	}
	if st, _, body := f.post(t, "demo-contoso"); st != http.StatusOK {
		t.Fatalf("demo key next to sign-in: %d %s", st, body)
	}
	st, challenge, _ := f.post(t, "")
	if want := `Bearer resource_metadata="http://127.0.0.1:1/.well-known/oauth-protected-resource/mcp"`; st != 401 || challenge != want {
		t.Fatalf("no credentials: %d %q, want 401 %q", st, challenge, want)
	}
	// Every refusal reads the same to the client.
	var bodies []string
	for name, bearer := range map[string]string{
		"expired":        f.token(t, func(c map[string]any) { c["exp"] = time.Now().Unix() - 3600 }),
		"other tenant":   f.token(t, func(c map[string]any) { c["tid"] = "99999999-9999-4999-8999-999999999999" }),
		"wrong audience": f.token(t, func(c map[string]any) { c["aud"] = "api://other" }),
		"wrong key":      "not-a-key",
	} {
		st, challenge, body := f.post(t, bearer)
		if st != 401 || !strings.Contains(challenge, `error="invalid_token"`) || !strings.Contains(challenge, "resource_metadata=") {
			t.Errorf("%s: %d %q", name, st, challenge)
		}
		bodies = append(bodies, body)
		if strings.Contains(f.logBuf.String(), bearer) {
			t.Errorf("%s: the log contains the bearer", name)
		}
	}
	for _, b := range bodies[1:] {
		if b != bodies[0] {
			t.Errorf("refusals differ: %q vs %q", b, bodies[0])
		}
	}
	if !strings.Contains(f.logBuf.String(), "is not a configured tenant") {
		t.Errorf("the operator's log lacks the refusal reason:\n%s", f.logBuf.String())
	}
}

func TestSignInCallerCarriesRolesAndUser(t *testing.T) {
	f := newSignInFixture(t)
	tok := f.token(t, nil)
	si := &signIn{keys: f.a.principals, tokens: f.a.tokens, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	req := httptest.NewRequest("POST", "/mcp", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	c, ok := si.authenticate(req)
	if !ok || c.Principal != "entra:analyst@contoso.com" || len(c.Tenants) != 1 || c.Tenants[0] != "contoso" ||
		len(c.Roles) != 1 || c.Roles[0] != "SecMCP.Hunter" || c.User == nil || c.User.Assertion() != tok || c.User.TenantID != f.tid {
		t.Fatalf("caller %+v ok=%v", c, ok)
	}
}

func TestProtectedResourceMetadataServed(t *testing.T) {
	f := newSignInFixture(t)
	for _, p := range []string{"/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"} {
		resp, err := http.Get(f.srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		var md entra.ResourceMetadata
		err = json.NewDecoder(resp.Body).Decode(&md)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || md.Resource != "http://127.0.0.1:1/mcp" ||
			len(md.AuthorizationServers) != 1 || md.AuthorizationServers[0] != f.auth.URL+"/"+f.tid+"/v2.0" {
			t.Fatalf("%s: %d %+v %v", p, resp.StatusCode, md, err)
		}
	}
}

// TestSignInAppTokenHasNoUser: an app-only token (no scp) is role-bound by
// its roles (none: no tools) and carries no user to exchange on-behalf-of.
func TestSignInAppTokenHasNoUser(t *testing.T) {
	f := newSignInFixture(t)
	si := &signIn{keys: f.a.principals, tokens: f.a.tokens, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, roles := range [][]string{{"SecMCP.Reader"}, nil} {
		tok := f.token(t, func(c map[string]any) {
			delete(c, "preferred_username")
			delete(c, "scp")
			c["roles"] = roles
		})
		req := httptest.NewRequest("POST", "/mcp", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		c, ok := si.authenticate(req)
		if !ok || c.User != nil || c.Roles == nil || !c.RoleBound() || c.Principal != "entra:55555555-5555-4555-8555-555555555555" {
			t.Fatalf("app token caller %+v ok=%v", c, ok)
		}
	}
}
