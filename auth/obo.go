package auth

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/secmcp/secmcp/internal/source"
)

// Bounds of the per-user credential cache (OnBehalfOfOptions defaults).
const (
	DefaultOBOUsers   = 1000
	DefaultOBOIdleTTL = time.Hour
)

// OnBehalfOfOptions bound the per-user cache of a delegating credential.
type OnBehalfOfOptions struct {
	// MaxUsers is the most users whose credentials are kept; the least
	// recently used is dropped first (default DefaultOBOUsers).
	MaxUsers int
	// IdleTTL drops a user's credential unused this long (default
	// DefaultOBOIdleTTL). A credential is also dropped when the token it
	// was made from expires, or the user presents a new token.
	IdleTTL time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Delegating is the credential of a tenant configured for on-behalf-of: a
// call whose context carries a signed-in user (source.WithUser) gets an
// access token for that user, exchanged with azidentity's on-behalf-of
// credential (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow),
// so Graph, Advanced Hunting and Log Analytics apply the user's own Entra
// roles, Defender RBAC and workspace RBAC. A call without a user (an API
// key, stdio) gets the app's own token, as on any other tenant.
//
// Each user has one on-behalf-of credential (MSAL caches its tokens per
// scope inside it), kept in a bounded LRU that expires idle users and
// users whose presented token has expired; a new token from the same user
// replaces the old credential. Nothing here logs or returns a token.
type Delegating struct {
	app      azcore.TokenCredential
	exchange func(assertion string) (azcore.TokenCredential, error)
	label    string
	opts     OnBehalfOfOptions

	mu    sync.Mutex
	order *list.List // front = most recently used; values are *oboEntry
	index map[string]*list.Element
}

type oboEntry struct {
	user      string   // tools.User.Key()
	assertion [32]byte // SHA-256 of the token the credential was made from
	cred      azcore.TokenCredential
	expires   time.Time // the presented token's exp
	used      time.Time
}

// NewOnBehalfOf returns the delegating credential of a tenant whose app
// registration cfg describes. The kind must be a confidential client that
// can present itself in the exchange: clientSecret, certificate or
// workloadIdentity (a federated client assertion). app is the tenant's
// app-only credential, used for callers without a user.
func NewOnBehalfOf(tenantID, cloudName string, cfg CredentialConfig, getenv func(string) string, copts CredentialOptions, app azcore.TokenCredential, o OnBehalfOfOptions) (*Delegating, error) {
	label := copts.Label
	if label == "" {
		label = tenantID
	}
	co, disable, err := clientOptions(cloudName, copts)
	if err != nil {
		return nil, fmt.Errorf("tenant %s: on-behalf-of: %w", label, err)
	}
	b := &builder{tenantID: tenantID, cfg: cfg, getenv: getenv, co: co, disableDiscovery: disable,
		fail: func(format string, a ...any) error {
			return fmt.Errorf("tenant %s: onBehalfOf with credential kind %q %s", label, cfg.Kind, fmt.Sprintf(format, a...))
		}}
	if b.getenv == nil {
		b.getenv = func(string) string { return "" }
	}
	exchange, err := b.oboExchange()
	if err != nil {
		return nil, err
	}
	if o.MaxUsers <= 0 {
		o.MaxUsers = DefaultOBOUsers
	}
	if o.IdleTTL <= 0 {
		o.IdleTTL = DefaultOBOIdleTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Delegating{app: app, exchange: exchange, label: label, opts: o, order: list.New(), index: map[string]*list.Element{}}, nil
}

// OnBehalfOfKinds are the credential kinds that can do the exchange.
var OnBehalfOfKinds = []string{KindClientSecret, KindCertificate, KindWorkloadIdentity}

// oboExchange returns the function that makes a user's credential.
func (b *builder) oboExchange() (func(string) (azcore.TokenCredential, error), error) {
	o := &azidentity.OnBehalfOfCredentialOptions{ClientOptions: b.co, DisableInstanceDiscovery: b.disableDiscovery,
		SendCertificateChain: b.cfg.SendCertificateChain}
	switch b.cfg.Kind {
	case KindClientSecret:
		if err := b.needClientID(); err != nil {
			return nil, err
		}
		secret, err := b.secretFrom("clientSecretEnv", b.cfg.ClientSecretEnv, true)
		if err != nil {
			return nil, err
		}
		return func(a string) (azcore.TokenCredential, error) {
			return azidentity.NewOnBehalfOfCredentialWithSecret(b.tenantID, b.cfg.ClientID, a, secret, o)
		}, nil
	case KindCertificate:
		if err := b.needClientID(); err != nil {
			return nil, err
		}
		certs, key, err := b.loadCertificate()
		if err != nil {
			return nil, err
		}
		return func(a string) (azcore.TokenCredential, error) {
			return azidentity.NewOnBehalfOfCredentialWithCertificate(b.tenantID, b.cfg.ClientID, a, certs, key, o)
		}, nil
	case KindWorkloadIdentity:
		file, clientID := b.cfg.TokenFilePath, b.cfg.ClientID
		if file == "" {
			file = b.getenv("AZURE_FEDERATED_TOKEN_FILE")
		}
		if clientID == "" {
			clientID = b.getenv("AZURE_CLIENT_ID")
		}
		if file == "" || clientID == "" {
			return nil, b.fail("needs clientId and tokenFilePath (or AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE)")
		}
		assertion := func(context.Context) (string, error) {
			data, err := readBounded(file)
			return strings.TrimSpace(string(data)), err
		}
		return func(a string) (azcore.TokenCredential, error) {
			return azidentity.NewOnBehalfOfCredentialWithClientAssertions(b.tenantID, clientID, a, assertion, o)
		}, nil
	}
	return nil, b.fail("cannot exchange a user's token: on-behalf-of needs a confidential client (credential kind %s)", strings.Join(OnBehalfOfKinds, ", "))
}

// GetToken implements azcore.TokenCredential.
func (d *Delegating) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	u, ok := source.UserFrom(ctx)
	if !ok {
		return d.app.GetToken(ctx, opts)
	}
	cred, err := d.userCredential(u)
	if err != nil {
		return azcore.AccessToken{}, err
	}
	tok, err := cred.GetToken(ctx, opts)
	if err != nil {
		if ctx.Err() != nil {
			return azcore.AccessToken{}, err
		}
		return azcore.AccessToken{}, exchangeError(u, err)
	}
	return tok, nil
}

// userCredential returns (making or replacing as needed) the user's
// on-behalf-of credential.
func (d *Delegating) userCredential(u source.Delegator) (azcore.TokenCredential, error) {
	assertion := u.Assertion()
	if assertion == "" {
		return nil, &source.ForbiddenError{Service: "entra", What: "on-behalf-of exchange", Exchange: true,
			Message: "the call carries no user token to exchange"}
	}
	sum := sha256.Sum256([]byte(assertion))
	now := d.opts.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.expire(now)
	if el, ok := d.index[u.Key()]; ok {
		e := el.Value.(*oboEntry)
		if e.assertion == sum {
			e.used = now
			d.order.MoveToFront(el)
			return e.cred, nil
		}
		d.order.Remove(el)
		delete(d.index, u.Key())
	}
	cred, err := d.exchange(assertion)
	if err != nil {
		return nil, fmt.Errorf("tenant %s: on-behalf-of credential for %s: %w", d.label, u.String(), err)
	}
	e := &oboEntry{user: u.Key(), assertion: sum, cred: cred, expires: tokenExpiry(assertion, now), used: now}
	d.index[u.Key()] = d.order.PushFront(e)
	for d.order.Len() > d.opts.MaxUsers {
		d.drop(d.order.Back())
	}
	return cred, nil
}

// expire drops users idle past the TTL or whose token has expired.
func (d *Delegating) expire(now time.Time) {
	for el := d.order.Back(); el != nil; {
		prev := el.Prev()
		e := el.Value.(*oboEntry)
		if now.Sub(e.used) > d.opts.IdleTTL || !now.Before(e.expires) {
			d.drop(el)
		}
		el = prev
	}
}

func (d *Delegating) drop(el *list.Element) {
	delete(d.index, el.Value.(*oboEntry).user)
	d.order.Remove(el)
}

// Users reports how many users' credentials are cached.
func (d *Delegating) Users() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.order.Len()
}

