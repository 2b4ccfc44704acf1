// Standard Log Analytics tables that sample Security Copilot plugins
// (../shared/plugins-dev) read and that are newer in this catalogue than
// the ../shared/kql-schemas snapshot. Columns and types transcribed from
// each table's Azure Monitor Logs reference page (docURL):
//   - https://learn.microsoft.com/en-us/azure/azure-monitor/reference/tables/usage
//   - https://learn.microsoft.com/en-us/azure/azure-monitor/reference/tables/dnsevents
//   - https://learn.microsoft.com/en-us/azure/azure-monitor/reference/tables/behavioranalytics
//   - https://learn.microsoft.com/en-us/azure/azure-monitor/reference/tables/securitynestedrecommendation
//   - https://learn.microsoft.com/en-us/azure/azure-monitor/reference/tables/vmconnection (VM insights)
//   - https://learn.microsoft.com/en-us/azure/azure-monitor/reference/tables/vmprocess (VM insights)
//   - https://learn.microsoft.com/en-us/azure/azure-monitor/reference/tables/watchlist (read through
//     Sentinel's _GetWatchlist, https://learn.microsoft.com/azure/sentinel/watchlists-queries)
//   - https://learn.microsoft.com/en-us/azure/azure-monitor/reference/tables/asimwebsessionlogs (the
//     ASIM Web Session schema's native table, read through the _Im_WebSession parser,
//     https://learn.microsoft.com/azure/sentinel/normalization-schema-web)
//   - https://learn.microsoft.com/en-us/azure/azure-monitor/reference/tables/heartbeat (agent heartbeats)
//   - https://learn.microsoft.com/en-us/azure/azure-monitor/reference/tables/syslog (Linux syslog)
//   - https://learn.microsoft.com/en-us/azure/azure-monitor/reference/tables/aadmanagedidentitysigninlogs
//   - https://learn.microsoft.com/en-us/azure/azure-monitor/reference/tables/microsoftazurebastionauditlogs

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
	{"VMConnection", `AdditionalInformation AgentId _BilledSize:r BytesReceived:l BytesSent:l Computer Confidence
		Description DestinationIp DestinationPort:i Direction FirstReportedDateTime IndicatorThreatType
		IsActive _IsBillable LastReportedDateTime LinksEstablished:l LinksFailed:l LinksLive:l
		LinksTerminated:l Machine MaliciousIp Process ProcessName Protocol RemoteClassification
		RemoteCountry RemoteDnsCanonicalNames RemoteDnsQuestions RemoteIp RemoteLatitude:r
		RemoteLongitude:r ReportReferenceLink _ResourceId Responses:l ResponseTimeMax:l
		ResponseTimeMin:l ResponseTimeSum:l Severity:i SourceIp SourceSystem _SubscriptionId TenantId
		TimeGenerated:d TLPLevel Type`},
	{"VMProcess", `AgentId _BilledSize:r CommandLine CompanyName Computer Description DisplayName ExecutableName
		ExecutablePath FileVersion FirstPid:i Group InternalName _IsBillable Machine Process ProductName
		ProductVersion _ResourceId Role Services:y SourceSystem StartTime:d _SubscriptionId TenantId
		TimeGenerated:d Type UserDomain UserName WorkingDirectory`},
	{"Watchlist", `AzureTenantId _BilledSize:r CorrelationId CreatedBy:y CreatedTimeUTC:d DefaultDuration
		_DTItemId _DTItemStatus _DTItemType _DTTimestamp:d _IsBillable LastUpdatedTimeUTC:d Notes Provider
		_ResourceId SearchKey Source SourceSystem SourceType _SubscriptionId Tags:y TenantId
		TimeGenerated:d TimeToLive:d Type UpdatedBy:y WatchlistAlias WatchlistCategory WatchlistId
		WatchlistItem:y WatchlistItemId WatchlistName`},
	{"ASimWebSessionLogs", `AdditionalFields:y _BilledSize:r DstAppId DstAppName DstAppType DstBytes:l
		DstDeviceType DstDomain DstDomainType DstDvcId DstDvcIdType DstDvcScope DstDvcScopeId DstFQDN
		DstGeoCity DstGeoCountry DstGeoLatitude:r DstGeoLongitude:r DstGeoRegion DstHostname DstIpAddr
		DstMacAddr DstNatIpAddr DstNatPortNumber:i DstOriginalUserType DstPackets:l DstPortNumber:i
		DstUserId DstUserIdType DstUsername DstUsernameType DstUserType DstVlanId DstZone Dvc DvcAction
		DvcDomain DvcDomainType DvcFQDN DvcHostname DvcId DvcIdType DvcInboundInterface DvcIpAddr
		DvcMacAddr DvcOriginalAction DvcOs DvcOsVersion DvcOutboundInterface DvcScope DvcScopeId DvcZone
		EventCount:i EventEndTime:d EventMessage EventOriginalResultDetails EventOriginalSeverity
		EventOriginalSubType EventOriginalType EventOriginalUid EventOwner EventProduct
		EventProductVersion EventReportUrl EventResult EventResultDetails EventSchemaVersion
		EventSeverity EventStartTime:d EventSubType EventType EventUid EventVendor FileContentType
		FileMD5 FileName FileSHA1 FileSHA256 FileSHA512 FileSize:l HttpContentFormat HttpContentType
		HttpHost HttpReferrer HttpRequestBodyBytes:l HttpRequestCacheControl HttpRequestMethod
		HttpRequestTime:i HttpRequestXff HttpResponseBodyBytes:l HttpResponseCacheControl
		HttpResponseExpires HttpResponseTime:i HttpStatusCode HttpUserAgent HttpVersion _IsBillable
		NetworkApplicationProtocol NetworkBytes:l NetworkConnectionHistory NetworkDirection
		NetworkDuration:i NetworkIcmpCode:i NetworkIcmpType NetworkPackets:l NetworkProtocol
		NetworkProtocolVersion NetworkRuleName NetworkRuleNumber:i NetworkSessionId _ResourceId
		RuleName RuleNumber:i SrcAppId SrcAppName SrcAppType SrcBytes:l SrcDeviceType SrcDomain
		SrcDomainType SrcDvcId SrcDvcIdType SrcDvcScope SrcDvcScopeId SrcFQDN SrcGeoCity SrcGeoCountry
		SrcGeoLatitude:r SrcGeoLongitude:r SrcGeoRegion SrcHostname SrcIpAddr SrcMacAddr SrcNatIpAddr
		SrcNatPortNumber:i SrcOriginalUserType SrcPackets:l SrcPortNumber:i SrcProcessGuid SrcProcessId
		SrcProcessName SrcUserId SrcUserIdType SrcUsername SrcUsernameType SrcUserType SrcVlanId SrcZone
		_SubscriptionId TenantId ThreatCategory ThreatConfidence:i ThreatField
		ThreatFirstReportedTime:d ThreatId ThreatIpAddr ThreatIsActive:b ThreatLastReportedTime:d
		ThreatName ThreatOriginalConfidence ThreatOriginalRiskLevel ThreatRiskLevel:i TimeGenerated:d
		Type Url UrlCategory UrlOriginal`},
	{"Heartbeat", `_BilledSize:r Category Computer ComputerEnvironment ComputerIP ComputerPrivateIPs:y
		_IsBillable IsGatewayInstalled:b ManagementGroupName OSMajorVersion OSMinorVersion OSName OSType
		RemoteIPCountry RemoteIPLatitude:r RemoteIPLongitude:r Resource ResourceGroup ResourceId
		_ResourceId ResourceProvider ResourceType SCAgentChannel Solutions SourceSystem SubscriptionId
		_SubscriptionId TimeGenerated:d Type Version VMUUID`},
	{"Syslog", `_BilledSize:r CollectorHostName Computer EventTime:d Facility HostIP HostName _IsBillable
		ProcessID:i ProcessName _ResourceId SeverityLevel SourceSystem _SubscriptionId SyslogMessage
		TimeGenerated:d Type`},
	{"AADManagedIdentitySignInLogs", `AppId AuthenticationContextClassReferences AuthenticationProcessingDetails
		_BilledSize:r Category ConditionalAccessPolicies ConditionalAccessStatus CorrelationId DurationMs:l
		FederatedCredentialId Id Identity IPAddress _IsBillable Level Location LocationDetails
		OperationName OperationVersion ResourceDisplayName ResourceGroup ResourceIdentity
		ResourceServicePrincipalId ResultDescription ResultSignature ResultType
		ServicePrincipalCredentialKeyId ServicePrincipalCredentialThumbprint ServicePrincipalId
		ServicePrincipalName SourceSystem TenantId TimeGenerated:d Type UniqueTokenIdentifier`},
	{"MicrosoftAzureBastionAuditLogs", `_BilledSize:r ClientIpAddress ClientPort:i Duration:i _IsBillable Location
		Message OperationName Protocol _ResourceId ResourceType SessionEndTime SessionStartTime:d
		SourceSystem _SubscriptionId TargetResourceId TargetVMIPAddress TenantId Time:d TimeGenerated:d
		TunnelId Type UserAgent UserEmail UserName`},
}

