package reports

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/text"
	"github.com/secmcp/secmcp/tools/defender"
)

func (w *writer) attackMapping(technical bool) {
	w.heading(2, "ATT&CK mapping")
	if len(w.s.KillChain) == 0 {
		w.text("No alert names an ATT&CK technique.")
		return
	}
	if technical {
		w.table("Tactic", "Technique", "Name", "First seen")
	}
	for _, st := range w.s.KillChain {
		for _, mt := range st.Techniques {
			name := orWord(mt.Name, "not in the knowledge base")
			if technical {
				w.row([]string{st.Tactic, mt.ID, name, ts(mt.First)}, mt.URI, mt.AttackURI)
				continue
			}
			w.text(fmt.Sprintf("- %s: %s (%s)", st.Tactic, name, mt.ID), mt.URI, mt.AttackURI)
		}
	}
	w.blank()
}

func (w *writer) linked() {
	l := w.s.Linked
	if l.WindowStart.IsZero() {
		return
	}
	w.heading(2, "Linked findings")
	for _, si := range l.RiskySignIns {
		t := fmt.Sprintf("- %s risky sign-in by %s from %s%s, risk %s", ts(si.Time), si.User, orWord(si.IPAddress, "an unknown IP"), countrySuffix(si.Country), si.RiskLevel)
		if len(si.RiskEvents) > 0 {
			t += " (" + strings.Join(si.RiskEvents, ", ") + ")"
		}
		w.text(t, si.URI)
	}
	for _, d := range l.RiskDetections {
		w.text(fmt.Sprintf("- %s risk detection %s (%s) for %s", ts(d.Time), d.EventType, d.Level, d.User), d.URI, d.SignInURI)
	}
	for _, a := range l.DLPAlerts {
		w.text(fmt.Sprintf("- %s DLP alert for %s: %s", ts(a.Time), a.User, md(a.Title, 200)), a.URI)
	}
	if len(l.RiskySignIns)+len(l.RiskDetections)+len(l.DLPAlerts) == 0 {
		w.text("- No risky sign-ins, risk detections or DLP alerts of the affected users in the incident window.")
	}
}

func (w *writer) actions(title string) {
	w.heading(2, title)
	if len(w.s.Actions) == 0 {
		w.text("No response actions are recorded in the incident or its alerts.")
		return
	}
	for _, a := range w.s.Actions {
		t := "- " + md(a.Action, 300)
		if !a.Time.IsZero() {
			t = "- " + ts(a.Time) + " " + md(a.Action, 300)
		}
		w.text(t, a.URI)
	}
}

// nextSteps recommends only what the incident's evidence calls for: the
// steps defender.Recommend derives from the alerts and their evidence (each
// naming its entity and the alerts that call for it, and citing them) and
// the linked findings' steps (non-compliant devices, risky users). The
// techniques' generic response guidance is on their ATT&CK pages, which the
// mapping section cites; repeating it here would restate the same steps.
func (w *writer) nextSteps() {
	w.heading(2, "Recommended next steps")
	seen := map[string]bool{}
	add := func(step string, uris ...string) {
		if step == "" || seen[step] {
			return
		}
		seen[step] = true
		w.text("- "+step, uris...)
	}
	for _, d := range w.s.Entities.Devices {
		if d.Intune != nil && len(d.Intune.FailingSettings) > 0 {
			add(fmt.Sprintf("Bring %s back into compliance (failing %s) before it reconnects.", d.Intune.Name, strings.Join(d.Intune.FailingSettings, ", ")), d.Intune.URI)
		}
	}
	for _, u := range w.s.Entities.Users {
		if u.Risk != nil && (u.Risk.Level == "high" || u.Risk.Level == "medium") {
			add(fmt.Sprintf("Confirm or dismiss the compromise of %s in Entra ID Protection, then reset credentials and revoke sessions.", u.Name), u.Risk.URI)
		}
	}
	in := w.s.Source()
	titles := map[string]string{}
	for _, a := range in.Alerts {
		titles[a.ID] = a.Title
	}
	for _, r := range defender.Recommend(w.alias, in) {
		add(phaseLabel[r.Phase]+": "+r.Text+" — "+calledFor(r.Alerts, titles)+".", first(r.URIs, 3)...)
	}
	if len(seen) == 0 {
		w.text("- The alerts' evidence calls for no specific step; review the open questions below.")
	}
}

