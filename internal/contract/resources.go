package contract

// Resource is what the contract knows about an entity type's v1.0 shape.
type Resource struct {
	// Properties are the v1.0 properties; anything else in a response is a
	// beta-only or invented field. Nil: not restricted by the contract.
	Properties []string
	// Default, when set, are the properties returned without $select (the
	// rest need $select).
	Default []string
	// Relationships are navigation properties: returned only when $expand'ed.
	Relationships []string
	// Enums maps a property path ("status", "appliedConditionalAccessPolicies/result")
	// to its enum type (a key of EvolvableEnums).
	Enums map[string]string
	// Doc is the resource reference page.
	Doc string
}

// Resources by entity type name.
var Resources = map[string]Resource{
	"signIn": {Doc: DocSignIn, Properties: []string{"appDisplayName", "appId", "appliedConditionalAccessPolicies",
		"clientAppUsed", "conditionalAccessStatus", "correlationId", "createdDateTime", "deviceDetail", "id", "ipAddress",
		"isInteractive", "location", "resourceDisplayName", "resourceId", "riskDetail", "riskEventTypes", "riskEventTypes_v2",
		"riskLevelAggregated", "riskLevelDuringSignIn", "riskState", "status", "userDisplayName", "userId", "userPrincipalName"},
		Enums: map[string]string{"appliedConditionalAccessPolicies/result": "appliedConditionalAccessPolicyResult",
			"riskDetail": "riskDetail"}},
	"riskyUser": {Doc: DocRiskyUser, Properties: []string{"id", "isDeleted", "isProcessing", "riskDetail",
		"riskLastUpdatedDateTime", "riskLevel", "riskState", "userDisplayName", "userPrincipalName"},
		Relationships: []string{"history"}, Enums: map[string]string{"riskDetail": "riskDetail"}},
	"riskDetection": {Doc: DocRiskDetection, Properties: []string{"activity", "activityDateTime", "additionalInfo",
		"correlationId", "detectedDateTime", "detectionTimingType", "id", "ipAddress", "lastUpdatedDateTime", "location",
		"requestId", "riskDetail", "riskEventType", "riskLevel", "riskState", "source", "tokenIssuerType",
		"userDisplayName", "userId", "userPrincipalName"}, Enums: map[string]string{"riskDetail": "riskDetail"}},
	"incident": {Doc: DocIncident, Properties: []string{"assignedTo", "classification", "comments", "createdDateTime",
		"customTags", "description", "determination", "displayName", "id", "incidentWebUrl", "lastModifiedBy",
		"lastUpdateDateTime", "redirectIncidentId", "resolvingComment", "severity", "status", "summary", "systemTags", "tenantId"},
		Relationships: []string{"alerts"}, Enums: map[string]string{"status": "incidentStatus"}},
	"alert": {Doc: DocAlert, Properties: []string{"actorDisplayName", "additionalData", "alertPolicyId", "alertWebUrl",
		"assignedTo", "category", "classification", "comments", "createdDateTime", "description", "detectionSource",
		"detectorId", "determination", "evidence", "firstActivityDateTime", "id", "incidentId", "incidentWebUrl",
		"lastActivityDateTime", "lastUpdateDateTime", "mitreTechniques", "productName", "providerAlertId",
		"recommendedActions", "resolvedDateTime", "serviceSource", "severity", "status", "systemTags", "tenantId",
		"threatDisplayName", "threatFamilyName", "title"},
		Enums: map[string]string{"serviceSource": "serviceSource", "detectionSource": "detectionSource", "status": "alertStatus"}},
	"user": {Doc: DocUser, Default: []string{"businessPhones", "displayName", "givenName", "id", "jobTitle", "mail",
		"mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName"},
		Relationships: []string{"memberOf", "transitiveMemberOf", "manager"}},
	"deviceCompliancePolicy": {Doc: DocCompliancePolicy,
		Relationships: []string{"scheduledActionsForRule", "assignments", "deviceStatuses", "userStatuses",
			"deviceStatusOverview", "userStatusOverview", "deviceSettingStateSummaries"}},
	"conditionalAccessPolicy": {Doc: DocCAPolicy},
	"managedDevice":           {Doc: DocDeviceGet},
}

