package intune

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/source"
)

// settingKind says how a compliance setting's configured value is compared
// with a device's value.
type settingKind int

const (
	kindBool       settingKind = iota // true = the device must have it on
	kindBlock                         // true = the device must NOT be in the state (jailbroken)
	kindMinInt                        // device value ≥ configured
	kindMaxInt                        // device value ≤ configured
	kindMinVersion                    // dotted version ≥ configured
	kindMaxVersion                    // dotted version ≤ configured
	kindThreat                        // device threat level ≤ configured level
	kindMinDate                       // YYYY-MM-DD ≥ configured
	kindRank                          // device value at least as strict as configured (ranks weakest → strictest)
)

// settingInfo is our plain-English description of one compliance policy
// property (Graph deviceCompliancePolicy subtype properties).
type settingInfo struct {
	title string
	kind  settingKind
	// require describes the requirement; %v is the configured value.
	require string
	userFix string
	itFix   string
	ranks   []string
}

var threatRank = map[string]int{"secured": 0, "low": 1, "medium": 2, "high": 3}

var settings = map[string]settingInfo{
	"passwordRequired":                                  {title: "Password required", kind: kindBool, require: "the device must be protected by a password or PIN", userFix: "Set a sign-in password or PIN on the device.", itFix: "Deploy a device restriction profile that enforces a password so users are prompted."},
	"passcodeRequired":                                  {title: "Passcode required", kind: kindBool, require: "the device must have a passcode", userFix: "Set a passcode in Settings > Face ID/Touch ID & Passcode.", itFix: "Push a passcode policy with a device restriction profile."},
	"passwordMinimumLength":                             {title: "Minimum password length", kind: kindMinInt, require: "the password or PIN must be at least %v characters long", userFix: "Change the device password or PIN to a longer one.", itFix: "Align the device restriction profile's minimum length with the compliance policy so users are forced to change it."},
	"passcodeMinimumLength":                             {title: "Minimum passcode length", kind: kindMinInt, require: "the passcode must be at least %v characters long", userFix: "Change the passcode to a longer one.", itFix: "Align the passcode profile's minimum length with the compliance policy."},
	"passwordRequiredType":                              {title: "Password type", kind: kindRank, require: "the password type must be at least %v", ranks: []string{"deviceDefault", "numeric", "alphanumeric"}, userFix: "Use a password of the required type.", itFix: "Enforce the password type in a device restriction profile."},
	"passwordBlockSimple":                               {title: "Block simple passwords", kind: kindBool, require: "simple passwords (repeated or sequential digits) must be blocked", userFix: "Choose a password that is not a simple sequence.", itFix: "Block simple passwords in the device restriction profile."},
	"passcodeBlockSimple":                               {title: "Block simple passcodes", kind: kindBool, require: "simple passcodes (repeated or sequential digits) must be blocked", userFix: "Choose a passcode that is not a simple sequence.", itFix: "Block simple passcodes in the passcode profile."},
	"passwordMinutesOfInactivityBeforeLock":             {title: "Screen lock after inactivity", kind: kindMaxInt, require: "the screen must lock after at most %v minutes of inactivity", userFix: "Shorten the auto-lock time.", itFix: "Enforce the inactivity lock with a device restriction profile."},
	"passcodeMinutesOfInactivityBeforeLock":             {title: "Passcode lock after inactivity", kind: kindMaxInt, require: "the passcode must be required after at most %v minutes of inactivity", userFix: "Shorten Auto-Lock in Settings > Display & Brightness.", itFix: "Enforce auto-lock with a device restriction profile."},
	"osMinimumVersion":                                  {title: "Minimum OS version", kind: kindMinVersion, require: "the operating system must be version %v or later", userFix: "Install the pending operating system updates and restart, then sync the Company Portal.", itFix: "Check the update ring or update policy that targets the device and whether the hardware supports the required version."},
	"osMaximumVersion":                                  {title: "Maximum OS version", kind: kindMaxVersion, require: "the operating system must be version %v or earlier", userFix: "Contact IT: your OS version is newer than the tested release.", itFix: "Raise the maximum version once the release is validated."},
	"bitLockerEnabled":                                  {title: "BitLocker", kind: kindBool, require: "BitLocker drive encryption must be on (reported by Device Health Attestation)", userFix: "Turn on BitLocker in Settings > Privacy & security > Device encryption, then restart so Health Attestation reports it.", itFix: "Deploy an Endpoint security disk encryption (BitLocker) policy and check the TPM; escrow the recovery key to Entra ID."},
	"secureBootEnabled":                                 {title: "Secure Boot", kind: kindBool, require: "Secure Boot must be enabled in the firmware", userFix: "Contact IT: Secure Boot is switched in the firmware (UEFI) settings.", itFix: "Enable Secure Boot in UEFI (BIOS tooling or Dell/HP/Lenovo management); legacy BIOS installs need a reinstall in UEFI mode."},
	"codeIntegrityEnabled":                              {title: "Code integrity", kind: kindBool, require: "Windows code integrity must be enabled", userFix: "Restart the device; if it persists contact IT.", itFix: "Check Health Attestation; a disabled code integrity check usually means test signing or a tampered boot."},
	"earlyLaunchAntiMalwareDriverEnabled":               {title: "Early launch anti-malware", kind: kindBool, require: "the early launch anti-malware driver must load at boot", userFix: "Restart the device; if it persists contact IT.", itFix: "Check that Microsoft Defender Antivirus (or the third-party ELAM driver) is installed and healthy."},
	"storageRequireEncryption":                          {title: "Storage encryption", kind: kindBool, require: "the device storage must be encrypted", userFix: "Turn on device encryption (Settings > Security) and restart.", itFix: "Deploy an encryption policy (BitLocker, FileVault or Android encryption) and verify the hardware supports it."},
	"tpmRequired":                                       {title: "TPM", kind: kindBool, require: "a Trusted Platform Module must be present", userFix: "Contact IT: the TPM is a hardware/firmware setting.", itFix: "Enable the TPM in the firmware or replace hardware that has none."},
	"activeFirewallRequired":                            {title: "Firewall", kind: kindBool, require: "Windows Defender Firewall must be on", userFix: "Turn the firewall on in Windows Security > Firewall & network protection.", itFix: "Deploy an Endpoint security firewall policy and look for software that disables it."},
	"firewallEnabled":                                   {title: "Firewall", kind: kindBool, require: "the macOS firewall must be on", userFix: "Turn the firewall on in System Settings > Network > Firewall.", itFix: "Deploy a macOS firewall profile (Endpoint security > Firewall)."},
	"defenderEnabled":                                   {title: "Microsoft Defender Antimalware", kind: kindBool, require: "Microsoft Defender Antivirus must be on", userFix: "Open Windows Security and turn Virus & threat protection on; contact IT if it is greyed out.", itFix: "Check for a third-party antivirus or a policy that disables Defender; redeploy the Antivirus policy."},
	"rtpEnabled":                                        {title: "Real-time protection", kind: kindBool, require: "Microsoft Defender Antivirus real-time protection must be on", userFix: "Open Windows Security > Virus & threat protection > Manage settings and turn Real-time protection on; if it is greyed out, contact IT.", itFix: "Real-time protection being off is also a common attacker step: check the device in Defender for Endpoint for tampering before re-enabling it with the Antivirus policy and Tamper Protection."},
	"antivirusRequired":                                 {title: "Antivirus", kind: kindBool, require: "an antivirus registered with Windows Security Center must be on", userFix: "Turn on your antivirus in Windows Security.", itFix: "Check the antivirus state in Windows Security Center and the Antivirus policy."},
	"antiSpywareRequired":                               {title: "Antispyware", kind: kindBool, require: "an antispyware product registered with Windows Security Center must be on", userFix: "Turn on virus & threat protection in Windows Security.", itFix: "Check the antispyware state in Windows Security Center and the Antivirus policy."},
	"signatureOutOfDate":                                {title: "Antivirus signatures up to date", kind: kindBool, require: "Microsoft Defender Antivirus security intelligence must be up to date", userFix: "Run Windows Update (or Check for updates in Windows Security).", itFix: "Check the device reaches the update source (WSUS, Microsoft Update or the file share) and the signature update schedule."},
	"deviceThreatProtectionEnabled":                     {title: "Defender for Endpoint risk", kind: kindBool, require: "the device's Defender for Endpoint machine risk score must be evaluated", userFix: "Keep the device connected so Defender for Endpoint can report.", itFix: "Onboard the device to Defender for Endpoint and enable the Intune connector."},
	"deviceThreatProtectionRequiredSecurityLevel":       {title: "Defender for Endpoint risk level", kind: kindThreat, require: "the Defender for Endpoint machine risk score must be at or below %v", userFix: "Contact IT: the device has active threats that raise its risk score.", itFix: "Investigate and resolve the device's active alerts in Defender for Endpoint; the risk score drops when they are remediated."},
	"securityBlockJailbrokenDevices":                    {title: "Jailbreak/root detection", kind: kindBlock, require: "the device must not be jailbroken or rooted", userFix: "Restore the device to its original software (remove the jailbreak or root) and re-enrol it.", itFix: "Treat a jailbroken or rooted device as untrusted: retire it from management and review what data it held."},
	"managedEmailProfileRequired":                       {title: "Managed e-mail profile", kind: kindBool, require: "e-mail must be set up through the managed profile", userFix: "Remove the manually added mail account and install the profile from Company Portal.", itFix: "Assign the e-mail profile to the user."},
	"securityRequireVerifyApps":                         {title: "Verify apps (Play Protect)", kind: kindBool, require: "Google Play Protect app scanning must be on", userFix: "Turn on Play Protect in the Play Store settings.", itFix: "Enforce Play Protect through the work profile restrictions."},
	"minAndroidSecurityPatchLevel":                      {title: "Android security patch level", kind: kindMinDate, require: "the Android security patch level must be %v or newer", userFix: "Install the pending system updates.", itFix: "Check whether the manufacturer still ships patches for the model; replace devices that no longer receive them."},
	"securityRequireSafetyNetAttestationBasicIntegrity": {title: "Play Integrity basic integrity", kind: kindBool, require: "the device must pass Play Integrity basic integrity", userFix: "Remove root or custom ROMs and restore the stock system.", itFix: "Treat failing devices as untrusted until restored."},
	"securityPreventInstallAppsFromUnknownSources":      {title: "Block unknown sources", kind: kindBool, require: "installing apps from unknown sources must be blocked", userFix: "Turn off Install unknown apps for every app in Settings.", itFix: "Block unknown sources in the work profile restrictions."},
	"systemIntegrityProtectionEnabled":                  {title: "System Integrity Protection", kind: kindBool, require: "macOS System Integrity Protection must be on", userFix: "Contact IT: SIP is re-enabled from Recovery mode.", itFix: "Re-enable SIP from Recovery (csrutil enable) and find out why it was disabled."},
	"gatekeeperAllowedAppSource":                        {title: "Gatekeeper", kind: kindRank, require: "Gatekeeper must allow apps from %v at most", ranks: []string{"notConfigured", "anywhere", "macAppStoreAndIdentifiedDevelopers", "macAppStore"}, userFix: "Set Allow applications downloaded from to the App Store and identified developers in System Settings > Privacy & Security.", itFix: "Deploy a Gatekeeper profile."},
}

