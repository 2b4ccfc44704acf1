package sources

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/secmcp/secmcp/auth"
	"github.com/secmcp/secmcp/fixtures"
	"github.com/secmcp/secmcp/internal/config"
	"github.com/secmcp/secmcp/internal/kusto"
)

// Probe is one tenant opened for `mcp-server doctor` exactly as the server
// opens it — the same credential, endpoints (overrides included), token
// scope and per-tenant HTTP policy — with raw access to each answer's status
// and error body, which the source clients turn into errors.
type Probe struct {
	alias     string
	cred      azcore.TokenCredential
	graphRoot string
	scopes    []string
	hc        *http.Client
	la        *kusto.Client
	laDB      string
}

// maxProbeBody bounds how much of an answer a probe keeps.
const maxProbeBody = 64 << 10

// Alias names the tenant.
func (p *Probe) Alias() string { return p.alias }

// Token acquires a Graph token.
func (p *Probe) Token(ctx context.Context) error {
	_, err := p.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: p.scopes})
	return err
}

// Graph sends one request below the Graph v1.0 root (path includes the query).
func (p *Probe) Graph(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	tok, err := p.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: p.scopes})
	if err != nil {
		return 0, nil, fmt.Errorf("token: %w", err)
	}
	var rd io.Reader
	if len(body) > 0 {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, p.graphRoot+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	req.Header.Set("Accept", "application/json")
	// As every client call does, so evolvable enums come back as they are
	// (https://learn.microsoft.com/en-us/graph/best-practices-concept#handling-future-members-in-evolvable-enumerations).
	req.Header.Set("Prefer", "include-unknown-enum-members")
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxProbeBody))
	return resp.StatusCode, b, err
}

// HasLogAnalytics reports whether the tenant has a Sentinel workspace.
func (p *Probe) HasLogAnalytics() bool { return p.la != nil }

// LogAnalytics runs query through the tenant's Kusto client; a failed
// answer's status and body are captured from the wire.
func (p *Probe) LogAnalytics(ctx context.Context, query string) (int, []byte, error) {
	if p.la == nil {
		return 0, nil, errors.New("no sentinel workspace is configured")
	}
	cc := &capture{}
	_, err := p.la.Query(context.WithValue(ctx, captureKey{}, cc), p.laDB, query)
	status, body, got := cc.get()
	if err == nil {
		return http.StatusOK, nil, nil
	}
	if !got {
		return 0, nil, err // no HTTP answer: a transport failure
	}
	if status < 400 {
		// The service answered 200 with an error inside the result (a
		// Kusto query failure): report it as refused.
		return http.StatusBadRequest, []byte(fmt.Sprintf(`{"error":{"code":"QueryFailed","message":%q}}`, err.Error())), nil
	}
	return status, body, nil
}

// capture records the last answer a query got on the wire.
type capture struct {
	mu     sync.Mutex
	status int
	body   []byte
	got    bool
}

type captureKey struct{}

func (c *capture) get() (int, []byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status, c.body, c.got
}

// captureTransport copies the status and (for failures) the body of each
// answer into the request's capture, leaving the body readable.
type captureTransport struct{ base http.RoundTripper }

func (t captureTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	c, ok := req.Context().Value(captureKey{}).(*capture)
	if !ok || resp == nil || (strings.HasSuffix(req.URL.Path, "/v1/rest/auth/metadata") && resp.StatusCode < 400) {
		return resp, err
	}
	var body []byte
	if resp.StatusCode >= 400 {
		body, _ = io.ReadAll(io.LimitReader(resp.Body, maxProbeBody))
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	c.mu.Lock()
	c.status, c.body, c.got = resp.StatusCode, body, true
	c.mu.Unlock()
	return resp, err
}

// ConfigProbes opens every configured tenant for the doctor.
func ConfigProbes(cfg *config.Config) ([]*Probe, error) {
	var out []*Probe
	for _, tc := range cfg.Tenants {
		cloud := tc.Cloud
		if cloud == "" {
			cloud = "public"
		}
		ep, err := resolveEndpoints(cloud, tc.Endpoints)
		if err != nil {
			return nil, fmt.Errorf("tenant %q: %w", tc.Alias, err)
		}
		cred, err := configuredCredential(tc, cloud, ep)
		if err != nil {
			return nil, err
		}
		laURL := ""
		if s := tc.Sentinel; s != nil {
			if laURL, err = kusto.SentinelEndpointAt(ep.logAnalytics, s.SubscriptionID, s.ResourceGroup, s.WorkspaceName); err != nil {
				return nil, fmt.Errorf("tenant %q: %w", tc.Alias, err)
			}
		}
		p, err := newProbe(tc.Alias, cred, ep.transport(http.DefaultTransport), ep.graph, ep.graphScopes, laURL, workspaceOf(tc.Sentinel))
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func workspaceOf(s *config.Sentinel) string {
	if s == nil {
		return ""
	}
	return s.WorkspaceName
}

// Probes opens the demo tenants for the doctor (starting the emulator).
func (d *DemoEnv) Probes() ([]*Probe, error) {
	emu, err := d.Emulator()
	if err != nil {
		return nil, err
	}
	var out []*Probe
	for _, alias := range fixtures.Aliases() {
		id, workspace, _, err := fixtures.DemoIdentity(alias)
		if err != nil {
			return nil, err
		}
		cred, err := demoCredential(alias, id, emu)
		if err != nil {
			return nil, err
		}
		p, err := newProbe(alias, cred, emu.Transport(), emu.GraphURL(), []string{auth.DemoEndpoints(emu.URL()).GraphScope}, emu.URL(), workspace)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func newProbe(alias string, cred azcore.TokenCredential, base http.RoundTripper, graphRoot string, scopes []string, laURL, laDB string) (*Probe, error) {
	hc := policyClient(alias, base)
	p := &Probe{alias: alias, cred: cred, graphRoot: strings.TrimRight(graphRoot, "/"), scopes: scopes, hc: hc, laDB: laDB}
	if laURL != "" {
		k, err := kusto.New(laURL, cred, kusto.Options{HTTPClient: &http.Client{Transport: captureTransport{hc.Transport}}, DefaultDatabase: laDB})
		if err != nil {
			return nil, fmt.Errorf("tenant %s: kusto client: %w", alias, err)
		}
		p.la = k
	}
	return p, nil
}

// Close releases the probe's connections.
func (p *Probe) Close() {
	if p.la != nil {
		_ = p.la.Close()
	}
}
