package defender

import (
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/secmcp/secmcp/internal/attack"
	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/resources"
)

// Recommendation is one response step an incident's evidence calls for. It
// names the entity it is about and the alerts that call for it, and cites
// those alerts: a step no alert supports is never made.
type Recommendation struct {
	// Phase is contain, investigate or remediate.
	Phase string `json:"phase"`
	Text  string `json:"text"`
	// Entity is the device, account, hash, domain, IP or message the step is about.
	Entity string `json:"entity"`
	// Alerts are the IDs of the alerts whose evidence calls for the step.
	Alerts []string `json:"alerts"`
	URIs   []string `json:"uris"`
}

// Recommendation phases, in the order a responder works through them.
const (
	PhaseContain     = "contain"
	PhaseInvestigate = "investigate"
	PhaseRemediate   = "remediate"
)

// hostileCategories are the alert categories whose device evidence calls for
// isolating the device.
var hostileCategories = map[string]bool{
	"Execution": true, "Persistence": true, "PrivilegeEscalation": true, "DefenseEvasion": true,
	"CredentialAccess": true, "LateralMovement": true, "CommandAndControl": true, "Exfiltration": true,
	"Impact": true, "Malware": true, "Ransomware": true,
}

// recommender collects steps, merging those about the same action and entity.
type recommender struct {
	alias string
	steps []*Recommendation
	byKey map[string]*Recommendation
}

// Recommend derives the response steps the incident's alerts and their
// evidence call for, one per action and entity, in the order the alerts
// happened. Each step cites the alerts that call for it. A step is made only
// when an alert's category, techniques or evidence support it: isolation
// for devices of hostile alerts, credential resets for accounts of
// credential-access or lateral-movement alerts, indicators for malicious
// files (never system binaries), domains and public IPs, purging for
// phishing messages not already removed, removing the autostart entries and
// inbox or forwarding rules the alerts show, restoring disabled protection.
func Recommend(alias string, in source.Incident) []Recommendation {
	r := &recommender{alias: alias, byKey: map[string]*Recommendation{}}
	alerts := append([]source.Alert(nil), in.Alerts...)
	sort.SliceStable(alerts, func(i, j int) bool { return alertStart(alerts[i]).Before(alertStart(alerts[j])) })
	for _, a := range alerts {
		r.alert(a)
	}
	out := make([]Recommendation, 0, len(r.steps))
	for _, phase := range []string{PhaseContain, PhaseInvestigate, PhaseRemediate} {
		for _, s := range r.steps {
			if s.Phase == phase {
				out = append(out, *s)
			}
		}
	}
	return out
}

