package defender

import (
	"sort"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/resources"
)

// Timeline event kinds.
const (
	EventAlert       = "alert"
	EventRiskySignIn = "riskySignIn"
	// EventRiskDetection is a risk detection not recorded on a risky sign-in of the timeline.
	EventRiskDetection = "riskDetection"
	EventDLPAlert      = "dlpAlert"
)

// TimelineEvent is one dated event: an incident alert (with its key
// evidence as details) or a linked finding from another product.
type TimelineEvent struct {
	Time       time.Time `json:"time"`
	End        time.Time `json:"end,omitzero"`
	Kind       string    `json:"kind"`
	Title      string    `json:"title"`
	Severity   string    `json:"severity,omitempty"`
	Category   string    `json:"category,omitempty"`
	Service    string    `json:"service,omitempty"`
	Techniques []string  `json:"techniques,omitempty"`
	Status     string    `json:"status,omitempty"`
	// Details are the alert's key evidence (command lines, files with
	// hashes, URLs, registry values, e-mail subjects); untrusted data.
	Details []string `json:"details,omitempty"`
	ID      string   `json:"id"`
	URI     string   `json:"uri"`
}

// timeline returns every event, ordered by time, then kill-chain phase, then ID.
func (b *summaryBuilder) timeline(maxDetails int) []TimelineEvent {
	var out []TimelineEvent
	for _, a := range b.alerts {
		ev := TimelineEvent{
			Time: alertStart(a), End: alertEnd(a), Kind: EventAlert, Title: oneLine(a.Title, 200),
			Severity: a.Severity, Category: a.Category, Service: a.ServiceSource, Techniques: a.MitreTechniques,
			Status: a.Status, ID: a.ID, URI: b.alertURI(a.ID),
		}
		if ev.End.Equal(ev.Time) {
			ev.End = time.Time{}
		}
		ev.Details = capped(keyEvidence(a), maxDetails)
		out = append(out, ev)
	}
	if b.linked != nil {
		out = append(out, b.linkedEvents()...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Time.Equal(out[j].Time) {
			return out[i].Time.Before(out[j].Time)
		}
		pi, pj := tacticOrder(out[i].Category), tacticOrder(out[j].Category)
		if pi != pj {
			return pi < pj
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// keyEvidence lists an alert's telling evidence, one line each.
func keyEvidence(a source.Alert) []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, e := range a.Evidence {
		switch e.Kind {
		case "processEvidence":
			if e.ProcessCommandLine != "" {
				add("process " + oneLine(e.FileName, 80) + ": " + oneLine(e.ProcessCommandLine, 240))
			}
		case "fileEvidence":
			if e.SHA256 != "" {
				add("file " + oneLine(e.FileName, 120) + " SHA-256 " + e.SHA256)
			} else if e.FileName != "" {
				add("file " + oneLine(e.FileName, 120))
			}
		case "urlEvidence":
			add("URL " + oneLine(e.URL, 200))
		case "registryValueEvidence":
			add("registry " + oneLine(e.RegistryKey, 160) + " = " + oneLine(e.RegistryValue, 160))
		case "analyzedMessageEvidence":
			if e.Subject != "" {
				add("e-mail subject: " + oneLine(e.Subject, 160))
			}
		}
	}
	return out
}

// linkedEvents are the dated linked findings (bounded per kind).
func (b *summaryBuilder) linkedEvents() []TimelineEvent {
	var out []TimelineEvent
	for _, s := range b.riskySignIns() {
		out = append(out, TimelineEvent{Time: s.Time, Kind: EventRiskySignIn, Title: signInTitle(s), Severity: s.RiskLevel,
			Service: "azureAdIdentityProtection", ID: s.ID, URI: s.URI})
	}
	onTimeline := map[string]bool{}
	for _, ev := range out {
		onTimeline[ev.URI] = true
	}
	for _, d := range b.detections() {
		if d.Time.IsZero() || (d.SignInURI != "" && onTimeline[d.SignInURI]) {
			continue // recorded on a risky sign-in already on the timeline
		}
		out = append(out, TimelineEvent{Time: d.Time, Kind: EventRiskDetection, Severity: d.Level, Service: "azureAdIdentityProtection",
			Title: "risk detection " + d.EventType + " (" + d.Level + ") for " + d.User, ID: d.ID, URI: d.URI})
	}
	for _, a := range b.dlpFindings() {
		if a.InIncident {
			continue // already on the timeline as an incident alert
		}
		out = append(out, TimelineEvent{Time: a.Time, Kind: EventDLPAlert, Title: "DLP alert for " + a.User + ": " + a.Title,
			Service: serviceDLP, ID: a.ID, URI: a.URI})
	}
	return out
}

func signInTitle(s LinkedSignIn) string {
	var b strings.Builder
	b.WriteString("risky sign-in by " + s.User)
	if s.App != "" {
		b.WriteString(" to " + oneLine(s.App, 80))
	}
	if s.IPAddress != "" {
		b.WriteString(" from " + s.IPAddress)
		if s.Country != "" {
			b.WriteString(" (" + s.Country + ")")
		}
	}
	b.WriteString(", risk " + s.RiskLevel)
	if len(s.RiskEvents) > 0 {
		b.WriteString(", " + strings.Join(s.RiskEvents, ", "))
	}
	if s.ErrorCode == 0 {
		b.WriteString(", succeeded")
	} else {
		b.WriteString(", failed")
	}
	return b.String()
}

// riskySignIns are the linked sign-ins with risk, newest last.
func (b *summaryBuilder) riskySignIns() []LinkedSignIn {
	var out []LinkedSignIn
	for _, u := range b.linked.scope.users {
		for _, s := range b.linked.signIns[u] {
			if !risky(s) {
				continue
			}
			out = append(out, LinkedSignIn{ID: s.ID, Time: s.CreatedDateTime.UTC(), User: strings.ToLower(s.UserPrincipalName),
				IPAddress: s.IPAddress, Country: s.CountryOrRegion, App: s.AppDisplayName, RiskLevel: s.RiskLevelDuringSignIn,
				RiskEvents: s.RiskEventTypes, ErrorCode: s.ErrorCode, CAStatus: s.ConditionalAccessStatus,
				URI: resources.URI(b.alias, resources.KindSignIn, s.ID)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

func risky(s source.SignIn) bool {
	switch strings.ToLower(s.RiskLevelDuringSignIn) {
	case "low", "medium", "high":
		return true
	}
	return len(s.RiskEventTypes) > 0 && !(len(s.RiskEventTypes) == 1 && s.RiskEventTypes[0] == "none")
}

// detections returns every linked risk detection, citing its own resource
// (secmcp://{tenant}/riskdetections/{id}) and, when the summary read it,
// the sign-in it was raised on (its requestId).
func (b *summaryBuilder) detections() []LinkedDetection {
	read := map[string]bool{}
	for _, list := range b.linked.signIns {
		for _, s := range list {
			read[s.ID] = true
		}
	}
	var out []LinkedDetection
	for _, u := range b.linked.scope.users {
		for _, d := range b.linked.detections[u] {
			ld := LinkedDetection{ID: d.ID, Time: d.ActivityDateTime.UTC(), User: strings.ToLower(d.UserPrincipalName),
				EventType: d.RiskEventType, Level: d.RiskLevel, IPAddress: d.IPAddress,
				URI: resources.URI(b.alias, resources.KindRisk, d.ID)}
			if ld.Time.IsZero() {
				ld.Time = d.DetectedDateTime.UTC()
			}
			if d.RequestID != "" && read[d.RequestID] {
				ld.SignInURI = resources.URI(b.alias, resources.KindSignIn, d.RequestID)
			}
			out = append(out, ld)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

// dlpFindings are the DLP alerts naming incident users in the window.
func (b *summaryBuilder) dlpFindings() []LinkedDLPAlert {
	users := map[string]bool{}
	for _, u := range b.linked.scope.users {
		users[strings.ToLower(u)] = true
	}
	var out []LinkedDLPAlert
	for _, a := range b.linked.dlp {
		out = append(out, LinkedDLPAlert{ID: a.ID, Time: alertStart(a), User: dlpUser(a, users), Title: oneLine(a.Title, 200),
			Policy: oneLine(a.AdditionalProperties["dlpPolicyName"], 120), Action: oneLine(a.AdditionalProperties["actionTaken"], 60),
			InIncident: b.linked.scope.incidentAlerts[a.ID], URI: b.alertURI(a.ID)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

func containsFold(list []string, v string) bool {
	for _, s := range list {
		if strings.EqualFold(s, v) {
			return true
		}
	}
	return false
}
