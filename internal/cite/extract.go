package cite

import (
	"net/netip"
	"sort"
	"strings"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// maxExtract bounds the text Extract looks at (64 KiB).
const maxExtract = 64 << 10

// extractor finds one kind of fact; conv returns the fact for a match or
// false to leave the match to later extractors (a fact with an empty Kind
// masks the match without producing a fact).
type extractor struct {
	re   *lazyre.Regexp
	conv func(m string) (Fact, bool)
}

var versionRe = lazyre.New(`\b\d+\.\d+\.\d+(?:\.\d+)?\b`)

var (
	secmcpRe = lazyre.New(`secmcp://[^\s<>"'()\[\]|]+`)
	urlRe    = lazyre.New(`(?i)\b(?:https?|hxxps?|ftp)://[^\s<>"'()\[\]|]+`)
	emailRe  = lazyre.New(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}`)
	guidRe   = lazyre.New(`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b`)
	hashRe   = lazyre.New(`\b(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{40}|[0-9a-fA-F]{32})\b`)
	dateRe   = lazyre.New(`\b\d{4}-\d{2}-\d{2}\b`)
	ipv4Re   = lazyre.New(`\b(?:\d{1,3}\.){3}\d{1,3}\b`)
	ipv6Re   = lazyre.New(`(?i)(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}`)
	techRe   = lazyre.New(`\bT\d{4}(?:\.\d{3})?\b`)
	cveRe    = lazyre.New(`(?i)\bCVE-\d{4}-\d{4,7}\b`)
	mixIDRe  = lazyre.New(`\b[A-Za-z]{1,8}\d{6,}[A-Za-z0-9]*\b`)
	uidRe    = lazyre.New(`\b[A-Za-z0-9]+_[A-Za-z0-9_\-]*[0-9][A-Za-z0-9_\-]*\b`)
	fqdnRe   = lazyre.New(`(?i)\b[a-z0-9](?:[a-z0-9\-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]{0,62}[a-z0-9])?)*\.[a-z]{2,24}\b`)
	shortRe  = lazyre.New(`\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\b`)
	numRe    = lazyre.New(`\b\d{1,3}(?:,\d{3})+(?:\.\d+)?\b|\b\d{2,}(?:\.\d+)?\b|\b\d\.\d+\b`)
)

// fileExts are extensions that make a dotted token a file name, not a host.
var fileExts = map[string]bool{
	"exe": true, "dll": true, "ps1": true, "psm1": true, "bat": true, "cmd": true, "vbs": true, "js": true,
	"hta": true, "lnk": true, "iso": true, "img": true, "msi": true, "sys": true, "scr": true, "jar": true,
	"doc": true, "docx": true, "docm": true, "xls": true, "xlsx": true, "xlsm": true, "ppt": true, "pptx": true,
	"pdf": true, "txt": true, "csv": true, "zip": true, "rar": true, "7z": true, "gz": true, "tar": true,
	"tmp": true, "dat": true, "log": true, "json": true, "xml": true, "html": true, "htm": true, "png": true,
	"jpg": true, "one": true, "rtf": true, "eml": true, "msg": true, "py": true, "sh": true, "kql": true, "md": true,
}

// notHosts are upper-case hyphenated words that look like short host names.
var notHosts = map[string]bool{"SHA-1": true, "SHA-256": true, "SHA-512": true, "AES-256": true, "UTF-8": true,
	"UTF-16": true, "X-509": true, "RC-4": true, "TLS-1": true}

var extractors = []extractor{
	{urlRe, func(m string) (Fact, bool) { return Fact{KindURL, strings.TrimRight(m, ".,;:!?")}, true }},
	{emailRe, func(m string) (Fact, bool) { return Fact{KindUPN, strings.ToLower(m)}, true }},
	{timeRe, func(m string) (Fact, bool) { _, ok := parseTime(m); return Fact{KindTime, m}, ok }},
	{guidRe, func(m string) (Fact, bool) { return Fact{KindID, strings.ToLower(m)}, true }},
	{hashRe, func(m string) (Fact, bool) { return Fact{KindHash, strings.ToLower(m)}, true }},
	{dateRe, func(m string) (Fact, bool) { return Fact{KindText, m}, true }},
	{ipv4Re, ipFact},
	{ipv6Re, func(m string) (Fact, bool) {
		if strings.Count(m, ":") < 2 || (!strings.Contains(m, "::") && strings.Count(m, ":") != 7) {
			return Fact{}, false
		}
		return ipFact(m)
	}},
	// Dotted versions (OS builds such as 10.0.19045.2006, app versions such
	// as 16.7.8) are one text fact, not several numbers.
	{versionRe, func(m string) (Fact, bool) { return Fact{KindText, m}, true }},
	{techRe, func(m string) (Fact, bool) { return Fact{KindTechnique, strings.ToUpper(m)}, true }},
	{cveRe, func(m string) (Fact, bool) { return Fact{KindID, strings.ToUpper(m)}, true }},
	{uidRe, func(m string) (Fact, bool) { return Fact{KindID, m}, true }},
	{mixIDRe, func(m string) (Fact, bool) { return Fact{KindID, m}, true }},
	{fqdnRe, func(m string) (Fact, bool) {
		m = strings.TrimRight(m, ".")
		ext := strings.ToLower(m[strings.LastIndexByte(m, '.')+1:])
		if fileExts[ext] {
			return Fact{KindText, m}, true
		}
		return Fact{KindHost, strings.ToLower(m)}, true
	}},
	{shortRe, func(m string) (Fact, bool) {
		if notHosts[m] {
			return Fact{}, true // a known word: masked, no fact
		}
		if !strings.ContainsAny(m, "0123456789") {
			return Fact{}, false
		}
		return Fact{KindHost, m}, true
	}},
	{numRe, func(m string) (Fact, bool) { return Fact{KindNumber, m}, true }},
}

func ipFact(m string) (Fact, bool) {
	a, err := netip.ParseAddr(m)
	if err != nil {
		return Fact{}, false
	}
	return Fact{KindIP, a.Unmap().String()}, true
}

// Extract finds the checkable facts in a sentence: URLs, UPNs and e-mail
// addresses, timestamps (RFC 3339 / "2030-01-01 10:00 UTC"), dates, GUIDs,
// MD5/SHA-1/SHA-256 hashes, IPv4/IPv6 addresses, ATT&CK technique IDs, CVE
// IDs, underscore IDs (alert IDs), FQDNs and domains (file names such as
// payload.exe become text facts), upper-case hyphenated host names with a
// digit (CT-LT-1037), and numbers of two or more digits or with a decimal
// part. Single-digit integers (list numbering, small counts) are not facts.
// secmcp:// URIs are citations, not facts, and are skipped. Each span is
// claimed by the first extractor that matches it, in the order above.
// Facts are deduplicated and returned in order of appearance.
func Extract(text string) []Fact {
	if len(text) > maxExtract {
		text = text[:maxExtract]
	}
	buf := []byte(secmcpRe.ReplaceAllStringFunc(text, blank))
	type found struct {
		at   int
		fact Fact
	}
	var all []found
	for _, ex := range extractors {
		for _, loc := range ex.re.FindAllIndex(buf, -1) {
			f, ok := ex.conv(string(buf[loc[0]:loc[1]]))
			if !ok {
				continue
			}
			if f.Kind != "" {
				all = append(all, found{loc[0], f})
			}
			for i := loc[0]; i < loc[1]; i++ {
				buf[i] = ' '
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].at < all[j].at })
	seen := map[Fact]bool{}
	var out []Fact
	for _, f := range all {
		k := Fact{f.fact.Kind, strings.ToLower(f.fact.Value)}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f.fact)
	}
	return out
}

func blank(s string) string { return strings.Repeat(" ", len(s)) }
