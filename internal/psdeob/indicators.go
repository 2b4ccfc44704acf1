package psdeob

import (
	"net"
	"sort"
	"strings"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// Indicator extraction favours precision: hosts must end in a real TLD,
// IPv4 candidates inside version strings are rejected, and paths, registry
// keys and hashes are taken from layer text only (computed strings can hold
// intermediate garbage).

var (
	urlRe      = lazyre.New(`(?i)\b(?:https?|hxxps?|ftp|wss?)(?:://|\[://\])[^\s'"<>` + "`" + `(){}|\\^,;*!]+`)
	schemeRe   = lazyre.New(`(?i)(?:https?|hxxps?|ftp|wss?)(?:://|\[://\])`)
	ipv4Re     = lazyre.New(`\b(?:\d{1,3}\.){3}\d{1,3}\b`)
	ipv6Re     = lazyre.New(`(?i)(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{0,4}|(?:[0-9a-f]{1,4}:)*:(?::[0-9a-f]{1,4})+`)
	emailRe    = lazyre.New(`(?i)\b[a-z0-9][a-z0-9._%+-]{0,63}@[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)+\b`)
	hashRe     = lazyre.New(`\b(?:[a-fA-F0-9]{64}|[a-fA-F0-9]{40}|[a-fA-F0-9]{32})\b`)
	winPathRe  = lazyre.New(`(?i)(?:\b[a-z]:\\|%[a-z_]+%\\|\$env:[a-z_]+\\|\\\\[a-z0-9._-]+\\)[^\r\n'"` + "`" + `<>|*?;,()\[\]{}]*`)
	registryRe = lazyre.New(`(?i)\b(?:HKLM|HKCU|HKCR|HKU|HKCC|HKEY_LOCAL_MACHINE|HKEY_CURRENT_USER|HKEY_CLASSES_ROOT|HKEY_USERS|HKEY_CURRENT_CONFIG)(?::\\|:|\\)[^\r\n'"` + "`" + `<>|;,()\[\]{}]*`)
	uaRe       = lazyre.New(`Mozilla/\d\.\d \([^'"\r\n` + "`" + `)]*\)[^'"\r\n` + "`" + `;]*`)
	taskRe     = lazyre.New(`(?i)(?:schtasks(?:\.exe)?\b[^\r\n]*?/tn\s+|Register-ScheduledTask\b[^\r\n]*?-TaskName\s+|Register-ScheduledTask\s+)("[^"\r\n]+"|'[^'\r\n]+'|[^\s'"]+)`)
	serviceRe  = lazyre.New(`(?i)(?:\bsc(?:\.exe)?\s+create\s+|New-Service\b[^\r\n]*?-Name\s+|New-Service\s+)("[^"\r\n]+"|'[^'\r\n]+'|[^\s'"-][^\s'"]*)`)
)

type indKey struct{ typ, val string }

type indCollector struct {
	seen map[indKey]bool
	out  []Indicator
	done func() bool // the deadline passed: read no further
}

func (c *indCollector) add(typ, val string, layer, line int, computed bool) {
	val = strings.TrimSpace(val)
	if val == "" || len(val) > 2048 {
		return
	}
	k := indKey{typ, strings.ToLower(val)}
	if c.seen[k] {
		return
	}
	c.seen[k] = true
	c.out = append(c.out, Indicator{Type: typ, Value: val, Defanged: defang(typ, val), Layer: layer, Line: line, Computed: computed})
}

// extractIndicators reads layers and pool; done reports that the deadline
// passed, after which no further layer is read.
func extractIndicators(layers []Layer, pool []pooled, done func() bool) []Indicator {
	c := &indCollector{seen: map[indKey]bool{}, done: done}
	lines := make([]*lineIndex, len(layers))
	for i, l := range layers {
		lines[i] = newLineIndex(l.Text)
	}
	for i, l := range layers {
		if done() {
			break
		}
		text := l.Text
		c.scan(text, l.Index, lines[i].at, false)
		if strings.Contains(text, "`") {
			stripped := strings.ReplaceAll(text, "`", "")
			c.scan(stripped, l.Index, newLineIndex(stripped).at, false)
		}
	}
	pc := &indCollector{seen: c.seen, done: done}
	for i, p := range pool {
		if i&255 == 0 && done() {
			break
		}
		line := lines[p.layer].at(p.off)
		pc.scanNet(p.text, p.layer, func(int) int { return line }, true)
	}
	c.out = append(c.out, pc.out...)
	sort.SliceStable(c.out, func(i, j int) bool {
		a, b := c.out[i], c.out[j]
		if a.Computed != b.Computed {
			return !a.Computed
		}
		if a.Layer != b.Layer {
			return a.Layer < b.Layer
		}
		return a.Line < b.Line
	})
	return c.out
}

// scan extracts every indicator type from layer text.
func (c *indCollector) scan(text string, layer int, line func(int) int, computed bool) {
	if len(text) > 8<<20 {
		text = text[:8<<20]
	}
	c.scanNet(text, layer, line, computed)
	if c.done() {
		return
	}
	for _, m := range winPathRe.FindAllStringIndex(text, 2000) {
		p := cleanPath(text[m[0]:m[1]])
		if validPath(p) {
			c.add("path", p, layer, line(m[0]), computed)
		}
	}
	for _, m := range registryRe.FindAllStringIndex(text, 1000) {
		r := strings.TrimRight(text[m[0]:m[1]], " \\.")
		if strings.Count(r, "\\") >= 1 && len(r) > 8 {
			c.add("registry", r, layer, line(m[0]), computed)
		}
	}
	if c.done() {
		return
	}
	for _, m := range hashRe.FindAllStringIndex(text, 1000) {
		h := text[m[0]:m[1]]
		if validHash(h, text, m[0], m[1]) {
			c.add("hash", strings.ToLower(h), layer, line(m[0]), computed)
		}
	}
	for _, m := range taskRe.FindAllStringSubmatchIndex(text, 100) {
		c.add("scheduledtask", strings.Trim(text[m[2]:m[3]], `"'`), layer, line(m[0]), computed)
	}
	for _, m := range serviceRe.FindAllStringSubmatchIndex(text, 100) {
		c.add("service", strings.Trim(text[m[2]:m[3]], `"'`), layer, line(m[0]), computed)
	}
}

// scanNet extracts URLs, hosts, IPs, e-mail addresses and user agents.
func (c *indCollector) scanNet(text string, layer int, line func(int) int, computed bool) {
	for _, m := range urlRe.FindAllStringIndex(text, 5000) {
		for _, u := range splitURLRun(text[m[0]:m[1]]) {
			url, host, ok := cleanURL(u.text)
			if !ok {
				continue
			}
			ln := line(m[0] + u.off)
			c.add("url", url, layer, ln, computed)
			if ip := net.ParseIP(strings.Trim(host, "[]")); ip != nil {
				c.add("ip", ip.String(), layer, ln, computed)
			} else {
				c.add("domain", strings.ToLower(host), layer, ln, computed)
			}
		}
	}
	for _, m := range ipv4Re.FindAllStringIndex(text, 2000) {
		if validIPv4Context(text, m[0], m[1]) {
			c.add("ip", text[m[0]:m[1]], layer, line(m[0]), computed)
		}
	}
	for _, m := range ipv6Re.FindAllStringIndex(text, 500) {
		s := text[m[0]:m[1]]
		if validIPv6(s, text, m[0], m[1]) {
			c.add("ip", strings.ToLower(s), layer, line(m[0]), computed)
		}
	}
	for _, m := range emailRe.FindAllStringIndex(text, 500) {
		s := text[m[0]:m[1]]
		if validEmail(s, text, m[0]) {
			c.add("email", s, layer, line(m[0]), computed)
		}
	}
	for _, m := range uaRe.FindAllStringIndex(text, 100) {
		c.add("useragent", strings.TrimSpace(text[m[0]:m[1]]), layer, line(m[0]), computed)
	}
}

type urlPart struct {
	text string
	off  int
}

// splitURLRun cuts "http://a/x@http://b/y" lists at each new scheme.
func splitURLRun(s string) []urlPart {
	locs := schemeRe.FindAllStringIndex(s, -1)
	if len(locs) <= 1 {
		return []urlPart{{s, 0}}
	}
	var out []urlPart
	for i, l := range locs {
		end := len(s)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		part := s[l[0]:end]
		if i+1 < len(locs) {
			part = strings.TrimRight(part, "@,;|*!+ ")
		}
		out = append(out, urlPart{part, l[0]})
	}
	return out
}

// cleanURL validates a URL candidate and returns it with its host.
func cleanURL(u string) (string, string, bool) {
	u = strings.TrimRight(u, ".,:;)]}'\"")
	k := strings.Index(u, "://")
	if k < 0 {
		k = strings.Index(u, "[://]")
		if k < 0 {
			return "", "", false
		}
		u = u[:k] + "://" + u[k+5:]
	}
	rest := u[k+3:]
	hostEnd := len(rest)
	for i, r := range rest {
		if r == '/' || r == '?' || r == '#' {
			hostEnd = i
			break
		}
	}
	hostport := rest[:hostEnd]
	if at := strings.LastIndexByte(hostport, '@'); at >= 0 {
		hostport = hostport[at+1:]
	}
	host := hostport
	if strings.HasPrefix(host, "[") {
		if e := strings.IndexByte(host, ']'); e > 0 {
			host = host[:e+1]
		}
	} else if c := strings.LastIndexByte(host, ':'); c >= 0 {
		port := host[c+1:]
		for _, r := range port {
			if r < '0' || r > '9' {
				return "", "", false
			}
		}
		host = host[:c]
	}
	host = strings.ReplaceAll(strings.ReplaceAll(host, "[.]", "."), "(.)", ".")
	if !validHost(host) {
		return "", "", false
	}
	return refang(u), host, true
}

func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	if strings.HasPrefix(h, "[") {
		return net.ParseIP(strings.Trim(h, "[]")) != nil
	}
	if ip := net.ParseIP(h); ip != nil {
		return ip.To4() != nil && validIPv4(h)
	}
	if strings.EqualFold(h, "localhost") {
		return true
	}
	return validDomain(h)
}

