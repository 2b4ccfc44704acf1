package tools

import (
	"errors"
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/contract"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/tenant"
)

// forbidden turns an upstream refusal (HTTP 403 from Graph or Log
// Analytics, or a failed on-behalf-of exchange) into a tool error that says
// whose rights were missing and what would grant them. It is the caller's
// answer, not a server failure: with on-behalf-of, a 403 means the signed-in
// user's own Entra roles, Defender RBAC or workspace RBAC do not cover the
// read. Other errors pass through.
func forbidden(err error, caller Caller, t *tenant.Tenant) error {
	var fe *source.ForbiddenError
	if !errors.As(err, &fe) {
		return err
	}
	delegated := caller.User != nil && t.OnBehalfOf
	said := strings.TrimSpace(strings.Join(nonEmpty(fe.Code, fe.Message), ": "))
	if fe.Exchange {
		return &ToolError{Kind: "forbidden", Msg: fmt.Sprintf(
			"tenant %q reads with your own rights (on-behalf-of), and exchanging your sign-in for a token of %s failed (%s); "+
				"if it says consent is missing, an administrator grants admin consent to this server's delegated API permissions; "+
				"if your sign-in expired, sign in again", t.Alias, upstreamName(fe.Service), said)}
	}
	who := "this server's app registration (app-only access)"
	if delegated {
		who = "your account (" + caller.User.String() + ")"
	}
	return &ToolError{Kind: "forbidden", Msg: fmt.Sprintf("%s lacks %s to %s in tenant %q (%s answered %s)",
		who, needed(fe.Endpoint, delegated), fe.What, t.Alias, upstreamName(fe.Service), said)}
}

// needed names what grants the endpoint: for a signed-in user the
// delegated permission and one of the roles, for the app its application
// permission.
func needed(endpoint string, delegated bool) string {
	e, ok := contract.ByID(endpoint)
	if !ok {
		return "the permission"
	}
	if !delegated {
		return "the application permission " + strings.Join(e.Permissions.Application, " or ")
	}
	var parts []string
	if len(e.Permissions.Delegated) > 0 && e.Service != "logAnalytics" {
		parts = append(parts, "the delegated permission "+strings.Join(e.Permissions.Delegated, " or ")+" (admin consent)")
	}
	if len(e.Permissions.Roles) > 0 {
		parts = append(parts, "one of the roles "+strings.Join(e.Permissions.Roles, ", "))
	}
	if len(parts) == 0 {
		return "the permission"
	}
	return strings.Join(parts, " and ")
}

func upstreamName(service string) string {
	switch service {
	case "hunting":
		return "Defender XDR Advanced Hunting"
	case "logAnalytics":
		return "the Log Analytics workspace"
	case "entra":
		return "Microsoft Entra ID"
	}
	return "Microsoft Graph"
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
