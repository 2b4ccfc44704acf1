package synth

import (
	"fmt"
	"strings"
	"time"
)

// serviceSpec is a Microsoft 365 service a question can name: the words
// that name it, the alerts_v2 product (serviceSource) whose alerts concern
// it, words its alerts' titles hold, and the sign-in application names.
type serviceSpec struct {
	Name          string
	words         []string
	ServiceSource string
	TitleWords    []string
	Apps          []string
}

// services are matched in order; the first whose word the question holds wins.
var services = []serviceSpec{
	{Name: "SharePoint and OneDrive", words: []string{"sharepoint", "onedrive"}, TitleWords: []string{"sharepoint", "onedrive"}, Apps: []string{"Office 365 SharePoint Online"}},
	{Name: "Teams", words: []string{"teams"}, TitleWords: []string{"teams"}, Apps: []string{"Microsoft Teams"}},
	{Name: "Exchange Online and e-mail", words: []string{"exchange", "e-mail", "email", "mail", "outlook", "office 365"}, ServiceSource: "microsoftDefenderForOffice365",
		TitleWords: []string{"exchange", "email", "inbox"}, Apps: []string{"Office 365 Exchange Online", "Outlook Mobile"}},
	{Name: "Azure management", words: []string{"azure portal", "azure powershell", "azure management", "azure"}, TitleWords: []string{"azure"},
		Apps: []string{"Azure Portal", "Microsoft Azure PowerShell"}},
	{Name: "Defender for Identity", words: []string{"defender for identity", "active directory", "domain controller", "mdi"}, ServiceSource: "microsoftDefenderForIdentity"},
	{Name: "Defender for Cloud Apps", words: []string{"cloud apps", "mcas", "defender for cloud apps"}, ServiceSource: "microsoftDefenderForCloudApps"},
	{Name: "Entra ID sign-ins", words: []string{"entra", "azure ad", "identity protection", "sign-in", "signin", "login"}, ServiceSource: "azureAdIdentityProtection"},
	{Name: "Defender for Endpoint", words: []string{"defender for endpoint", "mde", "endpoint", "antivirus"}, ServiceSource: "microsoftDefenderForEndpoint"},
	{Name: "Purview DLP", words: []string{"dlp", "purview", "data loss"}, ServiceSource: "dataLossPrevention"},
	{Name: "Sentinel", words: []string{"sentinel"}, ServiceSource: "microsoftSentinel"},
}

// findService finds the service a question names after "with/in/on".
func findService(q string) (serviceSpec, bool) {
	m := serviceRe.FindStringSubmatch(q)
	if m == nil {
		return serviceSpec{}, false
	}
	tail := " " + strings.ToLower(m[1]) + " "
	for _, s := range services {
		for _, w := range s.words {
			if strings.Contains(tail, " "+w+" ") || strings.Contains(tail, " "+w) && len(w) > 5 {
				return s, true
			}
		}
	}
	return serviceSpec{}, false
}

