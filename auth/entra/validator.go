// Package entra validates the Entra ID access tokens HTTP callers present
// (the MCP authorization specification's resource-server side, 2025-11-25;
// RFC 9068-style bearer JWTs as Entra issues them) and describes this server
// as an OAuth protected resource (RFC 9728).
//
// It is written on the standard library on purpose: the checks are few and
// each is visible here, and no JOSE library's algorithm negotiation can be
// steered by the token. A token is accepted only when all of these hold:
//
//   - it is a compact JWS of at most 16 KiB whose header says alg RS256
//     (nothing else: "none", HS256 with the public key as secret, PS*, ES*
//     are refused before any key is looked at), names a kid, and has no crit;
//   - its tid is the tenant ID of a configured tenant (an unconfigured tid
//     is refused without touching the network);
//   - the signature verifies with the key of that kid in the JWKS named by
//     the tenant's OpenID configuration (jwks_uri), cached for KeyTTL and
//     refetched on an unknown kid at most once per MinRefetch;
//   - ver is an accepted token version and iss is exactly the issuer the
//     authority's OpenID configuration gives for that version: v2.0
//     https://login.microsoftonline.com/{tid}/v2.0 (from
//     /{tid}/v2.0/.well-known/openid-configuration), v1.0
//     https://sts.windows.net/{tid}/ (from /{tid}/.well-known/openid-configuration);
//   - aud is one of the configured audiences (the app ID URI, which v1.0
//     tokens carry, or the client ID, which v2.0 tokens carry);
//   - exp is present and not passed, nbf (when present) has arrived, both
//     with the configured clock skew;
//   - oid is present.
//
// Every failure wraps ErrInvalidToken with the reason, for the operator's
// log; the token itself is never part of an error. The HTTP layer answers
// every refusal with the same words.
package entra

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
)

// ErrInvalidToken is wrapped by every refusal.
var ErrInvalidToken = errors.New("invalid token")

// Tenant is a directory whose users may sign in.
type Tenant struct {
	// Alias is the tenant's name in this server's configuration.
	Alias string
	// TenantID is the directory GUID (the token's tid).
	TenantID string
	// Authority is the Entra authority host, e.g. https://login.microsoftonline.com.
	Authority string
}

// Config configures a Validator. Tenants and Audiences are required.
type Config struct {
	Tenants []Tenant
	// Audiences are the accepted aud values: the app ID URI and/or the
	// application (client) ID of this server's app registration.
	Audiences []string
	// Versions are the accepted token versions, "1.0" and/or "2.0"
	// (default "2.0": the app registration's requestedAccessTokenVersion 2).
	Versions []string
	// Skew is the clock skew allowed on exp and nbf (default 2 minutes).
	Skew time.Duration
	// KeyTTL is how long fetched keys are trusted without a refetch (default 1 hour).
	KeyTTL time.Duration
	// MinRefetch is the least time between two fetches of one tenant's
	// keys (default 5 minutes).
	MinRefetch time.Duration
	// FetchTimeout bounds one fetch of the authority's documents (default 10 s).
	FetchTimeout time.Duration
	// HTTPClient fetches the authority's documents (default: a client with FetchTimeout).
	HTTPClient *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Log receives key-refresh warnings (default: discarded).
	Log *slog.Logger
}

// Identity is a validated token's caller.
type Identity struct {
	// Tenant is the configured alias of the token's directory.
	Tenant   string
	TenantID string
	ObjectID string
	// UPN is upn (v1.0) or preferred_username (v2.0); may be empty for app tokens.
	UPN string
	// Roles are the app roles assigned to the caller (the roles claim).
	Roles []string
	// Scopes are the delegated scopes (the scp claim, space-separated).
	Scopes []string
	// Version is the token version (ver).
	Version string
	// ClientApp is the application ID of the client using the token: azp
	// in v2.0 tokens, appid in v1.0 ones
	// (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
	ClientApp string
}

// Name is the caller's name for audit lines: the UPN, else the object ID.
func (id Identity) Name() string {
	if id.UPN != "" {
		return id.UPN
	}
	return id.ObjectID
}

// Validator checks bearer tokens. It is safe for concurrent use.
type Validator struct {
	cfg   Config
	log   *slog.Logger
	byTID map[string]*keySet
	cache tokenCache
}

