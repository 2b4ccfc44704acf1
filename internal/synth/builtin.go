package synth

import (
	"fmt"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/text"
)

// Builtin writes the answer deterministically from the evidence: every
// sentence is assembled from the fields of the items it cites, so it needs
// no model, works offline, and gives the same answer for the same evidence.
func Builtin(q Request, set *Set) string {
	w := &writer{set: set}
	if lead := q.lead.write(); lead != "" {
		w.printf("%s\n", strings.TrimRight(lead, "\n"))
	}
	var inc *Item
	if q.IncidentID != "" {
		inc = w.incidentItem(q.IncidentID)
	}
	switch {
	case inc != nil:
		w.incident(inc)
	case q.User != "":
		w.printf("## Investigation of %s\n", q.User)
	case q.Device != "":
		w.printf("## Investigation of device %s\n", q.Device)
	case q.IP != "":
		w.printf("## Investigation of %s\n", q.IP)
	case len(set.Items()) > 0:
		w.printf("## Evidence\n")
	}
	w.relatedIncidents(inc)
	w.alerts()
	w.techniques(inc)
	w.users(inc)
	w.devices(inc)
	w.signIns()
	w.dataLoss()
	w.scripts()
	w.plugins()
	w.openQuestions(inc)
	if len(set.Items()) == 0 {
		w.printf("No source returned evidence for this question, so there is nothing to report.\n")
	}
	return strings.TrimSpace(w.b.String()) + "\n"
}

type writer struct {
	set *Set
	b   strings.Builder
}

func (w *writer) printf(format string, a ...any) { fmt.Fprintf(&w.b, format, a...) }

// incidentItem is the investigated incident's item, if it was read.
func (w *writer) incidentItem(id string) *Item {
	for _, it := range w.set.OfKind(KindIncident) {
		if f, ok := it.Facet("incident").(IncidentFacet); ok && f.ID == id {
			return it
		}
	}
	return nil
}

// relatedIncidents writes the incidents other than the investigated one
// (those the alerts of a user or device belong to, or a window's top ones).
func (w *writer) relatedIncidents(inc *Item) {
	var lines []string
	for _, it := range w.set.OfKind(KindIncident) {
		f, ok := it.Facet("incident").(IncidentFacet)
		if !ok || it == inc {
			continue
		}
		line := fmt.Sprintf("- Incident %s %s: %s severity, status %s, classification %s (determination %s), %s",
			f.ID, q(f.Title), f.Severity, f.Status, f.Classification, f.Determination, text.Count(int64(f.AlertCount), "alert"))
		if !f.FirstActivity.IsZero() {
			line += fmt.Sprintf(" from %s to %s", ts(f.FirstActivity), ts(f.LastActivity))
		}
		line += " " + cites(it) + "."
		if len(f.Users) > 0 {
			line += fmt.Sprintf(" It names users %s %s.", strings.Join(f.Users, ", "), cites(it))
		}
		if len(f.Devices) > 0 {
			line += fmt.Sprintf(" It names devices %s %s.", strings.Join(f.Devices, ", "), cites(it))
		}
		lines = append(lines, line)
	}
	if len(lines) > 0 {
		w.printf("\n### Incidents\n%s\n", strings.Join(lines, "\n"))
	}
}

// q quotes attacker-influenced text so it can neither end a sentence nor
// break out of the quote.
func q(s string) string {
	s = strings.NewReplacer("\"", "'", "`", "'", "\n", " ", "\r", " ", "[", "(", "]", ")").Replace(s)
	return "\"" + truncate(strings.TrimSpace(s), 240) + "\""
}

