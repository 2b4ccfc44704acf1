package synth

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Tool names of the sources.
const (
	toolGetIncident   = "defender_get_incident"
	toolSummarize     = "defender_summarize_incident"
	toolSignInRisk    = "entra_summarize_signin_risk"
	toolListDevices   = "intune_list_devices"
	toolCompliance    = "intune_explain_compliance"
	toolHunting       = "defender_run_hunting_query"
	toolDLP           = "purview_summarize_investigation"
	toolScriptAnalyze = "scripts_analyze"
)

// incidentDoc is the part of defender_get_incident's result the synthesizer reads.
type incidentDoc struct {
	Incident struct {
		ID             string    `json:"id"`
		Title          string    `json:"title"`
		Severity       string    `json:"severity"`
		Status         string    `json:"status"`
		Classification string    `json:"classification"`
		Determination  string    `json:"determination"`
		AssignedTo     string    `json:"assignedTo"`
		Created        time.Time `json:"created"`
		LastUpdated    time.Time `json:"lastUpdated"`
		Tags           []string  `json:"tags"`
		URI            string    `json:"uri"`
		Portal         string    `json:"portal"`
	} `json:"incident"`
	Alerts   []alertItem `json:"alerts"`
	Entities struct {
		Users     []string `json:"users"`
		Devices   []string `json:"devices"`
		IPs       []string `json:"ips"`
		Mailboxes []string `json:"mailboxes"`
		Processes []string `json:"processes"`
		URLs      []string `json:"urls"`
	} `json:"entities"`
	Comments []string `json:"comments"`
}

// IncidentFacet is the incident as defender_get_incident returned it.
type IncidentFacet struct {
	ID             string    `json:"id"`
	Title          string    `json:"title"`
	Severity       string    `json:"severity"`
	Status         string    `json:"status"`
	Classification string    `json:"classification"`
	Determination  string    `json:"determination"`
	AssignedTo     string    `json:"assignedTo,omitempty"`
	Created        time.Time `json:"created"`
	LastUpdated    time.Time `json:"lastUpdated"`
	Tags           []string  `json:"tags,omitempty"`
	AlertCount     int       `json:"alertCount"`
	FirstActivity  time.Time `json:"firstActivity,omitzero"`
	LastActivity   time.Time `json:"lastActivity,omitzero"`
	Users          []string  `json:"users"`
	Devices        []string  `json:"devices"`
	IPs            []string  `json:"ips"`
	URLs           []string  `json:"urls,omitempty"`
	Comments       []string  `json:"comments,omitempty"`
}

// AlertFacet is one alert of the incident.
type AlertFacet struct {
	ID              string    `json:"id"`
	IncidentID      string    `json:"incidentId,omitempty"`
	Title           string    `json:"title"`
	Severity        string    `json:"severity"`
	Status          string    `json:"status"`
	Category        string    `json:"category"`
	Classification  string    `json:"classification,omitempty"`
	ServiceSource   string    `json:"serviceSource,omitempty"`
	DetectionSource string    `json:"detectionSource"`
	FirstActivity   time.Time `json:"firstActivity"`
	LastActivity    time.Time `json:"lastActivity"`
	Techniques      []string  `json:"techniques"`
}

func incidentJob(id string, win window) job {
	return job{key: "1-incident", source: "Defender incident " + id, tool: toolGetIncident,
		args: map[string]any{"id": id},
		then: func(r *run, raw json.RawMessage) error {
			var d incidentDoc
			if err := json.Unmarshal(raw, &d); err != nil {
				return fmt.Errorf("decode %s: %w", toolGetIncident, err)
			}
			f := r.addIncident(d)
			if !win.set() {
				win = window{f.FirstActivity, f.LastActivity}
			}
			r.followIncident(d, win)
			return nil
		}}
}

func (r *run) addIncident(d incidentDoc) IncidentFacet {
	in := d.Incident
	f := IncidentFacet{ID: in.ID, Title: in.Title, Severity: in.Severity, Status: in.Status,
		Classification: in.Classification, Determination: in.Determination, AssignedTo: in.AssignedTo,
		Created: in.Created, LastUpdated: in.LastUpdated, Tags: in.Tags, AlertCount: len(d.Alerts),
		Users: orEmpty(d.Entities.Users), Devices: orEmpty(d.Entities.Devices), IPs: orEmpty(d.Entities.IPs),
		URLs: d.Entities.URLs, Comments: d.Comments}
	for _, a := range d.Alerts {
		if !a.FirstActivity.IsZero() && (f.FirstActivity.IsZero() || a.FirstActivity.Before(f.FirstActivity)) {
			f.FirstActivity = a.FirstActivity
		}
		if a.LastActivity.After(f.LastActivity) {
			f.LastActivity = a.LastActivity
		}
		r.addAlert(a, toolGetIncident)
	}
	r.set.Add(in.URI, KindIncident, "0", "incident "+in.ID+": "+truncate(in.Title, 80), toolGetIncident, "incident", f)
	r.set.SetPortal(in.URI, in.Portal)
	return f
}

// followIncident starts the calls the incident's entities call for.
func (r *run) followIncident(d incidentDoc, win window) {
	for i, u := range sortedUnique(d.Entities.Users) {
		if i == maxUsers {
			r.note(fmt.Sprintf("Only the first %d users of the incident were looked up.", maxUsers))
			break
		}
		r.spawn(riskJob(strings.ToLower(u), riskWindow(win)))
	}
	var devices []string
	for _, dev := range sortedUnique(d.Entities.Devices) {
		if !safeName(dev) {
			continue
		}
		if len(devices) == maxDevices {
			r.note(fmt.Sprintf("Only the first %d devices of the incident were looked up.", maxDevices))
			break
		}
		devices = append(devices, dev)
		r.spawn(deviceJob(dev))
	}
	if len(devices) > 0 {
		r.spawn(huntDevicesJob(devices, huntWindow(win, r.call.Tenant.Now())))
	} else {
		// Identity incidents name no device: the users' own managed devices
		// tell whether a compromised account signs in from a healthy one.
		for i, u := range sortedUnique(d.Entities.Users) {
			if i == maxUsers {
				break
			}
			r.spawn(userDevicesJob(strings.ToLower(u)))
		}
	}
	n := 0
	for _, p := range sortedUnique(d.Entities.Processes) {
		if !encoded(p) {
			continue
		}
		if n == maxScripts {
			r.note(fmt.Sprintf("Only the first %d encoded command lines were analysed.", maxScripts))
			break
		}
		n++
		r.spawn(scriptJob(p, d.Incident.URI))
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func sortedUnique(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		k := strings.ToLower(strings.TrimSpace(s))
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, strings.TrimSpace(s))
	}
	sort.Strings(out)
	return out
}
