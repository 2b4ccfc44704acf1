// Package resources serves the MCP resources, resource templates and prompts:
// entity URIs (secmcp://{tenant}/incidents/{id} and friends) that every tool
// result cites, the KQL table schemas, and (later) the hunting library and
// technique pages.
//
// URIs name the tenant by alias, so a citation is only readable by a caller
// allowed that tenant: resources/read resolves the alias through the same
// tenant registry as tool calls and refuses in the same words.
package resources

import (
	"fmt"
	"net/url"
	"strings"
)

// Scheme is the URI scheme of this server's resources.
const Scheme = "secmcp"

// Kinds of entity resources.
const (
	KindIncident = "incidents"
	KindAlert    = "alerts"
	KindUser     = "users"
	KindDevice   = "devices"
	KindSignIn   = "signins"
	KindPolicy   = "policies"
	KindRisk     = "riskdetections"
	KindLocation = "namedlocations"
)

// EntityKinds lists the kinds served as resource templates.
var EntityKinds = []string{KindIncident, KindAlert, KindUser, KindDevice, KindSignIn, KindPolicy}

// URI builds secmcp://{tenant}/{kind}/{id} with the id escaped by EscapeID.
func URI(tenantAlias, kind, id string) string {
	return fmt.Sprintf("%s://%s/%s/%s", Scheme, tenantAlias, kind, EscapeID(id))
}

// EscapeID is the one encoding rule for an identifier inside a secmcp:// URI
// (a UPN, an ID with symbols, a name with spaces or slashes): every byte
// outside RFC 3986's unreserved set (A-Z a-z 0-9 - . _ ~) is percent-encoded,
// so alice@contoso.com is written alice%40contoso.com. This is exactly how
// an RFC 6570 template expands {id}, so a client that builds the URI from
// the template gets the same string a tool cited. Readers unescape, and also
// accept reserved characters left raw (a hand-typed alice@contoso.com).
func EscapeID(id string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(id); i++ {
		c := id[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// Ref is a citation: this server's resource URI and, where Microsoft has
// one, the portal link.
type Ref struct {
	URI    string `json:"uri"`
	Portal string `json:"portal,omitempty"`
}

// Parsed is a parsed entity URI.
type Parsed struct {
	Tenant, Kind, ID string
}

// Parse splits an entity URI; it returns an error that says what is wrong.
func Parse(uri string) (Parsed, error) {
	prefix := Scheme + "://"
	if !strings.HasPrefix(uri, prefix) {
		return Parsed{}, fmt.Errorf("resource URI %q must start with %s", uri, prefix)
	}
	parts := strings.SplitN(strings.TrimPrefix(uri, prefix), "/", 3)
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return Parsed{}, fmt.Errorf("resource URI %q must look like %s://{tenant}/{kind}/{id}", uri, Scheme)
	}
	id, err := url.PathUnescape(parts[2])
	if err != nil {
		return Parsed{}, fmt.Errorf("resource URI %q: bad escaping in id: %v", uri, err)
	}
	return Parsed{Tenant: parts[0], Kind: parts[1], ID: id}, nil
}

// Portal links (security.microsoft.com, entra.microsoft.com, intune.microsoft.com).
func IncidentPortal(tenantID, id string) string {
	return "https://security.microsoft.com/incidents/" + url.PathEscape(id) + "?tid=" + url.QueryEscape(tenantID)
}

// AlertPortal links an alert in the Defender portal.
func AlertPortal(tenantID, id string) string {
	return "https://security.microsoft.com/alerts/" + url.PathEscape(id) + "?tid=" + url.QueryEscape(tenantID)
}

// DevicePortal links an Intune managed device.
func DevicePortal(id string) string {
	return "https://intune.microsoft.com/#view/Microsoft_Intune_Devices/DeviceSettingsMenuBlade/~/overview/mdmDeviceId/" + url.PathEscape(id)
}

// UserPortal links a user in the Entra admin center.
func UserPortal(userID string) string {
	return "https://entra.microsoft.com/#view/Microsoft_AAD_UsersAndTenants/UserProfileMenuBlade/~/overview/userId/" + url.PathEscape(userID)
}

// PolicyPortal links a Conditional Access policy.
func PolicyPortal(id string) string {
	return "https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/PolicyBlade/policyId/" + url.PathEscape(id)
}
