package psdeob

import (
	"fmt"
	"sort"
	"strings"

	"github.com/secmcp/secmcp/internal/lazyre"
)

var obfRegexes = []struct {
	tag string
	re  *lazyre.Regexp
}{
	{"concat", lazyre.New(`['"]\s*\+\s*['"]`)},
	{"char_cast", lazyre.New(`(?i)\[char\]\s*\(?\s*\d|\[char\[\]\]`)},
	{"backtick", lazyre.New("[A-Za-z]`[A-Za-z]")},
	{"iex", lazyre.New(`(?i)\b(?:iex|invoke-expression)\b`)},
	{"iex_name_obfuscation", lazyre.New(`(?i)\$(?:pshome|shellid|env:comspec|env:public)\s*\[|\*mdr\*|verbosepreference\s*\)?\s*\.\s*tostring|\[string\]\s*\$verbosepreference`)},
	{"invoke_method", lazyre.New(`(?i)\.invoke\s*\(`)},
	{"securestring", lazyre.New(`(?i)convertto-securestring|securestringto`)},
	{"special_char_vars", lazyre.New(`\$\{[^\w}\s][^}]*\}`)},
	{"ascii_charcode_encoding", lazyre.New(`(?:\b\d{2,3}\s*[^\w\s"'.]\s*){40,}`)},
	{"download_cradle", lazyre.New(`(?i)\.download(?:string|file|data)|invoke-webrequest|\biwr\b|\birm\b|invoke-restmethod`)},
	{"format_reorder", lazyre.New(`\{\d+\}\{\d+\}.*-f`)},
}

var caseWordRe = lazyre.New(`\b[A-Za-z][A-Za-z-]{2,24}\b`)
var randCaseRe = lazyre.New(`[a-z][A-Z][a-z]*[A-Z][a-z]*[A-Z]|[A-Z]{2}[a-z][A-Z]|[a-z][A-Z][a-z][A-Z]`)

