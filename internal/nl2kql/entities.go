package nl2kql

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// Kinds of entity found in a question.
const (
	EntityUser    = "user"    // UPN or e-mail address
	EntityAccount = "account" // bare account name (DOMAIN\name or "user jdoe")
	EntityIP      = "ip"
	EntitySHA256  = "sha256"
	EntitySHA1    = "sha1"
	EntityMD5     = "md5"
	EntityDevice  = "device"
	EntityFile    = "file"
	EntityURL     = "url"
	EntityDomain  = "domain"
	EntityCVE     = "cve"
	EntityEventID = "eventid"
	EntityPort    = "port"
	EntityCountry = "country"
	EntityText    = "text" // a quoted phrase
)

// Entity is a literal taken from the question. Role says how the question
// uses it when it can tell: "sender", "recipient", "parent", "source",
// "destination" or "".
type Entity struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
	Role  string `json:"role,omitempty"`
}

var (
	reQuoted  = lazyre.New(`"([^"]{1,200})"|'([^']{2,200})'|“([^”]{1,200})”`)
	reURL     = lazyre.New(`(?i)\bhxxps?://[^\s"'<>]+|\bhttps?://[^\s"'<>]+`)
	reEmail   = lazyre.New(`(?i)\b[a-z0-9._%+\-#]+@[a-z0-9.\-]+\.[a-z]{2,}\b`)
	reIPv4    = lazyre.New(`\b(?:\d{1,3}\.){3}\d{1,3}\b`)
	reIPv6    = lazyre.New(`(?i)\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{1,4}\b`)
	reHash    = lazyre.New(`(?i)\b[0-9a-f]{64}\b|\b[0-9a-f]{40}\b|\b[0-9a-f]{32}\b`)
	reCVE     = lazyre.New(`(?i)\bCVE-\d{4}-\d{4,7}\b`)
	reDomAcct = lazyre.New(`\b([A-Za-z][A-Za-z0-9\-]{0,14})\\([A-Za-z0-9._$\-]{1,64})\b`)
	reFile    = lazyre.New(`(?i)\b[a-z0-9_\-]+(?:[._\-][a-z0-9_\-]+)*\.(exe|dll|ps1|psm1|bat|cmd|vbs|vbe|js|jse|hta|scr|msi|lnk|iso|img|zip|rar|7z|docx?|docm|xlsx?|xlsm|pptx?|pdf|jar|py|sh|sys|tmp|dat|bin|one|wsf|txt|csv|json)\b`)
	reDomain  = lazyre.New(`(?i)\b(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}\b`)
	reDevice  = lazyre.New(`\b[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+\b`)
	reEventID = lazyre.New(`(?i)\bevent\s*(?:id|code)?\s*(\d{3,5})\b|\b(\d{4})\s+events?\b`)
	rePort    = lazyre.New(`(?i)\bport\s+(\d{1,5})\b|\b(\d{1,5})\s*/\s*tcp\b`)
	reAcctKw  = lazyre.New(`(?i)\b(?:user|account|username)\s+([A-Za-z][A-Za-z0-9._$\-]{2,63})\b`)
	reDevKw   = lazyre.New(`(?i)\b(?:device|host|hostname|machine|computer|server|endpoint|workstation|laptop)\s+([A-Za-z][A-Za-z0-9.\-]{1,63})\b`)
)

// fileExtensions are the endings reFile accepts, so a domain is never also
// taken for a file.
var fileExtensions = map[string]bool{}

func init() {
	for _, e := range strings.Split("exe dll ps1 psm1 bat cmd vbs vbe js jse hta scr msi lnk iso img zip rar 7z doc docx docm xls xlsx xlsm ppt pptx pdf jar py sh sys tmp dat bin one wsf txt csv json", " ") {
		fileExtensions[e] = true
	}
}

