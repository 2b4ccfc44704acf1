package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Endpoints override a tenant's service roots, for sovereign and private
// clouds and for test doubles. Each is optional; an empty one keeps the
// default of the tenant's cloud. The keys are part of the file format other
// tools write, so they never change.
type Endpoints struct {
	// Authority is the Entra ID authority host (token endpoint and discovery),
	// e.g. https://login.microsoftonline.us/.
	Authority string `yaml:"authority"`
	// Graph is the Microsoft Graph root; the client appends "v1.0/...".
	Graph string `yaml:"graph"`
	// LogAnalytics is the Log Analytics query endpoint (the Kusto v2 ADX
	// proxy); the client appends "subscriptions/.../workspaces/<name>".
	LogAnalytics string `yaml:"logAnalytics"`
}

// Each calls fn with every set endpoint's key and URL, in file order.
func (e *Endpoints) Each(fn func(key, raw string)) {
	if e == nil {
		return
	}
	for _, kv := range [][2]string{{"authority", e.Authority}, {"graph", e.Graph}, {"logAnalytics", e.LogAnalytics}} {
		if kv[1] != "" {
			fn(kv[0], kv[1])
		}
	}
}

// validate checks every set endpoint: an absolute https URL anywhere, or
// http to a loopback address only (a test double on this machine; tokens
// must never cross a network in clear text).
func (e *Endpoints) validate(where string) error {
	var err error
	e.Each(func(key, raw string) {
		if err == nil {
			u, verr := CheckEndpointURL(raw)
			if verr != nil {
				err = fmt.Errorf("%s: endpoints.%s: %w", where, key, verr)
				return
			}
			p := strings.ToLower(strings.TrimRight(u.Path, "/"))
			if key == "graph" && (strings.HasSuffix(p, "/v1.0") || strings.HasSuffix(p, "/beta")) {
				err = fmt.Errorf("%s: endpoints.graph: %q must be the Graph root without the version (the client appends v1.0/)", where, raw)
			}
		}
	})
	return err
}

// CheckEndpointURL parses an endpoint override: https://host[:port][/path]
// anywhere, http:// only to a loopback host (127.0.0.0/8, ::1, localhost).
// No user info, query or fragment.
func CheckEndpointURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("%q must be an absolute URL such as https://login.microsoftonline.us/", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return nil, fmt.Errorf("%q must be a plain URL without user info, query or fragment", raw)
	}
	if u.Scheme == "http" && !IsLoopbackHost(u.Hostname()) {
		return nil, fmt.Errorf("%q uses plain http to a host that is not loopback; use https (plain http is allowed only to 127.0.0.1, ::1 or localhost, for a local test double)", raw)
	}
	return u, nil
}

// IsLoopbackHost reports whether host (without port) is localhost or a loopback IP.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