// obfuscationTags names the obfuscation techniques seen, using the corpus
// vocabulary (concat, base64, deflate, bxor, iex_name_obfuscation, ...).
// done reports that the deadline passed, after which no further layer is read.
func obfuscationTags(layers []Layer, ops map[string]bool, done func() bool) []string {
	tags := map[string]bool{}
	for op := range ops {
		switch {
		case strings.Contains(op, "base64"):
			tags["base64"] = true
		case strings.Contains(op, "raw deflate"):
			tags["deflate"], tags["compressed_layer"] = true, true
		case strings.Contains(op, "gzip"):
			tags["gzip"], tags["compressed_layer"] = true, true
		case strings.HasPrefix(op, "-bxor"):
			tags["bxor"] = true
		case op == "-join":
			tags["join"] = true
		case op == "-split" || op == ".Split()":
			tags["split"] = true
		case op == "-replace" || op == ".Replace()":
			tags["replace"] = true
		case op == "string reversal":
			tags["reverse"] = true
		case strings.HasPrefix(op, "SecureString"):
			tags["securestring"] = true
		case strings.HasPrefix(op, "numeric base"):
			tags["numeric_encoding"] = true
		case op == "cmd.exe launcher":
			tags["launcher_cmd"] = true
		case strings.HasPrefix(op, "mshta"):
			tags["launcher_mshta_wmic_rundll"] = true
		}
	}
	for i, l := range layers {
		if done() {
			break
		}
		if strings.Contains(l.Method, "EncodedCommand") {
			tags["encodedcommand_base64"], tags["base64"], tags["utf16le_unicode"] = true, true, true
		}
		text := l.Text
		if len(text) > 1<<20 {
			text = text[:1<<20]
		}
		if strings.Contains(strings.ToLower(text), "unicode.getstring") {
			tags["utf16le_unicode"] = true
		}
		for _, r := range obfRegexes {
			if r.tag == "download_cradle" || i < len(layers)-1 || len(layers) == 1 {
				if r.re.MatchString(text) {
					tags[r.tag] = true
				}
			}
		}
		if hasRandomCase(text) {
			tags["case_randomization"] = true
		}
	}
	out := make([]string, 0, len(tags))
	for t := range tags {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

func hasRandomCase(text string) bool {
	n := 0
	for _, w := range caseWordRe.FindAllString(text, 20000) {
		if randCaseRe.MatchString(w) {
			n++
			if n >= 3 {
				return true
			}
		}
	}
	return false
}

var highRisk = map[string]string{
	"T1620":     "loads a .NET assembly reflectively from memory",
	"T1055":     "contains process-injection API usage",
	"T1562.001": "tampers with AMSI or Microsoft Defender",
	"T1562.002": "disables PowerShell script-block / event logging",
	"T1003":     "dumps credentials",
	"T1003.001": "targets LSASS memory for credentials",
	"T1546.003": "sets up WMI event-subscription persistence",
	"T1095":     "opens a raw TCP/UDP connection (reverse-shell pattern)",
	"T1490":     "deletes shadow copies or backups",
	"T1056.001": "captures keystrokes",
}

// verdict combines behaviours, indicators and obfuscation into a label.
func verdict(a *Analysis) (string, []string) {
	var reasons []string
	has := map[string]bool{}
	for _, t := range a.Techniques {
		has[t.ID] = true
	}
	net := 0
	for _, i := range a.Indicators {
		if i.Type == "url" || i.Type == "ip" || i.Type == "domain" {
			net++
		}
	}
	score := 0
	ids := make([]string, 0, len(highRisk))
	for id := range highRisk {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if has[id] {
			reasons = append(reasons, "it "+highRisk[id]+" ("+id+")")
			score += 3
		}
	}
	if has["T1105"] {
		reasons = append(reasons, "it downloads content from the network (T1105)")
		score += 2
		if has["T1059.001"] || has["T1620"] {
			score++
		}
	}
	for _, id := range []string{"T1547.001", "T1053.005", "T1543.003"} {
		if has[id] {
			reasons = append(reasons, "it creates persistence ("+id+")")
			score += 2
		}
	}
	if len(a.Layers) > 1 {
		reasons = append(reasons, fmt.Sprintf("it hides its code behind %d layer(s) of encoding/obfuscation (T1027)", len(a.Layers)-1))
		score += 2
	} else if has["T1027"] {
		reasons = append(reasons, "it uses obfuscation (T1027)")
		score++
	}
	if has["T1564.003"] {
		reasons = append(reasons, "it runs with a hidden window (T1564.003)")
		score++
	}
	if net > 0 {
		reasons = append(reasons, fmt.Sprintf("it contains %d network indicator(s)", net))
		score++
	}
	if a.Incomplete != "" {
		// A script that outgrows the analysis budget is not shown to be
		// harmless: building values this large or running this long is a
		// known way to exhaust sandboxes, and part of it went unread.
		reasons = append(reasons, "it could not be analysed to the end (it outgrew the analysis budget, a known sandbox-evasion pattern), so what it finally runs is unknown")
		score = max(score, 2)
	}
	switch {
	case score >= 5:
		return VerdictMalicious, reasons
	case score >= 2:
		return VerdictSuspicious, reasons
	}
	if len(reasons) == 0 {
		reasons = []string{"no obfuscation or known malicious behaviour was found"}
	}
	return VerdictBenign, reasons
}

var fileNameRe = lazyre.New(`(?i)[\w.-]+\.(?:exe|dll|ps1|bat|cmd|vbs|js|hta|scr|jar|msi|lnk|zip|rar|7z|iso|doc[xm]?|xls[xm]?)\b`)
var fragmentRe = lazyre.New(`(?i)-(?:nop|noni|w\s+hidden|windowstyle\s+hidden|exec(?:utionpolicy)?\s+bypass|ep\s+bypass|enc(?:odedcommand)?|ec)\b|frombase64string|downloadstring|downloadfile|io\.compression\.(?:gzip|deflate)stream|convertto-securestring|-bxor|reflection\.assembly\]::load|amsiinitfailed`)

// done reports that the deadline passed, after which no further layer is read.
func huntingHints(a *Analysis, done func() bool) HuntingHints {
	h := HuntingHints{}
	add := func(list *[]string, seen map[string]bool, v string) {
		k := strings.ToLower(v)
		if v != "" && !seen[k] && len(*list) < 100 {
			seen[k] = true
			*list = append(*list, v)
		}
	}
	seenU, seenD, seenI, seenF, seenR, seenA, seenC := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, i := range a.Indicators {
		switch i.Type {
		case "url":
			add(&h.URLs, seenU, i.Value)
			if m := fileNameRe.FindString(i.Value[strings.LastIndex(i.Value, "/")+1:]); m != "" {
				add(&h.FileNames, seenF, m)
			}
		case "domain":
			add(&h.Domains, seenD, i.Value)
		case "ip":
			add(&h.IPs, seenI, i.Value)
		case "path":
			if m := fileNameRe.FindString(i.Value[strings.LastIndex(i.Value, "\\")+1:]); m != "" {
				add(&h.FileNames, seenF, m)
			}
		case "registry":
			add(&h.RegistryKeys, seenR, i.Value)
		case "useragent":
			add(&h.UserAgents, seenA, i.Value)
		}
	}
	for _, l := range a.Layers {
		if done() {
			break
		}
		text := l.Text
		if len(text) > 1<<20 {
			text = text[:1<<20]
		}
		for _, m := range fragmentRe.FindAllString(text, 200) {
			add(&h.CommandLineFragments, seenC, strings.ToLower(m))
		}
	}
	return h
}
