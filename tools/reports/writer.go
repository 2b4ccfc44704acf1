package reports

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/attack"
	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools/defender"
)

// lineKind says how a report line is rendered and whether it is checked.
type lineKind int

const (
	kindBlank   lineKind = iota
	kindHeading          // "#…" line, not a claim
	kindText             // paragraph or list item, refs appended
	kindHeader           // table header (rule row added), not checked
	kindRow              // table row, refs in the last cell
	kindRaw              // fenced block content or labels, not checked
)

type rline struct {
	kind  lineKind
	text  string
	cells []string
	uris  []string
}

// writer accumulates a report as lines with citations.
type writer struct {
	alias    string
	now      time.Time
	p        DraftParams
	s        defender.IncidentSummary
	lines    []rline
	title    string
	sections []string
	mermaid  string
	portals  map[string]string
	order    []string
	num      map[string]int
}

func newWriter(alias string, now time.Time, p DraftParams, s defender.IncidentSummary) *writer {
	w := &writer{alias: alias, now: now, p: p, s: s, portals: map[string]string{}, num: map[string]int{}}
	for _, r := range s.Sources {
		w.portals[r.URI] = r.Portal
	}
	if w.portals[s.Incident.URI] == "" {
		w.portals[s.Incident.URI] = s.Incident.Portal
	}
	return w
}

func (w *writer) heading(level int, text string) {
	if len(w.lines) > 0 {
		w.blank()
	}
	if level == 2 {
		w.sections = append(w.sections, text)
	}
	w.lines = append(w.lines, rline{kind: kindHeading, text: strings.Repeat("#", level) + " " + text})
	w.blank()
}

func (w *writer) blank() {
	if n := len(w.lines); n > 0 && w.lines[n-1].kind == kindBlank {
		return
	}
	w.lines = append(w.lines, rline{kind: kindBlank})
}

// text adds a paragraph or list line that cites uris.
func (w *writer) text(t string, uris ...string) {
	w.lines = append(w.lines, rline{kind: kindText, text: t, uris: nonEmpty(uris)})
}

// table starts a table; rows follow with row. A Source column is added.
func (w *writer) table(cols ...string) {
	w.blank()
	w.lines = append(w.lines, rline{kind: kindHeader, cells: append(cols, "Source")})
}

func (w *writer) row(cells []string, uris ...string) {
	esc := make([]string, len(cells))
	for i, c := range cells {
		esc[i] = cell(c)
	}
	w.lines = append(w.lines, rline{kind: kindRow, cells: esc, uris: nonEmpty(uris)})
}

func (w *writer) raw(t string) { w.lines = append(w.lines, rline{kind: kindRaw, text: t}) }