// tokenExpiry reads the exp claim of a JWT the inbound validator already
// verified; a token without a readable exp is kept for the idle TTL only.
func tokenExpiry(jwt string, now time.Time) time.Time {
	far := now.Add(100 * 365 * 24 * time.Hour)
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return far
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return far
	}
	var c struct {
		Exp json.Number `json:"exp"`
	}
	if json.Unmarshal(b, &c) != nil {
		return far
	}
	if n, err := c.Exp.Int64(); err == nil && n > 0 {
		return time.Unix(n, 0)
	}
	return far
}

// exchangeError turns a failed exchange into a *source.ForbiddenError with
// Entra's own code and first sentence (AADSTS65001 consent missing,
// AADSTS500133 token expired, ...), never the token or the whole body.
func exchangeError(u source.Delegator, err error) error {
	fe := &source.ForbiddenError{Service: "entra", What: "on-behalf-of exchange for " + u.String(), Exchange: true}
	var af *azidentity.AuthenticationFailedError
	if errors.As(err, &af) && af.RawResponse != nil {
		fe.Code, fe.Message = aadError(af.RawResponse)
	}
	if fe.Message == "" {
		fe.Message = "the token endpoint refused the exchange"
	}
	return fmt.Errorf("%w", fe)
}

// aadError reads an Entra OAuth error body: its error code and the first
// sentence of error_description.
func aadError(resp *http.Response) (code, msg string) {
	b, err := runtime.Payload(resp) // reads once, and keeps the body for azidentity's own Error()
	if err != nil {
		return "", ""
	}
	var e struct {
		Error string `json:"error"`
		Desc  string `json:"error_description"`
	}
	if json.Unmarshal(b, &e) != nil {
		return "", fmt.Sprintf("HTTP %d", resp.StatusCode)
	}
	desc := e.Desc
	if i := strings.IndexAny(desc, "\r\n"); i > 0 {
		desc = desc[:i]
	}
	if i := strings.Index(desc, ". "); i > 0 {
		desc = desc[:i+1]
	}
	if len(desc) > 240 {
		desc = desc[:240] + "…"
	}
	return e.Error, desc
}