// infoFor returns the description of prop, or a generic one.
func infoFor(prop string) settingInfo {
	if s, ok := settings[prop]; ok {
		return s
	}
	return settingInfo{title: prop, kind: kindBool, require: "the setting " + prop + " must be %v",
		userFix: "Contact IT for help with the setting " + prop + ".", itFix: "Look up " + prop + " in the compliance policy and the device's settings."}
}

// requirement describes in plain English what prop configured to value requires.
func requirement(prop string, value any) string {
	s := infoFor(prop)
	if s.kind == kindBool || s.kind == kindBlock {
		if b, ok := boolOf(value); ok && !b {
			return "not required (" + prop + " is false)"
		}
		if !strings.Contains(s.require, "%v") {
			return s.require
		}
	}
	return fmt.Sprintf(s.require, fmtValue(value))
}

// propOf maps a setting state ("Windows10CompliancePolicy.RtpEnabled",
// settingName "RtpEnabled") to the policy property ("rtpEnabled").
func propOf(st source.SettingState) string {
	name := st.SettingName
	if name == "" {
		name = st.Setting[strings.LastIndexByte(st.Setting, '.')+1:]
	}
	if name == "" {
		return ""
	}
	return strings.ToLower(name[:1]) + name[1:]
}

func fmtValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "not configured"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func boolOf(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(x))
		return b, err == nil
	}
	return false, false
}

