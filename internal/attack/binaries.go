package attack

import "strings"

// systemBinaries are Windows and common application binaries found on every
// managed device: attackers run them (living off the land), but their hash
// says nothing about the attacker, so a "same hash elsewhere" hunt or a
// block indicator for them would match the whole fleet (or break it).
var systemBinaries = map[string]bool{
	"cmd.exe": true, "powershell.exe": true, "pwsh.exe": true, "powershell_ise.exe": true, "rundll32.exe": true,
	"regsvr32.exe": true, "mshta.exe": true, "wscript.exe": true, "cscript.exe": true, "svchost.exe": true,
	"conhost.exe": true, "explorer.exe": true, "lsass.exe": true, "services.exe": true, "wmic.exe": true,
	"wmiprvse.exe": true, "msiexec.exe": true, "certutil.exe": true, "bitsadmin.exe": true, "schtasks.exe": true,
	"sc.exe": true, "net.exe": true, "net1.exe": true, "reg.exe": true, "whoami.exe": true, "taskhostw.exe": true,
	"dllhost.exe": true, "werfault.exe": true, "winlogon.exe": true, "userinit.exe": true, "mstsc.exe": true,
	"msedge.exe": true, "chrome.exe": true, "firefox.exe": true, "winword.exe": true, "excel.exe": true,
	"outlook.exe": true, "powerpnt.exe": true, "onedrive.exe": true, "teams.exe": true, "ms-teams.exe": true,
	"curl.exe": true, "tar.exe": true, "robocopy.exe": true, "nltest.exe": true, "vssadmin.exe": true,
	"wevtutil.exe": true, "bcdedit.exe": true, "netsh.exe": true, "ping.exe": true, "ipconfig.exe": true,
}

// SystemBinary reports whether a file (by name, or by a path under the
// Windows directory) is a built-in or ubiquitous binary whose hash does not
// single out attacker tooling.
func SystemBinary(fileName, folderPath string) bool {
	name := strings.ToLower(strings.TrimSpace(fileName))
	if i := strings.LastIndexAny(name, `\/`); i >= 0 {
		name = name[i+1:]
	}
	if systemBinaries[name] {
		return true
	}
	p := strings.ToLower(strings.ReplaceAll(folderPath, "/", `\`))
	return strings.HasPrefix(p, `c:\windows\system32\`) || strings.HasPrefix(p, `c:\windows\syswow64\`)
}