// add records a step for alert a; a step already made for the same key only
// gains the alert.
func (r *recommender) add(a source.Alert, phase, key, entity, step string) {
	uri := resources.URI(r.alias, resources.KindAlert, a.ID)
	if s, ok := r.byKey[key]; ok {
		if !contains(s.Alerts, a.ID) {
			s.Alerts = append(s.Alerts, a.ID)
			s.URIs = append(s.URIs, uri)
		}
		return
	}
	s := &Recommendation{Phase: phase, Text: step, Entity: entity, Alerts: []string{a.ID}, URIs: []string{uri}}
	r.byKey[key] = s
	r.steps = append(r.steps, s)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// alertFacts is what one alert says, for deciding which steps it calls for.
type alertFacts struct {
	a       source.Alert
	techs   map[string]bool
	devices []string
}

// hasTech reports whether the alert names a technique or a sub-technique
// of one of prefixes.
func (f alertFacts) hasTech(prefixes ...string) bool {
	for t := range f.techs {
		for _, p := range prefixes {
			if t == p || strings.HasPrefix(t, p+".") {
				return true
			}
		}
	}
	return false
}

// alert adds the steps one alert's evidence calls for.
func (r *recommender) alert(a source.Alert) {
	f := alertFacts{a: a, techs: map[string]bool{}, devices: evidenceDevices(a)}
	for _, t := range a.MitreTechniques {
		f.techs[attack.NormalizeID(t)] = true
	}
	for _, e := range a.Evidence {
		switch e.Kind {
		case "deviceEvidence":
			if e.DeviceName != "" {
				r.device(f, e.DeviceName)
			}
		case "userEvidence":
			credExposed := a.Category == "CredentialAccess" || a.Category == "LateralMovement" || f.hasTech("T1003", "T1550", "T1110", "T1558", "T1078")
			if credExposed && e.UserPrincipalName != "" {
				r.add(a, PhaseContain, "reset|"+lower(e.UserPrincipalName), e.UserPrincipalName,
					"Reset the password of "+e.UserPrincipalName+" and revoke its sessions: the account's credentials were exposed")
			}
		case "fileEvidence", "processEvidence":
			r.file(a, e, f.devices)
		default:
			r.other(f, e)
		}
	}
}

// device adds the steps a device of an alert calls for.
func (r *recommender) device(f alertFacts, dev string) {
	a, key := f.a, lower(dev)
	if hostileCategories[a.Category] && (a.Severity == "high" || a.Severity == "medium") {
		r.add(a, PhaseContain, "isolate|"+key, dev, "Isolate "+dev+" (Defender for Endpoint device isolation) until it is cleaned or reimaged")
	}
	if f.hasTech("T1003") {
		r.add(a, PhaseRemediate, "reset-signed-in|"+key, dev,
			"Reset the passwords of every account that signed in to "+dev+" before the credential dumping, admins first")
	}
	if f.hasTech("T1490", "T1486") {
		r.add(a, PhaseRemediate, "backups|"+key, dev,
			"Check that the backups of "+dev+" are intact and offline before restoring: the attacker went after recovery")
	}
	if f.hasTech("T1053", "T1543") {
		r.add(a, PhaseRemediate, "task-service|"+key+"|"+a.ID, dev,
			"Remove the scheduled task or service that alert "+a.ID+" shows on "+dev+" and the program it runs")
	}
	if f.hasTech("T1562") {
		r.add(a, PhaseRemediate, "restore-protection|"+key, dev, "Turn the disabled protection back on for "+dev+" and enable tamper protection")
	}
}

// other adds the steps of URL, IP, message, registry and mailbox evidence.
func (r *recommender) other(f alertFacts, e source.Evidence) {
	a := f.a
	switch e.Kind {
	case "urlEvidence":
		if host := urlHost(e.URL); host != "" {
			r.add(a, PhaseContain, "block-domain|"+host, host, "Block "+host+" with a Defender for Endpoint URL/domain indicator (seen as "+e.URL+")")
			if a.Category == "Exfiltration" {
				r.add(a, PhaseInvestigate, "exfil|"+host, host, "Establish what was sent to "+host+", how much, and whether notification is required")
			}
		}
	case "ipEvidence":
		if publicIP(e.IPAddress) && (a.Category == "InitialAccess" || a.Category == "CredentialAccess" || a.Category == "CommandAndControl" || a.Category == "Exfiltration") {
			r.add(a, PhaseContain, "block-ip|"+e.IPAddress, e.IPAddress, "Block "+e.IPAddress+" at the edge and in a Conditional Access named location")
		}
	case "analyzedMessageEvidence":
		if e.Subject != "" && !remediated(e) && a.Status != "resolved" {
			r.add(a, PhaseContain, "purge|"+e.Subject, e.Subject,
				"Purge the message "+text.Quote(e.Subject)+" from every mailbox that received it and block its sender")
		}
	case "registryValueEvidence", "registryKeyEvidence":
		if a.Category == "Persistence" || f.hasTech("T1547", "T1112") {
			r.add(a, PhaseRemediate, "autostart|"+lower(e.RegistryKey)+"|"+lower(e.RegistryValue), e.RegistryKey,
				"Remove the autostart entry under "+e.RegistryKey+" and the program it starts"+onDevices(f.devices))
		}
	case "mailboxEvidence":
		if forwardingAlert(a, f.hasTech) && e.MailboxUPN != "" {
			r.add(a, PhaseContain, "forwarding|"+lower(e.MailboxUPN), e.MailboxUPN,
				"Remove the inbox or forwarding rules of "+e.MailboxUPN+" and block external auto-forwarding")
		}
	}
}

// file adds the steps for a file or process of an alert: a block indicator
// for a malicious or suspicious file that is not a system binary, and
// decoding for an encoded PowerShell command line.
func (r *recommender) file(a source.Alert, e source.Evidence, devices []string) {
	if e.Kind == "processEvidence" && encodedCommand(e.ProcessCommandLine) {
		r.add(a, PhaseInvestigate, "decode|"+a.ID, a.ID,
			"Decode the encoded PowerShell command of alert "+a.ID+" (scripts_analyze with fromAlertId "+a.ID+") to see what it downloaded and ran"+onDevices(devices))
	}
	if e.SHA256 == "" || (e.Verdict != "malicious" && e.Verdict != "suspicious") || attack.SystemBinary(e.FileName, e.FilePath) {
		return
	}
	switch ext := strings.ToLower(path.Ext(e.FileName)); {
	case ext == ".dmp":
		// A memory dump is the stolen data, not the attacker's tool.
		r.add(a, PhaseRemediate, "delete-dump|"+lower(e.SHA256), e.FileName,
			"Delete the memory dump "+e.FileName+onDevices(devices)+" and treat every credential in it as stolen")
	case runnable[ext]:
		r.add(a, PhaseContain, "block-hash|"+lower(e.SHA256), e.SHA256,
			"Add a block indicator for "+e.FileName+" (SHA-256 "+e.SHA256+") and remove it"+onDevices(devices))
	}
}

// runnable are the file types a hash block indicator stops from running
// (documents and archives are data: blocking their hash protects nothing).
var runnable = map[string]bool{".exe": true, ".dll": true, ".scr": true, ".sys": true, ".ps1": true, ".psm1": true,
	".bat": true, ".cmd": true, ".vbs": true, ".vbe": true, ".js": true, ".jse": true, ".wsf": true, ".hta": true,
	".msi": true, ".lnk": true, ".jar": true, ".cpl": true, ".com": true}

func evidenceDevices(a source.Alert) []string {
	var out []string
	for _, e := range a.Evidence {
		if e.Kind == "deviceEvidence" && e.DeviceName != "" && !contains(out, e.DeviceName) {
			out = append(out, e.DeviceName)
		}
	}
	return out
}

func onDevices(devices []string) string {
	if len(devices) == 0 {
		return ""
	}
	return " on " + strings.Join(devices, ", ")
}

// forwardingAlert reports whether an alert is about mailbox rules:
// techniques T1114.003 (email forwarding rule) or T1564.008 (email hiding
// rules), or a title that says so.
func forwardingAlert(a source.Alert, hasTech func(...string) bool) bool {
	t := strings.ToLower(a.Title)
	return hasTech("T1114.003", "T1564.008") || strings.Contains(t, "forwarding") || strings.Contains(t, "inbox rule") || strings.Contains(t, "inbox manipulation")
}

// encodedCommand reports whether a command line passes PowerShell an
// encoded command (-enc, -e, -EncodedCommand and their abbreviations).
func encodedCommand(cmd string) bool {
	l := strings.ToLower(cmd)
	if !strings.Contains(l, "powershell") && !strings.Contains(l, "pwsh") {
		return false
	}
	for _, f := range strings.Fields(l) {
		if f = strings.TrimLeft(f, "-/"); f != "" && strings.HasPrefix("encodedcommand", f) {
			return true
		}
	}
	return false
}

func remediated(e source.Evidence) bool {
	switch strings.ToLower(e.Remediation) {
	case "remediated", "prevented", "blocked":
		return true
	}
	return false
}

func urlHost(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