func intOf(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case float64:
		return int64(x), x == float64(int64(x))
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return n, err == nil
	}
	return 0, false
}

// compareVersions compares dotted numeric versions; ok is false when either
// is not one.
func compareVersions(a, b string) (int, bool) {
	pa, pb := strings.Split(strings.TrimSpace(a), "."), strings.Split(strings.TrimSpace(b), ".")
	for i := 0; i < max(len(pa), len(pb)); i++ {
		x, y := int64(0), int64(0)
		var err error
		if i < len(pa) {
			if x, err = strconv.ParseInt(pa[i], 10, 64); err != nil {
				return 0, false
			}
		}
		if i < len(pb) {
			if y, err = strconv.ParseInt(pb[i], 10, 64); err != nil {
				return 0, false
			}
		}
		if x != y {
			if x < y {
				return -1, true
			}
			return 1, true
		}
	}
	return 0, true
}

// meets reports whether a device value satisfies prop configured to
// required. known is false when the device value cannot be interpreted.
func meets(prop string, required any, actual string) (ok, known bool) {
	s := infoFor(prop)
	actual = strings.TrimSpace(actual)
	if s.kind == kindBool || s.kind == kindBlock {
		if r, isBool := boolOf(required); isBool && !r {
			return true, true
		}
	}
	if actual == "" {
		return false, false
	}
	switch s.kind {
	case kindBool:
		b, isBool := boolOf(actual)
		return b, isBool
	case kindBlock:
		b, isBool := boolOf(actual)
		return !b, isBool
	case kindMinInt, kindMaxInt:
		a, ok1 := intOf(actual)
		r, ok2 := intOf(required)
		if !ok1 || !ok2 {
			return false, false
		}
		return (s.kind == kindMinInt && a >= r) || (s.kind == kindMaxInt && a <= r), true
	case kindMinVersion, kindMaxVersion:
		c, ok := compareVersions(actual, fmtValue(required))
		return ok && ((s.kind == kindMinVersion && c >= 0) || (s.kind == kindMaxVersion && c <= 0)), ok
	case kindThreat:
		a, ok1 := threatRank[strings.ToLower(actual)]
		r, ok2 := threatRank[strings.ToLower(fmtValue(required))]
		return ok1 && ok2 && a <= r, ok1 && ok2
	case kindMinDate:
		a, err1 := time.Parse("2006-01-02", actual)
		r, err2 := time.Parse("2006-01-02", fmtValue(required))
		return err1 == nil && err2 == nil && !a.Before(r), err1 == nil && err2 == nil
	case kindRank:
		a, r := rankOf(s.ranks, actual), rankOf(s.ranks, fmtValue(required))
		return a >= 0 && r >= 0 && a >= r, a >= 0 && r >= 0
	}
	return false, false
}

