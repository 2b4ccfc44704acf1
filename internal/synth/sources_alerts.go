package synth

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Tool names of the tenant-wide and entity-alert sources.
const (
	toolListAlerts    = "defender_list_alerts"
	toolGetAlert      = "defender_get_alert"
	toolListIncidents = "defender_list_incidents"
	toolRiskyUsers    = "entra_list_risky_users"
	toolListSignIns   = "entra_list_signins"
)

// maxRelatedIncidents bounds the incidents an entity's alerts lead to.
const maxRelatedIncidents = 3

// alertListDoc is the part of defender_list_alerts' result read here.
type alertListDoc struct {
	Since  time.Time   `json:"since"`
	Until  time.Time   `json:"until"`
	Alerts []alertItem `json:"alerts"`
	Page   pageInfo    `json:"page"`
}

// alertItem is one alert as defender_list_alerts and defender_get_incident
// return it.
type alertItem struct {
	ID              string    `json:"id"`
	IncidentID      string    `json:"incidentId"`
	Title           string    `json:"title"`
	Severity        string    `json:"severity"`
	Status          string    `json:"status"`
	Category        string    `json:"category"`
	Classification  string    `json:"classification"`
	ServiceSource   string    `json:"serviceSource"`
	DetectionSource string    `json:"detectionSource"`
	FirstActivity   time.Time `json:"firstActivity"`
	LastActivity    time.Time `json:"lastActivity"`
	Created         time.Time `json:"created"`
	Techniques      []string  `json:"mitreTechniques"`
	URI             string    `json:"uri"`
	Portal          string    `json:"portal"`
}

// NamedFacet records that a source found an item by an entity (an alert
// listed with the user or device filter): the entity is named in its evidence.
type NamedFacet struct {
	Entity string `json:"entity"`
	Tool   string `json:"tool"`
	Filter string `json:"filter"`
}

// addAlert records an alert; both sources give the same facet so the
// snippet does not depend on which answered first.
func (r *run) addAlert(a alertItem, tool string) {
	r.set.Add(a.URI, KindAlert, a.FirstActivity.UTC().Format(time.RFC3339)+a.ID, "alert: "+truncate(a.Title, 80),
		tool, "alert", AlertFacet{ID: a.ID, IncidentID: a.IncidentID, Title: a.Title, Severity: a.Severity, Status: a.Status,
			Category: a.Category, Classification: a.Classification, ServiceSource: a.ServiceSource, DetectionSource: a.DetectionSource,
			FirstActivity: a.FirstActivity, LastActivity: a.LastActivity, Techniques: orEmpty(a.Techniques)})
	r.set.SetPortal(a.URI, a.Portal)
}

// alertsOfJob lists the alerts whose evidence names a user or a device in
// the window, records each with the entity it names, and reads the
// incidents they belong to (newest first, at most maxRelatedIncidents).
func alertsOfJob(kind, entity string, w window) job {
	args := map[string]any{kind: entity, "top": 100}
	if w.set() {
		args["since"], args["until"] = rfc(w.from), rfc(w.to)
	}
	source := "Defender alerts naming " + entity
	return job{key: "1-alerts-" + kind + "-" + strings.ToLower(entity), source: source, tool: toolListAlerts, args: args,
		then: func(r *run, raw json.RawMessage) error {
			var d alertListDoc
			if err := json.Unmarshal(raw, &d); err != nil {
				return fmt.Errorf("decode %s: %w", toolListAlerts, err)
			}
			if d.Page.More {
				r.note(fmt.Sprintf("Only the first 100 alerts naming %s were read.", entity))
			}
			incidents := map[string]time.Time{}
			for _, a := range d.Alerts {
				if a.URI == "" {
					continue
				}
				r.addAlert(a, toolListAlerts)
				r.set.Add(a.URI, KindAlert, "", "", toolListAlerts, "names:"+strings.ToLower(entity),
					NamedFacet{Entity: strings.ToLower(entity), Tool: toolListAlerts, Filter: kind})
				if a.IncidentID != "" && a.FirstActivity.After(incidents[a.IncidentID]) {
					incidents[a.IncidentID] = a.FirstActivity
				}
			}
			ids := make([]string, 0, len(incidents))
			for id := range incidents {
				ids = append(ids, id)
			}
			sorted := append([]alertItem(nil), d.Alerts...)
			newestFirst(sorted)
			f := RankingFacet{Purpose: "alerts naming " + strings.ToLower(entity), RankedBy: "newest first", Tool: toolListAlerts,
				Since: d.Since, Until: d.Until, Candidates: len(d.Alerts),
				Totals: map[string]any{"alerts": len(d.Alerts), "incidents": len(ids), "windowDays": int(d.Until.Sub(d.Since).Round(24*time.Hour).Hours() / 24)}}
			for i, a := range sorted {
				if i == 10 {
					break
				}
				f.Entries = append(f.Entries, alertEntry(i+1, a))
			}
			if err := r.addSearch("alerts-"+kind+"-"+strings.ToLower(entity), f); err != nil {
				return err
			}
			sort.Slice(ids, func(i, j int) bool {
				if !incidents[ids[i]].Equal(incidents[ids[j]]) {
					return incidents[ids[i]].After(incidents[ids[j]])
				}
				return ids[i] < ids[j]
			})
			for i, id := range ids {
				if i == maxRelatedIncidents {
					r.note(fmt.Sprintf("Only the %d most recent of %d incidents naming %s were read.", maxRelatedIncidents, len(ids), entity))
					break
				}
				r.spawn(relatedIncidentJob(id))
			}
			return nil
		}}
}

