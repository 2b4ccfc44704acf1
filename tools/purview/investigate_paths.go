package purview

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/secmcp/secmcp/internal/source"
	"github.com/secmcp/secmcp/resources"
)

// ExfilPath is one way data left (or tried to leave) the organisation.
type ExfilPath struct {
	Kind        string    `json:"kind" jsonschema:"personal_cloud_upload, removable_media, external_sharing, mail_personal, mail_external, mail_forwarding or bulk_download"`
	Description string    `json:"description"`
	Destination string    `json:"destination"`
	First       time.Time `json:"first"`
	Last        time.Time `json:"last"`
	// Alerts are the DLP alerts showing the path; Queries the queries whose rows show it.
	Alerts    []string `json:"alerts"`
	Queries   []string `json:"queries"`
	Events    int      `json:"events"`
	Citations []string `json:"citations"`
	facts     []string
	events    []*Event
}

var pathDescriptions = map[string]string{
	"personal_cloud_upload": "upload to cloud storage or a file-sharing site",
	"removable_media":       "copy to removable media",
	"external_sharing":      "sharing outside the organisation",
	"mail_personal":         "mail to a personal mailbox",
	"mail_external":         "mail to an external domain",
	"mail_forwarding":       "mail forwarding rule to an external address",
	"bulk_download":         "bulk download (possible staging)",
}

func (st *invState) alertURI(id string) string {
	return resources.URI(st.alias, resources.KindAlert, id)
}

// addPath records that event e shows data moving along kind to dest.
func (st *invState) addPath(kind, dest string, e *Event) {
	if st.paths == nil {
		st.paths, st.pathed = map[string]*ExfilPath{}, map[string]bool{}
	}
	// An event merged from two queries comes back once per query: count it once.
	once := kind + "|" + e.key
	if e.alertID != "" {
		once += e.alertID + "|" + dest
	}
	if st.pathed[once] {
		return
	}
	st.pathed[once] = true
	key := kind + "|" + strings.ToLower(dest)
	p := st.paths[key]
	if p == nil {
		p = &ExfilPath{Kind: kind, Description: pathDescriptions[kind], Destination: dest, First: e.Time, Last: e.Time,
			Alerts: []string{}, Queries: []string{}, Citations: []string{}}
		st.paths[key] = p
	}
	if e.Time.Before(p.First) {
		p.First = e.Time
	}
	if e.Time.After(p.Last) {
		p.Last = e.Time
	}
	p.Events++
	p.events = append(p.events, e)
	if e.Kind == "dlp_alert" {
		p.Alerts = appendOnce(p.Alerts, e.alertID)
		p.facts = appendOnce(appendOnce(p.facts, e.alertID), dest)
	}
}

// finish gathers the path's queries, citations and facts from its events
// once every query row has been merged into them.
func (p *ExfilPath) finish() {
	for _, e := range p.events {
		for _, q := range e.Queries {
			p.Queries = appendOnce(p.Queries, q)
		}
		for _, c := range e.Citations {
			p.Citations = appendOnce(p.Citations, c)
		}
		if e.Kind != "dlp_alert" {
			for _, f := range e.facts {
				p.facts = appendOnce(p.facts, f)
			}
		}
	}
}

// alertPaths records the paths the DLP alerts themselves show.
func (st *invState) alertPaths() {
	for _, e := range st.events {
		if e.Kind != "dlp_alert" {
			continue
		}
		d := parseDLP(st.alertByID(e.alertID))
		switch loc := strings.ToLower(d.Location); {
		case loc == "endpoint" && (strings.Contains(strings.ToLower(d.TargetDomain), "usb") || strings.Contains(strings.ToLower(d.TargetDomain), "removable")):
			st.addPath("removable_media", d.TargetDomain, e)
		case loc == "endpoint" && d.TargetDomain != "":
			st.addPath("personal_cloud_upload", d.TargetDomain, e)
		case loc == "exchange":
			for _, r := range externalRecipients(d.Recipients, d.User) {
				kind := "mail_external"
				if inList(domainOf(r), personalDomains) {
					kind = "mail_personal"
				}
				st.addPath(kind, r, e)
			}
		case loc == "sharepoint" || loc == "onedrive" || loc == "teams":
			for _, r := range externalRecipients(d.Recipients, d.User) {
				st.addPath("external_sharing", r, e)
			}
		}
	}
}

func (st *invState) alertByID(id string) source.Alert {
	for _, a := range st.alerts {
		if a.ID == id {
			return a
		}
	}
	return source.Alert{}
}

// assemble builds the events, paths, narrative and open questions.
func (st *invState) assemble() {
	st.alertEvents()
	st.alertPaths()
	st.deviceRows()
	var domains []string
	for _, q := range st.res.Queries {
		if q.Name == "Q3" {
			domains = domainsOf(q.KQL)
		}
	}
	st.networkRows(domains)
	st.mailRows()
	st.cloudRows()
	sort.SliceStable(st.events, func(i, j int) bool { return st.events[i].Time.Before(st.events[j].Time) })
	for _, e := range st.events {
		st.res.Narrative = append(st.res.Narrative, *e)
	}
	for _, p := range st.paths {
		p.finish()
		st.res.Paths = append(st.res.Paths, *p)
	}
	sort.Slice(st.res.Paths, func(i, j int) bool {
		if !st.res.Paths[i].First.Equal(st.res.Paths[j].First) {
			return st.res.Paths[i].First.Before(st.res.Paths[j].First)
		}
		return st.res.Paths[i].Kind+st.res.Paths[i].Destination < st.res.Paths[j].Kind+st.res.Paths[j].Destination
	})
	sort.SliceStable(st.res.Labels, func(i, j int) bool { return st.res.Labels[i].Time.Before(st.res.Labels[j].Time) })
	st.res.OpenQuestions = st.openQuestions()
}

// domainsOf recovers the destination domains a Q3 query looked for.
func domainsOf(kql string) []string {
	var out []string
	for _, part := range strings.Split(kql, "RemoteUrl =~ ")[1:] {
		if end := strings.IndexByte(part[1:], '"'); end >= 0 {
			out = append(out, part[1:end+1])
		}
	}
	return out
}

func (st *invState) openQuestions() []string {
	var q []string
	for _, a := range st.alerts {
		if d := parseDLP(a); d.Overridden {
			q = append(q, fmt.Sprintf("Does the override justification of alert %s hold? Confirm it with the user's manager or the data owner.", a.ID))
		}
	}
	for _, p := range st.res.Paths {
		switch p.Kind {
		case "personal_cloud_upload":
			q = append(q, "Did the transfer to "+p.Destination+" complete, what exactly was sent, and who controls that account?")
		case "mail_forwarding":
			q = append(q, "Which messages were forwarded to "+p.Destination+", and is the rule still active?")
		case "removable_media":
			q = append(q, "Where is the removable drive now, and was it an approved device?")
		case "bulk_download":
			q = append(q, "Why were so many files downloaded from "+p.Destination+", and where did they go next?")
		}
	}
	for _, m := range st.res.MissingSources {
		q = append(q, "What does "+m.Source+" show? It could not be read, so its part of the picture is unknown.")
	}
	if len(st.res.Paths) == 0 {
		q = append(q, "No exfiltration path shows in the data read: could data have left by a channel these sources do not cover (printing, screenshots, unmanaged devices)?")
	}
	q = append(q, "Is this the user acting, or an attacker using the account? Check the user's risky sign-ins and risk detections (entra_list_risky_users, entra_list_signins).")
	return q
}
