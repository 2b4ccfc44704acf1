package reports

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/secmcp/secmcp/tools/defender"
)

// maxDiagramEvents bounds the events drawn in the Mermaid timeline; the
// Markdown table next to it lists them all.
const maxDiagramEvents = 30

// maxLabel is the longest Mermaid event label, in runes.
const maxLabel = 70

// MermaidLabel makes untrusted text safe as a Mermaid timeline label. It
// keeps letters, digits, spaces and a small set of punctuation and turns
// everything else into spaces, so ':' (event separator), ';' and '#'
// (statement end and comment), '%' (directives and comments), backticks,
// quotes, brackets, braces, angle brackets and newlines can never change
// the diagram's structure. '&' becomes "and" so no HTML entity can form.
func MermaidLabel(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range strings.ReplaceAll(s, "&", " and ") {
		if n >= maxLabel {
			break
		}
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
		case strings.ContainsRune(".,-_/()'+@=!?", r):
		default:
			r = ' '
		}
		b.WriteRune(r)
		n++
	}
	out := strings.Join(strings.Fields(b.String()), " ")
	if n >= maxLabel {
		if cut := strings.LastIndexByte(out, ' '); cut > len(out)/2 {
			out = out[:cut]
		}
		out += " ..."
	}
	if out == "" {
		return "event"
	}
	return out
}

// TimelineDiagram renders events as a Mermaid timeline: one section per UTC
// day, one period per minute (written HH.MM because ':' separates events).
func TimelineDiagram(title string, events []defender.TimelineEvent) string {
	var b strings.Builder
	b.WriteString("timeline\n")
	fmt.Fprintf(&b, "    title %s\n", MermaidLabel(title))
	day, period := "", ""
	for i, ev := range events {
		if i == maxDiagramEvents {
			fmt.Fprintf(&b, "        %s : %s\n", "later", MermaidLabel(fmt.Sprintf("%d more events in the table", len(events)-i)))
			break
		}
		t := ev.Time.UTC()
		if d := t.Format("2006-01-02"); d != day {
			day, period = d, ""
			fmt.Fprintf(&b, "    section %s\n", d)
		}
		label := MermaidLabel(eventLabel(ev))
		if p := t.Format("15.04"); p != period {
			period = p
			fmt.Fprintf(&b, "        %s : %s\n", p, label)
		} else {
			fmt.Fprintf(&b, "              : %s\n", label)
		}
	}
	if len(events) == 0 {
		b.WriteString("    section no alerts\n        none : the incident has no dated events\n")
	}
	return b.String()
}

func eventLabel(ev defender.TimelineEvent) string {
	switch ev.Kind {
	case defender.EventAlert:
		if stage := stageName(ev.Category); stage != "" {
			return stage + " - " + ev.Title
		}
		return ev.Title
	case defender.EventRiskySignIn:
		return "Risky sign-in - " + ev.Title
	case defender.EventDLPAlert:
		return "DLP - " + ev.Title
	}
	return ev.Title
}