// concerns reports whether an alert concerns the service: its product, or
// a title word.
func (s serviceSpec) concerns(a alertItem) bool {
	if s.ServiceSource != "" && strings.EqualFold(a.ServiceSource, s.ServiceSource) {
		return true
	}
	l := strings.ToLower(a.Title)
	for _, w := range s.TitleWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// serviceAlertsJob reads the alerts of the window and of its baseline
// windows: it ranks the window's alerts that concern the service, reads the
// evidence of the top ones to reach the entities they name, and gives the
// baseline group the service's alert counts per window.
func serviceAlertsJob(s serviceSpec, w window, g *baselineGroup) job {
	span := w
	if g != nil {
		span.from = g.from()
	}
	var settle func(r *run)
	if g != nil {
		settle = g.settle
	}
	return alertPagesJob("0-tenant-service-alerts", "Defender alerts concerning "+s.Name+" (tenant)", span,
		func(r *run, d alertListDoc) error {
			f := rankAlerts("alerts concerning "+s.Name, d, w, func(a alertItem) bool { return s.concerns(a) && windowIndex(alertTime(a), w, 0) == 0 })
			n := min(len(f.Entries), 3)
			ag := newAlertGroup(n, window{})
			for _, e := range f.Entries[:n] {
				id, _ := e["alert"].(string)
				r.spawn(alertEntitiesJob(id, ag))
			}
			if g != nil {
				var mine []alertItem
				for _, a := range d.Alerts {
					if s.concerns(a) {
						mine = append(mine, a)
					}
				}
				trunc := ""
				if d.Page.More {
					trunc = fmt.Sprintf("only the newest %d alerts of the window and its baseline were read, so the oldest baseline windows may count too few", len(d.Alerts))
				}
				g.add(g.alertMeasures(mine), RankSignal{Signal: s.alertRule() + ", by severity and created time", Source: baselineAlertSource,
					Doc: "https://learn.microsoft.com/graph/api/resources/security-alert", Read: true}, trunc)
			}
			return r.addRanking("1-service-alerts", f)
		}, settle)
}

// alertTime is when an alert was created (its first activity when the
// listing gave no creation time).
func alertTime(a alertItem) time.Time {
	if !a.Created.IsZero() {
		return a.Created
	}
	return a.FirstActivity
}

// alertRule says which alerts concern the service.
func (s serviceSpec) alertRule() string {
	var parts []string
	if s.ServiceSource != "" {
		parts = append(parts, "alerts from "+s.ServiceSource)
	}
	if len(s.TitleWords) > 0 {
		parts = append(parts, "alerts whose title holds "+strings.Join(s.TitleWords, ", "))
	}
	return strings.Join(parts, " or ")
}

// serviceSignInsJob ranks the users signing in to one of the service's
// applications by risky, then failed sign-ins.
func serviceSignInsJob(s serviceSpec, app string, w window) job {
	args := windowArgs(w, 200)
	args["app"] = app
	return pagesJob("0-tenant-service-signins-"+strings.ToLower(app), "Entra sign-ins to "+app+" (tenant)", toolListSignIns, args, mergeSignIns,
		func(r *run, d signInListDoc) error {
			risky := aggregateSignIns(d, func(code int, risk string) bool { return risk == "medium" || risk == "high" })
			failed := aggregateSignIns(d, func(code int, _ string) bool { return code != 0 })
			f := RankingFacet{Purpose: "risky sign-ins to " + app, Tool: toolListSignIns, Since: w.from, Until: w.to, Candidates: len(risky),
				RankedBy: "sign-ins with medium or high risk per user, then distinct source IP addresses",
				Totals:   map[string]any{"signInsRead": len(d.SignIns), "usersWithRiskySignIns": len(risky), "usersWithFailedSignIns": len(failed)}}
			if d.Page.More {
				f.Truncated = fmt.Sprintf("only the first %d sign-ins of the window were read", len(d.SignIns))
			}
			for i, u := range risky {
				if i == 3 {
					break
				}
				f.Entries = append(f.Entries, map[string]any{"rank": i + 1, "user": u.user, "riskySignIns": u.n,
					"ipAddresses": topKeys(u.ips, 5), "first": rfc(u.first), "last": rfc(u.last)})
				if r.budget.take("user", u.user) {
					r.userFanOut(u.user, window{})
				}
			}
			return r.addRanking("2-service-signins-"+strings.ToLower(app), f)
		}, nil)
}

// planService plans "anything unusual with <service>": the window's alerts
// concerning it and the risky sign-ins to its applications, each compared
// with the service's own baseline (the previous equal windows) when the
// window is short enough for one.
func (r *run) planService(s serviceSpec, w window) {
	var g *baselineGroup
	if n := baselineWindows(w); n >= minBaseline {
		g = newBaselineGroup(s, w, n)
	} else {
		r.note(fmt.Sprintf("The window is too long to compare with a baseline: fewer than %d earlier windows of the same length fit in the 30 days Advanced Hunting keeps.", minBaseline))
	}
	r.spawn(serviceAlertsJob(s, w, g))
	if g != nil && len(s.Apps) > 0 {
		r.spawn(g.signInBaselineJob())
	}
	for _, app := range s.Apps {
		r.spawn(serviceSignInsJob(s, app, w))
	}
}