// formsLogAnalytics are their forms: Log Analytics only.
var formsLogAnalytics = []formSpec{
	{"Usage", inSentinel, "", "", "", "Hourly billable and non-billable ingestion volume (MB) per table (DataType) and solution of the workspace."},
	{"DnsEvents", inSentinel, "", "", "", "DNS server events and lookups (client IP, queried name, answers) from DNS servers connected to the workspace."},
	{"BehaviorAnalytics", inSentinel, "", "", "", "Sentinel UEBA enriched events: activity, actor, source IP and device with behavioural insights and an investigation priority."},
	{"SecurityNestedRecommendation", inSentinel, "", "", "", "Defender for Cloud sub-assessments (nested recommendations): findings such as code, dependency and IaC issues per assessed resource."},
	{"VMConnection", inSentinel, "", "", "", "VM insights connection metrics: per machine, process and remote end, one record a minute with links, bytes, responses, remote DNS names and threat intelligence on the remote IP."},
	{"VMProcess", inSentinel, "", "", "", "VM insights process inventory: the processes running on each monitored machine (executable, command line, user, start time, services), one record per process an hour."},
	{"Watchlist", inSentinel, "", "", "", "Sentinel watchlists and their items (WatchlistItem, SearchKey); query a watchlist with _GetWatchlist('alias')."},
	{"ASimWebSessionLogs", inSentinel, "", "", "", "Web sessions (web proxies, gateways, servers) in the ASIM Web Session schema; query them through the _Im_WebSession parser."},
	{"Heartbeat", inSentinel, "", "", "", "Azure Monitor / Log Analytics agent heartbeats, about one a minute per connected computer: computer, IP, OS, agent version and solutions (is an agent reporting, when did it last report)."},
	{"Syslog", inSentinel, "", "", "", "Syslog messages from Linux machines collected by the Azure Monitor agent: computer, facility, severity, process and message text."},
	{"AADManagedIdentitySignInLogs", inSentinel, "", "", "", "Entra ID sign-ins by managed identities for Azure resources: the identity's service principal, the resource it signed in to, result and IP."},
	{"MicrosoftAzureBastionAuditLogs", inSentinel, "", "", "", "Azure Bastion session audit: who (user name, email) connected from which client IP to which VM (target IP, resource), over rdp or ssh, with session start, end and duration."},
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
