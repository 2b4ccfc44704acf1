package contract

import "time"

// Doc pages, one per rule source.
const (
	DocQueryParams   = "https://learn.microsoft.com/en-us/graph/query-parameters"
	DocPaging        = "https://learn.microsoft.com/en-us/graph/paging"
	DocBestPractices = "https://learn.microsoft.com/en-us/graph/best-practices-concept#handling-future-members-in-evolvable-enumerations"
	DocErrors        = "https://learn.microsoft.com/en-us/graph/errors"
	// DocQueryOptionWording is Microsoft's answer quoting the signIns API's
	// refusal of an unsupported query option word for word ("Query option
	// 'Select' is not allowed. To allow it, set the 'AllowedQueryOptions'
	// property on EnableQueryAttribute or QueryValidationSettings.").
	DocQueryOptionWording = "https://learn.microsoft.com/en-us/answers/questions/1116053/query-option-select-is-not-allowed-to-allow-it-set"

	DocSignInList        = "https://learn.microsoft.com/en-us/graph/api/signin-list?view=graph-rest-1.0"
	DocSignInGet         = "https://learn.microsoft.com/en-us/graph/api/signin-get?view=graph-rest-1.0"
	DocSignIn            = "https://learn.microsoft.com/en-us/graph/api/resources/signin?view=graph-rest-1.0"
	DocRiskyUserList     = "https://learn.microsoft.com/en-us/graph/api/riskyuser-list?view=graph-rest-1.0"
	DocRiskyUser         = "https://learn.microsoft.com/en-us/graph/api/resources/riskyuser?view=graph-rest-1.0"
	DocRiskDetectList    = "https://learn.microsoft.com/en-us/graph/api/riskdetection-list?view=graph-rest-1.0"
	DocRiskDetection     = "https://learn.microsoft.com/en-us/graph/api/resources/riskdetection?view=graph-rest-1.0"
	DocIncidentList      = "https://learn.microsoft.com/en-us/graph/api/security-list-incidents?view=graph-rest-1.0"
	DocIncidentGet       = "https://learn.microsoft.com/en-us/graph/api/security-incident-get?view=graph-rest-1.0"
	DocIncident          = "https://learn.microsoft.com/en-us/graph/api/resources/security-incident?view=graph-rest-1.0"
	DocAlertList         = "https://learn.microsoft.com/en-us/graph/api/security-list-alerts_v2?view=graph-rest-1.0"
	DocAlertGet          = "https://learn.microsoft.com/en-us/graph/api/security-alert-get?view=graph-rest-1.0"
	DocAlert             = "https://learn.microsoft.com/en-us/graph/api/resources/security-alert?view=graph-rest-1.0"
	DocHunting           = "https://learn.microsoft.com/en-us/graph/api/security-security-runhuntingquery?view=graph-rest-1.0"
	DocHuntingLimits     = "https://learn.microsoft.com/en-us/defender-xdr/api-advanced-hunting"
	DocCAPolicyList      = "https://learn.microsoft.com/en-us/graph/api/conditionalaccessroot-list-policies?view=graph-rest-1.0"
	DocCAPolicy          = "https://learn.microsoft.com/en-us/graph/api/resources/conditionalaccesspolicy?view=graph-rest-1.0"
	DocCAReadRoles       = "https://learn.microsoft.com/en-us/graph/api/conditionalaccessroot-list-policies?view=graph-rest-1.0#permissions"
	DocNamedLocList      = "https://learn.microsoft.com/en-us/graph/api/conditionalaccessroot-list-namedlocations?view=graph-rest-1.0"
	DocUserGet           = "https://learn.microsoft.com/en-us/graph/api/user-get?view=graph-rest-1.0"
	DocUser              = "https://learn.microsoft.com/en-us/graph/api/resources/user?view=graph-rest-1.0"
	DocUserMemberOf      = "https://learn.microsoft.com/en-us/graph/api/user-list-memberof?view=graph-rest-1.0"
	DocUserTransitive    = "https://learn.microsoft.com/en-us/graph/api/user-list-transitivememberof?view=graph-rest-1.0"
	DocDeviceList        = "https://learn.microsoft.com/en-us/graph/api/intune-devices-manageddevice-list?view=graph-rest-1.0"
	DocDeviceGet         = "https://learn.microsoft.com/en-us/graph/api/intune-devices-manageddevice-get?view=graph-rest-1.0"
	DocPolicyStateList   = "https://learn.microsoft.com/en-us/graph/api/intune-deviceconfig-devicecompliancepolicystate-list?view=graph-rest-1.0"
	DocCompliancePolicy  = "https://learn.microsoft.com/en-us/graph/api/resources/intune-deviceconfig-devicecompliancepolicy?view=graph-rest-1.0"
	DocCompliancePolList = "https://learn.microsoft.com/en-us/graph/api/intune-deviceconfig-devicecompliancepolicy-list?view=graph-rest-1.0"
	DocScheduledActions  = "https://learn.microsoft.com/en-us/graph/api/intune-deviceconfig-devicecompliancescheduledactionforrule-list?view=graph-rest-1.0"
	DocLAProxy           = "https://learn.microsoft.com/en-us/azure/data-explorer/query-monitor-data"
	DocLATimeouts        = "https://learn.microsoft.com/en-us/azure/azure-monitor/logs/api/timeouts"
	DocLALimits          = "https://learn.microsoft.com/en-us/azure/azure-monitor/service-limits#log-analytics-workspaces"
	DocLAErrors          = "https://learn.microsoft.com/en-us/azure/azure-monitor/logs/api/errors"
)

