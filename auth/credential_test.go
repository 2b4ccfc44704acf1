package auth

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/secmcp/secmcp/fixtures"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestNewCredentialErrors(t *testing.T) {
	tid := "11111111-1111-4111-8111-111111111111"
	cases := []struct {
		name  string
		cloud string
		cfg   CredentialConfig
		opts  CredentialOptions
		want  string
	}{
		{"no env name", "public", CredentialConfig{Kind: KindClientSecret, ClientID: "app"}, CredentialOptions{Label: "contoso"},
			`tenant contoso: credential kind "clientSecret" needs clientSecretEnv naming an environment variable`},
		{"env unset", "public", CredentialConfig{Kind: KindClientSecret, ClientID: "app", ClientSecretEnv: "AZURE_SECRET"}, CredentialOptions{Label: "contoso"},
			`tenant contoso: credential kind "clientSecret" needs clientSecretEnv naming an environment variable; AZURE_SECRET is not set`},
		{"secret pasted", "public", CredentialConfig{Kind: KindClientSecret, ClientID: "app", ClientSecretEnv: "s3cr3t~value.with.dots"}, CredentialOptions{},
			"the NAME of an environment variable"},
		{"no client id", "public", CredentialConfig{Kind: KindClientSecret}, CredentialOptions{}, "needs clientId"},
		{"no cert path", "public", CredentialConfig{Kind: KindCertificate, ClientID: "app"}, CredentialOptions{}, "needs certificatePath"},
		{"missing cert file", "public", CredentialConfig{Kind: KindCertificate, ClientID: "app", CertificatePath: "/nonexistent.pem"}, CredentialOptions{}, "cannot read certificatePath"},
		{"workload no file", "public", CredentialConfig{Kind: KindWorkloadIdentity, ClientID: "app"}, CredentialOptions{}, "AZURE_FEDERATED_TOKEN_FILE"},
		{"unknown kind", "public", CredentialConfig{Kind: "password"}, CredentialOptions{}, "not a known kind"},
		{"missing kind", "public", CredentialConfig{}, CredentialOptions{}, "kind is missing"},
		{"unknown cloud", "mars", CredentialConfig{Kind: KindClientSecret}, CredentialOptions{}, `unknown cloud "mars"`},
		{"http authority", "public", CredentialConfig{Kind: KindClientSecret}, CredentialOptions{AuthorityHost: "http://127.0.0.1:1"}, "must use https"},
		{"demo without host", "demo", CredentialConfig{Kind: KindClientSecret}, CredentialOptions{}, "needs CredentialOptions.AuthorityHost"},
	}
	for _, tc := range cases {
		_, err := NewCredential(tid, tc.cloud, tc.cfg, env(map[string]string{}), tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want containing %q", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%s: error echoes the secret: %v", tc.name, err)
		}
	}
}

func TestConfigRedaction(t *testing.T) {
	cfg := CredentialConfig{Kind: KindClientSecret, ClientID: "app", ClientSecretEnv: "hunter2~not-a-name", CertificatePasswordEnv: "CERT_PW"}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("cfg", "credential", cfg)
	for _, s := range []string{cfg.String(), buf.String()} {
		if strings.Contains(s, "hunter2") || !strings.Contains(s, "CERT_PW") || !strings.Contains(s, "redacted") {
			t.Errorf("redaction: %q", s)
		}
	}
}

func TestCloudEndpoints(t *testing.T) {
	for cloud, host := range map[string]string{"": "login.microsoftonline.com", "usgov": "login.microsoftonline.us", "China": "login.chinacloudapi.cn"} {
		e, err := CloudEndpoints(cloud)
		if err != nil || !strings.Contains(e.AuthorityHost, host) || e.GraphURL == "" || e.LogAnalyticsADXProxy == "" {
			t.Errorf("%q: %+v %v", cloud, e, err)
		}
	}
	if _, err := CloudEndpoints("demo"); err == nil {
		t.Error("demo has no static endpoints")
	}
	if d := DemoEndpoints("https://127.0.0.1:9/"); d.GraphURL != "https://127.0.0.1:9/v1.0" || d.AuthorityHost != "https://127.0.0.1:9/" {
		t.Errorf("demo endpoints %+v", d)
	}
}

func emulator(t *testing.T) (*fixtures.Emulator, *fixtures.Tenant) {
	t.Helper()
	ten := &fixtures.Tenant{Alias: "contoso", TenantID: "11111111-1111-4111-8111-111111111111", Domain: "contoso.com"}
	e, err := fixtures.NewEmulator(fixtures.EmulatorOptions{Tenants: fixtures.StaticTenants(ten)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e, ten
}

func TestClientSecretAgainstEmulator(t *testing.T) {
	e, ten := emulator(t)
	demo, err := e.Credential("contoso")
	if err != nil {
		t.Fatal(err)
	}
	cfg := CredentialConfig{Kind: KindClientSecret, ClientID: demo.ClientID, ClientSecretEnv: "CONTOSO_SECRET"}
	opts := CredentialOptions{Label: "contoso", AuthorityHost: e.URL(), HTTPClient: e.Client()}
	cred, err := NewCredential(ten.TenantID, CloudDemo, cfg, env(map[string]string{"CONTOSO_SECRET": demo.ClientSecret}), opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	if err != nil || tok.Token == "" || time.Until(tok.ExpiresOn) < 30*time.Minute {
		t.Fatalf("GetToken: %v (%+v)", err, tok.ExpiresOn)
	}
	// The wrong secret is refused by the emulator, and the error does not echo it.
	bad, err := NewCredential(ten.TenantID, CloudDemo, cfg, env(map[string]string{"CONTOSO_SECRET": "wrong-secret-123"}), opts)
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	if err == nil || !strings.Contains(err.Error(), "invalid_client") || strings.Contains(err.Error(), "wrong-secret-123") {
		t.Fatalf("bad secret: %v", err)
	}
	var paths []string
	for _, r := range e.Requests() {
		paths = append(paths, r.Method+" "+r.Path)
	}
	if !strings.Contains(strings.Join(paths, "\n"), "GET /"+ten.TenantID+"/v2.0/.well-known/openid-configuration") {
		t.Errorf("azidentity requests: %q", paths)
	}
}

func TestCertificateAgainstEmulator(t *testing.T) {
	e, ten := emulator(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "secmcp-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	if err := e.RegisterClientCertificate("contoso", cert); err != nil {
		t.Fatal(err)
	}
	var pemData bytes.Buffer
	_ = pem.Encode(&pemData, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	_ = pem.Encode(&pemData, &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	path := filepath.Join(t.TempDir(), "app.pem")
	if err := os.WriteFile(path, pemData.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := CredentialConfig{Kind: KindCertificate, ClientID: fixtures.DemoClientID("contoso"), CertificatePath: path}
	cred, err := NewCredential(ten.TenantID, CloudDemo, cfg, env(nil), CredentialOptions{AuthorityHost: e.URL(), HTTPClient: &http.Client{Transport: e.Transport()}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}); err != nil {
		t.Fatalf("certificate GetToken: %v", err)
	}
}
