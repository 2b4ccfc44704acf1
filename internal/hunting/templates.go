package hunting

// deviceIs matches a device by short name or FQDN (Defender tables record
// the lower-case FQDN, Graph and Intune the short name).
const deviceIs = `(DeviceName =~ {{device}} or DeviceName startswith {{device_prefix}})`

// library is the template set. Queries are ours; table and column names
// are Microsoft's published Advanced Hunting schema.
var library = []Template{
	{ID: "hash-on-devices", Title: "Same SHA256 on other devices", Pivot: "same SHA256 on other devices", Entity: EntityHash,
		Techniques: []string{"T1204.002", "T1105", "T1570"}, Tables: []string{"DeviceFileEvents", "DeviceProcessEvents"},
		Rationale: "Every device where the file {{value}} was written or run shows how far it spread.",
		Text: `union DeviceFileEvents, DeviceProcessEvents
| where Timestamp between ({{start}} .. {{end}})
| where SHA256 =~ {{sha256}}
| summarize FirstSeen = min(Timestamp), LastSeen = max(Timestamp), Events = count(), Actions = make_set(ActionType), Paths = make_set(FolderPath) by DeviceName
| order by FirstSeen asc`},
	{ID: "hash-in-email", Title: "Same SHA256 as an email attachment", Pivot: "same SHA256 delivered by email", Entity: EntityHash,
		Techniques: []string{"T1566.001"}, Tables: []string{"EmailAttachmentInfo"},
		Rationale: "Recipients of the attachment {{value}} may have opened it too.",
		Text: `EmailAttachmentInfo
| where Timestamp between ({{start}} .. {{end}})
| where SHA256 =~ {{sha256}}
| project Timestamp, NetworkMessageId, SenderFromAddress, RecipientEmailAddress, FileName, ThreatTypes`},
	{ID: "ip-signins", Title: "Users signing in from the IP", Pivot: "other users signing in from the IP", Entity: EntityIP,
		Techniques: []string{"T1078.004", "T1110.003"}, Tables: []string{"EntraIdSignInEvents"},
		Rationale: "Other accounts used from {{value}} are likely compromised or targeted as well.",
		Text: `EntraIdSignInEvents
| where Timestamp between ({{start}} .. {{end}})
| where IPAddress == {{ip}}
| summarize Attempts = count(), Failures = countif(ErrorCode != 0), Successes = countif(ErrorCode == 0), Apps = make_set(Application) by AccountUpn
| order by Successes desc, Attempts desc`},
	{ID: "ip-device-traffic", Title: "Devices talking to the IP", Pivot: "devices connecting to the IP", Entity: EntityIP,
		Techniques: []string{"T1071.001", "T1105"}, Tables: []string{"DeviceNetworkEvents"},
		Rationale: "Devices that connected to {{value}} may carry the same implant or downloaded from it.",
		Text: `DeviceNetworkEvents
| where Timestamp between ({{start}} .. {{end}})
| where RemoteIP == {{ip}}
| summarize Connections = count(), FirstSeen = min(Timestamp), Processes = make_set(InitiatingProcessFileName), Ports = make_set(RemotePort) by DeviceName`},
	{ID: "ip-device-logons", Title: "Device logons from the IP", Pivot: "logons to devices from the IP", Entity: EntityIP,
		Techniques: []string{"T1021.001", "T1110.001"}, Tables: []string{"DeviceLogonEvents"},
		Rationale: "Logons from {{value}} show brute force against devices and which attempts succeeded.",
		Text: `DeviceLogonEvents
| where Timestamp between ({{start}} .. {{end}})
| where RemoteIP == {{ip}}
| summarize Failed = countif(ActionType == "LogonFailed"), Succeeded = countif(ActionType == "LogonSuccess"), Accounts = make_set(AccountName), LogonTypes = make_set(LogonType) by DeviceName`},
	{ID: "commandline-elsewhere", Title: "Same command line on other devices", Pivot: "the same command line elsewhere", Entity: EntityCommandLine,
		Techniques: []string{"T1059"}, Tables: []string{"DeviceProcessEvents"},
		Rationale: "The exact command line running on other devices means the same actor or tooling is there.",
		Text: `DeviceProcessEvents
| where Timestamp between ({{start}} .. {{end}})
| where ProcessCommandLine =~ {{commandLine}}
| summarize Runs = count(), FirstSeen = min(Timestamp), Accounts = make_set(AccountName), Parents = make_set(InitiatingProcessFileName) by DeviceName`},
	{ID: "device-persistence-registry", Title: "Autostart registry changes on the device", Pivot: "persistence on the device after the first alert", Entity: EntityDevice,
		Techniques: []string{"T1547.001", "T1543.003", "T1053.005", "T1112"}, Tables: []string{"DeviceRegistryEvents"},
		Rationale: "Run keys, services and task-cache entries written on {{value}} after the first alert are how the attacker would survive a reboot.",
		Text: `DeviceRegistryEvents
| where Timestamp between ({{start}} .. {{end}})
| where ` + deviceIs + `
| where ActionType in ("RegistryValueSet", "RegistryKeyCreated")
| where RegistryKey contains @"\CurrentVersion\Run" or RegistryKey contains @"\CurrentControlSet\Services" or RegistryKey contains @"\Schedule\TaskCache\Tree" or RegistryKey contains @"\Winlogon"
| project Timestamp, DeviceName, ActionType, RegistryKey, RegistryValueName, RegistryValueData, InitiatingProcessFileName, InitiatingProcessAccountName
| order by Timestamp asc`},
	{ID: "device-persistence-tasks-services", Title: "Scheduled tasks and services created on the device", Pivot: "persistence on the device after the first alert", Entity: EntityDevice,
		Techniques: []string{"T1053.005", "T1543.003", "T1569.002"}, Tables: []string{"DeviceEvents", "DeviceProcessEvents"},
		Rationale: "Tasks and services created on {{value}} (events and schtasks/sc/reg command lines) reveal persistence and remote execution.",
		Text: `union
  (DeviceEvents
   | where Timestamp between ({{start}} .. {{end}})
   | where ` + deviceIs + `
   | where ActionType in ("ScheduledTaskCreated", "ScheduledTaskUpdated", "ServiceInstalled")
   | project Timestamp, DeviceName, ActionType, Detail = tostring(AdditionalFields), InitiatingProcessFileName, InitiatingProcessCommandLine),
  (DeviceProcessEvents
   | where Timestamp between ({{start}} .. {{end}})
   | where ` + deviceIs + `
   | where FileName in~ ("schtasks.exe", "sc.exe", "reg.exe")
   | where ProcessCommandLine has "create" or ProcessCommandLine has " add "
   | project Timestamp, DeviceName, ActionType = "ProcessCreated", Detail = ProcessCommandLine, InitiatingProcessFileName, InitiatingProcessCommandLine)
| order by Timestamp asc`},
	{ID: "lateral-from-device-logons", Title: "Logons on other devices coming from the device", Pivot: "lateral movement from the device", Entity: EntityDevice,
		Techniques: []string{"T1021.001", "T1021.002", "T1550.002", "T1078.002"}, Tables: []string{"DeviceLogonEvents"},
		Rationale: "Remote-interactive and network logons whose source is {{value}} show where the attacker moved next and with which account.",
		Text: `DeviceLogonEvents
| where Timestamp between ({{start}} .. {{end}})
| where RemoteDeviceName =~ {{device}} or RemoteDeviceName startswith {{device_prefix}}
| where LogonType in ("RemoteInteractive", "Network") and ActionType == "LogonSuccess"
| summarize Logons = count(), FirstSeen = min(Timestamp), LogonTypes = make_set(LogonType), Protocols = make_set(Protocol) by DeviceName, AccountName
| order by FirstSeen asc`},
	{ID: "lateral-from-device-network", Title: "SMB, RDP, WinRM and RPC connections from the device", Pivot: "lateral movement from the device", Entity: EntityDevice,
		Techniques: []string{"T1021.001", "T1021.002", "T1021.006", "T1047"}, Tables: []string{"DeviceNetworkEvents"},
		Rationale: "Admin-protocol connections from {{value}} to internal hosts are the network side of lateral movement.",
		Text: `DeviceNetworkEvents
| where Timestamp between ({{start}} .. {{end}})
| where ` + deviceIs + `
| where RemotePort in (445, 3389, 5985, 5986, 135) and ActionType == "ConnectionSuccess"
| summarize Connections = count(), FirstSeen = min(Timestamp), Processes = make_set(InitiatingProcessFileName) by RemoteIP, RemotePort
| order by FirstSeen asc`},
	{ID: "lateral-to-device", Title: "Remote logons into the device", Pivot: "lateral movement to the device", Entity: EntityDevice,
		Techniques: []string{"T1021.001", "T1110.001", "T1078"}, Tables: []string{"DeviceLogonEvents"},
		Rationale: "Who logged on to {{value}} remotely, from where, and how many attempts failed first.",
		Text: `DeviceLogonEvents
| where Timestamp between ({{start}} .. {{end}})
| where ` + deviceIs + `
| where LogonType in ("RemoteInteractive", "Network")
| summarize Failed = countif(ActionType == "LogonFailed"), Succeeded = countif(ActionType == "LogonSuccess"), Accounts = make_set(AccountName), FirstSeen = min(Timestamp) by RemoteIP, RemoteDeviceName
| order by Succeeded desc, Failed desc`},
	{ID: "account-logons", Title: "Where the account logged on", Pivot: "the account's logons across devices", Entity: EntityAccount,
		Techniques: []string{"T1078.002", "T1021"}, Tables: []string{"DeviceLogonEvents"},
		Rationale: "Every device the account {{value}} logged on to after it was exposed is a candidate for lateral movement.",
		Text: `DeviceLogonEvents
| where Timestamp between ({{start}} .. {{end}})
| where AccountName =~ {{account}} and ActionType == "LogonSuccess"
| summarize Logons = count(), FirstSeen = min(Timestamp), LogonTypes = make_set(LogonType), Sources = make_set(RemoteDeviceName) by DeviceName
| order by FirstSeen asc`},
	{ID: "encoded-powershell", Title: "Encoded PowerShell", Pivot: "encoded PowerShell across the tenant", Entity: EntityNone,
		Techniques: []string{"T1059.001", "T1027", "T1140"}, Tables: []string{"DeviceProcessEvents"},
		Signs:     `(?:^|\s)[-/](?:e|ec|en\w*)\s|frombase64string`,
		Rationale: "Encoded PowerShell on other devices often means the same loader ran there.",
		Text: `DeviceProcessEvents
| where Timestamp between ({{start}} .. {{end}})
| where FileName in~ ("powershell.exe", "pwsh.exe")
| where ProcessCommandLine contains " -enc" or ProcessCommandLine contains " -e " or ProcessCommandLine contains "-EncodedCommand"
| project Timestamp, DeviceName, AccountName, ProcessCommandLine, InitiatingProcessFileName
| order by Timestamp asc`},
	{ID: "lsass-access", Title: "LSASS memory access and dumps", Pivot: "LSASS access across the tenant", Entity: EntityNone,
		Techniques: []string{"T1003.001"}, Tables: []string{"DeviceEvents", "DeviceProcessEvents"},
		Signs:     `lsass|comsvcs|minidump|procdump|sekurlsa`,
		Rationale: "Processes opening lsass.exe or dumping it expose every credential on those devices.",
		Text: `union
  (DeviceEvents
   | where Timestamp between ({{start}} .. {{end}})
   | where ActionType == "OpenProcessApiCall" and FileName =~ "lsass.exe"
   | project Timestamp, DeviceName, Detail = InitiatingProcessCommandLine, Process = InitiatingProcessFileName),
  (DeviceProcessEvents
   | where Timestamp between ({{start}} .. {{end}})
   | where (ProcessCommandLine has "MiniDump" and ProcessCommandLine has "comsvcs") or (ProcessCommandLine has "lsass" and ProcessCommandLine has "-ma")
   | project Timestamp, DeviceName, Detail = ProcessCommandLine, Process = FileName)
| order by Timestamp asc`},
	{ID: "mass-file-renames", Title: "Mass file renames", Pivot: "mass file renames (encryption)", Entity: EntityNone,
		Techniques: []string{"T1486"}, Tables: []string{"DeviceFileEvents"},
		Rationale: "Hundreds of renames in minutes on one device is what ransomware encryption looks like.",
		Text: `DeviceFileEvents
| where Timestamp between ({{start}} .. {{end}})
| where ActionType == "FileRenamed"
| summarize Renames = count(), Folders = dcount(FolderPath), SampleNames = make_set(FileName, 5) by DeviceName, InitiatingProcessFileName, Window = bin(Timestamp, 10m)
| where Renames >= 50
| order by Renames desc`},
	{ID: "recovery-inhibition", Title: "Shadow copy and backup deletion", Pivot: "recovery inhibition across the tenant", Entity: EntityNone,
		Techniques: []string{"T1490"}, Tables: []string{"DeviceProcessEvents"},
		Signs:     `vssadmin.*delete|wbadmin.*delete|shadowcopy.*delete|recoveryenabled`,
		Rationale: "Deleting shadow copies or disabling recovery usually comes minutes before encryption.",
		Text: `DeviceProcessEvents
| where Timestamp between ({{start}} .. {{end}})
| where (ProcessCommandLine has "shadows" and ProcessCommandLine has "delete") or (ProcessCommandLine has "shadowcopy" and ProcessCommandLine has "delete") or ProcessCommandLine has "recoveryenabled" or (FileName =~ "wbadmin.exe" and ProcessCommandLine has "delete")
| project Timestamp, DeviceName, AccountName, ProcessCommandLine`},
	{ID: "ingress-tool-transfer", Title: "Downloads with certutil, bitsadmin and PowerShell", Pivot: "tool downloads across the tenant", Entity: EntityNone,
		Techniques: []string{"T1105", "T1140"}, Tables: []string{"DeviceProcessEvents"},
		Signs:     `urlcache|bitsadmin|downloadstring|downloadfile|invoke-webrequest|start-bitstransfer`,
		Rationale: "Built-in tools fetching files from the internet are a common way to bring in the next stage.",
		Text: `DeviceProcessEvents
| where Timestamp between ({{start}} .. {{end}})
| where (FileName =~ "certutil.exe" and (ProcessCommandLine has "urlcache" or ProcessCommandLine has "decode")) or (FileName =~ "bitsadmin.exe" and ProcessCommandLine has "transfer") or ProcessCommandLine has "DownloadString" or ProcessCommandLine has "DownloadFile"
| project Timestamp, DeviceName, AccountName, FileName, ProcessCommandLine`},
	{ID: "defender-tampering", Title: "Defender protection turned off", Pivot: "security tool tampering across the tenant", Entity: EntityNone,
		Techniques: []string{"T1562.001"}, Tables: []string{"DeviceRegistryEvents"},
		Signs:     `set-mppreference|disablerealtimemonitoring|disableantispyware|add-mppreference`,
		Rationale: "Real-time protection or tamper settings changed outside policy leave devices blind.",
		Text: `DeviceRegistryEvents
| where Timestamp between ({{start}} .. {{end}})
| where RegistryKey contains "Windows Defender"
| where RegistryValueName in~ ("DisableRealtimeMonitoring", "DisableAntiSpyware", "DisableBehaviorMonitoring", "DisableIOAVProtection", "TamperProtection")
| project Timestamp, DeviceName, RegistryKey, RegistryValueName, RegistryValueData, InitiatingProcessFileName, InitiatingProcessCommandLine`},
	{ID: "domain-traffic", Title: "Devices contacting the domain", Pivot: "devices contacting the domain", Entity: EntityDomain,
		Techniques: []string{"T1071.001", "T1567.002", "T1105"}, Tables: []string{"DeviceNetworkEvents"},
		Rationale: "Every device that reached {{value}} may be beaconing to it or sending data there.",
		Text: `DeviceNetworkEvents
| where Timestamp between ({{start}} .. {{end}})
| where RemoteUrl has {{domain}}
| summarize Connections = count(), FirstSeen = min(Timestamp), Processes = make_set(InitiatingProcessFileName), RemoteIPs = make_set(RemoteIP) by DeviceName`},
	{ID: "domain-email", Title: "Mail from the domain", Pivot: "messages from the attacker's domain", Entity: EntityDomain,
		Techniques: []string{"T1566", "T1566.001", "T1566.002"}, Tables: []string{"EmailEvents"},
		Rationale: "Other recipients of mail from {{value}} received the same lure.",
		Text: `EmailEvents
| where Timestamp between ({{start}} .. {{end}})
| where SenderFromDomain =~ {{domain}} or SenderMailFromDomain =~ {{domain}}
| project Timestamp, NetworkMessageId, SenderFromAddress, RecipientEmailAddress, Subject, DeliveryAction, ThreatTypes`},
	{ID: "url-clicks", Title: "Clicks on the URL", Pivot: "users who clicked the URL", Entity: EntityURL,
		Techniques: []string{"T1204.001", "T1566.002"}, Tables: []string{"UrlClickEvents"},
		Rationale: "Users who clicked {{value}} need their devices and sign-ins checked.",
		Text: `UrlClickEvents
| where Timestamp between ({{start}} .. {{end}})
| where Url has {{url}}
| project Timestamp, AccountUpn, ActionType, IsClickedThrough, IPAddress, Workload`},
	{ID: "user-signins", Title: "The user's sign-ins", Pivot: "the user's sign-ins by IP and country", Entity: EntityUser,
		Techniques: []string{"T1078.004"}, Tables: []string{"EntraIdSignInEvents"},
		Rationale: "New IPs, countries or apps in {{value}}'s sign-ins mark the attacker's sessions.",
		Text: `EntraIdSignInEvents
| where Timestamp between ({{start}} .. {{end}})
| where AccountUpn =~ {{user}}
| summarize SignIns = count(), Failures = countif(ErrorCode != 0), FirstSeen = min(Timestamp), Apps = make_set(Application) by IPAddress, Country
| order by FirstSeen asc`},
	{ID: "impossible-travel", Title: "Consecutive sign-ins from different countries", Pivot: "impossible travel for the user", Entity: EntityUser,
		Techniques: []string{"T1078.004", "T1539"}, Tables: []string{"EntraIdSignInEvents"},
		Rationale: "Successful sign-ins by {{value}} from two countries less than two hours apart cannot both be the user.",
		Text: `EntraIdSignInEvents
| where Timestamp between ({{start}} .. {{end}})
| where AccountUpn =~ {{user}} and ErrorCode == 0 and isnotempty(Country)
| order by Timestamp asc
| extend PreviousCountry = prev(Country), PreviousIP = prev(IPAddress), PreviousTime = prev(Timestamp)
| where isnotempty(PreviousCountry) and Country != PreviousCountry and Timestamp - PreviousTime < 2h
| project Timestamp, Country, IPAddress, PreviousTime, PreviousCountry, PreviousIP, Application`},
	{ID: "password-spray", Title: "Password spray sources", Pivot: "password spray in sign-in logs", Entity: EntityNone,
		Techniques: []string{"T1110.003", "T1110"}, Tables: []string{"EntraIdSignInEvents"},
		Rationale: "One IP failing passwords for many accounts is a spray; any success from it is a compromise.",
		Text: `EntraIdSignInEvents
| where Timestamp between ({{start}} .. {{end}})
| summarize Users = dcount(AccountUpn), Failures = countif(ErrorCode == 50126), Successes = countif(ErrorCode == 0) by IPAddress
| where Users >= 5 and Failures >= 10
| order by Users desc`},
	{ID: "user-inbox-rules", Title: "Inbox rules and forwarding set by the user", Pivot: "mailbox rules created for the user", Entity: EntityUser,
		Techniques: []string{"T1114.003", "T1564.008"}, Tables: []string{"IdentityInfo", "CloudAppEvents"},
		Rationale: "Forwarding or hiding rules in {{value}}'s mailbox keep the attacker informed and the victim unaware.",
		Text: `let ids = IdentityInfo | where AccountUpn =~ {{user}} | distinct AccountObjectId;
CloudAppEvents
| where Timestamp between ({{start}} .. {{end}})
| where ActionType in ("New-InboxRule", "Set-InboxRule", "UpdateInboxRules", "Set-Mailbox")
| where AccountObjectId in (ids) or tostring(RawEventData) has {{user}}
| project Timestamp, ActionType, AccountDisplayName, IPAddress, CountryCode, RawEventData`},
	{ID: "user-cloud-downloads", Title: "Bulk file downloads by the user", Pivot: "DLP-exfil paths: cloud downloads and uploads by the user", Entity: EntityUser,
		Techniques: []string{"T1530", "T1567.002"}, Tables: []string{"IdentityInfo", "CloudAppEvents"},
		Rationale: "Bulk downloads or uploads by {{value}} from an unusual IP are how data leaves through cloud apps.",
		Text: `let ids = IdentityInfo | where AccountUpn =~ {{user}} | distinct AccountObjectId;
CloudAppEvents
| where Timestamp between ({{start}} .. {{end}})
| where ActionType in ("FileDownloaded", "FileSyncDownloadedFull", "FileUploaded", "FileAccessed")
| where AccountObjectId in (ids) or tostring(RawEventData) has {{user}}
| summarize Files = count(), Actions = make_set(ActionType) by IPAddress, CountryCode, Application`},
	{ID: "device-exfil-uploads", Title: "Large uploads from the device", Pivot: "DLP-exfil paths: uploads and sensitive reads on the device", Entity: EntityDevice,
		Techniques: []string{"T1567.002", "T1048", "T1041"}, Tables: []string{"DeviceEvents", "DeviceNetworkEvents"},
		Rationale: "Sensitive-file reads and connections to public hosts from {{value}} around the alert show where data went.",
		Text: `union
  (DeviceEvents
   | where Timestamp between ({{start}} .. {{end}})
   | where ` + deviceIs + `
   | where ActionType in ("SensitiveFileRead", "UsbDriveMounted", "RemovableStorageFileEvent")
   | project Timestamp, DeviceName, ActionType, Detail = FolderPath, Process = InitiatingProcessFileName),
  (DeviceNetworkEvents
   | where Timestamp between ({{start}} .. {{end}})
   | where ` + deviceIs + `
   | where RemoteIPType == "Public" and isnotempty(RemoteUrl) and RemotePort == 443
   | where InitiatingProcessFileName in~ ("msedge.exe", "chrome.exe", "firefox.exe", "rclone.exe", "curl.exe", "powershell.exe")
   | project Timestamp, DeviceName, ActionType, Detail = RemoteUrl, Process = InitiatingProcessFileName)
| order by Timestamp asc`},
}
