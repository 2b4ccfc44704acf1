package defender

import (
	"fmt"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/cite"
	"github.com/secmcp/secmcp/internal/text"
)

// mdLines accumulates the summary's Markdown as claims: each line states
// its facts in its text and cites the resources that hold them. Headings
// and blank lines are not claims.
type mdLines struct{ claims []cite.Claim }

func (m *mdLines) heading(format string, args ...any) {
	if len(m.claims) > 0 {
		m.blank()
	}
	m.claims = append(m.claims, cite.Claim{Text: fmt.Sprintf(format, args...)})
}

func (m *mdLines) blank() { m.claims = append(m.claims, cite.Claim{}) }

// line adds a list line citing uris (empty URIs are skipped).
func (m *mdLines) line(text string, uris ...string) {
	var cs []string
	for _, u := range uris {
		if u != "" && !containsString(cs, u) {
			cs = append(cs, u)
		}
	}
	m.claims = append(m.claims, cite.Auto(text, cs...))
}

func containsString(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// lines renders the summary as claims, section by section.
func (b *summaryBuilder) lines(s *IncidentSummary) []cite.Claim {
	m := &mdLines{}
	iu := b.incidentURI()
	m.heading("# Incident %s summary", b.in.ID)
	m.line(fmt.Sprintf("Incident %s: %s", b.in.ID, oneLine(b.in.DisplayName, 240)), iu)
	m.line(statusLine(b.in.Severity, b.in.Status, b.in.Classification, b.in.Determination, b.in.AssignedTo), iu)
	m.line(fmt.Sprintf("- Created %s, last updated %s", ts(b.in.CreatedDateTime), ts(b.in.LastUpdateDateTime)), iu)
	if first, last, fa, la := b.span(); !first.IsZero() {
		m.line(fmt.Sprintf("- Attacker activity from %s to %s", ts(first), ts(last)), b.alertURI(fa), b.alertURI(la))
	}
	if s.Description != "" {
		m.line("- Incident description (untrusted): "+s.Description, iu)
	}
	if !s.Continuation {
		b.killChainLines(m, s)
		b.entityLines(m, s)
	}
	b.timelineLines(m, s)
	if !s.Continuation {
		b.linkedLines(m, s)
		b.actionLines(m, s)
		b.questionLines(m, s)
		missingLines(m, s)
	}
	return m.claims
}

func statusLine(sev, status, class, det, assigned string) string {
	if assigned == "" {
		assigned = "nobody"
	}
	if class == "" {
		class = "unknown"
	}
	if det == "" {
		det = "unknown"
	}
	return fmt.Sprintf("- Severity %s, status %s, classification %s, determination %s, assigned to %s", sev, status, class, det, assigned)
}

func (b *summaryBuilder) killChainLines(m *mdLines, s *IncidentSummary) {
	m.heading("## Attacker behaviour (ATT&CK kill chain)")
	if len(s.KillChain) == 0 {
		m.line("- No alert names an ATT&CK technique, so no kill chain can be mapped.")
		return
	}
	for _, st := range s.KillChain {
		for _, mt := range st.Techniques {
			name := mt.Name
			if name == "" {
				name = "(not in the knowledge base)"
			}
			m.line(fmt.Sprintf("- %s: %s %s, first seen %s in %s", st.Tactic, mt.ID, name, ts(mt.First), text.Quote(mt.FirstTitle)), mt.URI, mt.AttackURI)
		}
	}
}

func (b *summaryBuilder) entityLines(m *mdLines, s *IncidentSummary) {
	e, t := s.Entities, s.Entities.Totals
	m.heading("## Affected entities")
	if len(e.Users) > 0 {
		m.heading("### Users (%d of %d)", len(e.Users), t.Users)
		for _, u := range e.Users {
			txt := "- " + u.Name
			if u.AccountName != "" && !strings.EqualFold(u.AccountName, u.Name) {
				txt += " (account " + oneLine(u.AccountName, 80) + ")"
			}
			m.line(txt, u.URI)
			if u.Risk != nil {
				m.line(fmt.Sprintf("  - Entra ID Protection: user risk %s, state %s", u.Risk.Level, u.Risk.State), u.Risk.URI)
			}
		}
	}
	if len(e.Devices) > 0 {
		m.heading("### Devices (%d of %d)", len(e.Devices), t.Devices)
		for _, d := range e.Devices {
			m.line("- "+oneLine(d.Name, 200), d.URI)
			if dc := d.Intune; dc != nil {
				txt := fmt.Sprintf("  - Intune device %s: %s", dc.Name, dc.ComplianceState)
				if len(dc.FailingSettings) > 0 {
					txt += "; failing settings " + strings.Join(dc.FailingSettings, ", ")
				}
				m.line(txt, dc.URI)
			}
		}
	}
	simple := func(title string, list []Entity, total int) {
		if len(list) == 0 {
			return
		}
		m.heading("### %s (%d of %d)", title, len(list), total)
		for _, x := range list {
			m.line("- "+oneLine(x.Name, 300), x.URI)
		}
	}
	simple("Mailboxes", e.Mailboxes, t.Mailboxes)
	if len(e.IPs) > 0 {
		m.heading("### IP addresses (%d of %d)", len(e.IPs), t.IPs)
		for _, ip := range e.IPs {
			txt := "- " + ip.Name
			if ip.Country != "" {
				txt += " (" + ip.Country + ")"
			}
			m.line(txt, ip.URI)
		}
	}
	if len(e.Files) > 0 {
		m.heading("### Files (%d of %d)", len(e.Files), t.Files)
		for _, f := range e.Files {
			txt := "- " + oneLine(f.Name, 160)
			if f.SHA256 != "" {
				txt += " SHA-256 " + f.SHA256
			}
			m.line(txt, f.URI)
		}
	}
	simple("Cloud apps", e.Apps, t.Apps)
	simple("URLs", e.URLs, t.URLs)
}

func (b *summaryBuilder) timelineLines(m *mdLines, s *IncidentSummary) {
	m.heading("## Timeline (%d events on this page)", len(s.Timeline))
	for _, ev := range s.Timeline {
		when := ts(ev.Time)
		if !ev.End.IsZero() {
			when += " to " + ts(ev.End)
		}
		txt := "- " + when + " · "
		if ev.Kind == EventAlert {
			txt += fmt.Sprintf("%s · %s · %s (%s)", orDash(ev.Category), ev.Severity, ev.Title, ev.Status)
		} else {
			txt += ev.Title
		}
		m.line(txt, ev.URI)
		for _, d := range ev.Details {
			m.line("  - "+d, ev.URI)
		}
	}
	if s.TimelinePage.More {
		m.line("- More events follow: pass the cursor from timelinePage for the next page.")
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (b *summaryBuilder) linkedLines(m *mdLines, s *IncidentSummary) {
	l := s.Linked
	if b.linked == nil || l.WindowStart.IsZero() {
		return
	}
	m.heading("## Linked findings (%s to %s)", ts(l.WindowStart), ts(l.WindowEnd))
	if len(l.RiskySignIns) > 0 {
		m.heading("### Risky sign-ins")
		for _, si := range l.RiskySignIns {
			m.line("- "+ts(si.Time)+" "+signInTitle(si), si.URI)
		}
	}
	if len(l.RiskDetections) > 0 {
		m.heading("### Risk detections")
		for _, d := range l.RiskDetections {
			txt := fmt.Sprintf("- %s %s (%s) for %s", ts(d.Time), d.EventType, d.Level, d.User)
			if d.IPAddress != "" {
				txt += " from " + d.IPAddress
			}
			m.line(txt, d.URI, d.SignInURI)
		}
	}
	if len(l.DLPAlerts) > 0 {
		m.heading("### DLP alerts of the incident users")
		for _, a := range l.DLPAlerts {
			txt := fmt.Sprintf("- %s %s: %s", ts(a.Time), a.User, a.Title)
			if a.Policy != "" {
				txt += "; policy " + a.Policy
			}
			if a.Action != "" {
				txt += "; action " + a.Action
			}
			if a.InIncident {
				txt += " (part of this incident)"
			}
			m.line(txt, a.URI)
		}
	}
	if len(l.NotLinked) > 0 {
		m.line("- Users and devices beyond the first ten were not looked up in Entra ID, Intune or Purview.")
	}
}

func (b *summaryBuilder) actionLines(m *mdLines, s *IncidentSummary) {
	m.heading("## Actions taken")
	if len(s.Actions) == 0 {
		m.line("- None recorded in the incident or its alerts.")
	}
	for _, a := range s.Actions {
		txt := "- " + a.Action
		if !a.Time.IsZero() {
			txt = "- " + ts(a.Time) + " " + a.Action
		}
		m.line(txt, a.URI)
	}
}

func (b *summaryBuilder) questionLines(m *mdLines, s *IncidentSummary) {
	m.heading("## Open questions")
	if len(s.OpenQuestions) == 0 {
		m.line("- None found.")
	}
	for _, q := range s.OpenQuestions {
		txt := "- " + q.Question + " Why: " + q.Why + "."
		if q.Next != "" {
			txt += " Next: " + q.Next + "."
		}
		m.line(txt, q.URI)
	}
}

func missingLines(m *mdLines, s *IncidentSummary) {
	if len(s.MissingSources) == 0 {
		return
	}
	m.heading("## Missing sources")
	for _, ms := range s.MissingSources {
		m.line("- " + ms.Source + " could not be read: " + ms.Affects + " are missing from this summary, not guessed.")
	}
}
