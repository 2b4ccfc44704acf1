package cite

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/lazyre"
)

// maxContent bounds how much of one resource is indexed (16 MiB).
const maxContent = 16 << 20

// index is a resource's contents prepared for fact look-ups.
type index struct {
	lower  string          // decoded text, lower-case, defanging undone, whitespace collapsed
	hosts  map[string]bool // host-like tokens
	labels map[string]bool // first labels of dotted host-like tokens
	ips    map[netip.Addr]bool
	times  map[int64]bool // unix minutes
	nums   map[string]bool
}

var timeRe = lazyre.New(`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}| ?UTC)?`)

func newIndex(text string) *index {
	if len(text) > maxContent {
		text = text[:maxContent]
	}
	corpus := decodeJSONText(text)
	ix := &index{lower: normText(corpus), hosts: map[string]bool{}, labels: map[string]bool{},
		ips: map[netip.Addr]bool{}, times: map[int64]bool{}, nums: map[string]bool{}}
	for _, tok := range strings.FieldsFunc(ix.lower, notHostChar) {
		tok = strings.Trim(tok, ".-_")
		if tok == "" {
			continue
		}
		ix.hosts[tok] = true
		if first, _, dotted := strings.Cut(tok, "."); dotted {
			ix.labels[first] = true
		}
	}
	for _, tok := range strings.FieldsFunc(ix.lower, notIPChar) {
		if a, ok := parseIP(tok); ok {
			ix.ips[a] = true
		}
	}
	for _, m := range timeRe.FindAllString(corpus, -1) {
		if t, ok := parseTime(m); ok {
			ix.times[t] = true
		}
	}
	for _, tok := range strings.FieldsFunc(ix.lower, notNumChar) {
		if n, ok := normNumber(tok); ok {
			ix.nums[n] = true
		}
	}
	return ix
}

// decodeJSONText returns the scalar values of a JSON document joined by
// newlines (so escaped strings compare as their text), or text unchanged
// when it is not JSON.
func decodeJSONText(text string) string {
	t := strings.TrimSpace(text)
	if t == "" || (t[0] != '{' && t[0] != '[') || !json.Valid([]byte(t)) {
		return text
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(t)))
	dec.UseNumber()
	var b strings.Builder
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch v := tok.(type) {
		case string:
			b.WriteString(v)
			b.WriteByte('\n')
		case json.Number:
			b.WriteString(v.String())
			b.WriteByte('\n')
		case bool:
			if v {
				b.WriteString("true\n")
			} else {
				b.WriteString("false\n")
			}
		}
	}
	return b.String()
}

// normText lower-cases, undoes common defanging and collapses whitespace.
func normText(s string) string {
	s = strings.ToLower(s)
	s = strings.NewReplacer("[.]", ".", "(.)", ".", "hxxp", "http", "[:]", ":", "[@]", "@").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

func isAlnum(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
}

func notHostChar(r rune) bool { return !(isAlnum(r) || r == '-' || r == '.' || r == '_') }

func notIPChar(r rune) bool {
	return !((r >= '0' && r <= '9') || (r >= 'a' && r <= 'f') || (r >= 'A' && r <= 'F') || r == '.' || r == ':' || r == '[' || r == ']')
}

func notNumChar(r rune) bool { return !((r >= '0' && r <= '9') || r == '.' || r == ',') }

func parseIP(tok string) (netip.Addr, bool) {
	tok = strings.Trim(tok, ".:[]")
	if tok == "" || len(tok) > 64 {
		return netip.Addr{}, false
	}
	if a, err := netip.ParseAddr(tok); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(tok); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

func parseTime(s string) (int64, bool) {
	s = strings.TrimSpace(strings.TrimSuffix(s, "UTC"))
	s = strings.Replace(s, " ", "T", 1)
	layouts := []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04Z0700",
		"2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02T15:04"}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC().Unix() / 60, true
		}
	}
	return 0, false
}

