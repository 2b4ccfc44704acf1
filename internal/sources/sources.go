// Package sources opens each tenant's data sources — Microsoft Graph
// (msgraph-sdk-go), Kusto/Sentinel (azkustodata) and the credentials they use
// (azidentity) — behind the one shared HTTP retry policy, either against
// Microsoft's clouds (from the configuration file) or against the in-process
// emulator of the demo tenants. It is the only package that wires
// internal/graph, so it (and cmd) are the only builds that pay for the Graph
// SDK; tool packages see only source interfaces.
package sources

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/secmcp/secmcp/auth"
	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/config"
	"github.com/secmcp/secmcp/internal/contract"
	"github.com/secmcp/secmcp/internal/graph"
	"github.com/secmcp/secmcp/internal/httppolicy"
	"github.com/secmcp/secmcp/internal/kusto"
	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/tenant"
)

// DemoKeys are the demo HTTP keys and the one tenant each reaches.
var DemoKeys = map[string]string{"demo-contoso": "contoso", "demo-fabrikam": "fabrikam"}

// DemoEnv is the demo mode: two demo tenants served by the emulator, which
// starts on first use so a client that never touches tenant data never pays
// for it.
type DemoEnv struct {
	// Registry holds the demo tenants.
	Registry *tenant.Registry
	// Principals holds the demo HTTP keys.
	Principals *auth.Principals

	clock  time.Time
	logger *slog.Logger
	// Runner executes KQL for the emulator and the sandbox, sharing one
	// converted copy of each tenant's tables.
	Runner *fixtures.EngineRunner
	once   sync.Once
	emu    *fixtures.Emulator
	err    error

	mu      sync.Mutex
	tenants map[string]*loadOnce
}

type loadOnce struct {
	once sync.Once
	t    *fixtures.Tenant
	err  error
}

// Load generates a demo tenant once; the emulator and the sandbox share it.
func (d *DemoEnv) Load(alias string) (*fixtures.Tenant, error) {
	d.mu.Lock()
	l, ok := d.tenants[alias]
	if !ok {
		l = &loadOnce{}
		d.tenants[alias] = l
	}
	d.mu.Unlock()
	l.once.Do(func() { l.t, l.err = fixtures.Load(alias, d.clock) })
	return l.t, l.err
}

// Emulator starts (once) and returns the emulator; tests use it to inject faults.
func (d *DemoEnv) Emulator() (*fixtures.Emulator, error) {
	d.once.Do(func() {
		d.emu, d.err = fixtures.NewEmulator(fixtures.EmulatorOptions{
			Tenants:     fixtures.LazyTenants(d.Load, fixtures.Aliases()...),
			QueryRunner: d.Runner,
			KustoHandler: func(resolve func(*http.Request) (*fixtures.Tenant, error)) http.Handler {
				return fixtures.NewKustoHandler(resolve, d.Runner)
			},
			// A demo user who signs in without an app role assignment
			// gets the least one (tools.RoleReader).
			DefaultAppRoles: []string{"SecMCP.Reader"},
		})
		if d.err == nil {
			d.logger.Info("demo emulator started", "url", d.emu.URL())
		}
	})
	return d.emu, d.err
}

// Close stops the emulator if it was started.
func (d *DemoEnv) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.emu != nil {
		_ = d.emu.Close()
	}
}

// Clock is the instant the demo data was generated from.
func (d *DemoEnv) Clock() time.Time { return d.clock }

