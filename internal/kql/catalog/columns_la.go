// Standard Log Analytics tables that sample Security Copilot plugins
// (../shared/plugins-dev) read and that are newer in this catalogue than
// the ../shared/kql-schemas snapshot. Columns and types transcribed from
// each table's Azure Monitor Logs reference page (docURL):
//   - https://learn.microsoft.com/en-us/azure/azure-monitor/reference/tables/usage
//   - https://learn.microsoft.com/en-us/azure/azure-monitor/reference/tables/dnsevents
//   - https://learn.microsoft.com/en-us/azure/azure-monitor/reference/tables/behavioranalytics
//   - https://learn.microsoft.com/en-us/azure/azure-monitor/reference/tables/securitynestedrecommendation

package catalog

// unionLogAnalytics are the columns of the standard Log Analytics tables
// added for the plugin samples, in their reference pages' order.
var unionLogAnalytics = []columnSpec{
	{"Usage", `AvgLatencyInSeconds:r BatchesCapped:l BatchesOutsideSla:l BatchesWithinSla:l _BilledSize:r
		Computer DataType EndTime:d IsBillable:b _IsBillable LinkedMeterId LinkedResourceUri MeterId
		Quantity:r QuantityUnit ResourceUri Solution SourceSystem StartTime:d TimeGenerated:d
		TotalBatches:l Type`},
	{"DnsEvents", `_BilledSize:r ClientIP Computer Confidence Description EventId:i IndicatorThreatType
		IPAddresses _IsBillable MaliciousIP Message Name QueryType RemoteIPCountry RemoteIPLatitude:r
		RemoteIPLongitude:r _ResourceId Result ResultCode:i Severity:i SourceSystem _SubscriptionId
		SubType TaskCategory TimeGenerated:d Type`},
	{"BehaviorAnalytics", `ActionType ActivityInsights:y ActivityType ActorName ActorPrincipalName _BilledSize:r
		DestinationDevice DestinationIPAddress DestinationIPLocation Device DevicesInsights:y
		EventProductVersion EventSource EventVendor InvestigationPriority:i _IsBillable NativeTableName
		_ResourceId SourceDevice SourceIPAddress SourceIPLocation SourceRecordId SourceSystem
		_SubscriptionId TargetName TargetPrincipalName TenantId TimeGenerated:d Type UserName
		UserPrincipalName UsersInsights:y`},
	{"SecurityNestedRecommendation", `AdditionalData:y AssessedResourceId _BilledSize:r Category Cause Description Id
		Impact _IsBillable IsSnapshot:b NestedRecommendationId ParentRecommendationId RecommendationLink
		RecommendationName RecommendationSeverity RecommendationState RecommendationSubscriptionId
		RemediationDescription RemidiationDescription ResourceDetails:y ResourceGroup _ResourceId
		ResourceProviderType SourceSystem SubAssessmentTimeGeneration:d _SubscriptionId TenantId
		TimeGenerated:d Type`},
}

// formsLogAnalytics are their forms: Log Analytics only.
var formsLogAnalytics = []formSpec{
	{"Usage", inSentinel, "", "", "", "Hourly billable and non-billable ingestion volume (MB) per table (DataType) and solution of the workspace."},
	{"DnsEvents", inSentinel, "", "", "", "DNS server events and lookups (client IP, queried name, answers) from DNS servers connected to the workspace."},
	{"BehaviorAnalytics", inSentinel, "", "", "", "Sentinel UEBA enriched events: activity, actor, source IP and device with behavioural insights and an investigation priority."},
	{"SecurityNestedRecommendation", inSentinel, "", "", "", "Defender for Cloud sub-assessments (nested recommendations): findings such as code, dependency and IaC issues per assessed resource."},
}

// LogAnalyticsAdditions names the standard Log Analytics tables catalogued
// beyond the ../shared/kql-schemas snapshot (see unionLogAnalytics).
func LogAnalyticsAdditions() []string {
	out := make([]string, len(formsLogAnalytics))
	for i, f := range formsLogAnalytics {
		out[i] = f.name
	}
	return out
}