func validDomain(h string) bool {
	labels := strings.Split(strings.ToLower(h), ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return knownTLD(labels[len(labels)-1])
}

func validIPv4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if len(p) == 0 || len(p) > 3 || len(p) > 1 && p[0] == '0' {
			return false
		}
		n := 0
		for i := 0; i < len(p); i++ {
			n = n*10 + int(p[i]-'0')
		}
		if n > 255 {
			return false
		}
	}
	return parts[0] != "0" && parts[0] != "255"
}

// validIPv4Context rejects dotted quads inside longer dotted runs (version
// numbers like 10.0.17763.1) and "Version=4.0.0.0" strings.
func validIPv4Context(text string, st, en int) bool {
	s := text[st:en]
	if !validIPv4(s) {
		return false
	}
	if st > 0 && (text[st-1] == '.' || text[st-1] == '-' || text[st-1] == '_' || isAlnum(text[st-1])) {
		return false
	}
	if en < len(text) && (text[en] == '.' && en+1 < len(text) && isAlnum(text[en+1]) || isAlnum(text[en])) {
		return false
	}
	lead := strings.ToLower(text[max(0, st-12):st])
	if strings.Contains(lead, "version") || strings.HasSuffix(strings.TrimSpace(lead), "v") {
		return false
	}
	return !strings.HasSuffix(s, ".0.0") || strings.Count(s, "0") < 3
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func validIPv6(s, text string, st, en int) bool {
	if strings.Count(s, ":") < 2 || len(s) < 6 {
		return false
	}
	if st > 0 && (isAlnum(text[st-1]) || text[st-1] == ':' || text[st-1] == ']') {
		return false
	}
	if en < len(text) && (isAlnum(text[en]) || text[en] == ':') {
		return false
	}
	ip := net.ParseIP(s)
	if ip == nil || ip.To4() != nil {
		return false
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			digits++
		}
	}
	return digits > 0 && !ip.IsUnspecified()
}

