package nl2kql

import "strings"

// Platforms a table lives on natively.
const (
	PlatformDefender = "defender" // Defender XDR Advanced Hunting
	PlatformSentinel = "sentinel" // Sentinel / Log Analytics
)

// profile is what the schema refiner knows about a table beyond its
// columns: where it lives and the canonical words (see concepts) that point
// at it. Strong words name what a row is; weak words are merely related.
type profile struct {
	platform string
	strong   string
	weak     string
}

// profiles covers the 42 built-in tables. The words are canonical forms
// (after phraseSynonyms, wordSynonyms and stem), written for this package.
var profiles = map[string]profile{
	"AADServicePrincipalSignInLogs":      {PlatformSentinel, "", "serviceprincipal signin app failed credential secret certificate entra"},
	"AADSignInEventsBeta":                {PlatformDefender, "signin", "logon user entra mfa conditionalaccess failed success country guest risk legacyauth app"},
	"AADSpnSignInEventsBeta":             {PlatformDefender, "", "serviceprincipal signin app"},
	"AADUserRiskEvents":                  {PlatformSentinel, "risk identityprotection impossibletravel", "user detection leaked anonymous unfamiliar passwordspray travel entra"},
	"AlertEvidence":                      {PlatformDefender, "evidence", "alert entity ioc indicator incident hash file ip url device user"},
	"AlertInfo":                          {PlatformDefender, "", "alert severity mitre technique category title detection defender xdr"},
	"AuditLogs":                          {PlatformSentinel, "audit directory privilegedrole", "serviceprincipal entra user group role member password reset app consent permission policy conditionalaccess owner added removed invite guest pim change admin operation registered update named"},
	"AzureActivity":                      {PlatformSentinel, "azure subscription", "resource vm virtual storage network security group rbac contributor owner operation caller arm deployment delete write"},
	"AzureDiagnostics":                   {PlatformSentinel, "keyvault diagnostic", "firewall waf gateway application secret vault sql azure resource access policy"},
	"CloudAppEvents":                     {PlatformDefender, "cloudapps", "app office365 sharepoint teams exchange inboxrule mailbox download upload file saas admin"},
	"DeviceEvents":                       {PlatformDefender, "antivirus usb asr", "device endpoint exploit scheduledtask service installed pipe powershell security smartscreen named firewall tamper lsass label"},
	"DeviceFileEvents":                   {PlatformDefender, "file", "device endpoint created deleted modified renamed download dropped write folder path hash sha256 ransomware share"},
	"DeviceImageLoadEvents":              {PlatformDefender, "imageload dll", "device module library sideloading load loaded"},
	"DeviceInfo":                         {PlatformDefender, "inventory", "device os version onboarded onboarding machine exposure joined model vendor platform windows server workstation"},
	"DeviceLogonEvents":                  {PlatformDefender, "logon", "signin device endpoint rdp interactive local admin failed success bruteforce account network"},
	"DeviceNetworkEvents":                {PlatformDefender, "network", "device endpoint ip port url outbound inbound beacon c2 dns connection remote traffic listen domain"},
	"DeviceNetworkInfo":                  {PlatformDefender, "adapter mac", "device network ip address configuration dhcp gateway"},
	"DeviceProcessEvents":                {PlatformDefender, "process commandline", "device endpoint powershell cmd launch parent child encoded script executed hash lolbin"},
	"DeviceRegistryEvents":               {PlatformDefender, "registry runkey", "device endpoint key value persistence autorun"},
	"DeviceTvmSoftwareInventory":         {PlatformDefender, "software inventory", "installed version device end support eol vendor"},
	"DeviceTvmSoftwareVulnerabilities":   {PlatformDefender, "vulnerability cve", "device software patch missing update exposed severity"},
	"DeviceTvmSoftwareVulnerabilitiesKB": {PlatformDefender, "cvss exploit", "vulnerability cve description knowledge published"},
	"EmailAttachmentInfo":                {PlatformDefender, "attachment", "email file hash malware sender recipient"},
	"EmailEvents":                        {PlatformDefender, "email", "phish spam sender recipient subject delivered blocked junk inbox malware quarantine inbound outbound exchange"},
	"EmailPostDeliveryEvents":            {PlatformDefender, "zap", "email delivery remediation purge moved deleted reported quarantine after"},
	"EmailUrlInfo":                       {PlatformDefender, "url", "email link domain phish"},
	"ExposureGraphEdges":                 {PlatformDefender, "attackpath exposure", "graph edge relationship asset node"},
	"GraphAPIAuditEvents":                {PlatformDefender, "graphapi", "request app api audit"},
	"IdentityDirectoryEvents":            {PlatformDefender, "activedirectory domaincontroller defenderidentity", "group membership password change account identity delegation kerberos unlock control"},
	"IdentityInfo":                       {PlatformSentinel, "identity department", "user account profile job title manager upn directory group member privilegedrole blast radius enabled"},
	"IdentityLogonEvents":                {PlatformDefender, "defenderidentity", "logon signin kerberos ntlm activedirectory domaincontroller identity failed"},
	"IdentityQueryEvents":                {PlatformDefender, "ldap samr reconnaissance", "dns query enumeration activedirectory domaincontroller"},
	"IntuneDevices":                      {PlatformSentinel, "intune noncompliant", "device compliance managed mdm ownership os jailbroken encryption contact"},
	"LAQueryLogs":                        {PlatformSentinel, "loganalytics", "query workspace audit ran run"},
	"MicrosoftGraphActivityLogs":         {PlatformSentinel, "graphapi", "request app api activity"},
	"OAuthAppInfo":                       {PlatformDefender, "oauth", "app consent permission privilege publisher"},
	"OfficeActivity":                     {PlatformSentinel, "office365 sharepoint onedrive", "exchange teams mailbox file download upload share sharing guest inboxrule dlp accessed"},
	"SecurityAlert":                      {PlatformSentinel, "alert", "sentinel severity analytics detection defender tactic provider product"},
	"SecurityEvent":                      {PlatformSentinel, "windows security eventid activedirectory", "logon process created domaincontroller group member account password kerberos delegation"},
	"SecurityIncident":                   {PlatformSentinel, "incident", "sentinel severity status owner classification closed"},
	"SigninLogs":                         {PlatformSentinel, "signin", "logon user entra mfa conditionalaccess failed success country app guest risk legacyauth interactive singlefactor"},
	"UrlClickEvents":                     {PlatformDefender, "safelinks click", "url link phish email teams"},
}

// tableWords is the strong and weak words of every table, split once.
var tableWords = func() map[string][2]map[string]bool {
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
}()

// Platform returns where table lives natively ("" for an unknown table).
func Platform(table string) string { return profiles[table].platform }
