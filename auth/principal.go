// Package auth holds both directions of identity: the outbound credentials
// each tenant uses to reach Microsoft (azidentity, in credential*.go) and the
// inbound identity of HTTP callers (principals with API keys, here).
//
// Inbound keys are stored only as SHA-256 hashes; a presented key is hashed
// and compared in constant time against every principal, so neither the
// configuration file nor memory holds a usable key, and timing does not
// reveal which principal nearly matched.
package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
)

// Principal is an HTTP caller.
type Principal struct {
	// Name identifies the caller in audit lines.
	Name string `yaml:"name" json:"name"`
	// KeySHA256 is the lowercase hex SHA-256 of the caller's API key.
	KeySHA256 string `yaml:"keySha256" json:"keySha256"`
	// Tenants the caller may use (aliases; "*" = all).
	Tenants []string `yaml:"tenants" json:"tenants"`
	// Roles, when set, limit the key to the tools these app roles grant
	// (as for an Entra ID token with the same roles); unset, the key may
	// call every exposed tool.
	Roles []string `yaml:"roles,omitempty" json:"roles,omitempty"`
	// OutputSchemas, "on" or "off", overrides the server's default
	// (--output-schemas) for this key's tools/list; empty keeps it.
	OutputSchemas string `yaml:"outputSchemas,omitempty" json:"outputSchemas,omitempty"`
}

// Principals is the set of HTTP callers.
type Principals struct {
	list   []Principal
	hashes [][]byte
}

// NewPrincipals validates and indexes principals.
func NewPrincipals(ps []Principal) (*Principals, error) {
	out := &Principals{}
	names := map[string]bool{}
	keys := map[string]string{} // key hash → the principal that has it
	for i, p := range ps {
		if p.Name == "" {
			return nil, fmt.Errorf("principals[%d]: name is required", i)
		}
		if strings.HasPrefix(p.Name, "entra:") {
			return nil, fmt.Errorf("principals[%d]: name %q: the prefix \"entra:\" is reserved for callers signed in with Entra ID; choose another name", i, p.Name)
		}
		if names[p.Name] {
			return nil, fmt.Errorf("principals[%d]: name %q is used twice", i, p.Name)
		}
		names[p.Name] = true
		h, err := hex.DecodeString(strings.ToLower(p.KeySHA256))
		if err != nil || len(h) != sha256.Size {
			return nil, fmt.Errorf("principal %q: keySha256 must be 64 hex characters (the SHA-256 of the key; e.g. printf %%s \"$KEY\" | sha256sum)", p.Name)
		}
		if other, dup := keys[hex.EncodeToString(h)]; dup {
			// Which principal a shared key authenticates would depend on
			// the order of the list; refuse instead of guessing.
			return nil, fmt.Errorf("principal %q: keySha256 is the same as principal %q's; give each principal its own key", p.Name, other)
		}
		keys[hex.EncodeToString(h)] = p.Name
		if len(p.Tenants) == 0 {
			return nil, fmt.Errorf("principal %q: tenants must list at least one tenant alias (or \"*\")", p.Name)
		}
		if p.OutputSchemas != "" && p.OutputSchemas != "on" && p.OutputSchemas != "off" {
			return nil, fmt.Errorf("principal %q: outputSchemas %q must be on or off (or left out for the server's default)", p.Name, p.OutputSchemas)
		}
		out.list = append(out.list, p)
		out.hashes = append(out.hashes, h)
	}
	return out, nil
}

// HashKey returns the hex SHA-256 of a key, as stored in configuration.
func HashKey(key string) string {
	s := sha256.Sum256([]byte(key))
	return hex.EncodeToString(s[:])
}

// Len reports how many principals are configured.
func (p *Principals) Len() int {
	if p == nil {
		return 0
	}
	return len(p.list)
}

// Authenticate returns the principal whose key the request's
// "Authorization: Bearer <key>" carries.
func (p *Principals) Authenticate(r *http.Request) (Principal, bool) {
	if p == nil {
		return Principal{}, false
	}
	h := r.Header.Get("Authorization")
	scheme, key, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(key) == "" {
		return Principal{}, false
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(key)))
	found := -1
	for i, hh := range p.hashes {
		if subtle.ConstantTimeCompare(sum[:], hh) == 1 {
			found = i
		}
	}
	if found < 0 {
		return Principal{}, false
	}
	return p.list[found], true
}
