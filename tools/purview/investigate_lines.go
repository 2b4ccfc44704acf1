package purview

import (
	"fmt"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/resources"
)

// maxNarrative bounds the narrative lines of the text (the JSON keeps all).
const maxNarrative = 120

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func investigationLines(v *Investigation, a *answer) {
	a.Heading("DLP investigation: " + v.User)
	a.Derived(fmt.Sprintf("User %s; window %s to %s; %s, %s, %s.",
		v.User, ts(v.From), ts(v.To), text.Count(int64(len(v.DLPAlerts)), "DLP alert"), text.Count(int64(len(v.Paths)), "exfiltration path"),
		text.Count(int64(len(v.Narrative)), "event")), []string{v.User}, v.UserURI)
	if v.CaseID != "" {
		a.Line("Case: incident "+v.CaseID+".", nil, caseURI(v))
	}
	a.Heading("DLP alerts (oldest first)")
	if len(v.DLPAlerts) == 0 {
		a.Note("No DLP alert names this user in the window.")
	}
	for _, r := range v.DLPAlerts {
		line := fmt.Sprintf("- %s %s: policy %s, %s, action %s", ts(r.Time), r.ID, text.Quote(r.Policy), r.Location, r.Action)
		if r.Overridden {
			line += " (overridden)"
		}
		if r.Item != "" {
			line += fmt.Sprintf(", item %s (untrusted)", text.Quote(r.Item))
		}
		a.Line(line+".", []string{r.Policy, r.Location, r.Action, r.Item}, r.URI)
	}
	pathLines(v, a)
	labelLines(v, a)
	narrativeLines(v, a)
	a.Heading("Open questions")
	for _, q := range v.OpenQuestions {
		a.Note("- " + q)
	}
	queryLines(v, a)
}

func caseURI(v *Investigation) string {
	return resources.URI(v.Tenant, resources.KindIncident, v.CaseID)
}

func pathLines(v *Investigation, a *answer) {
	a.Heading("Exfiltration paths")
	if len(v.Paths) == 0 {
		a.Note("No exfiltration path shows in the data read.")
	}
	for _, p := range v.Paths {
		var ev []string
		if len(p.Alerts) > 0 {
			ev = append(ev, plainPlural(len(p.Alerts), "DLP alert")+" "+strings.Join(p.Alerts, ", "))
		}
		if len(p.Queries) > 0 {
			ev = append(ev, plainPlural(len(p.Queries), "query result")+" "+strings.Join(p.Queries, ", "))
		}
		a.Derived(fmt.Sprintf("- %s → %s: %s from %s to %s; evidence: %s.", p.Description, p.Destination, text.Count(int64(p.Events), "event"),
			ts(p.First), ts(p.Last), strings.Join(ev, "; ")), p.facts, p.Citations...)
	}
}

func labelLines(v *Investigation, a *answer) {
	if len(v.Labels) == 0 {
		return
	}
	a.Heading("Sensitivity labels")
	for _, l := range v.Labels {
		if l.URI != "" {
			a.Line(fmt.Sprintf("- %s (on the item of %s).", l.Label, l.Source), []string{l.Label}, l.URI)
			continue
		}
		a.Note(fmt.Sprintf("- Label %s at %s [%s].", l.Label, ts(l.Time), l.Source))
	}
}

func narrativeLines(v *Investigation, a *answer) {
	a.Heading("Narrative")
	for i, e := range v.Narrative {
		if i == maxNarrative {
			a.Note(fmt.Sprintf("… %s more in the narrative field.", text.Count(int64(len(v.Narrative)-maxNarrative), "event")))
			break
		}
		if !e.FromQuery {
			a.Line(fmt.Sprintf("- %s — %s.", ts(e.Time), e.What), e.facts, e.Citations...)
			continue
		}
		a.Derived(fmt.Sprintf("- %s — %s [query result %s].", ts(e.Time), e.What, strings.Join(e.Queries, ", ")), e.facts, e.Citations...)
	}
}

func queryLines(v *Investigation, a *answer) {
	a.Heading("Queries run")
	a.Note(v.QueryNote)
	for _, q := range v.Queries {
		status := text.Count(int64(q.Rows), "row")
		if q.Error != "" {
			status = "failed: " + q.Error
		}
		a.Note(fmt.Sprintf("- %s %s (%s, %s): %s", q.Name, q.Table, q.Title, q.Source, status))
		a.Note("```kql")
		for _, l := range strings.Split(q.KQL, "\n") {
			a.Note(l)
		}
		a.Note("```")
	}
	for _, m := range v.MissingSources {
		a.Note(fmt.Sprintf("Missing source: %s could not be read (%s); %s.", m.Source, m.Error, m.Affects))
	}
}

// plainPlural is noun in the number n needs, without the number.
func plainPlural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return text.Plural(noun)
}