// code shows untrusted text (a command line) as inline code.
func code(s string) string {
	s = strings.NewReplacer("`", "'", "\n", " ", "\r", " ").Replace(s)
	return "`" + truncate(strings.TrimSpace(s), 240) + "`"
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func cites(items ...*Item) string {
	var ids []string
	for _, it := range items {
		if it != nil && !contains(ids, it.ID) {
			ids = append(ids, it.ID)
		}
	}
	return "[" + strings.Join(ids, ", ") + "]"
}

func (w *writer) incident(it *Item) {
	f, _ := it.Facet("incident").(IncidentFacet)
	s, hasSum := it.Facet("summary").(SummaryFacet)
	if f.ID == "" {
		w.printf("## Incident\n")
	} else {
		w.printf("## Incident %s\n", f.ID)
		w.printf("Incident %s, %s, is %s-severity incident with status %s (classification %s, determination %s) %s.\n",
			f.ID, q(f.Title), text.WithArticle(f.Severity), f.Status, f.Classification, f.Determination, cites(it))
	}
	count, from, to := f.AlertCount, f.FirstActivity, f.LastActivity
	if hasSum {
		count, from, to = s.AlertCount, s.FirstActivity, s.LastActivity
	}
	if count > 0 && !from.IsZero() {
		w.printf("It groups %d alerts, with activity from %s to %s %s.\n", count, ts(from), ts(to), cites(it))
	}
	if f.AssignedTo != "" {
		w.printf("It is assigned to %s %s.\n", f.AssignedTo, cites(it))
	}
	for i, c := range f.Comments {
		if i == 3 {
			break
		}
		w.printf("- Analyst comment: %s %s\n", q(c), cites(it))
	}
	if hasSum {
		for _, a := range s.Actions {
			w.printf("- Action taken: %s %s\n", q(a), cites(it))
		}
	}
}

func (w *writer) alerts() {
	var lines []string
	for _, it := range w.set.OfKind(KindAlert) {
		a, ok := it.Facet("alert").(AlertFacet)
		if !ok {
			continue
		}
		techs := ""
		if len(a.Techniques) > 0 {
			techs = "; techniques " + strings.Join(a.Techniques, ", ")
		}
		lines = append(lines, fmt.Sprintf("- %s: %s, %s severity, status %s, detected by %s%s %s.",
			ts(a.FirstActivity), q(a.Title), a.Severity, a.Status, a.DetectionSource, techs, cites(it)))
		if tl, ok := it.Facet("timeline").(TimelineFacet); ok {
			for i, d := range tl.Details {
				if i == 3 {
					break
				}
				lines = append(lines, fmt.Sprintf("  - Evidence: %s %s", code(d), cites(it)))
			}
		}
	}
	if len(lines) > 0 {
		w.printf("\n### Alerts in time order\n%s\n", strings.Join(lines, "\n"))
	}
}

func (w *writer) techniques(inc *Item) {
	var lines []string
	if inc != nil {
		if s, ok := inc.Facet("summary").(SummaryFacet); ok {
			for _, t := range s.Techniques {
				lines = append(lines, fmt.Sprintf("- %s: %s %s, first seen %s in %s %s.", t.Tactic, t.ID, q(t.Name), ts(t.First), q(t.FirstTitle), cites(inc)))
			}
		}
	}
	if len(lines) == 0 {
		for _, it := range w.set.OfKind(KindAlert) {
			if a, ok := it.Facet("alert").(AlertFacet); ok && len(a.Techniques) > 0 {
				lines = append(lines, fmt.Sprintf("- %s in %s %s.", strings.Join(a.Techniques, ", "), q(a.Title), cites(it)))
			}
		}
	}
	if len(lines) > 0 {
		w.printf("\n### ATT&CK techniques\n%s\n", strings.Join(lines, "\n"))
	}
}

func (w *writer) openQuestions(inc *Item) {
	if inc == nil {
		return
	}
	s, ok := inc.Facet("summary").(SummaryFacet)
	if !ok || len(s.OpenQuestions) == 0 {
		return
	}
	w.printf("\n### Open questions\n")
	for _, oq := range s.OpenQuestions {
		w.printf("- %s %s\n", q(oq), cites(inc))
	}
}