// relatedIncidentJob reads an incident an entity's alerts belong to: the
// incident and its alerts become evidence, without the follow-up calls of
// the investigated incident (its other entities are not this question's).
func relatedIncidentJob(id string) job {
	return job{key: "1-incident-" + id, source: "Defender incident " + id, tool: toolGetIncident,
		args: map[string]any{"id": id},
		then: func(r *run, raw json.RawMessage) error {
			var d incidentDoc
			if err := json.Unmarshal(raw, &d); err != nil {
				return fmt.Errorf("decode %s: %w", toolGetIncident, err)
			}
			r.addIncident(d)
			return nil
		}}
}

// alertDoc is the part of defender_get_alert's result read here.
type alertDoc struct {
	Alert    alertItem `json:"alert"`
	Entities struct {
		Users   []string `json:"users"`
		Devices []string `json:"devices"`
		IPs     []string `json:"ips"`
	} `json:"entities"`
}

// AlertEntitiesFacet is who and what an alert's evidence names.
type AlertEntitiesFacet struct {
	Users   []string `json:"users"`
	Devices []string `json:"devices"`
	IPs     []string `json:"ips"`
}

// alertGroup collects the entities a group of alerts names; when the last
// alert's call ended it fans out to the users named by the most alerts
// (then by name), or to the devices when no user is named, so which
// entities are investigated does not depend on which call answered first.
type alertGroup struct {
	mu      sync.Mutex
	pending int
	users   map[string]int
	devices map[string]int
	w       window
}

func newAlertGroup(n int, w window) *alertGroup {
	return &alertGroup{pending: n, users: map[string]int{}, devices: map[string]int{}, w: w}
}

func (g *alertGroup) add(users, devices []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, u := range sortedUnique(users) {
		g.users[strings.ToLower(u)]++
	}
	for _, d := range sortedUnique(devices) {
		if safeName(d) {
			g.devices[strings.ToLower(d)]++
		}
	}
}

// settle counts one alert done and, after the last, starts the fan-out.
func (g *alertGroup) settle(r *run) {
	g.mu.Lock()
	g.pending--
	if g.pending != 0 {
		g.mu.Unlock()
		return
	}
	users, devices := byCount(g.users), byCount(g.devices)
	g.mu.Unlock()
	for _, u := range users {
		if r.budget.take("user", u) {
			r.userFanOut(u, g.w)
		}
	}
	if len(users) == 0 {
		for _, d := range devices {
			if r.budget.take("device", strings.ToLower(shortName(d))) {
				r.deviceFanOut(d, g.w)
			}
		}
	}
}

// byCount orders keys by count (desc), then key.
func byCount(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}

// alertEntitiesJob reads one alert's evidence into its group.
func alertEntitiesJob(id string, g *alertGroup) job {
	return job{key: "1-alert-" + id, source: "Defender alert " + id, tool: toolGetAlert, args: map[string]any{"id": id},
		then: func(r *run, raw json.RawMessage) error {
			var d alertDoc
			if err := json.Unmarshal(raw, &d); err != nil {
				return fmt.Errorf("decode %s: %w", toolGetAlert, err)
			}
			r.addAlert(d.Alert, toolGetAlert)
			r.set.Add(d.Alert.URI, KindAlert, "", "", toolGetAlert, "entities", AlertEntitiesFacet{Users: orEmpty(d.Entities.Users),
				Devices: orEmpty(d.Entities.Devices), IPs: orEmpty(d.Entities.IPs)})
			g.add(d.Entities.Users, d.Entities.Devices)
			return nil
		}, settle: g.settle}
}
