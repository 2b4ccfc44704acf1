package intune

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/secmcp/secmcp/resources"
)

// BaselineURI is the resource that serves the compliance baseline.
const BaselineURI = "secmcp://intune/baseline"

// BaselineRule is one setting the baseline recommends for a platform's
// device compliance policies.
type BaselineRule struct {
	Platform string `json:"platform"`
	// Setting is the Graph deviceCompliancePolicy property.
	Setting string `json:"setting"`
	Value   any    `json:"value"`
	Title   string `json:"title"`
	// Family groups related settings (health, os, password, defender,
	// apps); a missing setting is proposed for the platform's policy that
	// already holds most settings of its family.
	Family string `json:"family"`
	Reason string `json:"reason"`
	// Basis names the public guidance the rule is modelled on.
	Basis string `json:"basis"`
}

// Baseline is secmcp's device compliance baseline: our own selection,
// modelled on the ideas of the Microsoft security baselines and the CIS
// benchmarks (encryption, boot integrity, supported OS releases, password
// strength, firewall and antimalware, Defender for Endpoint risk,
// jailbreak and root detection). It is deliberately small: settings that
// every organisation can enforce without exceptions.
var Baseline = []BaselineRule{
	{"Windows", "bitLockerEnabled", true, "BitLocker", "health", "A lost or stolen laptop must not expose its disk; Health Attestation confirms encryption at boot.", "Microsoft security baseline (BitLocker), CIS"},
	{"Windows", "secureBootEnabled", true, "Secure Boot", "health", "Secure Boot stops boot kits from loading before Windows and its defences.", "Microsoft security baseline, CIS"},
	{"Windows", "codeIntegrityEnabled", true, "Code integrity", "health", "Code integrity refuses unsigned kernel drivers, a common way to disable security tools.", "Microsoft security baseline"},
	{"Windows", "tpmRequired", true, "TPM", "health", "A TPM keeps BitLocker keys and Windows Hello credentials in hardware.", "Microsoft security baseline, CIS"},
	{"Windows", "storageRequireEncryption", true, "Storage encryption", "health", "Data at rest must be encrypted.", "CIS"},
	{"Windows", "osMinimumVersion", "10.0.19045.0", "Minimum OS version", "os", "Windows 10 22H2 is the last Windows 10 release; earlier builds no longer receive security updates.", "Microsoft lifecycle policy"},
	{"Windows", "passwordRequired", true, "Password required", "password", "Every device must require sign-in.", "CIS"},
	{"Windows", "passwordMinimumLength", 12, "Minimum password length", "password", "Twelve characters resist online and offline guessing far better than eight; Windows Hello PINs are governed separately.", "CIS password length guidance"},
	{"Windows", "activeFirewallRequired", true, "Firewall", "defender", "The host firewall limits lateral movement between workstations.", "Microsoft security baseline, CIS"},
	{"Windows", "defenderEnabled", true, "Microsoft Defender Antimalware", "defender", "Antimalware must be running.", "Microsoft security baseline"},
	{"Windows", "rtpEnabled", true, "Real-time protection", "defender", "Without real-time protection malware runs before any scan sees it; attackers turn it off first.", "Microsoft security baseline"},
	{"Windows", "antivirusRequired", true, "Antivirus", "defender", "An antivirus must be registered and on.", "CIS"},
	{"Windows", "antiSpywareRequired", true, "Antispyware", "defender", "An antispyware product must be registered and on.", "CIS"},
	{"Windows", "signatureOutOfDate", true, "Signatures up to date", "defender", "Out-of-date signatures miss current malware.", "Microsoft security baseline"},
	{"Windows", "deviceThreatProtectionEnabled", true, "Defender for Endpoint risk", "defender", "Access should depend on the device's machine risk score.", "Microsoft Zero Trust guidance"},
	{"Windows", "deviceThreatProtectionRequiredSecurityLevel", "medium", "Defender for Endpoint risk level", "defender", "A device with high-severity active alerts should lose access until they are remediated.", "Microsoft Zero Trust guidance"},
	{"iOS", "passcodeRequired", true, "Passcode required", "password", "Every phone must be locked with a passcode.", "CIS Apple iOS"},
	{"iOS", "passcodeMinimumLength", 6, "Minimum passcode length", "password", "Six digits is the iOS default and the minimum worth enforcing.", "CIS Apple iOS"},
	{"iOS", "passcodeBlockSimple", true, "Block simple passcodes", "password", "Repeated or sequential passcodes are guessed first.", "CIS Apple iOS"},
	{"iOS", "osMinimumVersion", "17.0", "Minimum OS version", "os", "Older iOS releases no longer receive all security fixes.", "Apple security releases"},
	{"iOS", "securityBlockJailbrokenDevices", true, "Jailbreak detection", "health", "A jailbroken phone has no app sandbox to rely on.", "Microsoft security baseline, CIS"},
	{"Android", "passwordRequired", true, "Password required", "password", "Every phone must be locked.", "CIS Android"},
	{"Android", "passwordMinimumLength", 6, "Minimum password length", "password", "Six characters is the minimum worth enforcing on phones.", "CIS Android"},
	{"Android", "osMinimumVersion", "13", "Minimum OS version", "os", "Android releases before 13 no longer receive security patches from Google.", "Android security bulletins"},
	{"Android", "storageRequireEncryption", true, "Storage encryption", "health", "Data at rest must be encrypted.", "CIS Android"},
	{"Android", "securityBlockJailbrokenDevices", true, "Root detection", "health", "A rooted phone has no app sandbox to rely on.", "Microsoft security baseline"},
	{"Android", "securityRequireVerifyApps", true, "Verify apps (Play Protect)", "apps", "Play Protect scans apps for malware.", "CIS Android"},
	{"Android", "securityRequireSafetyNetAttestationBasicIntegrity", true, "Play Integrity basic integrity", "health", "Attestation detects tampered system images that root detection misses.", "Microsoft guidance for Android Enterprise"},
	{"macOS", "passwordRequired", true, "Password required", "password", "Every Mac must require sign-in.", "CIS Apple macOS"},
	{"macOS", "passwordMinimumLength", 8, "Minimum password length", "password", "Eight characters is the least a desktop password should have.", "CIS Apple macOS"},
	{"macOS", "osMinimumVersion", "14.0", "Minimum OS version", "os", "Apple fully patches only the current macOS and the one before; macOS 13 receives partial fixes.", "Apple security releases"},
	{"macOS", "systemIntegrityProtectionEnabled", true, "System Integrity Protection", "health", "SIP protects system files from modification, even by root.", "CIS Apple macOS"},
	{"macOS", "storageRequireEncryption", true, "FileVault", "health", "Data at rest must be encrypted.", "CIS Apple macOS"},
	{"macOS", "firewallEnabled", true, "Firewall", "defender", "The host firewall limits exposure on untrusted networks.", "CIS Apple macOS"},
	{"macOS", "gatekeeperAllowedAppSource", "macAppStoreAndIdentifiedDevelopers", "Gatekeeper", "apps", "Only signed and notarised apps should run.", "CIS Apple macOS"},
}

