package scripts

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/secmcp/secmcp/internal/lazyre"
	"github.com/secmcp/secmcp/internal/psdeob"
	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/tools"
)

// Text renders the verdict, layers, defanged indicators, techniques, the
// walk-through and the hunting queries. Nothing in it is a live link: every
// URL, domain, IP and e-mail address is defanged, and code is in code spans.
func (r AnalyzeResult) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "**Verdict: %s**", r.Verdict)
	if len(r.Reasons) > 0 {
		fmt.Fprintf(&b, " — %s", r.defang(strings.Join(r.Reasons, "; ")))
	}
	b.WriteString("\n")
	if r.Alert != nil {
		fmt.Fprintf(&b, "Analysed the process command line(s) of alert %s (%s).\n", r.Alert.ID, r.Alert.URI)
	}
	if r.Incomplete != "" {
		fmt.Fprintf(&b, "Incomplete: %s\n", r.Incomplete)
	}
	fmt.Fprintf(&b, "\n**Layers** (%d):\n", len(r.Layers))
	for _, l := range r.Layers {
		from := "the input"
		if l.Index > 0 {
			from = fmt.Sprintf("from layer %d line %d via %s", l.Parent, l.ParentLine, l.Method)
		}
		tools.MDLine(&b, "- Layer %d, %s, %s, %s: %s", l.Index, from, text.Count(int64(l.Lines), "line"), text.Bytes(int64(l.Bytes)), codeSpan(r.defang(preview(l.Text, 160))))
	}
	if len(r.Indicators) > 0 {
		fmt.Fprintf(&b, "\n**Indicators** (%d, defanged):\n", len(r.Indicators))
		for _, i := range r.Indicators {
			tools.MDLine(&b, "- %s %s (layer %d, line %d)", i.Type, codeSpan(r.defang(i.Defanged)), i.Layer, i.Line)
		}
	}
	if len(r.Techniques) > 0 {
		b.WriteString("\n**ATT&CK techniques:**\n")
		for _, t := range r.Techniques {
			tools.MDLine(&b, "- %s %s (%s), layer %d line %d: %s", t.ID, t.Name, t.Tactic, t.Layer, t.Line, codeSpan(r.defang(preview(t.Evidence, 120))))
		}
	}
	fmt.Fprintf(&b, "\n**Walk-through:**\n%s\n", r.Explanation)
	if len(r.HuntingQueries) > 0 {
		b.WriteString("\n**Hunting queries** (validated KQL; run with defender_run_hunting_query):\n")
		for _, q := range r.HuntingQueries {
			tools.MDLine(&b, "- %s (%s): %s", q.Name, q.Table, q.Purpose)
		}
	}
	if r.Omitted != "" {
		fmt.Fprintf(&b, "\nOmitted: %s\n", r.Omitted)
	}
	if r.URI != "" {
		fmt.Fprintf(&b, "\nFull analysis: %s\n", r.URI)
	}
	return b.String()
}

// defang makes every network indicator of r in s non-clickable.
func (r AnalyzeResult) defang(s string) string {
	inds := make([]psdeob.Indicator, 0, len(r.Indicators))
	for _, i := range r.Indicators {
		inds = append(inds, psdeob.Indicator{Type: i.Type, Value: i.Value, Defanged: i.Defanged})
	}
	return defangText(s, inds)
}

var (
	liveURLRe  = lazyre.New(`(?i)\b(https?|ftp|wss?)(://[^\s/'"<>` + "`" + `]*)`)
	emailishRe = lazyre.New(`(?i)\b([a-z0-9._%+-]+@[a-z0-9-]+)\.([a-z0-9.-]+)`)
)

var safeSchemes = map[string]string{"http": "hxxp", "https": "hxxps", "ftp": "fxp", "ws": "wxs", "wss": "wxss"}

// defangText rewrites s so no URL, domain, IP or e-mail address in it is a
// live link: the known network indicators become their defanged form, and any
// remaining scheme://host is defanged generically.
func defangText(s string, inds []psdeob.Indicator) string {
	var pairs []psdeob.Indicator
	for _, i := range inds {
		switch i.Type {
		case "url", "domain", "ip", "email":
			if i.Value != "" && i.Value != i.Defanged {
				pairs = append(pairs, i)
			}
		}
	}
	sort.SliceStable(pairs, func(a, b int) bool { return len(pairs[a].Value) > len(pairs[b].Value) })
	if len(pairs) > 0 {
		args := make([]string, 0, 2*len(pairs))
		for _, p := range pairs {
			args = append(args, p.Value, p.Defanged)
		}
		s = strings.NewReplacer(args...).Replace(s)
	}
	s = liveURLRe.ReplaceAllStringFunc(s, func(m string) string {
		k := strings.Index(m, "://")
		scheme := strings.ToLower(m[:k])
		host := strings.ReplaceAll(m[k:], ".", "[.]")
		host = strings.ReplaceAll(host, "[[.]]", "[.]")
		return safeSchemes[scheme] + host
	})
	return emailishRe.ReplaceAllString(s, "$1[.]$2")
}

// codeSpan wraps s in a Markdown code span that s cannot close.
func codeSpan(s string) string {
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// preview returns the first line of s (at most n bytes), noting what was cut.
func preview(s string, n int) string {
	first, rest, more := strings.Cut(strings.TrimSpace(s), "\n")
	first = strings.TrimSpace(first)
	cut := len(first) > n
	if cut {
		first = cutUTF8(first, n)
	}
	if cut || more && strings.TrimSpace(rest) != "" {
		first += " …"
	}
	return first
}

// cutUTF8 cuts s to at most n bytes without splitting a rune.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func countLines(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(strings.TrimRight(s, "\n"), "\n") + 1
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func joinWords(parts []string) string { return strings.Join(parts, ", ") }

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
