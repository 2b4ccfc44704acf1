package defender

import (
	"sort"
	"strings"

	"github.com/secmcp/secmcp/internal/source"
)

// applyLinked copies the cross-product findings into the summary: linked
// lists, user risk and device compliance on the entities, missing sources.
func (b *summaryBuilder) applyLinked(s *IncidentSummary, lim detailLimits) {
	if b.linked == nil {
		return
	}
	d := b.linked
	s.Linked.WindowStart, s.Linked.WindowEnd = d.scope.from, d.scope.to
	s.Linked.RiskySignIns = capped(b.riskySignIns(), lim.linked)
	s.Linked.RiskDetections = capped(b.detections(), lim.linked)
	s.Linked.DLPAlerts = capped(b.dlpFindings(), lim.linked)
	s.Linked.NotLinked = d.scope.notLinked
	if len(d.signIns) > 0 {
		s.Linked.SignInCounts = map[string]int{}
		for u, list := range d.signIns {
			s.Linked.SignInCounts[u] = len(list)
		}
	}
	for i := range s.Entities.Users {
		u := &s.Entities.Users[i]
		if r, ok := d.riskyUsers[u.Name]; ok {
			u.Risk = &UserRisk{Level: r.RiskLevel, State: r.RiskState, LastUpdated: r.RiskLastUpdated, URI: u.UserURI}
		}
	}
	for i := range s.Entities.Devices {
		dev := &s.Entities.Devices[i]
		if dc, ok := d.devices[strings.ToLower(dev.Name)]; ok {
			dev.Intune = dc
		}
	}
	routes := make([]string, 0, len(d.missing))
	for r := range d.missing {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, r := range routes {
		s.MissingSources = append(s.MissingSources, *d.missing[r])
	}
}

// missing reports whether the lookups of a route failed.
func (b *summaryBuilder) missing(route string) bool {
	if b.linked == nil {
		return false
	}
	_, ok := b.linked.missing[route]
	return ok
}

// actions lists the response actions visible in the incident and alerts.
func (b *summaryBuilder) actions() []ActionTaken {
	var out []ActionTaken
	iu := b.incidentURI()
	if b.in.AssignedTo != "" {
		out = append(out, ActionTaken{Kind: "assignment", Action: "incident assigned to " + b.in.AssignedTo, URI: iu})
	}
	if c := b.in.Classification; c != "" && c != "unknown" {
		out = append(out, ActionTaken{Kind: "classification", Action: "incident classified as " + c + determinationSuffix(b.in.Determination), URI: iu})
	}
	if b.in.Status == "resolved" {
		out = append(out, ActionTaken{Kind: "resolution", Time: b.in.LastUpdateDateTime, Action: "incident resolved", URI: iu})
	}
	for _, c := range b.in.Comments {
		if t := oneLine(c, 300); t != "" {
			out = append(out, ActionTaken{Kind: "comment", Action: "comment: " + t, URI: iu})
		}
	}
	for _, a := range b.alerts {
		if a.Status == "resolved" {
			act := "alert resolved"
			if a.Classification != "" && a.Classification != "unknown" {
				act += " as " + a.Classification
			}
			out = append(out, ActionTaken{Kind: "alertResolution", Time: alertEnd(a), Action: act + ": " + oneLine(a.Title, 160), URI: b.alertURI(a.ID)})
		}
		for _, e := range a.Evidence {
			if strings.EqualFold(e.Remediation, "remediated") || strings.EqualFold(e.Remediation, "prevented") || strings.EqualFold(e.Remediation, "blocked") {
				out = append(out, ActionTaken{Kind: "remediation", Time: alertEnd(a), Action: e.Kind + " " + e.Remediation + " (" + oneLine(evidenceLabel(e), 120) + ")", URI: b.alertURI(a.ID)})
			}
		}
	}
	return out
}

func determinationSuffix(d string) string {
	if d == "" || d == "unknown" {
		return ""
	}
	return " (" + d + ")"
}

func evidenceLabel(e source.Evidence) string {
	for _, v := range []string{e.FileName, e.DeviceName, e.UserPrincipalName, e.URL, e.IPAddress, e.MailboxUPN, e.RegistryKey, e.AppName} {
		if v != "" {
			return v
		}
	}
	return e.Kind
}

// questions lists what the evidence does not tell.
func (b *summaryBuilder) questions(s *IncidentSummary) []OpenQuestion {
	var out []OpenQuestion
	add := func(q, why, next, uri string) {
		out = append(out, OpenQuestion{Question: q, Why: why, Next: next, URI: uri})
	}
	iu := b.incidentURI()
	if len(b.alerts) == 0 {
		add("What happened in this incident?", "the incident has no alerts, so there is no evidence to summarise", "check the incident in the Defender portal", iu)
		return out
	}
	tactics := map[string]bool{}
	for _, st := range s.KillChain {
		tactics[st.Tactic] = true
	}
	if !tactics["Initial Access"] {
		add("How did the attacker get in?", "no alert maps to Initial Access, so the entry vector is not in the evidence",
			"hunt e-mail, URL clicks and sign-ins of the first affected user before the first alert (defender_run_hunting_query)", iu)
	} else if (tactics["Execution"] || tactics["Impact"]) && !b.hasDeliveryEvidence() {
		add("How did the payload arrive?", "execution is alerted but no e-mail, URL or file-delivery evidence shows how the payload reached the device",
			"hunt DeviceFileEvents and EmailEvents around the first execution (defender_run_hunting_query)", iu)
	}
	b.userQuestions(s, add)
	b.deviceQuestions(s, add)
	if tactics["Exfiltration"] || tactics["Collection"] {
		add("What data left the organisation, and how much?", "exfiltration or collection is alerted but alert evidence does not list the data taken",
			"check Purview DLP alerts (purview_list_dlp_alerts) and DeviceNetworkEvents volumes to the destination", iu)
	}
	if tactics["Credential Access"] || tactics["Lateral Movement"] {
		add("Which other accounts and hosts did the attacker reach?", "credential theft or lateral movement is alerted; the alerts only show the hosts they fired on",
			"hunt logons of the affected accounts on other devices (IdentityLogonEvents, DeviceLogonEvents)", iu)
	}
	if c := b.in.Classification; c == "" || c == "unknown" {
		add("Is this a true positive?", "the incident is not classified yet", "classify the incident in the Defender portal once triaged", iu)
	}
	if b.in.AssignedTo == "" {
		add("Who owns the response?", "the incident is not assigned", "assign it in the Defender portal", iu)
	}
	for _, t := range s.KillChain {
		for _, mt := range t.Techniques {
			if !mt.InKB {
				add("What does technique "+mt.ID+" mean here?", "the technique is not in secmcp's ATT&CK knowledge base", "look it up in MITRE ATT&CK", mt.URI)
			}
		}
	}
	return out
}

func (b *summaryBuilder) hasDeliveryEvidence() bool {
	for _, a := range b.alerts {
		for _, e := range a.Evidence {
			switch e.Kind {
			case "analyzedMessageEvidence", "mailboxEvidence", "urlEvidence":
				return true
			}
		}
	}
	return false
}

func (b *summaryBuilder) userQuestions(s *IncidentSummary, add func(q, why, next, uri string)) {
	if b.linked == nil {
		return
	}
	signInsMissing := b.missing("auditLogs/signIns")
	for _, u := range s.Entities.Users {
		if !strings.Contains(u.Name, "@") {
			continue
		}
		switch _, read := b.linked.signIns[u.Name]; {
		case signInsMissing:
			add("How did "+u.Name+" sign in during the incident?", "the Entra ID sign-in log could not be read", "retry entra_list_signins for the user later", u.URI)
		case read && len(b.linked.signIns[u.Name]) == 0:
			add("Where did "+u.Name+" sign in from during the incident?", "no sign-in data exists for the user in the incident window (on-premises or service account, or logs not retained)",
				"check on-premises logons (IdentityLogonEvents) for the account", u.URI)
		}
	}
}

func (b *summaryBuilder) deviceQuestions(s *IncidentSummary, add func(q, why, next, uri string)) {
	if b.linked == nil {
		return
	}
	intuneMissing := b.missing("deviceManagement/managedDevices")
	for _, d := range s.Entities.Devices {
		switch {
		case intuneMissing:
			add("Is "+d.Name+" compliant?", "Intune could not be read, so device compliance is unknown", "retry intune_list_devices later", d.URI)
		case d.Intune == nil && b.linked.deviceSeen[strings.ToLower(d.Name)]:
			add("Is "+d.Name+" managed and compliant?", "no Intune managed device matches the name, so its compliance is unknown (server or unmanaged device)",
				"check the device inventory (DeviceInfo) for its onboarding and management state", d.URI)
		case d.Intune != nil && !d.Intune.Known:
			add("Which compliance settings fail on "+d.Name+"?", "the device's compliance policy states could not be read", "retry intune_get_device_compliance", d.Intune.URI)
		}
	}
}