// DocDeviceOrderBy is the SDK issue where $orderby on managedDevices was
// found to have no effect, a maintainer pointing at the list page that
// documents none. Not a Microsoft Learn page, so it is the endpoint's
// IgnoredDoc, not one of its Docs.
const DocDeviceOrderBy = "https://github.com/microsoftgraph/msgraph-sdk-dotnet/issues/1322"

// Filter operator sets.
var (
	opsEq   = []string{"eq"}
	opsTime = []string{"eq", "ge", "le", "gt", "lt"}
)

// Endpoints is every upstream call the client code makes.
var Endpoints = []Endpoint{
	{ID: "incidents.list", Service: "graph", Method: "GET", Path: "/security/incidents", Resource: "incident",
		// "This method supports the $count, $filter, $skip, $top and $expand
		// OData query parameters"; $top at most 50. No $orderby: the list is
		// newest first already ("most recent incidents are displayed at the top").
		Options: []string{"$count", "$filter", "$skip", "$top", "$expand"},
		Filter: map[string][]string{"assignedTo": opsEq, "classification": opsEq, "createdDateTime": opsTime,
			"determination": opsEq, "lastUpdateDateTime": opsTime, "severity": opsEq, "status": opsEq},
		Expand: []string{"alerts"}, TopMax: 50, Paging: PagingSkip, DefaultOrder: "createdDateTime desc",
		Permissions: Permissions{Application: []string{"SecurityIncident.Read.All"}, Delegated: []string{"SecurityIncident.Read.All"}, Roles: []string{"Security Reader", "Security Operator", "Security Administrator", "Global Reader"}},
		License:     "Microsoft Defender XDR", Docs: []string{DocIncidentList, DocIncident}},
	{ID: "incidents.get", Service: "graph", Method: "GET", Path: "/security/incidents/{id}", Resource: "incident",
		Options: []string{"$expand", "$select"}, Expand: []string{"alerts"}, Paging: PagingNone,
		Permissions: Permissions{Application: []string{"SecurityIncident.Read.All"}, Delegated: []string{"SecurityIncident.Read.All"}, Roles: []string{"Security Reader", "Security Operator", "Security Administrator", "Global Reader"}},
		License:     "Microsoft Defender XDR", Docs: []string{DocIncidentGet, DocIncident}},
	{ID: "alerts.list", Service: "graph", Method: "GET", Path: "/security/alerts_v2", Resource: "alert",
		// $count, $filter, $skip, $top (at most 2000); no $orderby; incidentId
		// is not among the documented filter properties. "The most recent
		// alerts are displayed at the top of the list" (DocAlertList).
		Options: []string{"$count", "$filter", "$skip", "$top"},
		Filter: map[string][]string{"assignedTo": opsEq, "classification": opsEq, "determination": opsEq,
			"createdDateTime": opsTime, "lastUpdateDateTime": opsTime, "severity": opsEq, "serviceSource": opsEq, "status": opsEq},
		TopMax: 2000, Paging: PagingSkip, DefaultOrder: "createdDateTime desc",
		Permissions: Permissions{Application: []string{"SecurityAlert.Read.All"}, Delegated: []string{"SecurityAlert.Read.All"}, Roles: []string{"Security Reader", "Security Operator", "Security Administrator", "Global Reader"}},
		License:     "Microsoft Defender XDR", Docs: []string{DocAlertList, DocAlert}},
	{ID: "alerts.get", Service: "graph", Method: "GET", Path: "/security/alerts_v2/{id}", Resource: "alert",
		Paging:      PagingNone,
		Permissions: Permissions{Application: []string{"SecurityAlert.Read.All"}, Delegated: []string{"SecurityAlert.Read.All"}, Roles: []string{"Security Reader", "Security Operator", "Security Administrator", "Global Reader"}},
		License:     "Microsoft Defender XDR", Docs: []string{DocAlertGet, DocAlert}},
	{ID: "hunting.run", Service: "hunting", Method: "POST", Path: "/security/runHuntingQuery",
		// Body {"Query", "Timespan"}; Timespan defaults to 30 days. A request
		// running over 3 minutes times out; results up to 100,000 rows.
		Paging:      PagingNone,
		Permissions: Permissions{Application: []string{"ThreatHunting.Read.All"}, Delegated: []string{"ThreatHunting.Read.All"}, Roles: []string{"Security Reader", "Security Operator", "Security Administrator", "Global Reader"}},
		License:     "Microsoft Defender XDR", Timeout: 3 * time.Minute, RowLimit: 100000,
		Docs: []string{DocHunting, DocHuntingLimits}},
	{ID: "signIns.list", Service: "graph", Method: "GET", Path: "/auditLogs/signIns", Resource: "signIn",
		// Delegated readers need one of Global Reader, Reports Reader,
		// Security Administrator, Security Operator or Security Reader
		// (DocSignInList; Global Administrator left out as everywhere here).
		// "This method supports the $top, $skiptoken, and $filter OData query
		// parameters"; "The maximum and default page size is 1,000 objects and
		// by default, the most recent sign-ins are returned first."
		Options: []string{"$top", "$skiptoken", "$filter"},
		Filter: map[string][]string{"createdDateTime": opsTime, "userId": opsEq, "userPrincipalName": {"eq", "startswith"},
			"userDisplayName": {"eq", "startswith"}, "appId": opsEq, "appDisplayName": {"eq", "startswith"},
			"ipAddress": {"eq", "startswith"}, "riskLevelDuringSignIn": opsEq, "riskLevelAggregated": opsEq,
			"riskState": opsEq, "conditionalAccessStatus": opsEq, "clientAppUsed": opsEq, "status/errorCode": {"eq", "ne"},
			"location/city": {"eq", "startswith"}, "location/countryOrRegion": {"eq", "startswith"}, "correlationId": opsEq,
			"isInteractive": opsEq},
		TopMax: 1000, PageSize: 1000, Paging: PagingSkipToken, DefaultOrder: "createdDateTime desc",
		Permissions: Permissions{Application: []string{"AuditLog.Read.All"}, Delegated: []string{"AuditLog.Read.All and Directory.Read.All"}, Roles: []string{"Reports Reader", "Security Reader", "Security Operator", "Security Administrator", "Global Reader"}},
		License:     "Microsoft Entra ID P1 or P2", Docs: []string{DocSignInList, DocSignIn, DocQueryOptionWording}},
	{ID: "signIns.get", Service: "graph", Method: "GET", Path: "/auditLogs/signIns/{id}", Resource: "signIn",
		Paging:      PagingNone,
		Permissions: Permissions{Application: []string{"AuditLog.Read.All"}, Delegated: []string{"AuditLog.Read.All and Directory.Read.All"}, Roles: []string{"Reports Reader", "Security Reader", "Security Operator", "Security Administrator", "Global Reader"}},
		License:     "Microsoft Entra ID P1 or P2", Docs: []string{DocSignInGet, DocSignIn}},
	{ID: "riskyUsers.list", Service: "graph", Method: "GET", Path: "/identityProtection/riskyUsers", Resource: "riskyUser",
		// "This method supports the $filter and $select OData query parameters
		// ... The maximum page size with $top is 500 objects." Pages by nextLink ($skiptoken).
		Options: []string{"$filter", "$select", "$top", "$skiptoken"},
		Filter: map[string][]string{"userPrincipalName": {"eq", "startswith"}, "userDisplayName": {"eq", "startswith"},
			"riskLevel": opsEq, "riskState": opsEq, "riskDetail": opsEq, "riskLastUpdatedDateTime": opsTime, "isDeleted": opsEq},
		TopMax: 500, Paging: PagingSkipToken,
		Permissions: Permissions{Application: []string{"IdentityRiskyUser.Read.All"}, Delegated: []string{"IdentityRiskyUser.Read.All"}, Roles: []string{"Security Reader", "Security Operator", "Security Administrator", "Global Reader"}},
		License:     "Microsoft Entra ID P2", Docs: []string{DocRiskyUserList, DocRiskyUser}},
	{ID: "riskDetections.list", Service: "graph", Method: "GET", Path: "/identityProtection/riskDetections", Resource: "riskDetection",
		// "This method supports the $filter and $select OData query
		// parameters ... The default page size is 20 objects while the
		// maximum with $top is 500" (DocRiskDetectList); pages by nextLink
		// ($skiptoken); no $skip, no $orderby.
		Options: []string{"$filter", "$select", "$top", "$skiptoken"},
		Filter: map[string][]string{"userPrincipalName": {"eq", "startswith"}, "userId": opsEq, "userDisplayName": opsEq,
			"riskLevel": opsEq, "riskState": opsEq, "riskEventType": opsEq, "riskDetail": opsEq, "ipAddress": opsEq,
			"detectedDateTime": opsTime, "activityDateTime": opsTime, "requestId": opsEq, "correlationId": opsEq},
		TopMax: 500, PageSize: 20, Paging: PagingSkipToken,
		Permissions: Permissions{Application: []string{"IdentityRiskEvent.Read.All"}, Delegated: []string{"IdentityRiskEvent.Read.All"}, Roles: []string{"Security Reader", "Security Operator", "Security Administrator", "Global Reader"}},
		License:     "Microsoft Entra ID P1 or P2 (P2 for full detail)", Docs: []string{DocRiskDetectList, DocRiskDetection}},
	{ID: "caPolicies.list", Service: "graph", Method: "GET", Path: "/identity/conditionalAccess/policies", Resource: "conditionalAccessPolicy",
		// "This method supports the $skip, $top, $count, $filter, $orderby,
		// and $select OData query parameters" (DocCAPolicyList). It documents
		// $skip, so the emulator's nextLinks carry $skip; the page does not
		// say what Graph's carry, and the client follows them unchanged.
		// Delegated readers: Global Secure Access Administrator, Security
		// Reader, Security Administrator, Global Reader, Conditional Access
		// Administrator (DocCAReadRoles).
		Options: []string{"$skip", "$top", "$count", "$filter", "$orderby", "$select"}, Paging: PagingSkip,
		Permissions: Permissions{Application: []string{"Policy.Read.All"}, Delegated: []string{"Policy.Read.All"}, Roles: []string{"Security Reader", "Global Reader", "Conditional Access Administrator", "Security Administrator", "Global Secure Access Administrator"}},
		License:     "Microsoft Entra ID P1", Docs: []string{DocCAPolicyList, DocCAPolicy, DocCAReadRoles}},
	{ID: "namedLocations.list", Service: "graph", Method: "GET", Path: "/identity/conditionalAccess/namedLocations",
		// "This method supports the $count, $filter, $orderby, $select,
		// $skip, and $top OData query parameters" (DocNamedLocList); paging
		// as for caPolicies.list.
		Options: []string{"$count", "$filter", "$orderby", "$select", "$skip", "$top"}, Paging: PagingSkip,
		Permissions: Permissions{Application: []string{"Policy.Read.All"}, Delegated: []string{"Policy.Read.All"}, Roles: []string{"Security Reader", "Global Reader", "Conditional Access Administrator", "Security Administrator"}},
		License:     "Microsoft Entra ID P1", Docs: []string{DocNamedLocList}},
	{ID: "users.get", Service: "graph", Method: "GET", Path: "/users/{id}", Resource: "user",
		Options: []string{"$select", "$expand"}, Paging: PagingNone,
		Permissions: Permissions{Application: []string{"User.Read.All"}, Delegated: []string{"User.Read.All"}},
		Docs:        []string{DocUserGet, DocUser}},
	{ID: "users.transitiveMemberOf", Service: "graph", Method: "GET", Path: "/users/{id}/transitiveMemberOf",
		// Groups (nested included) and directory roles; reading the role
		// objects needs Directory.Read.All (RoleManagement.Read.Directory).
		Options: []string{"$filter", "$count", "$select", "$search", "$top", "$orderby"}, TopMax: 999, PageSize: 100,
		Paging:      PagingSkipToken,
		Permissions: Permissions{Application: []string{"GroupMember.Read.All and Directory.Read.All"}, Delegated: []string{"GroupMember.Read.All and Directory.Read.All"}},
		Docs:        []string{DocUserTransitive}},
	{ID: "users.memberOf", Service: "graph", Method: "GET", Path: "/users/{id}/memberOf",
		// Direct memberships only; Conditional Access applies to nested groups,
		// so the client reads transitiveMemberOf instead. Kept so the emulator
		// still serves it as Graph does.
		Options: []string{"$filter", "$count", "$select", "$search", "$top", "$orderby"}, TopMax: 999, PageSize: 100,
		Paging:      PagingSkipToken,
		Permissions: Permissions{Application: []string{"GroupMember.Read.All and Directory.Read.All"}, Delegated: []string{"GroupMember.Read.All and Directory.Read.All"}},
		Docs:        []string{DocUserMemberOf}},
	{ID: "managedDevices.list", Service: "graph", Method: "GET", Path: "/deviceManagement/managedDevices", Resource: "managedDevice",
		// Intune list APIs support the general OData query parameters; the
		// service pages with an opaque nextLink. The list page documents no
		// $orderby, and Graph accepts it here without ordering (DocDeviceOrderBy:
		// "Ordering ManagedDevices has no effect"; the SDK maintainers advise
		// ordering client-side).
		Options: []string{"$filter", "$top", "$select", "$skiptoken", "$count"}, Ignored: []string{"$orderby"},
		IgnoredDoc: DocDeviceOrderBy,
		Filter: map[string][]string{"complianceState": opsEq, "operatingSystem": opsEq, "userPrincipalName": opsEq,
			"deviceName": {"eq", "startswith"}, "lastSyncDateTime": opsTime, "azureADDeviceId": opsEq, "managedDeviceOwnerType": opsEq},
		TopMax: 1000, Paging: PagingSkipToken,
		Permissions: Permissions{Application: []string{"DeviceManagementManagedDevices.Read.All"}, Delegated: []string{"DeviceManagementManagedDevices.Read.All"}, Roles: []string{"Intune Administrator", "Global Reader"}},
		License:     "Microsoft Intune", Docs: []string{DocDeviceList, DocQueryParams}},
	{ID: "managedDevices.get", Service: "graph", Method: "GET", Path: "/deviceManagement/managedDevices/{id}", Resource: "managedDevice",
		Options: []string{"$select"}, Paging: PagingNone,
		Permissions: Permissions{Application: []string{"DeviceManagementManagedDevices.Read.All"}, Delegated: []string{"DeviceManagementManagedDevices.Read.All"}, Roles: []string{"Intune Administrator", "Global Reader"}},
		License:     "Microsoft Intune", Docs: []string{DocDeviceGet}},
	{ID: "managedDevices.compliancePolicyStates", Service: "graph", Method: "GET",
		Path: "/deviceManagement/managedDevices/{id}/deviceCompliancePolicyStates", Paging: PagingSkipToken,
		Permissions: Permissions{Application: []string{"DeviceManagementConfiguration.Read.All"}, Delegated: []string{"DeviceManagementConfiguration.Read.All"}, Roles: []string{"Intune Administrator", "Global Reader"}},
		License:     "Microsoft Intune", Docs: []string{DocPolicyStateList}},
	{ID: "compliancePolicies.list", Service: "graph", Method: "GET", Path: "/deviceManagement/deviceCompliancePolicies", Resource: "deviceCompliancePolicy",
		// scheduledActionsForRule is a relationship: returned only with
		// $expand=scheduledActionsForRule($expand=scheduledActionConfigurations).
		Options: []string{"$filter", "$select", "$expand", "$top", "$skiptoken"},
		Expand:  []string{"scheduledActionsForRule", "assignments"}, Paging: PagingSkipToken,
		Permissions: Permissions{Application: []string{"DeviceManagementConfiguration.Read.All"}, Delegated: []string{"DeviceManagementConfiguration.Read.All"}, Roles: []string{"Intune Administrator", "Global Reader"}},
		License:     "Microsoft Intune", Docs: []string{DocCompliancePolList, DocCompliancePolicy, DocScheduledActions}},
	{ID: "logAnalytics.query", Service: "logAnalytics", Method: "POST", Path: "/v2/rest/query",
		// Through the Azure Data Explorer proxy the database is the workspace
		// name. A query runs at most 10 minutes and returns at most 500,000
		// records / 64 MB; errors carry the cause in nested innererror objects.
		Paging:      PagingNone,
		Permissions: Permissions{Application: []string{"Log Analytics Reader (Azure RBAC) on the workspace"}, Delegated: []string{"Log Analytics Reader (Azure RBAC) on the workspace"}, Roles: []string{"Log Analytics Reader", "Microsoft Sentinel Reader"}},
		License:     "Microsoft Sentinel / Log Analytics workspace", Timeout: 10 * time.Minute, RowLimit: 500000,
		Docs: []string{DocLAProxy, DocLATimeouts, DocLALimits, DocLAErrors}},
}
