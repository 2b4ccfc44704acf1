package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/secmcp/secmcp/auth/entra"
	"github.com/secmcp/secmcp/fixtures"
)

// Demo sign-in: in demo mode the emulator is also the Entra authority of
// the demo tenants, and the HTTP server accepts its user tokens next to the
// demo keys. The authority's signing keys live in the server's process, so
// tokens for trying the flow by hand come from that server: POST
// /demo/token (what `mcp-server demo-token` calls). GET /demo/ca.pem gives
// the emulator's self-signed TLS certificate, so that a client in another
// process (an MCP client doing the OAuth flow) can trust the authority.
// Both exist only in demo mode, which serves only loopback.

// demoSignIn turns on Entra sign-in against the demo authority for a demo
// HTTP server whose MCP endpoint is resource.
func (a *app) demoSignIn(resource string, logger *slog.Logger) error {
	emu, err := a.demoEnv.Emulator()
	if err != nil {
		return fmt.Errorf("demo sign-in: %w", err)
	}
	var tenants []entra.Tenant
	for _, alias := range fixtures.Aliases() {
		tid, _, _, err := fixtures.DemoIdentity(alias)
		if err != nil {
			return fmt.Errorf("demo sign-in: %w", err)
		}
		tenants = append(tenants, entra.Tenant{Alias: alias, TenantID: tid, Authority: emu.URL()})
	}
	v, err := entra.New(entra.Config{Tenants: tenants, Audiences: []string{fixtures.DemoAPIClientID, fixtures.DemoAPIAppIDURI},
		HTTPClient: emu.Client(), Log: logger})
	if err != nil {
		return fmt.Errorf("demo sign-in: %w", err)
	}
	md := entra.NewResourceMetadata(resource, tenants, []string{fixtures.DemoAPIAppIDURI + "/" + fixtures.DemoAPIScope})
	a.tokens, a.metadata, a.demoAuthority = v, &md, emu
	return nil
}

// demoRoutes adds /demo/token and /demo/ca.pem to mux.
func (a *app) demoRoutes(mux *http.ServeMux) {
	emu := a.demoAuthority
	mux.HandleFunc("/demo/ca.pem", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-pem-file")
		_, _ = w.Write(emu.CACertPEM())
	})
	mux.HandleFunc("/demo/token", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			http.Error(w, "POST tenant, user and optionally roles as a form", http.StatusMethodNotAllowed)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "the body must be a form of at most 8 KiB: tenant=contoso&user=UPN[&roles=R1,R2]", http.StatusBadRequest)
			return
		}
		var roles []string // nil: the user's assigned roles
		if r.PostForm.Has("roles") {
			roles = splitList(r.PostForm.Get("roles"))
			if roles == nil {
				roles = []string{}
			}
		}
		tok, err := emu.IssueUserToken(r.PostForm.Get("tenant"), r.PostForm.Get("user"), roles)
		if err != nil {
			http.Error(w, strings.TrimPrefix(err.Error(), "emulator: ")+
				fmt.Sprintf(" (demo tenants: %s; users are the demo tenants' users, e.g. a userPrincipalName from entra_list_signins)", strings.Join(fixtures.Aliases(), ", ")),
				http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(map[string]any{"token_type": "Bearer", "access_token": tok})
	})
}
