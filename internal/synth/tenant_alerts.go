package synth

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// maxTypedAlerts bounds the alerts of one type whose evidence is read.
const maxTypedAlerts = 6

func windowArgs(w window, top int) map[string]any {
	return map[string]any{"since": rfc(w.from), "until": rfc(w.to), "top": top}
}

// matchesTerms reports whether every term (or its singular) is in text.
func matchesTerms(text string, terms []string) bool {
	l := strings.ToLower(text)
	for _, t := range terms {
		if !strings.Contains(l, t) && !strings.Contains(l, strings.TrimSuffix(t, "s")) {
			return false
		}
	}
	return len(terms) > 0
}

// newestFirst sorts alerts by first activity, newest first, then id.
func newestFirst(as []alertItem) {
	sort.Slice(as, func(i, j int) bool {
		if !as[i].FirstActivity.Equal(as[j].FirstActivity) {
			return as[i].FirstActivity.After(as[j].FirstActivity)
		}
		return as[i].ID < as[j].ID
	})
}

func alertEntry(rank int, a alertItem) map[string]any {
	return map[string]any{"rank": rank, "alert": a.ID, "title": a.Title, "severity": a.Severity, "status": a.Status,
		"serviceSource": a.ServiceSource, "incidentId": a.IncidentID, "firstActivity": rfc(a.FirstActivity)}
}

// alertTypeJob finds the alerts of one type in the window (title or
// category holding every term), then reads each one's evidence to reach
// the users (or devices) it names, whose fan-out gives their verdicts.
func alertTypeJob(terms []string, w window, top int) job {
	label := strings.Join(terms, " ")
	return alertPagesJob("0-tenant-alert-type", "Defender alerts matching "+q(label)+" (tenant)", w,
		func(r *run, d alertListDoc) error {
			var match []alertItem
			for _, a := range d.Alerts {
				if a.URI != "" && matchesTerms(a.Title+" "+a.Category, terms) {
					match = append(match, a)
				}
			}
			newestFirst(match)
			f := RankingFacet{Purpose: "alerts matching " + label, Tool: toolListAlerts, Since: w.from, Until: w.to, Candidates: len(match),
				RankedBy: "alerts whose title or category contains " + q(label) + ", newest first",
				Totals:   map[string]any{"alertsRead": len(d.Alerts), "matchingAlerts": len(match)}}
			if d.Page.More {
				f.Truncated = fmt.Sprintf("only the first %d alerts of the window were searched", len(d.Alerts))
			}
			if len(match) > maxTypedAlerts {
				r.note(fmt.Sprintf("Only the %d newest of the matching alerts were read.", maxTypedAlerts))
				match = match[:maxTypedAlerts]
			}
			g := newAlertGroup(len(match), window{})
			for i, a := range match {
				f.Entries = append(f.Entries, alertEntry(i+1, a))
				r.addAlert(a, toolListAlerts)
				r.spawn(alertEntitiesJob(a.ID, g))
			}
			return r.addRanking("0-alert-type", f)
		}, nil)
}

// incidentListDoc is the part of defender_list_incidents' result read here.
type incidentListDoc struct {
	Incidents []struct {
		ID             string    `json:"id"`
		Title          string    `json:"title"`
		Severity       string    `json:"severity"`
		Status         string    `json:"status"`
		Classification string    `json:"classification"`
		Created        time.Time `json:"created"`
		URI            string    `json:"uri"`
	} `json:"incidents"`
	Page pageInfo `json:"page"`
}

// mergeIncidents appends a page of incidents.
func mergeIncidents(acc *incidentListDoc, page incidentListDoc) pageInfo {
	acc.Incidents = append(acc.Incidents, page.Incidents...)
	acc.Page = page.Page
	return page.Page
}

// maxIncidentPages bounds the pages of incidents one ranking reads: Graph
// lists at most 50 incidents a page ($top at most 50, contract
// incidents.list, DocIncidentList), so 8 pages are the newest 400.
const maxIncidentPages = 8

// incidentsInWindowJob ranks the incidents created in the window by
// severity, then newest, reading them page by page (the list is newest
// first, so one page would rank only the newest ones by severity), and
// reads the top ones with their alerts.
func incidentsInWindowJob(w window, top int) job {
	return pagesJobN("0-tenant-incidents", "Defender incidents created in the window (tenant)", toolListIncidents, windowArgs(w, 100),
		maxIncidentPages, mergeIncidents, func(r *run, d incidentListDoc) error {
			in := d.Incidents
			sort.SliceStable(in, func(i, j int) bool {
				if a, b := severityRank(in[i].Severity), severityRank(in[j].Severity); a != b {
					return a < b
				}
				if !in[i].Created.Equal(in[j].Created) {
					return in[i].Created.After(in[j].Created)
				}
				return in[i].ID < in[j].ID
			})
			bySev := map[string]int{}
			for _, x := range in {
				bySev[x.Severity]++
			}
			f := RankingFacet{Purpose: "incidents created in the window", Tool: toolListIncidents, Since: w.from, Until: w.to, Candidates: len(in),
				RankedBy: "severity (high first), then the newest", Totals: map[string]any{"incidents": len(in), "incidentsBySeverity": bySev}}
			if d.Page.More {
				f.Truncated = fmt.Sprintf("only the first %d incidents of the window were ranked", len(in))
			}
			for i, x := range in {
				if i == top {
					break
				}
				f.Entries = append(f.Entries, map[string]any{"rank": i + 1, "incident": x.ID, "title": x.Title, "severity": x.Severity,
					"status": x.Status, "classification": x.Classification, "created": rfc(x.Created)})
				r.spawn(relatedIncidentJob(x.ID))
			}
			return r.addRanking("0-incidents", f)
		}, nil)
}

