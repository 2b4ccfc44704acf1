package entra

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"
)

// maxDocBytes bounds an OpenID configuration or JWKS document.
const maxDocBytes = 1 << 20

// keySet is one tenant's view of its authority: the issuers its OpenID
// configuration documents name and the signing keys its JWKS publishes.
//
// Keys are cached for the TTL. A token whose kid is not cached triggers a
// refetch (the authority rotated its keys), but at most once per
// MinRefetch, so a flood of tokens with random kids costs the authority one
// request per interval, not one per token. One request fetches at a time,
// detached from its caller's cancellation; callers whose kid is cached go
// on with the cached keys meanwhile, the others wait for that fetch. A
// failed fetch keeps the keys already cached (an authority outage must not
// lock everyone out); while nothing was ever fetched, a retry comes after
// noKeysRetry instead of MinRefetch.
type keySet struct {
	tenant Tenant
	v      *Validator

	mu       sync.Mutex
	issuerV1 string
	issuerV2 string
	keys     map[string]*rsa.PublicKey
	fetched  time.Time     // last successful fetch
	tried    time.Time     // last attempt
	inflight chan struct{} // closed when the running fetch ends
	lastErr  error         // of the last fetch, while keys is nil
}

// noKeysRetry is the least time between fetches while no key was ever fetched.
const noKeysRetry = 10 * time.Second

// key returns the public key with kid, fetching the authority's documents
// when the cache is stale or lacks kid and the rate limit allows.
func (k *keySet) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	k.mu.Lock()
	now := k.v.now()
	pub, have := k.keys[kid]
	stale := k.keys == nil || now.Sub(k.fetched) >= k.v.cfg.KeyTTL
	interval := k.v.cfg.MinRefetch
	if k.keys == nil {
		interval = min(interval, noKeysRetry)
	}
	mayTry := k.tried.IsZero() || now.Sub(k.tried) >= interval
	switch {
	case (stale || !have) && mayTry && k.inflight == nil:
		k.tried = now
		done := make(chan struct{})
		k.inflight = done
		k.mu.Unlock()
		err := k.refresh(context.WithoutCancel(ctx))
		k.mu.Lock()
		k.inflight = nil
		close(done)
		switch {
		case err == nil:
			k.fetched, k.lastErr = now, nil
		case k.keys == nil:
			k.lastErr = err
		default:
			k.v.log.Warn("entra: could not refresh the authority's signing keys; keeping the cached ones",
				"tenant", k.tenant.Alias, "err", err)
		}
		pub, have = k.keys[kid]
	case !have && k.inflight != nil:
		done := k.inflight
		k.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		k.mu.Lock()
		pub, have = k.keys[kid]
	}
	lastErr := k.lastErr
	k.mu.Unlock()
	if !have && lastErr != nil {
		return nil, lastErr
	}
	if !have {
		return nil, fmt.Errorf("kid %q is not among the signing keys of tenant %s's authority", clip(kid), k.tenant.Alias)
	}
	return pub, nil
}

// issuers returns the cached issuers (call after key succeeded).
func (k *keySet) issuers() (v1, v2 string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.issuerV1, k.issuerV2
}

// refresh fetches the v2.0 OpenID configuration (issuer, jwks_uri), the
// v1.0 one when v1 tokens are accepted (its issuer is the sts.windows.net
// form), and the JWKS. See
// https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri
func (k *keySet) refresh(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, k.v.cfg.FetchTimeout)
	defer cancel()
	base := strings.TrimRight(k.tenant.Authority, "/") + "/" + k.tenant.TenantID
	var v2 struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := k.v.getJSON(ctx, base+"/v2.0/.well-known/openid-configuration", &v2); err != nil {
		return err
	}
	if v2.Issuer == "" || v2.JWKSURI == "" {
		return errors.New("entra: the OpenID configuration lacks issuer or jwks_uri")
	}
	issuerV1 := ""
	if k.v.accepts("1.0") {
		var v1 struct {
			Issuer string `json:"issuer"`
		}
		if err := k.v.getJSON(ctx, base+"/.well-known/openid-configuration", &v1); err != nil {
			return err
		}
		issuerV1 = strings.ReplaceAll(v1.Issuer, "{tenantid}", k.tenant.TenantID)
	}
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := k.v.getJSON(ctx, v2.JWKSURI, &set); err != nil {
		return err
	}
	keys := map[string]*rsa.PublicKey{}
	for _, j := range set.Keys {
		if pub, ok := j.rsa(); ok {
			keys[j.Kid] = pub
		}
	}
	if len(keys) == 0 {
		return errors.New("entra: the JWKS has no usable RSA signing key")
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys = keys
	k.issuerV2 = strings.ReplaceAll(v2.Issuer, "{tenantid}", k.tenant.TenantID)
	k.issuerV1 = issuerV1
	return nil
}

// clip bounds an attacker-chosen value quoted in an error (and so in the log).
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// jwk is one JSON Web Key (RFC 7517) as Entra publishes it.
type jwk struct {
	Kty string `json:"kty"`
	Use string `json:"use"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// rsa returns the key when it is an RSA signing key of at least 2048 bits.
func (j jwk) rsa() (*rsa.PublicKey, bool) {
	if j.Kty != "RSA" || (j.Use != "" && j.Use != "sig") || j.Kid == "" {
		return nil, false
	}
	nb, err1 := base64.RawURLEncoding.DecodeString(j.N)
	eb, err2 := base64.RawURLEncoding.DecodeString(j.E)
	if err1 != nil || err2 != nil || len(eb) == 0 || len(eb) > 4 {
		return nil, false
	}
	n := new(big.Int).SetBytes(nb)
	e := int(new(big.Int).SetBytes(eb).Int64())
	if n.BitLen() < 2048 || e < 3 || e%2 == 0 {
		return nil, false
	}
	return &rsa.PublicKey{N: n, E: e}, true
}

// getJSON fetches a JSON document of at most maxDocBytes.
func (v *Validator) getJSON(ctx context.Context, url string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("entra: fetch %s: %w", url, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := v.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("entra: fetch %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("entra: fetch %s: HTTP %d", url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocBytes+1))
	if err != nil {
		return fmt.Errorf("entra: fetch %s: %w", url, err)
	}
	if len(body) > maxDocBytes {
		return fmt.Errorf("entra: fetch %s: document larger than %d bytes", url, maxDocBytes)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("entra: fetch %s: %w", url, err)
	}
	return nil
}