// New validates cfg and returns a Validator. No network access happens
// until the first token arrives.
func New(cfg Config) (*Validator, error) {
	if len(cfg.Tenants) == 0 {
		return nil, errors.New("entra: at least one tenant is required")
	}
	if len(cfg.Audiences) == 0 {
		return nil, errors.New("entra: at least one audience (app ID URI or client ID) is required")
	}
	if len(cfg.Versions) == 0 {
		cfg.Versions = []string{"2.0"}
	}
	for _, v := range cfg.Versions {
		if v != "1.0" && v != "2.0" {
			return nil, fmt.Errorf("entra: token version %q must be 1.0 or 2.0", v)
		}
	}
	cfg.Skew = orDefault(cfg.Skew, 2*time.Minute)
	cfg.KeyTTL = orDefault(cfg.KeyTTL, time.Hour)
	cfg.MinRefetch = orDefault(cfg.MinRefetch, 5*time.Minute)
	cfg.FetchTimeout = orDefault(cfg.FetchTimeout, 10*time.Second)
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: cfg.FetchTimeout}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	v := &Validator{cfg: cfg, log: cfg.Log, byTID: map[string]*keySet{}}
	if v.log == nil {
		v.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	for _, t := range cfg.Tenants {
		if t.Alias == "" || t.TenantID == "" || t.Authority == "" {
			return nil, fmt.Errorf("entra: tenant %q needs an alias, a tenant ID and an authority", t.Alias)
		}
		tid := strings.ToLower(t.TenantID)
		if _, dup := v.byTID[tid]; dup {
			return nil, fmt.Errorf("entra: tenant ID %s is configured twice", t.TenantID)
		}
		v.byTID[tid] = &keySet{tenant: t, v: v}
	}
	return v, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func (v *Validator) now() time.Time { return v.cfg.Now() }

func (v *Validator) accepts(ver string) bool { return slices.Contains(v.cfg.Versions, ver) }

// LooksLikeJWT reports whether a bearer credential has the shape of a JWS
// (three dot-separated parts), so an API key is not mistaken for one.
func LooksLikeJWT(s string) bool { return strings.Count(s, ".") == 2 }

// Validate checks raw and returns its caller, or an error wrapping
// ErrInvalidToken that says which check failed (never containing the token).
func (v *Validator) Validate(ctx context.Context, raw string) (Identity, error) {
	sum := sha256.Sum256([]byte(raw))
	if ct, ok := v.cache.get(sum); ok {
		id, err := v.recheck(ctx, ct)
		if err != nil {
			v.cache.drop(sum)
			return Identity{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
		}
		return id, nil
	}
	ct, err := v.validate(ctx, raw)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	v.cache.put(sum, ct)
	return ct.id.clone(), nil
}

// recheck is what can change for a token that verified: the clock and the
// authority's keys.
func (v *Validator) recheck(ctx context.Context, ct cachedToken) (Identity, error) {
	if err := v.checkTimes(ct.exp, ct.nbf, ct.hasNbf); err != nil {
		return Identity{}, err
	}
	if _, err := ct.ks.key(ctx, ct.kid); err != nil {
		return Identity{}, err
	}
	return ct.id.clone(), nil
}

func (v *Validator) validate(ctx context.Context, raw string) (cachedToken, error) {
	t, err := parse(raw)
	if err != nil {
		return cachedToken{}, err
	}
	c := &t.claims
	ks, ok := v.byTID[strings.ToLower(c.Tid)]
	if !ok {
		return cachedToken{}, fmt.Errorf("tid %q is not a configured tenant", clip(c.Tid))
	}
	pub, err := ks.key(ctx, t.hdr.Kid)
	if err != nil {
		return cachedToken{}, err
	}
	if err := t.verify(pub); err != nil {
		return cachedToken{}, err
	}
	if err := v.checkClaims(c, ks); err != nil {
		return cachedToken{}, err
	}
	id := Identity{Tenant: ks.tenant.Alias, TenantID: ks.tenant.TenantID, ObjectID: c.Oid,
		UPN: c.Upn, Roles: c.Roles, Scopes: strings.Fields(c.Scp), Version: c.Ver}
	if id.UPN == "" {
		id.UPN = c.PreferredUsername
	}
	if id.ClientApp = c.Azp; c.Ver == "1.0" {
		id.ClientApp = c.Appid
	}
	exp, _ := numericDate(c.Exp)
	nbf, hasNbf := numericDate(c.Nbf)
	return cachedToken{id: id, kid: t.hdr.Kid, exp: exp, nbf: nbf, hasNbf: hasNbf, ks: ks}, nil
}

// checkClaims checks version, issuer, audience, lifetime and oid of a
// token whose signature verified.
func (v *Validator) checkClaims(c *claims, ks *keySet) error {
	if !v.accepts(c.Ver) {
		return fmt.Errorf("token version %q is not accepted (accepted: %s)", clip(c.Ver), strings.Join(v.cfg.Versions, ", "))
	}
	v1, v2 := ks.issuers()
	want := v2
	if c.Ver == "1.0" {
		want = v1
	}
	if want == "" || c.Iss != want {
		return fmt.Errorf("issuer %q is not %q", clip(c.Iss), want)
	}
	auds := c.audiences()
	if !slices.ContainsFunc(auds, func(a string) bool { return slices.Contains(v.cfg.Audiences, a) }) {
		return fmt.Errorf("audience %q is not this server (%s)", clip(strings.Join(auds, " ")), strings.Join(v.cfg.Audiences, ", "))
	}
	exp, ok := numericDate(c.Exp)
	if !ok {
		return errors.New("token has no exp")
	}
	nbf, hasNbf := numericDate(c.Nbf)
	if err := v.checkTimes(exp, nbf, hasNbf); err != nil {
		return err
	}
	if c.Oid == "" {
		return errors.New("token has no oid")
	}
	return nil
}

// checkTimes checks exp and nbf against the clock with the skew.
func (v *Validator) checkTimes(exp, nbf int64, hasNbf bool) error {
	now := v.now().Unix()
	skew := int64(v.cfg.Skew / time.Second)
	if now >= exp+skew {
		return fmt.Errorf("token expired at %s", time.Unix(exp, 0).UTC().Format(time.RFC3339))
	}
	if hasNbf && nbf > now+skew {
		return fmt.Errorf("token is not valid before %s", time.Unix(nbf, 0).UTC().Format(time.RFC3339))
	}
	return nil
}
