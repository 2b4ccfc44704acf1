package reports

import (
	"fmt"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/attack"
	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/tools/defender"
)

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// stageName is the ATT&CK tactic name of an alert category ("" if none).
func stageName(category string) string {
	if t, ok := attack.LookupTactic(category); ok {
		return t.Name
	}
	return category
}

// write lays out the report for the audience.
func (w *writer) write() {
	s := w.s
	aud := map[string]string{AudienceManagement: "management", AudienceTechnical: "technical staff", AudienceRegulator: "the regulator"}[w.p.Audience]
	w.title = fmt.Sprintf("Incident %s report: %s", s.Incident.ID, md(s.Incident.Title, 160))
	if w.p.Audience == AudienceRegulator {
		w.title = fmt.Sprintf("Incident %s: draft breach notification", s.Incident.ID)
	}
	w.heading(1, w.title)
	w.text(fmt.Sprintf("Draft for %s, prepared by secmcp (not yet reviewed). Every statement cites the evidence appendix; text marked as an analyst note is not verified.", aud))
	if w.p.Audience == AudienceRegulator {
		w.regulator()
	} else {
		w.executiveSummary()
		w.scope(w.p.Audience == AudienceTechnical)
		w.timeline(w.p.Audience == AudienceTechnical)
		w.attackMapping(w.p.Audience == AudienceTechnical)
		if w.p.Audience == AudienceTechnical {
			w.linked()
		}
		w.actions("Actions taken")
		w.nextSteps()
	}
	w.questions()
	w.missing()
	w.notes()
}

func (w *writer) executiveSummary() {
	s, iu := w.s, w.s.Incident.URI
	w.heading(2, "Executive summary")
	w.text(fmt.Sprintf("Incident %s (%s) has severity %s and status %s; classification %s; assigned to %s.",
		s.Incident.ID, md(s.Incident.Title, 200), s.Incident.Severity, s.Incident.Status, orUnknown(s.Incident.Classification), orWord(s.Incident.AssignedTo, "nobody")), iu)
	if !s.FirstActivity.IsZero() {
		w.text(fmt.Sprintf("Attacker activity was observed from %s to %s; the incident was opened at %s.", ts(s.FirstActivity), ts(s.LastActivity), ts(s.Incident.Created)), iu)
	}
	if len(s.KillChain) > 0 {
		var names []string
		for _, st := range s.KillChain {
			names = append(names, st.Tactic)
		}
		w.text("The alerts show these attack stages, in kill-chain order: "+strings.Join(names, ", ")+".", iu)
	}
	users, uURIs := entityNames(userEntities(s), 5)
	devs, dURIs := entityNames(deviceEntities(s), 5)
	if users != "" {
		w.text("Affected users: "+users+".", uURIs...)
	}
	if devs != "" {
		w.text("Affected devices: "+devs+".", dURIs...)
	}
	w.dataImpact()
}

// dataImpact states what the DLP evidence says about data, or that it is unknown.
func (w *writer) dataImpact() {
	if len(w.s.Linked.DLPAlerts) == 0 {
		w.text("Data affected: unknown — no DLP alert of the affected users in the incident window names the data involved.")
		return
	}
	for _, a := range w.s.Linked.DLPAlerts {
		t := fmt.Sprintf("Data affected: Purview DLP recorded %s for %s at %s", text.Quote(md(a.Title, 200)), a.User, ts(a.Time))
		if a.Policy != "" {
			t += " under policy " + md(a.Policy, 100)
		}
		w.text(t+".", a.URI)
	}
}

type named struct{ name, uri string }

func userEntities(s defender.IncidentSummary) []named {
	var out []named
	for _, u := range s.Entities.Users {
		out = append(out, named{u.Name, u.URI})
	}
	return out
}

func deviceEntities(s defender.IncidentSummary) []named {
	var out []named
	for _, d := range s.Entities.Devices {
		out = append(out, named{d.Name, d.URI})
	}
	return out
}

// entityNames joins up to max names and returns the URIs that cite them.
func entityNames(list []named, max int) (string, []string) {
	var names, uris []string
	for i, e := range list {
		if i == max {
			names = append(names, "and more (see the scope section)")
			break
		}
		names = append(names, md(e.name, 120))
		uris = append(uris, e.uri)
	}
	return strings.Join(names, ", "), uris
}

func orUnknown(s string) string { return orWord(s, "unknown") }

func orWord(s, w string) string {
	if s == "" {
		return w
	}
	return s
}

func (w *writer) scope(technical bool) {
	s := w.s
	w.heading(2, "Scope and impact")
	t := s.Entities.Totals
	w.heading(3, "In the evidence: "+text.Count(int64(t.Users), "user")+", "+text.Count(int64(t.Devices), "device")+", "+text.Count(int64(t.IPs), "IP address")+", "+text.Count(int64(t.Files), "file"))
	for _, u := range s.Entities.Users {
		w.text("- User "+md(u.Name, 120), u.URI)
		if u.Risk != nil {
			w.text(fmt.Sprintf("  - Entra ID Protection rates the user's risk %s (%s).", u.Risk.Level, u.Risk.State), u.Risk.URI)
		}
	}
	for _, d := range s.Entities.Devices {
		w.text("- Device "+md(d.Name, 160), d.URI)
		if dc := d.Intune; dc != nil {
			t := fmt.Sprintf("  - Intune: %s is %s", dc.Name, dc.ComplianceState)
			if len(dc.FailingSettings) > 0 {
				t += "; failing " + strings.Join(dc.FailingSettings, ", ")
			}
			w.text(t+".", dc.URI)
		}
	}
	if technical {
		for _, m := range s.Entities.Mailboxes {
			w.text("- Mailbox "+md(m.Name, 160), m.URI)
		}
		for _, ip := range s.Entities.IPs {
			w.text("- IP address "+ip.Name+countrySuffix(ip.Country), ip.URI)
		}
		for _, f := range s.Entities.Files {
			t := "- File " + md(f.Name, 160)
			if f.SHA256 != "" {
				t += " SHA-256 " + f.SHA256
			}
			w.text(t, f.URI)
		}
		for _, u := range s.Entities.URLs {
			w.text("- URL "+md(u.Name, 300), u.URI)
		}
		for _, a := range s.Entities.Apps {
			w.text("- Cloud app "+md(a.Name, 160), a.URI)
		}
	}
}

func countrySuffix(c string) string {
	if c == "" {
		return ""
	}
	return " (" + c + ")"
}

func (w *writer) timeline(technical bool) {
	s := w.s
	w.heading(2, "Timeline")
	w.mermaid = TimelineDiagram(fmt.Sprintf("Incident %s timeline (UTC)", s.Incident.ID), s.Timeline)
	w.raw("```mermaid")
	for _, l := range strings.Split(strings.TrimRight(w.mermaid, "\n"), "\n") {
		w.raw(l)
	}
	w.raw("```")
	w.table("Time (UTC)", "Stage", "Event", "Severity")
	for _, ev := range s.Timeline {
		stage := "-"
		if ev.Kind == defender.EventAlert {
			stage = stageName(ev.Category)
		}
		w.row([]string{ts(ev.Time), stage, ev.Title, ev.Severity}, ev.URI)
	}
	w.blank()
	if s.TimelinePage.More {
		w.text("The incident has more events than this report shows; defender_summarize_incident pages through the rest.")
	}
	if technical {
		var any bool
		for _, ev := range s.Timeline {
			for _, d := range ev.Details {
				if !any {
					w.heading(3, "Key evidence")
					any = true
				}
				w.text("- "+ts(ev.Time)+" "+d, ev.URI)
			}
		}
	}
}
