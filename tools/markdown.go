package tools

import (
	"strings"

	"github.com/secmcp/secmcp/internal/markdown"
)

// MDInline keeps an upstream value on its Markdown line: every line break
// becomes a space, so the value cannot start a heading, list, table row or
// code fence of its own (see markdown.Inline). Every tool that writes
// upstream text (titles, names, command lines, subjects, query results)
// into its Markdown puts it through MDInline, MDCell or MDLine.
func MDInline(s string) string { return markdown.Inline(s) }

// MDCell keeps an upstream value inside its Markdown table cell (or column
// name): one line, pipes escaped (see markdown.Cell).
func MDCell(s string) string { return markdown.Cell(s) }

// MDLine writes one Markdown line to b: the formatted text with every line
// break flattened, then a newline.
func MDLine(b *strings.Builder, format string, args ...any) { markdown.Line(b, format, args...) }

// Clip shortens s to at most max runes, ending in "…" when cut.
func Clip(s string, max int) string { return markdown.Clip(s, max) }
