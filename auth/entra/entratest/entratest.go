// Package entratest is an Entra-shaped OpenID authority on loopback for
// tests: the v2.0 and v1.0 OpenID configurations of any tenant and a JWKS
// whose keys a test publishes and withdraws, plus RS256 token minting.
package entratest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Authority is a minimal Entra-shaped authority on loopback: the v2.0
// and v1.0 OpenID configurations and a JWKS whose keys the test changes.
type Authority struct {
	// URL is the authority host.
	URL string
	// Fetches counts JWKS fetches.
	Fetches atomic.Int64
	// Down makes every document answer 503.
	Down atomic.Bool
	srv  *httptest.Server

	mu   sync.Mutex
	keys map[string]*rsa.PrivateKey // published, by kid
}

func NewAuthority(t testing.TB) *Authority {
	a := &Authority{keys: map[string]*rsa.PrivateKey{}}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	a.URL = a.srv.URL
	t.Cleanup(a.srv.Close)
	return a
}

func (a *Authority) serve(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if a.Down.Load() {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case len(segs) == 4 && segs[1] == "v2.0" && segs[3] == "openid-configuration":
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": a.srv.URL + "/{tenantid}/v2.0", "jwks_uri": a.srv.URL + "/keys"})
	case len(segs) == 3 && segs[2] == "openid-configuration":
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": "https://sts.windows.net/" + segs[0] + "/", "jwks_uri": a.srv.URL + "/keys"})
	case r.URL.Path == "/keys":
		a.Fetches.Add(1)
		a.mu.Lock()
		defer a.mu.Unlock()
		var keys []map[string]string
		for kid, k := range a.keys {
			keys = append(keys, map[string]string{"kty": "RSA", "use": "sig", "kid": kid,
				"n": B64(k.N.Bytes()), "e": B64(big.NewInt(int64(k.E)).Bytes())})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": keys})
	default:
		http.NotFound(w, r)
	}
}

// Publish adds a signing key under kid.
func (a *Authority) Publish(kid string, k *rsa.PrivateKey) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.keys[kid] = k
}

// Unpublish withdraws the key kid.
func (a *Authority) Unpublish(kid string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.keys, kid)
}

// B64 is base64url without padding.
func B64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

var (
	keyOnce  sync.Once
	testKeys [3]*rsa.PrivateKey
	keyErr   error
)

// Keys returns three 2048-bit keys, generated once per test binary.
func Keys(t testing.TB) [3]*rsa.PrivateKey {
	keyOnce.Do(func() {
		for i := range testKeys {
			if testKeys[i], keyErr = rsa.GenerateKey(rand.Reader, 2048); keyErr != nil {
				return
			}
		}
	})
	if keyErr != nil {
		t.Fatal(keyErr)
	}
	return testKeys
}

// Sign makes a compact JWS from a header and claims.
func Sign(t testing.TB, k *rsa.PrivateKey, hdr, claims map[string]any) string {
	t.Helper()
	hb, _ := json.Marshal(hdr)
	cb, _ := json.Marshal(claims)
	in := B64(hb) + "." + B64(cb)
	sum := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + B64(sig)
}
