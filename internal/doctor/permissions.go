package doctor

import "github.com/secmcp/secmcp/internal/contract"

// needs is what one endpoint needs from the tenant: the application
// permission (the least privileged one Microsoft's API reference lists) and
// the license named on the same page.
type needs struct {
	Permission string
	License    string
}

// needsOf reads an endpoint's permission and license from the contract
// table (internal/contract), the one place they are written down with
// their doc pages.
func needsOf(id string) needs {
	e, ok := contract.ByID(id)
	if !ok {
		return needs{}
	}
	n := needs{License: e.License}
	if len(e.Permissions.Application) > 0 {
		n.Permission = e.Permissions.Application[0]
	}
	return n
}