// normNumber canonicalises a decimal token: commas dropped, leading zeros
// of the integer part and trailing zeros of the fraction removed.
func normNumber(tok string) (string, bool) {
	tok = strings.Trim(strings.ReplaceAll(tok, ",", ""), ".")
	if tok == "" || strings.Count(tok, ".") > 1 {
		return "", false
	}
	intPart, frac, _ := strings.Cut(tok, ".")
	for _, p := range []string{intPart, frac} {
		for _, r := range p {
			if r < '0' || r > '9' {
				return "", false
			}
		}
	}
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	frac = strings.TrimRight(frac, "0")
	if frac != "" {
		return intPart + "." + frac, true
	}
	return intPart, true
}

// hostTail reports whether a dotted host is the tail of a longer token
// after '-' or '_': Extract finds "partners.example" in a guest UPN such as
// "jo_adatum-partners.example#EXT#@contoso.onmicrosoft.com", whose token in
// the index is the whole "jo_adatum-partners.example".
func (ix *index) hostTail(v string) bool {
	for tok := range ix.hosts {
		if len(tok) > len(v) && strings.HasSuffix(tok, v) && (tok[len(tok)-len(v)-1] == '-' || tok[len(tok)-len(v)-1] == '_') {
			return true
		}
	}
	return false
}

// contains reports whether the indexed contents hold fact f.
func (ix *index) contains(f Fact) bool {
	v := normText(f.Value)
	if v == "" {
		return false
	}
	switch f.Kind {
	case KindIP:
		a, ok := parseIP(v)
		return ok && ix.ips[a]
	case KindHost:
		v = strings.Trim(v, ".")
		if first, _, dotted := strings.Cut(v, "."); dotted {
			return ix.hosts[v] || (ix.hosts[first] && !strings.Contains(first, ".")) || ix.hostTail(v)
		}
		return ix.hosts[v] || ix.labels[v]
	case KindTime:
		t, ok := parseTime(f.Value)
		return ok && ix.times[t]
	case KindNumber:
		n, ok := normNumber(v)
		return ok && ix.nums[n]
	case KindTechnique:
		return hasToken(ix.lower, v, techBoundary)
	case KindUPN:
		return hasToken(ix.lower, v, upnBoundary)
	case KindHash, KindID:
		return hasToken(ix.lower, v, idBoundary)
	default: // KindURL, KindText and unknown kinds: substring
		return strings.Contains(ix.lower, v)
	}
}

// hasToken finds needle in s at a position where boundary(before, after)
// holds for the bytes around it (0 at either end).
func hasToken(s, needle string, boundary func(before, after byte, rest string) bool) bool {
	for off := 0; off <= len(s)-len(needle); {
		i := strings.Index(s[off:], needle)
		if i < 0 {
			return false
		}
		i += off
		var before, after byte
		if i > 0 {
			before = s[i-1]
		}
		end := i + len(needle)
		if end < len(s) {
			after = s[end]
		}
		if boundary(before, after, s[end:]) {
			return true
		}
		off = i + 1
	}
	return false
}

func wordByte(b byte) bool { return b != 0 && isAlnum(rune(b)) }

// idBoundary: IDs and hashes are whole alphanumeric tokens ('-' and '_' are
// part of IDs such as GUIDs and alert IDs).
func idBoundary(before, after byte, _ string) bool {
	return !wordByte(before) && !wordByte(after) && before != '-' && before != '_' && after != '-' && after != '_'
}

// techBoundary: T1059 must not match inside T1059.001.
func techBoundary(before, after byte, rest string) bool {
	if wordByte(before) || wordByte(after) {
		return false
	}
	return !(after == '.' && len(rest) > 1 && rest[1] >= '0' && rest[1] <= '9')
}

// upnBoundary: a UPN is not part of a longer address.
func upnBoundary(before, after byte, rest string) bool {
	if wordByte(before) || before == '.' || before == '_' || before == '-' || before == '+' || before == '%' {
		return false
	}
	if wordByte(after) || after == '-' || after == '_' {
		return false
	}
	return !(after == '.' && len(rest) > 1 && wordByte(rest[1]))
}
