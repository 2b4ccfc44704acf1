package kql

// Where a table can be queried.
const (
	platformDefender = "defender" // Defender XDR Advanced Hunting
	platformSentinel = "sentinel" // Sentinel / Log Analytics workspace
)

// tableInfo is what kql_list_tables says about a table besides its columns:
// one sentence on what a row is, where the table lives, and the words an
// analyst uses for it (so "sign-ins" or "process creation" finds it).
type tableInfo struct {
	platform string
	about    string
	keywords string
}

// tableInfos covers the tables built into the server. A table missing here is
// still listed and searchable by name and columns; it just has no description.
var tableInfos = map[string]tableInfo{
	"AADServicePrincipalSignInLogs":      {platformSentinel, "Sign-ins by service principals and app identities (client credentials) to Entra ID.", "sign-in signin login app service principal spn workload identity non-interactive"},
	"AADSignInEventsBeta":                {platformDefender, "Interactive and non-interactive Entra ID user sign-ins as seen by Advanced Hunting (beta).", "sign-in signin logon login authentication user entra azure ad aad mfa conditional access"},
	"AADSpnSignInEventsBeta":             {platformDefender, "Entra ID service principal and managed identity sign-ins in Advanced Hunting (beta).", "sign-in signin login service principal spn app managed identity"},
	"AADUserRiskEvents":                  {platformSentinel, "Entra ID Protection risk detections for users (leaked credentials, impossible travel, unfamiliar sign-in properties).", "risk risky user identity protection detection impossible travel leaked credentials"},
	"AlertEvidence":                      {platformDefender, "Entities (files, processes, devices, users, IPs, URLs, mailboxes) attached to Defender XDR alerts, one row per entity.", "alert evidence entity ioc indicator incident"},
	"AlertInfo":                          {platformDefender, "Defender XDR alerts: title, severity, category, MITRE techniques and the product that raised them.", "alert detection incident severity mitre technique"},
	"AuditLogs":                          {platformSentinel, "Entra ID directory audit events: user, group, role, application and policy changes.", "audit directory change admin role group membership app consent password reset"},
	"AzureActivity":                      {platformSentinel, "Azure Resource Manager control-plane operations on subscriptions and resources.", "azure subscription resource arm activity control plane"},
	"AzureDiagnostics":                   {platformSentinel, "Diagnostic logs of Azure services (Key Vault, firewalls, SQL, ...) sent to the workspace.", "azure diagnostics key vault firewall resource logs"},
	"CloudAppEvents":                     {platformDefender, "Activity in cloud apps and Microsoft 365 (Exchange, SharePoint, Teams, third-party apps) from Defender for Cloud Apps.", "cloud app saas office 365 m365 sharepoint teams exchange activity mailbox rule"},
	"DeviceEvents":                       {platformDefender, "Miscellaneous endpoint events: antivirus detections, exploit protection, ASR rules, USB, named pipes, and more (see ActionType).", "endpoint device antivirus defender asr exploit usb security event"},
	"DeviceFileEvents":                   {platformDefender, "File creation, modification, rename and deletion on endpoints.", "file create write modify delete rename download dropped endpoint device"},
	"DeviceImageLoadEvents":              {platformDefender, "DLL and image loads on endpoints.", "dll image load module library sideloading endpoint device"},
	"DeviceInfo":                         {platformDefender, "Device inventory: OS, version, onboarding, exposure and join type, refreshed periodically.", "device machine inventory os endpoint host computer"},
	"DeviceLogonEvents":                  {platformDefender, "Logons and authentication on endpoints (interactive, RDP, network, service).", "logon login sign-in rdp remote interactive authentication endpoint device"},
	"DeviceNetworkEvents":                {platformDefender, "Network connections and related events made by processes on endpoints.", "network connection connections ip port remote url dns traffic c2 beacon endpoint device outbound inbound"},
	"DeviceNetworkInfo":                  {platformDefender, "Network adapter configuration of endpoints: IP and MAC addresses, connected networks, domains.", "network adapter ip address mac configuration endpoint device"},
	"DeviceProcessEvents":                {platformDefender, "Process creation on endpoints, with command line, parent process, account and file hashes.", "process creation created execution launch command line commandline powershell cmd parent child endpoint device"},
	"DeviceRegistryEvents":               {platformDefender, "Registry key and value creation, modification and deletion on endpoints.", "registry key value persistence run key endpoint device"},
	"DeviceTvmSoftwareInventory":         {platformDefender, "Installed software per device from Defender Vulnerability Management.", "software inventory installed application version vulnerability management tvm"},
	"DeviceTvmSoftwareVulnerabilities":   {platformDefender, "Known vulnerabilities (CVEs) of the software installed on each device.", "vulnerability vulnerabilities cve patch software tvm exposure"},
	"DeviceTvmSoftwareVulnerabilitiesKB": {platformDefender, "Vulnerability knowledge base: CVE details, CVSS score, exploit availability.", "vulnerability cve cvss exploit knowledge base tvm"},
	"EmailAttachmentInfo":                {platformDefender, "Attachments of emails processed by Defender for Office 365: names, types, hashes.", "email mail attachment file hash phishing malware"},
	"EmailEvents":                        {platformDefender, "Email delivery and filtering events from Defender for Office 365: sender, recipient, subject, verdicts, delivery action.", "email mail message phishing spam sender recipient subject delivery inbox exchange"},
	"EmailPostDeliveryEvents":            {platformDefender, "Actions taken on emails after delivery (zero-hour auto purge, manual remediation, user reports).", "email mail post delivery zap remediation purge moved deleted reported"},
	"EmailUrlInfo":                       {platformDefender, "URLs found in emails processed by Defender for Office 365.", "email mail url link phishing domain"},
	"ExposureGraphEdges":                 {platformDefender, "Relationships between assets in the Exposure Management graph (attack paths).", "exposure graph edge attack path relationship asset"},
	"GraphAPIAuditEvents":                {platformDefender, "Microsoft Graph API requests made against the tenant.", "graph api request audit application"},
	"IdentityDirectoryEvents":            {platformDefender, "Domain controller and directory events from Defender for Identity (group changes, password changes, replication).", "active directory domain controller identity group change password account defender for identity"},
	"IdentityInfo":                       {platformDefender, "Account information: UPN, department, job title, manager and group membership.", "identity user account profile department upn directory"},
	"IdentityLogonEvents":                {platformDefender, "Authentication to on-premises Active Directory and Microsoft online services seen by Defender for Identity and Cloud Apps.", "logon login sign-in signin authentication kerberos ntlm identity domain controller"},
	"IdentityQueryEvents":                {platformDefender, "Queries against Active Directory (LDAP, DNS, SAMR) seen by Defender for Identity.", "ldap dns samr query reconnaissance enumeration active directory"},
	"IntuneDevices":                      {platformSentinel, "Intune managed device inventory and compliance state.", "intune device managed compliance compliant mdm"},
	"LAQueryLogs":                        {platformSentinel, "Queries run against the Log Analytics workspace itself.", "query log analytics workspace audit"},
	"MicrosoftGraphActivityLogs":         {platformSentinel, "Microsoft Graph API requests made against the tenant (Log Analytics).", "graph api request activity application"},
	"OAuthAppInfo":                       {platformDefender, "OAuth applications registered or consented in the tenant, with permissions and risk.", "oauth app application consent permission scope"},
	"OfficeActivity":                     {platformSentinel, "Microsoft 365 audit activity: Exchange, SharePoint, OneDrive and Teams operations.", "office 365 m365 exchange sharepoint onedrive teams mailbox email activity audit file download sharing"},
	"SecurityAlert":                      {platformSentinel, "Alerts from Sentinel analytics rules and connected Microsoft security products.", "alert detection sentinel analytics severity"},
	"SecurityEvent":                      {platformSentinel, "Windows Security event log events (4624 logons, 4688 process creation, ...) from connected machines.", "windows security event log eventid 4624 4625 4688 logon process creation"},
	"SecurityIncident":                   {platformSentinel, "Sentinel incidents: title, severity, status, owner and related alerts.", "incident case sentinel severity status owner"},
	"SigninLogs":                         {platformSentinel, "Interactive Entra ID user sign-ins: user, app, IP, location, result, MFA and Conditional Access outcome.", "sign-in signin sign-ins logon login authentication user entra azure ad aad mfa conditional access"},
	"UrlClickEvents":                     {platformDefender, "Safe Links clicks on URLs in email, Teams and Office apps.", "url click link safe links phishing email teams"},
}
