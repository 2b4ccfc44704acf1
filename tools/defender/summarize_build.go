package defender

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/resources"
	"github.com/secmcp/secmcp/tools"
)

// detailLimits bound each section of a summary at one detail level.
type detailLimits struct {
	entities, page, details, linked, questions, actions int
}

var limitsByDetail = map[string]detailLimits{
	DetailBrief:    {entities: 3, page: 8, details: 0, linked: 3, questions: 4, actions: 3},
	DetailStandard: {entities: 25, page: 60, details: 3, linked: 20, questions: 15, actions: 20},
	DetailFull:     {entities: 100, page: 150, details: 8, linked: 50, questions: 25, actions: 50},
}

// summaryBuilder turns one incident (and the linked lookups) into a summary.
type summaryBuilder struct {
	alias, tenantID string
	now             time.Time
	detail          string
	in              source.Incident
	alerts          []source.Alert // sorted by start time
	ents            collected
	linked          *linkedData
	budget          int
}

func newSummaryBuilder(alias, tenantID string, now time.Time, detail string, in source.Incident) *summaryBuilder {
	alerts := append([]source.Alert(nil), in.Alerts...)
	sort.SliceStable(alerts, func(i, j int) bool {
		si, sj := alertStart(alerts[i]), alertStart(alerts[j])
		if !si.Equal(sj) {
			return si.Before(sj)
		}
		return alerts[i].ID < alerts[j].ID
	})
	return &summaryBuilder{alias: alias, tenantID: tenantID, now: now, detail: detail, in: in, alerts: alerts,
		ents: collectSummaryEntities(alias, alerts), budget: SummaryTokenBudget}
}

func (b *summaryBuilder) incidentURI() string {
	return resources.URI(b.alias, resources.KindIncident, b.in.ID)
}

func (b *summaryBuilder) alertURI(id string) string {
	return resources.URI(b.alias, resources.KindAlert, id)
}

// span is the incident's activity window (zero when it has no alerts).
func (b *summaryBuilder) span() (first, last time.Time, firstAlert, lastAlert string) {
	for _, a := range b.alerts {
		s, e := alertStart(a), alertEnd(a)
		if first.IsZero() || s.Before(first) {
			first, firstAlert = s, a.ID
		}
		if e.After(last) {
			last, lastAlert = e, a.ID
		}
	}
	return first, last, firstAlert, lastAlert
}

// scope decides what the cross-product lookups ask about.
func (b *summaryBuilder) scope() linkScope {
	sc := linkScope{alias: b.alias, tenantID: b.tenantID, incidentAlerts: map[string]bool{}}
	for _, a := range b.alerts {
		sc.incidentAlerts[a.ID] = true
	}
	first, last, _, _ := b.span()
	if first.IsZero() {
		return sc
	}
	sc.from, sc.to = first.Add(-linkPadBefore), last.Add(linkPadAfter)
	if sc.to.After(b.now) {
		sc.to = b.now
	}
	if sc.to.Sub(sc.from) > maxLinkWindow {
		sc.from = sc.to.Add(-maxLinkWindow)
	}
	if !sc.from.Before(sc.to) {
		sc.from = sc.to.Add(-linkPadBefore)
	}
	for _, u := range b.ents.users.sorted() {
		if !strings.Contains(u.name, "@") {
			continue
		}
		if len(sc.users) == maxLinkedUsers {
			sc.notLinked = append(sc.notLinked, u.name)
			continue
		}
		sc.users = append(sc.users, u.name)
	}
	for _, d := range b.ents.devices.sorted() {
		if len(sc.devices) == maxLinkedDevices {
			sc.notLinked = append(sc.notLinked, d.name)
			continue
		}
		sc.devices = append(sc.devices, d.name)
	}
	return sc
}

// build assembles the summary, fits it to the budget, then checks its citations.
func (b *summaryBuilder) build(ctx context.Context, skip int) (IncidentSummary, error) {
	lim := limitsByDetail[b.detail]
	events := b.timeline(lim.details)
	if skip > len(events) || (skip > 0 && skip == len(events)) {
		return IncidentSummary{}, tools.Errorf("the cursor points past the end of the timeline (%d events); start again without a cursor", len(events))
	}
	var trimmed []string
	for {
		s := b.assemble(lim, events, skip)
		if s.Size.EstimatedTokens <= b.budget {
			s.Size.Trimmed = trimmed
			return s, b.check(ctx, &s)
		}
		next, what, ok := shrink(lim)
		if !ok {
			s.Size.Trimmed = append(trimmed, "could not fit the budget at the smallest limits")
			return s, b.check(ctx, &s)
		}
		if what != "" && !containsString(trimmed, what) {
			trimmed = append(trimmed, what)
		}
		if next.details != lim.details {
			events = b.timeline(next.details)
		}
		lim = next
	}
}