// NewDemo registers the demo tenants; nothing is generated or started until first use.
func NewDemo(clock time.Time, logger *slog.Logger) (*DemoEnv, error) {
	env := &DemoEnv{clock: clock.UTC(), logger: logger, Runner: &fixtures.EngineRunner{}, tenants: map[string]*loadOnce{}}
	var ts []*tenant.Tenant
	for _, alias := range fixtures.Aliases() {
		id, workspace, _, err := fixtures.DemoIdentity(alias)
		if err != nil {
			return nil, err
		}
		alias := alias
		t := tenant.New(alias, id, "demo", true, ratelimit.New(ratelimit.Default), func(ctx context.Context) (*tenant.Sources, error) {
			emu, err := env.Emulator()
			if err != nil {
				return nil, err
			}
			cred, err := demoCredential(alias, id, emu)
			if err != nil {
				return nil, err
			}
			if cred, err = demoOnBehalfOf(alias, id, emu, cred); err != nil {
				return nil, err
			}
			src, err := openSources(alias, cred, emu.Transport(), emu.GraphURL(), nil, emu.URL(), workspace)
			if err != nil {
				return nil, err
			}
			// the demo's Azure Data Explorer cluster (fixtures/emulator/kusto/adx.go)
			src.ADXURL, src.ADXDB = emu.ADXClusterURL(), fixtures.ADXArchiveDatabase
			src.ADX, err = kusto.New(src.ADXURL, cred, kusto.Options{HTTPClient: policyClient(alias, emu.Transport()), DefaultDatabase: src.ADXDB})
			if err != nil {
				return nil, fmt.Errorf("tenant %s: ADX client: %w", alias, err)
			}
			return src, nil
		})
		t.Now = func() time.Time { return env.clock }
		t.OnBehalfOf = true // demo analysts read with their own demo rights
		ts = append(ts, t)
	}
	reg, err := tenant.NewRegistry(ts...)
	if err != nil {
		return nil, err
	}
	var ps []auth.Principal
	for key, alias := range DemoKeys {
		ps = append(ps, auth.Principal{Name: key, KeySHA256: auth.HashKey(key), Tenants: []string{alias}})
	}
	env.Registry = reg
	env.Principals, err = auth.NewPrincipals(ps)
	return env, err
}

// demoCredential is a demo tenant's service-principal credential against the emulator.
func demoCredential(alias, tenantID string, emu *fixtures.Emulator) (azcore.TokenCredential, error) {
	return auth.NewCredential(tenantID, "demo", auth.CredentialConfig{
		Kind: "clientSecret", ClientID: fixtures.DemoClientID(alias), ClientSecretEnv: "SECMCP_DEMO_SECRET",
	}, func(string) string { return fixtures.DemoClientSecret(alias) }, auth.CredentialOptions{
		Label: alias, AuthorityHost: emu.URL() + "/", HTTPClient: policyClient(alias, emu.Transport()), DisableInstanceDiscovery: true,
	})
}

// demoOnBehalfOf wraps a demo tenant's app credential so that signed-in
// demo users read on-behalf-of themselves through the emulator's token
// endpoint, and the emulator applies each demo user's rights.
func demoOnBehalfOf(alias, tenantID string, emu *fixtures.Emulator, app azcore.TokenCredential) (azcore.TokenCredential, error) {
	// The middle tier of the exchange is the demo secmcp API app, the
	// audience of the demo users' tokens (fixtures.DemoAPIClientID).
	return auth.NewOnBehalfOf(tenantID, "demo", auth.CredentialConfig{
		Kind: "clientSecret", ClientID: fixtures.DemoAPIClientID, ClientSecretEnv: "SECMCP_DEMO_API_SECRET",
	}, func(string) string { return fixtures.DemoAPISecret }, auth.CredentialOptions{
		Label: alias, AuthorityHost: emu.URL() + "/", HTTPClient: policyClient(alias, emu.Transport()), DisableInstanceDiscovery: true,
	}, app, auth.OnBehalfOfOptions{})
}

// FromConfig registers the configured tenants; credentials and clients are
// opened on each tenant's first use.
func FromConfig(cfg *config.Config, logger *slog.Logger) (*tenant.Registry, error) {
	var ts []*tenant.Tenant
	for _, tc := range cfg.Tenants {
		tc := tc
		cloud := tc.Cloud
		if cloud == "" {
			cloud = "public"
		}
		ep, err := resolveEndpoints(cloud, tc.Endpoints)
		if err != nil {
			return nil, fmt.Errorf("tenant %q: %w", tc.Alias, err)
		}
		t := tenant.New(tc.Alias, tc.TenantID, cloud, false, BudgetOf(tc.Budget, cfg.Budgets.Default), func(ctx context.Context) (*tenant.Sources, error) {
			return openConfigured(tc, cloud, ep)
		})
		t.OnBehalfOf = tc.OnBehalfOf
		ts = append(ts, t)
		logger.Debug("tenant configured", "tenant", tc.Alias, "cloud", cloud, "credential", tc.Credential.Kind,
			"graph", ep.graph, "authority", ep.authority)
	}
	return tenant.NewRegistry(ts...)
}

