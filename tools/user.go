package tools

import "log/slog"

// User is the person behind a call made with an Entra ID access token. It
// carries the token itself so that sources can exchange it on-behalf-of the
// user; the token is never printed, logged or encoded.
type User struct {
	// TenantID is the token's tid claim (the Entra directory).
	TenantID string
	// ObjectID is the token's oid claim (stable per user and directory).
	ObjectID string
	// UPN is the user's sign-in name (upn or preferred_username), for audit
	// lines and messages; empty when the token has none.
	UPN string

	assertion string
}

// NewUser returns a user with the bearer token it presented.
func NewUser(tenantID, objectID, upn, assertion string) *User {
	return &User{TenantID: tenantID, ObjectID: objectID, UPN: upn, assertion: assertion}
}

// Assertion returns the raw access token the user presented, for an
// on-behalf-of exchange. Never log or return it to a client.
func (u *User) Assertion() string {
	if u == nil {
		return ""
	}
	return u.assertion
}

// Key identifies the user for caches whose content depends on who asks.
func (u *User) Key() string {
	if u == nil {
		return ""
	}
	return u.TenantID + "/" + u.ObjectID
}

// String names the user without the token.
func (u *User) String() string {
	if u == nil {
		return ""
	}
	if u.UPN != "" {
		return u.UPN
	}
	return u.ObjectID
}

// LogValue keeps the token out of structured logs.
func (u *User) LogValue() slog.Value {
	if u == nil {
		return slog.Value{}
	}
	return slog.GroupValue(slog.String("tid", u.TenantID), slog.String("oid", u.ObjectID), slog.String("upn", u.UPN))
}

// GoString keeps the token out of %#v.
func (u *User) GoString() string { return "tools.User{" + u.String() + "}" }
