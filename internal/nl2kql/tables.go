package nl2kql

import (
	"strings"
	"sync"

	"github.com/secmcp/secmcp/internal/kql/catalog"
)

// Platforms a table lives on natively.
const (
	PlatformDefender = "defender" // Defender XDR Advanced Hunting
	PlatformSentinel = "sentinel" // Sentinel / Log Analytics
)

// profile is what the schema refiner knows about a table beyond its
// columns and its products (internal/kql/catalog): the canonical words (see
// concepts) that point at it. Strong words name what a row is; weak words
// are merely related.
type profile struct {
	strong string
	weak   string
}

// profiles covers the built-in tables of the catalogue. The words are canonical forms
// (after phraseSynonyms, wordSynonyms and stem), written for this package.
var profiles = preferProfiles(map[string]profile{
	"AADServicePrincipalSignInLogs":      {"", "serviceprincipal signin app failed credential secret certificate entra"},
	"AADSignInEventsBeta":                {"signin", "logon user entra mfa conditionalaccess failed success country guest risk legacyauth app"},
	"AADSpnSignInEventsBeta":             {"", "serviceprincipal signin app"},
	"AADUserRiskEvents":                  {"risk identityprotection impossibletravel", "user detection leaked anonymous unfamiliar passwordspray travel entra"},
	"AlertEvidence":                      {"evidence", "alert entity ioc indicator incident hash file ip url device user"},
	"AlertInfo":                          {"alert", "severity mitre technique category title detection defender xdr"},
	"AuditLogs":                          {"audit directory privilegedrole", "serviceprincipal entra user group role member password reset app consent permission policy conditionalaccess owner added removed invite guest pim change admin operation registered update named"},
	"AzureActivity":                      {"azure subscription", "resource vm virtual storage network security group rbac contributor owner operation caller arm deployment delete write"},
	"AzureDiagnostics":                   {"keyvault diagnostic waf", "firewall gateway application secret vault sql azure resource access policy"},
	"CloudAppEvents":                     {"cloudapps", "app office365 sharepoint teams exchange inboxrule mailbox download upload file saas admin"},
	"DeviceEvents":                       {"antivirus usb asr", "device endpoint exploit scheduledtask service installed pipe powershell security smartscreen named firewall tamper lsass label"},
	"DeviceFileEvents":                   {"file", "device endpoint created deleted modified renamed download dropped write folder path hash sha256 ransomware share"},
	"DeviceImageLoadEvents":              {"imageload dll", "device module library sideloading load loaded"},
	"DeviceInfo":                         {"inventory", "device os version onboarded onboarding machine exposure joined model vendor platform windows server workstation"},
	"DeviceLogonEvents":                  {"logon", "signin device endpoint rdp interactive local admin failed success bruteforce account network"},
	"DeviceNetworkEvents":                {"network", "device endpoint ip port url outbound inbound beacon c2 dns connection remote traffic listen domain"},
	"DeviceNetworkInfo":                  {"adapter mac", "device network ip address configuration dhcp gateway"},
	"DeviceProcessEvents":                {"process commandline", "device endpoint powershell cmd launch parent child encoded script executed hash lolbin"},
	"DeviceRegistryEvents":               {"registry runkey", "device endpoint key value persistence autorun"},
	"DeviceTvmSoftwareInventory":         {"software inventory", "installed version device end support eol vendor"},
	"DeviceTvmSoftwareVulnerabilities":   {"vulnerability cve", "device software patch missing update exposed severity"},
	"DeviceTvmSoftwareVulnerabilitiesKB": {"cvss exploit", "vulnerability cve description knowledge published"},
	"EntraIdSignInEvents":                {"", ""},
	"EntraIdSpnSignInEvents":             {"", ""},
	"EmailAttachmentInfo":                {"attachment", "email file hash malware sender recipient"},
	"EmailEvents":                        {"email", "phish spam sender recipient subject delivered blocked junk inbox malware quarantine inbound outbound exchange"},
	"EmailPostDeliveryEvents":            {"zap", "email delivery remediation purge moved deleted reported quarantine after"},
	"EmailUrlInfo":                       {"url", "email link domain phish"},
	"ExposureGraphEdges":                 {"attackpath exposure", "graph edge relationship asset node"},
	"GraphAPIAuditEvents":                {"graphapi", "request app api audit"},
	"IdentityDirectoryEvents":            {"activedirectory domaincontroller defenderidentity", "group membership password change account identity delegation kerberos unlock control"},
	"IdentityInfo":                       {"identity department", "user account profile job title manager upn directory group member privilegedrole blast radius enabled"},
	"IdentityLogonEvents":                {"defenderidentity", "logon signin kerberos ntlm activedirectory domaincontroller identity failed"},
	"IdentityQueryEvents":                {"ldap samr reconnaissance", "dns query enumeration activedirectory domaincontroller"},
	"IntuneDevices":                      {"intune noncompliant", "device compliance managed mdm ownership os jailbroken encryption contact"},
	"LAQueryLogs":                        {"loganalytics", "query workspace audit ran run"},
	"MicrosoftGraphActivityLogs":         {"graphapi", "request app api activity"},
	"OAuthAppInfo":                       {"oauth", "app consent permission privilege publisher"},
	"OfficeActivity":                     {"office365 sharepoint onedrive", "exchange teams mailbox file download upload share sharing guest inboxrule dlp accessed"},
	"SecurityAlert":                      {"alert", "sentinel severity analytics detection defender tactic provider product"},
	"SecurityEvent":                      {"windows security eventid activedirectory", "logon process created domaincontroller group member account password kerberos delegation"},
	"SecurityIncident":                   {"incident", "sentinel severity status owner classification closed"},
	"SigninLogs":                         {"signin", "logon user entra mfa conditionalaccess failed success country app guest risk legacyauth interactive singlefactor"},
	"UrlClickEvents":                     {"safelinks click", "url link phish email teams"},
	// The standard Log Analytics tables the plugin samples read (Log
	// Analytics only, so chosen for a sentinel target alone): their own
	// words strong, words they share with other tables weak.
	"Usage":                        {"ingestion ingested ingest billable usage", "datatype volume quantity cost size gb solution workspace"},
	"DnsEvents":                    {"", "dns server resolve resolved lookup domain name client"},
	"BehaviorAnalytics":            {"ueba behavior behaviour", "investigation priority insight peer uncommon anomalous"},
	"SecurityNestedRecommendation": {"recommendation subassessment", "cloud devops github repository code scanning dependency finding"},
	"VMConnection":                 {"vminsights", "vm virtual machine server connection network outbound inbound byte link remote port traffic"},
	"VMProcess":                    {"vminsights", "vm virtual machine server process executable running run service commandline user"},
	"Watchlist":                    {"watchlist", "vip highvalue asset terminated employee searchkey"},
	"ASimWebSessionLogs":           {"proxy websession", "web http https useragent request session asim"},
	// Operations tables analysts ask about (Log Analytics only).
	"Heartbeat":                      {"heartbeat", "agent computer machine report reporting stopped offline silent last seen os version"},
	"Syslog":                         {"syslog linux", "sshd sudo cron facility severity message host appliance"},
	"AADManagedIdentitySignInLogs":   {"managedidentity", "serviceprincipal signin resource azure failed success"},
	"MicrosoftAzureBastionAuditLogs": {"bastion", "rdp ssh session vm virtual machine connect jump"},
})

// tableWords is the strong and weak words of every table, split once, on
// first use.
var tableWords = sync.OnceValue(func() map[string][2]map[string]bool {
	out := map[string][2]map[string]bool{}
	for name, p := range profiles {
		strong, weak := map[string]bool{}, map[string]bool{}
		for _, w := range strings.Fields(p.strong) {
			strong[w] = true
		}
		for _, w := range strings.Fields(p.weak) {
			weak[w] = true
		}
		for _, w := range camelWords(name) {
			if len(w) > 2 && w != "event" && w != "log" && w != "info" && w != "beta" && w != "aad" {
				weak[stem(w)] = true
			}
		}
		out[name] = [2]map[string]bool{strong, weak}
	}
	return out
})

// Platform returns where table lives natively, from the table catalogue
// ("" for an unknown table).
func Platform(table string) string {
	if t, ok := catalog.Lookup(table); ok {
		return string(t.Native())
	}
	return ""
}
