package synth

import (
	"fmt"
	"strings"

	"github.com/secmcp/secmcp/internal/text"
)

// users writes each user of the incident (or the one asked about) with
// what the incident summary and Entra ID Protection say.
func (w *writer) users(inc *Item) {
	var lines []string
	seen := map[string]bool{}
	if inc != nil {
		s, _ := inc.Facet("summary").(SummaryFacet)
		for _, u := range s.Users {
			seen[strings.ToLower(u.Name)] = true
			line := fmt.Sprintf("- %s", u.Name)
			if u.Account != "" {
				line += fmt.Sprintf(" (account %s)", u.Account)
			}
			line += fmt.Sprintf(" is involved in %d alerts of the incident, first at %s %s.", u.AlertsInvolved, ts(u.FirstSeen), cites(inc))
			if u.RiskLevel != "" {
				line += fmt.Sprintf(" Entra ID Protection rates the user's risk %s (%s) %s.", u.RiskLevel, u.RiskState, cites(inc))
			}
			lines = append(lines, line)
			lines = append(lines, w.risk(u.Name)...)
		}
		f, _ := inc.Facet("incident").(IncidentFacet)
		for _, u := range f.Users {
			if !seen[strings.ToLower(u)] {
				seen[strings.ToLower(u)] = true
				lines = append(lines, fmt.Sprintf("- %s is named in the incident's evidence %s.", u, cites(inc)))
				lines = append(lines, w.risk(u)...)
			}
		}
	}
	for _, it := range w.set.OfKind(KindUser) {
		upn := strings.TrimPrefix(it.Description, "user ")
		if !seen[strings.ToLower(upn)] {
			seen[strings.ToLower(upn)] = true
			lines = append(lines, "- "+upn+" "+cites(it)+":")
			lines = append(lines, w.risk(upn)...)
		}
	}
	if len(lines) > 0 {
		w.printf("\n### Users\n%s\n", strings.Join(lines, "\n"))
	}
}

// risk writes a user's sign-in risk item as sub-bullets.
func (w *writer) risk(upn string) []string {
	var it *Item
	for _, u := range w.set.OfKind(KindUser) {
		if strings.EqualFold(u.Description, "user "+upn) {
			it = u
		}
	}
	if it == nil {
		return nil
	}
	f, ok := it.Facet("signInRisk").(RiskFacet)
	if !ok {
		return nil
	}
	c := cites(it)
	var out []string
	head := fmt.Sprintf("  - From %s to %s, Entra ID Protection recorded %s and %s for %s %s.",
		ts(f.Since), ts(f.Until), text.Count(int64(f.RiskDetections), "risk detection"), text.Count(int64(f.RiskySignInCount), "risky sign-in"), upn, c)
	if f.UserRiskLevel != "" {
		head += fmt.Sprintf(" The user's risk level is %s (%s) %s.", f.UserRiskLevel, f.UserRiskState, c)
	}
	out = append(out, head)
	if len(f.DetectionTypes) > 0 {
		var types []string
		for _, d := range f.DetectionTypes {
			types = append(types, fmt.Sprintf("%s (%d)", d.Type, d.Count))
		}
		out = append(out, fmt.Sprintf("  - Detection types: %s %s.", strings.Join(types, ", "), c))
	}
	for i, s := range f.RiskySignIns {
		if i == 3 {
			break
		}
		out = append(out, "  - "+signInLine(s)+" "+c+".")
	}
	for _, p := range f.Patterns {
		out = append(out, fmt.Sprintf("  - Pattern %s: %s %s.", p.Kind, q(p.Summary), c))
	}
	return out
}

