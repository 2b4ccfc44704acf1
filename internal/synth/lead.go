package synth

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// leadInfo is what the answer begins with: the verdicts where one was
// asked for (or the question is about one user or device), and the
// rankings of a tenant-wide question. Writers of every kind start with it.
type leadInfo struct {
	tenant   string
	verdict  bool
	verdicts []Verdict
	rankings []rankRef
	set      *Set
}

// metrics are the ranking columns written, in order, with their nouns.
var metrics = []struct{ key, noun string }{
	{"failedSignIns", "failed sign-ins"}, {"FailedSignIns", "failed sign-ins"}, {"riskySignIns", "risky sign-ins"},
	{"Connections", "outgoing connections"}, {"RemoteIPs", "distinct remote IP addresses"},
	{"ProcessEvents", "process events"}, {"DistinctFiles", "distinct process files"},
	{"Countries", "countries"}, {"SignIns", "sign-ins"},
}

// labelled are entry columns written as "label value", in order.
var labelled = []struct{ key, label string }{
	{"entraRiskLevel", "Entra ID Protection riskLevel"}, {"identityInfoRiskLevel", "IdentityInfo RiskLevel"},
	{"criticalityLevel", "IdentityInfo CriticalityLevel"}, {"riskDetail", "risk detail"}, {"owner", "primary user"}, {"os", "OS"},
}

// nameColumns are the entry columns that name its entity, in the order
// entryName prefers them.
var nameColumns = []string{"device", "user", "DeviceName", "AccountUpn", "UserPrincipalName", "RecipientEmailAddress", "AccountName", "Computer", "label"}

// entryName names a ranking entry's entity.
func entryName(e map[string]any) string {
	for _, k := range nameColumns {
		if s, ok := e[k].(string); ok && s != "" {
			return "**" + s + "**"
		}
	}
	if id, ok := e["incident"].(string); ok {
		return fmt.Sprintf("incident %s %s", id, q(fmt.Sprint(e["title"])))
	}
	if t, ok := e["title"].(string); ok {
		return "alert " + q(t)
	}
	return ""
}

// entryLine writes one ranked entry with its metrics, citing the ranking.
func entryLine(e map[string]any, it *Item, all bool) string {
	var parts []string
	for _, m := range metrics {
		if v, ok := e[m.key]; ok {
			if f, isFloat := v.(float64); isFloat {
				v = strconv.FormatFloat(f, 'f', -1, 64)
			}
			parts = append(parts, fmt.Sprintf("%v %s", v, m.noun))
		}
	}
	for _, k := range []string{"riskLevel", "severity"} {
		if s, ok := e[k].(string); ok && s != "" {
			label := "user risk "
			if k == "severity" {
				label = "severity "
			}
			parts = append(parts, label+s)
		}
	}
	for _, l := range labelled {
		if v, ok := e[l.key]; ok && fmt.Sprint(v) != "" {
			parts = append(parts, fmt.Sprintf("%s %v", l.label, v))
		}
	}
	for _, k := range []string{"riskState", "status"} {
		if s, ok := e[k].(string); ok && s != "" {
			parts = append(parts, "state "+s)
		}
	}
	for _, k := range []string{"created", "firstActivity", "riskLastUpdated", "lastSync", "last"} {
		if s, ok := e[k].(string); ok && s != "" {
			parts = append(parts, "latest "+s)
			break
		}
	}
	if o, ok := e["outlier"].(bool); ok && o {
		parts = append(parts, "above the outlier threshold")
	}
	if all {
		parts = append(parts, otherColumns(e)...)
	}
	name := entryName(e)
	if name == "" {
		name = "row"
	}
	return fmt.Sprintf("%v. %s — %s %s.", e["rank"], name, strings.Join(parts, ", "), cites(it))
}

