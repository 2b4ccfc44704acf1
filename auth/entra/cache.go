package entra

import (
	"crypto/sha256"
	"slices"
	"sync"
)

// maxCached bounds the validated-token cache.
const maxCached = 4096

// tokenCache remembers tokens whose signature and claims verified, by the
// SHA-256 of the token, so that a client presenting the same token on every
// call pays for one hash instead of an RSA verification. A hit is still
// checked against the clock (exp, nbf) and against the signing key: the
// kid must still be among the authority's keys, so a key the authority
// withdrew stops its cached tokens exactly when it stops uncached ones.
type tokenCache struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]cachedToken
}

type cachedToken struct {
	id       Identity
	kid      string
	exp, nbf int64
	hasNbf   bool
	ks       *keySet
}

func (c *tokenCache) get(sum [sha256.Size]byte) (cachedToken, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ct, ok := c.m[sum]
	return ct, ok
}

func (c *tokenCache) put(sum [sha256.Size]byte, ct cachedToken) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[[sha256.Size]byte]cachedToken{}
	}
	if len(c.m) >= maxCached {
		// Drop an arbitrary eighth; tokens live an hour, so what is lost
		// is re-verified once.
		n := 0
		for k := range c.m {
			delete(c.m, k)
			if n++; n >= maxCached/8 {
				break
			}
		}
	}
	c.m[sum] = ct
}

func (c *tokenCache) drop(sum [sha256.Size]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, sum)
}

// clone gives each caller its own roles and scopes.
func (id Identity) clone() Identity {
	id.Roles = slices.Clone(id.Roles)
	id.Scopes = slices.Clone(id.Scopes)
	return id
}
