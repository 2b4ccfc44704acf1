package doctor

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// todo says what to do about a failed check.
func todo(c check, st Status, tools []string) string {
	n := needsOf(c.ID)
	who := "needed by " + toolList(tools)
	switch st {
	case StatusOK, StatusSkipped:
		return ""
	case StatusMissingPermission:
		if c.Service == ServiceLogAnalytics {
			return "assign the app's service principal the Log Analytics Reader role on the Sentinel workspace; " + who
		}
		return fmt.Sprintf("grant the app registration the Microsoft Graph application permission %s and grant admin consent; %s", n.Permission, who)
	case StatusNotLicensed:
		return fmt.Sprintf("the tenant needs %s; until then exclude the tools with --exclude-tools (%s)", n.License, who)
	case StatusUnreachable:
		return "check the network path (proxy, firewall, DNS) to the endpoint, or the tenant's endpoints: override; " + who
	case StatusThrottled:
		return "the service is throttling or busy: run doctor again in a minute; " + who
	case StatusNotFound:
		if c.Service == ServiceLogAnalytics {
			return "check sentinel.subscriptionId, resourceGroup and workspaceName (case-sensitive); " + who
		}
		return "the service does not know this endpoint: check the tenant's cloud and endpoints.graph; " + who
	}
	return "the service refused the request (see the result); report it with the output of doctor; " + who
}

func toolList(tools []string) string {
	if len(tools) == 0 {
		return "no enabled tool"
	}
	return strings.Join(tools, ", ")
}

var aadsts = lazyre.New(`AADSTS\d+`)

// tokenTodo explains a failed token request by its AADSTS code
// (https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes).
func tokenTodo(err error) string {
	msg := err.Error()
	code := aadsts.FindString(msg)
	switch code {
	case "AADSTS7000215", "AADSTS7000222":
		return code + ": the client secret is wrong or expired; put a valid one in the variable credential.clientSecretEnv names"
	case "AADSTS700016":
		return code + ": no app with this clientId in the tenant; check credential.clientId and tenantId"
	case "AADSTS90002", "AADSTS900023":
		return code + ": the tenant was not found; check tenantId and cloud (or endpoints.authority)"
	case "AADSTS7000218":
		return code + ": the token request carried neither a client secret nor a certificate; check the credential settings"
	case "AADSTS700027", "AADSTS700024", "AADSTS700021", "AADSTS700023":
		return code + ": the certificate or assertion was refused; check the certificate uploaded to the app registration"
	}
	if code != "" {
		return code + ": see https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes"
	}
	if strings.Contains(msg, "environment variable") || strings.Contains(msg, "credential kind") {
		return "fix the tenant's credential settings as the message says"
	}
	return "check the network path to the authority (or endpoints.authority) and the credential settings"
}
