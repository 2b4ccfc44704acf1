package reports

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/lazyre"
)

var (
	fenceRe   = lazyre.New("^\\s{0,3}(`{3,}|~{3,})\\s*([A-Za-z0-9_-]*)\\s*$")
	refNumRe  = lazyre.New(`\[(\d{1,4})\]`)
	footDefRe = lazyre.New(`^\[(\d{1,4})\]:\s+\S+`)
)

// CheckMarkdown reports the structural problems of a Markdown document:
// unclosed code fences, tables without a delimiter row or whose rows have
// a different number of cells from the header, and [n] references with no
// "[n]: uri" definition. It is a small checker for the documents this
// package writes, not a CommonMark parser; it returns nil when it finds
// nothing.
func CheckMarkdown(md string) []string {
	var problems []string
	lines := strings.Split(md, "\n")
	defs := map[string]bool{}
	for _, l := range lines {
		if m := footDefRe.FindStringSubmatch(l); m != nil {
			defs[m[1]] = true
		}
	}
	var fence string
	fenceLine, tableCols := 0, 0
	for i, l := range lines {
		if m := fenceRe.FindStringSubmatch(l); m != nil {
			switch {
			case fence == "":
				fence, fenceLine = m[1], i+1
			case m[2] == "" && m[1][0] == fence[0] && len(m[1]) >= len(fence):
				fence = ""
			}
			tableCols = 0
			continue
		}
		if fence != "" {
			continue
		}
		t := strings.TrimSpace(l)
		if !strings.HasPrefix(t, "|") {
			tableCols = 0
			for _, m := range refNumRe.FindAllStringSubmatch(l, -1) {
				if !defs[m[1]] && !footDefRe.MatchString(l) {
					problems = append(problems, fmt.Sprintf("line %d: reference [%s] has no definition", i+1, m[1]))
				}
			}
			continue
		}
		problems = append(problems, checkTableLine(i, t, lines, &tableCols)...)
		for _, m := range refNumRe.FindAllStringSubmatch(l, -1) {
			if !defs[m[1]] {
				problems = append(problems, fmt.Sprintf("line %d: reference [%s] has no definition", i+1, m[1]))
			}
		}
	}
	if fence != "" {
		problems = append(problems, fmt.Sprintf("line %d: code fence %s is never closed", fenceLine, fence))
	}
	return problems
}

// checkTableLine checks one table line; cols carries the header's width.
func checkTableLine(i int, t string, lines []string, cols *int) []string {
	n := len(tableCells(t))
	if *cols == 0 { // a header: the next line must be the delimiter row
		*cols = n
		if i+1 >= len(lines) || !isDelimiterRow(strings.TrimSpace(lines[i+1])) {
			return []string{fmt.Sprintf("line %d: table header without a delimiter row", i+1)}
		}
		return nil
	}
	if n != *cols {
		return []string{fmt.Sprintf("line %d: table row has %d cells, the header has %d", i+1, n, *cols)}
	}
	return nil
}

func tableCells(t string) []string {
	t = strings.TrimSuffix(strings.TrimPrefix(t, "|"), "|")
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(t); i++ {
		switch {
		case t[i] == '\\' && i+1 < len(t) && t[i+1] == '|':
			cur.WriteString(`\|`)
			i++
		case t[i] == '|':
			cells = append(cells, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(t[i])
		}
	}
	return append(cells, cur.String())
}

func isDelimiterRow(t string) bool {
	if !strings.HasPrefix(t, "|") {
		return false
	}
	for _, c := range tableCells(t) {
		c = strings.TrimSpace(c)
		if strings.Trim(c, ":-") != "" || !strings.Contains(c, "-") {
			return false
		}
	}
	return true
}

// MermaidBlocks returns the contents of the ```mermaid fenced blocks of md.
func MermaidBlocks(md string) []string {
	var out []string
	var cur []string
	in := false
	for _, l := range strings.Split(md, "\n") {
		m := fenceRe.FindStringSubmatch(l)
		switch {
		case !in && m != nil && m[2] == "mermaid":
			in, cur = true, nil
		case in && m != nil && m[2] == "":
			out = append(out, strings.Join(cur, "\n")+"\n")
			in = false
		case in:
			cur = append(cur, l)
		}
	}
	return out
}
