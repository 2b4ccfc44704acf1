package plugins

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/secmcp/secmcp/internal/config"
	"github.com/secmcp/secmcp/tools"
)

// apiAuth is how an API skill authenticates its calls. The secret itself
// is read from the environment at each call and never kept, logged or put
// in an error or a citation.
type apiAuth struct {
	// Kind is none, apikey, bearer, entra, or unset (the manifest asks for
	// an authorization the configuration does not give).
	Kind    string
	Name    string // the key's header or query parameter
	InQuery bool
	Scheme  string // the manifest's AuthScheme, put before the key
	Env     string
	Scope   string
	// Wanted is the manifest's Authorization.Type, for the unset error.
	Wanted string
}

// resolveAuth combines the configuration's auth with the manifest's
// Authorization (learn.microsoft.com/copilot/security/plugin-api: Type
// APIKey with Key and Location Header or QueryParams).
func resolveAuth(c config.PluginAuth, a *Authorization) (apiAuth, error) {
	var m Authorization
	if a != nil {
		m = *a
	}
	out := apiAuth{Kind: strings.ToLower(c.Type), Name: c.Name, Env: c.Env, Scope: c.Scope, Wanted: m.Type}
	if out.Kind == "" {
		switch {
		case strings.EqualFold(m.Type, "APIKey"):
			out.Kind = "apikey"
		case m.Type == "" || strings.EqualFold(m.Type, "None"):
			out.Kind = "none"
		default:
			out.Kind = "unset"
		}
	}
	switch out.Kind {
	case "apikey":
		if out.Name == "" {
			out.Name = m.Key
		}
		if out.Name == "" {
			return out, fmt.Errorf("apiKey auth needs the key's header or query parameter name (auth.name, or the manifest's Authorization.Key)")
		}
		in := strings.ToLower(c.In)
		if in == "" {
			in = strings.ToLower(m.Location)
		}
		switch in {
		case "", "header":
		case "query", "queryparams", "queryparam":
			out.InQuery = true
		default:
			return out, fmt.Errorf("the manifest's Authorization.Location %q is not Header or QueryParams; set auth.in", m.Location)
		}
		out.Scheme = strings.TrimSpace(m.AuthScheme)
	case "bearer", "entra", "none", "unset":
	default:
		return out, fmt.Errorf("type %q: must be apiKey, bearer, entra or none", c.Type)
	}
	return out, nil
}

// apply adds the credential to the request: the header, or the query
// parameter in q. It returns the secret (to redact from what the API
// sends back) and a description without it.
func (a apiAuth) apply(ctx context.Context, env *Env, plugin string, call tools.Call, h http.Header, q url.Values) (secret, desc string, err error) {
	switch a.Kind {
	case "none":
		return "", "none", nil
	case "unset":
		return "", "", &tools.ToolError{Kind: "refused", Msg: fmt.Sprintf("plugin %s asks for %s authorization, which the configuration does not give: set pluginApis.%s.auth (apiKey, bearer or entra)", plugin, a.Wanted, plugin)}
	case "entra":
		if env.Token == nil {
			return "", "", &tools.ToolError{Kind: "refused", Msg: fmt.Sprintf("plugin %s uses Entra tokens, which this server cannot get (no tenant credential)", plugin)}
		}
		tok, err := env.Token(ctx, call.Tenant.Alias, a.Scope)
		if err == nil && tok == "" {
			err = fmt.Errorf("an empty token")
		}
		if err != nil {
			return "", "", &tools.ToolError{Kind: "upstream", Msg: fmt.Sprintf("plugin %s: no Entra token for scope %s with tenant %s's credential: %v", plugin, a.Scope, call.Tenant.Alias, err)}
		}
		h.Set("Authorization", "Bearer "+tok)
		return tok, "Authorization: Bearer [Entra token for " + a.Scope + "]", nil
	}
	if a.Env == "" {
		return "", "", &tools.ToolError{Kind: "refused", Msg: fmt.Sprintf("plugin %s's %s is not configured: set pluginApis.%s.auth.env to the environment variable holding it", plugin, a.what(), plugin)}
	}
	v := os.Getenv(a.Env)
	if v == "" {
		return "", "", &tools.ToolError{Kind: "refused", Msg: fmt.Sprintf("plugin %s's %s is not set: environment variable %s is empty", plugin, a.what(), a.Env)}
	}
	if a.Kind == "bearer" {
		h.Set("Authorization", "Bearer "+v)
		return v, "Authorization: Bearer [redacted]", nil
	}
	val := v
	if a.Scheme != "" {
		val = a.Scheme + " " + v
	}
	if a.InQuery {
		q.Set(a.Name, val)
		return v, "API key in query parameter " + a.Name + " [redacted]", nil
	}
	h.Set(a.Name, val)
	return v, a.Name + ": [redacted]", nil
}

func (a apiAuth) what() string {
	if a.Kind == "bearer" {
		return "bearer token"
	}
	return "API key"
}
