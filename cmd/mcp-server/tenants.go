package main

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
	"github.com/secmcp/secmcp/internal/graph"
	"github.com/secmcp/secmcp/internal/httppolicy"
	"github.com/secmcp/secmcp/internal/kusto"
	"github.com/secmcp/secmcp/internal/ratelimit"
	"github.com/secmcp/secmcp/internal/tenant"
)

// demoKeys are the demo HTTP keys and the one tenant each reaches.
var demoKeys = map[string]string{"demo-contoso": "contoso", "demo-fabrikam": "fabrikam"}

// demoEnv starts the emulator on first use so a client that never touches
// tenant data never pays for it.
type demoEnv struct {
	clock  time.Time
	logger *slog.Logger
	// runner executes KQL for the emulator and the sandbox, sharing one
	// converted copy of each tenant's tables.
	runner *fixtures.EngineRunner
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

// load generates a demo tenant once; the emulator and the sandbox share it.
func (d *demoEnv) load(alias string) (*fixtures.Tenant, error) {
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

func (d *demoEnv) emulator() (*fixtures.Emulator, error) {
	d.once.Do(func() {
		d.emu, d.err = fixtures.NewEmulator(fixtures.EmulatorOptions{
			Tenants:     fixtures.LazyTenants(d.load, fixtures.Aliases()...),
			QueryRunner: d.runner,
			KustoHandler: func(resolve func(*http.Request) (*fixtures.Tenant, error)) http.Handler {
				return fixtures.NewKustoHandler(resolve, d.runner)
			},
		})
		if d.err == nil {
			d.logger.Info("demo emulator started", "url", d.emu.URL())
		}
	})
	return d.emu, d.err
}

func demoTenants(opts options, logger *slog.Logger, a *app) (*tenant.Registry, *auth.Principals, error) {
	clock := time.Now().UTC().Truncate(time.Second)
	if opts.demoClock != "" {
		t, err := time.Parse(time.RFC3339, opts.demoClock)
		if err != nil {
			return nil, nil, fmt.Errorf("--demo-clock %q must be an RFC 3339 time such as 2026-11-26T12:00:00Z", opts.demoClock)
		}
		clock = t.UTC()
	}
	env := &demoEnv{clock: clock, logger: logger, runner: &fixtures.EngineRunner{}, tenants: map[string]*loadOnce{}}
	a.demoEnv = env
	a.closers = append(a.closers, func() {
		if env.emu != nil {
			_ = env.emu.Close()
		}
	})
	var ts []*tenant.Tenant
	for _, alias := range fixtures.Aliases() {
		id, workspace, _, err := fixtures.DemoIdentity(alias)
		if err != nil {
			return nil, nil, err
		}
		alias := alias
		t := tenant.New(alias, id, "demo", true, ratelimit.New(ratelimit.Default), func(ctx context.Context) (*tenant.Sources, error) {
			emu, err := env.emulator()
			if err != nil {
				return nil, err
			}
			cred, err := auth.NewCredential(id, "demo", auth.CredentialConfig{
				Kind: "clientSecret", ClientID: fixtures.DemoClientID(alias), ClientSecretEnv: "SECMCP_DEMO_SECRET",
			}, func(string) string { return fixtures.DemoClientSecret(alias) }, auth.CredentialOptions{
				Label: alias, AuthorityHost: emu.URL() + "/", HTTPClient: policyClient(alias, emu.Transport()), DisableInstanceDiscovery: true,
			})
			if err != nil {
				return nil, err
			}
			return openSources(alias, cred, emu.Transport(), emu.GraphURL(), emu.URL(), workspace)
		})
		t.Now = func() time.Time { return clock }
		ts = append(ts, t)
	}
	reg, err := tenant.NewRegistry(ts...)
	if err != nil {
		return nil, nil, err
	}
	var ps []auth.Principal
	for key, alias := range demoKeys {
		ps = append(ps, auth.Principal{Name: key, KeySHA256: auth.HashKey(key), Tenants: []string{alias}})
	}
	principals, err := auth.NewPrincipals(ps)
	return reg, principals, err
}

func configTenants(cfg *config.Config, logger *slog.Logger) (*tenant.Registry, error) {
	var ts []*tenant.Tenant
	for _, tc := range cfg.Tenants {
		tc := tc
		cloud := tc.Cloud
		if cloud == "" {
			cloud = "public"
		}
		ep, err := auth.CloudEndpoints(cloud)
		if err != nil {
			return nil, fmt.Errorf("tenant %q: %w", tc.Alias, err)
		}
		t := tenant.New(tc.Alias, tc.TenantID, cloud, false, budgetOf(tc.Budget, cfg.Budgets.Default), func(ctx context.Context) (*tenant.Sources, error) {
			cred, err := auth.NewCredential(tc.TenantID, cloud, tc.Credential, os.Getenv, auth.CredentialOptions{Label: tc.Alias})
			if err != nil {
				return nil, err
			}
			sentinelURL, sentinelDB := "", ""
			if s := tc.Sentinel; s != nil {
				if sentinelURL, err = kusto.SentinelEndpoint(s.SubscriptionID, s.ResourceGroup, s.WorkspaceName); err != nil {
					return nil, err
				}
				sentinelDB = s.WorkspaceName
			}
			src, err := openSources(tc.Alias, cred, http.DefaultTransport, ep.GraphURL, sentinelURL, sentinelDB)
			if err != nil {
				return nil, err
			}
			if a := tc.ADX; a != nil {
				if src.ADX, err = kusto.New(a.ClusterURL, cred, kusto.Options{HTTPClient: policyClient(tc.Alias, http.DefaultTransport), DefaultDatabase: a.Database}); err != nil {
					return nil, err
				}
				src.ADXDB = a.Database
			}
			return src, nil
		})
		ts = append(ts, t)
		logger.Debug("tenant configured", "tenant", tc.Alias, "cloud", cloud, "credential", tc.Credential.Kind)
	}
	return tenant.NewRegistry(ts...)
}

// openSources builds a tenant's Graph and (optional) Kusto clients sharing one retry policy.
func openSources(alias string, cred azcore.TokenCredential, base http.RoundTripper, graphURL, kustoURL, kustoDB string) (*tenant.Sources, error) {
	hc := policyClient(alias, base)
	g, err := graph.New(cred, graph.Options{BaseURL: graphURL, HTTPClient: hc})
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
func policyClient(alias string, base http.RoundTripper) *http.Client {
	return &http.Client{Transport: httppolicy.New(base, httppolicy.Options{Tenant: alias, Timeout: 2 * time.Minute})}
}