// countries maps country names used in questions to ISO codes, the form
// the sign-in tables store.
var countries = map[string]string{
	"russia": "RU", "china": "CN", "brazil": "BR", "united kingdom": "GB", "uk": "GB", "britain": "GB",
	"united states": "US", "usa": "US", "north korea": "KP", "iran": "IR", "germany": "DE", "france": "FR",
	"india": "IN", "nigeria": "NG", "ukraine": "UA", "netherlands": "NL", "canada": "CA", "australia": "AU",
	"japan": "JP", "spain": "ES", "italy": "IT", "mexico": "MX", "vietnam": "VN", "romania": "RO", "turkey": "TR",
}

// commonWords are never device or account names even when they look like one.
var commonWords = map[string]bool{
	"sign-in": true, "sign-ins": true, "log-in": true, "e-mail": true, "non-compliant": true, "multi-factor": true,
	"single-factor": true, "built-in": true, "follow-up": true, "real-time": true, "re-enabled": true, "top-n": true,
	"end-of-life": true, "zero-hour": true, "first-time": true, "anti-virus": true, "user-agent": true, "co-author": true,
	"self-service": true, "on-premises": true, "on-prem": true, "non-interactive": true, "cross-tenant": true,
	"out-of-band": true, "run-key": true, "day-by-day": true, "per-user": true, "x-ms": true, "well-known": true,
	"command-line": true, "high-risk": true, "high-severity": true, "medium-severity": true, "low-severity": true,
	"password-spray": true, "brute-force": true, "remote-desktop": true, "power-shell": true, "the": true, "this": true,
	"that": true, "with": true, "from": true, "and": true, "has": true, "was": true, "which": true, "who": true,
	"any": true, "all": true, "name": true, "names": true, "logon": true, "logons": true, "signin": true, "signins": true,
	"events": true, "activity": true, "in": true, "is": true, "are": true, "for": true, "by": true, "on": true, "to": true,
}