func signInLine(s SignInFacet) string {
	line := fmt.Sprintf("Risky sign-in at %s by %s", ts(s.Time), s.User)
	if s.IPAddress != "" {
		line += " from " + s.IPAddress
	}
	if s.Location != "" {
		line += " (" + strings.ReplaceAll(s.Location, ".", "") + ")"
	}
	if s.App != "" {
		line += " to " + q(s.App)
	}
	if s.RiskLevel != "" {
		line += ", risk " + s.RiskLevel
	}
	if len(s.RiskEventTypes) > 0 {
		line += " (" + strings.Join(s.RiskEventTypes, ", ") + ")"
	}
	if s.CAStatus != "" {
		line += ", Conditional Access " + s.CAStatus
	}
	return line
}

// devices writes each device with its incident involvement, Intune
// compliance and hunting rows.
func (w *writer) devices(inc *Item) {
	var lines []string
	done := map[string]bool{}
	if inc != nil {
		s, _ := inc.Facet("summary").(SummaryFacet)
		for _, d := range s.Devices {
			done[strings.ToLower(shortName(d.Name))] = true
			line := fmt.Sprintf("- %s", d.Name)
			if d.OS != "" {
				line += fmt.Sprintf(" (%s)", d.OS)
			}
			line += fmt.Sprintf(" is involved in %d alerts of the incident, first at %s %s.", d.AlertsInvolved, ts(d.FirstSeen), cites(inc))
			lines = append(lines, line)
			lines = append(lines, w.deviceDetail(d.Name)...)
		}
		f, _ := inc.Facet("incident").(IncidentFacet)
		for _, d := range f.Devices {
			if !done[strings.ToLower(shortName(d))] {
				done[strings.ToLower(shortName(d))] = true
				lines = append(lines, fmt.Sprintf("- %s is named in the incident's evidence %s.", d, cites(inc)))
				lines = append(lines, w.deviceDetail(d)...)
			}
		}
	}
	for _, it := range w.set.OfKind(KindDevice) {
		if c, ok := it.Facet("compliance").(ComplianceFacet); ok && !done[strings.ToLower(c.Name)] {
			done[strings.ToLower(c.Name)] = true
			lines = append(lines, "- "+c.Name+" "+cites(it)+":")
			lines = append(lines, w.deviceDetail(c.Name)...)
		}
	}
	lines = append(lines, w.otherHunting(done)...)
	if len(lines) > 0 {
		w.printf("\n### Devices\n%s\n", strings.Join(lines, "\n"))
	}
}

// deviceDetail writes a device's Intune compliance and hunting rows.
func (w *writer) deviceDetail(name string) []string {
	var out []string
	short := strings.ToLower(shortName(name))
	for _, it := range w.set.OfKind(KindDevice) {
		c, ok := it.Facet("compliance").(ComplianceFacet)
		if !ok || strings.ToLower(c.Name) != short {
			continue
		}
		line := fmt.Sprintf("  - Intune device %s", c.Name)
		if c.User != "" {
			line += " of " + c.User
		}
		line += fmt.Sprintf(" is %s %s.", c.ComplianceState, cites(it))
		for _, s := range c.FailingSettings {
			line += fmt.Sprintf(" It fails %s (%s) of policy %s %s.", q(s.Title), s.Setting, q(s.Policy), cites(it))
		}
		if c.Grace != "" {
			line += fmt.Sprintf(" Grace period: %s %s.", q(c.Grace), cites(it))
		}
		out = append(out, line)
	}
	for _, it := range w.set.OfKind(KindHunting) {
		h, ok := it.Facet("advancedHunting").(HuntingFacet)
		if !ok {
			continue
		}
		for _, row := range h.Rows {
			dn, _ := row["DeviceName"].(string)
			if strings.ToLower(shortName(dn)) == short {
				out = append(out, "  - "+huntRowLine(row)+" "+cites(it)+".")
			}
		}
	}
	return out
}

func huntRowLine(row map[string]any) string {
	line := fmt.Sprintf("Advanced Hunting shows %v process events on %v from %v to %v", row["ProcessEvents"], row["DeviceName"], row["First"], row["Last"])
	if accts := joinAny(row["Accounts"]); accts != "" {
		line += " by accounts " + accts
	}
	return line
}

