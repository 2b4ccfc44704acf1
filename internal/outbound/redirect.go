// Package outbound guards requests secmcp sends to servers that others
// name — a plugin's OpenAPI document (internal/plugins) or a plugin MCP
// server's configured URL (tools/mcpadapter/upstream): a response may not
// redirect a request, with its arguments and credentials, to a host
// nobody named. It imports no SDK, so both sides can share it.
package outbound

import (
	"fmt"
	"net/http"
	"net/url"
)

// MaxRedirects is how many redirects within the allowed host a request
// follows.
const MaxRedirects = 5

// RedirectError is a redirect refused because it leaves the scheme and
// host requests are allowed to go to. net/http returns it wrapped in a
// *url.Error; use errors.As.
type RedirectError struct {
	// To is the host the redirect pointed at.
	To string
	// Allowed is the host requests go to.
	Allowed string
}

// Error says where the redirect pointed and where requests may go.
func (e *RedirectError) Error() string {
	return fmt.Sprintf("redirect to %s refused: secmcp talks only to the configured host %s", e.To, e.Allowed)
}

// SameHost is an http.Client CheckRedirect that follows a redirect only
// when it keeps base's scheme and host, and at most MaxRedirects of them.
// A refused redirect is not sent: the client returns *RedirectError.
func SameHost(base *url.URL) func(req *http.Request, via []*http.Request) error {
	scheme, host := base.Scheme, base.Host
	return func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != scheme || req.URL.Host != host {
			return &RedirectError{To: req.URL.Host, Allowed: host}
		}
		if len(via) >= MaxRedirects {
			return fmt.Errorf("more than %d redirects", MaxRedirects)
		}
		return nil
	}
}