// platformOf maps a compliance policy's @odata.type to a platform.
func platformOf(odataType string) string {
	t := strings.ToLower(odataType)
	switch {
	case strings.Contains(t, "windows10"):
		return "Windows"
	case strings.Contains(t, "ios"):
		return "iOS"
	case strings.Contains(t, "android"):
		return "Android"
	case strings.Contains(t, "macos"):
		return "macOS"
	}
	return ""
}

// baselineDoc is the JSON the baseline resource serves.
type baselineDoc struct {
	URI         string         `json:"uri"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Rules       []BaselineRule `json:"rules"`
}

// BaselineJSON returns the baseline as the resource serves it.
func BaselineJSON() string {
	b, _ := json.MarshalIndent(baselineDoc{URI: BaselineURI, Name: "secmcp device compliance baseline",
		Description: "Recommended Intune device compliance settings per platform, written for secmcp and modelled on the ideas of the Microsoft security baselines and the CIS benchmarks. intune_suggest_configuration compares the tenant's compliance policies with it. A rule's value is the least strict value that meets it.",
		Rules:       Baseline}, "", "  ")
	return string(b)
}

// BaselineResource is the static resource for catalog.RegisterResources.
func BaselineResource() resources.Static {
	return resources.Static{URI: BaselineURI, Name: "Intune compliance baseline",
		Description: "secmcp's recommended device compliance settings per platform (used by intune_suggest_configuration).",
		MIMEType:    "application/json",
		Read:        func(context.Context) (string, error) { return BaselineJSON(), nil }}
}