func nonEmpty(uris []string) []string {
	var out []string
	for _, u := range uris {
		if u != "" && !contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// cell makes untrusted text safe inside a Markdown table cell.
func cell(s string) string {
	s = md(s, 300)
	if s == "" {
		return "-"
	}
	return s
}

// md flattens untrusted text for a Markdown line: one line, at most max
// bytes, no backticks, brackets, pipes, angle brackets or secmcp:// URIs
// that could add structure, links or citations.
func md(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.NewReplacer("`", "'", "[", "(", "]", ")", "|", "/", "<", "‹", ">", "›", "secmcp://", "secmcp:/ /", "*", "∗").Replace(s)
	if len(s) > max {
		cut := strings.LastIndexByte(s[:max], ' ')
		if cut < max/2 {
			cut = max
			for cut > 0 && s[cut]&0xC0 == 0x80 {
				cut--
			}
		}
		s = strings.TrimSpace(s[:cut]) + " …"
	}
	return s
}

// claimText is the line as the citation checker sees it (without refs).
func (l rline) claimText() string {
	if l.kind == kindRow {
		return "| " + strings.Join(l.cells, " | ") + " |"
	}
	return l.text
}

// check verifies the factual lines against the summary's contents, drops
// the lines that fail and returns the outcome.
func (w *writer) check(ctx context.Context) (defender.CitationSummary, error) {
	fetch := w.s.Fetcher()
	if fetch == nil {
		fetch = attack.Fetcher()
	}
	var claims []cite.Claim
	var idx []int
	for i, l := range w.lines {
		if l.kind == kindText || l.kind == kindRow {
			claims = append(claims, cite.Auto(l.claimText(), l.uris...))
			idx = append(idx, i)
		}
	}
	rep, err := cite.Check(ctx, claims, fetch)
	if err != nil {
		return defender.CitationSummary{}, fmt.Errorf("draft report: %w", err)
	}
	dropped := 0
	if len(rep.Unsupported) > 0 {
		bad := map[string]bool{}
		for _, f := range rep.Unsupported {
			bad[f.Claim] = true
		}
		var keptClaims []cite.Claim
		for k, c := range claims {
			if c.Factual() && bad[c.Text] {
				w.lines[idx[k]].kind = kindBlank
				dropped++
				continue
			}
			keptClaims = append(keptClaims, c)
		}
		if rep, err = cite.Check(ctx, keptClaims, fetch); err != nil {
			return defender.CitationSummary{}, fmt.Errorf("draft report: %w", err)
		}
	}
	return defender.CitationSummary{Claims: rep.Claims, Factual: rep.Factual, Supported: rep.Supported,
		Unsupported: rep.Unsupported, Dropped: dropped, Fetched: len(rep.Fetched)}, nil
}

// refs numbers the URIs in order of first use and returns " [n] [m]".
func (w *writer) refs(uris []string) string {
	var b strings.Builder
	for _, u := range uris {
		n, ok := w.num[u]
		if !ok {
			w.order = append(w.order, u)
			n = len(w.order)
			w.num[u] = n
		}
		fmt.Fprintf(&b, " [%d]", n)
	}
	return b.String()
}

// render writes the Markdown, then the evidence appendix: a visible list
// and the footnote definitions that resolve the [n] references.
func (w *writer) render() string {
	var b strings.Builder
	lastBlank := true
	for _, l := range w.lines {
		switch l.kind {
		case kindBlank:
			if !lastBlank {
				b.WriteByte('\n')
			}
			lastBlank = true
			continue
		case kindHeading, kindRaw:
			b.WriteString(l.text)
		case kindText:
			b.WriteString(l.text + w.refs(l.uris))
		case kindHeader:
			b.WriteString("| " + strings.Join(l.cells, " | ") + " |\n")
			b.WriteString(strings.TrimSuffix(strings.Repeat("| --- ", len(l.cells)), " ") + " |")
		case kindRow:
			src := strings.TrimSpace(w.refs(l.uris))
			if src == "" {
				src = "-"
			}
			b.WriteString("| " + strings.Join(l.cells, " | ") + " | " + src + " |")
		}
		b.WriteByte('\n')
		lastBlank = false
	}
	b.WriteString("\n## Evidence appendix\n\n")
	if len(w.order) == 0 {
		b.WriteString("No resources are cited.\n")
	}
	for i, u := range w.order {
		fmt.Fprintf(&b, "%d. [%d] %s", i+1, i+1, u)
		if p := w.portal(u); p != "" {
			fmt.Fprintf(&b, " — [open in the portal](%s)", p)
		}
		b.WriteByte('\n')
	}
	if len(w.order) > 0 {
		b.WriteByte('\n')
	}
	for i, u := range w.order {
		fmt.Fprintf(&b, "[%d]: %s\n", i+1, u)
	}
	return b.String()
}

// portal returns the Microsoft portal link of a cited URI, if any.
func (w *writer) portal(uri string) string {
	if p := w.portals[uri]; p != "" {
		return p
	}
	if id, ok := strings.CutPrefix(uri, attack.URIPrefix); ok && attack.ValidID(id) {
		return "https://attack.mitre.org/techniques/" + strings.ReplaceAll(id, ".", "/") + "/"
	}
	if p, err := resources.Parse(uri); err == nil && p.Kind == resources.KindUser {
		return "" // user portal links need the object ID, which the URI does not carry
	}
	return ""
}

// appendix returns the numbered citations.
func (w *writer) appendix() []Citation {
	out := []Citation{}
	for i, u := range w.order {
		out = append(out, Citation{N: i + 1, URI: u, Portal: w.portal(u)})
	}
	return out
}
