package psdeob

import (
	"sort"
	"strings"

	"github.com/secmcp/secmcp/internal/lazyre"
)

type techRule struct {
	id, name, tactic string
	re               *lazyre.Regexp
}

func rule(id, name, tactic, re string) techRule {
	return techRule{id, name, tactic, lazyre.New("(?i)" + re)}
}

// Technique IDs and names follow MITRE ATT&CK Enterprise; the patterns are
// ours and deliberately specific.
var techRules = []techRule{
	rule("T1059.001", "Command and Scripting Interpreter: PowerShell", "Execution", `\b(?:iex|invoke-expression)\b|\bpowershell(?:\.exe)?\s+[-/]|\[scriptblock\]::create|invokecommand\.invokescript`),
	rule("T1059.003", "Command and Scripting Interpreter: Windows Command Shell", "Execution", `\bcmd(?:\.exe)?\s*/[ckr]\b`),
	rule("T1105", "Ingress Tool Transfer", "Command and Control", `\.download(?:file|string|data)(?:async|taskasync)?\s*\(|\b(?:invoke-webrequest|iwr|invoke-restmethod|irm|start-bitstransfer|wget|curl)\b\s+\S|bitsadmin\s+/transfer|\.openread\s*\(`),
	rule("T1620", "Reflective Code Loading", "Defense Evasion", `\[(?:system\.)?reflection\.assembly\]::load|\.entrypoint\.invoke|currentdomain\.load\(|::load\(\s*\[(?:system\.)?convert\]|\bassembly\]::load`),
	rule("T1562.001", "Impair Defenses: Disable or Modify Tools", "Defense Evasion", `amsiutils|amsiinitfailed|amsicontext|amsiscanbuffer|amsi\.dll|set-mppreference|add-mppreference|disablerealtimemonitoring|exclusionpath|disableioavprotection|disablebehaviormonitoring`),
	rule("T1562.002", "Impair Defenses: Disable Windows Event Logging", "Defense Evasion", `scriptblocklogging|enablescriptblockinvocationlogging|etwprovider|\betweventwrite|psetwlogprovider`),
	rule("T1547.001", "Boot or Logon Autostart Execution: Registry Run Keys / Startup Folder", "Persistence", `currentversion\\run(?:once)?\b|\\start menu\\programs\\startup|shell:startup`),
	rule("T1053.005", "Scheduled Task/Job: Scheduled Task", "Persistence", `\bschtasks(?:\.exe)?\b|register-scheduledtask|new-scheduledtaskaction`),
	rule("T1543.003", "Create or Modify System Process: Windows Service", "Persistence", `\bnew-service\b|\bsc(?:\.exe)?\s+create\b|\bcreateservice\b`),
	rule("T1546.003", "Event Triggered Execution: Windows Management Instrumentation Event Subscription", "Persistence", `__eventfilter|commandlineeventconsumer|activescripteventconsumer|__filtertoconsumerbinding|register-wmievent`),
	rule("T1003.001", "OS Credential Dumping: LSASS Memory", "Credential Access", `sekurlsa|invoke-mimikatz|minidumpwritedump|\blsass\b`),
	rule("T1003", "OS Credential Dumping", "Credential Access", `\bmimikatz\b|lsadump::|invoke-ninjacopy|\\sam\b.*\\system\b`),
	rule("T1555.003", "Credentials from Password Stores: Credentials from Web Browsers", "Credential Access", `login data|\\cookies\b|logins\.json`),
	rule("T1055", "Process Injection", "Defense Evasion", `virtualallocex|writeprocessmemory|createremotethread|queueuserapc|ntmapviewofsection`),
	rule("T1106", "Native API", "Execution", `dllimport|getprocaddress|getdelegateforfunctionpointer|virtualalloc\b|createthread\b|virtualprotect\b`),
	rule("T1564.003", "Hide Artifacts: Hidden Window", "Defense Evasion", `-w(?:indowstyle|indowsty|indows|indow|ind|in|i)?\s+(?:h(?:idden|idde|idd|id|i)?|1)\b|windowstyle\s*=\s*['"]?hidden|createnowindow\s*=\s*\$true|windowstyle\]::hidden`),
	rule("T1095", "Non-Application Layer Protocol", "Command and Control", `net\.sockets\.tcpclient|net\.sockets\.udpclient|sockets\.socket\b`),
	rule("T1071.001", "Application Layer Protocol: Web Protocols", "Command and Control", `headers\.add\(\s*['"]user-agent|\.useragent\s*=|-useragent\b`),
	rule("T1082", "System Information Discovery", "Discovery", `win32_operatingsystem|\bsysteminfo\b|\[environment\]::osversion|get-computerinfo`),
	rule("T1033", "System Owner/User Discovery", "Discovery", `\bwhoami\b|\[environment\]::username|windowsidentity\]::getcurrent`),
	rule("T1016", "System Network Configuration Discovery", "Discovery", `\bipconfig\b|get-netipaddress|get-netipconfiguration|win32_networkadapterconfiguration`),
	rule("T1057", "Process Discovery", "Discovery", `\bget-process\b|\btasklist\b`),
	rule("T1087", "Account Discovery", "Discovery", `\bnet\s+user\b|\bget-localuser\b|\bget-aduser\b|\bnet\s+group\b`),
	rule("T1018", "Remote System Discovery", "Discovery", `get-adcomputer|\bnet\s+view\b|\bnltest\b`),
	rule("T1021.006", "Remote Services: Windows Remote Management", "Lateral Movement", `invoke-command\b.*-computername|enter-pssession|new-pssession`),
	rule("T1021.002", "Remote Services: SMB/Windows Admin Shares", "Lateral Movement", `\\\\[a-z0-9._-]+\\(?:admin|c|ipc)\$|\bpsexec`),
	rule("T1047", "Windows Management Instrumentation", "Execution", `invoke-wmimethod|invoke-cimmethod|win32_process.*\bcreate\b|\bwmic\b`),
	rule("T1112", "Modify Registry", "Defense Evasion", `set-itemproperty|new-itemproperty|\breg(?:\.exe)?\s+add\b`),
	rule("T1070.001", "Indicator Removal: Clear Windows Event Logs", "Defense Evasion", `clear-eventlog|wevtutil(?:\.exe)?\s+cl\b`),
	rule("T1490", "Inhibit System Recovery", "Impact", `vssadmin.*delete\s+shadows|wbadmin.*delete|shadowcopy.*delete|bcdedit.*recoveryenabled`),
	rule("T1113", "Screen Capture", "Collection", `copyfromscreen`),
	rule("T1056.001", "Input Capture: Keylogging", "Collection", `getasynckeystate|setwindowshookex`),
	rule("T1197", "BITS Jobs", "Defense Evasion", `start-bitstransfer|bitsadmin`),
	rule("T1218.005", "System Binary Proxy Execution: Mshta", "Defense Evasion", `\bmshta(?:\.exe)?\b`),
	rule("T1218.011", "System Binary Proxy Execution: Rundll32", "Defense Evasion", `\brundll32(?:\.exe)?\b`),
	rule("T1140", "Deobfuscate/Decode Files or Information", "Defense Evasion", `frombase64string|compression\.(?:deflate|gzip)stream|-bxor|convertto-securestring`),
}