var phaseLabel = map[string]string{defender.PhaseContain: "Contain", defender.PhaseInvestigate: "Investigate", defender.PhaseRemediate: "Remediate"}

// calledFor names the alerts that call for a step: the first by title, the
// rest by number.
func calledFor(ids []string, titles map[string]string) string {
	if len(ids) == 0 {
		return ""
	}
	s := "called for by " + text.Quote(md(titles[ids[0]], 120))
	if len(ids) > 1 {
		s += " and " + text.Count(int64(len(ids)-1), "more alert")
	}
	return s
}

func first(list []string, n int) []string {
	if len(list) > n {
		return list[:n]
	}
	return list
}

func (w *writer) questions() {
	w.heading(2, "Open questions")
	if len(w.s.OpenQuestions) == 0 {
		w.text("None found in the evidence.")
	}
	for _, q := range w.s.OpenQuestions {
		w.text("- "+q.Question+" ("+q.Why+")", q.URI)
	}
}

func (w *writer) missing() {
	if len(w.s.MissingSources) == 0 {
		return
	}
	w.heading(2, "Missing sources")
	for _, m := range w.s.MissingSources {
		w.text("- " + m.Source + " could not be read; " + m.Affects + " are not in this report.")
	}
}

// notes adds the analyst's notes as unverified text in a fenced block, so
// they can neither add structure nor pass for checked statements.
func (w *writer) notes() {
	n := strings.TrimSpace(w.p.AnalystNotes)
	if n == "" {
		return
	}
	w.heading(2, "Analyst notes")
	w.text("Analyst note (not verified by secmcp):")
	w.raw("```text")
	for _, l := range strings.Split(n, "\n") {
		w.raw(notesLine.Replace(strings.TrimRight(l, "\r")))
	}
	w.raw("```")
}

// notesLine defangs what could end the fence or pass for a citation.
var notesLine = strings.NewReplacer("`", "'", "~~~", "~ ~ ~", "[", "(", "]", ")", "secmcp://", "secmcp:/ /")

// regulator writes the notification-style body.
func (w *writer) regulator() {
	s, iu := w.s, w.s.Incident.URI
	w.heading(2, "1. What happened")
	w.text(fmt.Sprintf("Microsoft Defender XDR incident %s (%s), severity %s, status %s.", s.Incident.ID, md(s.Incident.Title, 200), s.Incident.Severity, s.Incident.Status), iu)
	for _, st := range s.KillChain {
		var names []string
		for _, mt := range st.Techniques {
			names = append(names, orWord(mt.Name, mt.ID))
		}
		w.text(fmt.Sprintf("- %s: %s.", st.Tactic, strings.Join(names, "; ")), iu)
	}
	w.heading(2, "2. When it happened and when it was discovered")
	if s.FirstActivity.IsZero() {
		w.text("When the activity started: unknown — the incident has no dated alerts.")
	} else {
		w.text(fmt.Sprintf("The earliest alerted activity began at %s and the latest ended at %s (UTC).", ts(s.FirstActivity), ts(s.LastActivity)), iu)
	}
	w.text(fmt.Sprintf("The incident was opened (discovered) at %s (UTC).", ts(s.Incident.Created)), iu)
	w.heading(2, "3. Data and people affected")
	users, uURIs := entityNames(userEntities(s), 10)
	if users == "" {
		w.text("People affected: unknown — no user account appears in the evidence.")
	} else {
		w.text("User accounts involved: "+users+".", uURIs...)
	}
	w.text("Number of data subjects affected: unknown — the evidence does not identify whose personal data was involved.")
	w.dataImpact()
	w.heading(2, "4. Likely consequences")
	w.text("To be assessed by the controller; the evidence does not establish consequences for the people affected.")
	w.actions("5. Measures taken")
	w.nextSteps()
	w.timeline(false)
	w.heading(2, "Contact")
	w.text("Data protection officer or other contact point: name, e-mail and telephone to be completed by the controller.")
}
