package nl2kql

import (
	"sync"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// concept is a piece of analyst vocabulary with a fixed meaning in KQL:
// "failed sign-ins" is ResultType != "0" in SigninLogs and ActionType ==
// "LogonFailed" in DeviceLogonEvents. When its pattern matches the
// normalised question, the concept votes for tables (boost) and adds the
// predicate of the chosen table, if it has one.
type concept struct {
	id    string
	re    *lazyre.Regexp
	boost map[string]float64
	pred  map[string]string
}

func c(id, pattern string, boost map[string]float64, pred map[string]string) concept {
	return concept{id: id, re: lazyre.New(`\b(?:` + pattern + `)\b`), boost: boost, pred: pred}
}

// b builds a boost map giving each table the same weight.
func b(w float64, tables ...string) map[string]float64 {
	m := make(map[string]float64, len(tables))
	for _, t := range tables {
		m[t] = w
	}
	return m
}

const (
	lolbins    = `"powershell.exe", "pwsh.exe", "cmd.exe", "certutil.exe", "rundll32.exe", "regsvr32.exe", "mshta.exe", "wmic.exe", "bitsadmin.exe", "cscript.exe", "wscript.exe", "msbuild.exe", "installutil.exe"`
	shellFiles = `"powershell.exe", "pwsh.exe", "powershell_ise.exe"`
)

// conceptList is built on first use (issue 16: its patterns and boost and
// predicate maps are the generator's, which a session may never call).
var conceptList = sync.OnceValue(func() []concept {
	return preferConcepts([]concept{
		c("spnsignin", `serviceprincipal\w*\s+([\w']+\s+){0,6}signin|signin\w* (\w+ ){0,3}serviceprincipal`, map[string]float64{"AADServicePrincipalSignInLogs": 5, "AADSpnSignInEventsBeta": 4.5}, nil),
		// Managed identities sign in to their own Log Analytics table
		// (https://learn.microsoft.com/en-us/azure/azure-monitor/reference/tables/aadmanagedidentitysigninlogs);
		// Advanced Hunting has them only among the service principal sign-ins.
		c("misignin", `managedidentity`, map[string]float64{"AADManagedIdentitySignInLogs": 6}, nil),
		// Sessions through Azure Bastion are its audit log's rows, not Azure
		// control-plane operations on the VM
		// (https://learn.microsoft.com/en-us/azure/bastion/monitor-bastion).
		c("bastion", `bastion`, map[string]float64{"MicrosoftAzureBastionAuditLogs": 6}, nil),
		// VM insights (Service Map) writes the VMs' connections to VMConnection
		// and their processes to VMProcess; the profiles' words tell them apart
		// (https://learn.microsoft.com/azure/azure-monitor/vm/vminsights-log-query).
		c("vminsights", `vminsights`, b(6, "VMConnection", "VMProcess"), nil),
		// Billable ingestion is the Usage records with IsBillable true
		// (https://learn.microsoft.com/azure/azure-monitor/logs/analyze-usage).
		c("billable", `billable`, b(2, "Usage"), map[string]string{"Usage": `IsBillable == true`}),
		c("failed", `failed|fail|failures?|fails|failing|unsuccessful|denied|invalid password|wrong password`, nil, map[string]string{
			"SigninLogs": `ResultType != "0"`, "AADServicePrincipalSignInLogs": `ResultType != "0"`,
			"AADManagedIdentitySignInLogs": `ResultType != "0"`, "Syslog": `SyslogMessage has "Failed password"`,
			"AADSignInEventsBeta": `ErrorCode != 0`, "AADSpnSignInEventsBeta": `ErrorCode != 0`,
			"DeviceLogonEvents": `ActionType == "LogonFailed"`, "IdentityLogonEvents": `ActionType == "LogonFailed"`,
			"SecurityEvent": `EventID == 4625`, "AuditLogs": `Result != "success"`, "AzureActivity": `ActivityStatusValue == "Failure"`,
			"DeviceNetworkEvents": `ActionType == "ConnectionFailed"`, "LAQueryLogs": `ResponseCode != 200`,
		}),
		c("success", `success|successful|succeeded|successfully`, nil, map[string]string{
			"SigninLogs": `ResultType == "0"`, "AADServicePrincipalSignInLogs": `ResultType == "0"`,
			"AADManagedIdentitySignInLogs": `ResultType == "0"`,
			"AADSignInEventsBeta":          `ErrorCode == 0`, "AADSpnSignInEventsBeta": `ErrorCode == 0`,
			"DeviceLogonEvents": `ActionType == "LogonSuccess"`, "IdentityLogonEvents": `ActionType == "LogonSuccess"`,
			"SecurityEvent": `EventID == 4624`, "DeviceNetworkEvents": `ActionType == "ConnectionSuccess"`,
		}),
		c("passwordspray", `passwordspray|bruteforce|guess(ing)?`, b(2, "SigninLogs", "DeviceLogonEvents", "IdentityLogonEvents"), map[string]string{
			"SigninLogs": `ResultType in ("50126", "50053")`, "AADSignInEventsBeta": `ErrorCode in (50126, 50053)`,
			"DeviceLogonEvents": `ActionType == "LogonFailed"`, "IdentityLogonEvents": `ActionType == "LogonFailed"`, "SecurityEvent": `EventID == 4625`,
		}),
		c("locked", `lock(ed)?[ -]?out|locked|smart lockout`, b(2, "SigninLogs"), map[string]string{
			"SigninLogs": `ResultType == "50053"`, "AADSignInEventsBeta": `ErrorCode == 50053`, "SecurityEvent": `EventID == 4740`,
		}),
		c("mfa", `mfa`, b(1, "SigninLogs"), map[string]string{
			"SigninLogs": `AuthenticationRequirement == "multiFactorAuthentication"`, "AADSignInEventsBeta": `AuthenticationRequirement == "multiFactorAuthentication"`,
		}),
		c("singlefactor", `singlefactor|without mfa|no mfa`, b(2, "SigninLogs"), map[string]string{
			"SigninLogs": `AuthenticationRequirement == "singleFactorAuthentication"`, "AADSignInEventsBeta": `AuthenticationRequirement == "singleFactorAuthentication"`,
		}),
		c("cafail", `blocked by conditionalaccess|conditionalaccess\s+(polic(y|ies)\s+)?(failures?|failed|block(ed|s)?)`, b(3, "SigninLogs"), map[string]string{
			"SigninLogs": `ConditionalAccessStatus == "failure"`, "AADSignInEventsBeta": `ConditionalAccessStatus == 1`,
		}),
		c("legacyauth", `legacyauth|imap|pop3?|activesync`, b(2, "SigninLogs"), map[string]string{
			"SigninLogs":          `ClientAppUsed in ("Exchange ActiveSync", "IMAP4", "POP3", "SMTP", "Authenticated SMTP", "Other clients")`,
			"AADSignInEventsBeta": `ClientAppUsed in ("Exchange ActiveSync", "IMAP4", "POP3", "SMTP", "Authenticated SMTP", "Other clients")`,
		}),
		c("guest", `guests?|external users?|b2b`, nil, map[string]string{
			"SigninLogs": `UserType == "guest"`, "AADSignInEventsBeta": `IsGuestUser == true`, "IdentityInfo": `UserType == "Guest"`,
			"OfficeActivity": `UserId has "#EXT#"`, "CloudAppEvents": `IsExternalUser == true`,
		}),
		c("riskysignin", `risky signin|signin risk|risky sign|at risk`, b(2, "SigninLogs"), map[string]string{
			"SigninLogs": `RiskLevelDuringSignIn in ("medium", "high")`, "AADSignInEventsBeta": `RiskLevelDuringSignIn >= 50`,
			"AADUserRiskEvents": `RiskLevel in ("medium", "high")`,
		}),
		c("highrisk", `high risk|high-risk`, b(2, "AADUserRiskEvents"), map[string]string{
			"AADUserRiskEvents": `RiskLevel == "high"`, "SigninLogs": `RiskLevelDuringSignIn == "high"`, "IdentityInfo": `RiskLevel == "high"`,
		}),
		c("impossibletravel", `impossibletravel|unlikely travel|atypical travel`, b(4, "AADUserRiskEvents"), map[string]string{
			"AADUserRiskEvents": `RiskEventType in ("impossibleTravel", "mcasImpossibleTravel", "unlikelyTravel")`,
		}),
		c("interactive", `non[ -]?interactive`, nil, map[string]string{"SigninLogs": `IsInteractive == false`}),
		c("highsev", `high[ -]severity|high sev|severity high|critical`, nil, map[string]string{
			"AlertInfo": `Severity == "High"`, "AlertEvidence": `Severity == "High"`, "SecurityAlert": `AlertSeverity == "High"`,
			"SecurityIncident": `Severity == "High"`, "DeviceTvmSoftwareVulnerabilities": `VulnerabilitySeverityLevel in ("Critical", "High")`,
			"DeviceTvmSoftwareVulnerabilitiesKB": `VulnerabilitySeverityLevel in ("Critical", "High")`,
		}),
		c("medsev", `medium[ -]severity`, nil, map[string]string{
			"AlertInfo": `Severity == "Medium"`, "SecurityAlert": `AlertSeverity == "Medium"`, "SecurityIncident": `Severity == "Medium"`,
		}),
		c("openincident", `open|active|unresolved|new incidents?|not closed`, nil, map[string]string{
			"SecurityIncident": `Status != "Closed"`, "SecurityAlert": `Status != "Resolved"`,
		}),
		c("truepositive", `true positives?`, b(2, "SecurityIncident"), map[string]string{"SecurityIncident": `Classification == "TruePositive"`}),
		c("falsepositive", `false positives?`, b(2, "SecurityIncident"), map[string]string{"SecurityIncident": `Classification == "FalsePositive"`}),
		c("powershell", `powershell|pwsh`, b(2, "DeviceProcessEvents"), map[string]string{
			"DeviceProcessEvents": `FileName in~ (` + shellFiles + `)`, "DeviceNetworkEvents": `InitiatingProcessFileName in~ (` + shellFiles + `)`,
			"DeviceFileEvents": `InitiatingProcessFileName in~ (` + shellFiles + `)`, "DeviceRegistryEvents": `InitiatingProcessFileName in~ (` + shellFiles + `)`,
			"DeviceImageLoadEvents": `InitiatingProcessFileName in~ (` + shellFiles + `)`, "SecurityEvent": `NewProcessName has "powershell"`,
			"DeviceEvents": `ActionType == "PowerShellCommand"`,
		}),
		c("encoded", `encoded|base64|obfuscated`, b(3, "DeviceProcessEvents"), map[string]string{
			"DeviceProcessEvents": `ProcessCommandLine has_any ("-enc", "-encodedcommand", "-e ", "FromBase64String")`,
			"SecurityEvent":       `CommandLine has_any ("-enc", "-encodedcommand", "FromBase64String")`,
		}),
		c("lolbin", `lolbins?|living off the land`, b(3, "DeviceProcessEvents"), map[string]string{
			"DeviceProcessEvents": `FileName in~ (` + lolbins + `)`, "DeviceNetworkEvents": `InitiatingProcessFileName in~ (` + lolbins + `)`,
		}),
		c("credentialdump", `lsass|credential dump(ing)?|mimikatz|procdump`, b(3, "DeviceProcessEvents"), map[string]string{
			"DeviceProcessEvents": `ProcessCommandLine has_any ("lsass", "sekurlsa", "comsvcs", "procdump")`,
			"DeviceEvents":        `FileName =~ "lsass.exe"`,
		}),
		c("shadowcopy", `shadow cop(y|ies)|vssadmin|ransomware|recovery`, b(2, "DeviceProcessEvents"), map[string]string{
			"DeviceProcessEvents": `ProcessCommandLine has_any ("vssadmin", "shadowcopy", "recoveryenabled", "wbadmin")`,
		}),
		c("scheduledtask", `scheduledtask|schtasks`, b(3, "DeviceEvents", "DeviceProcessEvents"), map[string]string{
			"DeviceEvents": `ActionType in ("ScheduledTaskCreated", "ScheduledTaskUpdated")`, "DeviceProcessEvents": `FileName =~ "schtasks.exe"`,
			"SecurityEvent": `EventID == 4698`,
		}),
		c("serviceinstall", `service (was )?install(ed|ation)?|new service`, b(3, "DeviceEvents"), map[string]string{
			"DeviceEvents": `ActionType == "ServiceInstalled"`, "SecurityEvent": `EventID in (4697, 7045)`,
		}),
		c("usb", `usb`, b(4, "DeviceEvents"), map[string]string{"DeviceEvents": `ActionType in ("UsbDriveMounted", "PnpDeviceConnected")`}),
		c("avdetect", `antivirus|malware detect(ion|ed)?|av detection`, b(2, "DeviceEvents"), map[string]string{
			"DeviceEvents": `ActionType startswith "Antivirus"`,
		}),
		c("runkey", `runkey|autorun|persistence`, b(3, "DeviceRegistryEvents"), map[string]string{
			"DeviceRegistryEvents": `RegistryKey has @"\CurrentVersion\Run"`,
		}),
		c("defenderdisabled", `disabl(e|ed|ing) (defender|real ?time|antivirus)|tamper(ing)?`, b(3, "DeviceRegistryEvents"), map[string]string{
			"DeviceRegistryEvents": `RegistryValueName in ("DisableRealtimeMonitoring", "DisableAntiSpyware")`,
		}),
		c("rdp", `rdp`, b(2, "DeviceLogonEvents"), map[string]string{
			"DeviceLogonEvents": `LogonType == "RemoteInteractive"`, "SecurityEvent": `LogonType == 10`,
			"DeviceNetworkEvents": `RemotePort == 3389`, "IdentityLogonEvents": `LogonType == "Remote desktop"`,
		}),
		c("localadmin", `local admin(istrator)?s?`, b(2, "DeviceLogonEvents"), map[string]string{"DeviceLogonEvents": `IsLocalAdmin == true`}),
		c("public", `public ip|internet|external ip`, nil, map[string]string{
			"DeviceNetworkEvents": `RemoteIPType == "Public"`, "DeviceLogonEvents": `RemoteIPType == "Public"`,
		}),
		c("phish", `phish|phishing`, b(2, "EmailEvents"), map[string]string{
			"EmailEvents": `ThreatTypes has "Phish"`, "EmailPostDeliveryEvents": `ThreatTypes has "Phish"`, "UrlClickEvents": `ThreatTypes has "Phish"`,
			"AlertInfo": `Title has "phish"`, "SecurityAlert": `AlertName has "phish"`, "SecurityIncident": `Title has "phish"`,
		}),
		c("malwaremail", `malware|malicious attachment`, nil, map[string]string{
			"EmailEvents": `ThreatTypes has "Malware"`, "EmailAttachmentInfo": `ThreatTypes has "Malware"`,
		}),
		c("spam", `spam|junk(ed)?`, b(2, "EmailEvents"), map[string]string{
			"EmailEvents": `DeliveryAction == "Junked" or ThreatTypes has "Spam"`, "EmailPostDeliveryEvents": `ThreatTypes has "Spam"`,
		}),
		c("delivered", `delivered|reached (the )?inbox`, nil, map[string]string{"EmailEvents": `DeliveryAction == "Delivered"`}),
		c("blockedmail", `blocked|quarantined|quarantine`, nil, map[string]string{
			"EmailEvents":    `DeliveryAction in ("Blocked", "Junked") or LatestDeliveryLocation == "Quarantine"`,
			"UrlClickEvents": `ActionType == "ClickBlocked"`,
		}),
		c("inbound", `inbound|incoming|external senders?`, nil, map[string]string{"EmailEvents": `EmailDirection == "Inbound"`, "VMConnection": `Direction == "inbound"`}),
		c("outboundmail", `outgoing|sent externally|outbound email`, nil, map[string]string{"EmailEvents": `EmailDirection == "Outbound"`}),
		c("clicked", `click(ed)? through|clicked|clicks?`, b(3, "UrlClickEvents"), map[string]string{
			"UrlClickEvents": `ActionType == "ClickAllowed" or IsClickedThrough == true`,
		}),
		c("zap", `zap|purged|removed after delivery`, b(4, "EmailPostDeliveryEvents"), map[string]string{
			"EmailPostDeliveryEvents": `ActionType has "ZAP"`,
		}),
		c("inboxrule", `inboxrule`, b(4, "OfficeActivity", "CloudAppEvents"), map[string]string{
			"OfficeActivity": `Operation in ("New-InboxRule", "Set-InboxRule", "UpdateInboxRules")`,
			"CloudAppEvents": `ActionType in ("New-InboxRule", "Set-InboxRule", "UpdateInboxRules")`,
		}),
		c("download", `download|downloaded|downloads`, nil, map[string]string{
			"OfficeActivity": `Operation == "FileDownloaded"`, "CloudAppEvents": `ActionType == "FileDownloaded"`,
			"DeviceFileEvents": `isnotempty(FileOriginUrl)`,
		}),
		c("upload", `upload|uploaded|uploads`, nil, map[string]string{
			"OfficeActivity": `Operation == "FileUploaded"`, "CloudAppEvents": `ActionType == "FileUploaded"`,
		}),
		c("filedeleted", `deleted|deletion|removed files?`, nil, map[string]string{
			"DeviceFileEvents": `ActionType == "FileDeleted"`, "OfficeActivity": `Operation in ("FileDeleted", "FileRecycled")`,
		}),
		c("filecreated", `created|dropped|written|new files?`, nil, map[string]string{
			"DeviceFileEvents": `ActionType == "FileCreated"`, "DeviceRegistryEvents": `ActionType in ("RegistryValueSet", "RegistryKeyCreated")`,
		}),
		c("renamed", `renamed`, nil, map[string]string{"DeviceFileEvents": `ActionType == "FileRenamed"`}),
		c("sharing", `shared|sharing|share links?`, b(2, "OfficeActivity"), map[string]string{
			"OfficeActivity": `Operation in ("SharingSet", "AnonymousLinkCreated", "SharingInvitationCreated", "AddedToSecureLink")`,
		}),
		c("dlp", `dlp`, b(3, "OfficeActivity"), map[string]string{"OfficeActivity": `Operation == "DLPRuleMatch"`}),
		c("mailaccess", `mail ?items? accessed|mailbox access`, b(2, "OfficeActivity"), map[string]string{
			"OfficeActivity": `Operation == "MailItemsAccessed"`, "CloudAppEvents": `ActionType == "MailItemsAccessed"`,
		}),
		c("passwordreset", `password (reset|change|changed|resets)|reset(s)? password`, b(2, "AuditLogs", "IdentityDirectoryEvents"), map[string]string{
			"AuditLogs": `OperationName has "password"`, "IdentityDirectoryEvents": `ActionType == "Account Password changed"`,
			"SecurityEvent": `EventID in (4723, 4724)`,
		}),
		c("groupadd", `added to (a |the )?groups?|group membership|member(s)? added|add(ed)? (a )?members?`, b(2, "AuditLogs"), map[string]string{
			"AuditLogs": `OperationName has "Add member to group"`, "IdentityDirectoryEvents": `ActionType == "Group Membership changed"`,
			"SecurityEvent": `EventID in (4728, 4732, 4756)`,
		}),
		c("roleadd", `privilegedrole|role assign(ed|ment)s?|added to (a )?roles?|global admin(istrator)?`, b(3, "AuditLogs"), map[string]string{
			"AuditLogs": `OperationName has "member to role"`,
		}),
		c("consent", `consent(ed|s)?|app permissions?|oauth grants?`, b(2, "AuditLogs", "OAuthAppInfo"), map[string]string{
			"AuditLogs": `OperationName has "Consent to application"`, "OAuthAppInfo": `IsAdminConsented == true`,
		}),
		c("capolicy", `conditionalaccess polic(y|ies) (change|changed|update|updated|modified|deleted)`, b(3, "AuditLogs"), map[string]string{
			"AuditLogs": `OperationName has "conditional access policy"`,
		}),
		c("invite", `invited|invitations?|invite`, b(2, "AuditLogs"), map[string]string{"AuditLogs": `OperationName has "invite"`}),
		c("newuser", `new users?|user (was )?created|created users?|account (was )?created`, b(2, "AuditLogs"), map[string]string{
			"AuditLogs": `OperationName == "Add user"`, "SecurityEvent": `EventID == 4720`,
		}),
		c("vmchange", `virtual machines?|vms?`, b(3, "AzureActivity"), map[string]string{"AzureActivity": `OperationNameValue has "virtualMachines"`}),
		c("nsg", `network security groups?|nsgs?`, b(3, "AzureActivity"), map[string]string{"AzureActivity": `OperationNameValue has "networkSecurityGroups"`}),
		c("storagekeys", `storage (account )?keys?|list ?keys`, b(3, "AzureActivity"), map[string]string{"AzureActivity": `OperationNameValue has "listKeys"`}),
		c("secretget", `secrets?|keyvault access`, b(2, "AzureDiagnostics"), map[string]string{"AzureDiagnostics": `OperationName in ("SecretGet", "SecretList", "KeyList")`}),
		c("noncompliant", `noncompliant`, b(3, "IntuneDevices"), map[string]string{"IntuneDevices": `CompliantState == "Noncompliant"`}),
		c("jailbroken", `jailbroken|rooted`, b(3, "IntuneDevices"), map[string]string{"IntuneDevices": `JailBroken == "True"`}),
		c("exploitavail", `exploits? (is |are )?available|exploitable|known exploits?`, b(3, "DeviceTvmSoftwareVulnerabilitiesKB"), map[string]string{
			"DeviceTvmSoftwareVulnerabilitiesKB": `IsExploitAvailable == true`,
		}),
		c("internetfacing", `internet[ -]facing|exposed to the internet`, b(3, "DeviceInfo"), map[string]string{"DeviceInfo": `IsInternetFacing == true`}),
		c("ldap", `ldap`, b(3, "IdentityQueryEvents"), map[string]string{"IdentityQueryEvents": `ActionType == "LDAP query"`}),
		c("samr", `samr|enumerat(e|ion|ed)`, b(2, "IdentityQueryEvents"), map[string]string{"IdentityQueryEvents": `ActionType == "SAMR query"`}),
		c("dnsquery", `dns`, nil, map[string]string{"IdentityQueryEvents": `ActionType == "DNS query"`}),
		// Logons against Active Directory are Defender for Identity's
		// (IdentityLogonEvents), not the endpoint's or Entra ID's.
		c("adlogon", `(?:logon|signin|login|authentication|authenticat\w*)s?\s+(?:\w+\s+){0,6}?(?:domaincontroller|activedirectory|onprem\w*|on premises?)|(?:domaincontroller|activedirectory|onprem\w*|on premises?|kerberos|ntlm)\s+(?:\w+\s+){0,4}?(?:logon|signin|login|authentication|authenticat\w*)`,
			b(4, "IdentityLogonEvents"), nil),
		// Outgoing connections are every connection an endpoint opened
		// (https://learn.microsoft.com/en-us/defender-xdr/advanced-hunting-devicenetworkevents-table:
		// inbound ones are InboundConnectionAccepted).
		c("outboundconn", `(?:outgoing|outbound)\s+(?:network\s+)?(?:connection|traffic|communication)\w*`, b(2, "DeviceNetworkEvents"),
			map[string]string{"DeviceNetworkEvents": `ActionType in ("ConnectionSuccess", "ConnectionFailed", "ConnectionAttempt", "ConnectionRequest")`,
				// VM insights records the direction of each connection group.
				"VMConnection": `Direction == "outbound"`}),
		// Management apps a user signs in to are sign-in facts (AppDisplayName).
		c("signinapp", `(?:entra|azure)\s+(?:powershell|management|portal|cli)|graph explorer|management (?:interface|portal|app)s?|azure portal`,
			map[string]float64{"SigninLogs": 3, "AADSignInEventsBeta": 3}, nil),
		// Filtering verdicts are Defender for Office 365's (EmailEvents).
		c("emailverdict", `(?:email|mail|message)s?\s+(?:\w+\s+){0,2}?(?:blocked|delivered|quarantined|junked|rejected|filtered)|(?:blocked|delivered|quarantined|rejected)\s+(?:\w+\s+){0,2}(?:email|mail|message)s?`,
			b(2, "EmailEvents"), nil),
		// Actions on delivered mail are EmailPostDeliveryEvents'.
		c("postdelivery", `post[\s-]?delivery|after (?:it was |they were )?delivered|after delivery`, b(4, "EmailPostDeliveryEvents"), nil),
		// Permissions and consents granted to applications are directory
		// changes (AuditLogs).
		c("appgrant", `(?:application|delegated|app|api)\s+permissions?|permissions?\s+(?:\w+\s+){0,3}?granted|granted\s+(?:\w+\s+){0,3}?permissions?|consent(?:ed)?\s+to\s+(?:an?\s+)?app\w*`,
			b(3, "AuditLogs"), nil),
		c("ntlm", `ntlm`, nil, map[string]string{"IdentityLogonEvents": `Protocol =~ "Ntlm"`, "DeviceLogonEvents": `Protocol =~ "NTLM"`}),
		c("kerberos", `kerberos`, nil, map[string]string{"IdentityLogonEvents": `Protocol =~ "Kerberos"`, "DeviceLogonEvents": `Protocol =~ "Kerberos"`}),
		c("adminop", `admin(istrative)? (operations?|actions?)`, nil, map[string]string{"CloudAppEvents": `IsAdminOperation == true`}),
		c("processcreate", `process creat(ion|ed)|new process`, b(1, "DeviceProcessEvents"), map[string]string{"SecurityEvent": `EventID == 4688`}),
		// Directory changes Entra logs in AuditLogs (not sign-ins): security
		// info registration, self-service password reset, app and tenant
		// settings.
		c("mfaregister", `(mfa|authentication|security info|phone|authenticator)\w*\s+([\w-]+\s+){0,6}(registered|registers|register|registration|updated|updates|update|changed|changes|change|deleted|removed|added)|(register(s|ed)?|updat(es|ed)|chang(es|ed))\s+([\w-]+\s+){0,3}(mfa|security info|authentication (method|phone|detail))`, b(4, "AuditLogs"), map[string]string{
			"AuditLogs": `OperationName has_any ("security info", "StrongAuthentication", "authentication method")`,
		}),
		c("sspr", `self[ -]?service password reset|sspr|account unlock|unlock(ed)? (their |an |the )?accounts?`, b(4, "AuditLogs"), map[string]string{
			"AuditLogs": `LoggedByService == "Self-service Password Management"`,
		}),
		c("directoryobject", `custom security attributes?|redirect uris?|reply urls?|app registrations?|cross[ -]tenant (access )?settings?|application (was |is )?(created|updated|added)`, b(3, "AuditLogs"), nil),
		c("onpremaccount", `(activedirectory|on[ -]?prem\w*)\s+([\w-]+\s+){0,3}accounts?\s+([\w-]+\s+){0,4}(created|disabled|deleted|enabled|changed|set|flag)|accounts? (is |was )?set to`, b(3, "SecurityEvent"), map[string]string{
			"SecurityEvent": `EventID in (4720, 4722, 4725, 4726, 4738)`,
		}),
		c("service principal secret", `(secrets?|credentials?|certificates?) (added|created) to`, b(3, "AuditLogs"), map[string]string{
			"AuditLogs": `OperationName has_any ("credentials", "certificates and secrets")`,
		}),
	})
})