func validEmail(s, text string, st int) bool {
	if st > 0 && (text[st-1] == '/' || text[st-1] == '.' || text[st-1] == ':' || text[st-1] == '@' || text[st-1] == '$') {
		return false
	}
	at := strings.IndexByte(s, '@')
	dom := s[at+1:]
	if strings.HasPrefix(strings.ToLower(dom), "http") {
		return false
	}
	return validDomain(dom)
}

func validHash(h, text string, st, en int) bool {
	if strings.EqualFold(h, secureStringHeader) {
		return false
	}
	letters, digits := 0, 0
	for i := 0; i < len(h); i++ {
		if h[i] >= '0' && h[i] <= '9' {
			digits++
		} else {
			letters++
		}
	}
	if letters == 0 || digits == 0 {
		return false
	}
	// reject hex runs glued to more hex-ish text (ciphertext, byte strings)
	if st > 0 && (text[st-1] == '-' || text[st-1] == '|') || en < len(text) && (text[en] == '-' || text[en] == '|') {
		return false
	}
	return true
}

func cleanPath(p string) string {
	p = strings.TrimRight(p, " .\t+:=")
	if i := strings.Index(p, " -"); i > 0 {
		p = p[:i]
	}
	if i := strings.Index(p, "  "); i > 0 {
		p = p[:i]
	}
	return strings.TrimRight(p, " .")
}

// shellBinaries are interpreter paths that launchers name; they are not
// useful file indicators.
var shellBinaries = map[string]bool{"cmd.exe": true, "cmd": true, "powershell.exe": true, "powershell": true, "pwsh.exe": true, "pwsh": true, "mshta.exe": true, "conhost.exe": true}

func validPath(p string) bool {
	if len(p) < 4 || len(p) > 400 {
		return false
	}
	if shellBinaries[strings.ToLower(p[strings.LastIndexByte(p, '\\')+1:])] {
		return false
	}
	return !strings.ContainsAny(p, "$+{}") || strings.HasPrefix(strings.ToLower(p), "$env:")
}

func refang(s string) string {
	r := strings.NewReplacer("hxxps://", "https://", "hxxp://", "http://", "HXXPS://", "https://", "HXXP://", "http://", "[.]", ".", "[://]", "://")
	return r.Replace(s)
}

func defang(typ, v string) string {
	switch typ {
	case "url", "domain", "ip", "email":
		s := strings.ReplaceAll(v, ".", "[.]")
		if typ != "url" {
			return s
		}
		i := strings.Index(s, "://")
		if i <= 0 {
			return s
		}
		scheme := strings.ToLower(s[:i])
		if safe, ok := defangedSchemes[scheme]; ok {
			scheme = safe
		}
		return scheme + s[i:]
	}
	return v
}

// defangedSchemes are the display forms of URL schemes (any case on input).
var defangedSchemes = map[string]string{"http": "hxxp", "https": "hxxps", "ftp": "fxp", "ws": "wxs", "wss": "wxss", "hxxp": "hxxp", "hxxps": "hxxps"}
