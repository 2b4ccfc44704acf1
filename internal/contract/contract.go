// Package contract is the written-down contract of every upstream call the
// client code makes, taken from Microsoft's published documentation: for
// each endpoint its method and path, the query options and $filter
// properties/operators it supports, its $top maximum and default page size,
// how it pages, which properties it returns by default in v1.0 and which
// need $select or $expand, its evolvable enums, the permissions it needs,
// and its timeout and row limits — each rule with the doc page it comes
// from.
//
// Both sides read it: the emulator (fixtures/emulator/graph) enforces it and
// answers violations the way the service does, and a test checks every
// request the client code makes against it (Check), so the client and the
// emulator cannot drift from the documentation together. The endpoint table
// is also what an operator-facing check (mcp-server doctor) needs: endpoint →
// permission and license.
package contract

import (
	"net/http"
	"strings"
	"time"
)

// Paging is how a collection continues past one page.
type Paging string

const (
	// PagingNone: the collection is returned whole (or the client reads one page).
	PagingNone Paging = "none"
	// PagingSkipToken: @odata.nextLink carries an opaque $skiptoken; $skip is refused.
	PagingSkipToken Paging = "skiptoken"
	// PagingSkip: @odata.nextLink carries $skip; clients follow it as an opaque link.
	PagingSkip Paging = "skip"
)

// Permissions are the Microsoft Graph (or Azure) permissions an endpoint needs;
// any one entry of a list suffices unless it says "and".
type Permissions struct {
	Application []string
	Delegated   []string
	// Roles are what a signed-in user needs besides the delegated
	// permission (any one suffices): Microsoft Entra directory roles for
	// Graph (each API page's "In delegated scenarios ... the signed-in user
	// must be assigned a supported Microsoft Entra role"), Azure RBAC roles
	// on the workspace for Log Analytics. A delegated call is allowed only
	// when the app holds the scope and the user holds the role
	// (DocDelegatedRoles).
	Roles []string
}

// DocDelegatedRoles says delegated calls need both the permission and a role.
const DocDelegatedRoles = "https://learn.microsoft.com/graph/permissions-overview#delegated-permissions"

// Endpoint is one upstream call.
type Endpoint struct {
	// ID names the call ("signIns.list"); stable, used in reports.
	ID string
	// Service is "graph", "hunting" (Graph runHuntingQuery) or "logAnalytics".
	Service string
	// Method is the HTTP method.
	Method string
	// Path is the path below the Graph version segment ("/auditLogs/signIns",
	// "/users/{id}/transitiveMemberOf"); "{id}" matches one segment.
	Path string
	// Resource names the entity type returned (a key of Resources), if any.
	Resource string
	// Options are the query options the documentation lists ("$filter", "$top", ...).
	Options []string
	// Ignored are query options the service accepts without applying them
	// (observed, the page not listing them): Check reports one as a
	// client-side rule (Status 0), since relying on it gives a different
	// answer on a real tenant, and the emulator drops it unapplied.
	Ignored []string
	// IgnoredDoc is where the Ignored behaviour is recorded ("": Docs[0]).
	IgnoredDoc string
	// Filter lists, per $filter property path, the operators and functions
	// documented for it ("eq", "ne", "ge", "le", "gt", "lt", "in", "startswith").
	Filter map[string][]string
	// Expand lists the relationships $expand accepts.
	Expand []string
	// TopMax is the largest $top (0: not documented / not applicable).
	TopMax int
	// PageSize is the documented default page size (0: not documented).
	PageSize int
	// Paging is how the collection continues.
	Paging Paging
	// DefaultOrder is the order the documentation says the list comes in
	// without $orderby ("createdDateTime desc"), "" when it says none.
	DefaultOrder string
	// Permissions needed, least privileged first.
	Permissions Permissions
	// License the tenant needs, when the documentation names one.
	License string
	// Timeout is the longest the service runs one request (0: not documented).
	Timeout time.Duration
	// RowLimit is the most rows one request returns (0: not applicable).
	RowLimit int
	// Docs are the pages the rules above come from, API reference first.
	Docs []string
}

// HasOption reports whether the endpoint documents the query option
// (case-insensitive, "$" optional). $skiptoken is accepted wherever the
// service pages by token: its own nextLinks carry it (DocPaging).
func (e *Endpoint) HasOption(opt string) bool {
	opt = normOption(opt)
	if opt == "$skiptoken" && e.Paging == PagingSkipToken {
		return true
	}
	for _, o := range e.Options {
		if normOption(o) == opt {
			return true
		}
	}
	return false
}

// IgnoresOption reports whether the service accepts the query option but
// does not apply it (case-insensitive, "$" optional).
func (e *Endpoint) IgnoresOption(opt string) bool {
	opt = normOption(opt)
	for _, o := range e.Ignored {
		if normOption(o) == opt {
			return true
		}
	}
	return false
}

func normOption(o string) string {
	o = strings.ToLower(strings.TrimSpace(o))
	if !strings.HasPrefix(o, "$") {
		o = "$" + o
	}
	return o
}

// Match finds the endpoint of a request. path is the URL path; a leading
// "/v1.0" (or "/beta") version segment is ignored, and so is the SDK's
// qualified action name ("microsoft.graph.security.runHuntingQuery").
func Match(method, path string) (*Endpoint, bool) {
	segs := splitPath(path)
	for i := range Endpoints {
		e := &Endpoints[i]
		if e.Service == "logAnalytics" || !strings.EqualFold(e.Method, method) {
			continue
		}
		if pathMatches(splitPath(e.Path), segs) {
			return e, true
		}
	}
	return nil, false
}

// ByID returns the endpoint with the ID.
func ByID(id string) (*Endpoint, bool) {
	for i := range Endpoints {
		if Endpoints[i].ID == id {
			return &Endpoints[i], true
		}
	}
	return nil, false
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	parts := strings.Split(p, "/")
	if len(parts) > 0 && (strings.EqualFold(parts[0], "v1.0") || strings.EqualFold(parts[0], "beta")) {
		parts = parts[1:]
	}
	for i, s := range parts {
		if l := strings.ToLower(s); strings.HasPrefix(l, "microsoft.graph.security.") {
			parts[i] = s[len("microsoft.graph.security."):]
		}
	}
	return parts
}

func pathMatches(pattern, segs []string) bool {
	if len(pattern) != len(segs) {
		return false
	}
	for i, p := range pattern {
		if p == "{id}" {
			if segs[i] == "" {
				return false
			}
			continue
		}
		if !strings.EqualFold(p, segs[i]) {
			return false
		}
	}
	return true
}

// PreferUnknownEnums is the header value that opts into evolvable enum
// members after unknownFutureValue.
// https://learn.microsoft.com/en-us/graph/best-practices-concept#handling-future-members-in-evolvable-enumerations
const PreferUnknownEnums = "include-unknown-enum-members"

// WantsUnknownEnums reports whether the request's Prefer header opts into
// evolvable enum members.
func WantsUnknownEnums(h http.Header) bool {
	for _, v := range h.Values("Prefer") {
		for _, p := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(p), PreferUnknownEnums) {
				return true
			}
		}
	}
	return false
}
