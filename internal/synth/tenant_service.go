package synth

import (
	"fmt"
	"strings"
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

// serviceAlertsJob ranks the window's alerts that concern the service and
// reads the evidence of the top ones to reach the entities they name.
func serviceAlertsJob(s serviceSpec, w window) job {
	return alertPagesJob("0-tenant-service-alerts", "Defender alerts concerning "+s.Name+" (tenant)", w,
		func(r *run, d alertListDoc) error {
			f := rankAlerts("alerts concerning "+s.Name, d, w, s.concerns)
			n := min(len(f.Entries), 3)
			g := newAlertGroup(n, window{})
			for _, e := range f.Entries[:n] {
				id, _ := e["alert"].(string)
				r.spawn(alertEntitiesJob(id, g))
			}
			return r.addRanking("1-service-alerts", f)
		})
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
		})
}
