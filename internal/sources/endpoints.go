package sources

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/secmcp/secmcp/auth"
	"github.com/secmcp/secmcp/internal/config"
)

// endpoints are a configured tenant's service roots as the SDKs see them:
// the cloud's defaults, replaced by the configuration's endpoint overrides.
type endpoints struct {
	// authority is the Entra authority host ("" = the cloud's).
	authority string
	// graph is the Graph v1.0 root and graphScopes its token scope.
	graph       string
	graphScopes []string
	// logAnalytics is the ADX proxy root a workspace path is appended to.
	logAnalytics string
	// plain holds the host:port of every loopback endpoint configured with
	// http://. The SDKs refuse http (MSAL for the authority, azkustodata for
	// an authenticated cluster), so they are handed the https form and
	// loopbackPlain carries those requests over plain TCP.
	plain map[string]bool
}

// resolveEndpoints merges a tenant's overrides into its cloud's endpoints.
func resolveEndpoints(cloud string, ov *config.Endpoints) (endpoints, error) {
	ep, err := auth.CloudEndpoints(cloud)
	if err != nil {
		return endpoints{}, err
	}
	e := endpoints{graph: ep.GraphURL, graphScopes: []string{ep.GraphScope}, logAnalytics: ep.LogAnalyticsADXProxy, plain: map[string]bool{}}
	if ov == nil {
		return e, nil
	}
	sdk := func(key, raw string) (string, error) {
		u, err := config.CheckEndpointURL(raw)
		if err != nil {
			return "", fmt.Errorf("endpoints.%s: %w", key, err)
		}
		if u.Scheme == "http" {
			e.plain[strings.ToLower(u.Host)] = true
			u.Scheme = "https"
		}
		return strings.TrimRight(u.String(), "/"), nil
	}
	if ov.Authority != "" {
		if e.authority, err = sdk("authority", ov.Authority); err != nil {
			return e, err
		}
		e.authority += "/"
	}
	if ov.Graph != "" {
		root, err := sdk("graph", ov.Graph)
		if err != nil {
			return e, err
		}
		e.graph = root + "/v1.0"
		if s := graphHostScope(root); s != "" {
			e.graphScopes = []string{s}
		}
	}
	if ov.LogAnalytics != "" {
		if e.logAnalytics, err = sdk("logAnalytics", ov.LogAnalytics); err != nil {
			return e, err
		}
	}
	return e, nil
}

// graphHostScope is the .default scope of a Microsoft Graph host (a
// sovereign cloud's Graph named directly); other hosts (private clouds,
// test doubles) keep the cloud's Graph scope.
func graphHostScope(root string) string {
	u, err := url.Parse(root)
	if err != nil {
		return ""
	}
	h := strings.ToLower(u.Hostname())
	for _, p := range []string{"graph.", "dod-graph.", "microsoftgraph."} {
		if strings.HasPrefix(h, p) {
			return "https://" + h + "/.default"
		}
	}
	return ""
}

// transport returns base, wrapped so that requests to the plain-http
// loopback endpoints go out as http.
func (e endpoints) transport(base http.RoundTripper) http.RoundTripper {
	if len(e.plain) == 0 {
		return base
	}
	return &loopbackPlain{base: base, hosts: e.plain}
}

// loopbackPlain sends https requests for the configured loopback hosts as
// plain http. Only hosts that config validation accepted as loopback are
// listed, so a token never leaves the machine unencrypted.
type loopbackPlain struct {
	base  http.RoundTripper
	hosts map[string]bool
}

// RoundTrip implements http.RoundTripper.
func (l *loopbackPlain) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme != "https" || !l.hosts[strings.ToLower(r.URL.Host)] {
		return l.base.RoundTrip(r)
	}
	r2 := r.Clone(r.Context())
	u := *r.URL
	u.Scheme = "http"
	r2.URL = &u
	return l.base.RoundTrip(r2)
}
