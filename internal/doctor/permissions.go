package doctor

// needs is what one endpoint needs from the tenant: the application
// permission (least privileged first, as Microsoft's API reference lists
// it) and the license named on the same page.
//
// This is the one place the doctor reads permissions from; it holds the
// values of internal/contract's endpoint table (Endpoint.Permissions,
// Endpoint.License) until that table lands on main, then it reads them
// from there.
type needs struct {
	Permission string
	License    string
}

var endpointNeeds = map[string]needs{
	// https://learn.microsoft.com/en-us/graph/api/security-list-incidents?view=graph-rest-1.0
	"incidents.list": {"SecurityIncident.Read.All", "Microsoft Defender XDR"},
	// https://learn.microsoft.com/en-us/graph/api/security-list-alerts_v2?view=graph-rest-1.0
	"alerts.list": {"SecurityAlert.Read.All", "Microsoft Defender XDR"},
	// https://learn.microsoft.com/en-us/graph/api/security-security-runhuntingquery?view=graph-rest-1.0
	"hunting.run": {"ThreatHunting.Read.All", "Microsoft Defender XDR"},
	// https://learn.microsoft.com/en-us/graph/api/signin-list?view=graph-rest-1.0
	"signIns.list": {"AuditLog.Read.All", "Microsoft Entra ID P1 or P2"},
	// https://learn.microsoft.com/en-us/graph/api/riskyuser-list?view=graph-rest-1.0
	"riskyUsers.list": {"IdentityRiskyUser.Read.All", "Microsoft Entra ID P2"},
	// https://learn.microsoft.com/en-us/graph/api/riskdetection-list?view=graph-rest-1.0
	"riskDetections.list": {"IdentityRiskEvent.Read.All", "Microsoft Entra ID P1 or P2 (P2 for full detail)"},
	// https://learn.microsoft.com/en-us/graph/api/conditionalaccessroot-list-policies?view=graph-rest-1.0
	"caPolicies.list": {"Policy.Read.All", "Microsoft Entra ID P1"},
	// https://learn.microsoft.com/en-us/graph/api/conditionalaccessroot-list-namedlocations?view=graph-rest-1.0
	"namedLocations.list": {"Policy.Read.All", "Microsoft Entra ID P1"},
	// https://learn.microsoft.com/en-us/graph/api/user-get?view=graph-rest-1.0
	"users.get": {"User.Read.All", ""},
	// https://learn.microsoft.com/en-us/graph/api/user-list-memberof?view=graph-rest-1.0
	"users.memberOf": {"GroupMember.Read.All and Directory.Read.All", ""},
	// https://learn.microsoft.com/en-us/graph/api/intune-devices-manageddevice-list?view=graph-rest-1.0
	"managedDevices.list": {"DeviceManagementManagedDevices.Read.All", "Microsoft Intune"},
	// https://learn.microsoft.com/en-us/graph/api/intune-deviceconfig-devicecompliancepolicystate-list?view=graph-rest-1.0
	"managedDevices.compliancePolicyStates": {"DeviceManagementManagedDevices.Read.All", "Microsoft Intune"},
	// https://learn.microsoft.com/en-us/graph/api/intune-deviceconfig-devicecompliancepolicy-list?view=graph-rest-1.0
	"compliancePolicies.list": {"DeviceManagementConfiguration.Read.All", "Microsoft Intune"},
	// https://learn.microsoft.com/en-us/azure/azure-monitor/logs/api/access-api (Azure RBAC, not a Graph permission)
	"logAnalytics.query": {"Log Analytics Reader on the workspace", "a Log Analytics workspace (Microsoft Sentinel)"},
}

// needsOf returns an endpoint's permission and license.
func needsOf(id string) needs { return endpointNeeds[id] }
