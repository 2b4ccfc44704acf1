package sources

import (
	"context"
	"fmt"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/secmcp/secmcp/internal/config"
)

// Tokens gets access tokens for other scopes (API plugins with Entra auth)
// with each configured tenant's app credential, built on first use and
// kept. It is safe for concurrent use.
type Tokens struct {
	mu      sync.Mutex
	tenants map[string]config.Tenant
	creds   map[string]azcore.TokenCredential
}

// NewTokens returns the token source of the configuration's tenants (nil
// configuration: none).
func NewTokens(cfg *config.Config) *Tokens {
	t := &Tokens{tenants: map[string]config.Tenant{}, creds: map[string]azcore.TokenCredential{}}
	if cfg != nil {
		for _, tc := range cfg.Tenants {
			t.tenants[tc.Alias] = tc
		}
	}
	return t
}

// Token returns an access token for scope with the tenant's app
// credential. Errors name the tenant and scope, never a secret.
func (t *Tokens) Token(ctx context.Context, alias, scope string) (string, error) {
	cred, err := t.cred(alias)
	if err != nil {
		return "", err
	}
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scope}})
	if err != nil {
		return "", fmt.Errorf("tenant %s: token for %s: %w", alias, scope, err)
	}
	return tok.Token, nil
}

func (t *Tokens) cred(alias string) (azcore.TokenCredential, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c, ok := t.creds[alias]; ok {
		return c, nil
	}
	tc, ok := t.tenants[alias]
	if !ok {
		return nil, fmt.Errorf("tenant %s has no configured credential (demo tenants get no tokens for plugin APIs)", alias)
	}
	cloud := tc.Cloud
	if cloud == "" {
		cloud = "public"
	}
	ep, err := resolveEndpoints(cloud, tc.Endpoints)
	if err != nil {
		return nil, fmt.Errorf("tenant %s: %w", alias, err)
	}
	tc.OnBehalfOf = false // the app's own token: plugin APIs are called by secmcp
	c, err := configuredCredential(tc, cloud, ep)
	if err != nil {
		return nil, fmt.Errorf("tenant %s: credential: %w", alias, err)
	}
	t.creds[alias] = c
	return c, nil
}