// alertsInWindowJob counts the alerts raised in the window by severity
// and product, and lists the highest-severity ones.
func alertsInWindowJob(w window) job {
	return alertPagesJob("0-tenant-alerts", "Defender alerts raised in the window (tenant)", w,
		func(r *run, d alertListDoc) error {
			return r.addRanking("1-alerts", rankAlerts("alerts raised in the window", d, w, func(alertItem) bool { return true }))
		}, nil)
}

// rankAlerts ranks the alerts keep accepts by severity then newest, with
// counts by severity and by product.
func rankAlerts(purpose string, d alertListDoc, w window, keep func(alertItem) bool) RankingFacet {
	var as []alertItem
	bySev, bySvc := map[string]int{}, map[string]int{}
	for _, a := range d.Alerts {
		if keep(a) {
			as = append(as, a)
			bySev[a.Severity]++
			bySvc[a.ServiceSource]++
		}
	}
	newestFirst(as)
	sort.SliceStable(as, func(i, j int) bool { return severityRank(as[i].Severity) < severityRank(as[j].Severity) })
	f := RankingFacet{Purpose: purpose, Tool: toolListAlerts, Since: w.from, Until: w.to, Candidates: len(as),
		RankedBy: "severity (high first), then the newest", Totals: map[string]any{"alerts": len(as), "alertsBySeverity": bySev, "alertsByService": bySvc}}
	if d.Page.More {
		f.Truncated = fmt.Sprintf("only the first %d alerts of the window were read", len(d.Alerts))
	}
	for i, a := range as {
		if i == 5 {
			break
		}
		f.Entries = append(f.Entries, alertEntry(i+1, a))
	}
	return f
}

// Graph's managedDevices list documents no $orderby and the service
// ignores one (contract managedDevices.list, Ignored; DocDeviceOrderBy), so
// "most recently synced first" is a client-side sort over every page read.
// Graph pages the list with @odata.nextLink ($top at most 1,000, contract
// TopMax; https://learn.microsoft.com/en-us/graph/paging). A tool page of
// devicePageSize devices (~350 bytes each) stays under the tool's 48 KiB
// result budget (tools.MaxBytes), so each page is one Graph page and the
// next follows its nextLink (a page the budget cut would resume by reading
// the listing again from its start). The ranking reads at most
// maxDevicePages pages (maxRankedDevices devices, 10 of the investigation's
// 64 calls) and says so when more remained.
const (
	devicePageSize   = 100
	maxDevicePages   = 10
	maxRankedDevices = devicePageSize * maxDevicePages
)

// deviceRankDoc is the part of intune_list_devices' result read here.
type deviceRankDoc struct {
	Devices []deviceRow `json:"devices"`
	Page    pageInfo    `json:"page"`
}

type deviceRow struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	User     string    `json:"user"`
	OS       string    `json:"os"`
	LastSync time.Time `json:"lastSync"`
}

// mergeDevices appends a page of devices.
func mergeDevices(acc *deviceRankDoc, page deviceRankDoc) pageInfo {
	acc.Devices = append(acc.Devices, page.Devices...)
	acc.Page = page.Page
	return page.Page
}

// recentlySyncedFirst sorts devices by last sync, newest first, then name.
func recentlySyncedFirst(ds []deviceRow) {
	sort.SliceStable(ds, func(i, j int) bool {
		if !ds[i].LastSync.Equal(ds[j].LastSync) {
			return ds[i].LastSync.After(ds[j].LastSync)
		}
		return ds[i].Name < ds[j].Name
	})
}

// noncompliantJob lists the devices Intune holds noncompliant, reading
// every page up to maxRankedDevices, ranks them most recently synced first, and
// explains the top ones.
func noncompliantJob(top int) job {
	return pagesJobN("0-tenant-noncompliant", "Intune noncompliant devices (tenant)", toolListDevices,
		map[string]any{"complianceState": "noncompliant", "top": devicePageSize}, maxDevicePages, mergeDevices,
		func(r *run, d deviceRankDoc) error {
			ds := d.Devices
			recentlySyncedFirst(ds)
			f := RankingFacet{Purpose: "noncompliant devices", Tool: toolListDevices, Candidates: len(ds),
				RankedBy: "Intune compliance state noncompliant, most recently synced first", Totals: map[string]any{"noncompliantDevices": len(ds)}}
			if d.Page.More {
				// Not a count of the tenant's noncompliant devices: only of those read.
				f.Totals = map[string]any{"noncompliantDevicesRead": len(ds)}
				f.Truncated = fmt.Sprintf("the ranking covers only the first %d noncompliant devices Graph returned (this answer reads at most %d, "+
					"%d pages of %d); Graph lists managed devices in no documented order, so more recently synced devices may be among those not read",
					len(ds), maxRankedDevices, maxDevicePages, devicePageSize)
			}
			for i, x := range ds {
				if i == top {
					break
				}
				f.Entries = append(f.Entries, map[string]any{"rank": i + 1, "device": x.Name, "owner": x.User, "os": x.OS, "lastSync": rfc(x.LastSync)})
				if x.ID != "" && r.budget.take("device", strings.ToLower(x.Name)) {
					r.spawn(complianceJob(x.ID, x.Name))
					r.spawn(alertsOfJob("device", x.Name, window{}))
				}
			}
			return r.addRanking("0-noncompliant", f)
		}, nil)
}
