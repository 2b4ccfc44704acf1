package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Delegator is the signed-in person a delegated (on-behalf-of) call is made for:
// tools.User. The sources' credential exchanges Assertion for a token of
// that user; caches whose content depends on who asks key by Key.
type Delegator interface {
	// Key identifies the user (tenant and object ID).
	Key() string
	// Assertion is the bearer token the user presented to this server.
	Assertion() string
	// String names the user (UPN) without the token.
	String() string
}

type userKey struct{}

// WithUser returns ctx carrying the signed-in user of the call. A tenant
// configured for on-behalf-of reads with that user's rights; other tenants
// ignore it.
func WithUser(ctx context.Context, u Delegator) context.Context {
	if u == nil || u.Key() == "" {
		return ctx
	}
	return context.WithValue(ctx, userKey{}, u)
}

// UserFrom returns the signed-in user on ctx, if any.
func UserFrom(ctx context.Context) (Delegator, bool) {
	u, ok := ctx.Value(userKey{}).(Delegator)
	return u, ok
}

// ScopeFor is the key under which results read for ctx may be cached for
// the tenant alias: the alias itself for app-only reads (the same for every
// caller), and for a delegated read the alias plus a digest of the user, so
// one analyst is never served what another's rights read. The result uses
// only [a-z0-9_-] (docstore's folder names).
func ScopeFor(ctx context.Context, alias string, delegated bool) string {
	u, ok := UserFrom(ctx)
	if !delegated || !ok {
		return alias
	}
	sum := sha256.Sum256([]byte(u.Key()))
	return alias + "_u" + hex.EncodeToString(sum[:8])
}

// ErrForbidden is returned (wrapped in a *ForbiddenError) when the upstream
// refused the call for lack of rights (HTTP 403), or the on-behalf-of
// exchange for the user's token failed (consent missing, token expired).
var ErrForbidden = errors.New("forbidden")

// ForbiddenError says who was refused what, in words a user can act on.
type ForbiddenError struct {
	// Service is "graph", "hunting", "logAnalytics" or "entra" (the
	// on-behalf-of exchange).
	Service string
	// What names the refused operation ("list sign-ins").
	What string
	// Endpoint is the contract ID of the call ("signIns.list"), if known.
	Endpoint string
	// Code and Message are the upstream's own (Authorization_RequestDenied,
	// AADSTS65001 ...), cut to one sentence.
	Code, Message string
	// Exchange is true when the on-behalf-of token exchange failed, before
	// any data source was called.
	Exchange bool
}

func (e *ForbiddenError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s refused", e.Service, e.What)
	if e.Code != "" {
		fmt.Fprintf(&b, " (%s)", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrForbidden) true.
func (e *ForbiddenError) Unwrap() error { return ErrForbidden }