// openConfigured opens one configured tenant's credential and clients.
func openConfigured(tc config.Tenant, cloud string, ep endpoints) (*tenant.Sources, error) {
	cred, err := configuredCredential(tc, cloud, ep)
	if err != nil {
		return nil, err
	}
	base := ep.transport(http.DefaultTransport)
	sentinelURL, sentinelDB := "", ""
	if s := tc.Sentinel; s != nil {
		if sentinelURL, err = kusto.SentinelEndpointAt(ep.logAnalytics, s.SubscriptionID, s.ResourceGroup, s.WorkspaceName); err != nil {
			return nil, err
		}
		sentinelDB = s.WorkspaceName
	}
	src, err := openSources(tc.Alias, cred, base, ep.graph, ep.graphScopes, sentinelURL, sentinelDB)
	if err != nil {
		return nil, err
	}
	if a := tc.ADX; a != nil {
		if src.ADX, err = kusto.New(a.ClusterURL, cred, kusto.Options{HTTPClient: policyClient(tc.Alias, base), DefaultDatabase: a.Database}); err != nil {
			return nil, err
		}
		src.ADXDB, src.ADXURL = a.Database, a.ClusterURL
	}
	return src, nil
}

// configuredCredential builds a configured tenant's credential. With an
// authority override, token requests go through the tenant's transport
// (which reaches a plain-http loopback authority) and MSAL's instance
// discovery is skipped: it would ask login.microsoft.com about a host it
// does not know. azidentity documents DisableInstanceDiscovery for exactly
// this case, "disconnected clouds, or private clouds such as Azure Stack"
// (ClientSecretCredentialOptions.DisableInstanceDiscovery).
func configuredCredential(tc config.Tenant, cloud string, ep endpoints) (azcore.TokenCredential, error) {
	opts := auth.CredentialOptions{Label: tc.Alias}
	if ep.authority != "" {
		opts.AuthorityHost = ep.authority
		opts.HTTPClient = policyClient(tc.Alias, ep.transport(http.DefaultTransport))
		opts.DisableInstanceDiscovery = true
	}
	app, err := auth.NewCredential(tc.TenantID, cloud, tc.Credential, os.Getenv, opts)
	if err != nil || !tc.OnBehalfOf {
		return app, err
	}
	return auth.NewOnBehalfOf(tc.TenantID, cloud, tc.Credential, os.Getenv, opts, app, auth.OnBehalfOfOptions{})
}

// openSources builds a tenant's Graph and (optional) Kusto clients sharing one retry policy.
func openSources(alias string, cred azcore.TokenCredential, base http.RoundTripper, graphURL string, graphScopes []string, kustoURL, kustoDB string) (*tenant.Sources, error) {
	hc := policyClient(alias, base)
	g, err := graph.New(cred, graph.Options{BaseURL: graphURL, HTTPClient: hc, Scopes: graphScopes})
	if err != nil {
		return nil, fmt.Errorf("tenant %s: graph client: %w", alias, err)
	}
	src := &tenant.Sources{Graph: g}
	if kustoURL != "" {
		k, err := kusto.New(kustoURL, cred, kusto.Options{HTTPClient: hc, DefaultDatabase: kustoDB})
		if err != nil {
			return nil, fmt.Errorf("tenant %s: kusto client: %w", alias, err)
		}
		src.Sentinel, src.SentinelDB = k, kustoDB
	}
	return src, nil
}

// policyClient wraps base with the shared retry policy; every client of one
// tenant shares it, so the tenant's 429 back-off gate is shared too and no
// other tenant's calls wait on it.
//
// Its deadline is the longest documented upstream limit (Log Analytics, 10
// minutes; internal/contract); each client bounds its own calls below it:
// Graph reads 2 minutes and runHuntingQuery 3 (internal/graph), Log
// Analytics queries 10 (internal/kusto).
func policyClient(alias string, base http.RoundTripper) *http.Client {
	return &http.Client{Transport: httppolicy.New(base, httppolicy.Options{Tenant: alias, Timeout: transportTimeout()})}
}

// transportTimeout is the longest documented upstream timeout plus a minute
// for retries and connection set-up.
func transportTimeout() time.Duration {
	d := 2 * time.Minute
	for _, e := range contract.Endpoints {
		d = max(d, e.Timeout)
	}
	return d + time.Minute
}

// BudgetOf returns a tenant's budget: its own, else the default, else ratelimit.Default.
func BudgetOf(c *ratelimit.Config, def *ratelimit.Config) *ratelimit.Budget {
	switch {
	case c != nil:
		return ratelimit.New(*c)
	case def != nil:
		return ratelimit.New(*def)
	}
	return ratelimit.New(ratelimit.Default)
}
