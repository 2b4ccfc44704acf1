package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/secmcp/secmcp/auth"
	"github.com/secmcp/secmcp/auth/entra"
	"github.com/secmcp/secmcp/internal/config"
	"github.com/secmcp/secmcp/tools"
	"github.com/secmcp/secmcp/tools/mcpadapter"
)

// signIn authenticates HTTP callers: a bearer shaped like a JWT is an Entra
// ID access token (when sign-in is on), any other bearer an API key; no
// Authorization header at all may be an anonymous caller on loopback.
type signIn struct {
	keys      *auth.Principals
	tokens    *entra.Validator // nil: Entra sign-in is off
	anonymous []string
	log       *slog.Logger
}

// tokenPrincipalPrefix starts the principal name of every token caller, so
// that no API-key principal can share a token caller's name (and sessions).
const tokenPrincipalPrefix = "entra:"

// authenticate is mcpadapter's Authenticate callback. A refused token's
// reason goes to the operator's log (never the token); the client only
// gets the uniform 401.
func (s *signIn) authenticate(r *http.Request) (tools.Caller, bool) {
	h := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(h, " ")
	cred = strings.TrimSpace(cred)
	if s.tokens != nil && strings.EqualFold(scheme, "Bearer") && entra.LooksLikeJWT(cred) {
		id, err := s.tokens.Validate(r.Context(), cred)
		if err != nil {
			s.log.Warn("refused a bearer token", "reason", err.Error(), "remote", r.RemoteAddr)
			return tools.Caller{}, false
		}
		c := tools.Caller{Principal: tokenPrincipalPrefix + id.Name(), Tenants: []string{id.Tenant}, Roles: id.Roles, ClientApp: id.ClientApp}
		if len(id.Scopes) > 0 {
			// A delegated token (scp): a signed-in person, whose token
			// on-behalf-of tenants exchange. An app-only token (roles,
			// no scp) stays role-bound by its roles and reads app-only.
			c.User = tools.NewUser(id.TenantID, id.ObjectID, id.UPN, cred)
		} else if c.Roles == nil {
			c.Roles = []string{}
		}
		return c, true
	}
	if p, ok := s.keys.Authenticate(r); ok {
		return tools.Caller{Principal: p.Name, Tenants: p.Tenants, Roles: p.Roles}, true
	}
	if len(s.anonymous) > 0 && h == "" {
		return tools.Caller{Principal: "anonymous", Tenants: s.anonymous}, true
	}
	return tools.Caller{}, false
}

// entraFromConfig builds the validator and the protected-resource metadata
// from the configuration's entra section; nil, nil when it has none.
func entraFromConfig(cfg *config.Config, logger *slog.Logger) (*entra.Validator, *entra.ResourceMetadata, error) {
	if cfg == nil || cfg.Entra == nil {
		return nil, nil, nil
	}
	ts, err := cfg.SignInTenants()
	if err != nil {
		return nil, nil, fmt.Errorf("entra: %w", err)
	}
	var tenants []entra.Tenant
	for _, t := range ts {
		tenants = append(tenants, entra.Tenant{Alias: t.Alias, TenantID: t.TenantID, Authority: t.Authority})
	}
	e := cfg.Entra
	v, err := entra.New(entra.Config{Tenants: tenants, Audiences: []string{e.AppIDURI, e.ClientID},
		Versions: e.Versions(), Skew: e.Skew(), Log: logger})
	if err != nil {
		return nil, nil, err
	}
	md := entra.NewResourceMetadata(e.Resource, tenants, e.AdvertisedScopes())
	return v, &md, nil
}

// httpHandler is /mcp behind sign-in, with the protected-resource metadata
// when Entra sign-in is on, and the demo authority's routes in demo mode.
func (a *app) httpHandler(opts options, logger *slog.Logger) (http.Handler, error) {
	si := &signIn{keys: a.principals, tokens: a.tokens, anonymous: opts.anonymous, log: logger}
	mdURL := ""
	var mdPaths []string
	if a.metadata != nil {
		var err error
		if mdURL, err = entra.MetadataURL(a.metadata.Resource); err != nil {
			return nil, err
		}
		if mdPaths, err = entra.MetadataPaths(a.metadata.Resource); err != nil {
			return nil, err
		}
	}
	mcp := a.server.HTTPHandler(mcpadapter.HTTPOptions{
		Authenticate: si.authenticate, ResourceMetadataURL: mdURL,
		AllowedOrigins: a.origins, Limits: opts.limits, Log: logger,
	})
	if a.metadata == nil {
		return mcp, nil
	}
	mux := http.NewServeMux()
	for _, p := range mdPaths {
		mux.Handle(p, a.metadata.Handler())
	}
	if a.demoAuthority != nil {
		a.demoRoutes(mux)
	}
	mux.Handle("/", mcp)
	return mux, nil
}
