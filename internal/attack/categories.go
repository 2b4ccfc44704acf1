package attack

import "sort"

// Category is our response guidance for an alerts_v2 category.
type Category struct {
	// Name is the alerts_v2 category value, e.g. CredentialAccess.
	Name string `json:"name"`
	// Tactic is the short name of the matching tactic ("" for categories
	// such as Malware that are not tactics).
	Tactic string `json:"tactic,omitempty"`
	// Meaning says in one sentence what an alert of this category usually means.
	Meaning     string   `json:"meaning"`
	Contain     []string `json:"contain"`
	Investigate []string `json:"investigate"`
	Remediate   []string `json:"remediate"`
}

var categories = []Category{
	{Name: "InitialAccess", Tactic: "initial-access",
		Meaning:     "Someone may have gained a first foothold: a phishing message, a risky sign-in or an exploited service.",
		Contain:     []string{"Purge the message or block the sender/URL if delivery was the vector", "Revoke the user's sessions if a sign-in is suspected"},
		Investigate: []string{"Find every recipient or every sign-in tied to the same sender, URL or IP", "Check what happened on the user's devices and mailbox right after"},
		Remediate:   []string{"Reset compromised credentials and require phishing-resistant MFA", "Add the indicators to block lists"}},
	{Name: "Execution", Tactic: "execution",
		Meaning:     "Code ran that may be the attacker's: a script, a macro or a dropped binary.",
		Contain:     []string{"Isolate the device if the process is confirmed malicious", "Stop the process and quarantine the file"},
		Investigate: []string{"Reconstruct the process tree and decode any encoded command", "Hunt for the same hash or command line on other devices"},
		Remediate:   []string{"Block the hash and URLs; remove dropped files", "Tighten ASR rules and script-host restrictions"}},
	{Name: "Persistence", Tactic: "persistence",
		Meaning:     "Something was set up to survive a reboot or re-login: a Run key, a scheduled task, a service, an account change.",
		Contain:     []string{"Disable the autostart entry or account change"},
		Investigate: []string{"Find the process that created it and when", "Search other devices and accounts for the same mechanism"},
		Remediate:   []string{"Remove the mechanism and its payload everywhere", "Reimage if the extent is unclear"}},
	{Name: "PrivilegeEscalation", Tactic: "privilege-escalation",
		Meaning:     "The attacker may be trying to gain higher rights on the host or in the directory.",
		Contain:     []string{"Isolate the device or disable the elevated account"},
		Investigate: []string{"Check which privileges were gained and used"},
		Remediate:   []string{"Patch the abused weakness and reset elevated credentials"}},
	{Name: "DefenseEvasion", Tactic: "defense-evasion",
		Meaning:     "Security controls may have been weakened or the activity hidden (obfuscation, disabled protection, proxy execution).",
		Contain:     []string{"Restore the disabled control and enable tamper protection", "Isolate the device if protection was turned off by an unknown actor"},
		Investigate: []string{"Find who changed the control and what ran while it was off"},
		Remediate:   []string{"Run a full scan and reapply the security baseline"}},
	{Name: "CredentialAccess", Tactic: "credential-access",
		Meaning:     "Credentials may have been stolen or guessed: LSASS dumping, password spraying, MFA fatigue, token theft.",
		Contain:     []string{"Isolate the device (for dumping) or block the source IP (for spraying)", "Reset passwords and revoke sessions of exposed accounts, admins first"},
		Investigate: []string{"List every account exposed on the device or targeted from the IP", "Hunt for those accounts' logons elsewhere afterwards"},
		Remediate:   []string{"Enable Credential Guard / LSA protection; enforce MFA and block legacy authentication"}},
	{Name: "Discovery", Tactic: "discovery",
		Meaning:     "Someone is mapping the environment (accounts, hosts, shares) — usually an early hands-on-keyboard step.",
		Contain:     []string{"Watch the source closely; contain if paired with other stages"},
		Investigate: []string{"Correlate with credential access and lateral movement from the same host or account"},
		Remediate:   []string{"Reduce what ordinary users can enumerate"}},
	{Name: "LateralMovement", Tactic: "lateral-movement",
		Meaning:     "The attacker may be moving from one host to another with stolen credentials (RDP, SMB/PsExec, WinRM, WMI).",
		Contain:     []string{"Isolate the source and destination devices", "Disable or reset the account used to move"},
		Investigate: []string{"Trace every logon by that account from the source after the first alert", "Check destinations for persistence and tool transfer"},
		Remediate:   []string{"Restrict admin protocols between workstations and servers; use tiered admin accounts"}},
	{Name: "Collection", Tactic: "collection",
		Meaning:     "Data may be being gathered for theft: mailbox rules, bulk downloads, archives.",
		Contain:     []string{"Revoke the session and remove forwarding rules"},
		Investigate: []string{"Determine which data was collected and where it was staged"},
		Remediate:   []string{"Block external auto-forwarding; review access rights"}},
	{Name: "CommandAndControl", Tactic: "command-and-control",
		Meaning:     "A device may be talking to attacker infrastructure or downloading tools.",
		Contain:     []string{"Block the domain/IP and isolate devices that contacted it"},
		Investigate: []string{"Find every device that contacted the destination and what it downloaded"},
		Remediate:   []string{"Remove the implant and the persistence that restarts it"}},
	{Name: "Exfiltration", Tactic: "exfiltration",
		Meaning:     "Data may have left the organisation: uploads to cloud storage, DLP matches, large transfers.",
		Contain:     []string{"Block the destination and revoke the user's sessions", "Apply a DLP block action for the user if policy allows"},
		Investigate: []string{"Establish what data, how much and to where; check the sensitivity labels", "Decide with legal/privacy whether notification is required"},
		Remediate:   []string{"Tighten DLP policies and restrict personal cloud storage"}},
	{Name: "Impact", Tactic: "impact",
		Meaning:     "Systems or data are being damaged: encryption, deleted backups, stopped services.",
		Contain:     []string{"Isolate affected devices immediately; disable the accounts involved", "Protect backups (take them offline)"},
		Investigate: []string{"Scope every device with encryption or recovery-inhibition activity", "Find the initial access and the accounts used"},
		Remediate:   []string{"Restore from clean backups; rebuild compromised identities"}},
	{Name: "Malware",
		Meaning:     "Malicious software was detected on a device.",
		Contain:     []string{"Confirm the file was remediated; isolate the device if it ran"},
		Investigate: []string{"Find how the file arrived and whether it is on other devices"},
		Remediate:   []string{"Block the hash and run a full scan"}},
	{Name: "Ransomware", Tactic: "impact",
		Meaning:     "Ransomware or its precursors were detected.",
		Contain:     []string{"Isolate affected devices and disable compromised accounts at once"},
		Investigate: []string{"Scope encryption, shadow-copy deletion and the lateral movement that preceded it"},
		Remediate:   []string{"Restore from offline backups; reset credentials domain-wide if DCs were touched"}},
	{Name: "UnwantedSoftware",
		Meaning:     "Potentially unwanted software (adware, bundlers, unapproved tools) was found.",
		Contain:     []string{"Remove the software"},
		Investigate: []string{"Check how it was installed and whether it is elsewhere"},
		Remediate:   []string{"Block it with application control"}},
	{Name: "SuspiciousActivity",
		Meaning:     "Activity looks unusual but does not map to one stage yet.",
		Contain:     []string{"None until the activity is understood"},
		Investigate: []string{"Review the evidence and related alerts on the same entities"},
		Remediate:   []string{"Tune or escalate depending on the verdict"}},
}

// LookupCategory returns the guidance for an alerts_v2 category (any case;
// tactic names such as credential-access are accepted too).
func LookupCategory(name string) (Category, bool) {
	k := squash(name)
	for _, c := range categories {
		if squash(c.Name) == k {
			return c, true
		}
	}
	if t, ok := LookupTactic(name); ok {
		for _, c := range categories {
			if c.Tactic == t.Short {
				return c, true
			}
		}
	}
	return Category{}, false
}

// Categories returns every category's guidance sorted by name.
func Categories() []Category {
	out := append([]Category(nil), categories...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