// maxTechScanBytes bounds the text of one layer the technique rules read:
// each rule scans it line by line, so the time is rules × bytes.
const maxTechScanBytes = 128 << 10

// detectTechniques scans the most decoded layers first so the evidence is
// readable, and adds T1027/T1140 from what the evaluator actually decoded.
// done reports that the deadline passed, after which no further layer is read.
func detectTechniques(layers []Layer, ops map[string]bool, obf []string, done func() bool) []Technique {
	found := map[string]Technique{}
	for li := len(layers) - 1; li >= 0 && !done(); li-- {
		text := strings.ReplaceAll(layers[li].Text, "`", "")
		if len(text) > maxTechScanBytes {
			text = text[:maxTechScanBytes]
		}
		lines := strings.Split(text, "\n")
		for _, r := range techRules {
			if _, ok := found[r.id]; ok || done() {
				continue
			}
			for n, ln := range lines {
				loc := r.re.FindStringIndex(ln)
				if loc == nil {
					continue
				}
				found[r.id] = Technique{ID: r.id, Name: r.name, Tactic: r.tactic, Evidence: snippet(ln, loc), Layer: li, Line: n + 1}
				break
			}
		}
	}
	if len(layers) > 1 || len(obf) > 0 {
		ev, ln := "", 1
		if len(layers) > 0 {
			ev = snippet(firstLine(layers[0].Text), []int{0, 0})
		}
		found["T1027"] = Technique{ID: "T1027", Name: "Obfuscated Files or Information", Tactic: "Defense Evasion", Evidence: ev, Layer: 0, Line: ln}
	}
	if _, ok := found["T1140"]; !ok {
		for op := range ops {
			if strings.Contains(op, "base64") || strings.Contains(op, "deflate") || strings.Contains(op, "gzip") || strings.Contains(op, "bxor") || strings.Contains(op, "SecureString") {
				found["T1140"] = Technique{ID: "T1140", Name: "Deobfuscate/Decode Files or Information", Tactic: "Defense Evasion", Evidence: "decoded at run time: " + op, Layer: 0, Line: 1}
				break
			}
		}
	}
	out := make([]Technique, 0, len(found))
	for _, t := range found {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			return l
		}
	}
	return ""
}

// snippet returns up to ~160 characters of line around the match.
func snippet(line string, loc []int) string {
	line = strings.TrimRight(line, "\r")
	st, en := loc[0]-60, loc[1]+100
	if st < 0 {
		st = 0
	}
	if en > len(line) {
		en = len(line)
	}
	for st > 0 && st < len(line) && line[st]&0xC0 == 0x80 {
		st--
	}
	for en < len(line) && line[en]&0xC0 == 0x80 {
		en++
	}
	s := strings.TrimSpace(line[st:en])
	if st > 0 {
		s = "…" + s
	}
	if en < len(line) {
		s += "…"
	}
	return s
}