// otherHunting writes hunting rows not tied to a device already written
// (network connections to an IP, devices only hunting saw).
func (w *writer) otherHunting(done map[string]bool) []string {
	var out []string
	for _, it := range w.set.OfKind(KindHunting) {
		h, _ := it.Facet("advancedHunting").(HuntingFacet)
		for _, row := range h.Rows {
			if dn, ok := row["DeviceName"].(string); ok {
				if !done[strings.ToLower(shortName(dn))] {
					out = append(out, "- "+huntRowLine(row)+" "+cites(it)+".")
				}
				continue
			}
			if ip, ok := row["RemoteIP"].(string); ok {
				out = append(out, fmt.Sprintf("- Advanced Hunting shows %v connections to %s from %v to %v, from devices %s on ports %s %s.",
					row["Connections"], ip, row["First"], row["Last"], joinAny(row["Devices"]), joinAny(row["Ports"]), cites(it)))
			}
		}
		if len(h.Rows) == 0 {
			out = append(out, fmt.Sprintf("- Advanced Hunting found no rows for %s %s.", q(h.Purpose), cites(it)))
		}
	}
	return out
}

func joinAny(v any) string {
	l, ok := v.([]any)
	if !ok {
		return ""
	}
	var s []string
	for _, e := range l {
		s = append(s, fmt.Sprint(e))
	}
	return strings.Join(s, ", ")
}

// signIns writes risky sign-ins found for an IP address.
func (w *writer) signIns() {
	items := w.set.OfKind(KindSignIn)
	if len(items) == 0 {
		return
	}
	w.printf("\n### Sign-ins\n")
	for _, it := range items {
		if s, ok := it.Facet("signIn").(SignInFacet); ok {
			w.printf("- %s %s.\n", signInLine(s), cites(it))
		}
	}
}

// dataLoss writes the DLP alerts Purview's investigation described.
func (w *writer) dataLoss() {
	var lines []string
	for _, it := range w.set.OfKind(KindAlert) {
		d, ok := it.Facet("dlp").(DLPFacet)
		if !ok {
			continue
		}
		line := fmt.Sprintf("- At %s DLP policy %s matched %s", ts(d.Time), q(d.Policy), q(d.Item))
		if d.User != "" {
			line += " for " + d.User
		}
		line += fmt.Sprintf(" (%s); action %s, user override %t %s.", d.Location, d.Action, d.Overridden, cites(it))
		lines = append(lines, line)
		for _, p := range d.Paths {
			lines = append(lines, fmt.Sprintf("  - Exfiltration path %s: %s to %s, %d events from %s to %s %s.",
				p.Kind, q(p.Description), p.Destination, p.Events, ts(p.First), ts(p.Last), cites(it)))
		}
	}
	if len(lines) > 0 {
		w.printf("\n### Data loss\n%s\n", strings.Join(lines, "\n"))
	}
}

// scripts writes the static analyses of encoded command lines.
func (w *writer) scripts() {
	items := w.set.OfKind(KindScript)
	if len(items) == 0 {
		return
	}
	w.printf("\n### Encoded command lines\n")
	for _, it := range items {
		f, _ := it.Facet("scriptAnalysis").(ScriptFacet)
		c := cites(it)
		w.printf("- The command line %s decodes to %s; the static analysis verdict is %s %s.\n", code(f.CommandLine), code(f.Decoded), f.Verdict, c)
		for _, r := range f.Reasons {
			w.printf("  - Reason: %s %s.\n", q(r), c)
		}
		var ind []string
		for _, i := range f.Indicators {
			ind = append(ind, i.Type+" "+i.Value)
		}
		if len(ind) > 0 {
			w.printf("  - Indicators: %s %s.\n", strings.Join(ind, "; "), c)
		}
		var techs []string
		for _, t := range f.Techniques {
			techs = append(techs, t.ID+" "+q(t.Name))
		}
		if len(techs) > 0 {
			w.printf("  - Techniques: %s %s.\n", strings.Join(techs, ", "), c)
		}
	}
}
