package synth

import (
	"encoding/json"
	"fmt"
	"time"
)

// summaryDoc is the part of defender_summarize_incident's result read here.
type summaryDoc struct {
	AlertCount    int       `json:"alertCount"`
	FirstActivity time.Time `json:"firstActivity"`
	LastActivity  time.Time `json:"lastActivity"`
	Incident      struct {
		ID  string `json:"id"`
		URI string `json:"uri"`
	} `json:"incident"`
	Entities struct {
		Users []struct {
			Name        string    `json:"name"`
			AccountName string    `json:"accountName"`
			Alerts      int       `json:"alerts"`
			FirstSeen   time.Time `json:"firstSeen"`
			UserURI     string    `json:"userUri"`
			Risk        *struct {
				Level       string    `json:"level"`
				State       string    `json:"state"`
				LastUpdated time.Time `json:"lastUpdated"`
			} `json:"risk"`
		} `json:"users"`
		Devices []struct {
			Name       string    `json:"name"`
			OSPlatform string    `json:"osPlatform"`
			Alerts     int       `json:"alerts"`
			FirstSeen  time.Time `json:"firstSeen"`
			Intune     *struct {
				Name            string   `json:"name"`
				ComplianceState string   `json:"complianceState"`
				FailingSettings []string `json:"failingSettings"`
				FailingPolicies []string `json:"failingPolicies"`
				URI             string   `json:"uri"`
			} `json:"intune"`
		} `json:"devices"`
	} `json:"entities"`
	KillChain []struct {
		Tactic     string `json:"tactic"`
		Techniques []struct {
			ID         string    `json:"id"`
			Name       string    `json:"name"`
			First      time.Time `json:"first"`
			FirstTitle string    `json:"firstTitle"`
			URI        string    `json:"uri"`
		} `json:"techniques"`
	} `json:"killChain"`
	Timeline []struct {
		Kind       string    `json:"kind"`
		ID         string    `json:"id"`
		Time       time.Time `json:"time"`
		URI        string    `json:"uri"`
		Details    []string  `json:"details"`
		Techniques []string  `json:"techniques"`
	} `json:"timeline"`
	Actions []struct {
		Kind   string `json:"kind"`
		Action string `json:"action"`
	} `json:"actions"`
	OpenQuestions []struct {
		Question string `json:"question"`
	} `json:"openQuestions"`
	MissingSources []struct {
		Source string `json:"source"`
		Error  string `json:"error"`
	} `json:"missingSources"`
}

// SummaryFacet is the incident-wide part of defender_summarize_incident.
type SummaryFacet struct {
	AlertCount    int              `json:"alertCount"`
	FirstActivity time.Time        `json:"firstActivity,omitzero"`
	LastActivity  time.Time        `json:"lastActivity,omitzero"`
	Techniques    []TechniqueFacet `json:"techniques"`
	Users         []EntityFacet    `json:"users"`
	Devices       []EntityFacet    `json:"devices"`
	Actions       []string         `json:"actions,omitempty"`
	OpenQuestions []string         `json:"openQuestions,omitempty"`
}

// TechniqueFacet is one ATT&CK technique of the kill chain.
type TechniqueFacet struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Tactic     string    `json:"tactic"`
	First      time.Time `json:"first,omitzero"`
	FirstTitle string    `json:"firstAlert,omitempty"`
}

// EntityFacet is a user or device of the incident with the alerts it is in.
type EntityFacet struct {
	Name            string    `json:"name"`
	Account         string    `json:"account,omitempty"`
	OS              string    `json:"os,omitempty"`
	AlertsInvolved  int       `json:"alertsInvolved"`
	FirstSeen       time.Time `json:"firstSeen,omitzero"`
	RiskLevel       string    `json:"userRiskLevel,omitempty"`
	RiskState       string    `json:"userRiskState,omitempty"`
	IntuneName      string    `json:"intuneName,omitempty"`
	ComplianceState string    `json:"complianceState,omitempty"`
	FailingSettings []string  `json:"failingSettings,omitempty"`
	URI             string    `json:"uri,omitempty"`
}

// TimelineFacet is what the summary's timeline says about one alert.
type TimelineFacet struct {
	Details    []string `json:"details"`
	Techniques []string `json:"techniques"`
}

func summaryJob(id string) job {
	return job{key: "1-summary", source: "Defender incident summary " + id, tool: toolSummarize,
		args: map[string]any{"id": id, "detail": "standard"},
		then: func(r *run, raw json.RawMessage) error {
			var d summaryDoc
			if err := json.Unmarshal(raw, &d); err != nil {
				return fmt.Errorf("decode %s: %w", toolSummarize, err)
			}
			r.addSummary(d)
			for _, m := range d.MissingSources {
				r.partial("Defender incident summary "+id, toolSummarize, m.Source+": "+m.Error)
			}
			return nil
		}}
}

func (r *run) addSummary(d summaryDoc) {
	f := SummaryFacet{AlertCount: d.AlertCount, FirstActivity: d.FirstActivity, LastActivity: d.LastActivity,
		Techniques: []TechniqueFacet{}, Users: []EntityFacet{}, Devices: []EntityFacet{}}
	for _, k := range d.KillChain {
		for _, t := range k.Techniques {
			f.Techniques = append(f.Techniques, TechniqueFacet{ID: t.ID, Name: t.Name, Tactic: k.Tactic, First: t.First, FirstTitle: t.FirstTitle})
		}
	}
	for _, u := range d.Entities.Users {
		e := EntityFacet{Name: u.Name, Account: u.AccountName, AlertsInvolved: u.Alerts, FirstSeen: u.FirstSeen, URI: u.UserURI}
		if u.Risk != nil {
			e.RiskLevel, e.RiskState = u.Risk.Level, u.Risk.State
		}
		f.Users = append(f.Users, e)
	}
	for _, dv := range d.Entities.Devices {
		e := EntityFacet{Name: dv.Name, OS: dv.OSPlatform, AlertsInvolved: dv.Alerts, FirstSeen: dv.FirstSeen}
		if dv.Intune != nil {
			e.IntuneName, e.ComplianceState, e.FailingSettings, e.URI = dv.Intune.Name, dv.Intune.ComplianceState, dv.Intune.FailingSettings, dv.Intune.URI
		}
		f.Devices = append(f.Devices, e)
	}
	for _, a := range d.Actions {
		if len(f.Actions) == 8 {
			break
		}
		// Comments are the incident's own (its facet lists them as analyst
		// comments); repeating them as actions would say each one twice.
		if a.Kind == "comment" {
			continue
		}
		f.Actions = append(f.Actions, truncate(a.Action, 200))
	}
	for i, q := range d.OpenQuestions {
		if i == 5 {
			break
		}
		f.OpenQuestions = append(f.OpenQuestions, q.Question)
	}
	for _, ev := range d.Timeline {
		if ev.Kind != "alert" || ev.URI == "" {
			continue
		}
		det := []string{}
		for i, s := range ev.Details {
			if i == 6 {
				break
			}
			det = append(det, truncate(s, 300))
		}
		r.set.Add(ev.URI, KindAlert, ev.Time.UTC().Format(time.RFC3339)+ev.ID, "", toolSummarize, "timeline", TimelineFacet{Details: det, Techniques: orEmpty(ev.Techniques)})
	}
	r.set.Add(d.Incident.URI, KindIncident, "0", "incident "+d.Incident.ID, toolSummarize, "summary", f)
}