// shrink lowers one limit for another attempt at the budget, cheapest
// losses first: long entity lists, then timeline page size (the cursor
// keeps the rest reachable), then evidence details, then the rest.
func shrink(l detailLimits) (detailLimits, string, bool) {
	const pageMsg = "timeline page shortened to fit the token budget (use the cursor for the rest)"
	const entMsg = "entity lists shortened to fit the token budget (totals are complete)"
	switch {
	case l.entities > 25:
		l.entities = 25
		return l, entMsg, true
	case l.page > 20:
		l.page = max(20, l.page/2)
		return l, pageMsg, true
	case l.details > 1:
		l.details = 1
		return l, "evidence details cut to one per alert to fit the token budget", true
	case l.linked > 10:
		l.linked = 10
		return l, "linked findings shortened to fit the token budget", true
	case l.entities > 10:
		l.entities = 10
		return l, entMsg, true
	case l.page > 10:
		l.page = 10
		return l, pageMsg, true
	case l.details > 0:
		l.details = 0
		return l, "evidence details left out to fit the token budget", true
	case l.entities > 5 || l.linked > 5:
		l.entities, l.linked = min(l.entities, 5), min(l.linked, 5)
		return l, entMsg, true
	case l.page > 3:
		l.page = 3
		return l, pageMsg, true
	}
	return l, "", false
}

// assemble builds one candidate summary at the given limits.
func (b *summaryBuilder) assemble(lim detailLimits, events []TimelineEvent, skip int) IncidentSummary {
	s := IncidentSummary{
		Tenant: b.alias, Detail: b.detail, Incident: incidentItem(b.alias, b.tenantID, b.in),
		Description: oneLine(b.in.Summary, 600), AlertCount: len(b.alerts), Continuation: skip > 0,
		Entities: emptyEntities(), KillChain: []KillChainStep{}, Linked: emptyLinked(), Actions: []ActionTaken{},
		OpenQuestions: []OpenQuestion{}, MissingSources: []MissingSource{}, incident: b.in,
		Untrusted: []string{"incident.title", "description", "timeline[].title", "timeline[].details", "entities.files[].name",
			"entities.urls[].name", "linked.dlpAlerts[].title", "actions[].action"},
	}
	s.FirstActivity, s.LastActivity, _, _ = b.span()
	end := min(skip+lim.page, len(events))
	s.Timeline = append([]TimelineEvent{}, events[skip:end]...)
	s.TimelinePage = tools.PageInfo{Returned: len(s.Timeline)}
	if end < len(events) {
		s.TimelinePage.More = true
		s.TimelinePage.Cursor = tools.EncodeCursor(SummarizeToolName, end, b.in.ID+"|"+b.detail)
		s.TimelinePage.Note = "the timeline has more events; pass timelinePage.cursor as cursor (with the same id and detail) for the next page"
	}
	if skip == 0 {
		s.Entities = b.ents.entities(b.alias, lim.entities)
		b.applyLinked(&s, lim)
		s.KillChain = b.killChain()
		s.Actions = capped(b.actions(), lim.actions)
		s.OpenQuestions = capped(b.questions(&s), lim.questions)
	}
	b.render(&s)
	return s
}

func emptyEntities() SummaryEntities {
	return SummaryEntities{Users: []UserEntity{}, Devices: []DeviceEntity{}, Mailboxes: []Entity{}, IPs: []IPEntity{},
		Files: []FileEntity{}, Apps: []Entity{}, URLs: []Entity{}}
}

func emptyLinked() LinkedFindings {
	return LinkedFindings{RiskySignIns: []LinkedSignIn{}, RiskDetections: []LinkedDetection{}, DLPAlerts: []LinkedDLPAlert{}}
}

// estimateTokens is the budget's measure: (structured JSON + text bytes) / 4.
func estimateTokens(s IncidentSummary) int {
	js, err := json.Marshal(s)
	if err != nil {
		return 1 << 30
	}
	return (len(js) + len(s.markdown) + 3) / 4
}

// oneLine flattens untrusted text to one line of at most max bytes, cut at
// a space so no token is split, and defangs what Markdown or the citation
// checker would read as structure: backticks, brackets, pipes and secmcp://
// URIs inside data.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.NewReplacer("`", "'", "[", "(", "]", ")", "|", "/", "secmcp://", "secmcp:/ /", "<", "‹", ">", "›").Replace(s)
	if len(s) <= max {
		return s
	}
	cut := strings.LastIndexByte(s[:max], ' ')
	if cut < max/2 {
		cut = max
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
	}
	return strings.TrimSpace(s[:cut]) + " …"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