// Extraction returns the entities of the question and the question with
// their text blanked, so literals never count as keywords.
func extractEntities(q string) ([]Entity, string) {
	var out []Entity
	rest := q
	seen := map[string]bool{}
	add := func(kind, value, role string) {
		key := kind + "\x00" + strings.ToLower(value)
		if value == "" || seen[key] {
			return
		}
		seen[key] = true
		out = append(out, Entity{Kind: kind, Value: value, Role: role})
	}
	blank := func(loc []int) {
		rest = rest[:loc[0]] + strings.Repeat(" ", loc[1]-loc[0]) + rest[loc[1]:]
	}
	take := func(re *lazyre.Regexp, fn func(m []string, loc []int) bool) {
		for _, loc := range re.FindAllStringSubmatchIndex(rest, -1) {
			m := make([]string, len(loc)/2)
			for i := range m {
				if loc[2*i] >= 0 {
					m[i] = rest[loc[2*i]:loc[2*i+1]]
				}
			}
			if fn(m, loc) {
				blank(loc)
			}
		}
	}
	take(reQuoted, func(m []string, loc []int) bool {
		v := firstNonEmpty(m[1:]...)
		// A quoted value that is itself a known literal is handled below.
		if reEmail.MatchString(v) || reIPv4.MatchString(v) || reHash.MatchString(v) || reFile.MatchString(v) {
			rest = rest[:loc[0]] + " " + v + " " + rest[loc[1]:]
			return false
		}
		add(EntityText, v, "")
		return true
	})
	take(reURL, func(m []string, loc []int) bool { add(EntityURL, strings.TrimRight(m[0], ".,;)"), ""); return true })
	take(reEmail, func(m []string, loc []int) bool {
		add(EntityUser, strings.ToLower(m[0]), mailRole(rest[:loc[0]]))
		return true
	})
	take(reCVE, func(m []string, loc []int) bool { add(EntityCVE, strings.ToUpper(m[0]), ""); return true })
	take(reHash, func(m []string, loc []int) bool {
		kind := map[int]string{64: EntitySHA256, 40: EntitySHA1, 32: EntityMD5}[len(m[0])]
		add(kind, strings.ToLower(m[0]), "")
		return true
	})
	take(reIPv4, func(m []string, loc []int) bool {
		if _, err := netip.ParseAddr(m[0]); err != nil {
			return false
		}
		add(EntityIP, m[0], ipRole(rest[:loc[0]]))
		return true
	})
	take(reIPv6, func(m []string, loc []int) bool {
		if _, err := netip.ParseAddr(m[0]); err != nil {
			return false
		}
		add(EntityIP, m[0], ipRole(rest[:loc[0]]))
		return true
	})
	take(reDomAcct, func(m []string, loc []int) bool { add(EntityAccount, m[2], ""); return true })
	take(reFile, func(m []string, loc []int) bool { add(EntityFile, m[0], fileRole(rest[:loc[0]])); return true })
	take(reDevKw, func(m []string, loc []int) bool {
		v := strings.TrimRight(m[1], ".")
		if !looksLikeName(v) {
			return false
		}
		add(EntityDevice, v, "")
		blank([]int{loc[2], loc[3]})
		return false
	})
	take(reDomain, func(m []string, loc []int) bool {
		tld := m[0][strings.LastIndex(m[0], ".")+1:]
		if fileExtensions[strings.ToLower(tld)] {
			return false
		}
		add(EntityDomain, strings.ToLower(m[0]), "")
		return true
	})
	take(reAcctKw, func(m []string, loc []int) bool {
		v := m[1]
		if !looksLikeName(v) {
			return false
		}
		add(EntityAccount, v, "")
		blank([]int{loc[2], loc[3]})
		return false
	})
	take(reDevice, func(m []string, loc []int) bool {
		if !looksLikeName(m[0]) || !strings.ContainsAny(m[0], "0123456789") {
			return false
		}
		add(EntityDevice, m[0], "")
		return true
	})
	take(reEventID, func(m []string, loc []int) bool {
		add(EntityEventID, firstNonEmpty(m[1], m[2]), "")
		return true
	})
	take(rePort, func(m []string, loc []int) bool {
		v := firstNonEmpty(m[1], m[2])
		if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 65535 {
			return false
		}
		add(EntityPort, v, "")
		return true
	})
	low := " " + strings.ToLower(rest) + " "
	for name, code := range countries {
		if i := strings.Index(low, " "+name+" "); i >= 0 || strings.Contains(low, " "+name+",") {
			add(EntityCountry, code, "")
		}
	}
	return out, rest
}

// looksLikeName accepts a device or account name: not a common word, has a
// digit, a hyphen, a dot or mixed case.
func looksLikeName(v string) bool {
	l := strings.ToLower(v)
	if commonWords[l] || stopWords[l] || wordSynonyms[l] != nil || len(v) < 3 {
		return false
	}
	return strings.ContainsAny(v, "0123456789-._$") || strings.ToUpper(v) == v
}

// mailRole tells from the words before an address whether it is a sender or
// a recipient.
func mailRole(before string) string {
	b := lastWords(before, 3)
	switch {
	case hasAny(b, "from", "sender", "sent by", "by"):
		return "sender"
	case hasAny(b, "to", "recipient", "received by", "for"):
		return "recipient"
	}
	return ""
}

func ipRole(before string) string {
	b := lastWords(before, 3)
	switch {
	case hasAny(b, "from", "source", "client", "local"):
		return "source"
	case hasAny(b, "to", "destination", "remote", "contacted", "contact", "reached"):
		return "destination"
	}
	return ""
}

func fileRole(before string) string {
	b := lastWords(before, 3)
	if hasAny(b, "by", "parent", "from", "of", "initiated", "via") {
		return "parent"
	}
	return ""
}

// lastWords returns the last n lower-case words of s, space padded.
func lastWords(s string, n int) string {
	ws := words(s)
	if len(ws) > n {
		ws = ws[len(ws)-n:]
	}
	return " " + strings.Join(ws, " ") + " "
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
