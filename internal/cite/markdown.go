package cite

import (
	"context"
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/lazyre"
	"github.com/secmcp/secmcp/internal/markdown"
)

var (
	footnoteRe = lazyre.New(`^\s*\[([A-Za-z0-9_\-]{1,32})\]:\s*(\S+)`)
	refRe      = lazyre.New(`\[(\d{1,4})\]`)
	linkTgtRe  = lazyre.New(`\]\(([^()\s]*)\)`)
	listRe     = lazyre.New(`^\s*(?:[-*+]|\d{1,3}[.)])\s+`)
)

// ParseMarkdown turns a Markdown answer into claims, one per line:
//
//   - a line's citations are its inline secmcp:// URIs (bare or as link
//     targets) and its [n] references, resolved through footnote lines
//     "[n]: secmcp://…" anywhere in the text (an unresolved [n] becomes the
//     citation "[n]", which Check reports as invalid);
//   - its facts are extracted from the line (Extract) after citations,
//     link targets and list markers are removed;
//   - headings (#), footnote lines, table separator rows and fenced code
//     blocks (queries, command lines shown as code) are not claims.
//
// A fact stated over several lines needs a citation on each line.
func ParseMarkdown(md string) []Claim {
	if len(md) > maxContent {
		md = md[:maxContent]
	}
	lines := strings.Split(md, "\n")
	refs := map[string]string{}
	for _, l := range lines {
		if m := footnoteRe.FindStringSubmatch(l); m != nil {
			refs[m[1]] = m[2]
		}
	}
	var out []Claim
	inFence := false
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			inFence = !inFence
			continue
		}
		if inFence || t == "" || strings.HasPrefix(t, "#") || footnoteRe.MatchString(l) || isTableRule(t) {
			continue
		}
		out = append(out, lineClaim(t, refs))
	}
	return out
}

func lineClaim(line string, refs map[string]string) Claim {
	c := Claim{Text: line}
	seen := map[string]bool{}
	add := func(u string) {
		u = strings.TrimRight(u, ".,;:!?")
		if u != "" && !seen[u] {
			seen[u] = true
			c.Citations = append(c.Citations, u)
		}
	}
	for _, u := range secmcpRe.FindAllString(line, -1) {
		add(u)
	}
	body := linkTgtRe.ReplaceAllString(line, "]")
	body = secmcpRe.ReplaceAllString(body, " ")
	for _, m := range refRe.FindAllStringSubmatch(body, -1) {
		if u, ok := refs[m[1]]; ok {
			add(u)
		} else {
			add("[" + m[1] + "]")
		}
	}
	body = refRe.ReplaceAllString(body, " ")
	body = listRe.ReplaceAllString(body, "")
	c.Facts = Extract(body)
	return c
}

func isTableRule(t string) bool {
	if !strings.HasPrefix(t, "|") {
		return false
	}
	return strings.Trim(t, "|-: ") == ""
}

// CheckMarkdown parses md with ParseMarkdown and checks the claims.
func CheckMarkdown(ctx context.Context, md string, fetch Fetcher) (Report, error) {
	return Check(ctx, ParseMarkdown(md), fetch)
}

// RenderMarkdown writes claims as Markdown lines followed by a footnote
// list: each claim's text gets " [n]" markers for its citations, numbered in
// order of first use, and the footnotes read "[n]: uri". Claims whose text
// starts with "#" are written as headings without markers. The output
// parses back with ParseMarkdown into the same citations; facts are
// re-extracted from the text, so claims built with Auto round-trip exactly.
func RenderMarkdown(claims []Claim) string {
	var b strings.Builder
	num := map[string]int{}
	var order []string
	for _, c := range claims {
		text := markdown.Inline(c.Text) // a claim is one line, whatever its values hold
		b.WriteString(text)
		if !strings.HasPrefix(strings.TrimSpace(text), "#") {
			for _, u := range c.Citations {
				n, ok := num[u]
				if !ok {
					order = append(order, u)
					n = len(order)
					num[u] = n
				}
				fmt.Fprintf(&b, " [%d]", n)
			}
		}
		b.WriteByte('\n')
	}
	if len(order) > 0 {
		b.WriteByte('\n')
		for i, u := range order {
			fmt.Fprintf(&b, "[%d]: %s\n", i+1, u)
		}
	}
	return b.String()
}