// EvolvableEnum is an enum type with members after the unknownFutureValue
// sentinel. Graph returns those members as "unknownFutureValue" unless the
// request carries Prefer: include-unknown-enum-members (DocBestPractices).
type EvolvableEnum struct {
	// Members up to and including unknownFutureValue, in the v1.0 order.
	Members []string
	// After are the members after unknownFutureValue.
	After []string
	// Doc is where the member list is published.
	Doc string
}

// EvolvableEnums by enum type name; member order as in the v1.0 metadata.
var EvolvableEnums = map[string]EvolvableEnum{
	"appliedConditionalAccessPolicyResult": {Doc: DocSignIn,
		Members: []string{"success", "failure", "notApplied", "notEnabled", "unknown", "unknownFutureValue"},
		After:   []string{"reportOnlySuccess", "reportOnlyFailure", "reportOnlyNotApplied", "reportOnlyInterrupted"}},
	"incidentStatus": {Doc: DocIncident,
		Members: []string{"active", "resolved", "inProgress", "redirected", "unknownFutureValue"},
		After:   []string{"awaitingAction"}},
	"serviceSource": {Doc: DocAlert,
		Members: []string{"unknown", "microsoftDefenderForEndpoint", "microsoftDefenderForIdentity",
			"microsoftDefenderForCloudApps", "microsoftDefenderForOffice365", "microsoft365Defender",
			"azureAdIdentityProtection", "microsoftAppGovernance", "dataLossPrevention", "unknownFutureValue"},
		After: []string{"microsoftDefenderForCloud", "microsoftSentinel", "microsoftInsiderRiskManagement", "microsoftThreatIntelligence"}},
	"detectionSource": {Doc: DocAlert,
		Members: []string{"unknown", "microsoftDefenderForEndpoint", "antivirus", "smartScreen", "customTi",
			"microsoftDefenderForOffice365", "automatedInvestigation", "microsoftThreatExperts", "customDetection",
			"microsoftDefenderForIdentity", "cloudAppSecurity", "microsoft365Defender", "azureAdIdentityProtection", "manual",
			"microsoftDataLossPrevention", "appGovernancePolicy", "appGovernanceDetection", "unknownFutureValue"},
		After: []string{"microsoftDefenderForCloud", "microsoftDefenderForIoT", "microsoftDefenderForServers",
			"microsoftDefenderForStorage", "microsoftDefenderForDNS", "microsoftDefenderForDatabases",
			"microsoftDefenderForContainers", "microsoftDefenderForNetwork", "microsoftDefenderForAppService",
			"microsoftDefenderForKeyVault", "microsoftDefenderForResourceManager", "microsoftDefenderForApiManagement",
			"nrtAlerts", "scheduledAlerts", "microsoftDefenderThreatIntelligenceAnalytics", "builtInMl",
			"microsoftInsiderRiskManagement", "microsoftThreatIntelligence", "microsoftDefenderForAIServices",
			"securityCopilot", "microsoftSentinel"}},
	"alertStatus": {Doc: DocAlert, Members: []string{"unknown", "new", "inProgress", "resolved", "unknownFutureValue"}},
	"riskDetail": {Doc: DocRiskyUser,
		Members: []string{"none", "adminGeneratedTemporaryPassword", "userPerformedSecuredPasswordChange",
			"userPerformedSecuredPasswordReset", "adminConfirmedSigninSafe", "aiConfirmedSigninSafe",
			"userPassedMFADrivenByRiskBasedPolicy", "adminDismissedAllRiskForUser", "adminConfirmedSigninCompromised",
			"hidden", "adminConfirmedUserCompromised", "unknownFutureValue"},
		After: []string{"m365DAdminDismissedDetection", "adminConfirmedServicePrincipalCompromised",
			"adminDismissedAllRiskForServicePrincipal", "userChangedPasswordOnPremises", "adminDismissedRiskForSignIn",
			"adminConfirmedAccountSafe"}},
}

// IsAfterSentinel reports whether member is one of the enum's members after unknownFutureValue.
func (e EvolvableEnum) IsAfterSentinel(member string) bool {
	for _, m := range e.After {
		if m == member {
			return true
		}
	}
	return false
}