func rankOf(ranks []string, v string) int {
	for i, r := range ranks {
		if strings.EqualFold(r, v) {
			return i
		}
	}
	return -1
}

// deviceValue is the device's value for prop: the value the device
// reported in its setting state when there is one, otherwise what the
// managed device record says (OS version, encryption, jailbreak state).
// The jailbreak setting always comes from the device record: its setting
// state echoes the configured value rather than the device's state.
func deviceValue(prop string, d source.ManagedDevice, recorded string, hasRecorded bool) (string, string) {
	switch prop {
	case "securityBlockJailbrokenDevices":
		switch strings.ToLower(d.JailBroken) {
		case "true":
			return "true", "jailBroken"
		case "false":
			return "false", "jailBroken"
		}
		return "", ""
	}
	if hasRecorded && strings.TrimSpace(recorded) != "" {
		return recorded, "currentValue"
	}
	switch prop {
	case "osMinimumVersion", "osMaximumVersion":
		return d.OSVersion, "osVersion"
	case "storageRequireEncryption", "bitLockerEnabled":
		return strconv.FormatBool(d.IsEncrypted), "isEncrypted"
	}
	return "", ""
}

// failing reports whether a setting state counts as failing.
func failing(state string) bool {
	switch strings.ToLower(state) {
	case "noncompliant", "error", "conflict":
		return true
	}
	return false
}
