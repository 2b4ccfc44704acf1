// Package markdown keeps upstream text from adding structure to the
// Markdown that tools write for a model or a person to read: a value stays
// on its line (Inline) and inside its table cell (Cell).
package markdown

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Inline makes an upstream value safe to place inside one line of
// Markdown — a heading, a list item, a sentence: every line break (LF, CR,
// CRLF, NEL, U+2028, U+2029, vertical tab, form feed) becomes a space, so
// the value cannot end the line it is on and start a heading, a list, a
// table row or a code fence of its own. Every tool that writes upstream
// text (titles, names, command lines, subjects, query results) into its
// Markdown puts it through Inline, Cell or Line.
func Inline(s string) string {
	if !strings.ContainsAny(s, "\r\n\v\f\u0085\u2028\u2029") {
		return s
	}
	return lineBreaks.Replace(s)
}

var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\v", " ", "\f", " ", "\u0085", " ", "\u2028", " ", "\u2029", " ")

// Cell makes an upstream value safe as a Markdown table cell or column
// name: one line (MDInline), and every pipe escaped so it cannot end the
// cell. Backslashes right before a pipe, or at the end, are doubled, so a
// value cannot un-escape its own pipe or the one that closes the cell;
// other backslashes (Windows paths) are left as they are.
func Cell(s string) string {
	s = Inline(s)
	if !strings.Contains(s, "|") && !strings.HasSuffix(s, `\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	run := 0 // backslashes just written
	for _, r := range s {
		switch r {
		case '\\':
			run++
		case '|':
			b.WriteString(strings.Repeat(`\`, run)) // double the run
			b.WriteString(`\|`)
			run = 0
			continue
		default:
			run = 0
		}
		b.WriteRune(r)
	}
	b.WriteString(strings.Repeat(`\`, run)) // a trailing run cannot escape what follows
	return b.String()
}

// Clip shortens s to at most max runes, ending in "…" when cut; it never
// cuts a UTF-8 sequence in half.
func Clip(s string, max int) string {
	if max < 1 || utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max-1 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// Line writes one Markdown line to b: the formatted text with every line
// break flattened (MDInline), then a newline. List tools write each item
// with it, so an upstream value in the item cannot start a line of its own.
func Line(b *strings.Builder, format string, args ...any) {
	b.WriteString(Inline(fmt.Sprintf(format, args...)))
	b.WriteByte('\n')
}
