// Which product carries each table, what a row is, and how each product's
// form of the table differs from the union column lists (columns_part*.go).
// Facts from the per-table reference pages (docURL builds each page's
// address): Defender XDR Advanced Hunting,
// https://learn.microsoft.com/en-us/defender-xdr/advanced-hunting-schema-tables,
// and Azure Monitor Logs, https://learn.microsoft.com/en-us/azure/azure-monitor/reference/tables-index.

package catalog

var forms = []formSpec{
	{"AADServicePrincipalSignInLogs", inSentinel, "", "", "", "Sign-ins by service principals and app identities (client credentials) to Entra ID."},
	{"AADSignInEventsBeta", inDefender, "", "", "", "Interactive and non-interactive Entra ID user sign-ins as seen by Advanced Hunting (beta)."},
	{"AADSpnSignInEventsBeta", inDefender, "", "", "", "Entra ID service principal and managed identity sign-ins in Advanced Hunting (beta)."},
	{"AADUserRiskEvents", inSentinel, "", "", "", "Entra ID Protection risk detections for users (leaked credentials, impossible travel, unfamiliar sign-in properties)."},
	{"AlertEvidence", inBoth, "ResourceType ResourceID SubscriptionId", "TenantId TimeGenerated SourceSystem Type _IsBillable _BilledSize", "AdditionalFields:string:dynamic", "Entities (files, processes, devices, users, IPs, URLs, mailboxes) attached to Defender XDR alerts, one row per entity."},
	{"AlertInfo", inBoth, "", "TenantId TimeGenerated SourceSystem Type _IsBillable _BilledSize", "", "Defender XDR alerts: title, severity, category, MITRE techniques and the product that raised them."},
	{"AuditLogs", inSentinel, "", "", "", "Entra ID directory audit events: user, group, role, application and policy changes."},
	{"AzureActivity", inSentinel, "", "", "", "Azure Resource Manager control-plane operations on subscriptions and resources."},
	{"AzureDiagnostics", inSentinel, "", "", "", "Diagnostic logs of Azure services (Key Vault, firewalls, SQL, ...) sent to the workspace."},
	{"CloudAppEvents", inBoth, "Isp", "TenantId ISP TimeGenerated SourceSystem Type _IsBillable _BilledSize", "", "Activity in cloud apps and Microsoft 365 (Exchange, SharePoint, Teams, third-party apps) from Defender for Cloud Apps."},
	{"DeviceEvents", inBoth, "", "TenantId MachineGroup TimeGenerated SourceSystem Type _IsBillable _BilledSize", "AdditionalFields:string:dynamic", "Miscellaneous endpoint events: antivirus detections, exploit protection, ASR rules, USB, named pipes, and more (see ActionType)."},
	{"DeviceFileEvents", inBoth, "LogonID", "TenantId MachineGroup TimeGenerated SourceSystem Type _IsBillable _BilledSize", "AdditionalFields:string:dynamic", "File creation, modification, rename and deletion on endpoints."},
	{"DeviceImageLoadEvents", inBoth, "", "TenantId MachineGroup TimeGenerated SourceSystem Type _IsBillable _BilledSize", "", "DLL and image loads on endpoints."},
	{"DeviceInfo", inBoth, "ConnectivityType Site DiscoverySources", "TenantId DeviceObjectId TimeGenerated RestrictedDeviceSecurityOperations SourceSystem Type _IsBillable _BilledSize", "AdditionalFields:string:dynamic LoggedOnUsers:string:dynamic", "Device inventory: OS, version, onboarding, exposure and join type, refreshed periodically."},
	{"DeviceLogonEvents", inBoth, "", "TenantId MachineGroup TimeGenerated SourceSystem Type _IsBillable _BilledSize", "AdditionalFields:string:dynamic", "Logons and authentication on endpoints (interactive, RDP, network, service)."},
	{"DeviceNetworkEvents", inBoth, "LogonID", "TenantId MachineGroup TimeGenerated SourceSystem Type _IsBillable _BilledSize", "AdditionalFields:string:dynamic", "Network connections and related events made by processes on endpoints."},
	{"DeviceNetworkInfo", inBoth, "OnboardingStatus NetworkAdapterDnsSuffix", "TenantId MachineGroup TimeGenerated SourceSystem Type _IsBillable _BilledSize", "ConnectedNetworks:string:dynamic DefaultGateways:string:dynamic DnsAddresses:string:dynamic IPAddresses:string:dynamic", "Network adapter configuration of endpoints: IP and MAC addresses, connected networks, domains."},
	{"DeviceProcessEvents", inBoth, "LogonID", "TenantId MachineGroup TimeGenerated SourceSystem Type _IsBillable _BilledSize", "AdditionalFields:string:dynamic", "Process creation on endpoints, with command line, parent process, account and file hashes."},
	{"DeviceRegistryEvents", inBoth, "", "TenantId MachineGroup TimeGenerated SourceSystem Type _IsBillable _BilledSize", "", "Registry key and value creation, modification and deletion on endpoints."},
	{"DeviceTvmSoftwareInventory", inBoth, "", "TenantId TimeGenerated SourceSystem Type _IsBillable _BilledSize", "", "Installed software per device from Defender Vulnerability Management."},
	{"DeviceTvmSoftwareVulnerabilities", inBoth, "", "TenantId TimeGenerated SourceSystem Type _IsBillable _BilledSize", "", "Known vulnerabilities (CVEs) of the software installed on each device."},
	{"DeviceTvmSoftwareVulnerabilitiesKB", inBoth, "", "TenantId TimeGenerated Timestamp SourceSystem Type _IsBillable _BilledSize", "CvssScore:string:real", "Vulnerability knowledge base: CVE details, CVSS score, exploit availability."},
	{"EmailAttachmentInfo", inBoth, "", "TenantId TimeGenerated FileExtension SourceSystem Type _IsBillable _BilledSize", "", "Attachments of emails processed by Defender for Office 365: names, types, hashes."},
	{"EmailEvents", inBoth, "", "TenantId TimeGenerated LastEventExecutionTime ExchangeTransportRule ForwardingInformation Context To Cc ThreatClassification RecipientDomain EmailSize IsFirstContact SourceSystem Type _IsBillable _BilledSize", "AdditionalFields:string:dynamic", "Email delivery and filtering events from Defender for Office 365: sender, recipient, subject, verdicts, delivery action."},
	{"EmailPostDeliveryEvents", inBoth, "SourceLocation", "TenantId TimeGenerated SenderFromAddress EmailDirection SourceSystem Type _IsBillable _BilledSize", "", "Actions taken on emails after delivery (zero-hour auto purge, manual remediation, user reports)."},
	{"EmailUrlInfo", inBoth, "", "TenantId TimeGenerated SourceSystem Type _IsBillable _BilledSize", "", "URLs found in emails processed by Defender for Office 365."},
	{"EntraIdSignInEvents", inDefender, "", "", "", "Interactive and non-interactive Entra ID user sign-ins in Advanced Hunting (replaces AADSignInEventsBeta)."},
	{"EntraIdSpnSignInEvents", inDefender, "", "", "", "Entra ID service principal and managed identity sign-ins in Advanced Hunting (replaces AADSpnSignInEventsBeta)."},
	{"ExposureGraphEdges", inDefender, "", "", "", "Relationships between assets in the Exposure Management graph (attack paths)."},
	{"GraphAPIAuditEvents", inDefender, "", "", "", "Microsoft Graph API requests made against the tenant."},
	{"IdentityDirectoryEvents", inBoth, "", "TenantId TimeGenerated SourceSystem Type _IsBillable _BilledSize", "Port:int:string DestinationPort:int:string", "Domain controller and directory events from Defender for Identity (group changes, password changes, replication)."},
	{"IdentityInfo", inBoth, "Timestamp ReportId AccountUpn OnPremSid CriticalityLevel DistinguishedName CloudSid EmailAddress SipProxyAddress Address CreatedDateTime OtherMailAddresses PrivilegedEntraPimRoles OnPremObjectId TenantMembershipType RiskStatus IdentityEnvironment SourceProviders", "TimeGenerated AccountUPN AccountSID AccountTenantId OnPremisesExtensionAttributes OnPremisesDistinguishedName AccountCreationTime InvestigationPriority InvestigationPriorityPercentile RiskState RelatedAccounts MailAddress AdditionalMailAddresses StreetAddress IsServiceAccount LastSeenDate UACFlags UserState UserStateChangedOn UserType ExtensionProperty AccountCloudSID IsMFARegistered Applications ServicePrincipals EntityRiskScore SAMAccountName _IsBillable _BilledSize", "Tags:dynamic:string UserAccountControl:string:dynamic", "Account information: UPN, department, job title, manager and group membership."},
	{"IdentityLogonEvents", inBoth, "Isp", "TenantId TimeGenerated ISP LastSeenForUser UncommonForUser SourceSystem Type _IsBillable _BilledSize", "Port:int:string DestinationPort:int:string", "Authentication to on-premises Active Directory and Microsoft online services seen by Defender for Identity and Cloud Apps."},
	{"IdentityQueryEvents", inBoth, "", "TenantId TimeGenerated SourceSystem Type _IsBillable _BilledSize", "Port:int:string DestinationPort:int:string", "Queries against Active Directory (LDAP, DNS, SAMR) seen by Defender for Identity."},
	{"IntuneDevices", inSentinel, "", "", "", "Intune managed device inventory and compliance state."},
	{"LAQueryLogs", inSentinel, "", "", "", "Queries run against the Log Analytics workspace itself."},
	{"MicrosoftGraphActivityLogs", inSentinel, "", "", "", "Microsoft Graph API requests made against the tenant (Log Analytics)."},
	{"OAuthAppInfo", inBoth, "Timestamp", "TenantId TimeGenerated SourceSystem Type _IsBillable _BilledSize", "", "OAuth applications registered or consented in the tenant, with permissions and risk."},
	{"OfficeActivity", inSentinel, "", "", "", "Microsoft 365 audit activity: Exchange, SharePoint, OneDrive and Teams operations."},
	{"SecurityAlert", inSentinel, "", "", "", "Alerts from Sentinel analytics rules and connected Microsoft security products."},
	{"SecurityEvent", inSentinel, "", "", "", "Windows Security event log events (4624 logons, 4688 process creation, ...) from connected machines."},
	{"SecurityIncident", inSentinel, "", "", "", "Sentinel incidents: title, severity, status, owner and related alerts."},
	{"SigninLogs", inSentinel, "", "", "", "Interactive Entra ID user sign-ins: user, app, IP, location, result, MFA and Conditional Access outcome."},
	{"UrlClickEvents", inBoth, "", "_IsBillable _BilledSize", "", "Safe Links clicks on URLs in email, Teams and Office apps."},
}

// deprecations are the tables Microsoft retired in favour of a new one; they
// stay queryable (both tables coexisted after the switch) but kql_validate
// warns and the generator uses the replacement. Both pages say: "On December
// 9, 2025, the EntraIdSignInEvents table will replace AADSignInEventsBeta ...
// Both tables will coexist until AADSignInEventsBeta is deprecated after the
// said date" (and the same of the Spn tables):
// https://learn.microsoft.com/defender-xdr/advanced-hunting-entraidsigninevents-table,
// https://learn.microsoft.com/defender-xdr/advanced-hunting-entraidspnsigninevents-table.
var deprecations = map[string]Deprecation{
	"AADSignInEventsBeta": {Since: "2025-12-09", ReplacedBy: "EntraIdSignInEvents",
		Doc: "https://learn.microsoft.com/en-us/defender-xdr/advanced-hunting-entraidsigninevents-table"},
	"AADSpnSignInEventsBeta": {Since: "2025-12-09", ReplacedBy: "EntraIdSpnSignInEvents",
		Doc: "https://learn.microsoft.com/en-us/defender-xdr/advanced-hunting-entraidspnsigninevents-table"},
}
