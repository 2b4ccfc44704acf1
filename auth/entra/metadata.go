package entra

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// ResourceMetadata is the OAuth 2.0 Protected Resource Metadata document
// (RFC 9728 §2) this server publishes so that MCP clients find the
// authorization server to get a token from (MCP authorization, 2025-11-25,
// "Authorization Server Discovery").
type ResourceMetadata struct {
	// Resource is this server's resource identifier: the URL clients
	// connect to (RFC 9728 §3.3: it must equal the URL the metadata was
	// derived from).
	Resource string `json:"resource"`
	// AuthorizationServers are the issuer identifiers of the configured
	// tenants' authorities ({authority}/{tid}/v2.0), whose OpenID
	// configuration is at {issuer}/.well-known/openid-configuration.
	AuthorizationServers []string `json:"authorization_servers"`
	// ScopesSupported are the scopes a client requests for this resource.
	ScopesSupported []string `json:"scopes_supported,omitempty"`
	// BearerMethodsSupported: the Authorization header only.
	BearerMethodsSupported []string `json:"bearer_methods_supported"`
	ResourceName           string   `json:"resource_name,omitempty"`
}

// NewResourceMetadata builds the document for resource and tenants.
func NewResourceMetadata(resource string, tenants []Tenant, scopes []string) ResourceMetadata {
	md := ResourceMetadata{Resource: resource, ScopesSupported: scopes,
		BearerMethodsSupported: []string{"header"}, ResourceName: "secmcp"}
	for _, t := range tenants {
		md.AuthorizationServers = append(md.AuthorizationServers, strings.TrimRight(t.Authority, "/")+"/"+t.TenantID+"/v2.0")
	}
	return md
}

// MetadataPaths are the paths the document is served at for resource:
// the well-known URI with the resource's path appended (RFC 9728 §3.1,
// e.g. /.well-known/oauth-protected-resource/mcp) and the bare one, which
// MCP clients try when the first is absent.
func MetadataPaths(resource string) ([]string, error) {
	u, err := url.Parse(resource)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("entra: resource %q is not an absolute URL", resource)
	}
	bare := "/.well-known/oauth-protected-resource"
	p := strings.TrimRight(u.Path, "/")
	if p == "" {
		return []string{bare}, nil
	}
	return []string{bare + p, bare}, nil
}

// MetadataURL is the absolute URL of the document for resource (the one
// WWW-Authenticate names).
func MetadataURL(resource string) (string, error) {
	paths, err := MetadataPaths(resource)
	if err != nil {
		return "", err
	}
	u, _ := url.Parse(resource)
	return u.Scheme + "://" + u.Host + paths[0], nil
}

// Handler serves the document as JSON to GET and HEAD.
func (md ResourceMetadata) Handler() http.Handler {
	body, _ := json.Marshal(md) // plain strings: cannot fail
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "use GET", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "max-age=3600")
		// Browser-based MCP clients fetch this cross-origin.
		w.Header().Set("Access-Control-Allow-Origin", "*")
		_, _ = w.Write(body)
	})
}
