package kql

import "github.com/secmcp/secmcp/internal/kql/catalog"

// Where a table can be queried (catalog.Product values).
const (
	platformDefender = string(catalog.Defender) // Defender XDR Advanced Hunting
	platformSentinel = string(catalog.Sentinel) // Sentinel / Log Analytics workspace
)

// tableInfo is what kql_list_tables says about a table besides its columns:
// one sentence on what a row is and where the table lives (both from the
// table catalogue), and the words an analyst uses for it (so "sign-ins" or
// "process creation" finds it).
type tableInfo struct {
	platform string
	about    string
	keywords string
}

// infoOf is a table's tableInfo; a table the catalogue does not know (a
// caller's own schema) has only its name and columns to be found by.
func infoOf(name string) tableInfo {
	info := tableInfo{keywords: tableKeywords[name]}
	if t, ok := catalog.Lookup(name); ok {
		info.platform, info.about = string(t.Native()), t.About
	}
	return info
}

// tableKeywords are the analyst's words for each built-in table.
var tableKeywords = map[string]string{
	"Usage":                              "usage ingestion volume billable cost data size table workspace",
	"DnsEvents":                          "dns lookup query domain name resolution server",
	"BehaviorAnalytics":                  "ueba behavior analytics anomaly investigation priority insights user entity",
	"SecurityNestedRecommendation":       "defender for cloud recommendation sub-assessment devops github repository code scanning dependency vulnerability",
	"VMConnection":                       "vm insights connection network server process remote ip port dns bytes inbound outbound",
	"VMProcess":                          "vm insights process executable command line user service server running machine",
	"Heartbeat":                          "heartbeat agent computer reporting last seen offline os version monitor",
	"Syslog":                             "syslog linux sshd sudo cron facility severity message host",
	"AADManagedIdentitySignInLogs":       "managed identity sign-in signin service principal azure resource",
	"MicrosoftAzureBastionAuditLogs":     "azure bastion session rdp ssh virtual machine vm user client ip",
	"Watchlist":                          "watchlist sentinel vip high value asset terminated employee list searchkey _getwatchlist",
	"ASimWebSessionLogs":                 "web proxy http https url user agent request status asim web session _im_websession",
	"AADServicePrincipalSignInLogs":      "sign-in signin login app service principal spn workload identity non-interactive",
	"AADSignInEventsBeta":                "sign-in signin logon login authentication user entra azure ad aad mfa conditional access",
	"EntraIdSignInEvents":                "sign-in signin logon login authentication user entra azure ad aad mfa conditional access",
	"EntraIdSpnSignInEvents":             "sign-in signin service principal managed identity app entra azure ad aad",
	"AADSpnSignInEventsBeta":             "sign-in signin login service principal spn app managed identity",
	"AADUserRiskEvents":                  "risk risky user identity protection detection impossible travel leaked credentials",
	"AlertEvidence":                      "alert evidence entity ioc indicator incident",
	"AlertInfo":                          "alert detection incident severity mitre technique",
	"AuditLogs":                          "audit directory change admin role group membership app consent password reset",
	"AzureActivity":                      "azure subscription resource arm activity control plane",
	"AzureDiagnostics":                   "azure diagnostics key vault firewall resource logs",
	"CloudAppEvents":                     "cloud app saas office 365 m365 sharepoint teams exchange activity mailbox rule",
	"DeviceEvents":                       "endpoint device antivirus defender asr exploit usb security event",
	"DeviceFileEvents":                   "file create write modify delete rename download dropped endpoint device",
	"DeviceImageLoadEvents":              "dll image load module library sideloading endpoint device",
	"DeviceInfo":                         "device machine inventory os endpoint host computer",
	"DeviceLogonEvents":                  "logon login sign-in rdp remote interactive authentication endpoint device",
	"DeviceNetworkEvents":                "network connection connections ip port remote url dns traffic c2 beacon endpoint device outbound inbound",
	"DeviceNetworkInfo":                  "network adapter ip address mac configuration endpoint device",
	"DeviceProcessEvents":                "process creation created execution launch command line commandline powershell cmd parent child endpoint device",
	"DeviceRegistryEvents":               "registry key value persistence run key endpoint device",
	"DeviceTvmSoftwareInventory":         "software inventory installed application version vulnerability management tvm",
	"DeviceTvmSoftwareVulnerabilities":   "vulnerability vulnerabilities cve patch software tvm exposure",
	"DeviceTvmSoftwareVulnerabilitiesKB": "vulnerability cve cvss exploit knowledge base tvm",
	"EmailAttachmentInfo":                "email mail attachment file hash phishing malware",
	"EmailEvents":                        "email mail message phishing spam sender recipient subject delivery inbox exchange",
	"EmailPostDeliveryEvents":            "email mail post delivery zap remediation purge moved deleted reported",
	"EmailUrlInfo":                       "email mail url link phishing domain",
	"ExposureGraphEdges":                 "exposure graph edge attack path relationship asset",
	"GraphAPIAuditEvents":                "graph api request audit application",
	"IdentityDirectoryEvents":            "active directory domain controller identity group change password account defender for identity",
	"IdentityInfo":                       "identity user account profile department upn directory",
	"IdentityLogonEvents":                "logon login sign-in signin authentication kerberos ntlm identity domain controller",
	"IdentityQueryEvents":                "ldap dns samr query reconnaissance enumeration active directory",
	"IntuneDevices":                      "intune device managed compliance compliant mdm",
	"LAQueryLogs":                        "query log analytics workspace audit",
	"MicrosoftGraphActivityLogs":         "graph api request activity application",
	"OAuthAppInfo":                       "oauth app application consent permission scope",
	"OfficeActivity":                     "office 365 m365 exchange sharepoint onedrive teams mailbox email activity audit file download sharing",
	"SecurityAlert":                      "alert detection sentinel analytics severity",
	"SecurityEvent":                      "windows security event log eventid 4624 4625 4688 logon process creation",
	"SecurityIncident":                   "incident case sentinel severity status owner",
	"SigninLogs":                         "sign-in signin sign-ins logon login authentication user entra azure ad aad mfa conditional access",
	"UrlClickEvents":                     "url click link safe links phishing email teams",
}