// otherColumns writes the columns of a generated query's row that
// entryLine does not already (strings quoted: they are data).
func otherColumns(e map[string]any) []string {
	known := map[string]bool{"rank": true, "outlier": true}
	for _, k := range nameColumns {
		known[k] = true
	}
	for _, l := range labelled {
		known[l.key] = true
	}
	for _, m := range metrics {
		known[m.key] = true
	}
	keys := make([]string, 0, len(e))
	for k := range e {
		if !known[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		switch v := e[k].(type) {
		case string:
			if v != "" {
				out = append(out, k+" "+q(v))
			}
		case float64:
			out = append(out, k+" "+strconv.FormatFloat(v, 'f', -1, 64))
		case int, int64, bool:
			out = append(out, fmt.Sprintf("%s %v", k, v))
		}
	}
	return out
}

// rankingLines writes a ranking: what, window, how many, by what, entries.
func rankingLines(rr rankRef, it *Item) []string {
	f := rr.f
	when := ""
	if !f.Since.IsZero() {
		when = fmt.Sprintf(" from %s to %s", rfc(f.Since), rfc(f.Until))
	}
	if f.Candidates == 0 {
		if unread := unreadSignals(f.Signals); len(unread) > 0 {
			// Nothing found in what answered is no answer when a source
			// holding the signal could not be read: say which.
			return []string{fmt.Sprintf("No %s%s in the sources that answered; not read: %s (see Sources that did not answer) %s.",
				f.Purpose, when, strings.Join(unread, ", "), cites(it))}
		}
		return []string{fmt.Sprintf("No %s%s %s.", f.Purpose, when, cites(it))}
	}
	head := fmt.Sprintf("**%s%s** — the top %d of %d, ranked by %s %s:", capitalize(f.Purpose), when, len(f.Entries), f.Candidates, f.RankedBy, cites(it))
	if f.Median > 0 {
		head = fmt.Sprintf("**%s%s** — %v of %d at or above the outlier threshold of %v (the median is %v) %s; the top %d, ranked by %s %s:",
			capitalize(f.Purpose), when, f.Totals["outliers"], f.Candidates, f.OutlierThreshold, f.Median, cites(it), len(f.Entries), f.RankedBy, cites(it))
	}
	out := []string{head}
	if len(f.Signals) > 0 {
		out = append(out, signalsLine(f.Signals, it))
	}
	for _, e := range f.Entries {
		out = append(out, entryLine(e, it, rr.key == "0-generated"))
	}
	if len(f.Totals) > 0 {
		keys := make([]string, 0, len(f.Totals))
		for k := range f.Totals {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s: %v", k, totalValue(f.Totals[k])))
		}
		out = append(out, fmt.Sprintf("Totals — %s %s.", strings.Join(parts, "; "), cites(it)))
	}
	if f.Truncated != "" {
		out = append(out, fmt.Sprintf("Note: %s %s.", q(f.Truncated), cites(it)))
	}
	if rr.key == "0-generated" && f.Query != "" {
		out = append(out, "The generated query "+cites(it)+":", "~~~kql", strings.ReplaceAll(f.Query, "~~~", "~ ~ ~"), "~~~")
	}
	return out
}

// unreadSignals are the sources of a ranking's signals that did not answer.
func unreadSignals(sigs []RankSignal) []string {
	var out []string
	for _, s := range sigs {
		if !s.Read {
			out = append(out, s.Source)
		}
	}
	return out
}

// signalsLine names each signal a ranking read, its source and the page
// that documents it, and the sources that did not answer.
func signalsLine(sigs []RankSignal, it *Item) string {
	var read []string
	for _, s := range sigs {
		if s.Read {
			read = append(read, fmt.Sprintf("%s from %s (documented at %s)", s.Signal, s.Source, s.Doc))
		}
	}
	unread := unreadSignals(sigs)
	line := "Signals — " + strings.Join(read, "; ")
	if len(unread) > 0 {
		line += "; not read: " + strings.Join(unread, ", ") + " (see Sources that did not answer)"
	}
	return line + " " + cites(it) + "."
}

// totalValue renders a total (maps sorted by key, lists joined).
func totalValue(v any) string {
	switch x := v.(type) {
	case map[string]int:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s %d", k, x[k]))
		}
		return strings.Join(parts, ", ")
	case []string:
		quoted := make([]string, len(x))
		for i, v := range x {
			quoted[i] = q(v)
		}
		return strings.Join(quoted, ", ")
	}
	return fmt.Sprint(v)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// verdictLines writes one verdict: headline, confidence, rule, then why.
func verdictLines(v Verdict, set *Set) []string {
	var ids []*Item
	for _, b := range v.Because {
		for _, id := range citeIDRe.FindAllString(strings.Join(citeGroupRe.FindAllString(b, -1), " "), -1) {
			if it, ok := set.ByID(id); ok {
				ids = append(ids, it)
			}
		}
	}
	head := fmt.Sprintf("**%s** for %s — confidence %s, rule %s (%s)", v.headline(), v.Entity, v.Confidence, v.Rule, ruleText[v.Rule])
	if len(ids) > 0 {
		head += " " + cites(ids...)
	}
	head += "."
	if v.LimitedView != "" {
		head += " " + v.LimitedView
	}
	if len(v.Unread) > 0 {
		// The sources are listed under "Sources that did not answer"; named
		// here they would be uncited facts.
		head += " Some sources that hold evidence about it could not be read, so the verdict rests on the others (see Sources that did not answer)."
	}
	out := []string{head}
	for _, b := range v.Because {
		out = append(out, "  - "+b)
	}
	return out
}

// write renders the lead as Markdown ("" when there is none).
func (l *leadInfo) write() string {
	if l == nil {
		return ""
	}
	var b strings.Builder
	verdicts := func() {
		for _, v := range l.verdicts {
			lines := verdictLines(v, l.set)
			if len(l.verdicts) > 1 {
				lines[0] = "- " + lines[0]
			}
			b.WriteString(strings.Join(lines, "\n") + "\n")
		}
	}
	if l.verdict || l.tenant == "" {
		verdicts()
	}
	if l.verdict && l.tenant != "" && len(l.verdicts) == 0 {
		b.WriteString("No user or device was found to assess, so there is no compromise verdict.\n")
	}
	for _, rr := range l.rankings {
		it, ok := l.set.ByURI(rr.uri)
		if !ok {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		if rr.key == "0-service-baseline" {
			b.WriteString(strings.Join(baselineLines(rr, it), "\n") + "\n")
		} else {
			b.WriteString(strings.Join(rankingLines(rr, it), "\n") + "\n")
		}
		if named := namedBy(rr.f, l.set); named != "" {
			b.WriteString(named + "\n")
		}
	}
	return b.String()
}

// namedBy writes who and what the evidence of a ranking's alerts names
// (every user and device, not only the ones the fan-out investigated).
func namedBy(f RankingFacet, set *Set) string {
	var users, devices []string
	var items []*Item
	for _, e := range f.Entries {
		id, _ := e["alert"].(string)
		if id == "" {
			continue
		}
		for _, it := range set.OfKind(KindAlert) {
			a, _ := it.Facet("alert").(AlertFacet)
			ents, ok := it.Facet("entities").(AlertEntitiesFacet)
			if a.ID != id || !ok {
				continue
			}
			users, devices = append(users, ents.Users...), append(devices, ents.Devices...)
			items = append(items, it)
		}
	}
	users, devices = sortedUnique(users), sortedUnique(devices)
	var parts []string
	if len(users) > 0 {
		parts = append(parts, "users "+strings.Join(users, ", "))
	}
	if len(devices) > 0 {
		parts = append(parts, "devices "+strings.Join(devices, ", "))
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("The evidence of these alerts names %s %s.", strings.Join(parts, "; "), cites(items...))
}

// lead builds the answer's lead after the fan-out: a verdict for each
// entity assessed (the user or device asked about, or the entities a
// tenant-wide step chose) and the tenant-wide rankings in plan order.
func (r *run) lead(q Request, it intent, traces []Trace) *leadInfo {
	l := &leadInfo{verdict: it.verdict, set: r.set}
	if !q.scoped() {
		l.tenant = it.tenant
	}
	r.mu.Lock()
	l.rankings = append([]rankRef(nil), r.rankings...)
	r.mu.Unlock()
	sort.Slice(l.rankings, func(i, j int) bool { return l.rankings[i].key < l.rankings[j].key })
	var subjects []subject
	if r.budget != nil && (q.User != "" || q.Device != "" || it.verdict) {
		subjects = r.budget.list()
	}
	if len(subjects) == 0 && it.verdict && q.IncidentID != "" {
		subjects = incidentSubjects(r.set, q.IncidentID)
	}
	for _, s := range subjects {
		l.verdicts = append(l.verdicts, judge(r.set, traces, s.Kind, s.Name, r.delegated()))
	}
	return l
}

// incidentSubjects are the users of an incident (its devices when it
// names no user), at most maxUsers, for "was this a compromise?".
func incidentSubjects(set *Set, id string) []subject {
	var out []subject
	for _, it := range set.OfKind(KindIncident) {
		f, ok := it.Facet("incident").(IncidentFacet)
		if !ok || f.ID != id {
			continue
		}
		kind, names := "user", f.Users
		if len(names) == 0 {
			kind, names = "device", f.Devices
		}
		for i, n := range sortedUnique(names) {
			if i == maxUsers {
				break
			}
			out = append(out, subject{kind, strings.ToLower(n)})
		}
	}
	return out
}
